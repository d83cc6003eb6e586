//! What only the local backend can show: its blob format, its clock, its refusals of what it
//! does not implement, and parallel use.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use kms_core::{
    CreateAliasRequest, CreateKeyRequest, DecryptRequest, DescribeKeyRequest, DisableKeyRequest,
    DisableKeyRotationRequest, EnableKeyRequest, EnableKeyRotationRequest, EncryptRequest,
    EncryptionContext, Error, GetKeyRotationStatusRequest, KeyId, KeySpec, KeyUsage, Kms, KmsExt,
    ListAliasesRequest, ListKeyRotationsRequest, RotateKeyOnDemandRequest, RotationType,
    ScheduleKeyDeletionRequest,
};
use kms_local::LocalKms;

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_blob_from_another_backend_names_a_key_that_does_not_exist_here() {
    let (here, elsewhere) = (LocalKms::new(), LocalKms::new());
    let key = elsewhere.create_symmetric_key("elsewhere").await.unwrap();
    let context = EncryptionContext::new();
    let blob = elsewhere
        .encrypt_bytes(&key.key_id, b"data", &context)
        .await
        .unwrap();

    let err = here.decrypt_bytes(&blob, &context).await.unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
    assert_eq!(
        err.message(),
        "The ciphertext refers to a customer master key that does not exist, does not exist in \
         this region, or you are not allowed to access."
    );
}

#[tokio::test]
async fn the_blob_is_self_describing_and_small() {
    let kms = LocalKms::new();
    let key = kms.create_symmetric_key("layout").await.unwrap();
    let blob = kms
        .encrypt_bytes(&key.key_id, &[0u8; 4096], &EncryptionContext::new())
        .await
        .unwrap();
    assert_eq!(blob[0], 1, "format version");
    let uuid = uuid::Uuid::parse_str(&key.key_id).unwrap();
    assert_eq!(&blob[1..17], uuid.as_bytes(), "key ID");
    let material = key.current_key_material_id.unwrap();
    assert_eq!(hex(&blob[17..49]), material, "key material ID");
    assert_eq!(blob.len(), 61 + 4096 + 16);
    assert!(blob.len() <= 6144);
}

#[tokio::test]
async fn specs_not_implemented_yet_are_refused_by_name() {
    // SM2 exists in the China regions only, and there the local backend lacks it.
    let kms = LocalKms::builder().region("cn-north-1").build().unwrap();
    let request = CreateKeyRequest::new()
        .with_key_spec(KeySpec::Sm2)
        .with_key_usage(KeyUsage::SignVerify);
    let err = kms.create_key(request).await.unwrap_err();
    assert!(matches!(err, Error::NotImplemented { .. }), "{err}");
    assert_eq!(err.code(), "NotImplemented", "never an AWS exception");
    assert!(err.message().contains("SM2"), "{err}");
    assert_eq!(kms.key_count(), 0);
}

