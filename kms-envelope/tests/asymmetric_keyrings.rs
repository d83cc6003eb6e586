//! The AWS KMS RSA keyring and the ECDH keyrings (raw and AWS KMS) over the local backend:
//! round trips in every configuration, and the specification's refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_lc_rs::agreement;
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use base64::Engine;
use kms_core::{
    CreateKeyRequest, EncryptionAlgorithmSpec, EncryptionContext, GetPublicKeyRequest, KeyId,
    KeySpec, KeyUsage, Kms,
};
use kms_envelope::{
    AlgorithmSuite, DecryptionMaterials, Decryptor, EcdhCurve, EncryptionMaterials, Encryptor,
    Error, Keyring, KmsEcdhKeyring, KmsRsaKeyring, RawEcdhKeyring,
};
use kms_local::LocalKms;

const UNSIGNED: AlgorithmSuite = AlgorithmSuite::Aes256GcmHkdfSha512CommitKey;
const SIGNED: AlgorithmSuite = AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384;
const CURVES: [EcdhCurve; 3] = [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521];

fn context() -> EncryptionContext {
    EncryptionContext::from([("purpose", "asymmetric keyrings"), ("name", "café")])
}

async fn create_key(kms: &Arc<dyn Kms>, spec: KeySpec, usage: KeyUsage) -> KeyId {
    let request = CreateKeyRequest::new()
        .with_key_spec(spec)
        .with_key_usage(usage);
    let metadata = kms.create_key(request).await.unwrap().key_metadata;
    metadata.arn.unwrap().parse().unwrap()
}

async fn public_key(kms: &Arc<dyn Kms>, key: &KeyId) -> Vec<u8> {
    let request = GetPublicKeyRequest::new(key.clone());
    kms.get_public_key(request).await.unwrap().public_key
}

async fn encrypt(keyring: Arc<dyn Keyring>, suite: AlgorithmSuite, plaintext: &[u8]) -> Vec<u8> {
    Encryptor::new(keyring)
        .with_suite(suite)
        .with_encryption_context(context())
        .encrypt(plaintext)
        .await
        .unwrap()
}

async fn decrypt(keyring: Arc<dyn Keyring>, message: &[u8]) -> Result<Vec<u8>, Error> {
    let decrypted = Decryptor::new(keyring).decrypt(message).await?;
    assert_eq!(decrypted.encryption_context().get("name"), Some("café"));
    Ok(decrypted.plaintext().to_vec())
}

/// A key pair held in memory: PEM PKCS#8 private key and DER SPKI public key.
fn raw_key_pair(curve: EcdhCurve) -> (String, Vec<u8>) {
    let algorithm = match curve {
        EcdhCurve::P256 => &agreement::ECDH_P256,
        EcdhCurve::P384 => &agreement::ECDH_P384,
        EcdhCurve::P521 => &agreement::ECDH_P521,
        _ => panic!("unexpected curve {curve}"),
    };
    let key = agreement::PrivateKey::generate(algorithm).unwrap();
    let pkcs8: Pkcs8V1Der = key.as_der().unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref())
    );
    let public = key.compute_public_key().unwrap();
    (pem, public.as_der().unwrap().as_ref().to_vec())
}

fn assert_invalid(err: &Error, fragment: &str) {
    assert!(
        matches!(err, Error::InvalidArgument { .. }) && err.to_string().contains(fragment),
        "expected an invalid argument with `{fragment}`, got: {err}"
    );
}

// ---- AWS KMS RSA keyring -------------------------------------------------------------------

async fn rsa_keyring(
    kms: &Arc<dyn Kms>,
    key: &KeyId,
    algorithm: EncryptionAlgorithmSpec,
) -> Arc<KmsRsaKeyring> {
    let keyring = KmsRsaKeyring::new(key.clone(), algorithm)
        .unwrap()
        .with_kms(kms.clone())
        .with_public_key_from_kms()
        .await
        .unwrap();
    Arc::new(keyring)
}

