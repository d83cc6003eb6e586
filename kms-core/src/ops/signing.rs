//! Public keys, signatures and their verification.

use crate::enums::{
    EncapsulationAlgorithmSpec, EncryptionAlgorithmSpec, KeyAgreementAlgorithmSpec, KeySpec,
    KeyUsage, MessageType, SigningAlgorithmSpec,
};
use crate::key_id::KeyId;
use crate::secret::SecretBytes;
use crate::shape::shape;

shape! {
    /// `GetPublicKey`: the public key of an asymmetric key, with what it may be used for.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GetPublicKeyRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GetPublicKey`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GetPublicKeyResponse {
        required {
            /// The ARN of the key.
            key_id: String,
            /// The public key: a DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280).
            public_key: Vec<u8>,
        }
        optional {
            /// The deprecated twin of `key_spec`, still returned by AWS.
            customer_master_key_spec: KeySpec => with_customer_master_key_spec,
            /// The type of the key.
            key_spec: KeySpec => with_key_spec,
            /// What the key is for.
            key_usage: KeyUsage => with_key_usage,
            /// Its encryption algorithms; only for `ENCRYPT_DECRYPT` keys.
            encryption_algorithms: Vec<EncryptionAlgorithmSpec> => with_encryption_algorithms,
            /// Its signing algorithms; only for `SIGN_VERIFY` keys.
            signing_algorithms: Vec<SigningAlgorithmSpec> => with_signing_algorithms,
            /// Its key agreement algorithms; only for `KEY_AGREEMENT` keys.
            key_agreement_algorithms: Vec<KeyAgreementAlgorithmSpec>
                => with_key_agreement_algorithms,
            /// Its key encapsulation algorithms; only for `ENCAPSULATE_DECAPSULATE` keys.
            encapsulation_algorithms: Vec<EncapsulationAlgorithmSpec>
                => with_encapsulation_algorithms,
        }
    }
}

shape! {
    /// `Sign`: signs a message (up to 4096 bytes) or its digest with an asymmetric
    /// `SIGN_VERIFY` key.
    #[derive(Debug)]
    pub struct SignRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The message (`RAW`), its digest (`DIGEST`) or its ML-DSA μ (`EXTERNAL_MU`).
            message: SecretBytes,
            /// The algorithm, one of the key's `SigningAlgorithms`.
            signing_algorithm: SigningAlgorithmSpec,
        }
        optional {
            /// What `message` is; `RAW` by default.
            message_type: MessageType => with_message_type,
            /// Checks the request without signing.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Sign`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SignResponse {
        required {
            /// The ARN of the key that signed.
            key_id: String,
            /// The signature: DER for ECDSA, raw for RSA, Ed25519 and ML-DSA.
            signature: Vec<u8>,
        }
        optional {
            /// The algorithm used.
            signing_algorithm: SigningAlgorithmSpec => with_signing_algorithm,
        }
    }
}

shape! {
    /// `Verify`: checks a signature of `Sign`. A signature that does not verify is the error
    /// `KMSInvalidSignatureException`, never `signature_valid: false`.
    #[derive(Debug)]
    pub struct VerifyRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The message or its digest; a message and its digest are the same message.
            message: SecretBytes,
            /// The signature.
            signature: Vec<u8>,
            /// The algorithm that signed.
            signing_algorithm: SigningAlgorithmSpec,
        }
        optional {
            /// What `message` is; `RAW` by default.
            message_type: MessageType => with_message_type,
            /// Checks the request without verifying.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Verify`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VerifyResponse {
        required {
            /// The ARN of the key that verified.
            key_id: String,
            /// Always true: an invalid signature is an error.
            signature_valid: bool,
        }
        optional {
            /// The algorithm used.
            signing_algorithm: SigningAlgorithmSpec => with_signing_algorithm,
        }
    }
}
