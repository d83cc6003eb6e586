//! The conformance suite: the behaviour of AWS KMS, as checks that every [`Kms`] backend
//! must pass.
//!
//! Each check is a `pub async fn` taking the backend and its [`Capabilities`]; it creates the
//! keys it needs, asserts AWS's behaviour (the error variant, and the exact message where a
//! reference confirms AWS's message: only the messages of [`AwsMessage`]) and panics with a
//! message naming the operation on the first deviation. At the end it schedules the deletion (7 days) of the keys it created and
//! deletes its aliases, so the suite can run against real AWS KMS without leaking keys.
//! Regions and accounts in expected messages come from the ARNs of the keys the check
//! created, so no fixture is needed.
//!
//! [`run_all`] runs every check; each check can also be run alone. New checks are added to
//! `run_all`, so no backend can miss one. A backend whose peer is known to deviate from AWS
//! (an emulator such as moto) names the peer with [`Capabilities::peer`] and switches the
//! matching [`Flag`] off, with a comment saying how the peer deviates; the assertions the
//! flag covers still run and must fail, so a flag the peer no longer needs fails the suite
//! as stale. The local backend uses [`Capabilities::aws`].
//!
//! ```text
//! use kms_core::conformance::{self, Capabilities};
//!
//! #[tokio::test]
//! async fn conforms() {
//!     let kms = kms_local::LocalKms::new();
//!     conformance::run_all(&kms, &Capabilities::aws()).await;
//! }
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod algorithms;
mod aliases;
mod capabilities;
mod crypto;
mod data_keys;
mod gated;
mod identifiers;
mod import;
mod key_pairs;
mod key_specs;
mod keys;
mod mac;
mod messages;
mod multi_region;
mod public_keys;
mod rotation;
mod rsa_encryption;
mod shared_secrets;
mod signing;
mod states;
mod support;
mod tags;

pub use aliases::*;
pub use capabilities::{Capabilities, Flag};
pub use crypto::*;
pub use data_keys::*;
pub use identifiers::*;
pub use import::*;
pub use key_pairs::*;
pub use key_specs::*;
pub use keys::*;
pub use mac::*;
pub use messages::AwsMessage;
pub use multi_region::*;
pub use rotation::*;
pub use rsa_encryption::*;
pub use shared_secrets::*;
pub use signing::*;
pub use states::*;
pub use tags::*;

use crate::Kms;

/// Runs every check of the suite, in order, on `kms`.
///
/// # Panics
///
/// On the first deviation from AWS's behaviour, naming the check, the operation and what was
/// expected.
pub async fn run_all(kms: &dyn Kms, caps: &Capabilities) {
    // Keys.
    create_key_defaults(kms, caps).await;
    create_key_validation(kms, caps).await;
    describe_key_forms(kms, caps).await;
    update_key_description(kms, caps).await;
    list_keys_paging(kms, caps).await;
    list_keys_validation(kms, caps).await;
    unknown_keys(kms, caps).await;
    invalid_key_ids(kms, caps).await;
    // Key identifier forms.
    key_only_identifiers(kms, caps).await;
    any_form_identifiers(kms, caps).await;
    // Key states.
    disabled_key(kms, caps).await;
    schedule_key_deletion(kms, caps).await;
    pending_deletion_key(kms, caps).await;
    cancel_key_deletion(kms, caps).await;
    // Rotation.
    key_rotation_status(kms, caps).await;
    rotation_key_states(kms, caps).await;
    rotate_key_on_demand(kms, caps).await;
    list_key_rotations_paging(kms, caps).await;
    on_demand_rotation_limit(kms, caps).await;
    // Aliases.
    alias_lifecycle(kms, caps).await;
    list_aliases(kms, caps).await;
    alias_name_validation(kms, caps).await;
    unknown_aliases(kms, caps).await;
    // Tags.
    tag_lifecycle(kms, caps).await;
    tag_validation(kms, caps).await;
    create_key_with_tags(kms, caps).await;
    list_resource_tags_paging(kms, caps).await;
    // Cryptography.
    encrypt_decrypt(kms, caps).await;
    plaintext_size_limits(kms, caps).await;
    encryption_context(kms, caps).await;
    tampered_ciphertext(kms, caps).await;
    ciphertext_size_limits(kms, caps).await;
    incorrect_key(kms, caps).await;
    re_encrypt(kms, caps).await;
    generate_data_key(kms, caps).await;
    generate_data_key_without_plaintext(kms, caps).await;
    data_key_validation(kms, caps).await;
    generate_random(kms, caps).await;
    secrets_not_in_debug(kms, caps).await;
    // Asymmetric and HMAC keys.
    key_spec_usages(kms, caps).await;
    key_spec_usage_refusals(kms, caps).await;
    asymmetric_rotation(kms, caps).await;
    sign_verify(kms, caps).await;
    signing_validation(kms, caps).await;
    generate_verify_mac(kms, caps).await;
    mac_validation(kms, caps).await;
    rsa_encrypt_decrypt(kms, caps).await;
    rsa_encryption_validation(kms, caps).await;
    generate_data_key_pair(kms, caps).await;
    data_key_pair_validation(kms, caps).await;
    derive_shared_secret(kms, caps).await;
    encapsulate_decapsulate(kms, caps).await;
    // Imported key material.
    import_symmetric_key_material(kms, caps).await;
    import_with_every_wrapping_algorithm(kms, caps).await;
    import_validation(kms, caps).await;
    // Multi-Region keys.
    multi_region_keys(kms, caps).await;
    multi_region_refusals(kms, caps).await;
}

/// The suite's futures are `Send`, so a backend's test may spawn them on any runtime.
#[allow(dead_code)]
fn run_all_is_send<'a>(
    kms: &'a dyn Kms,
    caps: &'a Capabilities,
) -> impl Future<Output = ()> + Send + 'a {
    run_all(kms, caps)
}