#[tokio::test]
async fn kms_rsa_round_trips_with_both_oaep_algorithms() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    for spec in [KeySpec::Rsa2048, KeySpec::Rsa3072] {
        let key = create_key(&kms, spec.clone(), KeyUsage::EncryptDecrypt).await;
        for algorithm in [
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            EncryptionAlgorithmSpec::RsaesOaepSha256,
        ] {
            let keyring = rsa_keyring(&kms, &key, algorithm.clone()).await;
            let plaintext = vec![42u8; 5000];
            let message = encrypt(keyring.clone(), UNSIGNED, &plaintext).await;
            assert_eq!(decrypt(keyring, &message).await.unwrap(), plaintext);
        }
    }
}

#[tokio::test]
async fn kms_rsa_encrypts_offline_and_decrypts_through_kms_only() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let der = public_key(&kms, &key).await;
    let algorithm = EncryptionAlgorithmSpec::RsaesOaepSha256;
    let offline = KmsRsaKeyring::new(key.clone(), algorithm.clone())
        .unwrap()
        .with_public_key_der(&der)
        .unwrap();
    let message = encrypt(Arc::new(offline), UNSIGNED, b"written offline").await;

    // Without a KMS it cannot decrypt; without a public key it cannot encrypt.
    let offline = KmsRsaKeyring::new(key.clone(), algorithm.clone())
        .unwrap()
        .with_public_key_der(&der)
        .unwrap();
    let err = decrypt(Arc::new(offline), &message).await.unwrap_err();
    assert_invalid(&err, "has no KMS to decrypt with");
    let reader = KmsRsaKeyring::new(key, algorithm).unwrap().with_kms(kms);
    let reader = Arc::new(reader);
    assert_eq!(
        decrypt(reader.clone(), &message).await.unwrap(),
        b"written offline"
    );
    let err = Encryptor::new(reader).encrypt(b"x").await.unwrap_err();
    assert_invalid(&err, "has no public key to encrypt with");
}

#[tokio::test]
async fn kms_rsa_refuses_signed_suites_both_ways() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let keyring = rsa_keyring(&kms, &key, EncryptionAlgorithmSpec::RsaesOaepSha256).await;
    let err = Encryptor::new(keyring.clone())
        .with_suite(SIGNED)
        .encrypt(b"x")
        .await
        .unwrap_err();
    assert_invalid(&err, "asymmetric signature");
    let materials = DecryptionMaterials::new(SIGNED, context());
    let err = keyring.on_decrypt(materials, &[]).await.unwrap_err();
    assert_invalid(&err, "asymmetric signature");
}

#[tokio::test]
async fn kms_rsa_binds_the_encryption_context_with_its_digest() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let keyring = rsa_keyring(&kms, &key, EncryptionAlgorithmSpec::RsaesOaepSha1).await;
    let materials = keyring
        .on_encrypt(EncryptionMaterials::new(UNSIGNED, context()))
        .await
        .unwrap();
    let edks = materials.encrypted_data_keys().to_vec();
    assert_eq!(edks.len(), 1);
    assert_eq!(edks[0].provider_id(), "aws-kms-rsa");
    assert_eq!(edks[0].provider_info(), key.as_str().as_bytes());
    assert_eq!(edks[0].ciphertext().len(), 256);

    let same = keyring
        .on_decrypt(DecryptionMaterials::new(UNSIGNED, context()), &edks)
        .await
        .unwrap();
    assert_eq!(
        same.data_key().unwrap().expose_secret(),
        materials.data_key().unwrap().expose_secret()
    );
    let other_context = EncryptionContext::from([("purpose", "something else")]);
    let err = keyring
        .on_decrypt(DecryptionMaterials::new(UNSIGNED, other_context), &edks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoDataKey { failures }
            if matches!(failures[..], [kms_core::Error::InvalidCiphertext])),
        "{err}"
    );
}

