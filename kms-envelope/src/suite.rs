//! Algorithm suites and the commitment policy.

use std::fmt;

/// An algorithm suite of the AWS Encryption SDK: the content cipher, the key derivation, key
/// commitment and the signature of a message.
///
/// Messages are written with the two committing suites of message format 2 only:
/// [`AlgorithmSuite::Aes256GcmHkdfSha512CommitKey`] (0x0478, the default) and
/// [`AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384`] (0x0578). The legacy suites of
/// message format 1 are read under [`CommitmentPolicy::RequireEncryptAllowDecrypt`].
///
/// ```
/// use kms_envelope::AlgorithmSuite;
///
/// let suite = AlgorithmSuite::from_id(0x0578).unwrap();
/// assert_eq!(suite, AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384);
/// assert!(suite.is_committing() && suite.is_signed());
/// assert_eq!(suite.to_string(), "0x0578");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AlgorithmSuite {
    /// 0x0014: AES-128-GCM, no key derivation (message format 1).
    Aes128GcmNoKdf,
    /// 0x0046: AES-192-GCM, no key derivation (message format 1).
    Aes192GcmNoKdf,
    /// 0x0078: AES-256-GCM, no key derivation (message format 1).
    Aes256GcmNoKdf,
    /// 0x0114: AES-128-GCM, HKDF-SHA256 (message format 1).
    Aes128GcmHkdfSha256,
    /// 0x0146: AES-192-GCM, HKDF-SHA256 (message format 1).
    Aes192GcmHkdfSha256,
    /// 0x0178: AES-256-GCM, HKDF-SHA256 (message format 1).
    Aes256GcmHkdfSha256,
    /// 0x0214: AES-128-GCM, HKDF-SHA256, ECDSA P-256 (message format 1).
    Aes128GcmHkdfSha256EcdsaP256,
    /// 0x0346: AES-192-GCM, HKDF-SHA384, ECDSA P-384 (message format 1).
    Aes192GcmHkdfSha384EcdsaP384,
    /// 0x0378: AES-256-GCM, HKDF-SHA384, ECDSA P-384 (message format 1).
    Aes256GcmHkdfSha384EcdsaP384,
    /// 0x0478: AES-256-GCM, HKDF-SHA512 with key commitment (message format 2). The default.
    #[default]
    Aes256GcmHkdfSha512CommitKey,
    /// 0x0578: AES-256-GCM, HKDF-SHA512 with key commitment, ECDSA P-384 signature over the
    /// whole message (message format 2).
    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
}

/// How a suite derives the content key from the data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kdf {
    /// The data key is the content key.
    Identity,
    /// HKDF-SHA256 with the suite id and message id as info (format 1).
    HkdfSha256,
    /// HKDF-SHA384 with the suite id and message id as info (format 1).
    HkdfSha384,
    /// HKDF-SHA512 with the message id as salt, and a commit key (format 2).
    HkdfSha512Commit,
}

/// The signature of a signed suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureAlgorithm {
    /// ECDSA over P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA over P-384 with SHA-384.
    EcdsaP384Sha384,
}

impl AlgorithmSuite {
    /// Every suite, in order of id.
    pub const ALL: [Self; 11] = [
        Self::Aes128GcmNoKdf,
        Self::Aes192GcmNoKdf,
        Self::Aes256GcmNoKdf,
        Self::Aes128GcmHkdfSha256,
        Self::Aes192GcmHkdfSha256,
        Self::Aes256GcmHkdfSha256,
        Self::Aes128GcmHkdfSha256EcdsaP256,
        Self::Aes192GcmHkdfSha384EcdsaP384,
        Self::Aes256GcmHkdfSha384EcdsaP384,
        Self::Aes256GcmHkdfSha512CommitKey,
        Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
    ];

    /// The two-byte id written in messages.
    pub const fn id(self) -> u16 {
        match self {
            Self::Aes128GcmNoKdf => 0x0014,
            Self::Aes192GcmNoKdf => 0x0046,
            Self::Aes256GcmNoKdf => 0x0078,
            Self::Aes128GcmHkdfSha256 => 0x0114,
            Self::Aes192GcmHkdfSha256 => 0x0146,
            Self::Aes256GcmHkdfSha256 => 0x0178,
            Self::Aes128GcmHkdfSha256EcdsaP256 => 0x0214,
            Self::Aes192GcmHkdfSha384EcdsaP384 => 0x0346,
            Self::Aes256GcmHkdfSha384EcdsaP384 => 0x0378,
            Self::Aes256GcmHkdfSha512CommitKey => 0x0478,
            Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => 0x0578,
        }
    }

