//! What only the local backend can show: its blob format, its clock, its refusals of what it
//! does not implement, and parallel use.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use kms_core::{
    CreateAliasRequest, CreateKeyRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest,
    EncryptionContext, Error, KeyId, KeySpec, KeyUsage, Kms, KmsExt, ListAliasesRequest,
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
    let kms = LocalKms::new();
    let request = CreateKeyRequest::new()
        .with_key_spec(KeySpec::Rsa2048)
        .with_key_usage(KeyUsage::EncryptDecrypt);
    let err = kms.create_key(request).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(err.message().contains("RSA_2048"), "{err}");
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
