//! The ECDSA signature over a whole message, computed and checked as the bytes stream by.

use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsBigEndian, EcPublicKeyCompressedBin};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use kms_core::SecretBytes;

use crate::error::{Error, Result};
use crate::suite::SignatureAlgorithm;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Signs a message: the materials' signing key, and a running digest of every byte.
pub(crate) struct Signer {
    key_pair: EcdsaKeyPair,
    digest: digest::Context,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

/// The private key that signs messages: PKCS#8 DER, wiped on drop, redacted in `Debug`.
///
/// Held by the encryption materials, so a cached data key keeps its signing key and every
/// message it encrypts is signed by that key, as the AWS Encryption SDKs do.
pub(crate) struct SigningKey(SecretBytes);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey([REDACTED])")
    }
}

impl SigningKey {
    /// A new ECDSA P-384 key, and the base64 of its compressed public point for the
    /// `aws-crypto-public-key` context entry.
    pub(crate) fn p384() -> Result<(Self, String)> {
        let key_pair = EcdsaKeyPair::generate(&signature::ECDSA_P384_SHA384_ASN1_SIGNING)
            .map_err(|_| Error::invalid("ECDSA key generation failed"))?;
        let public: EcPublicKeyCompressedBin<'_> = key_pair
            .public_key()
            .as_be_bytes()
            .map_err(|_| Error::invalid("ECDSA public key encoding failed"))?;
        let pkcs8 = key_pair
            .to_pkcs8v1()
            .map_err(|_| Error::invalid("ECDSA private key encoding failed"))?;
        Ok((
            Self(SecretBytes::copy_from_slice(pkcs8.as_ref())),
            BASE64.encode(public.as_ref()),
        ))
    }

    /// A copy of the key, for materials handed out again from a cache.
    pub(crate) fn duplicate(&self) -> Self {
        Self(SecretBytes::copy_from_slice(self.0.expose_secret()))
    }
}

impl Signer {
    /// A signer of one message with `key`.
    pub(crate) fn new(key: &SigningKey) -> Result<Self> {
        let key_pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            key.0.expose_secret(),
        )
        .map_err(|_| Error::invalid("the signing key is not an ECDSA P-384 key"))?;
        Ok(Self {
            key_pair,
            digest: digest::Context::new(&digest::SHA384),
        })
    }

    /// Adds bytes of the message to the digest.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
    }

    /// The footer: a `u16` length and the DER signature of everything digested.
    pub(crate) fn footer(self) -> Result<Vec<u8>> {
        let digest = self.digest.finish();
        let signature = self
            .key_pair
            .sign_digest(&digest)
            .map_err(|_| Error::invalid("ECDSA signing failed"))?;
        let bytes = signature.as_ref();
        let len = u16::try_from(bytes.len()).map_err(|_| Error::invalid("signature too long"))?;
        let mut footer = Vec::with_capacity(2 + bytes.len());
        footer.extend_from_slice(&len.to_be_bytes());
        footer.extend_from_slice(bytes);
        Ok(footer)
    }
}

/// Checks a message's signature: the public key from its context, and a running digest.
pub(crate) struct Verifier {
    algorithm: &'static signature::EcdsaVerificationAlgorithm,
    public_key: Vec<u8>,
    digest: digest::Context,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the base64 compressed point of `aws-crypto-public-key`.
    pub(crate) fn new(algorithm: SignatureAlgorithm, public_key_base64: &str) -> Result<Self> {
        let public_key = BASE64.decode(public_key_base64).map_err(|_| {
            Error::malformed("the public key in the encryption context is not base64")
        })?;
        let (algorithm, digest_algorithm, len) = match algorithm {
            SignatureAlgorithm::EcdsaP256Sha256 => {
                (&signature::ECDSA_P256_SHA256_ASN1, &digest::SHA256, 33)
            }
            SignatureAlgorithm::EcdsaP384Sha384 => {
                (&signature::ECDSA_P384_SHA384_ASN1, &digest::SHA384, 49)
            }
        };
        if public_key.len() != len || !matches!(public_key.first(), Some(2 | 3)) {
            return Err(Error::malformed(
                "the public key in the encryption context is not a compressed point",
            ));
        }
        Ok(Self {
            algorithm,
            public_key,
            digest: digest::Context::new(digest_algorithm),
        })
    }

    /// Adds bytes of the message to the digest.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
    }

    /// Checks the signature over everything digested.
    pub(crate) fn verify(self, signature: &[u8]) -> Result<()> {
        let digest = self.digest.finish();
        UnparsedPublicKey::new(self.algorithm, &self.public_key)
            .verify_digest(&digest, signature)
            .map_err(|_| Error::Authentication)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_streamed_bytes() -> Result<()> {
        let (key, public) = SigningKey::p384()?;
        assert_eq!(public.len(), 68);
        assert_eq!(format!("{key:?}"), "SigningKey([REDACTED])");
        let mut signer = Signer::new(&key.duplicate())?;
        signer.update(b"hello ");
        signer.update(b"world");
        let footer = signer.footer()?;
        let signature = footer.get(2..).unwrap_or_default();
        let mut verifier = Verifier::new(SignatureAlgorithm::EcdsaP384Sha384, &public)?;
        verifier.update(b"hello world");
        verifier.verify(signature)?;
        let mut wrong = Verifier::new(SignatureAlgorithm::EcdsaP384Sha384, &public)?;
        wrong.update(b"hello world!");
        assert!(wrong.verify(signature).is_err());
        Ok(())
    }
}
