//! Ed25519 keys (`ECC_NIST_EDWARDS25519`): pure Ed25519 (`ED25519_SHA_512`, RAW) with
//! aws-lc-rs, and Ed25519ph (`ED25519_PH_SHA_512`, DIGEST) with `ed25519-dalek`, as aws-lc-rs
//! has no Ed25519ph.
//!
//! For Ed25519ph the 64-byte DIGEST is the message that RFC 8032's pre-hash step hashes with
//! SHA-512 once more: "the input is hashed twice: once by you and once by KMS" (AWS's Sign
//! documentation). The context is empty.

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, ParsedPublicKey};
use ed25519_dalek::{Digest, Sha512};
use kms_core::{Error, KeySpec, Result, SecretBytes, SigningAlgorithmSpec};

use super::der::{self, oid};
use super::not_a_key_of;
use super::signing::SigningInput;
use crate::random::internal;

/// A fresh Ed25519 key, as PKCS#8 v1 DER (the form `openssl genpkey` writes).
pub(super) fn generate() -> Result<SecretBytes> {
    let key = Ed25519KeyPair::generate().map_err(|_| internal("Ed25519 key generation failed"))?;
    let der = key
        .to_pkcs8v1()
        .map_err(|_| internal("Ed25519 key encoding failed"))?;
    Ok(SecretBytes::copy_from_slice(der.as_ref()))
}

/// An Ed25519 private key, parsed for both algorithms.
pub(super) struct Ed25519Key {
    pure: Ed25519KeyPair,
    verifier: ParsedPublicKey,
    prehash: ed25519_dalek::SigningKey,
}

impl Ed25519Key {
    /// Parses PKCS#8 `der` (v1 or v2; `info` is its outer structure) as an Ed25519 key.
    pub(super) fn from_pkcs8(info: &der::PrivateKeyInfo<'_>, der: &[u8]) -> Result<Self> {
        let spec = KeySpec::EccNistEdwards25519;
        if info.algorithm.algorithm != oid::ED25519 {
            return Err(not_a_key_of(&spec, "it is not an Ed25519 key"));
        }
        let invalid = || not_a_key_of(&spec, "the key is not valid");
        // aws-lc-rs also checks a v2 document's public key against the private key.
        let pure = Ed25519KeyPair::from_pkcs8(der).map_err(|_| invalid())?;
        let seed = der::ed25519_seed(info.private_key)
            .and_then(|seed| <&[u8; 32]>::try_from(seed).ok())
            .ok_or_else(invalid)?;
        let prehash = ed25519_dalek::SigningKey::from_bytes(seed);
        if prehash.verifying_key().as_bytes() != pure.public_key().as_ref() {
            return Err(internal(
                "the Ed25519 libraries derive different public keys",
            ));
        }
        let verifier = ParsedPublicKey::new(&signature::ED25519, pure.public_key().as_ref())
            .map_err(|_| internal("the Ed25519 public key does not parse"))?;
        Ok(Self {
            pure,
            verifier,
            prehash,
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub(super) fn public_key(&self) -> Result<Vec<u8>> {
        super::spki(self.pure.public_key(), "Ed25519")
    }

    /// A 64-byte signature.
    pub(super) fn sign(
        &self,
        algorithm: &SigningAlgorithmSpec,
        input: &SigningInput<'_>,
    ) -> Result<Vec<u8>> {
        let SigningInput::Message(message) = input else {
            return Err(internal("Ed25519 signs a message"));
        };
        match algorithm {
            SigningAlgorithmSpec::Ed25519Sha512 => {
                let signature = self
                    .pure
                    .try_sign(message)
                    .map_err(|_| internal("Ed25519 signing failed"))?;
                Ok(signature.as_ref().to_vec())
            }
            _ => {
                let signature = self
                    .prehash
                    .sign_prehashed(Sha512::new_with_prefix(message), None)
                    .map_err(|_| internal("Ed25519ph signing failed"))?;
                Ok(signature.to_bytes().to_vec())
            }
        }
    }

    /// Checks a signature.
    pub(super) fn verify(
        &self,
        algorithm: &SigningAlgorithmSpec,
        input: &SigningInput<'_>,
        signature: &[u8],
    ) -> Result<()> {
        let SigningInput::Message(message) = input else {
            return Err(internal("Ed25519 verifies a message"));
        };
        match algorithm {
            SigningAlgorithmSpec::Ed25519Sha512 => self
                .verifier
                .verify_sig(message, signature)
                .map_err(|_| Error::InvalidSignature),
            _ => {
                let signature = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                self.prehash
                    .verifying_key()
                    .verify_prehashed(Sha512::new_with_prefix(message), None, &signature)
                    .map_err(|_| Error::InvalidSignature)
            }
        }
    }
}
