//! Multi-Region keys of moto 5.2.5 through `AwsKms`: `CreateKey` with `MultiRegion` and
//! `DescribeKey`'s `MultiRegionConfiguration` read back into our types, and each way moto
//! differs from AWS KMS, pinned by a test of its own (named `moto_…`). (What `AwsKms` makes of
//! a `ReplicateKey` answer is checked against the SDK's own deserializer in
//! `tests/multi_region.rs`.)

use aws_sdk_kms::config::retry::RetryConfig;
use kms_aws::AwsKms;
use kms_core::{CreateKeyRequest, Error, KeyId, Kms, MultiRegionKeyType, ReplicateKeyRequest};

use super::{moto, moto_builder};

/// `AwsKms` on moto with retries off, so that a failure is seen as it is.
async fn moto_without_retries() -> AwsKms {
    moto_builder()
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .unwrap()
}

/// AWS gives a multi-Region key the ID `mrk-` and 32 hex digits; moto gives `mrk-` and a
/// UUID with its hyphens, which is not a key ID AWS would accept, so `KeyId` refuses it and
/// moto's multi-Region keys cannot be named through `AwsKms`.
#[tokio::test]
async fn moto_multi_region_key_ids_are_not_aws_key_ids() {
    let kms = moto().await;
    let request = CreateKeyRequest::new()
        .with_multi_region(true)
        .with_description("primary");
    let metadata = kms.create_key(request).await.unwrap().key_metadata;
    assert_eq!(metadata.multi_region, Some(true));
    let configuration = metadata.multi_region_configuration.unwrap();
    assert_eq!(
        configuration.multi_region_key_type,
        Some(MultiRegionKeyType::Primary)
    );
    let primary = configuration.primary_key.unwrap();
    assert_eq!(primary.region.as_deref(), Some("us-east-1"));
    assert_eq!(primary.arn, metadata.arn);
    assert!(configuration.replica_keys.is_empty());

    assert!(metadata.key_id.starts_with("mrk-"), "{}", metadata.key_id);
    assert_eq!(
        metadata.key_id.len(),
        "mrk-".len() + 36,
        "{}",
        metadata.key_id
    );
    let err = KeyId::parse(&metadata.key_id).unwrap_err();
    assert_eq!(err.code(), "NotFoundException");
}

/// AWS refuses to replicate a single-Region key (`UnsupportedOperationException`); moto fails
/// with HTTP 500 (a page of HTML, no exception), a backend error naming the operation.
#[tokio::test]
async fn moto_fails_to_replicate_a_single_region_key_with_http_500() {
    let kms = moto_without_retries().await;
    let key_id = kms
        .create_key(CreateKeyRequest::new())
        .await
        .unwrap()
        .key_metadata
        .key_id;
    let request = ReplicateKeyRequest::new(KeyId::parse(&key_id).unwrap(), "us-west-2".to_owned());
    let err = kms.replicate_key(request).await.unwrap_err();
    assert_http_500(&err, "ReplicateKey");
}

/// AWS's `UpdatePrimaryRegion` refuses a single-Region key; moto 5.2.5 lacks the operation:
/// HTTP 500.
#[tokio::test]
async fn moto_lacks_update_primary_region() {
    let kms = moto_without_retries().await;
    let key_id = kms
        .create_key(CreateKeyRequest::new())
        .await
        .unwrap()
        .key_metadata
        .key_id;
    let request = kms_core::UpdatePrimaryRegionRequest::new(
        KeyId::parse(&key_id).unwrap(),
        "eu-west-1".to_owned(),
    );
    let err = kms.update_primary_region(request).await.unwrap_err();
    assert_http_500(&err, "UpdatePrimaryRegion");
}

fn assert_http_500(err: &Error, operation: &str) {
    assert!(
        matches!(err, Error::Backend { .. })
            && err
                .message()
                .starts_with(&format!("{operation} failed at "))
            && err.message().contains("HTTP status 500"),
        "{operation}: {err:?}"
    );
}
