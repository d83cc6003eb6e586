//! Imported key material on the local backend: the conformance checks, and what only a
//! backend with a clock and a store of its own can show: expiry, token expiry, tokens and
//! material that survive a reopened store, the same material in a second store, on-demand
//! rotation to imported material, and an audit log without material or tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey,
};
use kms_core::conformance::{self, Capabilities};
use kms_core::{
    AlgorithmSpec, CreateKeyRequest, DecryptRequest, DeleteImportedKeyMaterialRequest,
    DescribeKeyRequest, EncryptRequest, EncryptionContext, Error, ExpirationModelType,
    GetParametersForImportRequest, ImportKeyMaterialRequest, ImportState, ImportType,
    IncludeKeyMaterial, KeyId, KeyMaterialState, KeyMetadata, KeySpec, KeyState, KeyUsage, Kms,
    KmsExt, ListKeyRotationsRequest, OriginType, RotateKeyOnDemandRequest, SecretBytes,
    WrappingKeySpec,
};
use kms_local::audit::MemoryAuditLog;
use kms_local::{LocalKms, SeedFile, SeedKey};

#[tokio::test]
async fn local_kms_conforms_on_imported_key_material() {
    let kms = LocalKms::new();
    let caps = Capabilities::aws();
    conformance::import_symmetric_key_material(&kms, &caps).await;
    conformance::import_with_every_wrapping_algorithm(&kms, &caps).await;
    conformance::import_validation(&kms, &caps).await;
}

/// A backend whose clock the test moves, in seconds since the epoch.
fn clocked(now: &Arc<AtomicU64>) -> LocalKms {
    let clock = Arc::clone(now);
    LocalKms::builder()
        .clock(move || SystemTime::UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst)))
        .build()
        .unwrap()
}

fn at(now: &Arc<AtomicU64>) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst))
}

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

async fn external(kms: &LocalKms, spec: KeySpec, usage: KeyUsage) -> KeyMetadata {
    let request = CreateKeyRequest::new()
        .with_key_spec(spec)
        .with_key_usage(usage)
        .with_origin(OriginType::External);
    kms.create_key(request).await.unwrap().key_metadata
}

async fn describe(kms: &LocalKms, id: &str) -> KeyMetadata {
    kms.describe_key(DescribeKeyRequest::new(key_id(id)))
        .await
        .unwrap()
        .key_metadata
}

/// GetParametersForImport: the token and the public key.
async fn parameters(kms: &LocalKms, id: &str, algorithm: AlgorithmSpec) -> (Vec<u8>, Vec<u8>) {
    let request =
        GetParametersForImportRequest::new(key_id(id), algorithm, WrappingKeySpec::Rsa2048);
    let answer = kms.get_parameters_for_import(request).await.unwrap();
    (answer.import_token.unwrap(), answer.public_key.unwrap())
}

/// `material` wrapped under `public_key` with `algorithm`, as AWS's import guide does it.
fn wrap(algorithm: &AlgorithmSpec, public_key: &[u8], material: &[u8]) -> Vec<u8> {
    let public =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_key).unwrap()).unwrap();
    let (oaep, aes_first) = match algorithm {
        AlgorithmSpec::RsaesOaepSha1 => (&OAEP_SHA1_MGF1SHA1, false),
        AlgorithmSpec::RsaesOaepSha256 => (&OAEP_SHA256_MGF1SHA256, false),
        AlgorithmSpec::RsaAesKeyWrapSha1 => (&OAEP_SHA1_MGF1SHA1, true),
        _ => (&OAEP_SHA256_MGF1SHA256, true),
    };
    let encrypt = |plaintext: &[u8]| {
        let mut out = vec![0; public.ciphertext_size()];
        public
            .encrypt(oaep, plaintext, &mut out, None)
            .unwrap()
            .to_vec()
    };
    if !aes_first {
        return encrypt(material);
    }
    let aes_key = [9u8; 32];
    let kek = AesKek::new(&AES_256, &aes_key).unwrap();
    let mut wrapped = vec![0; material.len() + 16];
    let wrapped = kek
        .wrap_with_padding(material, &mut wrapped)
        .unwrap()
        .to_vec();
    [encrypt(&aes_key), wrapped].concat()
}

/// Imports `material` into `id`, expiring at `valid_to` or never.
async fn import(
    kms: &LocalKms,
    id: &str,
    material: &[u8],
    valid_to: Option<SystemTime>,
) -> kms_core::Result<String> {
    let algorithm = AlgorithmSpec::RsaesOaepSha256;
    let (token, public_key) = parameters(kms, id, algorithm.clone()).await;
    let request =
        ImportKeyMaterialRequest::new(key_id(id), token, wrap(&algorithm, &public_key, material));
    let request = match valid_to {
        Some(valid_to) => request.with_valid_to(valid_to),
        None => request.with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire),
    };
    Ok(kms
        .import_key_material(request)
        .await?
        .key_material_id
        .unwrap())
}

