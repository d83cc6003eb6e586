//! The capability flags: where a peer is known to deviate from AWS KMS, and the one mechanism
//! ([`Capabilities::gate`]) through which every assertion a flag covers runs.

use std::any::Any;
use std::collections::BTreeSet;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares [`Flag`] with one variant per behaviour a peer may get wrong, and its names.
macro_rules! flags {
    ($( $(#[$doc:meta])* $flag:ident => $name:literal, )+) => {
        /// A behaviour of AWS KMS that a peer (an emulator such as moto) may get wrong.
        ///
        /// A flag is on unless [`Capabilities::without`] switched it off for a peer; off
        /// means "known deviation": the assertions it covers still run and must fail.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Flag {
            $( $(#[$doc])* $flag, )+
        }

        impl Flag {
            /// Every flag.
            pub const ALL: &[Flag] = &[$(Flag::$flag,)+];

            /// The flag's name, in snake case, as failures name it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Flag::$flag => $name,)+
                }
            }
        }
    };
}

flags! {
    /// Key states gate operations: on a Disabled key the cryptographic and rotation
    /// operations fail with `DisabledException` (`<key-arn> is disabled.`); on a key pending
    /// deletion they, and the management operations (EnableKey, DisableKey,
    /// UpdateKeyDescription, CreateAlias, TagResource, UntagResource, a second
    /// ScheduleKeyDeletion), fail with `KMSInvalidStateException`
    /// (`<key-arn> is pending deletion.`); CancelKeyDeletion of a key not pending deletion
    /// fails with `<key-arn> is not pending deletion.`
    EnforcesKeyState => "enforces_key_state",
    /// Encrypt, Decrypt and ReEncrypt responses carry the encryption algorithm
    /// (`SYMMETRIC_DEFAULT`).
    ReturnsEncryptionAlgorithm => "returns_encryption_algorithm",
    /// Key metadata carries `CurrentKeyMaterialId`, and Decrypt, ReEncrypt and the
    /// GenerateDataKey operations carry the 64-hex-digit ID of the key material they used.
    ReportsKeyMaterialIds => "reports_key_material_ids",
    /// Decrypt with a `KeyId`, or ReEncrypt with a `SourceKeyId`, naming (by key ID or alias)
    /// another key than the one that encrypted fails with `IncorrectKeyException`.
    EnforcesIncorrectKey => "enforces_incorrect_key",
    /// ListKeys honours `Limit` and `Marker`.
    PagesListKeys => "pages_list_keys",
    /// The `Limit` of ListKeys (1..1000), ListAliases (1..100), ListResourceTags (1..50) and
    /// ListKeyRotations (1..1000) is validated (`ValidationException`), and a marker that no
    /// listing handed out is refused (`InvalidMarkerException`).
    ValidatesListLimits => "validates_list_limits",
    /// ScheduleKeyDeletion refuses a waiting period outside 7..30 days
    /// (`ValidationException`).
    ValidatesDeletionWindow => "validates_deletion_window",
    /// RotateKeyOnDemand gives the key new key material: ListKeyRotations lists each
    /// rotation, `CurrentKeyMaterialId` changes, old ciphertexts decrypt with their old
    /// material and new ones use the new material.
    RotatesKeyMaterial => "rotates_key_material",
    /// The 26th RotateKeyOnDemand of a key fails with `LimitExceededException` (at most 25
    /// on-demand rotations per key). The check rotates one key 26 times.
    EnforcesOnDemandRotationLimit => "enforces_on_demand_rotation_limit",
    /// ScheduleKeyDeletion, CancelKeyDeletion, RotateKeyOnDemand, GetKeyRotationStatus,
    /// GenerateMac and VerifyMac answer with the key ARN as `KeyId`, whatever form named the
    /// key.
    ReturnsKeyArns => "returns_key_arns",
    /// Key metadata and the ScheduleKeyDeletion answer carry every field AWS sends: a new
    /// symmetric key states `KeyUsage` `ENCRYPT_DECRYPT` and `MultiRegion` false even when
    /// CreateKey left them out, and has no `SigningAlgorithms`; a key pending deletion states
    /// `PendingDeletionWindowInDays`; ScheduleKeyDeletion answers `KeyState` and
    /// `PendingWindowInDays`.
    CompleteKeyMetadata => "complete_key_metadata",
    /// EnableKeyRotation takes `RotationPeriodInDays` (90..2560, 365 by default) and
    /// GetKeyRotationStatus reports it with `NextRotationDate`.
    RotationPeriods => "rotation_periods",
    /// ListAliases gives each alias its `CreationDate` and `LastUpdatedDate`.
    ReportsAliasDates => "reports_alias_dates",
    /// ListResourceTags lists tags sorted by key, and honours `Limit` and `Marker`.
    PagesListResourceTags => "pages_list_resource_tags",
    /// ListAliases honours `Limit` and `Marker`.
    PagesListAliases => "pages_list_aliases",
    /// Every operation that takes a key accepts it by key ARN as by key ID (the check of the
    /// identifier forms tries each operation that takes a key ID or key ARN only).
    AcceptsKeyArns => "accepts_key_arns",
    /// A key ARN of another region is refused with `NotFoundException`
    /// (`Invalid arn <region>`), not taken for the key with that key ID here.
    ChecksArnRegion => "checks_arn_region",
    /// Requests that break a constraint of the API model are refused with
    /// `ValidationException` and, where a reference confirms it, AWS's message: CreateKey of
    /// a non-symmetric key spec without `KeyUsage` or with a description over 8192
    /// characters, CreateAlias of a name without `alias/` or longer than 256 characters,
    /// Decrypt of an empty or oversized ciphertext, GenerateRandom and the GenerateDataKey
    /// operations without, or with a zero, `NumberOfBytes`, or with both `KeySpec` and
    /// `NumberOfBytes`.
    ValidatesInputs => "validates_inputs",
    /// TagResource and CreateKey refuse more than 50 tags on a key, a tag key given twice and
    /// tag keys beginning with `aws:` with AWS's `TagException` messages, and CreateAlias
    /// refuses names under `alias/aws/` with `InvalidAliasNameException`.
    ValidatesTagsAndAliasNames => "validates_tags_and_alias_names",
    /// The key management operations, which AWS documents as taking a key ID or key ARN
    /// only (UpdateKeyDescription, EnableKey, DisableKey, ScheduleKeyDeletion,
    /// CancelKeyDeletion, Enable/DisableKeyRotation, GetKeyRotationStatus, TagResource,
    /// UntagResource, ListResourceTags), refuse an alias name or alias ARN with
    /// `NotFoundException`.
    RefusesAliasesInKeyManagement => "refuses_aliases_in_key_management",
    /// RotateKeyOnDemand, ListKeyRotations, the `TargetKeyId` of CreateAlias and UpdateAlias
    /// and the `KeyId` of ListAliases, which AWS documents as taking a key ID or key ARN only,
    /// refuse an alias name or alias ARN with `NotFoundException`.
    RefusesAliasesInRotationsAndAliases => "refuses_aliases_in_rotations_and_aliases",
    /// CreateKey refuses, with `ValidationException`, every key usage that the key spec does
    /// not allow (SIGN_VERIFY for SYMMETRIC_DEFAULT, KEY_AGREEMENT for RSA, anything but
    /// GENERATE_VERIFY_MAC for HMAC, ...).
    ValidatesKeySpecUsage => "validates_key_spec_usage",
    /// The metadata and the GetPublicKey answer of an asymmetric or HMAC key list exactly the
    /// algorithms of its usage (`EncryptionAlgorithms`, `SigningAlgorithms`,
    /// `KeyAgreementAlgorithms`, `EncapsulationAlgorithms`, `MacAlgorithms`) and no other
    /// list; GetPublicKey answers the key ARN, the key spec and the usage.
    ListsKeyAlgorithms => "lists_key_algorithms",
    /// ECC_NIST_EDWARDS25519 keys exist: ED25519_SHA_512 signs RAW messages only,
    /// ED25519_PH_SHA_512 SHA-512 digests only.
    Ed25519Keys => "ed25519_keys",
    /// ML_DSA_44, ML_DSA_65 and ML_DSA_87 keys exist and sign with ML_DSA_SHAKE_256, RAW or
    /// EXTERNAL_MU (64 bytes), never DIGEST.
    MlDsaKeys => "ml_dsa_keys",
    /// ML_KEM_512, ML_KEM_768 and ML_KEM_1024 keys exist (ENCAPSULATE_DECAPSULATE), with
    /// Encapsulate and Decapsulate.
    MlKemKeys => "ml_kem_keys",
    /// DeriveSharedSecret of a KEY_AGREEMENT key gives the raw ECDH shared secret with the
    /// peer's SPKI public key.
    KeyAgreement => "key_agreement",
    /// Sign and Verify take MessageType DIGEST: the message is a digest of the hash's length
    /// (`Digest is invalid length for algorithm <algorithm>.` otherwise), and a message and
    /// its digest verify as the same message.
    SignsDigests => "signs_digests",
    /// RSASSA-PSS signatures use MGF1 with the signing hash and a salt as long as the hash,
    /// so a verifier that requires that salt length (aws-lc-rs, OpenSSL by default) accepts
    /// them.
    PssSaltIsHashLength => "pss_salt_is_hash_length",
    /// Sign and Verify refuse a message of 0 or more than 4096 bytes (`ValidationException`),
    /// an algorithm the key does not offer and a key that is not a SIGN_VERIFY key
    /// (`InvalidKeyUsageException`).
    ValidatesSigningRequests => "validates_signing_requests",
    /// GenerateMac and VerifyMac refuse a message of 0 or more than 4096 bytes
    /// (`ValidationException`), the algorithm of another HMAC spec
    /// (`Algorithm <algorithm> is incompatible with key spec <spec>.`) and a key that is not
    /// an HMAC key; an HMAC key refuses Encrypt.
    ValidatesMacRequests => "validates_mac_requests",
    /// RSA ENCRYPT_DECRYPT keys encrypt with RSAES-OAEP (SHA-1 or SHA-256, one of which
    /// Encrypt must name): the ciphertext is the raw OAEP output of the modulus length, any
    /// OAEP implementation with the public key makes ciphertexts Decrypt takes (with the key
    /// and the algorithm), and the plaintext limits of each key size hold.
    RsaEncryption => "rsa_encryption",
    /// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext exist, under symmetric
    /// encryption keys only.
    DataKeyPairs => "data_key_pairs",
    /// EnableKeyRotation and RotateKeyOnDemand of an asymmetric or HMAC key fail with
    /// `UnsupportedOperationException`.
    RefusesAsymmetricRotation => "refuses_asymmetric_rotation",
    /// Keys of origin `EXTERNAL` start `PendingImport`; GetParametersForImport gives an RSA
    /// wrapping key (DER SubjectPublicKeyInfo) and an import token; ImportKeyMaterial takes
    /// material wrapped with each of the four wrapping algorithms (symmetric, HMAC and ECC
    /// material), the key then uses exactly that material; DeleteImportedKeyMaterial sends
    /// the key back to `PendingImport`; only the same material imports again.
    ImportsKeyMaterial => "imports_key_material",
    /// CreateKey with `MultiRegion` makes a key whose ID is `mrk-` and 32 lowercase hex
    /// digits (for symmetric, HMAC and asymmetric keys), with `MultiRegion` true and a
    /// `MultiRegionConfiguration` naming it the `PRIMARY` key without replicas.
    MultiRegionKeyIds => "multi_region_key_ids",
    /// ReplicateKey and UpdatePrimaryRegion refuse a single-Region key with
    /// `UnsupportedOperationException`, and ReplicateKey a Region that is not a Region name
    /// with `ValidationException`.
    RefusesSingleRegionReplication => "refuses_single_region_replication",
}

/// What a peer does as AWS KMS does: the peer's name and the flags switched off for it.
///
/// Real AWS and the local backend use [`Capabilities::aws`], with every flag on. A backend
/// tested against a deviating peer names the peer with [`Capabilities::peer`] and switches
/// off, with [`Capabilities::without`], each flag the peer is known to get wrong, saying why
/// in a comment. An assertion a flag covers runs through [`Capabilities::gate`] either way:
/// with the flag off it must fail, and when it passes the suite fails with
/// `flag <name> is stale: <peer> now behaves as AWS`.
///
/// ```
/// use kms_core::conformance::{Capabilities, Flag};
///
/// // The peer lets a disabled key encrypt.
/// let caps = Capabilities::peer("an emulator 1.0").without(Flag::EnforcesKeyState);
/// assert!(!caps.is_on(Flag::EnforcesKeyState) && caps.is_on(Flag::EnforcesIncorrectKey));
/// assert_eq!(caps.peer_name(), "an emulator 1.0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    peer: String,
    off: BTreeSet<Flag>,
}

