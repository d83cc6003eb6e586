//! What the suite computes itself, with aws-lc-rs, to check a backend's signatures and
//! digests against an independent implementation.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use crate::{KeySpec, SigningAlgorithmSpec};

/// The digest that a `DIGEST` message of `algorithm` is: SHA-256, SHA-384 or SHA-512 of
/// `message` (SHA-512 for `ED25519_PH_SHA_512`); `None` for the algorithms that take no
/// digest, and for SM2DSA (SM3).
pub(crate) fn digest_for(algorithm: &SigningAlgorithmSpec, message: &[u8]) -> Option<Vec<u8>> {
    if *algorithm == SigningAlgorithmSpec::Sm2Dsa {
        return None;
    }
    let hash = match algorithm.digest_len()? {
        32 => &digest::SHA256,
        48 => &digest::SHA384,
        64 => &digest::SHA512,
        _ => return None,
    };
    Some(digest::digest(hash, message).as_ref().to_vec())
}

/// The aws-lc-rs verification of `algorithm` with a `spec` key; `None` where aws-lc-rs has
/// none (Ed25519ph, SM2DSA).
fn verification(
    algorithm: &SigningAlgorithmSpec,
    spec: &KeySpec,
) -> Option<&'static dyn VerificationAlgorithm> {
    use SigningAlgorithmSpec as A;
    let verification: &'static dyn VerificationAlgorithm = match (algorithm, spec) {
        (A::RsassaPssSha256, _) => &signature::RSA_PSS_2048_8192_SHA256,
        (A::RsassaPssSha384, _) => &signature::RSA_PSS_2048_8192_SHA384,
        (A::RsassaPssSha512, _) => &signature::RSA_PSS_2048_8192_SHA512,
        (A::RsassaPkcs1V15Sha256, _) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (A::RsassaPkcs1V15Sha384, _) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (A::RsassaPkcs1V15Sha512, _) => &signature::RSA_PKCS1_2048_8192_SHA512,
        (A::EcdsaSha256, KeySpec::EccSecgP256k1) => &signature::ECDSA_P256K1_SHA256_ASN1,
        (A::EcdsaSha256, _) => &signature::ECDSA_P256_SHA256_ASN1,
        (A::EcdsaSha384, _) => &signature::ECDSA_P384_SHA384_ASN1,
        (A::EcdsaSha512, _) => &signature::ECDSA_P521_SHA512_ASN1,
        (A::Ed25519Sha512, _) => &signature::ED25519,
        (A::MlDsaShake256, KeySpec::MlDsa44) => &signature::ML_DSA_44,
        (A::MlDsaShake256, KeySpec::MlDsa65) => &signature::ML_DSA_65,
        (A::MlDsaShake256, KeySpec::MlDsa87) => &signature::ML_DSA_87,
        _ => return None,
    };
    Some(verification)
}

/// Panics unless `signature` is a valid `algorithm` signature of the RAW `message` under the
/// DER SubjectPublicKeyInfo `spki` of a `spec` key, as aws-lc-rs verifies it. Does nothing for
/// the algorithms aws-lc-rs lacks (Ed25519ph, SM2DSA).
#[track_caller]
pub(crate) fn assert_verifies(
    spki: &[u8],
    spec: &KeySpec,
    algorithm: &SigningAlgorithmSpec,
    message: &[u8],
    signature: &[u8],
    what: &str,
) {
    let Some(verification) = verification(algorithm, spec) else {
        return;
    };
    let verified = UnparsedPublicKey::new(verification, spki).verify(message, signature);
    assert!(
        verified.is_ok(),
        "{what}: expected a {algorithm} signature that aws-lc-rs verifies with the public key \
         of GetPublicKey, got one it refuses"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_follow_the_algorithm() {
        let cases = [
            (SigningAlgorithmSpec::EcdsaSha256, 32),
            (SigningAlgorithmSpec::RsassaPssSha384, 48),
            (SigningAlgorithmSpec::RsassaPkcs1V15Sha512, 64),
            (SigningAlgorithmSpec::Ed25519PhSha512, 64),
        ];
        for (algorithm, len) in cases {
            assert_eq!(digest_for(&algorithm, b"m").map(|d| d.len()), Some(len));
        }
        assert_eq!(digest_for(&SigningAlgorithmSpec::Ed25519Sha512, b"m"), None);
        assert_eq!(digest_for(&SigningAlgorithmSpec::MlDsaShake256, b"m"), None);
    }

    #[test]
    fn every_algorithm_of_aws_lc_rs_is_verified_locally() {
        for spec in KeySpec::ALL {
            for algorithm in spec.signing_algorithms() {
                let expected = !matches!(
                    algorithm,
                    SigningAlgorithmSpec::Ed25519PhSha512 | SigningAlgorithmSpec::Sm2Dsa
                );
                assert_eq!(
                    verification(algorithm, spec).is_some(),
                    expected,
                    "{spec} {algorithm}"
                );
            }
        }
    }
}