#[tokio::test]
async fn expired_material_sends_the_key_back_to_pending_import_until_imported_again() {
    let now = Arc::new(AtomicU64::new(1_800_000_000));
    let kms = clocked(&now);
    let key = external(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let material = [3u8; 32];
    let valid_to = at(&now) + Duration::from_secs(3600);
    let material_id = import(&kms, &key.key_id, &material, Some(valid_to))
        .await
        .unwrap();
    let metadata = describe(&kms, &key.key_id).await;
    assert_eq!(metadata.key_state, Some(KeyState::Enabled));
    assert_eq!(metadata.valid_to, Some(valid_to));
    assert_eq!(
        metadata.current_key_material_id.as_deref(),
        Some(material_id.as_str())
    );
    let context = EncryptionContext::new();
    let blob = kms
        .encrypt_bytes(&key.key_id, b"data", &context)
        .await
        .unwrap();

    now.fetch_add(3599, Ordering::SeqCst);
    assert_eq!(
        describe(&kms, &key.key_id).await.key_state,
        Some(KeyState::Enabled)
    );
    now.fetch_add(1, Ordering::SeqCst);
    let metadata = describe(&kms, &key.key_id).await;
    assert_eq!(metadata.key_state, Some(KeyState::PendingImport));
    let err = kms.decrypt_bytes(&blob, &context).await.unwrap_err();
    assert_eq!(
        err.message(),
        format!("{} is pending import.", key.arn.clone().unwrap())
    );
    let request = ListKeyRotationsRequest::new(key_id(&key.key_id))
        .with_include_key_material(IncludeKeyMaterial::AllKeyMaterial);
    let rotations = kms.list_key_rotations(request).await.unwrap().rotations;
    assert_eq!(rotations.len(), 1);
    assert_eq!(rotations[0].import_state, Some(ImportState::PendingImport));
    assert_eq!(
        rotations[0].key_material_id.as_deref(),
        Some(material_id.as_str())
    );

    let again = import(&kms, &key.key_id, &material, None).await.unwrap();
    assert_eq!(again, material_id, "the same material has the same ID");
    let back = kms.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"data");
    let metadata = describe(&kms, &key.key_id).await;
    assert_eq!(
        metadata.expiration_model,
        Some(ExpirationModelType::KeyMaterialDoesNotExpire)
    );
    assert_eq!(metadata.valid_to, None);
}

