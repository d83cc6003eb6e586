//! Multi-Region keys across the Regions of one local world, as AWS keeps them: one key ID and
//! one set of materials shared by every related key, state, description, aliases, tags and
//! deletion per Region, rotation on the primary key only, transient states.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use kms_core::{
    CancelKeyDeletionRequest, CreateAliasRequest, CreateKeyRequest, DecryptRequest,
    DescribeKeyRequest, DisableKeyRequest, EnableKeyRequest, EnableKeyRotationRequest,
    EncryptRequest, EncryptionContext, Error, GenerateDataKeyRequest, GenerateMacRequest,
    GetKeyRotationStatusRequest, KeyId, KeyMetadata, KeySpec, KeyState, KeyUsage, Kms, KmsExt,
    ListKeyRotationsRequest, MacAlgorithmSpec, MultiRegionKeyType, OriginType, ReplicateKeyRequest,
    RotateKeyOnDemandRequest, ScheduleKeyDeletionRequest, SecretBytes, SignRequest,
    SigningAlgorithmSpec, Tag, UpdateKeyDescriptionRequest, UpdatePrimaryRegionRequest,
    VerifyMacRequest, VerifyRequest,
};
use kms_local::LocalKms;

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

const DAY: u64 = 24 * 60 * 60;

/// A clock tests move by hand, starting at a fixed date.
#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn new() -> Self {
        Self(Arc::new(AtomicU64::new(1_800_000_000)))
    }
    fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
    fn builder(&self) -> kms_local::LocalKmsBuilder {
        let now = Arc::clone(&self.0);
        LocalKms::builder()
            .clock(move || SystemTime::UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst)))
    }
}

async fn describe(kms: &LocalKms, id: &str) -> KeyMetadata {
    kms.describe_key(DescribeKeyRequest::new(key_id(id)))
        .await
        .unwrap()
        .key_metadata
}

async fn create_primary(kms: &LocalKms, request: CreateKeyRequest) -> KeyMetadata {
    kms.create_key(request.with_multi_region(true))
        .await
        .unwrap()
        .key_metadata
}

async fn replicate(kms: &LocalKms, id: &str, region: &str) -> KeyMetadata {
    kms.replicate_key(ReplicateKeyRequest::new(key_id(id), region))
        .await
        .unwrap()
        .replica_key_metadata
        .unwrap()
}

fn arn(region: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/{id}")
}

#[tokio::test]
async fn a_multi_region_key_has_an_mrk_id_and_describes_its_set() {
    let kms = LocalKms::new();
    let key = create_primary(&kms, CreateKeyRequest::new()).await;
    let hex = key.key_id.strip_prefix("mrk-").unwrap();
    assert_eq!(hex.len(), 32);
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(key.multi_region, Some(true));
    let config = key.multi_region_configuration.unwrap();
    assert_eq!(
        config.multi_region_key_type,
        Some(MultiRegionKeyType::Primary)
    );
    let primary = config.primary_key.unwrap();
    assert_eq!(
        primary.arn.as_deref(),
        Some(&*arn("us-east-1", &key.key_id))
    );
    assert_eq!(primary.region.as_deref(), Some("us-east-1"));
    assert!(config.replica_keys.is_empty());

    let single = kms.create_symmetric_key("single").await.unwrap();
    assert_eq!(single.multi_region, Some(false));
    assert!(single.multi_region_configuration.is_none());
}

