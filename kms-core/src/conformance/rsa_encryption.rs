//! Checks of Encrypt, Decrypt and ReEncrypt with RSA `ENCRYPT_DECRYPT` keys: raw RSAES-OAEP,
//! interchangeable with any OAEP implementation that has the public key.

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPublicEncryptingKey,
    PublicEncryptingKey,
};

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::signing::public_key;
use super::support::{
    Expected, INVALID_CIPHERTEXT, INVALID_KEY_USAGE, Key, Session, VALIDATION,
    algorithm_incompatible, describe, expect_err, expect_refused, invalid_ciphertext, ok,
};
use crate::{
    DecryptRequest, EncryptRequest, EncryptionAlgorithmSpec, EncryptionContext, KeySpec, KeyUsage,
    Kms, ReEncryptRequest,
};

/// Each RSA key spec with its modulus length and the OAEP plaintext limits of SHA-1 and
/// SHA-256 (AWS's Encrypt documentation).
const RSA_SPECS: [(KeySpec, usize, usize, usize); 3] = [
    (KeySpec::Rsa2048, 256, 214, 190),
    (KeySpec::Rsa3072, 384, 342, 318),
    (KeySpec::Rsa4096, 512, 470, 446),
];

/// The OAEP algorithms with their aws-lc-rs twin.
const OAEP: [(EncryptionAlgorithmSpec, &OaepAlgorithm); 2] = [
    (EncryptionAlgorithmSpec::RsaesOaepSha1, &OAEP_SHA1_MGF1SHA1),
    (
        EncryptionAlgorithmSpec::RsaesOaepSha256,
        &OAEP_SHA256_MGF1SHA256,
    ),
];

/// For RSA_2048, RSA_3072 and RSA_4096 (one key each) and both OAEP algorithms: Encrypt
/// takes up to the OAEP limit of the key size and refuses one byte more with AWS's message;
/// the ciphertext is exactly the modulus length, and Decrypt with the key and the algorithm
/// gives the plaintext back, as it does for a ciphertext made with aws-lc-rs from the key of
/// GetPublicKey. The key lists the two OAEP algorithms.
pub async fn rsa_encrypt_decrypt(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let checks = async {
        for (spec, modulus_len, sha1_max, sha256_max) in RSA_SPECS {
            let key = session
                .create_for(spec.clone(), KeyUsage::EncryptDecrypt)
                .await;
            let metadata = describe(kms, &key.by_id()).await;
            assert_eq!(
                metadata.encryption_algorithms.as_deref(),
                Some(spec.encryption_algorithms()),
                "DescribeKey of a {spec} ENCRYPT_DECRYPT key: expected its EncryptionAlgorithms"
            );
            let spki = public_key(kms, &key, &spec).await;
            let Ok(offline) = PublicEncryptingKey::from_der(&spki)
                .and_then(|key| OaepPublicEncryptingKey::new(key).map_err(Into::into))
            else {
                panic!("GetPublicKey of a {spec} key: aws-lc-rs refuses it as an RSA public key");
            };
            for ((algorithm, oaep), max) in OAEP.into_iter().zip([sha1_max, sha256_max]) {
                let what = format!("{algorithm} under a {spec} key");
                for size in [1, max] {
                    let plaintext = vec![0xa5; size];
                    let blob = encrypted(kms, &key, &algorithm, &plaintext, modulus_len).await;
                    decrypted(kms, &key, &algorithm, &blob, &plaintext, &what).await;
                }
                let request = EncryptRequest::new(key.by_id(), vec![0xa5; max + 1])
                    .with_encryption_algorithm(algorithm.clone());
                let max_text = max.to_string();
                let values = [algorithm.as_str(), spec.as_str(), max_text.as_str()];
                let expected = Expected::aws(AwsMessage::OaepPlaintextTooLarge, &values);
                let what = format!("Encrypt of {} bytes with {what}", max + 1);
                expect_err(kms.encrypt(request).await, &what, expected);

                let plaintext = b"encrypted offline with the public key";
                let mut out = vec![0; offline.ciphertext_size()];
                let Ok(blob) = offline.encrypt(oaep, plaintext, &mut out, None) else {
                    panic!("aws-lc-rs could not encrypt with the {spec} public key");
                };
                let what = format!("Decrypt of an offline {algorithm} ciphertext");
                decrypted(kms, &key, &algorithm, blob, plaintext, &what).await;
            }
        }
    };
    caps.gate(Flag::RsaEncryption, "RSA encryption", checks)
        .await;
    session.finish().await;
}

