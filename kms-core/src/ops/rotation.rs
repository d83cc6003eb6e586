//! Automatic and on-demand rotation of key material.

use std::time::SystemTime;

use crate::enums::IncludeKeyMaterial;
use crate::key_id::KeyId;
use crate::model::RotationsListEntry;
use crate::shape::shape;

shape! {
    /// `EnableKeyRotation`: rotates the key material automatically every period.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EnableKeyRotationRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
        optional {
            /// The period, 90 to 2560 days; 365 by default.
            rotation_period_in_days: u32 => with_rotation_period_in_days,
        }
    }
}

shape! {
    /// The answer to `EnableKeyRotation` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct EnableKeyRotationResponse {}
}

shape! {
    /// `DisableKeyRotation`: stops automatic rotation.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DisableKeyRotationRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `DisableKeyRotation` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DisableKeyRotationResponse {}
}

shape! {
    /// `GetKeyRotationStatus`: whether automatic rotation is on, and when it runs next.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GetKeyRotationStatusRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `GetKeyRotationStatus`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GetKeyRotationStatusResponse {
        required {
            /// Whether automatic rotation is on.
            key_rotation_enabled: bool,
        }
        optional {
            /// The key ARN.
            key_id: String => with_key_id,
            /// The rotation period, when rotation is on.
            rotation_period_in_days: u32 => with_rotation_period_in_days,
            /// When the next automatic rotation is due, when rotation is on.
            next_rotation_date: SystemTime => with_next_rotation_date,
            /// When an on-demand rotation in progress started.
            on_demand_rotation_start_date: SystemTime => with_on_demand_rotation_start_date,
        }
    }
}

shape! {
    /// `RotateKeyOnDemand`: gives the key new material now; the old material keeps
    /// decrypting what it encrypted.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RotateKeyOnDemandRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `RotateKeyOnDemand`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RotateKeyOnDemandResponse {
        required {
            /// The key ARN.
            key_id: String,
        }
    }
}

shape! {
    /// `ListKeyRotations`: one page of the materials of a key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ListKeyRotationsRequest {
        required {
            /// The key.
            key_id: KeyId,
        }
        optional {
            /// Which materials; `ROTATIONS_ONLY` by default.
            include_key_material: IncludeKeyMaterial => with_include_key_material,
            /// The largest page, 1 to 1000; 100 by default.
            limit: u32 => with_limit,
            /// Where to continue: the `next_marker` of the previous page.
            marker: String => with_marker,
        }
    }
}

shape! {
    /// One page of `ListKeyRotations`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListKeyRotationsResponse {
        optional {
            /// Where the next page starts, when `truncated`.
            next_marker: String => with_next_marker,
        }
        default {
            /// The materials of this page, oldest first.
            rotations: Vec<RotationsListEntry> => with_rotations,
            /// Whether more pages follow.
            truncated: bool => with_truncated,
        }
    }
}
