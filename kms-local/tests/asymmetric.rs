//! Asymmetric and HMAC keys through the `Kms` trait: which keys `CreateKey` makes and refuses,
//! what their metadata lists, `GetPublicKey`, `Sign` and `Verify`, `GenerateMac` and
//! `VerifyMac`, RSA in `Encrypt`, `Decrypt` and `ReEncrypt`, data key pairs, ECDH and ML-KEM,
//! each with AWS's rules and messages (`reference/kms-api.md` §1.3, §2.4, §2.5, §2.11 and
//! `reference/wave2.md` §A).
//!
//! RSA keys are slow to generate: the tests share the fixture keys of `fixtures/keys.toml`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use kms_core::{
    CreateKeyRequest, DataKeyPairSpec, DecapsulateRequest, DecryptRequest,
    DeriveSharedSecretRequest, DescribeKeyRequest, DisableKeyRequest, DisableKeyRotationRequest,
    EnableKeyRotationRequest, EncapsulateRequest, EncapsulationAlgorithmSpec, EncryptRequest,
    EncryptionAlgorithmSpec, EncryptionContext, Error, GenerateDataKeyPairRequest,
    GenerateDataKeyPairWithoutPlaintextRequest, GenerateDataKeyRequest, GenerateMacRequest,
    GetKeyRotationStatusRequest, GetPublicKeyRequest, KeyAgreementAlgorithmSpec, KeyId,
    KeyMetadata, KeySpec, KeyUsage, Kms, MacAlgorithmSpec, MessageType, ReEncryptRequest,
    RotateKeyOnDemandRequest, ScheduleKeyDeletionRequest, SecretBytes, SignRequest,
    SigningAlgorithmSpec, VerifyMacRequest, VerifyRequest,
};
use kms_local::LocalKms;

/// A backend holding the fixture keys.
fn fixture() -> LocalKms {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys.toml");
    LocalKms::builder().seed_file(path).build().unwrap()
}

fn id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

/// The ARN of a fixture key, by alias.
async fn arn(kms: &LocalKms, alias: &str) -> String {
    describe(kms, alias).await.arn.unwrap()
}

async fn describe(kms: &LocalKms, key: &str) -> KeyMetadata {
    kms.describe_key(DescribeKeyRequest::new(id(key)))
        .await
        .unwrap()
        .key_metadata
}

async fn create(kms: &LocalKms, spec: KeySpec, usage: KeyUsage) -> KeyMetadata {
    kms.create_key(
        CreateKeyRequest::new()
            .with_key_spec(spec)
            .with_key_usage(usage),
    )
    .await
    .unwrap()
    .key_metadata
}

/// Asserts that `result` is the error `code` with exactly `message`.
#[track_caller]
fn assert_error<T: std::fmt::Debug>(result: kms_core::Result<T>, code: &str, message: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.message(), message, "{err}");
}

fn message() -> SecretBytes {
    SecretBytes::from(&b"a message to sign"[..])
}

fn sha(algorithm: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(algorithm, data).as_ref().to_vec()
}

// --- CreateKey, DescribeKey, rotation -----------------------------------------------------