/// Encrypts `plaintext` under the RSA `key` with `algorithm`: a raw ciphertext of the
/// modulus length, with the key ARN and the algorithm.
async fn encrypted(
    kms: &dyn Kms,
    key: &Key,
    algorithm: &EncryptionAlgorithmSpec,
    plaintext: &[u8],
    modulus_len: usize,
) -> Vec<u8> {
    let what = format!("Encrypt of {} bytes with {algorithm}", plaintext.len());
    let request =
        EncryptRequest::new(key.by_id(), plaintext).with_encryption_algorithm(algorithm.clone());
    let response = ok(kms.encrypt(request).await, &what);
    assert_eq!(
        (
            response.ciphertext_blob.len(),
            response.key_id.as_str(),
            response.encryption_algorithm.as_ref()
        ),
        (modulus_len, key.arn.as_str(), Some(algorithm)),
        "{what}: expected a ciphertext of the modulus length, the key ARN and the algorithm"
    );
    response.ciphertext_blob
}

/// Decrypts `blob` with the RSA `key` and `algorithm`; it must give `plaintext`.
async fn decrypted(
    kms: &dyn Kms,
    key: &Key,
    algorithm: &EncryptionAlgorithmSpec,
    blob: &[u8],
    plaintext: &[u8],
    what: &str,
) {
    let request = DecryptRequest::new(blob)
        .with_key_id(key.by_id())
        .with_encryption_algorithm(algorithm.clone());
    let response = ok(kms.decrypt(request).await, what);
    assert!(
        response.plaintext.expose_secret() == plaintext,
        "{what}: expected the {} bytes that were encrypted",
        plaintext.len()
    );
    assert_eq!(
        (
            response.key_id.as_str(),
            response.encryption_algorithm.as_ref()
        ),
        (key.arn.as_str(), Some(algorithm)),
        "{what}: expected the key ARN and the algorithm"
    );
}

/// Encrypt with an RSA key needs its algorithm (the default, SYMMETRIC_DEFAULT, is
/// `Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.`); Decrypt of an RSA
/// ciphertext needs the key and the algorithm, and the other OAEP algorithm does not open it;
/// a symmetric key refuses the OAEP algorithms. ReEncrypt takes an RSA ciphertext with its
/// key and algorithm to a symmetric key.
pub async fn rsa_encryption_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let checks = async {
        let key = session
            .create_for(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt)
            .await;
        let sha256 = EncryptionAlgorithmSpec::RsaesOaepSha256;
        let plaintext = b"RSA plaintext";
        let blob = encrypted(kms, &key, &sha256, plaintext, 256).await;

        let request = EncryptRequest::new(key.by_id(), plaintext.as_slice());
        let expected = algorithm_incompatible("SYMMETRIC_DEFAULT", &KeySpec::Rsa2048);
        expect_err(
            kms.encrypt(request).await,
            "Encrypt with RSA_2048 and no algorithm",
            expected,
        );

        let request =
            DecryptRequest::new(blob.as_slice()).with_encryption_algorithm(sha256.clone());
        let what = "Decrypt of an RSA ciphertext without KeyId";
        // No reference gives AWS's exception here: the key is missing (ValidationException),
        // or the blob is read as a symmetric ciphertext (InvalidCiphertextException).
        let codes = [VALIDATION, INVALID_CIPHERTEXT];
        expect_refused(kms.decrypt(request).await, what, &codes);
        let request = DecryptRequest::new(blob.as_slice()).with_key_id(key.by_id());
        let what = "Decrypt of an RSA ciphertext without EncryptionAlgorithm";
        expect_err(
            kms.decrypt(request).await,
            what,
            Expected::code(INVALID_KEY_USAGE),
        );
        let request = DecryptRequest::new(blob.as_slice())
            .with_key_id(key.by_id())
            .with_encryption_algorithm(EncryptionAlgorithmSpec::RsaesOaepSha1);
        let what = "Decrypt with RSAES_OAEP_SHA_1 of an RSAES_OAEP_SHA_256 ciphertext";
        expect_err(kms.decrypt(request).await, what, invalid_ciphertext());

        let symmetric = session.key().await;
        let request = EncryptRequest::new(symmetric.by_id(), plaintext.as_slice())
            .with_encryption_algorithm(sha256.clone());
        let what = "Encrypt with RSAES_OAEP_SHA_256 under a symmetric key";
        expect_err(
            kms.encrypt(request).await,
            what,
            Expected::code(INVALID_KEY_USAGE),
        );

        let request = ReEncryptRequest::new(blob.as_slice(), symmetric.by_id())
            .with_source_key_id(key.by_id())
            .with_source_encryption_algorithm(sha256.clone());
        let what = "ReEncrypt of an RSA ciphertext to a symmetric key";
        let response = ok(kms.re_encrypt(request).await, what);
        let context = EncryptionContext::new();
        let what = "Decrypt of the re-encrypted RSA plaintext";
        super::support::decrypt(kms, &response.ciphertext_blob, &context, plaintext, what).await;
    };
    caps.gate(Flag::RsaEncryption, "RSA encryption validation", checks)
        .await;
    session.finish().await;
}
