//! Checks of multi-Region keys that one backend, bound to one Region, can make: the key a
//! `CreateKey` with `MultiRegion` makes, and the refusals of `ReplicateKey` and
//! `UpdatePrimaryRegion`. (Replicating creates a key in another Region that the suite's
//! clean-up, bound to this Region, could not delete; the local backend's own tests replicate.)

use super::capabilities::{Capabilities, Flag};
use super::support::{Expected, Key, Session, UNSUPPORTED, VALIDATION, describe, expect_err, ok};
use crate::{
    CreateKeyRequest, KeySpec, KeyUsage, Kms, MultiRegionKeyType, ReplicateKeyRequest,
    UpdatePrimaryRegionRequest,
};

/// CreateKey with `MultiRegion` makes a multi-Region primary key of every kind (symmetric,
/// HMAC, asymmetric): a key ID of `mrk-` and 32 lowercase hex digits, `MultiRegion` true and
/// a `MultiRegionConfiguration` naming it the `PRIMARY` key, in its Region, without replicas;
/// DescribeKey says the same.
pub async fn multi_region_keys(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let requests = [
        ("symmetric", CreateKeyRequest::new()),
        (
            "HMAC",
            CreateKeyRequest::new()
                .with_key_spec(KeySpec::Hmac256)
                .with_key_usage(KeyUsage::GenerateVerifyMac),
        ),
        (
            "asymmetric",
            CreateKeyRequest::new()
                .with_key_spec(KeySpec::EccNistP256)
                .with_key_usage(KeyUsage::SignVerify),
        ),
    ];
    for (kind, request) in requests {
        let what = format!("CreateKey of a {kind} multi-Region key");
        let check = async {
            let request = request.with_multi_region(true);
            let created = ok(session.try_create(request).await, &what);
            assert_primary(&created, &what);
            let described = describe(kms, &Key::from_metadata(&created).by_id()).await;
            assert_primary(&described, &format!("DescribeKey after {what}"));
        };
        caps.gate(Flag::MultiRegionKeyIds, &what, check).await;
    }
    session.finish().await;
}

/// Panics unless `metadata` is that of a multi-Region primary key without replicas.
fn assert_primary(metadata: &crate::KeyMetadata, what: &str) {
    let hex = metadata.key_id.strip_prefix("mrk-").unwrap_or_default();
    assert!(
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{what}: expected a KeyId of mrk- and 32 lowercase hex digits, got {}",
        metadata.key_id
    );
    assert_eq!(
        metadata.multi_region,
        Some(true),
        "{what}: expected MultiRegion"
    );
    let key = Key::from_metadata(metadata);
    let region = key.parsed_arn().region().to_owned();
    let configuration = metadata
        .multi_region_configuration
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: expected a MultiRegionConfiguration"));
    let primary = configuration.primary_key.as_ref();
    assert_eq!(
        (
            configuration.multi_region_key_type.clone(),
            primary.and_then(|primary| primary.arn.clone()),
            primary.and_then(|primary| primary.region.clone()),
            configuration.replica_keys.len(),
        ),
        (
            Some(MultiRegionKeyType::Primary),
            metadata.arn.clone(),
            Some(region),
            0
        ),
        "{what}: expected (MultiRegionKeyType, PrimaryKey ARN, PrimaryKey Region, number of \
         ReplicaKeys) of a new primary key"
    );
}

/// ReplicateKey and UpdatePrimaryRegion refuse a single-Region key with
/// `UnsupportedOperationException`, and a Region that is not a Region name with
/// `ValidationException`.
pub async fn multi_region_refusals(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let elsewhere = if key.parsed_arn().region() == "eu-north-1" {
        "eu-west-3"
    } else {
        "eu-north-1"
    };
    let what = "ReplicateKey of a single-Region key";
    let replicate = async {
        let request = ReplicateKeyRequest::new(key.by_id(), elsewhere);
        expect_err(
            kms.replicate_key(request).await,
            what,
            Expected::code(UNSUPPORTED),
        );
        let what = "UpdatePrimaryRegion of a single-Region key";
        let request = UpdatePrimaryRegionRequest::new(key.by_id(), elsewhere);
        expect_err(
            kms.update_primary_region(request).await,
            what,
            Expected::code(UNSUPPORTED),
        );
        let request = ReplicateKeyRequest::new(key.by_id(), "Mars");
        expect_err(
            kms.replicate_key(request).await,
            "ReplicateKey to a Region that is not a Region name",
            Expected::code(VALIDATION),
        );
    };
    caps.gate(Flag::RefusesSingleRegionReplication, what, replicate)
        .await;
    session.finish().await;
}
