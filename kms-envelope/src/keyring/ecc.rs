//! The elliptic curves of the ECDH keyrings, and their public and private keys.

use std::fmt;

use aws_lc_rs::agreement::{self, ECDH_P256, ECDH_P384, ECDH_P521, UnparsedPublicKey};
use aws_lc_rs::encoding::{AsBigEndian, AsDer, EcPublicKeyCompressedBin};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P384_SHA384_ASN1, ECDSA_P521_SHA512_ASN1,
    EcdsaVerificationAlgorithm, ParsedPublicKey,
};
use kms_core::{KeySpec, SecretBytes};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keyring::pem;

/// The curve of an ECDH keyring: the NIST curves that AWS KMS offers for `KEY_AGREEMENT` keys.
///
/// ```
/// use kms_envelope::EcdhCurve;
///
/// assert_eq!(EcdhCurve::P384.to_string(), "ECC_NIST_P384");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdhCurve {
    /// NIST P-256 (`ECC_NIST_P256`).
    P256,
    /// NIST P-384 (`ECC_NIST_P384`).
    P384,
    /// NIST P-521 (`ECC_NIST_P521`).
    P521,
}

impl fmt::Display for EcdhCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key_spec().as_str())
    }
}

impl EcdhCurve {
    /// The KMS key spec of keys on this curve.
    pub fn key_spec(self) -> KeySpec {
        match self {
            Self::P256 => KeySpec::EccNistP256,
            Self::P384 => KeySpec::EccNistP384,
            Self::P521 => KeySpec::EccNistP521,
        }
    }

    /// The curve of a KMS key spec, if it is one of these.
    pub fn from_key_spec(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::EccNistP256 => Some(Self::P256),
            KeySpec::EccNistP384 => Some(Self::P384),
            KeySpec::EccNistP521 => Some(Self::P521),
            _ => None,
        }
    }

    /// The curve's name in the key derivation's fixed info.
    pub(crate) fn kdf_name(self) -> &'static str {
        match self {
            Self::P256 => "p256",
            Self::P384 => "p384",
            Self::P521 => "p521",
        }
    }

    /// The bytes of a field element (and of the shared secret).
    fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The bytes of a compressed point: a tag byte and the x coordinate.
    pub(crate) fn compressed_len(self) -> usize {
        1 + self.field_len()
    }

    fn agreement(self) -> &'static agreement::Algorithm {
        match self {
            Self::P256 => &ECDH_P256,
            Self::P384 => &ECDH_P384,
            Self::P521 => &ECDH_P521,
        }
    }

    /// An algorithm of the curve that parses public keys, both SPKI and SEC1 points.
    fn point_parser(self) -> &'static EcdsaVerificationAlgorithm {
        match self {
            Self::P256 => &ECDSA_P256_SHA256_ASN1,
            Self::P384 => &ECDSA_P384_SHA384_ASN1,
            Self::P521 => &ECDSA_P521_SHA512_ASN1,
        }
    }

    /// A readable name, for messages.
    fn label(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
        }
    }
}

/// A public key on a curve, in the two forms the keyrings need: DER SubjectPublicKeyInfo with
/// the uncompressed point (what KMS `DeriveSharedSecret` takes) and the compressed SEC1 point
/// (what messages store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EcPublicKey {
    spki: Vec<u8>,
    compressed: Vec<u8>,
}

impl EcPublicKey {
    /// Parses a DER SubjectPublicKeyInfo, which must hold a valid point of `curve`.
    pub(crate) fn from_spki(curve: EcdhCurve, der: &[u8], what: &str) -> Result<Self> {
        if der.first() != Some(&0x30) {
            return Err(Error::invalid(format!(
                "{what} is not a DER SubjectPublicKeyInfo"
            )));
        }
        Self::parse(curve, der, what)
    }

    /// Parses a compressed SEC1 point of `curve`, as stored in a message.
    pub(crate) fn from_compressed(curve: EcdhCurve, point: &[u8], what: &str) -> Result<Self> {
        if point.len() != curve.compressed_len() || !matches!(point.first(), Some(0x02 | 0x03)) {
            return Err(Error::invalid(format!(
                "{what} is not a compressed {} point",
                curve.label()
            )));
        }
        Self::parse(curve, point, what)
    }

    fn parse(curve: EcdhCurve, bytes: &[u8], what: &str) -> Result<Self> {
        let rejected = |_| Error::invalid(format!("{what} is not a valid {} key", curve.label()));
        let parsed = ParsedPublicKey::new(curve.point_parser(), bytes).map_err(rejected)?;
        let spki = parsed
            .as_der()
            .map_err(|_| Error::invalid(format!("{what} cannot be encoded")))?
            .as_ref()
            .to_vec();
        let compressed = compress(curve, &spki)
            .ok_or_else(|| Error::invalid(format!("{what} cannot be encoded")))?;
        Ok(Self { spki, compressed })
    }

    /// DER SubjectPublicKeyInfo, uncompressed point.
    pub(crate) fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// The compressed SEC1 point.
    pub(crate) fn compressed(&self) -> &[u8] {
        &self.compressed
    }
}

