//! Multi-Region keys of moto 5.2.5 through `AwsKms`: `CreateKey` with `MultiRegion`,
//! `ReplicateKey` (its answer and `DescribeKey`'s `MultiRegionConfiguration`, read back into our
//! types), a replica used through a second `AwsKms` bound to the replica's Region, and the ways
//! moto differs from AWS KMS, each pinned by a test of its own (named `moto_…`).

use aws_sdk_kms::config::retry::RetryConfig;
use kms_aws::AwsKms;
use kms_core::{
    CreateKeyRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, Error, KeyId, Kms,
    MultiRegionKeyType, ReplicateKeyRequest, Tag, UpdatePrimaryRegionRequest,
};

use super::{moto, moto_builder};

/// An `AwsKms` on the same moto, bound to `region`, as an SDK client is.
async fn moto_in(region: &str) -> AwsKms {
    moto_builder().with_region(region).build().await.unwrap()
}

/// A new multi-Region primary key in us-east-1, and its key ID.
async fn primary(kms: &AwsKms) -> String {
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
    assert_eq!(
        configuration
            .primary_key
            .and_then(|key| key.region)
            .as_deref(),
        Some("us-east-1")
    );
    assert!(metadata.key_id.starts_with("mrk-"), "{}", metadata.key_id);
    metadata.key_id
}

#[tokio::test]
async fn a_replica_decrypts_what_its_primary_encrypted() {
    let east = moto().await;
    let key_id = primary(&east).await;
    let id = KeyId::parse(&key_id).unwrap();

    let request = ReplicateKeyRequest::new(id.clone(), "us-west-2".to_owned())
        .with_description("replica")
        .with_tags(vec![Tag::new("team".to_owned(), "blue".to_owned())]);
    let replicated = east.replicate_key(request).await.unwrap();
    let replica = replicated.replica_key_metadata.unwrap();
    assert_eq!(replica.key_id, key_id, "related keys share their key ID");
    let replica_arn = replica.arn.unwrap();
    assert_eq!(
        replica_arn,
        format!("arn:aws:kms:us-west-2:123456789012:key/{key_id}")
    );
    assert!(replicated.replica_policy.is_some());

    let described = east
        .describe_key(DescribeKeyRequest::new(id.clone()))
        .await
        .unwrap()
        .key_metadata;
    let configuration = described.multi_region_configuration.unwrap();
    let regions: Vec<_> = configuration
        .replica_keys
        .iter()
        .filter_map(|key| key.region.as_deref())
        .collect();
    assert_eq!(regions, ["us-west-2"]);

    let blob = east
        .encrypt(EncryptRequest::new(id.clone(), &b"across regions"[..]))
        .await
        .unwrap()
        .ciphertext_blob;
    let west = moto_in("us-west-2").await;
    let decrypted = west.decrypt(DecryptRequest::new(blob)).await.unwrap();
    assert_eq!(decrypted.plaintext.expose_secret(), b"across regions");
    assert_eq!(
        decrypted.key_id, replica_arn,
        "the replica answers, by its ARN"
    );
}

/// AWS refuses to replicate a single-Region key (`UnsupportedOperationException`); moto copies
/// it into the other Region.
#[tokio::test]
async fn moto_replicates_single_region_keys() {
    let kms = moto().await;
    let key_id = kms
        .create_key(CreateKeyRequest::new())
        .await
        .unwrap()
        .key_metadata
        .key_id;
    let request = ReplicateKeyRequest::new(KeyId::parse(&key_id).unwrap(), "us-west-2".to_owned());
    let replica = kms
        .replicate_key(request)
        .await
        .unwrap()
        .replica_key_metadata
        .unwrap();
    assert_eq!(replica.multi_region, Some(false));
    assert_eq!(replica.key_id, key_id);
}

/// AWS's `UpdatePrimaryRegion` answers nothing; moto 5.2.5 lacks it: HTTP 500, a backend error
/// naming the operation and the status.
#[tokio::test]
async fn moto_lacks_update_primary_region() {
    let kms = moto_builder()
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .unwrap();
    let key_id = primary(&kms).await;
    let id = KeyId::parse(&key_id).unwrap();
    kms.replicate_key(ReplicateKeyRequest::new(id.clone(), "eu-west-1".to_owned()))
        .await
        .unwrap();
    let err = kms
        .update_primary_region(UpdatePrimaryRegionRequest::new(id, "eu-west-1".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Backend { .. }) && err.message().contains("HTTP status 500"),
        "{err}"
    );
}
