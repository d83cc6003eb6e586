//! `AwsKms` against a real AWS KMS peer: `moto_server` (moto 5.2.5) on 127.0.0.1.
//!
//! Built only with the cargo feature `moto-tests`, so a plain `cargo test` never needs
//! Python or a server. `scripts/test.sh` runs them through `scripts/with-moto.sh`, which
//! starts moto on a free port, sets `KMS_TEST_MOTO_URL` and stops moto afterwards:
//!
//! ```text
//! scripts/with-moto.sh cargo test -p kms-aws --features moto-tests
//! ```
//!
//! Without `KMS_TEST_MOTO_URL` every test fails, saying so: these tests never pass
//! without their peer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use kms_aws::{AwsKms, AwsKmsBuilder};
use kms_core::conformance::{self, Capabilities, Flag};
use kms_core::{
    CreateAliasRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, EncryptionContext,
    Error, KeyId, Kms, KmsExt, ScheduleKeyDeletionRequest,
};

/// The variable that names moto's endpoint.
const MOTO_URL_ENV: &str = "KMS_TEST_MOTO_URL";

/// The endpoint of the moto_server under test.
fn moto_url() -> String {
    match std::env::var(MOTO_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{MOTO_URL_ENV} is not set: these tests need a moto_server. Run them with \
             `scripts/with-moto.sh cargo test -p kms-aws --features moto-tests` (scripts/test.sh \
             does), which starts one on 127.0.0.1 and sets {MOTO_URL_ENV}"
        ),
    }
}

#[path = "moto/asymmetric.rs"]
mod asymmetric;
#[path = "moto/multi_region.rs"]
mod multi_region;

/// An `AwsKms` talking to moto, with moto's dummy credentials and nothing read from the
/// machine's AWS configuration.
async fn moto() -> AwsKms {
    moto_builder().build().await.unwrap()
}

/// The builder of [`moto`], for settings of a test's own.
fn moto_builder() -> AwsKmsBuilder {
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "moto",
        )))
        .build();
    AwsKms::builder()
        .with_sdk_config(&config)
        .with_endpoint_url(moto_url())
}

/// What moto 5.2.5 does otherwise than AWS KMS, one flag per behaviour. Every other check
/// of the suite runs as it does against AWS, and so do the checks of these flags: each must
/// fail on moto, and the suite fails, naming the flag as stale, the day moto behaves as AWS.
fn moto_capabilities() -> Capabilities {
    Capabilities::peer("moto 5.2.5")
        // No key state is enforced: a Disabled key or one pending deletion still encrypts,
        // decrypts, rotates and is managed; CancelKeyDeletion of a key that is not pending
        // deletion succeeds.
        .without(Flag::EnforcesKeyState)
        // No EncryptionAlgorithm in Encrypt, Decrypt and ReEncrypt answers.
        .without(Flag::ReturnsEncryptionAlgorithm)
        // No key material IDs: no CurrentKeyMaterialId, no KeyMaterialId.
        .without(Flag::ReportsKeyMaterialIds)
        // Decrypt with the KeyId of another key answers AccessDeniedException, and ReEncrypt
        // with the SourceKeyId of another key named by alias succeeds.
        .without(Flag::EnforcesIncorrectKey)
        // ListKeys ignores Limit and always answers Truncated false.
        .without(Flag::PagesListKeys)
        // A Limit of 0 in ListKeys and ListAliases, and any Marker, are accepted.
        .without(Flag::ValidatesListLimits)
        // ScheduleKeyDeletion outside 7..30 days schedules nothing and answers no error.
        .without(Flag::ValidatesDeletionWindow)
        // RotateKeyOnDemand never changes the key material, and ListKeyRotations lists
        // rotations without KeyMaterialId and with the KeyId as sent.
        .without(Flag::RotatesKeyMaterial)
        // No limit of 25 on-demand rotations.
        .without(Flag::EnforcesOnDemandRotationLimit)
        // CancelKeyDeletion, ScheduleKeyDeletion, RotateKeyOnDemand and VerifyMac echo the
        // identifier sent (a key ID, not the ARN), GenerateMac answers the key ID;
        // GetKeyRotationStatus sends no KeyId.
        .without(Flag::ReturnsKeyArns)
        // KeyUsage and MultiRegion are null and SigningAlgorithms [] for a default symmetric
        // key; no PendingDeletionWindowInDays; no KeyState or PendingWindowInDays in the
        // ScheduleKeyDeletion answer.
        .without(Flag::CompleteKeyMetadata)
        // RotationPeriodInDays is ignored; GetKeyRotationStatus reports neither it nor
        // NextRotationDate.
        .without(Flag::RotationPeriods)
        // ListAliases gives no CreationDate and LastUpdatedDate.
        .without(Flag::ReportsAliasDates)
        // ListResourceTags lists tags in the order they were added, and ignores Limit.
        .without(Flag::PagesListResourceTags)
        // ListAliases ignores Limit.
        .without(Flag::PagesListAliases)
        // ScheduleKeyDeletion of a key named by its ARN fails with HTTP 500 (the ARN is
        // looked up as a key ID).
        .without(Flag::AcceptsKeyArns)
        // A key ARN of another region is taken for the key with that ID here.
        .without(Flag::ChecksArnRegion)
        // Few model constraints are checked: HMAC_256 without KeyUsage, 257-character alias
        // names and both KeySpec and NumberOfBytes are accepted; an empty ciphertext gets
        // InvalidCiphertextException, GenerateRandom without NumberOfBytes HTTP 500 and with
        // 0 bytes an empty answer; CreateAlias without `alias/` and NumberOfBytes 0 are worded
        // otherwise.
        .without(Flag::ValidatesInputs)
        // 51 tags, and aliases under `alias/aws/`, are accepted.
        .without(Flag::ValidatesTagsAndAliasNames)
        // RotateKeyOnDemand, ListKeyRotations and the KeyId of ListAliases accept aliases,
        // and an alias as the TargetKeyId of CreateAlias or UpdateAlias is refused with
        // ValidationException.
        .without(Flag::RefusesAliasesInRotationsAndAliases)
        // CreateKey takes any KeyUsage with any KeySpec (KEY_AGREEMENT with RSA_2048,
        // SIGN_VERIFY with SYMMETRIC_DEFAULT, ...): no pair is refused.
        .without(Flag::ValidatesKeySpecUsage)
        // GetPublicKey answers the key ID, not the ARN, and no KeySpec; HMAC keys list the RSA
        // encryption algorithms and no MacAlgorithms; KEY_AGREEMENT keys list signing
        // algorithms and no KeyAgreementAlgorithms.
        .without(Flag::ListsKeyAlgorithms)
        // No ECC_NIST_EDWARDS25519, ML_DSA_* or ML_KEM_* key spec: CreateKey refuses them.
        .without(Flag::Ed25519Keys)
        .without(Flag::MlDsaKeys)
        .without(Flag::MlKemKeys)
        // No DeriveSharedSecret.
        .without(Flag::KeyAgreement)
        // MessageType is ignored: a DIGEST message is signed and verified as a raw message.
        .without(Flag::SignsDigests)
        // RSASSA-PSS signs with the maximal salt length (PSS.MAX_LENGTH), not the hash length.
        .without(Flag::PssSaltIsHashLength)
        // A 4097-byte message is signed, and an algorithm the key lacks is a
        // ValidationException, not InvalidKeyUsageException.
        .without(Flag::ValidatesSigningRequests)
        // GenerateMac takes any HMAC algorithm with any HMAC key, and any message length.
        .without(Flag::ValidatesMacRequests)
        // Encrypt with an RSA key encrypts with the key's symmetric material whatever the
        // EncryptionAlgorithm; there is no OAEP.
        .without(Flag::RsaEncryption)
        // No GenerateDataKeyPair or GenerateDataKeyPairWithoutPlaintext.
        .without(Flag::DataKeyPairs)
        // EnableKeyRotation and RotateKeyOnDemand of asymmetric and HMAC keys succeed.
        .without(Flag::RefusesAsymmetricRotation)
        // CreateKey with Origin EXTERNAL makes an Enabled key with KMS-made material (never
        // PendingImport), and GetParametersForImport, ImportKeyMaterial and
        // DeleteImportedKeyMaterial are not implemented.
        .without(Flag::ImportsKeyMaterial)
        // A multi-Region key's ID is `mrk-` and a UUID with its hyphens, which `KeyId`
        // refuses (see moto/multi_region.rs).
        .without(Flag::MultiRegionKeyIds)
        // ReplicateKey of a single-Region key and UpdatePrimaryRegion fail with HTTP 500.
        .without(Flag::RefusesSingleRegionReplication)
}