#[tokio::test]
async fn import_tokens_expire_after_24_hours_and_valid_to_is_at_most_365_days_ahead() {
    let now = Arc::new(AtomicU64::new(1_800_000_000));
    let kms = clocked(&now);
    let key = external(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let algorithm = AlgorithmSpec::RsaesOaepSha1;
    let request = GetParametersForImportRequest::new(
        key_id(&key.key_id),
        algorithm.clone(),
        WrappingKeySpec::Rsa2048,
    );
    let answer = kms.get_parameters_for_import(request).await.unwrap();
    assert_eq!(
        answer.parameters_valid_to,
        Some(at(&now) + Duration::from_secs(24 * 3600))
    );
    let (token, public_key) = (answer.import_token.unwrap(), answer.public_key.unwrap());
    let wrapped = wrap(&algorithm, &public_key, &[1; 32]);
    let request = |valid_to: SystemTime| {
        ImportKeyMaterialRequest::new(key_id(&key.key_id), token.clone(), wrapped.clone())
            .with_valid_to(valid_to)
    };
    let too_late = at(&now) + Duration::from_secs(365 * 24 * 3600 + 1);
    let err = kms
        .import_key_material(request(too_late))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ValidationException");

    now.fetch_add(24 * 3600, Ordering::SeqCst);
    let valid_to = at(&now) + Duration::from_secs(3600);
    let err = kms
        .import_key_material(request(valid_to))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ExpiredImportTokenException");
    assert_eq!(
        describe(&kms, &key.key_id).await.key_state,
        Some(KeyState::PendingImport)
    );
}

#[tokio::test]
async fn hmac_and_asymmetric_keys_take_their_first_material_only() {
    let kms = LocalKms::new();
    let key = external(&kms, KeySpec::Hmac384, KeyUsage::GenerateVerifyMac).await;
    let err = import(&kms, &key.key_id, &[1; 47], None).await.unwrap_err();
    assert_eq!(err.code(), "IncorrectKeyMaterialException");
    assert!(
        err.message().contains("48 to 128 bytes"),
        "{}",
        err.message()
    );
    import(&kms, &key.key_id, &[1; 48], None).await.unwrap();
    let request = DeleteImportedKeyMaterialRequest::new(key_id(&key.key_id));
    kms.delete_imported_key_material(request).await.unwrap();
    let err = import(&kms, &key.key_id, &[2; 48], None).await.unwrap_err();
    assert_eq!(err.code(), "IncorrectKeyMaterialException");
    import(&kms, &key.key_id, &[1; 48], None).await.unwrap();
    assert_eq!(
        describe(&kms, &key.key_id).await.key_state,
        Some(KeyState::Enabled)
    );

    // RSA private keys are too long for RSAES-OAEP: only the RSA_AES algorithms take them.
    let rsa = external(&kms, KeySpec::Rsa2048, KeyUsage::SignVerify).await;
    let request = GetParametersForImportRequest::new(
        key_id(&rsa.key_id),
        AlgorithmSpec::RsaesOaepSha256,
        WrappingKeySpec::Rsa2048,
    );
    let err = kms.get_parameters_for_import(request).await.unwrap_err();
    assert_eq!(err.code(), "ValidationException");
    let request = GetParametersForImportRequest::new(
        key_id(&rsa.key_id),
        AlgorithmSpec::RsaesPkcs1V15,
        WrappingKeySpec::Rsa2048,
    );
    let err = kms.get_parameters_for_import(request).await.unwrap_err();
    assert!(
        err.message().contains("RSAES_PKCS1_V1_5"),
        "{}",
        err.message()
    );

    // Ed25519, ML-DSA and ML-KEM keys take no imported material.
    let request = CreateKeyRequest::new()
        .with_key_spec(KeySpec::MlDsa65)
        .with_key_usage(KeyUsage::SignVerify)
        .with_origin(OriginType::External);
    let err = kms.create_key(request).await.unwrap_err();
    assert_eq!(err.code(), "UnsupportedOperationException");
    assert_eq!(kms.key_count(), 2);
}

#[tokio::test]
async fn a_symmetric_key_rotates_on_demand_to_new_imported_material() {
    let kms = LocalKms::new();
    let key = external(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let id = key_id(&key.key_id);
    let first = import(&kms, &key.key_id, &[1; 32], None).await.unwrap();
    let context = EncryptionContext::new();
    let old = kms
        .encrypt_bytes(&key.key_id, b"old", &context)
        .await
        .unwrap();
    let err = kms
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(id.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ValidationException", "nothing to rotate to");

    let (token, public_key) = parameters(&kms, &key.key_id, AlgorithmSpec::RsaesOaepSha256).await;
    let wrapped = wrap(&AlgorithmSpec::RsaesOaepSha256, &public_key, &[2; 32]);
    let request = ImportKeyMaterialRequest::new(id.clone(), token, wrapped)
        .with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire)
        .with_import_type(ImportType::NewKeyMaterial)
        .with_key_material_description("second");
    let second = kms
        .import_key_material(request)
        .await
        .unwrap()
        .key_material_id
        .unwrap();
    assert_ne!(first, second);
    let current = describe(&kms, &key.key_id).await.current_key_material_id;
    assert_eq!(
        current.as_deref(),
        Some(first.as_str()),
        "not current before the rotation"
    );
    let rotations = kms
        .list_key_rotations(ListKeyRotationsRequest::new(id.clone()))
        .await
        .unwrap()
        .rotations;
    assert_eq!(rotations.len(), 1);
    assert_eq!(
        rotations[0].key_material_state,
        Some(KeyMaterialState::PendingRotation)
    );
    assert_eq!(
        rotations[0].key_material_description.as_deref(),
        Some("second")
    );

    kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(id.clone()))
        .await
        .unwrap();
    let current = describe(&kms, &key.key_id).await.current_key_material_id;
    assert_eq!(current.as_deref(), Some(second.as_str()));
    let new = kms
        .encrypt(EncryptRequest::new(id.clone(), b"new".as_slice()))
        .await
        .unwrap();
    let opened = kms
        .decrypt(DecryptRequest::new(new.ciphertext_blob))
        .await
        .unwrap();
    assert_eq!(opened.key_material_id.as_deref(), Some(second.as_str()));
    let back = kms.decrypt_bytes(&old, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"old", "old material still decrypts");
}

fn scratch_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kms-import-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().unwrap()
}

fn open(dir: &Path) -> LocalKms {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&[5u8; 32]))
        .build()
        .unwrap()
}

