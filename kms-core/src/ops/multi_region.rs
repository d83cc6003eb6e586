//! Multi-Region keys: copying a primary key into another Region, and moving the primary.

use crate::key_id::KeyId;
use crate::model::{KeyMetadata, Tag};
use crate::shape::shape;

shape! {
    /// `ReplicateKey`: creates, in `replica_region`, a replica of the multi-Region primary key
    /// `key_id`: same key ID, key material, key spec, key usage and origin; its own policy,
    /// description, tags, aliases and state. The replica starts in the state `Creating`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ReplicateKeyRequest {
        required {
            /// The primary key, by key ID or key ARN.
            key_id: KeyId,
            /// The Region of the new replica, such as `us-west-2`.
            replica_region: String,
        }
        optional {
            /// The replica's key policy (JSON); the default policy when absent.
            policy: String => with_policy,
            /// Skips the check that the policy does not lock the caller out.
            bypass_policy_lockout_safety_check: bool => with_bypass_policy_lockout_safety_check,
            /// The replica's description; empty when absent (the primary's is not copied).
            description: String => with_description,
        }
        default {
            /// The replica's tags (the primary's are not copied).
            tags: Vec<Tag> => with_tags,
        }
    }
}

shape! {
    /// The answer to `ReplicateKey`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ReplicateKeyResponse {
        optional {
            /// The new replica, in its Region.
            replica_key_metadata: KeyMetadata => with_replica_key_metadata,
            /// The replica's key policy.
            replica_policy: String => with_replica_policy,
        }
        default {
            /// The replica's tags.
            replica_tags: Vec<Tag> => with_replica_tags,
        }
    }
}

shape! {
    /// `UpdatePrimaryRegion`: makes the replica in `primary_region` the primary key, and the
    /// current primary key a replica. Both keys pass through the state `Updating`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UpdatePrimaryRegionRequest {
        required {
            /// The current primary key, by key ID or key ARN.
            key_id: KeyId,
            /// The Region of the replica that becomes the primary key.
            primary_region: String,
        }
    }
}

shape! {
    /// The answer to `UpdatePrimaryRegion` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct UpdatePrimaryRegionResponse {}
}