#[tokio::test]
async fn kms_rsa_with_the_other_algorithm_or_key_fails() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let writer = rsa_keyring(&kms, &key, EncryptionAlgorithmSpec::RsaesOaepSha256).await;
    let message = encrypt(writer, UNSIGNED, b"x").await;
    let sha1 = KmsRsaKeyring::new(key, EncryptionAlgorithmSpec::RsaesOaepSha1)
        .unwrap()
        .with_kms(kms.clone());
    let err = decrypt(Arc::new(sha1), &message).await.unwrap_err();
    assert!(
        matches!(&err, Error::NoDataKey { failures } if failures.len() == 1),
        "{err}"
    );
    // Another key's keyring finds no encrypted data key of its own.
    let other = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let reader = KmsRsaKeyring::new(other, EncryptionAlgorithmSpec::RsaesOaepSha256)
        .unwrap()
        .with_kms(kms);
    let err = decrypt(Arc::new(reader), &message).await.unwrap_err();
    assert!(
        matches!(&err, Error::NoDataKey { failures } if failures.is_empty()),
        "{err}"
    );
}

#[tokio::test]
async fn kms_rsa_refuses_keys_it_cannot_use() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let signing = create_key(&kms, KeySpec::Rsa2048, KeyUsage::SignVerify).await;
    let err = KmsRsaKeyring::new(signing, EncryptionAlgorithmSpec::RsaesOaepSha256)
        .unwrap()
        .with_kms(kms.clone())
        .with_public_key_from_kms()
        .await
        .unwrap_err();
    assert_invalid(&err, "has key usage SIGN_VERIFY, not ENCRYPT_DECRYPT");

    let symmetric = create_key(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let err = KmsRsaKeyring::new(symmetric, EncryptionAlgorithmSpec::RsaesOaepSha256)
        .unwrap()
        .with_kms(kms.clone())
        .with_public_key_from_kms()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Kms(_)), "{err}");

    let err = KmsRsaKeyring::new(
        create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await,
        EncryptionAlgorithmSpec::RsaesOaepSha256,
    )
    .unwrap()
    .with_public_key_from_kms()
    .await
    .unwrap_err();
    assert_invalid(&err, "needs a KMS");

    // A 1024-bit public key is too small for the 48-byte digest and the data key.
    let rsa_1024 = base64::engine::general_purpose::STANDARD
        .decode(
            "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDnoEKG9QvwtdB/pppmveObpa73a5vGDBi8hlQv0p346XrUye\
             EHqN+ah+lyoMD5r6RMWVKitZ6PTa0PsBnTFNoXaJQxtB8Zq10wurPu+6lFiqkPU7aF+1i6BnTjdkXWwAO2CGGA\
             nL13yn5RiuoCzzbcZh0ZJzRoAi9bwnWrm/fHTQIDAQAB",
        )
        .unwrap();
    let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let err = KmsRsaKeyring::new(arn.parse().unwrap(), EncryptionAlgorithmSpec::RsaesOaepSha1)
        .unwrap()
        .with_public_key_der(&rsa_1024)
        .unwrap_err();
    assert_invalid(&err, "fewer than 2048 bits");
}

// ---- Raw ECDH keyring ----------------------------------------------------------------------

#[tokio::test]
async fn raw_ecdh_static_keys_decrypt_both_ways_on_every_curve() {
    for curve in CURVES {
        let (alice_private, alice_public) = raw_key_pair(curve);
        let (bob_private, bob_public) = raw_key_pair(curve);
        let alice = || {
            Arc::new(
                RawEcdhKeyring::static_private_key(curve, &alice_private, &bob_public).unwrap(),
            )
        };
        let bob = || {
            Arc::new(
                RawEcdhKeyring::static_private_key(curve, &bob_private, &alice_public).unwrap(),
            )
        };
        let plaintext = vec![7u8; 70_000];
        for suite in [UNSIGNED, SIGNED] {
            let message = encrypt(alice(), suite, &plaintext).await;
            // The recipient with its static keys or by discovery, and the sender itself.
            assert_eq!(decrypt(bob(), &message).await.unwrap(), plaintext);
            let bob_discovery = RawEcdhKeyring::discovery(curve, &bob_private).unwrap();
            assert_eq!(
                decrypt(Arc::new(bob_discovery), &message).await.unwrap(),
                plaintext
            );
            assert_eq!(decrypt(alice(), &message).await.unwrap(), plaintext);
            // Bob answers; Alice reads it with her static keys.
            let answer = encrypt(bob(), suite, b"answer").await;
            assert_eq!(decrypt(alice(), &answer).await.unwrap(), b"answer");
        }
        // Alice's own discovery keyring is no recipient of her message.
        let message = encrypt(alice(), UNSIGNED, &plaintext).await;
        let alice_discovery = RawEcdhKeyring::discovery(curve, &alice_private).unwrap();
        let err = decrypt(Arc::new(alice_discovery), &message)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::NoDataKey { failures } if failures.is_empty()),
            "{err}"
        );
    }
}

