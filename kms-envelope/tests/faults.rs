//! The keyrings under injected KMS failures: on decrypt, a failed `Decrypt` of one encrypted
//! data key falls through to the next (as the AWS Encryption SDK specification has the KMS
//! keyring, the discovery keyring and the multi-keyring do); on encrypt, a failure is one
//! clear error and no message.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::sync::{Arc, Mutex};

use kms_core::{KeyId, Kms, KmsExt};
use kms_envelope::{
    Decryptor, Encryptor, Error, Keyring, KmsDiscoveryKeyring, KmsKeyring, MultiKeyring,
};
use kms_faults::{FaultKind, FaultyKms, InjectedFault};
use kms_local::LocalKms;

/// `inner` with the faults of `plan`, and the faults it injected.
fn faulty(inner: Arc<dyn Kms>, plan: &str) -> (Arc<dyn Kms>, Arc<Mutex<Vec<InjectedFault>>>) {
    let injected = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&injected);
    let kms = FaultyKms::new(inner, plan.parse().unwrap())
        .with_observer(move |fault| seen.lock().unwrap().push(fault.clone()));
    (Arc::new(kms), injected)
}

/// A new key's ARN on `kms`.
async fn key(kms: &Arc<dyn Kms>, description: &str) -> KeyId {
    let key = kms.create_symmetric_key(description).await.unwrap();
    key.arn.unwrap().parse().unwrap()
}

/// A message whose data key is wrapped by two keys of one backend: the message, the backend
/// and the two keys.
async fn message_under_two_keys() -> (Vec<u8>, Arc<dyn Kms>, [KeyId; 2]) {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let (first, second) = (key(&kms, "first").await, key(&kms, "second").await);
    let keyring = KmsKeyring::new(kms.clone(), first.clone()).with_additional_key(second.clone());
    let message = Encryptor::new(Arc::new(keyring))
        .encrypt(b"payload")
        .await
        .unwrap();
    (message, kms, [first, second])
}

/// The keyring of both keys over `kms`.
fn keyring([first, second]: [KeyId; 2], kms: Arc<dyn Kms>) -> Arc<dyn Keyring> {
    Arc::new(KmsKeyring::new(kms, first).with_additional_key(second))
}

#[tokio::test]
async fn the_kms_keyring_tries_the_next_encrypted_data_key_when_a_decrypt_fails() {
    let (message, kms, keys) = message_under_two_keys().await;
    // With seed 4, the first Decrypt fails and the next ones go through.
    let (faulty, injected) = faulty(kms, "Decrypt.internal:0.5,seed:4");
    let decrypted = Decryptor::new(keyring(keys, faulty))
        .decrypt(&message)
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext(), b"payload");
    let injected = injected.lock().unwrap();
    assert_eq!(injected.len(), 1, "{injected:?}");
    assert_eq!(injected[0].operation, "Decrypt");
    assert_eq!(injected[0].kind, Some(FaultKind::Internal));
}

#[tokio::test]
async fn the_discovery_keyring_tries_the_next_encrypted_data_key_when_a_decrypt_fails() {
    let (message, kms, _) = message_under_two_keys().await;
    let (faulty, injected) = faulty(kms, "Decrypt.throttling:0.5,seed:4");
    let keyring = KmsDiscoveryKeyring::new(faulty);
    let decrypted = Decryptor::new(Arc::new(keyring))
        .decrypt(&message)
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext(), b"payload");
    assert_eq!(injected.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn when_every_decrypt_fails_the_error_lists_each_failure_and_is_retryable() {
    let (message, kms, keys) = message_under_two_keys().await;
    let (faulty, _) = faulty(kms, "Decrypt.internal:1");
    let err = Decryptor::new(keyring(keys, faulty))
        .decrypt(&message)
        .await
        .unwrap_err();
    let Error::NoDataKey { failures } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures.iter().all(|f| f.code() == "KMSInternalException"));
    let as_kms: kms_core::Error = err.into();
    assert!(as_kms.is_retryable(), "{as_kms:?}");
}

#[tokio::test]
async fn the_multi_keyring_falls_through_to_a_child_on_another_backend() {
    // Two backends, as two regions: the generator's fails every Decrypt.
    let east: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let west: Arc<dyn Kms> = Arc::new(LocalKms::builder().region("us-west-2").build().unwrap());
    let (east_key, west_key) = (key(&east, "east").await, key(&west, "west").await);
    let both = |east: Arc<dyn Kms>| -> Arc<dyn Keyring> {
        let generator: Arc<dyn Keyring> = Arc::new(KmsKeyring::new(east, east_key.clone()));
        let child: Arc<dyn Keyring> = Arc::new(KmsKeyring::new(west.clone(), west_key.clone()));
        Arc::new(MultiKeyring::new(Some(generator)).with_child(child))
    };
    let message = Encryptor::new(both(east.clone()))
        .encrypt(b"payload")
        .await
        .unwrap();
    let (failing_east, injected) = faulty(east, "Decrypt.key-unavailable:1");
    let decrypted = Decryptor::new(both(failing_east))
        .decrypt(&message)
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext(), b"payload");
    assert_eq!(injected.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn on_encrypt_a_failure_is_one_clear_error() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let (first, second) = (key(&kms, "first").await, key(&kms, "second").await);
    for (plan, code) in [
        ("GenerateDataKey.internal:1", "KMSInternalException"),
        // The data key is generated, but wrapping it under the second key fails: no message
        // with only some of the keys asked for.
        ("Encrypt.throttling:1", "ThrottlingException"),
    ] {
        let (faulty, _) = faulty(kms.clone(), plan);
        let keyring = KmsKeyring::new(faulty, first.clone()).with_additional_key(second.clone());
        let err = Encryptor::new(Arc::new(keyring))
            .encrypt(b"payload")
            .await
            .unwrap_err();
        let Error::Kms(inner) = &err else {
            panic!("{plan}: {err:?}");
        };
        assert_eq!(inner.code(), code, "{plan}");
        assert!(err.to_string().contains(code), "{plan}: {err}");
    }
}
