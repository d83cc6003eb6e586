//! HMAC tags and their verification.

use crate::enums::MacAlgorithmSpec;
use crate::key_id::KeyId;
use crate::secret::SecretBytes;
use crate::shape::shape;

shape! {
    /// `GenerateMac`: the HMAC of a message (up to 4096 bytes) under an HMAC key.
    #[derive(Debug)]
    pub struct GenerateMacRequest {
        required {
            /// The message.
            message: SecretBytes,
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The algorithm, the one of the key's `MacAlgorithms`.
            mac_algorithm: MacAlgorithmSpec,
        }
        optional {
            /// Checks the request without computing the MAC.
            dry_run: bool => with_dry_run,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `GenerateMac`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GenerateMacResponse {
        required {
            /// The MAC, the full length of the hash.
            mac: Vec<u8>,
            /// The ARN of the key.
            key_id: String,
        }
        optional {
            /// The algorithm used.
            mac_algorithm: MacAlgorithmSpec => with_mac_algorithm,
        }
    }
}

shape! {
    /// `VerifyMac`: checks a MAC of `GenerateMac`. A MAC that does not verify is the error
    /// `KMSInvalidMacException`, never `mac_valid: false`.
    #[derive(Debug)]
    pub struct VerifyMacRequest {
        required {
            /// The message.
            message: SecretBytes,
            /// The key, in any of the four forms.
            key_id: KeyId,
            /// The algorithm that computed the MAC.
            mac_algorithm: MacAlgorithmSpec,
            /// The MAC.
            mac: Vec<u8>,
        }
        optional {
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
    /// The answer to `VerifyMac`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VerifyMacResponse {
        required {
            /// The ARN of the key.
            key_id: String,
            /// Always true: an invalid MAC is an error.
            mac_valid: bool,
        }
        optional {
            /// The algorithm used.
            mac_algorithm: MacAlgorithmSpec => with_mac_algorithm,
        }
    }
}