#[tokio::test]
async fn a_key_is_gone_when_its_deletion_window_has_passed() {
    let now = Arc::new(AtomicU64::new(1_800_000_000));
    let clock = Arc::clone(&now);
    let kms = LocalKms::builder()
        .clock(move || SystemTime::UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst)))
        .build()
        .unwrap();
    let key = kms.create_symmetric_key("short-lived").await.unwrap();
    let context = EncryptionContext::new();
    let blob = kms
        .encrypt_bytes(&key.key_id, b"data", &context)
        .await
        .unwrap();
    let alias = CreateAliasRequest::new("alias/short-lived", key_id(&key.key_id));
    kms.create_alias(alias).await.unwrap();
    let schedule =
        ScheduleKeyDeletionRequest::new(key_id(&key.key_id)).with_pending_window_in_days(7u32);
    kms.schedule_key_deletion(schedule).await.unwrap();

    now.fetch_add(7 * 24 * 3600 - 1, Ordering::SeqCst);
    let described = kms
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await;
    assert!(described.is_ok(), "still there one second before the date");

    now.fetch_add(1, Ordering::SeqCst);
    let err = kms
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    let arn = key.arn.unwrap();
    assert_eq!(err.message(), format!("Key '{arn}' does not exist"));
    let err = kms.decrypt(DecryptRequest::new(blob)).await.unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
    let err = kms
        .encrypt(EncryptRequest::new(key_id("alias/short-lived"), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    // The next write purges the key for good, and its alias with it.
    kms.create_symmetric_key("next").await.unwrap();
    assert_eq!(kms.key_count(), 1);
    let aliases = kms.list_aliases(ListAliasesRequest::new()).await.unwrap();
    assert!(aliases.aliases.is_empty());
}

const DAY: u64 = 24 * 3600;

/// The dates of the key's automatic rotations, in seconds from the epoch.
async fn automatic_rotations(kms: &LocalKms, key: &str) -> Vec<u64> {
    kms.list_key_rotations(ListKeyRotationsRequest::new(key_id(key)))
        .await
        .unwrap()
        .rotations
        .iter()
        .filter(|entry| entry.rotation_type == Some(RotationType::Automatic))
        .map(|entry| {
            let date = entry.rotation_date.unwrap();
            date.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        })
        .collect()
}

async fn next_rotation(kms: &LocalKms, key: &str) -> Option<u64> {
    let status = kms
        .get_key_rotation_status(GetKeyRotationStatusRequest::new(key_id(key)))
        .await
        .unwrap();
    status.next_rotation_date.map(|date| {
        date.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    })
}

async fn current_material(kms: &LocalKms, key: &str) -> String {
    kms.describe_key(DescribeKeyRequest::new(key_id(key)))
        .await
        .unwrap()
        .key_metadata
        .current_key_material_id
        .unwrap()
}

#[tokio::test]
async fn automatic_rotation_happens_on_its_dates_and_not_while_the_key_is_disabled() {
    let start = 1_800_000_000;
    let now = Arc::new(AtomicU64::new(start));
    let clock = Arc::clone(&now);
    let kms = LocalKms::builder()
        .clock(move || SystemTime::UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst)))
        .build()
        .unwrap();
    let key = kms.create_symmetric_key("rotating").await.unwrap().key_id;
    let context = EncryptionContext::new();
    let first_material = current_material(&kms, &key).await;
    let before = kms.encrypt_bytes(&key, b"before", &context).await.unwrap();
    let enable = EnableKeyRotationRequest::new(key_id(&key)).with_rotation_period_in_days(90u32);
    kms.enable_key_rotation(enable).await.unwrap();
    assert_eq!(next_rotation(&kms, &key).await, Some(start + 90 * DAY));

    now.store(start + 90 * DAY - 1, Ordering::SeqCst);
    assert_eq!(current_material(&kms, &key).await, first_material);
    assert!(automatic_rotations(&kms, &key).await.is_empty());

    // Due: the first read after the date sees the new material, dated on the rotation date.
    now.store(start + 90 * DAY, Ordering::SeqCst);
    let rotated = kms.encrypt_bytes(&key, b"after", &context).await.unwrap();
    assert_ne!(current_material(&kms, &key).await, first_material);
    assert_eq!(automatic_rotations(&kms, &key).await, [start + 90 * DAY]);
    assert_eq!(next_rotation(&kms, &key).await, Some(start + 180 * DAY));
    for (blob, plaintext) in [(&before, &b"before"[..]), (&rotated, b"after")] {
        let back = kms.decrypt_bytes(blob, &context).await.unwrap();
        assert_eq!(back.expose_secret(), plaintext);
    }

    // Dates missed while nothing ran are each rotated, as AWS KMS would have done then.
    now.store(start + 290 * DAY, Ordering::SeqCst);
    assert_eq!(
        automatic_rotations(&kms, &key).await,
        [start + 90 * DAY, start + 180 * DAY, start + 270 * DAY]
    );
    assert_eq!(next_rotation(&kms, &key).await, Some(start + 360 * DAY));

    // A disabled key is not rotated; enabled again after its date, it is rotated at once
    // and a new period starts.
    kms.disable_key(DisableKeyRequest::new(key_id(&key)))
        .await
        .unwrap();
    now.store(start + 390 * DAY, Ordering::SeqCst);
    assert_eq!(automatic_rotations(&kms, &key).await.len(), 3);
    kms.enable_key(EnableKeyRequest::new(key_id(&key)))
        .await
        .unwrap();
    assert_eq!(
        automatic_rotations(&kms, &key).await.last(),
        Some(&(start + 390 * DAY))
    );
    assert_eq!(next_rotation(&kms, &key).await, Some(start + 480 * DAY));

    // On demand, not within 20 minutes of an automatic rotation (which it could race).
    now.store(start + 480 * DAY - 20 * 60, Ordering::SeqCst);
    let err = kms
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    now.store(start + 480 * DAY - 20 * 60 - 1, Ordering::SeqCst);
    kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key)))
        .await
        .unwrap();
    assert_eq!(automatic_rotations(&kms, &key).await.len(), 4);

    // Rotation off: no more rotations.
    kms.disable_key_rotation(DisableKeyRotationRequest::new(key_id(&key)))
        .await
        .unwrap();
    now.store(start + 2000 * DAY, Ordering::SeqCst);
    assert_eq!(automatic_rotations(&kms, &key).await.len(), 4);
    let back = kms.decrypt_bytes(&before, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_backend() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = kms.create_symmetric_key("shared").await.unwrap();
    let tasks: Vec<_> = (0..16u8)
        .map(|task| {
            let kms = Arc::clone(&kms);
            let key_id = key.key_id.clone();
            tokio::spawn(async move {
                for round in 0..50u8 {
                    let context = EncryptionContext::new().with("task", task.to_string());
                    let plaintext = [task, round];
                    let blob = kms
                        .encrypt_bytes(&key_id, &plaintext, &context)
                        .await
                        .unwrap();
                    let back = kms.decrypt_bytes(&blob, &context).await.unwrap();
                    assert_eq!(back.expose_secret(), plaintext);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn secrets_never_show_in_debug() {
    let kms = LocalKms::new();
    let key = kms.create_symmetric_key("debug").await.unwrap();
    let (data_key, _) = kms
        .generate_aes256_data_key(&key.key_id, &EncryptionContext::new())
        .await
        .unwrap();
    let shown = format!("{data_key:?} {kms:?}");
    assert!(shown.contains("REDACTED"));
    assert!(!shown.contains(&hex(data_key.expose_secret())));
    let request = EncryptRequest::new(key_id(&key.key_id), b"plaintext-marker");
    assert!(!format!("{request:?}").contains("plaintext-marker"));
}

#[tokio::test]
async fn enum_values_this_version_does_not_know_are_refused_as_aws_refuses_them() {
    let kms = LocalKms::new();
    let err = kms
        .create_key(CreateKeyRequest::new().with_key_spec(KeySpec::from("QUANTUM_9000")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    assert!(
        err.message().starts_with(
            "1 validation error detected: Value 'QUANTUM_9000' at 'keySpec' failed to satisfy \
             constraint: Member must satisfy enum value set: [RSA_2048, "
        ),
        "{err}"
    );
    assert_eq!(kms.key_count(), 0);

    let key = kms.create_symmetric_key("k").await.unwrap().key_id;
    let key = key_id(&key);
    let request = kms_core::GenerateDataKeyRequest::new(key.clone())
        .with_key_spec(kms_core::DataKeySpec::from("AES_512"));
    let err = kms.generate_data_key(request).await.unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy \
         constraint: Member must satisfy enum value set: [AES_256, AES_128]"
    );
    let request = kms_core::EncryptRequest::new(key, b"x".as_slice())
        .with_encryption_algorithm(kms_core::EncryptionAlgorithmSpec::from("AES_GCM_SIV"));
    let err = kms.encrypt(request).await.unwrap_err();
    assert!(
        err.message().starts_with(
            "1 validation error detected: Value 'AES_GCM_SIV' at 'encryptionAlgorithm'"
        ),
        "{err}"
    );
}
