//! Asymmetric and HMAC keys of moto 5.2.5 through `AwsKms`: what moto implements, checked
//! independently of any backend (every signature and public key through aws-lc-rs), and each
//! way moto differs from AWS KMS, pinned by a test of its own (named `moto_…`) so that the day
//! moto changes, the test says so.
//!
//! moto implements GetPublicKey, Sign, Verify, GenerateMac and VerifyMac for RSA_2048/3072/4096,
//! ECC_NIST_P256/P384/P521, ECC_SECG_P256K1 and HMAC_224/256/384/512 keys; it lacks
//! GenerateDataKeyPair[WithoutPlaintext], DeriveSharedSecret, Encapsulate, Decapsulate, and the
//! key specs ECC_NIST_EDWARDS25519, ML_DSA_* and ML_KEM_*.

use aws_lc_rs::digest;
use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
use aws_lc_rs::signature::{self, RsaParameters, RsaPssSaltLength, VerificationAlgorithm};
use aws_sdk_kms::config::retry::RetryConfig;
use kms_core::{
    CreateKeyRequest, DataKeyPairSpec, DecapsulateRequest, DecryptRequest,
    DeriveSharedSecretRequest, EncapsulateRequest, EncapsulationAlgorithmSpec, EncryptRequest,
    EncryptionAlgorithmSpec, Error, GenerateDataKeyPairRequest,
    GenerateDataKeyPairWithoutPlaintextRequest, GenerateMacRequest, GetPublicKeyRequest,
    KeyAgreementAlgorithmSpec, KeyId, KeyMetadata, KeySpec, KeyUsage, Kms, MacAlgorithmSpec,
    MessageType, SignRequest, SigningAlgorithmSpec, VerifyMacRequest, VerifyRequest,
};

use super::{moto, moto_builder};

/// The message signed and MACed here.
const MESSAGE: &[u8] = b"moto signs this message";

/// Creates a key of `spec` for `usage` and returns its ID and metadata.
async fn create(kms: &dyn Kms, spec: KeySpec, usage: KeyUsage) -> (KeyId, KeyMetadata) {
    let request = CreateKeyRequest::new()
        .with_key_spec(spec.clone())
        .with_key_usage(usage)
        .with_description(format!("kms-aws moto test, {spec}"));
    let metadata = kms.create_key(request).await.unwrap().key_metadata;
    (KeyId::parse(&metadata.key_id).unwrap(), metadata)
}

/// Whether `signature` of `message` verifies under the DER SubjectPublicKeyInfo `spki`.
fn verifies(
    algorithm: &'static dyn VerificationAlgorithm,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    signature::UnparsedPublicKey::new(algorithm, spki)
        .verify(message, signature)
        .is_ok()
}

/// A copy of `bytes` with its last byte changed.
fn altered(bytes: &[u8]) -> Vec<u8> {
    let mut altered = bytes.to_vec();
    if let Some(last) = altered.last_mut() {
        *last ^= 0x01;
    }
    altered
}

/// Signs [`MESSAGE`] (RAW) with `key_id` and checks the answer.
async fn sign(
    kms: &dyn Kms,
    key_id: &KeyId,
    arn: &str,
    algorithm: SigningAlgorithmSpec,
) -> Vec<u8> {
    let request = SignRequest::new(key_id.clone(), MESSAGE, algorithm.clone())
        .with_message_type(MessageType::Raw);
    let response = kms.sign(request).await.unwrap();
    assert_eq!(response.key_id, arn);
    assert_eq!(response.signing_algorithm, Some(algorithm));
    response.signature
}

/// Verify through moto: the signature is accepted, and an altered one or another message is
/// the error AWS answers.
async fn check_verify(kms: &dyn Kms, key_id: &KeyId, algorithm: &SigningAlgorithmSpec, sig: &[u8]) {
    let request = |message: &[u8], signature: &[u8]| {
        VerifyRequest::new(
            key_id.clone(),
            message,
            signature.to_vec(),
            algorithm.clone(),
        )
    };
    let response = kms.verify(request(MESSAGE, sig)).await.unwrap();
    assert!(response.signature_valid);
    assert_eq!(response.signing_algorithm.as_ref(), Some(algorithm));
    for (message, signature) in [(MESSAGE, altered(sig)), (b"another message", sig.to_vec())] {
        let err = kms.verify(request(message, &signature)).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidSignature),
            "{algorithm}: {err:?}"
        );
    }
}

