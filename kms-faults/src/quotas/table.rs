//! AWS KMS's default request quotas: the figures of the table in [`crate::quotas`].

use kms_core::DataKeyPairSpec;

use super::plan::{KeyClass, Quota};

/// AWS's default for `quota` in us-east-1 (see the table of this module); `None` for an
/// operation AWS has no request quota for in the table.
pub(crate) fn aws_default(quota: Quota) -> Option<f64> {
    match quota {
        Quota::Cryptographic(class) => Some(match class {
            KeyClass::Symmetric => 50_000.0,
            KeyClass::Rsa | KeyClass::Ecc | KeyClass::MlDsa | KeyClass::MlKem => 1_000.0,
        }),
        Quota::DataKeyPair(index) => DataKeyPairSpec::ALL.get(index).map(pair_default),
        Quota::Operation(operation) => operation_default(operation),
    }
}

/// The quota of `GenerateDataKeyPair` for one pair spec.
fn pair_default(spec: &DataKeyPairSpec) -> f64 {
    match spec {
        DataKeyPairSpec::Rsa2048 => 1.0,
        DataKeyPairSpec::Rsa3072 => 0.5,
        DataKeyPairSpec::Rsa4096 => 0.1,
        DataKeyPairSpec::EccNistP384 | DataKeyPairSpec::MlKem768 => 10.0,
        DataKeyPairSpec::EccNistP521 | DataKeyPairSpec::MlKem1024 => 5.0,
        // ECC_NIST_P256, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519, ML_KEM_512, and any
        // spec a later version adds.
        _ => 25.0,
    }
}

/// The quota of an operation with a quota of its own (snake case, as the trait names it).
fn operation_default(operation: &str) -> Option<f64> {
    Some(match operation {
        "cancel_key_deletion"
        | "create_alias"
        | "create_key"
        | "delete_imported_key_material"
        | "disable_key"
        | "disable_key_rotation"
        | "enable_key"
        | "import_key_material"
        | "replicate_key"
        | "rotate_key_on_demand"
        | "untag_resource"
        | "update_alias"
        | "update_key_description"
        | "update_primary_region" => 5.0,
        "get_parameters_for_import" => 0.25,
        "tag_resource" => 10.0,
        "delete_alias" | "enable_key_rotation" | "schedule_key_deletion" => 15.0,
        "list_key_rotations" => 100.0,
        "list_aliases" | "list_keys" => 500.0,
        "get_key_rotation_status" => 1_000.0,
        "describe_key" | "get_public_key" | "list_resource_tags" => 2_000.0,
        _ => return None,
    })
}
