//! The data types that responses carry: key metadata, list entries and tags.

use std::time::SystemTime;

use crate::enums::{
    EncapsulationAlgorithmSpec, EncryptionAlgorithmSpec, ExpirationModelType, ImportState,
    KeyAgreementAlgorithmSpec, KeyManagerType, KeyMaterialState, KeySpec, KeyState, KeyUsage,
    MacAlgorithmSpec, MultiRegionKeyType, OriginType, RotationType, SigningAlgorithmSpec,
};
use crate::shape::shape;

shape! {
    /// What `DescribeKey` and `CreateKey` say about a key, with the fields AWS returns.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct KeyMetadata {
        required {
            /// The key ID (a UUID, not an ARN).
            key_id: String,
            /// Whether the key is Enabled: true exactly when `key_state` is `Enabled`.
            enabled: bool,
        }
        optional {
            /// The account that owns the key.
            aws_account_id: String => with_aws_account_id,
            /// The key ARN.
            arn: String => with_arn,
            /// When the key was created.
            creation_date: SystemTime => with_creation_date,
            /// The description.
            description: String => with_description,
            /// What the key is for.
            key_usage: KeyUsage => with_key_usage,
            /// Its state.
            key_state: KeyState => with_key_state,
            /// When it will be deleted; only while it is pending deletion.
            deletion_date: SystemTime => with_deletion_date,
            /// When imported key material expires.
            valid_to: SystemTime => with_valid_to,
            /// Where its material comes from.
            origin: OriginType => with_origin,
            /// The custom key store that holds it.
            custom_key_store_id: String => with_custom_key_store_id,
            /// The CloudHSM cluster that holds it.
            cloud_hsm_cluster_id: String => with_cloud_hsm_cluster_id,
            /// Whether imported key material expires.
            expiration_model: ExpirationModelType => with_expiration_model,
            /// Who manages it.
            key_manager: KeyManagerType => with_key_manager,
            /// The deprecated twin of `key_spec`, still returned by AWS.
            customer_master_key_spec: KeySpec => with_customer_master_key_spec,
            /// The type of its key material.
            key_spec: KeySpec => with_key_spec,
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
            /// Its MAC algorithms; only for `GENERATE_VERIFY_MAC` keys.
            mac_algorithms: Vec<MacAlgorithmSpec> => with_mac_algorithms,
            /// Whether it is a multi-Region key.
            multi_region: bool => with_multi_region,
            /// For a multi-Region key, its primary key and replicas.
            multi_region_configuration: MultiRegionConfiguration
                => with_multi_region_configuration,
            /// The waiting period before deletion; only while it is pending deletion.
            pending_deletion_window_in_days: u32 => with_pending_deletion_window_in_days,
            /// The ID (64 hex digits) of the material that encrypts now.
            current_key_material_id: String => with_current_key_material_id,
        }
    }
}

shape! {
    /// The related keys of a multi-Region key, as `DescribeKey` shows them.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct MultiRegionConfiguration {
        optional {
            /// Whether the key described is the primary key or a replica.
            multi_region_key_type: MultiRegionKeyType => with_multi_region_key_type,
            /// The primary key.
            primary_key: MultiRegionKey => with_primary_key,
        }
        default {
            /// Every replica key; listed only when the key described is the primary key.
            replica_keys: Vec<MultiRegionKey> => with_replica_keys,
        }
    }
}

shape! {
    /// One key of a multi-Region key: its ARN and Region.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct MultiRegionKey {
        optional {
            /// The key ARN.
            arn: String => with_arn,
            /// The Region it lives in.
            region: String => with_region,
        }
    }
}

shape! {
    /// One key in a `ListKeys` response.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct KeyListEntry {
        required {
            /// The key ID.
            key_id: String,
            /// The key ARN.
            key_arn: String,
        }
    }
}

shape! {
    /// One alias in a `ListAliases` response.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AliasListEntry {
        required {
            /// The alias name, `alias/…`.
            alias_name: String,
            /// The alias ARN.
            alias_arn: String,
        }
        optional {
            /// The ID (not the ARN) of the key it points to.
            target_key_id: String => with_target_key_id,
            /// When it was created.
            creation_date: SystemTime => with_creation_date,
            /// When it was last pointed at a key.
            last_updated_date: SystemTime => with_last_updated_date,
        }
    }
}

shape! {
    /// A tag on a key.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Tag {
        required {
            /// The key, 1 to 128 characters; keys starting with `aws:` are reserved.
            tag_key: String,
            /// The value, 0 to 256 characters.
            tag_value: String,
        }
    }
}

shape! {
    /// One key material of a key in a `ListKeyRotations` response.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RotationsListEntry {
        required {
            /// The key ARN.
            key_id: String,
        }
        optional {
            /// The ID of the material (64 hex digits).
            key_material_id: String => with_key_material_id,
            /// Whether it is the current material.
            key_material_state: KeyMaterialState => with_key_material_state,
            /// When the rotation that created it happened.
            rotation_date: SystemTime => with_rotation_date,
            /// Which kind of rotation created it.
            rotation_type: RotationType => with_rotation_type,
            /// For imported material, whether it is present.
            import_state: ImportState => with_import_state,
            /// For imported material, whether it expires.
            expiration_model: ExpirationModelType => with_expiration_model,
            /// For imported material, when it expires.
            valid_to: SystemTime => with_valid_to,
            /// For imported material, its description.
            key_material_description: String => with_key_material_description,
        }
    }
}