#[tokio::test]
async fn ecdsa_signatures_check_out_with_aws_lc_rs() {
    let kms = moto().await;
    let cases: [(
        KeySpec,
        SigningAlgorithmSpec,
        &'static dyn VerificationAlgorithm,
    ); 4] = [
        (
            KeySpec::EccNistP256,
            SigningAlgorithmSpec::EcdsaSha256,
            &signature::ECDSA_P256_SHA256_ASN1,
        ),
        (
            KeySpec::EccNistP384,
            SigningAlgorithmSpec::EcdsaSha384,
            &signature::ECDSA_P384_SHA384_ASN1,
        ),
        (
            KeySpec::EccNistP521,
            SigningAlgorithmSpec::EcdsaSha512,
            &signature::ECDSA_P521_SHA512_ASN1,
        ),
        (
            KeySpec::EccSecgP256k1,
            SigningAlgorithmSpec::EcdsaSha256,
            &signature::ECDSA_P256K1_SHA256_ASN1,
        ),
    ];
    for (spec, algorithm, verification) in cases {
        let (key_id, metadata) = create(&kms, spec.clone(), KeyUsage::SignVerify).await;
        assert_eq!(metadata.key_spec.as_ref(), Some(&spec));
        assert_eq!(metadata.key_usage, Some(KeyUsage::SignVerify));
        assert_eq!(
            metadata.signing_algorithms.as_deref(),
            Some(spec.signing_algorithms())
        );
        let arn = metadata.arn.unwrap();
        let public = kms
            .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
            .await
            .unwrap();
        assert_eq!(
            public.signing_algorithms.as_deref(),
            Some(spec.signing_algorithms())
        );
        let sig = sign(&kms, &key_id, &arn, algorithm.clone()).await;
        assert!(
            verifies(verification, &public.public_key, MESSAGE, &sig),
            "{spec}: moto's DER ECDSA signature does not verify under its public key"
        );
        assert!(!verifies(
            verification,
            &public.public_key,
            MESSAGE,
            &altered(&sig)
        ));
        check_verify(&kms, &key_id, &algorithm, &sig).await;
    }
}