#[tokio::test]
async fn every_allowed_spec_and_usage_makes_a_key_listing_the_algorithms_of_its_usage() {
    let kms = LocalKms::new();
    for spec in KeySpec::ALL {
        // SM2 is for the China regions; RSA_4096 is slow to make (the fixtures have one).
        if matches!(spec, KeySpec::Sm2 | KeySpec::Rsa4096) {
            continue;
        }
        for usage in spec.allowed_key_usages() {
            let metadata = create(&kms, spec.clone(), usage.clone()).await;
            let what = format!("{spec} {usage}");
            assert_eq!(metadata.key_spec.as_ref(), Some(spec), "{what}");
            assert_eq!(
                metadata.customer_master_key_spec.as_ref(),
                Some(spec),
                "{what}"
            );
            assert_eq!(metadata.key_usage.as_ref(), Some(usage), "{what}");
            let listed = |on: bool| on.then_some(());
            assert_eq!(
                metadata.encryption_algorithms.as_deref(),
                listed(*usage == KeyUsage::EncryptDecrypt).map(|()| spec.encryption_algorithms()),
                "{what}"
            );
            assert_eq!(
                metadata.signing_algorithms.as_deref(),
                listed(*usage == KeyUsage::SignVerify).map(|()| spec.signing_algorithms()),
                "{what}"
            );
            assert_eq!(
                metadata.mac_algorithms.as_deref(),
                listed(*usage == KeyUsage::GenerateVerifyMac).map(|()| spec.mac_algorithms()),
                "{what}"
            );
            assert_eq!(
                metadata.key_agreement_algorithms.as_deref(),
                listed(*usage == KeyUsage::KeyAgreement).map(|()| spec.key_agreement_algorithms()),
                "{what}"
            );
            assert_eq!(
                metadata.encapsulation_algorithms.as_deref(),
                listed(*usage == KeyUsage::EncapsulateDecapsulate)
                    .map(|()| spec.encapsulation_algorithms()),
                "{what}"
            );
            // Only symmetric keys have a key material ID (kms-api §1.2).
            assert_eq!(
                metadata.current_key_material_id.is_some(),
                *spec == KeySpec::SymmetricDefault,
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn a_usage_the_spec_does_not_allow_or_a_missing_usage_is_refused_with_aws_messages() {
    let kms = LocalKms::new();
    for spec in KeySpec::ALL {
        for usage in KeyUsage::ALL {
            if spec.allowed_key_usages().contains(usage) {
                continue;
            }
            let request = CreateKeyRequest::new()
                .with_key_spec(spec.clone())
                .with_key_usage(usage.clone());
            assert_error(
                kms.create_key(request).await,
                "ValidationException",
                &format!("KeyUsage {usage} is not compatible with KeySpec {spec}"),
            );
        }
        if *spec != KeySpec::SymmetricDefault {
            assert_error(
                kms.create_key(CreateKeyRequest::new().with_key_spec(spec.clone()))
                    .await,
                "ValidationException",
                "You must specify a KeyUsage value for all KMS keys except for symmetric \
                 encryption keys.",
            );
        }
    }
    assert_eq!(kms.key_count(), 0);
}

#[tokio::test]
async fn sm2_is_refused_outside_the_china_regions() {
    let kms = LocalKms::new();
    for usage in KeySpec::Sm2.allowed_key_usages() {
        let request = CreateKeyRequest::new()
            .with_key_spec(KeySpec::Sm2)
            .with_key_usage(usage.clone());
        assert_error(
            kms.create_key(request).await,
            "UnsupportedOperationException",
            "KeySpec SM2 is not supported in this Region",
        );
    }
}

#[tokio::test]
async fn asymmetric_and_hmac_keys_do_not_rotate() {
    let kms = fixture();
    for alias in ["alias/rsa-sign", "alias/p256-agree", "alias/hmac-256"] {
        let key = describe(&kms, alias).await.key_id;
        let arn = arn(&kms, alias).await;
        let spec = describe(&kms, alias).await.key_spec.unwrap();
        let refused = format!("{arn} key spec is {spec} which is not valid for this operation.");
        assert_error(
            kms.enable_key_rotation(EnableKeyRotationRequest::new(id(&key)))
                .await,
            "UnsupportedOperationException",
            &refused,
        );
        assert_error(
            kms.disable_key_rotation(DisableKeyRotationRequest::new(id(&key)))
                .await,
            "UnsupportedOperationException",
            &refused,
        );
        assert_error(
            kms.get_key_rotation_status(GetKeyRotationStatusRequest::new(id(&key)))
                .await,
            "UnsupportedOperationException",
            &refused,
        );
        assert_error(
            kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(id(&key)))
                .await,
            "UnsupportedOperationException",
            "",
        );
        assert_error(
            kms.list_key_rotations(kms_core::ListKeyRotationsRequest::new(id(&key)))
                .await,
            "UnsupportedOperationException",
            &refused,
        );
    }
}

// --- GetPublicKey, Sign, Verify -------------------------------------------------------------

#[tokio::test]
async fn get_public_key_gives_spki_and_the_algorithms_of_the_key() {
    let kms = fixture();
    let response = kms
        .get_public_key(GetPublicKeyRequest::new(id("alias/rsa-encrypt")))
        .await
        .unwrap();
    assert_eq!(response.key_id, arn(&kms, "alias/rsa-encrypt").await);
    assert_eq!(response.key_spec, Some(KeySpec::Rsa2048));
    assert_eq!(response.customer_master_key_spec, Some(KeySpec::Rsa2048));
    assert_eq!(response.key_usage, Some(KeyUsage::EncryptDecrypt));
    assert_eq!(
        response.encryption_algorithms.as_deref(),
        Some(KeySpec::Rsa2048.encryption_algorithms())
    );
    assert_eq!(response.signing_algorithms, None);
    // SPKI: aws-lc-rs parses it as an RSA public key of 2048 bits.
    let public = aws_lc_rs::rsa::PublicEncryptingKey::from_der(&response.public_key).unwrap();
    assert_eq!(public.key_size_bits(), 2048);

    let response = kms
        .get_public_key(GetPublicKeyRequest::new(id("alias/p256-agree")))
        .await
        .unwrap();
    assert_eq!(
        response.key_agreement_algorithms,
        Some(vec![KeyAgreementAlgorithmSpec::Ecdh])
    );

    for alias in ["alias/symmetric", "alias/hmac-224"] {
        let arn = arn(&kms, alias).await;
        let spec = describe(&kms, alias).await.key_spec.unwrap();
        assert_error(
            kms.get_public_key(GetPublicKeyRequest::new(id(alias)))
                .await,
            "UnsupportedOperationException",
            &format!("{arn} key spec is {spec} which is not valid for GetPublicKey."),
        );
    }
}

/// Every fixture signing key with each of its algorithms.
fn signing_cases() -> Vec<(&'static str, SigningAlgorithmSpec)> {
    use SigningAlgorithmSpec::*;
    let mut cases = vec![
        ("alias/p256-sign", EcdsaSha256),
        ("alias/p384-sign", EcdsaSha384),
        ("alias/p521-sign", EcdsaSha512),
        ("alias/secp256k1-sign", EcdsaSha256),
        ("alias/ed25519-sign", Ed25519Sha512),
        ("alias/ed25519-sign", Ed25519PhSha512),
    ];
    for algorithm in KeySpec::Rsa2048.signing_algorithms() {
        cases.push(("alias/rsa-sign", algorithm.clone()));
    }
    cases
}

/// The hash a `DIGEST` message of `algorithm` is made with.
fn digest_of(algorithm: &SigningAlgorithmSpec, message: &[u8]) -> Vec<u8> {
    match algorithm.digest_len() {
        Some(32) => sha(&aws_lc_rs::digest::SHA256, message),
        Some(48) => sha(&aws_lc_rs::digest::SHA384, message),
        Some(64) => sha(&aws_lc_rs::digest::SHA512, message),
        other => panic!("{algorithm} has no digest ({other:?})"),
    }
}

async fn sign(
    kms: &LocalKms,
    key: &str,
    algorithm: &SigningAlgorithmSpec,
    message_type: MessageType,
    message: &[u8],
) -> kms_core::Result<Vec<u8>> {
    kms.sign(
        SignRequest::new(id(key), SecretBytes::from(message), algorithm.clone())
            .with_message_type(message_type),
    )
    .await
    .map(|response| response.signature)
}

async fn verify(
    kms: &LocalKms,
    key: &str,
    algorithm: &SigningAlgorithmSpec,
    message_type: MessageType,
    message: &[u8],
    signature: Vec<u8>,
) -> kms_core::Result<kms_core::VerifyResponse> {
    kms.verify(
        VerifyRequest::new(
            id(key),
            SecretBytes::from(message),
            signature,
            algorithm.clone(),
        )
        .with_message_type(message_type),
    )
    .await
}

#[tokio::test]
async fn every_signing_algorithm_signs_and_verifies_a_message_and_its_digest_as_one() {
    let kms = fixture();
    let text = message();
    let text = text.expose_secret();
    for (key, algorithm) in signing_cases() {
        let what = format!("{key} {algorithm}");
        let arn = arn(&kms, key).await;
        // ED25519_PH_SHA_512 takes DIGEST only; ED25519_SHA_512 RAW only.
        let (signing_type, signed) = if algorithm == SigningAlgorithmSpec::Ed25519PhSha512 {
            (MessageType::Digest, digest_of(&algorithm, text))
        } else {
            (MessageType::Raw, text.to_vec())
        };
        let response = kms
            .sign(
                SignRequest::new(id(key), SecretBytes::from(&signed[..]), algorithm.clone())
                    .with_message_type(signing_type.clone()),
            )
            .await
            .unwrap();
        assert_eq!(response.key_id, arn, "{what}");
        assert_eq!(
            response.signing_algorithm.as_ref(),
            Some(&algorithm),
            "{what}"
        );
        let signature = response.signature;
        match algorithm.as_str() {
            name if name.starts_with("ECDSA") => assert_eq!(signature[0], 0x30, "{what}: DER"),
            name if name.starts_with("RSASSA") => assert_eq!(signature.len(), 256, "{what}"),
            _ => assert_eq!(signature.len(), 64, "{what}"),
        }
        let verified = verify(
            &kms,
            key,
            &algorithm,
            signing_type.clone(),
            &signed,
            signature.clone(),
        )
        .await
        .unwrap();
        assert!(verified.signature_valid, "{what}");
        assert_eq!(verified.key_id, arn, "{what}");

        if algorithm.as_str().starts_with("ED25519") {
            continue;
        }
        // A message and its digest are the same message: RAW(m) verifies against a
        // signature of DIGEST(H(m)) and the other way round.
        let digest = digest_of(&algorithm, text);
        let of_digest = sign(&kms, key, &algorithm, MessageType::Digest, &digest)
            .await
            .unwrap();
        verify(&kms, key, &algorithm, MessageType::Raw, text, of_digest)
            .await
            .unwrap();
        verify(
            &kms,
            key,
            &algorithm,
            MessageType::Digest,
            &digest,
            signature.clone(),
        )
        .await
        .unwrap();

        // Another message, or a changed signature, is KMSInvalidSignatureException.
        let err = verify(
            &kms,
            key,
            &algorithm,
            MessageType::Raw,
            b"another",
            signature.clone(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::InvalidSignature), "{what}: {err}");
        assert_eq!(err.code(), "KMSInvalidSignatureException");
        let mut changed = signature;
        let last = changed.len() - 2;
        changed[last] ^= 0x10;
        let err = verify(&kms, key, &algorithm, MessageType::Raw, text, changed)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidSignature), "{what}: {err}");
    }
}

#[tokio::test]
async fn ml_dsa_keys_sign_and_verify() {
    let kms = LocalKms::new();
    let algorithm = SigningAlgorithmSpec::MlDsaShake256;
    for (spec, len) in [
        (KeySpec::MlDsa44, 2420),
        (KeySpec::MlDsa65, 3309),
        (KeySpec::MlDsa87, 4627),
    ] {
        let key = create(&kms, spec.clone(), KeyUsage::SignVerify)
            .await
            .key_id;
        let text = message();
        let signature = sign(
            &kms,
            &key,
            &algorithm,
            MessageType::Raw,
            text.expose_secret(),
        )
        .await
        .unwrap();
        assert_eq!(signature.len(), len, "{spec}");
        verify(
            &kms,
            &key,
            &algorithm,
            MessageType::Raw,
            text.expose_secret(),
            signature,
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn sign_and_verify_check_the_key_the_algorithm_and_the_message_as_aws_does() {
    let kms = fixture();
    let rsa_encrypt = arn(&kms, "alias/rsa-encrypt").await;
    let hmac = arn(&kms, "alias/hmac-256").await;
    let text = message();
    let text = text.expose_secret();
    let ecdsa = SigningAlgorithmSpec::EcdsaSha256;

    assert_error(
        sign(
            &kms,
            "alias/rsa-encrypt",
            &SigningAlgorithmSpec::RsassaPssSha256,
            MessageType::Raw,
            text,
        )
        .await,
        "InvalidKeyUsageException",
        &format!("{rsa_encrypt} key usage is ENCRYPT_DECRYPT which is not valid for Sign."),
    );
    assert_error(
        verify(
            &kms,
            "alias/hmac-256",
            &ecdsa,
            MessageType::Raw,
            text,
            vec![1; 64],
        )
        .await,
        "InvalidKeyUsageException",
        &format!("{hmac} key usage is GENERATE_VERIFY_MAC which is not valid for Verify."),
    );
    assert_error(
        sign(
            &kms,
            "alias/p256-sign",
            &SigningAlgorithmSpec::EcdsaSha384,
            MessageType::Raw,
            text,
        )
        .await,
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    );
    assert_error(
        sign(
            &kms,
            "alias/p256-sign",
            &ecdsa,
            MessageType::Digest,
            &[0; 31],
        )
        .await,
        "ValidationException",
        "Digest is invalid length for algorithm ECDSA_SHA_256.",
    );
    assert_error(
        sign(
            &kms,
            "alias/p256-sign",
            &ecdsa,
            MessageType::Raw,
            &[0; 4097],
        )
        .await,
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member \
         must have length less than or equal to 4096",
    );
    assert_error(
        sign(&kms, "alias/p256-sign", &ecdsa, MessageType::Raw, &[]).await,
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member \
         must have length greater than or equal to 1",
    );
    assert!(
        sign(
            &kms,
            "alias/p256-sign",
            &ecdsa,
            MessageType::Raw,
            &[7; 4096]
        )
        .await
        .is_ok()
    );
    let err = sign(
        &kms,
        "alias/p256-sign",
        &SigningAlgorithmSpec::from("ECDSA_SHA_3"),
        MessageType::Raw,
        text,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "ValidationException");
    assert!(err.message().contains("'signingAlgorithm'"), "{err}");
    let err = sign(
        &kms,
        "alias/p256-sign",
        &ecdsa,
        MessageType::from("HASH"),
        text,
    )
    .await
    .unwrap_err();
    assert!(err.message().contains("'messageType'"), "{err}");

    // A dry run answers DryRunOperationException when the request would succeed, whether
    // or not a signature verifies, and the request's own error otherwise.
    let dry_run = "The request would have succeeded, but the DryRun option is set.";
    let request =
        SignRequest::new(id("alias/p256-sign"), message(), ecdsa.clone()).with_dry_run(true);
    assert_error(kms.sign(request).await, "DryRunOperationException", dry_run);
    let request = VerifyRequest::new(
        id("alias/p256-sign"),
        message(),
        vec![0x30, 0],
        ecdsa.clone(),
    )
    .with_dry_run(true);
    assert_error(
        kms.verify(request).await,
        "DryRunOperationException",
        dry_run,
    );
    let request =
        SignRequest::new(id("alias/rsa-encrypt"), message(), ecdsa.clone()).with_dry_run(true);
    assert_eq!(
        kms.sign(request).await.unwrap_err().code(),
        "InvalidKeyUsageException"
    );

    // Key states gate signing as every cryptographic operation.
    let p256 = arn(&kms, "alias/p256-sign").await;
    kms.disable_key(DisableKeyRequest::new(id(&p256)))
        .await
        .unwrap();
    assert_error(
        sign(&kms, "alias/p256-sign", &ecdsa, MessageType::Raw, text).await,
        "DisabledException",
        &format!("{p256} is disabled."),
    );
    let p384 = arn(&kms, "alias/p384-sign").await;
    kms.schedule_key_deletion(ScheduleKeyDeletionRequest::new(id(&p384)))
        .await
        .unwrap();
    assert_error(
        verify(
            &kms,
            "alias/p384-sign",
            &SigningAlgorithmSpec::EcdsaSha384,
            MessageType::Raw,
            text,
            vec![1],
        )
        .await,
        "KMSInvalidStateException",
        &format!("{p384} is pending deletion."),
    );
    assert_error(
        kms.get_public_key(GetPublicKeyRequest::new(id("alias/p256-sign")))
            .await,
        "DisabledException",
        &format!("{p256} is disabled."),
    );
}

// --- GenerateMac, VerifyMac ----------------------------------------------------------------

#[tokio::test]
async fn hmac_keys_generate_and_verify_macs_of_their_algorithm_only() {
    let kms = fixture();
    let cases = [
        ("alias/hmac-224", MacAlgorithmSpec::HmacSha224, 28, 28),
        ("alias/hmac-256", MacAlgorithmSpec::HmacSha256, 32, 32),
        ("alias/hmac-384", MacAlgorithmSpec::HmacSha384, 48, 48),
        ("alias/hmac-512", MacAlgorithmSpec::HmacSha512, 64, 64),
    ];
    for (alias, algorithm, key_len, mac_len) in cases {
        let response = kms
            .generate_mac(GenerateMacRequest::new(
                message(),
                id(alias),
                algorithm.clone(),
            ))
            .await
            .unwrap();
        assert_eq!(response.key_id, arn(&kms, alias).await);
        assert_eq!(response.mac_algorithm.as_ref(), Some(&algorithm));
        assert_eq!(response.mac.len(), mac_len, "{alias}");
        // The fixture key is the bytes 1..=key_len: the MAC is the standard HMAC.
        let expected_key: Vec<u8> = (1..=key_len).collect();
        let hmac_algorithm = match mac_len {
            28 => aws_lc_rs::hmac::HMAC_SHA224,
            32 => aws_lc_rs::hmac::HMAC_SHA256,
            48 => aws_lc_rs::hmac::HMAC_SHA384,
            _ => aws_lc_rs::hmac::HMAC_SHA512,
        };
        let bare = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(hmac_algorithm, &expected_key),
            message().expose_secret(),
        );
        assert_eq!(response.mac, bare.as_ref(), "{alias}");
        let verified = kms
            .verify_mac(VerifyMacRequest::new(
                message(),
                id(alias),
                algorithm.clone(),
                response.mac.clone(),
            ))
            .await
            .unwrap();
        assert!(verified.mac_valid);
        let mut changed = response.mac;
        changed[0] ^= 1;
        let err = kms
            .verify_mac(VerifyMacRequest::new(
                message(),
                id(alias),
                algorithm,
                changed,
            ))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidMac), "{alias}: {err}");
        assert_eq!(err.code(), "KMSInvalidMacException");
    }

    assert_error(
        kms.generate_mac(GenerateMacRequest::new(
            message(),
            id("alias/hmac-224"),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await,
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.",
    );
    let symmetric = arn(&kms, "alias/symmetric").await;
    assert_error(
        kms.generate_mac(GenerateMacRequest::new(
            message(),
            id("alias/symmetric"),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await,
        "InvalidKeyUsageException",
        &format!("{symmetric} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac."),
    );
    let hmac = arn(&kms, "alias/hmac-256").await;
    assert_error(
        kms.encrypt(EncryptRequest::new(id("alias/hmac-256"), b"data"))
            .await,
        "InvalidKeyUsageException",
        &format!("{hmac} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt."),
    );
    assert_error(
        kms.generate_mac(GenerateMacRequest::new(
            SecretBytes::from(&[0u8; 4097][..]),
            id("alias/hmac-256"),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await,
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member \
         must have length less than or equal to 4096",
    );
    let request = VerifyMacRequest::new(
        message(),
        id("alias/hmac-256"),
        MacAlgorithmSpec::HmacSha256,
        vec![0; 32],
    )
    .with_dry_run(true);
    assert_eq!(
        kms.verify_mac(request).await.unwrap_err().code(),
        "DryRunOperationException"
    );
}

// --- RSA Encrypt, Decrypt, ReEncrypt -------------------------------------------------------

#[tokio::test]
async fn rsa_encryption_takes_an_oaep_algorithm_and_decryption_the_key_and_the_algorithm() {
    let kms = fixture();
    let rsa = arn(&kms, "alias/rsa-encrypt").await;
    let oaep = EncryptionAlgorithmSpec::RsaesOaepSha256;
    assert_error(
        kms.encrypt(EncryptRequest::new(id("alias/rsa-encrypt"), b"secret"))
            .await,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    );
    let encrypted = kms
        .encrypt(
            EncryptRequest::new(id("alias/rsa-encrypt"), b"secret")
                .with_encryption_algorithm(oaep.clone()),
        )
        .await
        .unwrap();
    assert_eq!(encrypted.key_id, rsa);
    assert_eq!(encrypted.encryption_algorithm, Some(oaep.clone()));
    // Raw OAEP output, as long as the modulus.
    assert_eq!(encrypted.ciphertext_blob.len(), 256);
    let blob = encrypted.ciphertext_blob;

    assert_eq!(
        kms.decrypt(DecryptRequest::new(blob.clone()).with_encryption_algorithm(oaep.clone()))
            .await
            .unwrap_err()
            .code(),
        "ValidationException",
        "an asymmetric ciphertext names no key"
    );
    assert_error(
        kms.decrypt(DecryptRequest::new(blob.clone()).with_key_id(id("alias/rsa-encrypt")))
            .await,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    );
    let decrypted = kms
        .decrypt(
            DecryptRequest::new(blob.clone())
                .with_key_id(id("alias/rsa-encrypt"))
                .with_encryption_algorithm(oaep.clone()),
        )
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext.expose_secret(), b"secret");
    assert_eq!(decrypted.key_id, rsa);
    assert_eq!(decrypted.encryption_algorithm, Some(oaep.clone()));
    assert_eq!(decrypted.key_material_id, None, "symmetric keys only");
    // The other OAEP hash does not decrypt it.
    let err = kms
        .decrypt(
            DecryptRequest::new(blob)
                .with_key_id(id("alias/rsa-encrypt"))
                .with_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCiphertext), "{err}");

    // A signing key, or a symmetric key with an OAEP algorithm, refuses.
    let signer = arn(&kms, "alias/rsa-sign").await;
    assert_error(
        kms.encrypt(
            EncryptRequest::new(id("alias/rsa-sign"), b"secret")
                .with_encryption_algorithm(oaep.clone()),
        )
        .await,
        "InvalidKeyUsageException",
        &format!("{signer} key usage is SIGN_VERIFY which is not valid for Encrypt."),
    );
    assert_error(
        kms.encrypt(
            EncryptRequest::new(id("alias/symmetric"), b"secret")
                .with_encryption_algorithm(oaep.clone()),
        )
        .await,
        "InvalidKeyUsageException",
        "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.",
    );
    // RSA has no encryption context.
    let with_context = EncryptRequest::new(id("alias/rsa-encrypt"), b"secret")
        .with_encryption_algorithm(oaep.clone())
        .with_encryption_context(EncryptionContext::new().with("a", "b"));
    assert_eq!(
        kms.encrypt(with_context).await.unwrap_err().code(),
        "ValidationException"
    );
    let blob = kms
        .encrypt(
            EncryptRequest::new(id("alias/rsa-encrypt"), b"secret")
                .with_encryption_algorithm(oaep.clone()),
        )
        .await
        .unwrap()
        .ciphertext_blob;
    let with_context = DecryptRequest::new(blob)
        .with_key_id(id("alias/rsa-encrypt"))
        .with_encryption_algorithm(oaep.clone())
        .with_encryption_context(EncryptionContext::new().with("a", "b"));
    assert_eq!(
        kms.decrypt(with_context).await.unwrap_err().code(),
        "ValidationException"
    );
    // Data keys come from symmetric keys only.
    let data_key = GenerateDataKeyRequest::new(id("alias/rsa-encrypt"))
        .with_key_spec(kms_core::DataKeySpec::Aes256);
    assert_eq!(
        kms.generate_data_key(data_key).await.unwrap_err().code(),
        "InvalidKeyUsageException"
    );
}

#[tokio::test]
async fn oaep_plaintext_limits_follow_the_key_size_and_the_hash() {
    let kms = fixture();
    let cases = [
        (
            "alias/rsa-encrypt",
            "RSA_2048",
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            214,
        ),
        (
            "alias/rsa-encrypt",
            "RSA_2048",
            EncryptionAlgorithmSpec::RsaesOaepSha256,
            190,
        ),
        (
            "alias/rsa-4096",
            "RSA_4096",
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            470,
        ),
        (
            "alias/rsa-4096",
            "RSA_4096",
            EncryptionAlgorithmSpec::RsaesOaepSha256,
            446,
        ),
    ];
    for (alias, spec, algorithm, limit) in cases {
        let encrypt = |len: usize| {
            kms.encrypt(
                EncryptRequest::new(id(alias), vec![7u8; len])
                    .with_encryption_algorithm(algorithm.clone()),
            )
        };
        let blob = encrypt(limit).await.unwrap().ciphertext_blob;
        let decrypted = kms
            .decrypt(
                DecryptRequest::new(blob)
                    .with_key_id(id(alias))
                    .with_encryption_algorithm(algorithm.clone()),
            )
            .await
            .unwrap();
        assert_eq!(decrypted.plaintext.expose_secret(), vec![7u8; limit]);
        assert_error(
            encrypt(limit + 1).await,
            "ValidationException",
            &format!(
                "Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than \
                 {limit} bytes."
            ),
        );
    }
}

#[tokio::test]
async fn a_ciphertext_made_offline_with_the_public_key_decrypts_in_kms() {
    use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey};
    let kms = fixture();
    let spki = kms
        .get_public_key(GetPublicKeyRequest::new(id("alias/rsa-4096")))
        .await
        .unwrap()
        .public_key;
    let public = aws_lc_rs::rsa::PublicEncryptingKey::from_der(&spki).unwrap();
    let public = OaepPublicEncryptingKey::new(public).unwrap();
    for (bare, algorithm) in [
        (&OAEP_SHA1_MGF1SHA1, EncryptionAlgorithmSpec::RsaesOaepSha1),
        (
            &OAEP_SHA256_MGF1SHA256,
            EncryptionAlgorithmSpec::RsaesOaepSha256,
        ),
    ] {
        let mut out = vec![0u8; public.ciphertext_size()];
        let ciphertext = public
            .encrypt(bare, b"offline", &mut out, None)
            .unwrap()
            .to_vec();
        let decrypted = kms
            .decrypt(
                DecryptRequest::new(ciphertext)
                    .with_key_id(id("alias/rsa-4096"))
                    .with_encryption_algorithm(algorithm),
            )
            .await
            .unwrap();
        assert_eq!(decrypted.plaintext.expose_secret(), b"offline");
    }
}

#[tokio::test]
async fn re_encrypt_moves_between_rsa_and_symmetric_keys() {
    let kms = fixture();
    let oaep = EncryptionAlgorithmSpec::RsaesOaepSha1;
    let context = EncryptionContext::new().with("to", "symmetric");
    let rsa_blob = kms
        .encrypt(
            EncryptRequest::new(id("alias/rsa-encrypt"), b"moved")
                .with_encryption_algorithm(oaep.clone()),
        )
        .await
        .unwrap()
        .ciphertext_blob;
    // RSA to symmetric: the source needs its key and algorithm.
    let to_symmetric = kms
        .re_encrypt(
            ReEncryptRequest::new(rsa_blob.clone(), id("alias/symmetric"))
                .with_source_key_id(id("alias/rsa-encrypt"))
                .with_source_encryption_algorithm(oaep.clone())
                .with_destination_encryption_context(context.clone()),
        )
        .await
        .unwrap();
    assert_eq!(to_symmetric.source_encryption_algorithm, Some(oaep.clone()));
    assert_eq!(
        to_symmetric.destination_encryption_algorithm,
        Some(EncryptionAlgorithmSpec::SymmetricDefault)
    );
    assert_eq!(to_symmetric.source_key_material_id, None);
    assert!(to_symmetric.destination_key_material_id.is_some());
    assert_eq!(
        to_symmetric.source_key_id,
        Some(arn(&kms, "alias/rsa-encrypt").await)
    );
    let back = kms
        .decrypt(
            DecryptRequest::new(to_symmetric.ciphertext_blob.clone())
                .with_encryption_context(context.clone()),
        )
        .await
        .unwrap();
    assert_eq!(back.plaintext.expose_secret(), b"moved");
    assert_eq!(
        kms.re_encrypt(
            ReEncryptRequest::new(rsa_blob, id("alias/symmetric"))
                .with_source_encryption_algorithm(oaep.clone())
        )
        .await
        .unwrap_err()
        .code(),
        "ValidationException"
    );

    // Symmetric to RSA: the destination needs its algorithm.
    let request = || {
        ReEncryptRequest::new(to_symmetric.ciphertext_blob.clone(), id("alias/rsa-4096"))
            .with_source_encryption_context(context.clone())
    };
    assert_error(
        kms.re_encrypt(request()).await,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.",
    );
    let to_rsa = kms
        .re_encrypt(
            request()
                .with_destination_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha256),
        )
        .await
        .unwrap();
    assert_eq!(to_rsa.ciphertext_blob.len(), 512);
    assert_eq!(to_rsa.destination_key_material_id, None);
    let back = kms
        .decrypt(
            DecryptRequest::new(to_rsa.ciphertext_blob)
                .with_key_id(id("alias/rsa-4096"))
                .with_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha256),
        )
        .await
        .unwrap();
    assert_eq!(back.plaintext.expose_secret(), b"moved");

    // A signing key is no destination.
    let signer = arn(&kms, "alias/rsa-sign").await;
    assert_error(
        kms.re_encrypt(
            ReEncryptRequest::new(to_symmetric.ciphertext_blob.clone(), id("alias/rsa-sign"))
                .with_source_encryption_context(context),
        )
        .await,
        "InvalidKeyUsageException",
        &format!("{signer} key usage is SIGN_VERIFY which is not valid for ReEncrypt."),
    );
}

// --- GenerateDataKeyPair ---------------------------------------------------------------------

#[tokio::test]
async fn data_key_pairs_bind_their_private_key_to_the_symmetric_key_and_context() {
    let kms = fixture();
    let symmetric = describe(&kms, "alias/symmetric").await;
    let context = EncryptionContext::new().with("pair", "bound");
    for spec in DataKeyPairSpec::ALL {
        // SM2 is for the China regions; RSA_3072/4096 pairs are slow to make.
        if matches!(
            spec,
            DataKeyPairSpec::Sm2 | DataKeyPairSpec::Rsa3072 | DataKeyPairSpec::Rsa4096
        ) {
            continue;
        }
        let pair = kms
            .generate_data_key_pair(
                GenerateDataKeyPairRequest::new(id("alias/symmetric"), spec.clone())
                    .with_encryption_context(context.clone()),
            )
            .await
            .unwrap();
        assert_eq!(pair.key_id, symmetric.arn.clone().unwrap(), "{spec}");
        assert_eq!(pair.key_pair_spec, *spec);
        assert_eq!(
            pair.key_material_id, symmetric.current_key_material_id,
            "{spec}"
        );
        assert_eq!(pair.public_key[0], 0x30, "{spec}: SPKI is a DER SEQUENCE");
        let decrypted = kms
            .decrypt(
                DecryptRequest::new(pair.private_key_ciphertext_blob.clone())
                    .with_encryption_context(context.clone()),
            )
            .await
            .unwrap();
        assert_eq!(
            decrypted.plaintext.expose_secret(),
            pair.private_key_plaintext.expose_secret(),
            "{spec}: Decrypt gives the PKCS#8 back"
        );
        let err = kms
            .decrypt(DecryptRequest::new(pair.private_key_ciphertext_blob))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidCiphertext), "{spec}: {err}");
        // The private key is the public key's: seeded elsewhere as a key of the pair's
        // spec, it gives the same public key.
        assert_eq!(
            public_key_of(&spec.key_spec(), pair.private_key_plaintext.expose_secret()).await,
            pair.public_key,
            "{spec}"
        );
    }

    // ECC pairs are standard PKCS#8 and SPKI: aws-lc-rs reads them.
    let pair = kms
        .generate_data_key_pair(GenerateDataKeyPairRequest::new(
            id("alias/symmetric"),
            DataKeyPairSpec::EccNistP256,
        ))
        .await
        .unwrap();
    let signing = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        pair.private_key_plaintext.expose_secret(),
    )
    .unwrap();
    use aws_lc_rs::signature::KeyPair;
    assert_eq!(
        signing.public_key().as_der().unwrap().as_ref(),
        pair.public_key.as_slice()
    );

    let without = kms
        .generate_data_key_pair_without_plaintext(
            GenerateDataKeyPairWithoutPlaintextRequest::new(
                id("alias/symmetric"),
                DataKeyPairSpec::EccNistEdwards25519,
            )
            .with_encryption_context(context.clone()),
        )
        .await
        .unwrap();
    assert_eq!(without.key_pair_spec, DataKeyPairSpec::EccNistEdwards25519);
    let private = kms
        .decrypt(
            DecryptRequest::new(without.private_key_ciphertext_blob)
                .with_encryption_context(context),
        )
        .await
        .unwrap()
        .plaintext;
    assert_eq!(
        public_key_of(&KeySpec::EccNistEdwards25519, private.expose_secret()).await,
        without.public_key
    );
}