    /// The suite with this id, if the AWS Encryption SDK defines one.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|suite| suite.id() == id)
    }

    /// The message format version the suite belongs to: 1 or 2.
    pub const fn message_version(self) -> u8 {
        if self.is_committing() { 2 } else { 1 }
    }

    /// The length in bytes of the data key and of the content key.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128GcmNoKdf
            | Self::Aes128GcmHkdfSha256
            | Self::Aes128GcmHkdfSha256EcdsaP256 => 16,
            Self::Aes192GcmNoKdf
            | Self::Aes192GcmHkdfSha256
            | Self::Aes192GcmHkdfSha384EcdsaP384 => 24,
            _ => 32,
        }
    }

    /// Whether the suite commits to its data key (message format 2).
    pub const fn is_committing(self) -> bool {
        matches!(
            self,
            Self::Aes256GcmHkdfSha512CommitKey | Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384
        )
    }

    /// Whether messages of the suite end with an ECDSA signature.
    pub const fn is_signed(self) -> bool {
        self.signature().is_some()
    }

    pub(crate) const fn kdf(self) -> Kdf {
        match self {
            Self::Aes128GcmNoKdf | Self::Aes192GcmNoKdf | Self::Aes256GcmNoKdf => Kdf::Identity,
            Self::Aes128GcmHkdfSha256
            | Self::Aes192GcmHkdfSha256
            | Self::Aes256GcmHkdfSha256
            | Self::Aes128GcmHkdfSha256EcdsaP256 => Kdf::HkdfSha256,
            Self::Aes192GcmHkdfSha384EcdsaP384 | Self::Aes256GcmHkdfSha384EcdsaP384 => {
                Kdf::HkdfSha384
            }
            Self::Aes256GcmHkdfSha512CommitKey | Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => {
                Kdf::HkdfSha512Commit
            }
        }
    }

    pub(crate) const fn signature(self) -> Option<SignatureAlgorithm> {
        match self {
            Self::Aes128GcmHkdfSha256EcdsaP256 => Some(SignatureAlgorithm::EcdsaP256Sha256),
            Self::Aes192GcmHkdfSha384EcdsaP384
            | Self::Aes256GcmHkdfSha384EcdsaP384
            | Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => {
                Some(SignatureAlgorithm::EcdsaP384Sha384)
            }
            _ => None,
        }
    }
}

impl fmt::Display for AlgorithmSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#06x}", self.id())
    }
}

/// Which algorithm suites may be written and read: the AWS Encryption SDK's commitment policy.
///
/// Both policies write only committing suites. The default,
/// [`CommitmentPolicy::RequireEncryptRequireDecrypt`], also reads only committing, framed
/// messages; [`CommitmentPolicy::RequireEncryptAllowDecrypt`] reads the legacy suites of
/// message format 1 and non-framed bodies too, for messages written by older SDKs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CommitmentPolicy {
    /// Write and read only key-committing suites and framed bodies.
    #[default]
    RequireEncryptRequireDecrypt,
    /// Write only key-committing suites; read every suite and non-framed bodies.
    RequireEncryptAllowDecrypt,
}

impl CommitmentPolicy {
    /// The name of the policy as the AWS Encryption SDK spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RequireEncryptRequireDecrypt => "REQUIRE_ENCRYPT_REQUIRE_DECRYPT",
            Self::RequireEncryptAllowDecrypt => "REQUIRE_ENCRYPT_ALLOW_DECRYPT",
        }
    }

    pub(crate) const fn allows_legacy_decrypt(self) -> bool {
        matches!(self, Self::RequireEncryptAllowDecrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_properties_hold() {
        for suite in AlgorithmSuite::ALL {
            assert_eq!(AlgorithmSuite::from_id(suite.id()), Some(suite));
            assert_eq!(suite.is_committing(), suite.message_version() == 2);
        }
        assert_eq!(AlgorithmSuite::from_id(0), None);
        assert_eq!(AlgorithmSuite::default().id(), 0x0478);
        assert_eq!(AlgorithmSuite::Aes192GcmNoKdf.key_len(), 24);
        assert!(!AlgorithmSuite::Aes256GcmHkdfSha512CommitKey.is_signed());
    }
}
