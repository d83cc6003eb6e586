//! Importing key material: `GetParametersForImport`, `ImportKeyMaterial` and
//! `DeleteImportedKeyMaterial`, for keys created with origin `EXTERNAL`.

use std::time::SystemTime;

use crate::enums::{AlgorithmSpec, ExpirationModelType, ImportType, WrappingKeySpec};
use crate::key_id::KeyId;
use crate::shape::shape;

shape! {
    /// `GetParametersForImport`: a public wrapping key and an import token for one import of
    /// key material into an `EXTERNAL` key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GetParametersForImportRequest {
        required {
            /// The key (key ID or key ARN), of origin `EXTERNAL`.
            key_id: KeyId,
            /// How the material will be wrapped under the public key.
            wrapping_algorithm: AlgorithmSpec,
            /// The type of the public wrapping key.
            wrapping_key_spec: WrappingKeySpec,
        }
    }
}

shape! {
    /// The answer to `GetParametersForImport`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct GetParametersForImportResponse {
        optional {
            /// The key ARN.
            key_id: String => with_key_id,
            /// The opaque token to send with the wrapped material to `ImportKeyMaterial`.
            import_token: Vec<u8> => with_import_token,
            /// The public wrapping key: a DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280).
            public_key: Vec<u8> => with_public_key,
            /// When the token and the public key expire: 24 hours after the request.
            parameters_valid_to: SystemTime => with_parameters_valid_to,
        }
    }
}

shape! {
    /// `ImportKeyMaterial`: imports key material, wrapped under the public key of a
    /// `GetParametersForImport` answer, into an `EXTERNAL` key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ImportKeyMaterialRequest {
        required {
            /// The key (key ID or key ARN) the token was issued for.
            key_id: KeyId,
            /// The token of the same `GetParametersForImport` answer as the public key.
            import_token: Vec<u8>,
            /// The material, wrapped with the algorithm named to `GetParametersForImport`.
            encrypted_key_material: Vec<u8>,
        }
        optional {
            /// When the material expires; required with `KEY_MATERIAL_EXPIRES`, refused
            /// otherwise; at most 365 days ahead.
            valid_to: SystemTime => with_valid_to,
            /// Whether the material expires; `KEY_MATERIAL_EXPIRES` by default.
            expiration_model: ExpirationModelType => with_expiration_model,
            /// New or existing material (symmetric keys only); `NEW_KEY_MATERIAL` for a
            /// key that never had material, `EXISTING_KEY_MATERIAL` after that.
            import_type: ImportType => with_import_type,
            /// A description of the material (symmetric keys only).
            key_material_description: String => with_key_material_description,
            /// The ID of existing material being imported again (symmetric keys only).
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// The answer to `ImportKeyMaterial`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ImportKeyMaterialResponse {
        optional {
            /// The key ARN.
            key_id: String => with_key_id,
            /// The ID of the imported material.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// `DeleteImportedKeyMaterial`: deletes imported material; the key stays, pending
    /// import, until the same material is imported again.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeleteImportedKeyMaterialRequest {
        required {
            /// The key (key ID or key ARN), of origin `EXTERNAL`.
            key_id: KeyId,
        }
        optional {
            /// The material to delete; the current material by default.
            key_material_id: String => with_key_material_id,
        }
    }
}

shape! {
    /// The answer to `DeleteImportedKeyMaterial`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DeleteImportedKeyMaterialResponse {
        optional {
            /// The key ARN.
            key_id: String => with_key_id,
            /// The ID of the deleted material.
            key_material_id: String => with_key_material_id,
        }
    }
}
