//! ECC keys on NIST P-256, P-384, P-521 and secp256k1: ECDSA signatures (DER-encoded, as
//! AWS returns them) and ECDH key agreement, all with aws-lc-rs.

use aws_lc_rs::agreement;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair, ParsedPublicKey,
};
use kms_core::{Error, KeySpec, Result, SecretBytes};

use super::der::{self, oid};
use super::not_a_key_of;
use super::signing::SigningInput;
use crate::random::internal;

/// The curve of an ECC key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Curve {
    P256,
    P384,
    P521,
    Secp256k1,
}

impl Curve {
    /// The curve of `spec`, if it is an ECC spec.
    pub(super) fn of(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::EccNistP256 => Some(Self::P256),
            KeySpec::EccNistP384 => Some(Self::P384),
            KeySpec::EccNistP521 => Some(Self::P521),
            KeySpec::EccSecgP256k1 => Some(Self::Secp256k1),
            _ => None,
        }
    }

    fn spec(self) -> KeySpec {
        match self {
            Self::P256 => KeySpec::EccNistP256,
            Self::P384 => KeySpec::EccNistP384,
            Self::P521 => KeySpec::EccNistP521,
            Self::Secp256k1 => KeySpec::EccSecgP256k1,
        }
    }

    /// The OID of the named curve, in the parameters of the key's algorithm.
    fn oid(self) -> &'static [u8] {
        match self {
            Self::P256 => oid::P256,
            Self::P384 => oid::P384,
            Self::P521 => oid::P521,
            Self::Secp256k1 => oid::SECP256K1,
        }
    }

    /// ECDSA with the hash KMS pairs with the curve, signatures in DER.
    fn signing(self) -> &'static EcdsaSigningAlgorithm {
        match self {
            Self::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Self::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            Self::P521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            Self::Secp256k1 => &signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
        }
    }

    fn verification(self) -> &'static EcdsaVerificationAlgorithm {
        match self {
            Self::P256 => &signature::ECDSA_P256_SHA256_ASN1,
            Self::P384 => &signature::ECDSA_P384_SHA384_ASN1,
            Self::P521 => &signature::ECDSA_P521_SHA512_ASN1,
            Self::Secp256k1 => &signature::ECDSA_P256K1_SHA256_ASN1,
        }
    }

    /// ECDH on the curve; KMS has no key agreement on secp256k1.
    fn agreement(self) -> Option<&'static agreement::Algorithm> {
        match self {
            Self::P256 => Some(&agreement::ECDH_P256),
            Self::P384 => Some(&agreement::ECDH_P384),
            Self::P521 => Some(&agreement::ECDH_P521),
            Self::Secp256k1 => None,
        }
    }
}

/// A fresh key on `curve`, as PKCS#8 DER.
pub(super) fn generate(curve: Curve) -> Result<SecretBytes> {
    let key = EcdsaKeyPair::generate(curve.signing())
        .map_err(|_| internal("ECC key generation failed"))?;
    let der = key
        .to_pkcs8v1()
        .map_err(|_| internal("ECC key encoding failed"))?;
    Ok(SecretBytes::copy_from_slice(der.as_ref()))
}

/// An ECC private key, parsed for ECDSA and, on the NIST curves, for ECDH.
pub(super) struct EccKey {
    curve: Curve,
    signer: EcdsaKeyPair,
    verifier: ParsedPublicKey,
    agreement: Option<agreement::PrivateKey>,
}

impl EccKey {
    /// Parses PKCS#8 `der` (whose outer structure is `info`) as a key on `curve`.
    pub(super) fn from_pkcs8(
        curve: Curve,
        info: &der::PrivateKeyInfo<'_>,
        der: &[u8],
    ) -> Result<Self> {
        let spec = curve.spec();
        if info.algorithm.algorithm != oid::EC_PUBLIC_KEY {
            return Err(not_a_key_of(&spec, "it is not an EC key"));
        }
        // RFC 5915 lets the curve sit in the ECPrivateKey alone; aws-lc-rs checks it there.
        if info
            .algorithm
            .parameter
            .is_some_and(|named_curve| named_curve != curve.oid())
        {
            return Err(not_a_key_of(&spec, "it is a key on another curve"));
        }
        let signer = EcdsaKeyPair::from_pkcs8(curve.signing(), der)
            .map_err(|_| not_a_key_of(&spec, "the key is not valid"))?;
        let verifier = ParsedPublicKey::new(curve.verification(), signer.public_key().as_ref())
            .map_err(|_| internal("the ECC public key does not parse"))?;
        let agreement = match curve.agreement() {
            Some(algorithm) => Some(
                agreement::PrivateKey::from_private_key_der(algorithm, der)
                    .map_err(|_| not_a_key_of(&spec, "the key is not valid"))?,
            ),
            None => None,
        };
        Ok(Self {
            curve,
            signer,
            verifier,
            agreement,
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub(super) fn public_key(&self) -> Result<Vec<u8>> {
        super::spki(self.signer.public_key(), "ECC")
    }

    /// An ECDSA signature of the digest, DER-encoded.
    pub(super) fn sign(&self, input: &SigningInput<'_>) -> Result<Vec<u8>> {
        let SigningInput::Digest(digest) = input else {
            return Err(internal("ECDSA signs a digest"));
        };
        let signature = self
            .signer
            .sign_digest(digest)
            .map_err(|_| internal("ECDSA signing failed"))?;
        Ok(signature.as_ref().to_vec())
    }

    /// Checks an ECDSA signature of the digest.
    pub(super) fn verify(&self, input: &SigningInput<'_>, signature: &[u8]) -> Result<()> {
        let SigningInput::Digest(digest) = input else {
            return Err(internal("ECDSA verifies a digest"));
        };
        self.verifier
            .verify_digest_sig(digest, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// ECDH with the peer's SubjectPublicKeyInfo: the raw shared secret Z.
    ///
    /// AWS documents that the peer key must be DER SubjectPublicKeyInfo on the key's curve,
    /// not the error it gives otherwise: these `ValidationException` messages are ours.
    pub(super) fn derive_shared_secret(&self, peer_public_key: &[u8]) -> Result<SecretBytes> {
        let spec = self.curve.spec();
        let (Some(private_key), Some(algorithm)) = (&self.agreement, self.curve.agreement()) else {
            return Err(Error::InvalidKeyUsage {
                message: format!("Key spec {spec} does not support key agreement."),
            });
        };
        let info =
            der::SubjectPublicKeyInfo::parse(peer_public_key).ok_or_else(|| Error::Validation {
                message: "The public key is not a DER-encoded X.509 SubjectPublicKeyInfo."
                    .to_owned(),
            })?;
        if info.algorithm.algorithm != oid::EC_PUBLIC_KEY
            || info.algorithm.parameter != Some(self.curve.oid())
        {
            return Err(Error::Validation {
                message: format!(
                    "The public key is not an elliptic curve key on the curve of key spec {spec}."
                ),
            });
        }
        let peer = agreement::UnparsedPublicKey::new(algorithm, peer_public_key);
        agreement::agree(private_key, peer, (), |z| {
            Ok(SecretBytes::copy_from_slice(z))
        })
        .map_err(|()| Error::Validation {
            message: format!(
                "The public key is not a valid point on the curve of key spec {spec}."
            ),
        })
    }
}
