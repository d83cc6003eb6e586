//! Creating, describing, listing, enabling, disabling and deleting keys.

use std::time::SystemTime;

use crate::enums::{KeySpec, KeyState, KeyUsage, OriginType};
use crate::key_id::KeyId;
use crate::model::{KeyListEntry, KeyMetadata, Tag};
use crate::shape::shape;

shape! {
    /// `CreateKey`: creates a key. With nothing set, a symmetric `SYMMETRIC_DEFAULT`
    /// encryption key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CreateKeyRequest {
        optional {
            /// The key policy (JSON).
            policy: String => with_policy,
            /// A description, up to 8192 characters.
            description: String => with_description,
            /// What the key is for; required for every spec but `SYMMETRIC_DEFAULT`.
            key_usage: KeyUsage => with_key_usage,
            /// The type of key material; `SYMMETRIC_DEFAULT` by default.
            key_spec: KeySpec => with_key_spec,
            /// Where the material comes from; `AWS_KMS` by default.
            origin: OriginType => with_origin,
            /// Skips the check that the policy does not lock the caller out.
            bypass_policy_lockout_safety_check: bool => with_bypass_policy_lockout_safety_check,
            /// Whether to create a multi-Region primary key.
            multi_region: bool => with_multi_region,
            /// The custom key store to create the key in.
            custom_key_store_id: String => with_custom_key_store_id,
        }
        default {
            /// Tags to attach.
            tags: Vec<Tag> => with_tags,
        }
    }
}

shape! {
    /// The answer to `CreateKey`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CreateKeyResponse {
        required {
            /// The new key.
            key_metadata: KeyMetadata,
        }
    }
}

shape! {
    /// `DescribeKey`: the metadata of a key, named in any of the four forms.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DescribeKeyRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
        default {
            /// Grant tokens.
            grant_tokens: Vec<String> => with_grant_tokens,
        }
    }
}

shape! {
    /// The answer to `DescribeKey`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DescribeKeyResponse {
        required {
            /// The key.
            key_metadata: KeyMetadata,
        }
    }
}

shape! {
    /// `ListKeys`: one page of the keys of the account and region.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListKeysRequest {
        optional {
            /// The largest page, 1 to 1000; 100 by default.
            limit: u32 => with_limit,
            /// Where to continue: the `next_marker` of the previous page.
            marker: String => with_marker,
        }
    }
}

shape! {
    /// One page of `ListKeys`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListKeysResponse {
        optional {
            /// Where the next page starts, when `truncated`.
            next_marker: String => with_next_marker,
        }
        default {
            /// The keys of this page.
            keys: Vec<KeyListEntry> => with_keys,
            /// Whether more pages follow.
            truncated: bool => with_truncated,
        }
    }
}

shape! {
    /// `UpdateKeyDescription`: replaces the description of a key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UpdateKeyDescriptionRequest {
        required {
            /// The key.
            key_id: KeyId,
            /// The new description, up to 8192 characters.
            description: String,
        }
    }
}

shape! {
    /// The answer to `UpdateKeyDescription` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct UpdateKeyDescriptionResponse {}
}

shape! {
    /// `EnableKey`: makes a disabled key usable again.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EnableKeyRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `EnableKey` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct EnableKeyResponse {}
}

shape! {
    /// `DisableKey`: stops a key from being used in cryptographic operations.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DisableKeyRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `DisableKey` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DisableKeyResponse {}
}

shape! {
    /// `ScheduleKeyDeletion`: deletes a key, and its aliases, after a waiting period.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ScheduleKeyDeletionRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
        optional {
            /// The waiting period, 7 to 30 days; 30 by default.
            pending_window_in_days: u32 => with_pending_window_in_days,
        }
    }
}

shape! {
    /// The answer to `ScheduleKeyDeletion`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ScheduleKeyDeletionResponse {
        required {
            /// The key ARN.
            key_id: String,
        }
        optional {
            /// When the key will be deleted.
            deletion_date: SystemTime => with_deletion_date,
            /// The key's state: `PendingDeletion`.
            key_state: KeyState => with_key_state,
            /// The waiting period.
            pending_window_in_days: u32 => with_pending_window_in_days,
        }
    }
}

shape! {
    /// `CancelKeyDeletion`: keeps a key that was scheduled for deletion. It comes back
    /// **disabled**.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CancelKeyDeletionRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `CancelKeyDeletion`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CancelKeyDeletionResponse {
        required {
            /// The key ARN.
            key_id: String,
        }
    }
}