#[tokio::test]
async fn rsa_pkcs1_signatures_check_out_with_aws_lc_rs() {
    let kms = moto().await;
    let (key_id, metadata) = create(&kms, KeySpec::Rsa2048, KeyUsage::SignVerify).await;
    assert_eq!(
        metadata.signing_algorithms.as_deref().map(<[_]>::len),
        Some(6)
    );
    assert_eq!(metadata.encryption_algorithms, None);
    let arn = metadata.arn.unwrap();
    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
        .await
        .unwrap();
    let cases: [(SigningAlgorithmSpec, &'static dyn VerificationAlgorithm); 3] = [
        (
            SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        (
            SigningAlgorithmSpec::RsassaPkcs1V15Sha384,
            &signature::RSA_PKCS1_2048_8192_SHA384,
        ),
        (
            SigningAlgorithmSpec::RsassaPkcs1V15Sha512,
            &signature::RSA_PKCS1_2048_8192_SHA512,
        ),
    ];
    for (algorithm, verification) in cases {
        let sig = sign(&kms, &key_id, &arn, algorithm.clone()).await;
        assert_eq!(sig.len(), 256, "{algorithm}");
        assert!(
            verifies(verification, &public.public_key, MESSAGE, &sig),
            "{algorithm}: moto's signature does not verify under its public key"
        );
        check_verify(&kms, &key_id, &algorithm, &sig).await;
    }
}

/// AWS signs RSASSA-PSS with a salt as long as the hash; moto uses the longest salt the key
/// allows (`PSS.MAX_LENGTH`). Its signatures verify with that salt length only, so a verifier
/// that follows AWS (OpenSSL with `rsa_pss_saltlen:digest`, aws-lc-rs by default) rejects them.
#[tokio::test]
async fn moto_signs_rsa_pss_with_the_longest_salt() {
    const PSS_SHA256_MAX: RsaParameters =
        signature::RSA_PSS_2048_8192_SHA256.with_pss_salt_length(RsaPssSaltLength::Max);
    const PSS_SHA384_MAX: RsaParameters =
        signature::RSA_PSS_2048_8192_SHA384.with_pss_salt_length(RsaPssSaltLength::Max);
    const PSS_SHA512_MAX: RsaParameters =
        signature::RSA_PSS_2048_8192_SHA512.with_pss_salt_length(RsaPssSaltLength::Max);
    let kms = moto().await;
    let (key_id, metadata) = create(&kms, KeySpec::Rsa3072, KeyUsage::SignVerify).await;
    let arn = metadata.arn.unwrap();
    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
        .await
        .unwrap();
    let cases: [(
        SigningAlgorithmSpec,
        &'static RsaParameters,
        &'static RsaParameters,
    ); 3] = [
        (
            SigningAlgorithmSpec::RsassaPssSha256,
            &signature::RSA_PSS_2048_8192_SHA256,
            &PSS_SHA256_MAX,
        ),
        (
            SigningAlgorithmSpec::RsassaPssSha384,
            &signature::RSA_PSS_2048_8192_SHA384,
            &PSS_SHA384_MAX,
        ),
        (
            SigningAlgorithmSpec::RsassaPssSha512,
            &signature::RSA_PSS_2048_8192_SHA512,
            &PSS_SHA512_MAX,
        ),
    ];
    for (algorithm, as_aws, longest_salt) in cases {
        let sig = sign(&kms, &key_id, &arn, algorithm.clone()).await;
        assert_eq!(sig.len(), 384, "{algorithm}");
        assert!(
            verifies(longest_salt, &public.public_key, MESSAGE, &sig),
            "{algorithm}: not a PSS signature with the longest salt"
        );
        assert!(
            !verifies(as_aws, &public.public_key, MESSAGE, &sig),
            "{algorithm}: moto now salts as AWS does (the hash's length)"
        );
        check_verify(&kms, &key_id, &algorithm, &sig).await;
    }
}

/// AWS signs a DIGEST message as the digest it is; moto ignores MessageType and hashes the
/// digest again, so its signature is one of the digest taken as a message.
#[tokio::test]
async fn moto_hashes_digest_messages_again() {
    let kms = moto().await;
    let (key_id, metadata) = create(&kms, KeySpec::EccNistP256, KeyUsage::SignVerify).await;
    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
        .await
        .unwrap();
    let digest = digest::digest(&digest::SHA256, MESSAGE);
    let request = SignRequest::new(
        key_id.clone(),
        digest.as_ref(),
        SigningAlgorithmSpec::EcdsaSha256,
    )
    .with_message_type(MessageType::Digest);
    let response = kms.sign(request).await.unwrap();
    assert_eq!(Some(response.key_id), metadata.arn);
    let ecdsa = &signature::ECDSA_P256_SHA256_ASN1;
    assert!(
        !verifies(ecdsa, &public.public_key, MESSAGE, &response.signature),
        "moto now signs a DIGEST as AWS does"
    );
    assert!(verifies(
        ecdsa,
        &public.public_key,
        digest.as_ref(),
        &response.signature
    ));
}

/// GetPublicKey: a DER SubjectPublicKeyInfo that aws-lc-rs reads, the key's usage and
/// algorithms. moto differs from AWS in the answer's other members: KeyId is the key ID
/// (AWS: the key ARN), and KeySpec is missing (only the deprecated CustomerMasterKeySpec).
#[tokio::test]
async fn get_public_key_of_an_rsa_encryption_key() {
    let kms = moto().await;
    let (key_id, metadata) = create(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    assert_eq!(
        metadata.encryption_algorithms.as_deref(),
        Some(KeySpec::Rsa2048.encryption_algorithms())
    );
    assert_eq!(metadata.signing_algorithms, None);
    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
        .await
        .unwrap();
    let key = PublicEncryptingKey::from_der(&public.public_key).unwrap();
    assert_eq!(key.key_size_bits(), 2048);
    assert_eq!(public.key_usage, Some(KeyUsage::EncryptDecrypt));
    assert_eq!(
        public.encryption_algorithms.as_deref(),
        Some(KeySpec::Rsa2048.encryption_algorithms())
    );
    assert_eq!(public.customer_master_key_spec, Some(KeySpec::Rsa2048));
    // moto's deviations.
    assert_eq!(
        public.key_id, metadata.key_id,
        "moto now answers the key ARN"
    );
    assert_eq!(public.key_spec, None, "moto now answers KeySpec");
}

/// AWS encrypts with RSA keys by RSAES-OAEP: the ciphertext is the modulus long, and one
/// made offline with the public key decrypts. moto encrypts with its symmetric format under
/// every key, whatever the algorithm: its ciphertexts round-trip, but one made offline does
/// not decrypt.
#[tokio::test]
async fn moto_encrypts_with_rsa_keys_symmetrically() {
    let kms = moto().await;
    let (key_id, _) = create(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let request = EncryptRequest::new(key_id.clone(), b"offline secret")
        .with_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha256);
    let encrypted = kms.encrypt(request).await.unwrap();
    assert_ne!(
        encrypted.ciphertext_blob.len(),
        256,
        "moto now encrypts with RSAES-OAEP"
    );
    let decrypt = |blob: Vec<u8>| {
        DecryptRequest::new(blob)
            .with_key_id(key_id.clone())
            .with_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha256)
    };
    let decrypted = kms
        .decrypt(decrypt(encrypted.ciphertext_blob))
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext.expose_secret(), b"offline secret");

    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id.clone()))
        .await
        .unwrap();
    let oaep =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(&public.public_key).unwrap())
            .unwrap();
    let mut offline = vec![0; oaep.ciphertext_size()];
    let offline = oaep
        .encrypt(
            &OAEP_SHA256_MGF1SHA256,
            b"offline secret",
            &mut offline,
            None,
        )
        .unwrap()
        .to_vec();
    let err = kms.decrypt(decrypt(offline)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidCiphertext), "{err:?}");
}