/// The compressed point of an SPKI whose uncompressed point (`04 || x || y`) ends it.
fn compress(curve: EcdhCurve, spki: &[u8]) -> Option<Vec<u8>> {
    let n = curve.field_len();
    let point = spki.get(spki.len().checked_sub(1 + 2 * n)?..)?;
    let (tag, coordinates) = point.split_first()?;
    if *tag != 0x04 {
        return None;
    }
    let (x, y) = coordinates.split_at(n);
    let mut compressed = Vec::with_capacity(1 + n);
    compressed.push(0x02 | (y.last()? & 1));
    compressed.extend_from_slice(x);
    Some(compressed)
}

/// A private key on a curve, held by the caller (raw ECDH keyrings).
pub(crate) struct EcPrivateKey {
    curve: EcdhCurve,
    key: agreement::PrivateKey,
    public_key: EcPublicKey,
}

impl fmt::Debug for EcPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcPrivateKey")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl EcPrivateKey {
    /// A PEM PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`) of `curve`.
    pub(crate) fn from_pem(curve: EcdhCurve, pem_text: &str, what: &str) -> Result<Self> {
        let der = Zeroizing::new(pem::decode(pem_text, "PRIVATE KEY")?);
        Self::from_pkcs8(curve, &der, what)
    }

    /// A DER PKCS#8 private key of `curve`.
    pub(crate) fn from_pkcs8(curve: EcdhCurve, der: &[u8], what: &str) -> Result<Self> {
        let key =
            agreement::PrivateKey::from_private_key_der(curve.agreement(), der).map_err(|_| {
                Error::invalid(format!("{what} is not a {} private key", curve.label()))
            })?;
        Self::from_key(curve, key, what)
    }

    /// A fresh key pair, for one message (the ephemeral configuration).
    pub(crate) fn generate(curve: EcdhCurve) -> Result<Self> {
        let key = agreement::PrivateKey::generate(curve.agreement())
            .map_err(|_| Error::invalid("generating an ephemeral key pair failed"))?;
        Self::from_key(curve, key, "the ephemeral key")
    }

    fn from_key(curve: EcdhCurve, key: agreement::PrivateKey, what: &str) -> Result<Self> {
        let encode = |_| Error::invalid(format!("the public key of {what} cannot be encoded"));
        let public = key.compute_public_key().map_err(encode)?;
        let spki = AsDer::as_der(&public).map_err(encode)?;
        let compressed: EcPublicKeyCompressedBin<'_> =
            AsBigEndian::as_be_bytes(&public).map_err(encode)?;
        let public_key = EcPublicKey {
            spki: spki.as_ref().to_vec(),
            compressed: compressed.as_ref().to_vec(),
        };
        Ok(Self {
            curve,
            key,
            public_key,
        })
    }

    /// The public key of this private key.
    pub(crate) fn public_key(&self) -> &EcPublicKey {
        &self.public_key
    }

    /// The raw ECDH shared secret Z with `peer` (the x coordinate of the shared point).
    pub(crate) fn shared_secret(&self, peer: &EcPublicKey) -> Result<SecretBytes> {
        agreement::agree(
            &self.key,
            UnparsedPublicKey::new(self.curve.agreement(), peer.spki()),
            Error::invalid("the ECDH key agreement failed"),
            |z| Ok(SecretBytes::copy_from_slice(z)),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const CURVES: [EcdhCurve; 3] = [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521];

    #[test]
    fn compressed_and_spki_forms_describe_the_same_key() {
        for curve in CURVES {
            let private = EcPrivateKey::generate(curve).unwrap();
            let public = private.public_key();
            assert_eq!(public.compressed().len(), curve.compressed_len());
            let from_spki = EcPublicKey::from_spki(curve, public.spki(), "key").unwrap();
            assert_eq!(&from_spki, public);
            let from_point =
                EcPublicKey::from_compressed(curve, public.compressed(), "key").unwrap();
            assert_eq!(&from_point, public, "{curve}");
        }
    }

    #[test]
    fn both_sides_agree_on_the_shared_secret() {
        for curve in CURVES {
            let a = EcPrivateKey::generate(curve).unwrap();
            let b = EcPrivateKey::generate(curve).unwrap();
            let ab = a.shared_secret(b.public_key()).unwrap();
            let ba = b.shared_secret(a.public_key()).unwrap();
            assert_eq!(ab.expose_secret(), ba.expose_secret());
            assert_eq!(ab.len(), curve.field_len());
        }
    }

    #[test]
    fn keys_of_another_curve_or_shape_are_refused() {
        let p384 = EcPrivateKey::generate(EcdhCurve::P384).unwrap();
        let err = EcPublicKey::from_spki(EcdhCurve::P256, p384.public_key().spki(), "the key")
            .unwrap_err();
        assert!(err.to_string().contains("not a valid P-256 key"), "{err}");
        let err = EcPublicKey::from_spki(EcdhCurve::P384, p384.public_key().compressed(), "k")
            .unwrap_err();
        assert!(
            err.to_string().contains("not a DER SubjectPublicKeyInfo"),
            "{err}"
        );
        let mut bad_point = p384.public_key().compressed().to_vec();
        bad_point[0] = 0x04;
        assert!(EcPublicKey::from_compressed(EcdhCurve::P384, &bad_point, "k").is_err());
        assert!(EcPublicKey::from_compressed(EcdhCurve::P256, &bad_point, "k").is_err());
    }
}
