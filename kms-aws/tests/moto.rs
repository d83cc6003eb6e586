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
use kms_aws::AwsKms;
use kms_core::conformance::{self, Capabilities};
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

/// An `AwsKms` talking to moto, with moto's dummy credentials and nothing read from the
/// machine's AWS configuration.
async fn moto() -> AwsKms {
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
        .build()
        .await
        .unwrap()
}

/// What moto 5.2.5 does otherwise than AWS KMS, one flag per behaviour. Every other check
/// of the suite runs as it does against AWS. (Each flag was confirmed by switching it back
/// on: the suite then fails on moto 5.2.5 as described.)
fn moto_capabilities() -> Capabilities {
    Capabilities::aws()
        // moto 5.2.5 enforces no key state: a Disabled key or one pending deletion still
        // encrypts, decrypts, rotates and is managed; CancelKeyDeletion of a key that is not
        // pending deletion succeeds.
        .with_enforces_key_state(false)
        // moto 5.2.5 sends no EncryptionAlgorithm in Encrypt, Decrypt and ReEncrypt answers.
        .with_returns_encryption_algorithm(false)
        // moto 5.2.5 has no key material IDs: no CurrentKeyMaterialId, no KeyMaterialId.
        .with_reports_key_material_ids(false)
        // moto 5.2.5 answers Decrypt with the KeyId of another key with AccessDeniedException
        // (the ReEncrypt case, which moto does not check, is caught by AwsKms's own check
        // of the key the service used, and runs).
        .with_enforces_incorrect_key(false)
        // moto 5.2.5 ignores Limit in ListKeys and always answers Truncated false.
        .with_pages_list_keys(false)
        // moto 5.2.5 accepts a Limit of 0 in ListKeys and ListAliases, and any Marker.
        .with_validates_list_limits(false)
        // moto 5.2.5 answers ScheduleKeyDeletion outside 7..30 days with no deletion at all,
        // not ValidationException.
        .with_validates_deletion_window(false)
        // moto 5.2.5 never changes key material on RotateKeyOnDemand, and lists rotations
        // without KeyMaterialId and with the KeyId as sent.
        .with_rotates_key_material(false)
        // moto 5.2.5 has no limit of 25 on-demand rotations.
        .with_enforces_on_demand_rotation_limit(false)
        // moto 5.2.5 echoes the key identifier it was sent (a key ID, not the ARN) in
        // CancelKeyDeletion, ScheduleKeyDeletion and RotateKeyOnDemand, and sends no KeyId in
        // GetKeyRotationStatus.
        .with_returns_key_arns(false)
        // moto 5.2.5 sends KeyUsage and MultiRegion as null and SigningAlgorithms as [] for a
        // default symmetric key, no PendingDeletionWindowInDays, and no KeyState or
        // PendingWindowInDays in the ScheduleKeyDeletion answer.
        .with_complete_key_metadata(false)
        // moto 5.2.5 ignores RotationPeriodInDays; GetKeyRotationStatus reports neither it
        // nor NextRotationDate.
        .with_rotation_periods(false)
        // moto 5.2.5 lists aliases without CreationDate and LastUpdatedDate.
        .with_reports_alias_dates(false)
        // moto 5.2.5 lists tags in the order they were added, and ignores Limit.
        .with_pages_list_resource_tags(false)
        // moto 5.2.5 ignores Limit in ListAliases.
        .with_pages_list_aliases(false)
        // moto 5.2.5 fails ScheduleKeyDeletion of a key named by its ARN with HTTP 500 (it
        // looks the ARN up as a key ID).
        .with_accepts_key_arns(false)
        // moto 5.2.5 takes a key ARN of another region for the key with that ID here.
        .with_checks_arn_region(false)
        // moto 5.2.5 checks few model constraints: it accepts HMAC_256 without KeyUsage,
        // 257-character alias names and both KeySpec and NumberOfBytes, answers an empty
        // ciphertext with InvalidCiphertextException, GenerateRandom without NumberOfBytes
        // with HTTP 500 and with 0 bytes with an empty answer, and words the messages of
        // CreateAlias without `alias/` and of NumberOfBytes 0 otherwise.
        .with_validates_inputs(false)
        // moto 5.2.5 accepts 51 tags, and aliases under `alias/aws/`.
        .with_validates_tags_and_alias_names(false)
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
