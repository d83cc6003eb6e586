//! Asymmetric data key pairs, their private key encrypted under a symmetric key.

use crate::context::EncryptionContext;
use crate::enums::DataKeyPairSpec;
use crate::key_id::KeyId;
use crate::secret::SecretBytes;
use crate::shape::shape;

shape! {
    /// `GenerateDataKeyPair`: a fresh asymmetric key pair, the private key in plaintext and
    /// encrypted under a symmetric encryption key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyPairRequest {
        required {
            /// The symmetric key that encrypts the private key, in any of the four forms.
            key_id: KeyId,
            /// The type of key pair.
            key_pair_spec: DataKeyPairSpec,
        }
        optional {
            /// Checks the request without generating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Pairs that decrypting the private key must present again.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GenerateDataKeyPair`.
    #[derive(Debug)]
    pub struct GenerateDataKeyPairResponse {
        required {
            /// The private key encrypted under the key: a ciphertext for `Decrypt`.
            private_key_ciphertext_blob: Vec<u8>,
            /// The private key, DER PKCS#8 (RFC 5958; ML-KEM keys in seed form). Wiped on drop.
            private_key_plaintext: SecretBytes,
            /// The public key, DER SubjectPublicKeyInfo (RFC 5280).
            public_key: Vec<u8>,
            /// The ARN of the key that encrypted the private key.
            key_id: String,
            /// The type of key pair.
            key_pair_spec: DataKeyPairSpec,
        }
        optional {
            /// The ID of the key material that encrypted the private key.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// `GenerateDataKeyPairWithoutPlaintext`: a fresh asymmetric key pair, the private key
    /// only encrypted.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyPairWithoutPlaintextRequest {
        required {
            /// The symmetric key that encrypts the private key, in any of the four forms.
            key_id: KeyId,
            /// The type of key pair.
            key_pair_spec: DataKeyPairSpec,
        }
        optional {
            /// Checks the request without generating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Pairs that decrypting the private key must present again.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GenerateDataKeyPairWithoutPlaintext`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyPairWithoutPlaintextResponse {
        required {
            /// The private key encrypted under the key: a ciphertext for `Decrypt`.
            private_key_ciphertext_blob: Vec<u8>,
            /// The public key, DER SubjectPublicKeyInfo (RFC 5280).
            public_key: Vec<u8>,
            /// The ARN of the key that encrypted the private key.
            key_id: String,
            /// The type of key pair.
            key_pair_spec: DataKeyPairSpec,
        }
        optional {
            /// The ID of the key material that encrypted the private key.
            key_material_id: String => with_key_material_id,
        }
    }
}
