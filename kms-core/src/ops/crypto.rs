//! Encryption, decryption, data keys and random bytes.

use crate::context::EncryptionContext;
use crate::enums::{DataKeySpec, EncryptionAlgorithmSpec};
use crate::key_id::KeyId;
use crate::secret::SecretBytes;
use crate::shape::shape;

shape! {
    /// `Encrypt`: encrypts up to 4096 bytes under a key.
    #[derive(Debug)]
    pub struct EncryptRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The data, 1 to 4096 bytes.
            plaintext: SecretBytes,
        }
        optional {
            /// The algorithm; `SYMMETRIC_DEFAULT` by default.
            encryption_algorithm: EncryptionAlgorithmSpec => with_encryption_algorithm,
            /// Checks the request without encrypting.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Pairs that decrypting must present again.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Encrypt`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EncryptResponse {
        required {
            /// The ciphertext, at most 6144 bytes.
            ciphertext_blob: Vec<u8>,
            /// The ARN of the key that encrypted.
            key_id: String,
        }
        optional {
            /// The algorithm used.
            encryption_algorithm: EncryptionAlgorithmSpec => with_encryption_algorithm,
        }
    }
}

shape! {
    /// `Decrypt`: decrypts a ciphertext of `Encrypt`, `GenerateDataKey` or `ReEncrypt`.
    /// A symmetric ciphertext names its key, so `key_id` is optional.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DecryptRequest {
        required {
            /// The ciphertext.
            ciphertext_blob: Vec<u8>,
        }
        optional {
            /// The key that must have encrypted it; another key gives `IncorrectKeyException`.
            key_id: KeyId => with_key_id,
            /// The algorithm; `SYMMETRIC_DEFAULT` by default.
            encryption_algorithm: EncryptionAlgorithmSpec => with_encryption_algorithm,
            /// Checks the request without decrypting.
            dry_run: bool => with_dry_run,
        }
        default {
            /// The pairs given when encrypting.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Decrypt`.
    #[derive(Debug)]
    pub struct DecryptResponse {
        required {
            /// The ARN of the key that decrypted.
            key_id: String,
            /// The data.
            plaintext: SecretBytes,
        }
        optional {
            /// The algorithm used.
            encryption_algorithm: EncryptionAlgorithmSpec => with_encryption_algorithm,
            /// The ID of the key material that decrypted.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// `ReEncrypt`: decrypts a ciphertext and encrypts its plaintext under another key or
    /// context, without the plaintext ever reaching the caller.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ReEncryptRequest {
        required {
            /// The ciphertext.
            ciphertext_blob: Vec<u8>,
            /// The key to encrypt under, in any of the four forms.
            destination_key_id: KeyId,
        }
        optional {
            /// The key that must have encrypted the ciphertext.
            source_key_id: KeyId => with_source_key_id,
            /// The algorithm that encrypted it.
            source_encryption_algorithm: EncryptionAlgorithmSpec
                => with_source_encryption_algorithm,
            /// The algorithm to encrypt with.
            destination_encryption_algorithm: EncryptionAlgorithmSpec
                => with_destination_encryption_algorithm,
            /// Checks the request without re-encrypting.
            dry_run: bool => with_dry_run,
        }
        default {
            /// The context the ciphertext was encrypted with.
            source_encryption_context: EncryptionContext => with_source_encryption_context,
            /// The context to bind the new ciphertext to.
            destination_encryption_context: EncryptionContext
                => with_destination_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `ReEncrypt`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ReEncryptResponse {
        required {
            /// The new ciphertext.
            ciphertext_blob: Vec<u8>,
            /// The ARN of the key that encrypted the new ciphertext.
            key_id: String,
        }
        optional {
            /// The ARN of the key that decrypted the old ciphertext.
            source_key_id: String => with_source_key_id,
            /// The algorithm that decrypted.
            source_encryption_algorithm: EncryptionAlgorithmSpec
                => with_source_encryption_algorithm,
            /// The algorithm that encrypted.
            destination_encryption_algorithm: EncryptionAlgorithmSpec
                => with_destination_encryption_algorithm,
            /// The ID of the material that decrypted.
            source_key_material_id: String => with_source_key_material_id,
            /// The ID of the material that encrypted.
            destination_key_material_id: String => with_destination_key_material_id,
        }
    }
}

shape! {
    /// `GenerateDataKey`: a fresh data key, in plaintext and encrypted under a key. Give
    /// exactly one of `key_spec` and `number_of_bytes`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
        }
        optional {
            /// `AES_128` or `AES_256`.
            key_spec: DataKeySpec => with_key_spec,
            /// A length of 1 to 1024 bytes.
            number_of_bytes: u32 => with_number_of_bytes,
            /// Checks the request without generating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Pairs that decrypting the data key must present again.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GenerateDataKey`.
    #[derive(Debug)]
    pub struct GenerateDataKeyResponse {
        required {
            /// The data key encrypted under the key.
            ciphertext_blob: Vec<u8>,
            /// The data key. Use it, then drop it: it is wiped on drop.
            plaintext: SecretBytes,
            /// The ARN of the key that encrypted it.
            key_id: String,
        }
        optional {
            /// The ID of the key material that encrypted it.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// `GenerateDataKeyWithoutPlaintext`: a fresh data key, only encrypted.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyWithoutPlaintextRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
        }
        optional {
            /// `AES_128` or `AES_256`.
            key_spec: DataKeySpec => with_key_spec,
            /// A length of 1 to 1024 bytes.
            number_of_bytes: u32 => with_number_of_bytes,
            /// Checks the request without generating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Pairs that decrypting the data key must present again.
            encryption_context: EncryptionContext => with_encryption_context,
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GenerateDataKeyWithoutPlaintext`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateDataKeyWithoutPlaintextResponse {
        required {
            /// The data key encrypted under the key.
            ciphertext_blob: Vec<u8>,
            /// The ARN of the key that encrypted it.
            key_id: String,
        }
        optional {
            /// The ID of the key material that encrypted it.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// `GenerateRandom`: cryptographically secure random bytes.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct GenerateRandomRequest {
        optional {
            /// How many, 1 to 1024. Required by AWS despite being optional in the model.
            number_of_bytes: u32 => with_number_of_bytes,
            /// A CloudHSM key store to draw them from.
            custom_key_store_id: String => with_custom_key_store_id,
        }
    }
}

shape! {
    /// The answer to `GenerateRandom`.
    #[derive(Debug)]
    pub struct GenerateRandomResponse {
        required {
            /// The bytes.
            plaintext: SecretBytes,
        }
    }
}
