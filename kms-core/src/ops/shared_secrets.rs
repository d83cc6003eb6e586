//! Shared secrets: ECDH key agreement and ML-KEM key encapsulation.

use crate::enums::{EncapsulationAlgorithmSpec, KeyAgreementAlgorithmSpec, OriginType};
use crate::key_id::KeyId;
use crate::secret::SecretBytes;
use crate::shape::shape;

shape! {
    /// `DeriveSharedSecret`: ECDH between a `KEY_AGREEMENT` key's private key and a peer's
    /// public key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeriveSharedSecretRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// `ECDH`.
            key_agreement_algorithm: KeyAgreementAlgorithmSpec,
            /// The peer's public key: DER SubjectPublicKeyInfo on the key's curve.
            public_key: Vec<u8>,
        }
        optional {
            /// Checks the request without deriving.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `DeriveSharedSecret`.
    #[derive(Debug)]
    pub struct DeriveSharedSecretResponse {
        required {
            /// The ARN of the key.
            key_id: String,
            /// The raw shared secret Z of ECDH (no key derivation applied). Wiped on drop.
            shared_secret: SecretBytes,
        }
        optional {
            /// The algorithm used.
            key_agreement_algorithm: KeyAgreementAlgorithmSpec
                => with_key_agreement_algorithm,
            /// Where the key's material comes from.
            key_origin: OriginType => with_key_origin,
        }
    }
}

shape! {
    /// `Encapsulate`: a fresh shared secret and its encapsulation under an ML-KEM key's
    /// public key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EncapsulateRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// `ML_KEM`.
            encapsulation_algorithm: EncapsulationAlgorithmSpec,
        }
        optional {
            /// Checks the request without encapsulating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Encapsulate`.
    #[derive(Debug)]
    pub struct EncapsulateResponse {
        required {
            /// The ARN of the key.
            key_id: String,
            /// The 32-byte shared secret. Wiped on drop.
            shared_secret: SecretBytes,
            /// The encapsulated secret, for `Decapsulate`.
            shared_secret_ciphertext_blob: Vec<u8>,
        }
        optional {
            /// The algorithm used.
            encapsulation_algorithm: EncapsulationAlgorithmSpec
                => with_encapsulation_algorithm,
        }
    }
}

shape! {
    /// `Decapsulate`: the shared secret of an `Encapsulate` ciphertext.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DecapsulateRequest {
        required {
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The encapsulated secret.
            shared_secret_ciphertext_blob: Vec<u8>,
            /// `ML_KEM`.
            encapsulation_algorithm: EncapsulationAlgorithmSpec,
        }
        optional {
            /// Checks the request without decapsulating.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `Decapsulate`.
    #[derive(Debug)]
    pub struct DecapsulateResponse {
        required {
            /// The ARN of the key.
            key_id: String,
            /// The 32-byte shared secret. Wiped on drop.
            shared_secret: SecretBytes,
        }
        optional {
            /// The algorithm used.
            encapsulation_algorithm: EncapsulationAlgorithmSpec
                => with_encapsulation_algorithm,
        }
    }
}