#[tokio::test]
async fn hmac_keys_generate_and_verify_macs() {
    let kms = moto().await;
    let cases = [
        (KeySpec::Hmac224, MacAlgorithmSpec::HmacSha224, 28),
        (KeySpec::Hmac256, MacAlgorithmSpec::HmacSha256, 32),
        (KeySpec::Hmac384, MacAlgorithmSpec::HmacSha384, 48),
        (KeySpec::Hmac512, MacAlgorithmSpec::HmacSha512, 64),
    ];
    for (spec, algorithm, length) in cases {
        let (key_id, metadata) = create(&kms, spec.clone(), KeyUsage::GenerateVerifyMac).await;
        assert_eq!(metadata.key_usage, Some(KeyUsage::GenerateVerifyMac));
        let request = GenerateMacRequest::new(MESSAGE, key_id.clone(), algorithm.clone());
        let mac = kms.generate_mac(request).await.unwrap();
        assert_eq!(mac.mac.len(), length, "{spec}");
        assert_eq!(mac.mac_algorithm.as_ref(), Some(&algorithm));
        let again = kms
            .generate_mac(GenerateMacRequest::new(
                MESSAGE,
                key_id.clone(),
                algorithm.clone(),
            ))
            .await
            .unwrap();
        assert_eq!(again.mac, mac.mac, "{spec}: HMAC is deterministic");
        let verify = |message: &[u8], tag: Vec<u8>| {
            VerifyMacRequest::new(message, key_id.clone(), algorithm.clone(), tag)
        };
        let verified = kms
            .verify_mac(verify(MESSAGE, mac.mac.clone()))
            .await
            .unwrap();
        assert!(verified.mac_valid);
        for (message, tag) in [
            (MESSAGE, altered(&mac.mac)),
            (&b"another message"[..], mac.mac.clone()),
        ] {
            let err = kms.verify_mac(verify(message, tag)).await.unwrap_err();
            assert!(matches!(err, Error::InvalidMac), "{spec}: {err:?}");
        }
    }
}

