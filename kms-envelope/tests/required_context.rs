//! The required-encryption-context materials manager: required pairs are authenticated but
//! not stored, and decryption needs them again.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use kms_core::{EncryptionContext, SecretBytes};
use kms_envelope::{
    AlgorithmSuite, CachingMaterialsManager, Decryptor, Encryptor, Error, Keyring, RawAesKeyring,
    RawRsaKeyring, RequiredEncryptionContextMaterialsManager, RsaPadding,
};

/// The required value: long enough never to appear in a message by chance.
const TENANT: &str = "tenant-secret-value";

fn keyring() -> Arc<dyn Keyring> {
    Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![3; 32])).unwrap())
}

fn required(keyring: &Arc<dyn Keyring>) -> Arc<RequiredEncryptionContextMaterialsManager> {
    Arc::new(
        RequiredEncryptionContextMaterialsManager::from_keyring(keyring.clone(), ["tenant"])
            .unwrap(),
    )
}

fn full_context() -> EncryptionContext {
    EncryptionContext::from([("tenant", TENANT), ("purpose", "test")])
}

fn tenant(value: &str) -> EncryptionContext {
    EncryptionContext::from([("tenant", value)])
}

async fn encrypt(keyring: &Arc<dyn Keyring>, suite: AlgorithmSuite) -> Vec<u8> {
    Encryptor::from_materials_manager(required(keyring))
        .with_encryption_context(full_context())
        .with_suite(suite)
        .encrypt(b"payload")
        .await
        .unwrap()
}

#[tokio::test]
async fn required_pairs_are_authenticated_but_not_stored() {
    let keyring = keyring();
    for suite in [
        AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
        AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
    ] {
        let message = encrypt(&keyring, suite).await;
        assert!(
            !message
                .windows(TENANT.len())
                .any(|window| window == TENANT.as_bytes()),
            "the required value is not in the message"
        );
        for decryptor in [
            Decryptor::new(keyring.clone()),
            Decryptor::from_materials_manager(required(&keyring)),
        ] {
            let decrypted = decryptor
                .with_required_encryption_context(tenant(TENANT))
                .decrypt(&message)
                .await
                .unwrap();
            assert_eq!(decrypted.plaintext(), b"payload");
            let stored = decrypted.encryption_context();
            assert_eq!(stored.get("tenant"), None);
            assert_eq!(stored.get("purpose"), Some("test"));
        }
    }
}

#[tokio::test]
async fn decryption_without_the_required_pairs_fails() {
    let keyring = keyring();
    let message = encrypt(&keyring, AlgorithmSuite::default()).await;
    let decryptor = Decryptor::from_materials_manager(required(&keyring));
    let err = decryptor.decrypt(&message).await.unwrap_err();
    match err {
        Error::ContextMismatch { reason } => assert!(reason.contains("`tenant`"), "{reason}"),
        other => panic!("expected a context mismatch, got {other}"),
    }
    // Only the other pair is not enough either.
    let err = decryptor
        .clone()
        .with_required_encryption_context([("purpose", "test")].into())
        .decrypt(&message)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ContextMismatch { .. }), "{err}");
}

#[tokio::test]
async fn a_wrong_required_value_fails() {
    let keyring = keyring();
    let message = encrypt(&keyring, AlgorithmSuite::default()).await;
    for decryptor in [
        Decryptor::new(keyring.clone()),
        Decryptor::from_materials_manager(required(&keyring)),
    ] {
        let err = decryptor
            .with_required_encryption_context(tenant("t2"))
            .decrypt(&message)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ContextMismatch { .. }), "{err}");
    }
}

#[tokio::test]
async fn a_wrong_required_value_fails_the_header_when_the_keyring_does_not_bind_the_context() {
    let keys: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/esdk/v4-Net-4.0.1/keys.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let pem = keys["keys"]["rsa-4096-private"]["material"]
        .as_str()
        .unwrap();
    let rsa = RawRsaKeyring::new("ns", "rsa", RsaPadding::OaepSha256)
        .unwrap()
        .with_private_key_pem(pem)
        .unwrap();
    let keyring: Arc<dyn Keyring> = Arc::new(rsa);
    let message = encrypt(&keyring, AlgorithmSuite::default()).await;
    let err = Decryptor::from_materials_manager(required(&keyring))
        .with_required_encryption_context(tenant("t2"))
        .decrypt(&message)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication), "{err}");
}

#[tokio::test]
async fn encryption_needs_every_required_key_in_the_context() {
    let keyring = keyring();
    let err = Encryptor::from_materials_manager(required(&keyring))
        .with_encryption_context([("purpose", "test")].into())
        .encrypt(b"payload")
        .await
        .unwrap_err();
    match err {
        Error::InvalidArgument { message } => assert!(message.contains("`tenant`"), "{message}"),
        other => panic!("expected an invalid argument, got {other}"),
    }
    let err =
        RequiredEncryptionContextMaterialsManager::from_keyring(keyring, Vec::<String>::new())
            .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
}

#[tokio::test]
async fn it_composes_with_the_caching_manager() {
    let keyring = keyring();
    let cache = Arc::new(
        CachingMaterialsManager::from_keyring(keyring.clone(), Duration::from_secs(60))
            .build()
            .unwrap(),
    );
    let cmm = Arc::new(RequiredEncryptionContextMaterialsManager::new(cache, ["tenant"]).unwrap());
    let encryptor =
        Encryptor::from_materials_manager(cmm.clone()).with_encryption_context(full_context());
    let first = encryptor.encrypt(b"one").await.unwrap();
    let second = encryptor.encrypt(b"two").await.unwrap();
    let decryptor =
        Decryptor::from_materials_manager(cmm).with_required_encryption_context(tenant(TENANT));
    let (a, b) = (
        decryptor.decrypt(&first).await.unwrap(),
        decryptor.decrypt(&second).await.unwrap(),
    );
    assert_eq!((a.plaintext(), b.plaintext()), (&b"one"[..], &b"two"[..]));
    assert_eq!(
        a.header().encrypted_data_keys(),
        b.header().encrypted_data_keys()
    );
    assert_eq!(a.encryption_context().get("tenant"), None);
}