impl Capabilities {
    /// AWS KMS itself: every flag on.
    pub fn aws() -> Self {
        Self::peer("AWS KMS")
    }

    /// The peer `name` (with its version, e.g. `moto 5.2.5`), every flag on until
    /// [`Capabilities::without`] switches one off.
    pub fn peer(name: impl Into<String>) -> Self {
        Self {
            peer: name.into(),
            off: BTreeSet::new(),
        }
    }

    /// Switches `flag` off: the peer is known to deviate from AWS there.
    #[must_use]
    pub fn without(mut self, flag: Flag) -> Self {
        self.off.insert(flag);
        self
    }

    /// Whether `flag` is on: the peer behaves as AWS there.
    pub fn is_on(&self, flag: Flag) -> bool {
        !self.off.contains(&flag)
    }

    /// The peer's name.
    pub fn peer_name(&self) -> &str {
        &self.peer
    }

    /// Runs `assertion`, which `flag` covers and which `what` names.
    ///
    /// With `flag` on it runs as any assertion: its failure fails the check. With `flag`
    /// off the peer is known to deviate, so the assertion must fail; if it passes instead,
    /// this panics with `flag <name> is stale: <peer> now behaves as AWS (<what>)`.
    ///
    /// # Panics
    ///
    /// When `assertion` panics with `flag` on, and when it does not with `flag` off.
    pub async fn gate<F>(&self, flag: Flag, what: &str, assertion: F)
    where
        F: Future<Output = ()> + Send,
    {
        if self.is_on(flag) {
            assertion.await;
            return;
        }
        if CatchUnwind(Box::pin(assertion)).await.is_ok() {
            panic!(
                "flag {} is stale: {} now behaves as AWS ({what}); switch the flag back on",
                flag.name(),
                self.peer
            );
        }
    }
}