/// The whole conformance suite: every check of `run_all`, with the flags above.
#[tokio::test]
async fn conformance_suite() {
    conformance::run_all(&moto().await, &moto_capabilities()).await;
}

/// The same suite through `Arc<dyn Kms>`, as applications hold a backend.
#[tokio::test]
async fn conformance_suite_through_dyn_kms() {
    let kms: std::sync::Arc<dyn Kms> = std::sync::Arc::new(moto().await);
    conformance::run_all(&*kms, &moto_capabilities()).await;
}

#[tokio::test]
async fn display_names_the_region_and_moto() {
    let kms = moto().await;
    assert_eq!(
        kms.to_string(),
        format!("AwsKms(us-east-1, {})", moto_url())
    );
}

/// A round trip through an alias: Decrypt naming the alias sends it as it is and answers
/// with the key it names.
#[tokio::test]
async fn decrypt_naming_an_alias_answers_with_its_key() {
    let kms = moto().await;
    let key = kms.create_symmetric_key("kms-aws moto test").await.unwrap();
    let key_id = KeyId::parse(&key.key_id).unwrap();
    let alias = format!("alias/kms-aws-moto-{}", key.key_id);
    kms.create_alias(CreateAliasRequest::new(alias.as_str(), key_id.clone()))
        .await
        .unwrap();
    let context = EncryptionContext::new().with("test", "alias");
    let blob = kms
        .encrypt_bytes(&alias, b"through an alias", &context)
        .await
        .unwrap();
    let request = DecryptRequest::new(blob)
        .with_key_id(KeyId::parse(&alias).unwrap())
        .with_encryption_context(context);
    let response = kms.decrypt(request).await.unwrap();
    assert_eq!(response.plaintext.expose_secret(), b"through an alias");
    assert_eq!(Some(response.key_id), key.arn);
    let request = ScheduleKeyDeletionRequest::new(key_id).with_pending_window_in_days(7u32);
    kms.schedule_key_deletion(request).await.unwrap();
}

/// moto's errors arrive as the same variants, with the service's messages.
#[tokio::test]
async fn service_errors_keep_their_message() {
    let kms = moto().await;
    let err = kms
        .describe_key(DescribeKeyRequest::new(
            KeyId::parse("alias/kms-aws-moto-does-not-exist").unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { message } if message ==
            "Alias arn:aws:kms:us-east-1:123456789012:alias/kms-aws-moto-does-not-exist is not found."),
        "{err:?}"
    );
    let err = kms
        .encrypt(EncryptRequest::new(
            KeyId::parse("1234abcd-12ab-34cd-56ef-1234567890ab").unwrap(),
            b"x",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NotFoundException", "{err:?}");
}
