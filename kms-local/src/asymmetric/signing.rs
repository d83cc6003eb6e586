//! What `Sign` and `Verify` take, checked as AWS checks it before any cryptography: the
//! algorithm fits the key spec, the message type fits the algorithm, a digest or μ has the
//! right length. The result is the one input every family signs.

use aws_lc_rs::digest;
use kms_core::{Error, KeySpec, MessageType, Result, SigningAlgorithmSpec};

use crate::material::incompatible;

/// The length of an ML-DSA μ (FIPS 204, the message representative).
pub(super) const MU_LEN: usize = 64;

/// The input of a signature, after AWS's checks.
pub(super) enum SigningInput<'a> {
    /// The digest of the message (RSA, ECDSA): a RAW message hashed here, or a DIGEST as
    /// given. Signing the digest either way is what makes RAW(m) and DIGEST(H(m)) the same
    /// message, as AWS documents.
    Digest(digest::Digest),
    /// The message as the algorithm takes it: the RAW message of Ed25519 and ML-DSA, or the
    /// 64-byte DIGEST of Ed25519ph, which the algorithm pre-hashes once more.
    Message(&'a [u8]),
    /// An ML-DSA μ (EXTERNAL_MU).
    Mu(&'a [u8; MU_LEN]),
}

impl<'a> SigningInput<'a> {
    /// Checks `algorithm` and `message_type` against `spec` and the message's length, and
    /// prepares the input.
    pub(super) fn new(
        spec: &KeySpec,
        algorithm: &SigningAlgorithmSpec,
        message_type: &MessageType,
        message: &'a [u8],
    ) -> Result<Self> {
        algorithm.check_known("signingAlgorithm")?;
        message_type.check_known("messageType")?;
        if !spec.signing_algorithms().contains(algorithm) {
            return Err(incompatible(algorithm, spec));
        }
        match algorithm {
            SigningAlgorithmSpec::Ed25519Sha512 => match message_type {
                MessageType::Raw => Ok(Self::Message(message)),
                _ => Err(requires(algorithm, &MessageType::Raw)),
            },
            SigningAlgorithmSpec::Ed25519PhSha512 => match message_type {
                MessageType::Digest => {
                    check_digest_len(algorithm, message, 64)?;
                    Ok(Self::Message(message))
                }
                _ => Err(requires(algorithm, &MessageType::Digest)),
            },
            SigningAlgorithmSpec::MlDsaShake256 => match message_type {
                MessageType::Raw => Ok(Self::Message(message)),
                MessageType::ExternalMu => {
                    // AWS documents the 64-byte rule, not its message: this one follows
                    // the message AWS gives for a DIGEST of the wrong length.
                    let mu = <&[u8; MU_LEN]>::try_from(message)
                        .map_err(|_| invalid_digest_length(algorithm))?;
                    Ok(Self::Mu(mu))
                }
                // Our wording: AWS's message for DIGEST with ML-DSA is not documented.
                _ => Err(Error::Validation {
                    message: format!(
                        "The {algorithm} signing algorithm does not support MessageType \
                         {message_type}: use RAW or EXTERNAL_MU."
                    ),
                }),
            },
            _ => {
                let hash = hash_of(algorithm)?;
                match message_type {
                    MessageType::Raw => Ok(Self::Digest(digest::digest(hash, message))),
                    MessageType::Digest => {
                        check_digest_len(algorithm, message, hash.output_len())?;
                        let digest = digest::Digest::import_less_safe(message, hash)
                            .map_err(|_| invalid_digest_length(algorithm))?;
                        Ok(Self::Digest(digest))
                    }
                    // Our wording: AWS's message for EXTERNAL_MU outside ML-DSA is not
                    // documented.
                    _ => Err(Error::Validation {
                        message: format!(
                            "MessageType {message_type} is valid only with the \
                             ML_DSA_SHAKE_256 signing algorithm, not {algorithm}."
                        ),
                    }),
                }
            }
        }
    }
}

/// The hash of an RSA or ECDSA signing algorithm.
fn hash_of(algorithm: &SigningAlgorithmSpec) -> Result<&'static digest::Algorithm> {
    match algorithm.digest_len() {
        Some(32) => Ok(&digest::SHA256),
        Some(48) => Ok(&digest::SHA384),
        Some(64) => Ok(&digest::SHA512),
        _ => Err(Error::NotImplemented {
            message: format!("the local backend does not implement {algorithm}"),
        }),
    }
}

fn check_digest_len(algorithm: &SigningAlgorithmSpec, message: &[u8], len: usize) -> Result<()> {
    if message.len() == len {
        Ok(())
    } else {
        Err(invalid_digest_length(algorithm))
    }
}

/// AWS's `ValidationException` for a DIGEST (or μ) of the wrong length.
fn invalid_digest_length(algorithm: &SigningAlgorithmSpec) -> Error {
    Error::Validation {
        message: format!("Digest is invalid length for algorithm {algorithm}."),
    }
}

/// The `ValidationException` for an Ed25519 algorithm used with the other message type. AWS
/// documents the rule ("ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW"), not
/// its error message: this wording is ours.
fn requires(algorithm: &SigningAlgorithmSpec, message_type: &MessageType) -> Error {
    Error::Validation {
        message: format!("The {algorithm} signing algorithm requires MessageType {message_type}."),
    }
}

/// The error for signing with a key that cannot sign (ML-KEM). The caller checks the key
/// usage first, with the key's ARN; this is the backstop.
pub(super) fn cannot_sign(spec: &KeySpec) -> Error {
    Error::InvalidKeyUsage {
        message: format!("Key spec {spec} does not support signing."),
    }
}
