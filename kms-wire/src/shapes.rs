//! Every structure of the API, declared once with AWS's member names, in the order of AWS's
//! service model (which is the order the AWS CLI prints them in).

use kms_core::ops::*;
use kms_core::{
    AliasListEntry, KeyListEntry, KeyMetadata, MultiRegionConfiguration, MultiRegionKey,
    RotationsListEntry, Tag,
};

use crate::shape::shapes;

shapes! {
    // The structures that responses carry.
    KeyMetadata key arn {
        opt aws_account_id: "AWSAccountId",
        req key_id: "KeyId",
        opt arn: "Arn",
        opt creation_date: "CreationDate",
        req enabled: "Enabled",
        opt description: "Description",
        opt key_usage: "KeyUsage",
        opt key_state: "KeyState",
        opt deletion_date: "DeletionDate",
        opt valid_to: "ValidTo",
        opt origin: "Origin",
        opt custom_key_store_id: "CustomKeyStoreId",
        opt cloud_hsm_cluster_id: "CloudHsmClusterId",
        opt expiration_model: "ExpirationModel",
        opt key_manager: "KeyManager",
        opt customer_master_key_spec: "CustomerMasterKeySpec",
        opt key_spec: "KeySpec",
        opt encryption_algorithms: "EncryptionAlgorithms",
        opt signing_algorithms: "SigningAlgorithms",
        opt key_agreement_algorithms: "KeyAgreementAlgorithms",
        opt encapsulation_algorithms: "EncapsulationAlgorithms",
        opt multi_region: "MultiRegion",
        opt multi_region_configuration: "MultiRegionConfiguration",
        opt pending_deletion_window_in_days: "PendingDeletionWindowInDays",
        opt mac_algorithms: "MacAlgorithms",
        opt current_key_material_id: "CurrentKeyMaterialId",
    }
    MultiRegionConfiguration {
        opt multi_region_key_type: "MultiRegionKeyType",
        opt primary_key: "PrimaryKey",
        def replica_keys: "ReplicaKeys",
    }
    MultiRegionKey key arn {
        opt arn: "Arn",
        opt region: "Region",
    }
    KeyListEntry key key_arn {
        req key_id: "KeyId",
        req key_arn: "KeyArn",
    }
    AliasListEntry {
        req alias_name: "AliasName",
        req alias_arn: "AliasArn",
        opt target_key_id: "TargetKeyId",
        opt creation_date: "CreationDate",
        opt last_updated_date: "LastUpdatedDate",
    }
    Tag {
        req tag_key: "TagKey",
        req tag_value: "TagValue",
    }
    RotationsListEntry key key_id {
        req key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
        opt key_material_description: "KeyMaterialDescription",
        opt import_state: "ImportState",
        opt key_material_state: "KeyMaterialState",
        opt expiration_model: "ExpirationModel",
        opt valid_to: "ValidTo",
        opt rotation_date: "RotationDate",
        opt rotation_type: "RotationType",
    }

    // Keys.
    CreateKeyRequest {
        opt policy: "Policy",
        opt description: "Description",
        opt key_usage: "KeyUsage",
        opt key_spec: "KeySpec",
        alt key_spec: "CustomerMasterKeySpec",
        opt origin: "Origin",
        opt custom_key_store_id: "CustomKeyStoreId",
        opt bypass_policy_lockout_safety_check: "BypassPolicyLockoutSafetyCheck",
        def tags: "Tags",
        opt multi_region: "MultiRegion",
        nyi xks_key_id: "XksKeyId",
    }
    CreateKeyResponse key key_metadata {
        req key_metadata: "KeyMetadata",
    }
    DescribeKeyRequest key key_id {
        req key_id: "KeyId",
        def grant_tokens: "GrantTokens",
    }
    DescribeKeyResponse key key_metadata {
        req key_metadata: "KeyMetadata",
    }
    ListKeysRequest {
        opt limit: "Limit",
        opt marker: "Marker",
    }
    ListKeysResponse {
        def keys: "Keys",
        opt next_marker: "NextMarker",
        def truncated: "Truncated",
    }
    UpdateKeyDescriptionRequest key key_id {
        req key_id: "KeyId",
        req description: "Description",
    }
    UpdateKeyDescriptionResponse {}
    EnableKeyRequest key key_id {
        req key_id: "KeyId",
    }
    EnableKeyResponse {}
    DisableKeyRequest key key_id {
        req key_id: "KeyId",
    }
    DisableKeyResponse {}
    ScheduleKeyDeletionRequest key key_id {
        req key_id: "KeyId",
        opt pending_window_in_days: "PendingWindowInDays",
    }
    ScheduleKeyDeletionResponse key key_id {
        req key_id: "KeyId",
        opt deletion_date: "DeletionDate",
        opt key_state: "KeyState",
        opt pending_window_in_days: "PendingWindowInDays",
    }
    CancelKeyDeletionRequest key key_id {
        req key_id: "KeyId",
    }
    CancelKeyDeletionResponse key key_id {
        req key_id: "KeyId",
    }

    // Rotation.
    EnableKeyRotationRequest key key_id {
        req key_id: "KeyId",
        opt rotation_period_in_days: "RotationPeriodInDays",
    }
    EnableKeyRotationResponse {}
    DisableKeyRotationRequest key key_id {
        req key_id: "KeyId",
    }
    DisableKeyRotationResponse {}
    GetKeyRotationStatusRequest key key_id {
        req key_id: "KeyId",
    }
    GetKeyRotationStatusResponse key key_id {
        req key_rotation_enabled: "KeyRotationEnabled",
        opt key_id: "KeyId",
        opt rotation_period_in_days: "RotationPeriodInDays",
        opt next_rotation_date: "NextRotationDate",
        opt on_demand_rotation_start_date: "OnDemandRotationStartDate",
    }
    RotateKeyOnDemandRequest key key_id {
        req key_id: "KeyId",
    }
    RotateKeyOnDemandResponse key key_id {
        req key_id: "KeyId",
    }
    ListKeyRotationsRequest key key_id {
        req key_id: "KeyId",
        opt include_key_material: "IncludeKeyMaterial",
        opt limit: "Limit",
        opt marker: "Marker",
    }
    ListKeyRotationsResponse {
        def rotations: "Rotations",
        opt next_marker: "NextMarker",
        def truncated: "Truncated",
    }

    // Imported key material.
    GetParametersForImportRequest key key_id {
        req key_id: "KeyId",
        req wrapping_algorithm: "WrappingAlgorithm",
        req wrapping_key_spec: "WrappingKeySpec",
    }
    GetParametersForImportResponse key key_id {
        opt key_id: "KeyId",
        opt import_token: "ImportToken",
        opt public_key: "PublicKey",
        opt parameters_valid_to: "ParametersValidTo",
    }
    ImportKeyMaterialRequest key key_id {
        req key_id: "KeyId",
        req import_token: "ImportToken",
        req encrypted_key_material: "EncryptedKeyMaterial",
        opt valid_to: "ValidTo",
        opt expiration_model: "ExpirationModel",
        opt import_type: "ImportType",
        opt key_material_description: "KeyMaterialDescription",
        opt key_material_id: "KeyMaterialId",
    }
    ImportKeyMaterialResponse key key_id {
        opt key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
    }
    DeleteImportedKeyMaterialRequest key key_id {
        req key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
    }
    DeleteImportedKeyMaterialResponse key key_id {
        opt key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
    }

    // Aliases.
    CreateAliasRequest key target_key_id {
        req alias_name: "AliasName",
        req target_key_id: "TargetKeyId",
    }
    CreateAliasResponse {}
    UpdateAliasRequest key target_key_id {
        req alias_name: "AliasName",
        req target_key_id: "TargetKeyId",
    }
    UpdateAliasResponse {}
    DeleteAliasRequest key alias_name {
        req alias_name: "AliasName",
    }
    DeleteAliasResponse {}
    ListAliasesRequest key key_id {
        opt key_id: "KeyId",
        opt limit: "Limit",
        opt marker: "Marker",
    }
    ListAliasesResponse {
        def aliases: "Aliases",
        opt next_marker: "NextMarker",
        def truncated: "Truncated",
    }

    // Tags.
    TagResourceRequest key key_id {
        req key_id: "KeyId",
        req tags: "Tags",
    }
    TagResourceResponse {}
    UntagResourceRequest key key_id {
        req key_id: "KeyId",
        req tag_keys: "TagKeys",
    }
    UntagResourceResponse {}
    ListResourceTagsRequest key key_id {
        req key_id: "KeyId",
        opt limit: "Limit",
        opt marker: "Marker",
    }
    ListResourceTagsResponse {
        def tags: "Tags",
        opt next_marker: "NextMarker",
        def truncated: "Truncated",
    }

    // Cryptography.
    EncryptRequest key key_id {
        req key_id: "KeyId",
        req plaintext: "Plaintext",
        def encryption_context: "EncryptionContext",
        def grant_tokens: "GrantTokens",
        opt encryption_algorithm: "EncryptionAlgorithm",
        opt dry_run: "DryRun",
    }
    EncryptResponse key key_id {
        req ciphertext_blob: "CiphertextBlob",
        req key_id: "KeyId",
        opt encryption_algorithm: "EncryptionAlgorithm",
    }
    DecryptRequest key key_id {
        req ciphertext_blob: "CiphertextBlob",
        def encryption_context: "EncryptionContext",
        def grant_tokens: "GrantTokens",
        opt key_id: "KeyId",
        opt encryption_algorithm: "EncryptionAlgorithm",
        nyi recipient: "Recipient",
        opt dry_run: "DryRun",
        nyi dry_run_modifiers: "DryRunModifiers",
    }
    DecryptResponse key key_id {
        req key_id: "KeyId",
        req plaintext: "Plaintext",
        opt encryption_algorithm: "EncryptionAlgorithm",
        opt key_material_id: "KeyMaterialId",
    }
    ReEncryptRequest key destination_key_id {
        req ciphertext_blob: "CiphertextBlob",
        def source_encryption_context: "SourceEncryptionContext",
        opt source_key_id: "SourceKeyId",
        req destination_key_id: "DestinationKeyId",
        def destination_encryption_context: "DestinationEncryptionContext",
        opt source_encryption_algorithm: "SourceEncryptionAlgorithm",
        opt destination_encryption_algorithm: "DestinationEncryptionAlgorithm",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
        nyi dry_run_modifiers: "DryRunModifiers",
    }
    ReEncryptResponse key key_id {
        req ciphertext_blob: "CiphertextBlob",
        opt source_key_id: "SourceKeyId",
        req key_id: "KeyId",
        opt source_encryption_algorithm: "SourceEncryptionAlgorithm",
        opt destination_encryption_algorithm: "DestinationEncryptionAlgorithm",
        opt source_key_material_id: "SourceKeyMaterialId",
        opt destination_key_material_id: "DestinationKeyMaterialId",
    }
    GenerateDataKeyRequest key key_id {
        req key_id: "KeyId",
        def encryption_context: "EncryptionContext",
        opt number_of_bytes: "NumberOfBytes",
        opt key_spec: "KeySpec",
        def grant_tokens: "GrantTokens",
        nyi recipient: "Recipient",
        opt dry_run: "DryRun",
    }
    GenerateDataKeyResponse key key_id {
        req ciphertext_blob: "CiphertextBlob",
        req plaintext: "Plaintext",
        req key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
    }
    GenerateDataKeyWithoutPlaintextRequest key key_id {
        req key_id: "KeyId",
        def encryption_context: "EncryptionContext",
        opt key_spec: "KeySpec",
        opt number_of_bytes: "NumberOfBytes",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    GenerateDataKeyWithoutPlaintextResponse key key_id {
        req ciphertext_blob: "CiphertextBlob",
        req key_id: "KeyId",
        opt key_material_id: "KeyMaterialId",
    }
    GenerateRandomRequest {
        opt number_of_bytes: "NumberOfBytes",
        opt custom_key_store_id: "CustomKeyStoreId",
        nyi recipient: "Recipient",
    }
    GenerateRandomResponse {
        req plaintext: "Plaintext",
    }
    GenerateDataKeyPairRequest key key_id {
        def encryption_context: "EncryptionContext",
        req key_id: "KeyId",
        req key_pair_spec: "KeyPairSpec",
        def grant_tokens: "GrantTokens",
        nyi recipient: "Recipient",
        opt dry_run: "DryRun",
    }
    GenerateDataKeyPairResponse key key_id {
        req private_key_ciphertext_blob: "PrivateKeyCiphertextBlob",
        req private_key_plaintext: "PrivateKeyPlaintext",
        req public_key: "PublicKey",
        req key_id: "KeyId",
        req key_pair_spec: "KeyPairSpec",
        opt key_material_id: "KeyMaterialId",
    }
    GenerateDataKeyPairWithoutPlaintextRequest key key_id {
        def encryption_context: "EncryptionContext",
        req key_id: "KeyId",
        req key_pair_spec: "KeyPairSpec",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    GenerateDataKeyPairWithoutPlaintextResponse key key_id {
        req private_key_ciphertext_blob: "PrivateKeyCiphertextBlob",
        req public_key: "PublicKey",
        req key_id: "KeyId",
        req key_pair_spec: "KeyPairSpec",
        opt key_material_id: "KeyMaterialId",
    }

    // Asymmetric keys: public keys and signatures.
    GetPublicKeyRequest key key_id {
        req key_id: "KeyId",
        def grant_tokens: "GrantTokens",
    }
    GetPublicKeyResponse key key_id {
        req key_id: "KeyId",
        req public_key: "PublicKey",
        opt customer_master_key_spec: "CustomerMasterKeySpec",
        opt key_spec: "KeySpec",
        opt key_usage: "KeyUsage",
        opt encryption_algorithms: "EncryptionAlgorithms",
        opt signing_algorithms: "SigningAlgorithms",
        opt key_agreement_algorithms: "KeyAgreementAlgorithms",
        opt encapsulation_algorithms: "EncapsulationAlgorithms",
    }
    SignRequest key key_id {
        req key_id: "KeyId",
        req message: "Message",
        opt message_type: "MessageType",
        def grant_tokens: "GrantTokens",
        req signing_algorithm: "SigningAlgorithm",
        opt dry_run: "DryRun",
    }
    SignResponse key key_id {
        req key_id: "KeyId",
        req signature: "Signature",
        opt signing_algorithm: "SigningAlgorithm",
    }
    VerifyRequest key key_id {
        req key_id: "KeyId",
        req message: "Message",
        opt message_type: "MessageType",
        req signature: "Signature",
        req signing_algorithm: "SigningAlgorithm",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    VerifyResponse key key_id {
        req key_id: "KeyId",
        req signature_valid: "SignatureValid",
        opt signing_algorithm: "SigningAlgorithm",
    }

    // HMAC keys.
    GenerateMacRequest key key_id {
        req message: "Message",
        req key_id: "KeyId",
        req mac_algorithm: "MacAlgorithm",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    GenerateMacResponse key key_id {
        req mac: "Mac",
        opt mac_algorithm: "MacAlgorithm",
        req key_id: "KeyId",
    }
    VerifyMacRequest key key_id {
        req message: "Message",
        req key_id: "KeyId",
        req mac_algorithm: "MacAlgorithm",
        req mac: "Mac",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    VerifyMacResponse key key_id {
        req key_id: "KeyId",
        req mac_valid: "MacValid",
        opt mac_algorithm: "MacAlgorithm",
    }

    // Shared secrets.
    DeriveSharedSecretRequest key key_id {
        req key_id: "KeyId",
        req key_agreement_algorithm: "KeyAgreementAlgorithm",
        req public_key: "PublicKey",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
        nyi recipient: "Recipient",
    }
    DeriveSharedSecretResponse key key_id {
        req key_id: "KeyId",
        req shared_secret: "SharedSecret",
        opt key_agreement_algorithm: "KeyAgreementAlgorithm",
        opt key_origin: "KeyOrigin",
    }
    EncapsulateRequest key key_id {
        req key_id: "KeyId",
        req encapsulation_algorithm: "EncapsulationAlgorithm",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    EncapsulateResponse key key_id {
        req key_id: "KeyId",
        req shared_secret: "SharedSecret",
        req shared_secret_ciphertext_blob: "SharedSecretCiphertextBlob",
        opt encapsulation_algorithm: "EncapsulationAlgorithm",
    }
    DecapsulateRequest key key_id {
        req key_id: "KeyId",
        req shared_secret_ciphertext_blob: "SharedSecretCiphertextBlob",
        req encapsulation_algorithm: "EncapsulationAlgorithm",
        def grant_tokens: "GrantTokens",
        opt dry_run: "DryRun",
    }
    DecapsulateResponse key key_id {
        req key_id: "KeyId",
        req shared_secret: "SharedSecret",
        opt encapsulation_algorithm: "EncapsulationAlgorithm",
    }
    ReplicateKeyRequest key key_id {
        req key_id: "KeyId",
        req replica_region: "ReplicaRegion",
        opt policy: "Policy",
        opt bypass_policy_lockout_safety_check: "BypassPolicyLockoutSafetyCheck",
        opt description: "Description",
        def tags: "Tags",
    }
    ReplicateKeyResponse key replica_key_metadata {
        opt replica_key_metadata: "ReplicaKeyMetadata",
        opt replica_policy: "ReplicaPolicy",
        def replica_tags: "ReplicaTags",
    }
    UpdatePrimaryRegionRequest key key_id {
        req key_id: "KeyId",
        req primary_region: "PrimaryRegion",
    }
    UpdatePrimaryRegionResponse {}
}