#[tokio::test]
async fn raw_ecdh_ephemeral_encrypts_only_and_discovery_decrypts_only() {
    for curve in CURVES {
        let (private, public) = raw_key_pair(curve);
        let ephemeral = Arc::new(RawEcdhKeyring::ephemeral(curve, &public).unwrap());
        let first = encrypt(ephemeral.clone(), UNSIGNED, b"one").await;
        let second = encrypt(ephemeral.clone(), UNSIGNED, b"one").await;
        let discovery = Arc::new(RawEcdhKeyring::discovery(curve, &private).unwrap());
        assert_eq!(decrypt(discovery.clone(), &first).await.unwrap(), b"one");
        assert_eq!(decrypt(discovery.clone(), &second).await.unwrap(), b"one");

        let err = decrypt(ephemeral, &first).await.unwrap_err();
        assert_invalid(&err, "cannot decrypt");
        let err = Encryptor::new(discovery).encrypt(b"x").await.unwrap_err();
        assert_invalid(&err, "cannot encrypt");
    }
}

#[tokio::test]
async fn raw_ecdh_wraps_the_layout_of_the_specification() {
    let curve = EcdhCurve::P384;
    let (_, public) = raw_key_pair(curve);
    let keyring = RawEcdhKeyring::ephemeral(curve, &public).unwrap();
    let materials = keyring
        .on_encrypt(EncryptionMaterials::new(UNSIGNED, context()))
        .await
        .unwrap();
    let edk = &materials.encrypted_data_keys()[0];
    assert_eq!(edk.provider_id(), "raw-ecdh");
    // Version 1, then two compressed P-384 points of 49 bytes, each after a u32 length.
    assert_eq!(edk.provider_info().len(), 107);
    assert_eq!(edk.provider_info()[..5], [1, 0, 0, 0, 49]);
    // Salt, commitment key, wrapped 32-byte data key, tag.
    assert_eq!(edk.ciphertext().len(), 32 + 32 + 32 + 16);
}

#[tokio::test]
async fn raw_ecdh_binds_the_encryption_context_and_the_ciphertext() {
    let curve = EcdhCurve::P256;
    let (private, public) = raw_key_pair(curve);
    let writer = RawEcdhKeyring::ephemeral(curve, &public).unwrap();
    let reader = RawEcdhKeyring::discovery(curve, &private).unwrap();
    let materials = writer
        .on_encrypt(EncryptionMaterials::new(UNSIGNED, context()))
        .await
        .unwrap();
    let edks = materials.encrypted_data_keys().to_vec();
    let opened = reader
        .on_decrypt(DecryptionMaterials::new(UNSIGNED, context()), &edks)
        .await
        .unwrap();
    assert_eq!(
        opened.data_key().unwrap().expose_secret(),
        materials.data_key().unwrap().expose_secret()
    );
    let other = EncryptionContext::from([("purpose", "other")]);
    let err = reader
        .on_decrypt(DecryptionMaterials::new(UNSIGNED, other), &edks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoDataKey { failures } if failures.len() == 1),
        "{err}"
    );
    // Every byte of the ciphertext counts: salt, commitment key, wrapped key, tag.
    for index in [0, 40, 70, 100] {
        let mut ciphertext = edks[0].ciphertext().to_vec();
        ciphertext[index] ^= 1;
        let altered = kms_envelope::EncryptedDataKey::new(
            edks[0].provider_id().to_owned(),
            edks[0].provider_info().to_vec(),
            ciphertext,
        );
        let result = reader
            .on_decrypt(DecryptionMaterials::new(UNSIGNED, context()), &[altered])
            .await;
        assert!(
            matches!(result, Err(Error::NoDataKey { .. })),
            "byte {index}"
        );
    }
}