impl Default for Capabilities {
    /// [`Capabilities::aws`].
    fn default() -> Self {
        Self::aws()
    }
}

/// A future that turns a panic while it is polled into an `Err`.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on(future: impl Future<Output = ()>) {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future);
    }

    #[test]
    fn a_flag_that_is_on_runs_its_assertion() {
        block_on(async {
            let mut ran = false;
            let caps = Capabilities::aws();
            caps.gate(Flag::EnforcesKeyState, "a passing check", async {
                ran = true;
            })
            .await;
            assert!(ran);
        });
    }

    #[test]
    #[should_panic(expected = "the peer's failure")]
    fn a_flag_that_is_on_fails_with_its_assertion() {
        block_on(async {
            Capabilities::aws()
                .gate(Flag::EnforcesKeyState, "a failing check", async {
                    panic!("the peer's failure");
                })
                .await;
        });
    }

    #[test]
    fn a_flag_that_is_off_needs_its_assertion_to_fail() {
        block_on(async {
            let caps = Capabilities::peer("emulator 1.0").without(Flag::PagesListKeys);
            caps.gate(Flag::PagesListKeys, "a failing check", async {
                panic!("the known deviation");
            })
            .await;
        });
    }

    #[test]
    #[should_panic(
        expected = "flag pages_list_keys is stale: emulator 1.0 now behaves as AWS (ListKeys)"
    )]
    fn a_flag_that_is_off_and_passes_is_stale() {
        block_on(async {
            let caps = Capabilities::peer("emulator 1.0").without(Flag::PagesListKeys);
            caps.gate(Flag::PagesListKeys, "ListKeys", async {}).await;
        });
    }

    #[test]
    fn flag_names_are_distinct_snake_case() {
        for (i, flag) in Flag::ALL.iter().enumerate() {
            let name = flag.name();
            let snake = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
            assert!(name.bytes().all(snake) && name.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(Flag::ALL[..i].iter().all(|other| other.name() != name));
        }
    }
}