/// moto's HMAC keys differ from AWS's: no MacAlgorithms in their metadata, the KeyId of
/// GenerateMac is the key ID (AWS: the key ARN), and any HMAC algorithm is accepted whatever
/// the key's spec (AWS: InvalidKeyUsageException, "Algorithm HMAC_SHA_512 is incompatible
/// with key spec HMAC_256.").
#[tokio::test]
async fn moto_hmac_keys_deviations() {
    let kms = moto().await;
    let (key_id, metadata) = create(&kms, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac).await;
    assert_eq!(
        metadata.mac_algorithms, None,
        "moto now lists MacAlgorithms"
    );
    let request = GenerateMacRequest::new(MESSAGE, key_id.clone(), MacAlgorithmSpec::HmacSha512);
    let mac = kms.generate_mac(request).await.unwrap();
    assert_eq!(
        mac.mac.len(),
        64,
        "moto now refuses an algorithm of another spec"
    );
    assert_eq!(mac.key_id, metadata.key_id, "moto now answers the key ARN");
}

/// AWS refuses Sign with a key of another usage with InvalidKeyUsageException; moto answers
/// ValidationException.
#[tokio::test]
async fn moto_refuses_signing_with_an_encryption_key_as_a_validation_error() {
    let kms = moto().await;
    let (key_id, _) = create(&kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt).await;
    let request = SignRequest::new(key_id, MESSAGE, SigningAlgorithmSpec::RsassaPssSha256);
    let err = kms.sign(request).await.unwrap_err();
    assert_eq!(err.code(), "ValidationException", "{err:?}");
    assert!(err.message().contains("SIGN_VERIFY"), "{err}");
}