#[tokio::test]
async fn raw_ecdh_refuses_keys_of_another_curve() {
    let (p384_private, p384_public) = raw_key_pair(EcdhCurve::P384);
    let (_, p256_public) = raw_key_pair(EcdhCurve::P256);
    let err = RawEcdhKeyring::ephemeral(EcdhCurve::P256, &p384_public).unwrap_err();
    assert_invalid(&err, "not a valid P-256 key");
    let err = RawEcdhKeyring::discovery(EcdhCurve::P256, &p384_private).unwrap_err();
    assert_invalid(&err, "not a P-256 private key");
    let err = RawEcdhKeyring::static_private_key(EcdhCurve::P384, &p384_private, &p256_public)
        .unwrap_err();
    assert_invalid(&err, "not a valid P-384 key");
    let err = RawEcdhKeyring::discovery(EcdhCurve::P384, "not a PEM").unwrap_err();
    assert_invalid(&err, "PEM");
    // A message on P-256 is not for a P-384 keyring: its keys do not parse on that curve.
    // Nor is it for another P-256 recipient.
    let (p256_private, _) = raw_key_pair(EcdhCurve::P256);
    let writer = Arc::new(RawEcdhKeyring::ephemeral(EcdhCurve::P256, &p256_public).unwrap());
    let message = encrypt(writer, UNSIGNED, b"x").await;
    let reader = Arc::new(RawEcdhKeyring::discovery(EcdhCurve::P384, &p384_private).unwrap());
    let err = decrypt(reader, &message).await.unwrap_err();
    assert!(
        matches!(&err, Error::NoDataKey { failures }
            if matches!(failures[..], [kms_core::Error::InvalidCiphertext])),
        "{err}"
    );
    let reader = Arc::new(RawEcdhKeyring::discovery(EcdhCurve::P256, &p256_private).unwrap());
    assert!(matches!(
        decrypt(reader, &message).await,
        Err(Error::NoDataKey { .. })
    ));
}

// ---- AWS KMS ECDH keyring ------------------------------------------------------------------

fn key_spec(curve: EcdhCurve) -> KeySpec {
    curve.key_spec()
}

