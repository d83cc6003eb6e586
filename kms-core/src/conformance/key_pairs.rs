//! Checks of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

use super::capabilities::{Capabilities, Flag};
use super::public_keys::{assert_spki, expected_algorithm, parse_pkcs8};
use super::support::{
    Expected, INVALID_KEY_USAGE, Key, Session, decrypt, expect_err, invalid_ciphertext, ok,
};
use crate::{
    DataKeyPairSpec, DecryptRequest, EncryptionContext, GenerateDataKeyPairRequest,
    GenerateDataKeyPairWithoutPlaintextRequest, KeySpec, KeyUsage, Kms,
};

/// The key pair specs the checks generate: all but SM2 (China Regions only) and RSA_3072
/// and RSA_4096, slow to generate.
const PAIR_SPECS: [DataKeyPairSpec; 9] = [
    DataKeyPairSpec::Rsa2048,
    DataKeyPairSpec::EccNistP256,
    DataKeyPairSpec::EccNistP384,
    DataKeyPairSpec::EccNistP521,
    DataKeyPairSpec::EccSecgP256k1,
    DataKeyPairSpec::EccNistEdwards25519,
    DataKeyPairSpec::MlKem512,
    DataKeyPairSpec::MlKem768,
    DataKeyPairSpec::MlKem1024,
];

/// The message a pair's private key signs to show that it belongs to the public key.
const MESSAGE: &[u8] = b"signed with a data key pair";

/// For each key pair spec: GenerateDataKeyPair under a symmetric key answers the key ARN,
/// the spec, a DER PKCS#8 private key (ML-KEM in seed form, of one length for every ML-KEM
/// spec) of the spec's algorithm and a DER SubjectPublicKeyInfo that belongs to it (a
/// signature of the private key verifies with the public key); the encrypted private key
/// decrypts to the plaintext one with the encryption context and not without it.
/// GenerateDataKeyPairWithoutPlaintext gives a public key and an encrypted private key that
/// belong together as well.
pub async fn generate_data_key_pair(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let checks = async {
        let key = session.key().await;
        let context = EncryptionContext::from([("purpose", "data key pair")]);
        let mut ml_kem_lengths = Vec::new();
        for spec in PAIR_SPECS {
            let what = format!("GenerateDataKeyPair of {spec}");
            let request = GenerateDataKeyPairRequest::new(key.by_id(), spec.clone())
                .with_encryption_context(context.clone());
            let pair = ok(kms.generate_data_key_pair(request).await, &what);
            assert_eq!(
                (pair.key_id.as_str(), &pair.key_pair_spec),
                (key.arn.as_str(), &spec),
                "{what}: expected the key ARN and the key pair spec"
            );
            let private_key = pair.private_key_plaintext.expose_secret();
            assert_pair(&spec, private_key, &pair.public_key, &what);
            if !spec.key_spec().encapsulation_algorithms().is_empty() {
                ml_kem_lengths.push(private_key.len());
            }
            let blob = &pair.private_key_ciphertext_blob;
            let what = format!("Decrypt of the private key of {spec}");
            decrypt(kms, blob, &context, private_key, &what).await;
            let request = DecryptRequest::new(blob.as_slice());
            let what = format!("{what} without its encryption context");
            expect_err(kms.decrypt(request).await, &what, invalid_ciphertext());

            let what = format!("GenerateDataKeyPairWithoutPlaintext of {spec}");
            let request =
                GenerateDataKeyPairWithoutPlaintextRequest::new(key.by_id(), spec.clone())
                    .with_encryption_context(context.clone());
            let pair = ok(
                kms.generate_data_key_pair_without_plaintext(request).await,
                &what,
            );
            assert_eq!(
                (pair.key_id.as_str(), &pair.key_pair_spec),
                (key.arn.as_str(), &spec),
                "{what}: expected the key ARN and the key pair spec"
            );
            let request = DecryptRequest::new(pair.private_key_ciphertext_blob)
                .with_encryption_context(context.clone());
            let private_key = ok(kms.decrypt(request).await, &format!("Decrypt after {what}"));
            assert_pair(
                &spec,
                private_key.plaintext.expose_secret(),
                &pair.public_key,
                &what,
            );
        }
        assert!(
            ml_kem_lengths.windows(2).all(|w| w[0] == w[1]),
            "GenerateDataKeyPair of ML-KEM: expected private keys of one length for every spec \
             (seed form), got {ml_kem_lengths:?}"
        );
    };
    caps.gate(Flag::DataKeyPairs, "GenerateDataKeyPair", checks)
        .await;
    session.finish().await;
}

/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext need a symmetric encryption
/// key: an asymmetric or HMAC key gives `InvalidKeyUsageException`.
pub async fn data_key_pair_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let keys = [
        session
            .create_for(KeySpec::EccNistP256, KeyUsage::SignVerify)
            .await,
        session
            .create_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
            .await,
    ];
    let refused = async {
        for key in &keys {
            refuse_pair(kms, key).await;
        }
    };
    let what = "GenerateDataKeyPair under a key that is not symmetric";
    caps.gate(Flag::DataKeyPairs, what, refused).await;
    session.finish().await;
}