/// The public key of `pkcs8` as a key of `spec` seeded into a fresh backend gives it.
async fn public_key_of(spec: &KeySpec, pkcs8: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let usage = &spec.allowed_key_usages()[0];
    let text = format!(
        "[[keys]]\nkey_id = \"00000000-0000-4000-8000-000000000001\"\nkey_spec = \"{spec}\"\n\
         key_usage = \"{usage}\"\nmaterial = \"{}\"\n",
        base64::engine::general_purpose::STANDARD.encode(pkcs8)
    );
    let kms = LocalKms::builder()
        .seed(toml::from_str(&text).unwrap())
        .build()
        .unwrap();
    kms.get_public_key(GetPublicKeyRequest::new(id(
        "00000000-0000-4000-8000-000000000001",
    )))
    .await
    .unwrap()
    .public_key
}

#[tokio::test]
async fn data_key_pairs_come_from_symmetric_encryption_keys_only() {
    let kms = fixture();
    let request =
        |key: &str| GenerateDataKeyPairRequest::new(id(key), DataKeyPairSpec::EccNistP256);
    assert_error(
        kms.generate_data_key_pair(request("alias/rsa-encrypt"))
            .await,
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    );
    let signer = arn(&kms, "alias/p256-sign").await;
    assert_error(
        kms.generate_data_key_pair(request("alias/p256-sign")).await,
        "InvalidKeyUsageException",
        &format!("{signer} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair."),
    );
    assert_error(
        kms.generate_data_key_pair(GenerateDataKeyPairRequest::new(
            id("alias/symmetric"),
            DataKeyPairSpec::Sm2,
        ))
        .await,
        "UnsupportedOperationException",
        "KeySpec SM2 is not supported in this Region",
    );
    let err = kms
        .generate_data_key_pair(GenerateDataKeyPairRequest::new(
            id("alias/symmetric"),
            DataKeyPairSpec::from("RSA_1024"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ValidationException");
    assert!(err.message().contains("'keyPairSpec'"), "{err}");
    assert_eq!(
        kms.generate_data_key_pair(request("alias/symmetric").with_dry_run(true))
            .await
            .unwrap_err()
            .code(),
        "DryRunOperationException"
    );
}

// --- DeriveSharedSecret, Encapsulate, Decapsulate ------------------------------------------

#[tokio::test]
async fn derive_shared_secret_agrees_with_the_peer() {
    use aws_lc_rs::agreement::{self, ECDH_P256, UnparsedPublicKey};
    let kms = fixture();
    let ours = kms
        .get_public_key(GetPublicKeyRequest::new(id("alias/p256-agree")))
        .await
        .unwrap()
        .public_key;
    let peer = agreement::PrivateKey::generate(&ECDH_P256).unwrap();
    let peer_public = peer.compute_public_key().unwrap();
    let peer_spki: PublicKeyX509Der<'static> = peer_public.as_der().unwrap();
    let expected = agreement::agree(&peer, UnparsedPublicKey::new(&ECDH_P256, &ours), (), |z| {
        Ok(z.to_vec())
    })
    .unwrap();
    let response = kms
        .derive_shared_secret(DeriveSharedSecretRequest::new(
            id("alias/p256-agree"),
            KeyAgreementAlgorithmSpec::Ecdh,
            peer_spki.as_ref().to_vec(),
        ))
        .await
        .unwrap();
    assert_eq!(response.shared_secret.expose_secret(), expected);
    assert_eq!(response.key_id, arn(&kms, "alias/p256-agree").await);
    assert_eq!(
        response.key_agreement_algorithm,
        Some(KeyAgreementAlgorithmSpec::Ecdh)
    );
    assert_eq!(response.key_origin, Some(kms_core::OriginType::AwsKms));

    let signer = arn(&kms, "alias/p256-sign").await;
    assert_error(
        kms.derive_shared_secret(DeriveSharedSecretRequest::new(
            id("alias/p256-sign"),
            KeyAgreementAlgorithmSpec::Ecdh,
            peer_spki.as_ref().to_vec(),
        ))
        .await,
        "InvalidKeyUsageException",
        &format!("{signer} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."),
    );
}

#[tokio::test]
async fn ml_kem_keys_encapsulate_and_decapsulate_one_secret() {
    let kms = LocalKms::new();
    for (spec, ciphertext_len) in [
        (KeySpec::MlKem512, 768),
        (KeySpec::MlKem768, 1088),
        (KeySpec::MlKem1024, 1568),
    ] {
        let key = create(&kms, spec.clone(), KeyUsage::EncapsulateDecapsulate)
            .await
            .key_id;
        let encapsulated = kms
            .encapsulate(EncapsulateRequest::new(
                id(&key),
                EncapsulationAlgorithmSpec::MlKem,
            ))
            .await
            .unwrap();
        assert_eq!(encapsulated.shared_secret.len(), 32, "{spec}");
        let ciphertext = encapsulated.shared_secret_ciphertext_blob;
        assert_eq!(ciphertext.len(), ciphertext_len, "{spec}");
        let decapsulated = kms
            .decapsulate(DecapsulateRequest::new(
                id(&key),
                ciphertext.clone(),
                EncapsulationAlgorithmSpec::MlKem,
            ))
            .await
            .unwrap();
        assert_eq!(
            decapsulated.shared_secret.expose_secret(),
            encapsulated.shared_secret.expose_secret(),
            "{spec}"
        );
        let err = kms
            .decapsulate(DecapsulateRequest::new(
                id(&key),
                ciphertext[1..].to_vec(),
                EncapsulationAlgorithmSpec::MlKem,
            ))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidCiphertext), "{spec}: {err}");
    }
    let symmetric = kms
        .create_key(CreateKeyRequest::new())
        .await
        .unwrap()
        .key_metadata;
    assert_error(
        kms.encapsulate(EncapsulateRequest::new(
            id(&symmetric.key_id),
            EncapsulationAlgorithmSpec::MlKem,
        ))
        .await,
        "InvalidKeyUsageException",
        &format!(
            "{} key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate.",
            symmetric.arn.unwrap()
        ),
    );
}

#[tokio::test]
async fn an_alias_moves_only_to_a_key_of_the_same_type_and_usage() {
    use kms_core::{CreateAliasRequest, UpdateAliasRequest};
    let kms = fixture();
    let p256 = describe(&kms, "alias/p256-sign").await.key_id;
    kms.create_alias(CreateAliasRequest::new("alias/signer", id(&p256)))
        .await
        .unwrap();
    // RSA and ECC are both asymmetric: a signing alias moves between them.
    let rsa = describe(&kms, "alias/rsa-sign").await.key_id;
    kms.update_alias(UpdateAliasRequest::new("alias/signer", id(&rsa)))
        .await
        .unwrap();
    for other in ["alias/rsa-encrypt", "alias/hmac-256", "alias/symmetric"] {
        let key = describe(&kms, other).await.key_id;
        let err = kms
            .update_alias(UpdateAliasRequest::new("alias/signer", id(&key)))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ValidationException", "{other}: {err}");
    }
    assert_eq!(describe(&kms, "alias/signer").await.key_id, rsa);
}