#[tokio::test]
async fn every_kind_of_key_can_be_multi_region_and_works_in_every_region() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();

    let hmac = CreateKeyRequest::new()
        .with_key_spec(KeySpec::Hmac256)
        .with_key_usage(KeyUsage::GenerateVerifyMac);
    let hmac = create_primary(&east, hmac).await;
    replicate(&east, &hmac.key_id, "us-west-2").await;
    let mac = east
        .generate_mac(GenerateMacRequest::new(
            b"message",
            key_id(&hmac.key_id),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await
        .unwrap();
    let verified = west
        .verify_mac(VerifyMacRequest::new(
            b"message",
            key_id(&hmac.key_id),
            MacAlgorithmSpec::HmacSha256,
            mac.mac,
        ))
        .await
        .unwrap();
    assert_eq!(verified.key_id, arn("us-west-2", &hmac.key_id));

    let ecc = CreateKeyRequest::new()
        .with_key_spec(KeySpec::EccNistP256)
        .with_key_usage(KeyUsage::SignVerify);
    let ecc = create_primary(&east, ecc).await;
    replicate(&east, &ecc.key_id, "us-west-2").await;
    let signed = west
        .sign(SignRequest::new(
            key_id(&ecc.key_id),
            b"message",
            SigningAlgorithmSpec::EcdsaSha256,
        ))
        .await
        .unwrap();
    let verified = east
        .verify(VerifyRequest::new(
            key_id(&ecc.key_id),
            b"message",
            signed.signature,
            SigningAlgorithmSpec::EcdsaSha256,
        ))
        .await
        .unwrap();
    assert_eq!(verified.key_id, arn("us-east-1", &ecc.key_id));

    let rsa = CreateKeyRequest::new()
        .with_key_spec(KeySpec::Rsa2048)
        .with_key_usage(KeyUsage::EncryptDecrypt);
    let rsa = create_primary(&east, rsa).await;
    let replica = replicate(&east, &rsa.key_id, "us-west-2").await;
    assert_eq!(replica.key_spec, Some(KeySpec::Rsa2048));
}

#[tokio::test]
async fn replicate_key_makes_a_creating_replica_with_its_own_description_and_tags() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(
        &east,
        CreateKeyRequest::new().with_description("the primary's"),
    )
    .await;
    let response = east
        .replicate_key(
            ReplicateKeyRequest::new(key_id(&key.key_id), "us-west-2")
                .with_tags(vec![Tag::new("team", "west")]),
        )
        .await
        .unwrap();
    let replica = response.replica_key_metadata.unwrap();
    assert_eq!(replica.key_id, key.key_id);
    assert_eq!(
        replica.arn.as_deref(),
        Some(&*arn("us-west-2", &key.key_id))
    );
    assert_eq!(replica.key_state, Some(KeyState::Creating));
    assert!(!replica.enabled);
    assert_eq!(replica.description.as_deref(), Some(""));
    assert_eq!(response.replica_tags, vec![Tag::new("team", "west")]);
    let policy = response.replica_policy.unwrap();
    assert!(
        policy.contains(r#""AWS" : "arn:aws:iam::111122223333:root""#),
        "{policy}"
    );
    assert!(policy.contains(r#""Id" : "key-default-1""#), "{policy}");

    // Settled at once by default.
    let replica = describe(&west, &key.key_id).await;
    assert_eq!(replica.key_state, Some(KeyState::Enabled));
    assert!(replica.enabled);
    let config = replica.multi_region_configuration.unwrap();
    assert_eq!(
        config.multi_region_key_type,
        Some(MultiRegionKeyType::Replica)
    );
    assert_eq!(config.replica_keys.len(), 1);
    assert_eq!(config.replica_keys[0].region.as_deref(), Some("us-west-2"));

    let primary = describe(&east, &key.key_id).await;
    let config = primary.multi_region_configuration.unwrap();
    assert_eq!(
        config.multi_region_key_type,
        Some(MultiRegionKeyType::Primary)
    );
    let replicas: Vec<_> = config
        .replica_keys
        .iter()
        .map(|replica| replica.arn.clone().unwrap())
        .collect();
    assert_eq!(replicas, [arn("us-west-2", &key.key_id)]);
    assert_eq!(primary.description.as_deref(), Some("the primary's"));
}

#[tokio::test]
async fn replicate_key_refuses_what_aws_refuses() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;

    let err = east
        .replicate_key(ReplicateKeyRequest::new(key_id(&key.key_id), "us-west-2"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");

    let err = west
        .replicate_key(ReplicateKeyRequest::new(key_id(&key.key_id), "eu-west-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert_eq!(
        err.message(),
        format!(
            "{} is not a multi-region primary key.",
            arn("us-west-2", &key.key_id)
        )
    );

    let single = east.create_symmetric_key("single").await.unwrap();
    let err = east
        .replicate_key(ReplicateKeyRequest::new(
            key_id(&single.key_id),
            "eu-west-1",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");

    let err = east
        .replicate_key(ReplicateKeyRequest::new(key_id(&key.key_id), "Mars"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    assert!(err.message().contains("replicaRegion"), "{err}");
    let ireland = east.for_region("eu-west-1").unwrap();
    assert_eq!(ireland.key_count(), 0);

    // A Region without a replica knows nothing of the key: its bare ID names that Region's.
    let err = ireland
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(
        err.message(),
        format!("Key '{}' does not exist", arn("eu-west-1", &key.key_id))
    );
}

#[tokio::test]
async fn a_ciphertext_decrypts_in_every_region_naming_that_regions_key() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;
    let context = EncryptionContext::new().with("purpose", "dr");

    let blob = east
        .encrypt_bytes(&key.key_id, b"here", &context)
        .await
        .unwrap();
    assert_eq!(blob[0], 2, "the blob version of a multi-Region key");
    let west_arn = arn("us-west-2", &key.key_id);
    let decrypted = west
        .decrypt(
            DecryptRequest::new(blob.clone())
                .with_encryption_context(context.clone())
                .with_key_id(key_id(&west_arn)),
        )
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext.expose_secret(), b"here");
    assert_eq!(decrypted.key_id, west_arn);

    // The other Region's ARN names no key here.
    let err = west
        .decrypt(
            DecryptRequest::new(blob)
                .with_encryption_context(context.clone())
                .with_key_id(key_id(&arn("us-east-1", &key.key_id))),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.message(), "Invalid arn us-east-1");

    // And back: a data key made in the replica's Region opens in the primary's.
    let data_key = west
        .generate_data_key(
            GenerateDataKeyRequest::new(key_id(&key.key_id))
                .with_number_of_bytes(32u32)
                .with_encryption_context(context.clone()),
        )
        .await
        .unwrap();
    let opened = east
        .decrypt(DecryptRequest::new(data_key.ciphertext_blob).with_encryption_context(context))
        .await
        .unwrap();
    assert_eq!(
        opened.plaintext.expose_secret(),
        data_key.plaintext.expose_secret()
    );
    assert_eq!(opened.key_id, arn("us-east-1", &key.key_id));

    // A Region without a related key knows nothing of it.
    let err = east
        .for_region("eu-west-1")
        .unwrap()
        .decrypt(DecryptRequest::new(
            east.encrypt_bytes(&key.key_id, b"x", &EncryptionContext::new())
                .await
                .unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
}

#[tokio::test]
async fn state_description_aliases_and_tags_are_per_region() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;

    west.disable_key(DisableKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    west.update_key_description(UpdateKeyDescriptionRequest::new(
        key_id(&key.key_id),
        "west",
    ))
    .await
    .unwrap();
    west.create_alias(CreateAliasRequest::new("alias/dr", key_id(&key.key_id)))
        .await
        .unwrap();

    let (here, there) = (
        describe(&east, &key.key_id).await,
        describe(&west, &key.key_id).await,
    );
    assert_eq!(here.key_state, Some(KeyState::Enabled));
    assert_eq!(there.key_state, Some(KeyState::Disabled));
    assert_eq!(here.description.as_deref(), Some(""));
    assert_eq!(there.description.as_deref(), Some("west"));
    let err = east
        .encrypt(EncryptRequest::new(key_id("alias/dr"), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = west
        .encrypt(EncryptRequest::new(key_id("alias/dr"), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Disabled { .. }), "{err}");
    east.encrypt(EncryptRequest::new(key_id(&key.key_id), b"x"))
        .await
        .unwrap();
}

/// The key material IDs `ListKeyRotations` lists for `id` with every material.
async fn material_ids(kms: &LocalKms, id: &str) -> Vec<String> {
    kms.list_key_rotations(
        ListKeyRotationsRequest::new(key_id(id))
            .with_include_key_material(kms_core::IncludeKeyMaterial::AllKeyMaterial),
    )
    .await
    .unwrap()
    .rotations
    .into_iter()
    .map(|entry| entry.key_material_id.unwrap())
    .collect()
}

#[tokio::test]
async fn rotation_is_made_on_the_primary_and_shows_in_every_replica_at_once() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;

    let err = west
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let err = west
        .enable_key_rotation(EnableKeyRotationRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");

    east.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    let materials = material_ids(&east, &key.key_id).await;
    assert_eq!(materials.len(), 2);
    assert_eq!(material_ids(&west, &key.key_id).await, materials);
    let (here, there) = (
        describe(&east, &key.key_id).await,
        describe(&west, &key.key_id).await,
    );
    assert_eq!(here.current_key_material_id.as_ref(), Some(&materials[1]));
    assert_eq!(there.current_key_material_id, here.current_key_material_id);

    // A blob made after the rotation in the replica's Region opens in the primary's.
    let blob = west
        .encrypt(EncryptRequest::new(key_id(&key.key_id), b"rotated"))
        .await
        .unwrap()
        .ciphertext_blob;
    let opened = east.decrypt(DecryptRequest::new(blob)).await.unwrap();
    assert_eq!(opened.key_material_id.as_ref(), Some(&materials[1]));
    assert_eq!(opened.plaintext.expose_secret(), b"rotated");
}

#[tokio::test]
async fn automatic_rotation_is_the_same_in_every_region() {
    let clock = TestClock::new();
    let east = clock.builder().build().unwrap();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;
    east.enable_key_rotation(
        EnableKeyRotationRequest::new(key_id(&key.key_id)).with_rotation_period_in_days(90u32),
    )
    .await
    .unwrap();
    let status = west
        .get_key_rotation_status(GetKeyRotationStatusRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    assert!(status.key_rotation_enabled);
    assert_eq!(status.rotation_period_in_days, Some(90));

    // The replica's Region rotates first (it is asked first), to the same material.
    clock.advance(91 * DAY);
    let west_materials = material_ids(&west, &key.key_id).await;
    assert_eq!(west_materials.len(), 2);
    assert_eq!(material_ids(&east, &key.key_id).await, west_materials);
    let blob = east
        .encrypt(EncryptRequest::new(key_id(&key.key_id), b"later"))
        .await
        .unwrap()
        .ciphertext_blob;
    let opened = west.decrypt(DecryptRequest::new(blob)).await.unwrap();
    assert_eq!(opened.plaintext.expose_secret(), b"later");
}

#[tokio::test]
async fn update_primary_region_swaps_the_roles_through_updating() {
    let clock = TestClock::new();
    let east = clock
        .builder()
        .settle_after(Duration::from_secs(60))
        .build()
        .unwrap();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;
    clock.advance(60);

    let err = west
        .update_primary_region(UpdatePrimaryRegionRequest::new(
            key_id(&key.key_id),
            "us-east-1",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");

    east.update_primary_region(UpdatePrimaryRegionRequest::new(
        key_id(&key.key_id),
        "us-west-2",
    ))
    .await
    .unwrap();
    for kms in [&east, &west] {
        let metadata = describe(kms, &key.key_id).await;
        assert_eq!(metadata.key_state, Some(KeyState::Updating));
        assert!(!metadata.enabled);
        // Cryptography works while Updating; management does not.
        kms.encrypt(EncryptRequest::new(key_id(&key.key_id), b"x"))
            .await
            .unwrap();
        let err = kms
            .disable_key(DisableKeyRequest::new(key_id(&key.key_id)))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidState { .. }), "{err}");
    }

    clock.advance(60);
    let west_config = describe(&west, &key.key_id)
        .await
        .multi_region_configuration
        .unwrap();
    assert_eq!(
        west_config.multi_region_key_type,
        Some(MultiRegionKeyType::Primary)
    );
    let east_metadata = describe(&east, &key.key_id).await;
    assert_eq!(east_metadata.key_state, Some(KeyState::Enabled));
    let east_config = east_metadata.multi_region_configuration.unwrap();
    assert_eq!(
        east_config.multi_region_key_type,
        Some(MultiRegionKeyType::Replica)
    );
    assert_eq!(
        east_config.primary_key.unwrap().arn,
        Some(arn("us-west-2", &key.key_id))
    );
    // Rotation now belongs to the new primary.
    west.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    let err = east
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

#[tokio::test]
async fn update_primary_region_needs_both_keys_enabled() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;
    west.disable_key(DisableKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    let update = || UpdatePrimaryRegionRequest::new(key_id(&key.key_id), "us-west-2");
    let err = east.update_primary_region(update()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err}");
    west.enable_key(EnableKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    east.update_primary_region(update()).await.unwrap();

    let err = west
        .update_primary_region(UpdatePrimaryRegionRequest::new(
            key_id(&key.key_id),
            "eu-west-1",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn a_creating_replica_refuses_cryptography_until_it_settles() {
    let clock = TestClock::new();
    let east = clock
        .builder()
        .settle_after(Duration::from_secs(30))
        .build()
        .unwrap();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;

    let err = west
        .encrypt(EncryptRequest::new(key_id(&key.key_id), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err}");
    assert_eq!(err.code(), "KMSInvalidStateException");
    assert_eq!(
        describe(&west, &key.key_id).await.key_state,
        Some(KeyState::Creating)
    );

    clock.advance(30);
    west.encrypt(EncryptRequest::new(key_id(&key.key_id), b"x"))
        .await
        .unwrap();
    assert_eq!(
        describe(&west, &key.key_id).await.key_state,
        Some(KeyState::Enabled)
    );
}

#[tokio::test]
async fn a_replica_of_imported_material_is_pending_import() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(
        &east,
        CreateKeyRequest::new().with_origin(OriginType::External),
    )
    .await;
    let replica = replicate(&east, &key.key_id, "us-west-2").await;
    assert_eq!(replica.origin, Some(OriginType::External));
    assert_eq!(
        describe(&west, &key.key_id).await.key_state,
        Some(KeyState::PendingImport)
    );
}

#[tokio::test]
async fn a_primary_waits_in_pending_replica_deletion_for_its_replicas() {
    let clock = TestClock::new();
    let east = clock.builder().build().unwrap();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;

    let scheduled = east
        .schedule_key_deletion(
            ScheduleKeyDeletionRequest::new(key_id(&key.key_id)).with_pending_window_in_days(7u32),
        )
        .await
        .unwrap();
    assert_eq!(scheduled.key_state, Some(KeyState::PendingReplicaDeletion));
    assert_eq!(scheduled.deletion_date, None);
    let primary = describe(&east, &key.key_id).await;
    assert_eq!(primary.key_state, Some(KeyState::PendingReplicaDeletion));
    let err = east
        .encrypt(EncryptRequest::new(key_id(&key.key_id), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err}");
    let err = east
        .replicate_key(ReplicateKeyRequest::new(key_id(&key.key_id), "eu-west-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err}");

    // The replica is deleted after its own window; the primary's window starts then.
    clock.advance(DAY);
    west.schedule_key_deletion(
        ScheduleKeyDeletionRequest::new(key_id(&key.key_id)).with_pending_window_in_days(10u32),
    )
    .await
    .unwrap();
    clock.advance(10 * DAY);
    let err = west
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let primary = describe(&east, &key.key_id).await;
    assert_eq!(primary.key_state, Some(KeyState::PendingDeletion));
    assert!(
        primary
            .multi_region_configuration
            .unwrap()
            .replica_keys
            .is_empty()
    );
    let replica_gone = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + 11 * DAY);
    assert_eq!(
        primary.deletion_date,
        Some(replica_gone + Duration::from_secs(7 * DAY))
    );

    clock.advance(7 * DAY);
    let err = east
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn cancelling_a_replicas_deletion_keeps_its_primary_waiting() {
    let clock = TestClock::new();
    let east = clock.builder().build().unwrap();
    let west = east.for_region("us-west-2").unwrap();
    let key = create_primary(&east, CreateKeyRequest::new()).await;
    replicate(&east, &key.key_id, "us-west-2").await;
    let schedule =
        || ScheduleKeyDeletionRequest::new(key_id(&key.key_id)).with_pending_window_in_days(7u32);
    east.schedule_key_deletion(schedule()).await.unwrap();
    west.schedule_key_deletion(schedule()).await.unwrap();
    west.cancel_key_deletion(CancelKeyDeletionRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    clock.advance(30 * DAY);
    assert_eq!(
        describe(&east, &key.key_id).await.key_state,
        Some(KeyState::PendingReplicaDeletion)
    );
    assert_eq!(
        describe(&west, &key.key_id).await.key_state,
        Some(KeyState::Disabled)
    );
    east.cancel_key_deletion(CancelKeyDeletionRequest::new(key_id(&key.key_id)))
        .await
        .unwrap();
    assert_eq!(
        describe(&east, &key.key_id).await.key_state,
        Some(KeyState::Disabled)
    );
}

#[tokio::test]
async fn a_durable_world_keeps_one_set_of_materials_across_reopening() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("world");
    let clock = TestClock::new();
    let open = || {
        clock
            .builder()
            .path(&dir)
            .root_key(SecretBytes::from(&[5u8; 32]))
            .build()
            .unwrap()
    };
    let (id, blob) = {
        let east = open();
        let key = create_primary(&east, CreateKeyRequest::new()).await;
        replicate(&east, &key.key_id, "us-west-2").await;
        replicate(&east, &key.key_id, "eu-west-1").await;
        east.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
            .await
            .unwrap();
        east.enable_key_rotation(
            EnableKeyRotationRequest::new(key_id(&key.key_id)).with_rotation_period_in_days(90u32),
        )
        .await
        .unwrap();
        let blob = east
            .encrypt(EncryptRequest::new(key_id(&key.key_id), b"kept"))
            .await
            .unwrap()
            .ciphertext_blob;
        (key.key_id, blob)
    };
    clock.advance(91 * DAY);
    let east = open();
    let materials = material_ids(&east, &id).await;
    assert_eq!(materials.len(), 3, "the original, on demand, automatic");
    for region in ["us-west-2", "eu-west-1"] {
        let replica = east.for_region(region).unwrap();
        assert_eq!(material_ids(&replica, &id).await, materials, "{region}");
        let opened = replica
            .decrypt(DecryptRequest::new(blob.clone()))
            .await
            .unwrap();
        assert_eq!(opened.plaintext.expose_secret(), b"kept");
        assert_eq!(opened.key_id, arn(region, &id));
        let config = describe(&replica, &id)
            .await
            .multi_region_configuration
            .unwrap();
        assert_eq!(config.replica_keys.len(), 2);
    }
}