/// Both data key pair operations under `key` fail with `InvalidKeyUsageException`.
async fn refuse_pair(kms: &dyn Kms, key: &Key) {
    let spec = DataKeyPairSpec::EccNistP256;
    let what = format!("GenerateDataKeyPair under {}", key.arn);
    let request = GenerateDataKeyPairRequest::new(key.by_id(), spec.clone());
    let result = kms.generate_data_key_pair(request).await;
    expect_err(result, &what, Expected::code(INVALID_KEY_USAGE));
    let what = format!("GenerateDataKeyPairWithoutPlaintext under {}", key.arn);
    let request = GenerateDataKeyPairWithoutPlaintextRequest::new(key.by_id(), spec);
    let result = kms.generate_data_key_pair_without_plaintext(request).await;
    expect_err(result, &what, Expected::code(INVALID_KEY_USAGE));
}

/// Panics unless `private_key` is a DER PKCS#8 key of `spec` and `public_key` the DER
/// SubjectPublicKeyInfo that belongs to it.
#[track_caller]
fn assert_pair(spec: &DataKeyPairSpec, private_key: &[u8], public_key: &[u8], what: &str) {
    let key_spec = spec.key_spec();
    assert_spki(public_key, &key_spec, &format!("{what}: PublicKey"));
    let Some((algorithm, contents)) = parse_pkcs8(private_key) else {
        panic!("{what}: expected PrivateKeyPlaintext to be a DER PKCS#8 PrivateKeyInfo");
    };
    let expected = expected_algorithm(&key_spec).map(|(oid, _)| oid);
    assert_eq!(
        Some(algorithm.as_str()),
        expected,
        "{what}: expected the PKCS#8 algorithm of {spec}"
    );
    let Some(verification) = signed_by(spec, private_key) else {
        // ML-KEM: aws-lc-rs reads no seed-form private key; the seed form is checked.
        assert!(
            contents.len() == 66 && contents.starts_with(&[0x80, 0x40]),
            "{what}: expected an ML-KEM private key in seed form (a [0] 64-byte seed)"
        );
        return;
    };
    let (algorithm, signature) = verification;
    let verified =
        signature::UnparsedPublicKey::new(algorithm, public_key).verify(MESSAGE, &signature);
    assert!(
        verified.is_ok(),
        "{what}: expected a public key that belongs to the private key (a signature of the \
         private key does not verify with it)"
    );
}

/// A signature of [`MESSAGE`] with the PKCS#8 `private_key` of `spec`, and the algorithm
/// that verifies it; `None` for ML-KEM.
#[track_caller]
fn signed_by(
    spec: &DataKeyPairSpec,
    private_key: &[u8],
) -> Option<(&'static dyn signature::VerificationAlgorithm, Vec<u8>)> {
    let rng = SystemRandom::new();
    let what = format!("the PKCS#8 private key of {spec}");
    let ecdsa = |signing: &'static signature::EcdsaSigningAlgorithm| {
        let Ok(pair) = EcdsaKeyPair::from_pkcs8(signing, private_key) else {
            panic!("aws-lc-rs refuses {what}");
        };
        let Ok(signature) = pair.sign(&rng, MESSAGE) else {
            panic!("aws-lc-rs cannot sign with {what}");
        };
        signature.as_ref().to_vec()
    };
    let signed: (&'static dyn signature::VerificationAlgorithm, Vec<u8>) = match spec {
        DataKeyPairSpec::Rsa2048 | DataKeyPairSpec::Rsa3072 | DataKeyPairSpec::Rsa4096 => {
            let Ok(pair) = RsaKeyPair::from_pkcs8(private_key) else {
                panic!("aws-lc-rs refuses {what}");
            };
            let mut signature = vec![0; pair.public_modulus_len()];
            let signing = &signature::RSA_PKCS1_SHA256;
            if pair.sign(signing, &rng, MESSAGE, &mut signature).is_err() {
                panic!("aws-lc-rs cannot sign with {what}");
            }
            (&signature::RSA_PKCS1_2048_8192_SHA256, signature)
        }
        DataKeyPairSpec::EccNistP256 => (
            &signature::ECDSA_P256_SHA256_ASN1,
            ecdsa(&signature::ECDSA_P256_SHA256_ASN1_SIGNING),
        ),
        DataKeyPairSpec::EccNistP384 => (
            &signature::ECDSA_P384_SHA384_ASN1,
            ecdsa(&signature::ECDSA_P384_SHA384_ASN1_SIGNING),
        ),
        DataKeyPairSpec::EccNistP521 => (
            &signature::ECDSA_P521_SHA512_ASN1,
            ecdsa(&signature::ECDSA_P521_SHA512_ASN1_SIGNING),
        ),
        DataKeyPairSpec::EccSecgP256k1 => (
            &signature::ECDSA_P256K1_SHA256_ASN1,
            ecdsa(&signature::ECDSA_P256K1_SHA256_ASN1_SIGNING),
        ),
        DataKeyPairSpec::EccNistEdwards25519 => {
            let Ok(pair) = Ed25519KeyPair::from_pkcs8(private_key) else {
                panic!("aws-lc-rs refuses {what}");
            };
            (&signature::ED25519, pair.sign(MESSAGE).as_ref().to_vec())
        }
        _ => return None,
    };
    Some(signed)
}
