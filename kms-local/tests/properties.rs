//! Properties of Encrypt and Decrypt over random inputs: round trips, and any change to a
//! ciphertext or its context is `InvalidCiphertext`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use kms_core::{EncryptionContext, Error, KmsExt};
use kms_local::LocalKms;
use proptest::prelude::*;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn contexts() -> impl Strategy<Value = EncryptionContext> {
    proptest::collection::btree_map("[a-zA-Z0-9:_-]{0,12}", "\\PC{0,16}", 0..5)
        .prop_map(EncryptionContext::from)
}

/// A backend with one key, and a ciphertext of `plaintext` under `context`.
fn encrypted(plaintext: &[u8], context: &EncryptionContext) -> (LocalKms, Vec<u8>) {
    block_on(async {
        let kms = LocalKms::new();
        let key = kms.create_symmetric_key("property").await.unwrap();
        let blob = kms
            .encrypt_bytes(&key.key_id, plaintext, context)
            .await
            .unwrap();
        (kms, blob)
    })
}

fn decrypt(kms: &LocalKms, blob: &[u8], context: &EncryptionContext) -> Result<Vec<u8>, Error> {
    block_on(kms.decrypt_bytes(blob, context)).map(|p| p.expose_secret().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trips(plaintext in proptest::collection::vec(any::<u8>(), 1..=4096), context in contexts()) {
        let (kms, blob) = encrypted(&plaintext, &context);
        prop_assert!(blob.len() <= 6144);
        prop_assert_eq!(decrypt(&kms, &blob, &context).unwrap(), plaintext);
    }

    #[test]
    fn any_changed_byte_is_invalid_ciphertext(
        plaintext in proptest::collection::vec(any::<u8>(), 1..=256),
        context in contexts(),
        position in any::<prop::sample::Index>(),
        flip in 1..=255u8,
    ) {
        let (kms, mut blob) = encrypted(&plaintext, &context);
        let at = position.index(blob.len());
        blob[at] ^= flip;
        let result = decrypt(&kms, &blob, &context);
        // A change in the key ID bytes names another key, which does not exist here:
        // AWS answers AccessDenied for that; every other change is InvalidCiphertext.
        match result {
            Err(Error::InvalidCiphertext) => {}
            Err(Error::AccessDenied { .. }) if (1..17).contains(&at) => {}
            other => prop_assert!(false, "byte {at} changed: {other:?}"),
        }
    }

    #[test]
    fn any_truncation_is_invalid_ciphertext(
        plaintext in proptest::collection::vec(any::<u8>(), 1..=256),
        context in contexts(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (kms, blob) = encrypted(&plaintext, &context);
        let keep = cut.index(blob.len() - 1) + 1;
        let result = decrypt(&kms, &blob[..keep], &context);
        prop_assert!(matches!(result, Err(Error::InvalidCiphertext)), "kept {keep}: {result:?}");
    }

    #[test]
    fn any_other_context_is_invalid_ciphertext(
        plaintext in proptest::collection::vec(any::<u8>(), 1..=64),
        context in contexts(),
        other in contexts(),
    ) {
        prop_assume!(context != other);
        let (kms, blob) = encrypted(&plaintext, &context);
        let result = decrypt(&kms, &blob, &other);
        prop_assert!(matches!(result, Err(Error::InvalidCiphertext)), "{result:?}");
    }
}

#[test]
fn pair_order_does_not_matter() {
    let forward: BTreeMap<String, String> = [("a", "1"), ("b", "2")]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let context = EncryptionContext::from(forward);
    let reordered = EncryptionContext::from([("b", "2"), ("a", "1")]);
    let (kms, blob) = encrypted(b"order", &context);
    assert_eq!(decrypt(&kms, &blob, &reordered).unwrap(), b"order");
}