#[tokio::test]
async fn tokens_and_imported_material_survive_a_reopened_store_sealed() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    let material = [0x6b; 32];
    let (key, wrapped, token) = {
        let kms = open(dir);
        let key = external(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
        let algorithm = AlgorithmSpec::RsaAesKeyWrapSha256;
        let (token, public_key) = parameters(&kms, &key.key_id, algorithm.clone()).await;
        (key, wrap(&algorithm, &public_key, &material), token)
    };
    // Another process imports with the token: the wrapping key was stored.
    let kms = open(dir);
    let request = ImportKeyMaterialRequest::new(key_id(&key.key_id), token, wrapped)
        .with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire);
    kms.import_key_material(request).await.unwrap();
    let context = EncryptionContext::new().with("store", "durable");
    let blob = kms
        .encrypt_bytes(&key.key_id, b"kept", &context)
        .await
        .unwrap();
    drop(kms);

    let kms = open(dir);
    let metadata = describe(&kms, &key.key_id).await;
    assert_eq!(metadata.origin, Some(OriginType::External));
    assert_eq!(metadata.key_state, Some(KeyState::Enabled));
    let back = kms.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"kept");
    let journal = std::fs::read(dir.join("journal")).unwrap();
    assert!(
        !journal.windows(material.len()).any(|w| w == material),
        "the material is sealed in the journal"
    );
}

#[tokio::test]
async fn the_same_material_decrypts_elsewhere_only_under_the_same_key_id() {
    let material = [0x42; 32];
    let a = LocalKms::new();
    let key = external(&a, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let material_id = import(&a, &key.key_id, &material, None).await.unwrap();
    let context = EncryptionContext::new();
    let blob = a
        .encrypt_bytes(&key.key_id, b"portable", &context)
        .await
        .unwrap();

    // The same material in a key of another ID: the ciphertext names a key B lacks.
    let b = LocalKms::new();
    let other = external(&b, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let other_id = import(&b, &other.key_id, &material, None).await.unwrap();
    assert_ne!(
        other_id, material_id,
        "the material ID depends on the key ID"
    );
    let err = b.decrypt_bytes(&blob, &context).await.unwrap_err();
    assert!(
        matches!(err, Error::AccessDenied { .. } | Error::NotFound { .. }),
        "{err}"
    );

    // A key of the same ID with the same material (a seed file) decrypts it.
    let mut seed = SeedFile::default();
    seed.keys.push(seed_key(&key.key_id, &material));
    let c = LocalKms::builder().seed(seed).build().unwrap();
    let metadata = describe(&c, &key.key_id).await;
    assert_eq!(metadata.origin, Some(OriginType::External));
    assert_eq!(metadata.current_key_material_id, Some(material_id));
    let back = c.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"portable");
}

/// A seed entry of a symmetric key of origin EXTERNAL.
fn seed_key(id: &str, material: &[u8]) -> SeedKey {
    use base64::Engine;
    let text = format!(
        "[[keys]]\nkey_id = \"{id}\"\norigin = \"EXTERNAL\"\nmaterial = \"{}\"\n",
        base64::engine::general_purpose::STANDARD.encode(material)
    );
    let mut file: SeedFile = toml::from_str(&text).unwrap();
    file.keys.remove(0)
}

#[tokio::test]
async fn the_audit_log_records_imports_without_tokens_or_material() {
    let log = MemoryAuditLog::new();
    let kms = LocalKms::builder().audit(log.clone()).build().unwrap();
    let key = external(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let algorithm = AlgorithmSpec::RsaesOaepSha256;
    let (token, public_key) = parameters(&kms, &key.key_id, algorithm.clone()).await;
    let wrapped = wrap(&algorithm, &public_key, &[0x77; 32]);
    let request =
        ImportKeyMaterialRequest::new(key_id(&key.key_id), token.clone(), wrapped.clone())
            .with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire);
    kms.import_key_material(request).await.unwrap();
    let request = DeleteImportedKeyMaterialRequest::new(key_id(&key.key_id));
    kms.delete_imported_key_material(request).await.unwrap();
    kms.decrypt(DecryptRequest::new(vec![1u8; 80]))
        .await
        .unwrap_err();

    let events = log.events();
    let names: Vec<&str> = events.iter().map(|e| e.event_name).collect();
    assert_eq!(
        &names[..4],
        [
            "CreateKey",
            "GetParametersForImport",
            "ImportKeyMaterial",
            "DeleteImportedKeyMaterial"
        ]
    );
    let json = serde_json::to_string(&events).unwrap();
    use base64::Engine;
    for secret in [&token, &wrapped] {
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(
            !json.contains(&encoded),
            "a token or wrapped material in the log"
        );
    }
    assert!(json.contains("KEY_MATERIAL_DOES_NOT_EXPIRE"));
}