#[tokio::test]
async fn kms_ecdh_round_trips_with_kms_and_raw_parties() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    for curve in CURVES {
        let alice = create_key(&kms, key_spec(curve), KeyUsage::KeyAgreement).await;
        let bob = create_key(&kms, key_spec(curve), KeyUsage::KeyAgreement).await;
        let bob_public = public_key(&kms, &bob).await;
        let alice_public = public_key(&kms, &alice).await;
        let from_alice = KmsEcdhKeyring::kms_private_key_to_static_public_key(
            kms.clone(),
            curve,
            alice.clone(),
            None,
            &bob_public,
        )
        .await
        .unwrap();
        let from_alice = Arc::new(from_alice);
        let plaintext = vec![1u8; 9000];
        let message = encrypt(from_alice.clone(), SIGNED, &plaintext).await;
        let bob_discovery = Arc::new(
            KmsEcdhKeyring::kms_public_key_discovery(kms.clone(), curve, bob.clone())
                .await
                .unwrap(),
        );
        assert_eq!(
            decrypt(bob_discovery.clone(), &message).await.unwrap(),
            plaintext
        );
        assert_eq!(decrypt(from_alice, &message).await.unwrap(), plaintext);
        let bob_static = KmsEcdhKeyring::kms_private_key_to_static_public_key(
            kms.clone(),
            curve,
            bob.clone(),
            Some(&bob_public),
            &alice_public,
        )
        .await
        .unwrap();
        assert_eq!(
            decrypt(Arc::new(bob_static), &message).await.unwrap(),
            plaintext
        );

        // A raw keyring writes to the KMS key; the KMS discovery keyring reads `raw-ecdh`.
        let raw_writer = Arc::new(RawEcdhKeyring::ephemeral(curve, &bob_public).unwrap());
        let message = encrypt(raw_writer, UNSIGNED, &plaintext).await;
        assert_eq!(
            decrypt(bob_discovery.clone(), &message).await.unwrap(),
            plaintext
        );
        // And a raw discovery keyring reads `aws-kms-ecdh` from a KMS sender.
        let (carol_private, carol_public) = raw_key_pair(curve);
        let to_carol = KmsEcdhKeyring::kms_private_key_to_static_public_key(
            kms.clone(),
            curve,
            alice.clone(),
            None,
            &carol_public,
        )
        .await
        .unwrap();
        let message = encrypt(Arc::new(to_carol), UNSIGNED, &plaintext).await;
        let carol = Arc::new(RawEcdhKeyring::discovery(curve, &carol_private).unwrap());
        assert_eq!(decrypt(carol, &message).await.unwrap(), plaintext);
        let err = decrypt(bob_discovery, &message).await.unwrap_err();
        assert!(
            matches!(&err, Error::NoDataKey { failures } if failures.is_empty()),
            "{err}"
        );
    }
}

#[tokio::test]
async fn kms_ecdh_discovery_cannot_encrypt() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let key = create_key(&kms, KeySpec::EccNistP256, KeyUsage::KeyAgreement).await;
    let keyring = KmsEcdhKeyring::kms_public_key_discovery(kms, EcdhCurve::P256, key)
        .await
        .unwrap();
    let err = Encryptor::new(Arc::new(keyring))
        .encrypt(b"x")
        .await
        .unwrap_err();
    assert_invalid(&err, "cannot encrypt");
}

#[tokio::test]
async fn kms_ecdh_refuses_keys_that_are_not_key_agreement_keys_on_the_curve() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let (_, recipient) = raw_key_pair(EcdhCurve::P256);
    let signing = create_key(&kms, KeySpec::EccNistP256, KeyUsage::SignVerify).await;
    let err = KmsEcdhKeyring::kms_private_key_to_static_public_key(
        kms.clone(),
        EcdhCurve::P256,
        signing,
        None,
        &recipient,
    )
    .await
    .unwrap_err();
    assert_invalid(&err, "has key usage SIGN_VERIFY, not KEY_AGREEMENT");

    let p384 = create_key(&kms, KeySpec::EccNistP384, KeyUsage::KeyAgreement).await;
    let err = KmsEcdhKeyring::kms_public_key_discovery(kms.clone(), EcdhCurve::P256, p384.clone())
        .await
        .unwrap_err();
    assert_invalid(&err, "is ECC_NIST_P384, not ECC_NIST_P256");

    let rsa = create_key(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let err = KmsEcdhKeyring::kms_public_key_discovery(kms.clone(), EcdhCurve::P256, rsa)
        .await
        .unwrap_err();
    assert_invalid(&err, "not KEY_AGREEMENT");

    let alias: KeyId = "alias/agreement".parse().unwrap();
    let err = KmsEcdhKeyring::kms_public_key_discovery(kms.clone(), EcdhCurve::P384, alias)
        .await
        .unwrap_err();
    assert_invalid(&err, "not the alias");

    // The recipient's key must be on the keyring's curve too.
    let err = KmsEcdhKeyring::kms_private_key_to_static_public_key(
        kms.clone(),
        EcdhCurve::P384,
        p384,
        None,
        &recipient,
    )
    .await
    .unwrap_err();
    assert_invalid(&err, "not a valid P-384 key");
}