/// AWS answers GetPublicKey of a symmetric key with UnsupportedOperationException; moto keeps
/// an RSA key pair behind every key and answers its public key.
#[tokio::test]
async fn moto_answers_a_public_key_for_symmetric_keys() {
    let kms = moto().await;
    let (key_id, _) = create(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let public = kms
        .get_public_key(GetPublicKeyRequest::new(key_id))
        .await
        .unwrap();
    assert_eq!(
        PublicEncryptingKey::from_der(&public.public_key)
            .unwrap()
            .key_size_bits(),
        2048
    );
}

/// The key specs newer than moto 5.2.5 are refused at creation.
#[tokio::test]
async fn moto_lacks_the_newer_key_specs() {
    let kms = moto().await;
    for (spec, usage) in [
        (KeySpec::EccNistEdwards25519, KeyUsage::SignVerify),
        (KeySpec::MlDsa65, KeyUsage::SignVerify),
        (KeySpec::MlKem768, KeyUsage::EncapsulateDecapsulate),
    ] {
        let request = CreateKeyRequest::new()
            .with_key_spec(spec.clone())
            .with_key_usage(usage);
        let err = kms.create_key(request).await.unwrap_err();
        assert_eq!(err.code(), "ValidationException", "{spec}: {err:?}");
    }
}

/// The operations moto 5.2.5 lacks fail with HTTP 500 (a page of HTML, no exception), which
/// arrives as a backend error naming the operation and the status.
#[tokio::test]
async fn moto_lacks_data_key_pairs_and_shared_secrets() {
    let kms = moto_builder()
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .unwrap();
    let (symmetric, _) = create(&kms, KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt).await;
    let (agreement, _) = create(&kms, KeySpec::EccNistP256, KeyUsage::KeyAgreement).await;
    let results = [
        (
            "GenerateDataKeyPair",
            kms.generate_data_key_pair(GenerateDataKeyPairRequest::new(
                symmetric.clone(),
                DataKeyPairSpec::EccNistP256,
            ))
            .await
            .err(),
        ),
        (
            "GenerateDataKeyPairWithoutPlaintext",
            kms.generate_data_key_pair_without_plaintext(
                GenerateDataKeyPairWithoutPlaintextRequest::new(
                    symmetric.clone(),
                    DataKeyPairSpec::Rsa2048,
                ),
            )
            .await
            .err(),
        ),
        (
            "DeriveSharedSecret",
            kms.derive_shared_secret(DeriveSharedSecretRequest::new(
                agreement.clone(),
                KeyAgreementAlgorithmSpec::Ecdh,
                vec![0x30; 91],
            ))
            .await
            .err(),
        ),
        (
            "Encapsulate",
            kms.encapsulate(EncapsulateRequest::new(
                symmetric.clone(),
                EncapsulationAlgorithmSpec::MlKem,
            ))
            .await
            .err(),
        ),
        (
            "Decapsulate",
            kms.decapsulate(DecapsulateRequest::new(
                symmetric.clone(),
                vec![0; 1088],
                EncapsulationAlgorithmSpec::MlKem,
            ))
            .await
            .err(),
        ),
    ];
    for (operation, err) in results {
        let err = err.unwrap_or_else(|| panic!("moto now implements {operation}"));
        assert!(
            matches!(
                &err,
                Error::Backend {
                    retryable: true,
                    ..
                }
            ),
            "{operation}: {err:?}"
        );
        assert!(
            err.message()
                .starts_with(&format!("{operation} failed at "))
                && err.message().contains("HTTP status 500"),
            "{operation}: {err}"
        );
    }
}

/// AWS refuses a signature that does not verify with KMSInvalidSignatureException; moto
/// answers `SignatureValid: false` (which `AwsKms` turns into the same error, as checked
/// above). Seen here through the SDK client itself.
#[tokio::test]
async fn moto_answers_a_bad_signature_with_false() {
    let kms = moto().await;
    let (key_id, _) = create(&kms, KeySpec::EccNistP256, KeyUsage::SignVerify).await;
    let output = kms
        .client()
        .verify()
        .key_id(key_id.as_str())
        .message(aws_sdk_kms::primitives::Blob::new(MESSAGE))
        .signature(aws_sdk_kms::primitives::Blob::new(vec![
            0x30, 0x06, 2, 1, 1, 2, 1, 1,
        ]))
        .signing_algorithm(aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256)
        .send()
        .await
        .expect("moto now refuses a bad signature with KMSInvalidSignatureException");
    assert!(!output.signature_valid);
}

/// AWS limits Message to 4096 bytes (ValidationException); moto signs longer ones.
#[tokio::test]
async fn moto_signs_messages_over_4096_bytes() {
    let kms = moto().await;
    let (key_id, _) = create(&kms, KeySpec::EccNistP256, KeyUsage::SignVerify).await;
    let request = SignRequest::new(key_id, &[7u8; 4097][..], SigningAlgorithmSpec::EcdsaSha256);
    let signed = kms.sign(request).await;
    assert!(signed.is_ok(), "moto now limits messages: {signed:?}");
}

/// AWS lists KeyAgreementAlgorithms [ECDH] and no SigningAlgorithms for a KEY_AGREEMENT key;
/// moto lists its curve's signing algorithm instead.
#[tokio::test]
async fn moto_lists_signing_algorithms_for_key_agreement_keys() {
    let kms = moto().await;
    let (_, metadata) = create(&kms, KeySpec::EccNistP384, KeyUsage::KeyAgreement).await;
    assert_eq!(metadata.key_usage, Some(KeyUsage::KeyAgreement));
    assert_eq!(metadata.key_agreement_algorithms, None);
    assert_eq!(
        metadata.signing_algorithms,
        Some(vec![SigningAlgorithmSpec::EcdsaSha384]),
        "moto now lists the algorithms of KEY_AGREEMENT keys as AWS does"
    );
}
