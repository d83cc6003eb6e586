//! The `Kms` trait: every operation of AWS KMS this crate models, one method each.

use std::fmt::{Debug, Display};
use std::sync::Arc;

use async_trait::async_trait;

use crate::ops::*;
use crate::{Error, Result};

/// A Key Management Service: AWS KMS, the local backend, or anything that behaves like them.
///
/// Every method is an AWS KMS operation in snake case, taking the operation's request struct
/// and returning its response struct, with AWS's field names. Errors are AWS's exceptions as
/// [`Error`](crate::Error) variants with AWS's messages. The trait is object-safe: hold a
/// backend as `Arc<dyn Kms>` ([`DynKms`]) and switch backends by configuration.
/// Conveniences live in [`KmsExt`](crate::KmsExt).
///
/// # Growth
///
/// Every operation has a default body that returns [`Error::NotImplemented`] naming the
/// operation and the backend, so an operation added to the trait in a later release never
/// breaks an implementation outside this crate (a mock, a metrics or caching wrapper): it
/// answers "not implemented" for the new operation until it implements it. The backends of
/// this workspace implement every operation, which `#[deny(clippy::missing_trait_methods)]`
/// on their implementations enforces; a wrapper that forwards every operation is best
/// generated from [`for_each_operation!`](crate::for_each_operation), so that it forwards
/// new operations too.
///
/// ```
/// use kms_core::{Error, GenerateRandomRequest, Kms};
///
/// /// A backend that implements nothing yet.
/// #[derive(Debug)]
/// struct Nothing;
///
/// impl std::fmt::Display for Nothing {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("Nothing")
///     }
/// }
///
/// #[async_trait::async_trait]
/// impl Kms for Nothing {}
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let err = Nothing.generate_random(GenerateRandomRequest::default()).await.unwrap_err();
/// assert!(matches!(err, Error::NotImplemented { .. }));
/// assert_eq!(err.message(), "Nothing does not implement GenerateRandom");
/// # });
/// ```
#[async_trait]
// The default bodies do not read their request.
#[allow(unused_variables)]
pub trait Kms: Debug + Display + Send + Sync + 'static {
    /// `CreateKey`: creates a key.
    async fn create_key(&self, request: CreateKeyRequest) -> Result<CreateKeyResponse> {
        Err(Error::not_implemented("CreateKey", self))
    }
    /// `DescribeKey`: the metadata of a key.
    async fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse> {
        Err(Error::not_implemented("DescribeKey", self))
    }
    /// `ListKeys`: one page of the keys.
    async fn list_keys(&self, request: ListKeysRequest) -> Result<ListKeysResponse> {
        Err(Error::not_implemented("ListKeys", self))
    }
    /// `UpdateKeyDescription`: replaces a key's description.
    async fn update_key_description(
        &self,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<UpdateKeyDescriptionResponse> {
        Err(Error::not_implemented("UpdateKeyDescription", self))
    }
    /// `EnableKey`: makes a key usable.
    async fn enable_key(&self, request: EnableKeyRequest) -> Result<EnableKeyResponse> {
        Err(Error::not_implemented("EnableKey", self))
    }
    /// `DisableKey`: makes a key unusable for cryptographic operations.
    async fn disable_key(&self, request: DisableKeyRequest) -> Result<DisableKeyResponse> {
        Err(Error::not_implemented("DisableKey", self))
    }
    /// `ScheduleKeyDeletion`: deletes a key after a waiting period.
    async fn schedule_key_deletion(
        &self,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        Err(Error::not_implemented("ScheduleKeyDeletion", self))
    }
    /// `CancelKeyDeletion`: keeps a key scheduled for deletion, disabled.
    async fn cancel_key_deletion(
        &self,
        request: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse> {
        Err(Error::not_implemented("CancelKeyDeletion", self))
    }

    /// `EnableKeyRotation`: turns on automatic rotation.
    async fn enable_key_rotation(
        &self,
        request: EnableKeyRotationRequest,
    ) -> Result<EnableKeyRotationResponse> {
        Err(Error::not_implemented("EnableKeyRotation", self))
    }
    /// `DisableKeyRotation`: turns off automatic rotation.
    async fn disable_key_rotation(
        &self,
        request: DisableKeyRotationRequest,
    ) -> Result<DisableKeyRotationResponse> {
        Err(Error::not_implemented("DisableKeyRotation", self))
    }
    /// `GetKeyRotationStatus`: whether automatic rotation is on.
    async fn get_key_rotation_status(
        &self,
        request: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse> {
        Err(Error::not_implemented("GetKeyRotationStatus", self))
    }
    /// `RotateKeyOnDemand`: rotates the key material now.
    async fn rotate_key_on_demand(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse> {
        Err(Error::not_implemented("RotateKeyOnDemand", self))
    }
    /// `ListKeyRotations`: one page of a key's materials.
    async fn list_key_rotations(
        &self,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse> {
        Err(Error::not_implemented("ListKeyRotations", self))
    }

    /// `GetParametersForImport`: a wrapping key and import token to import key material.
    async fn get_parameters_for_import(
        &self,
        request: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse> {
        Err(Error::not_implemented("GetParametersForImport", self))
    }
    /// `ImportKeyMaterial`: imports wrapped key material into an `EXTERNAL` key.
    async fn import_key_material(
        &self,
        request: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse> {
        Err(Error::not_implemented("ImportKeyMaterial", self))
    }
    /// `DeleteImportedKeyMaterial`: deletes imported key material, keeping the key.
    async fn delete_imported_key_material(
        &self,
        request: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse> {
        Err(Error::not_implemented("DeleteImportedKeyMaterial", self))
    }

    /// `CreateAlias`: names a key.
    async fn create_alias(&self, request: CreateAliasRequest) -> Result<CreateAliasResponse> {
        Err(Error::not_implemented("CreateAlias", self))
    }
    /// `UpdateAlias`: points an alias at another key.
    async fn update_alias(&self, request: UpdateAliasRequest) -> Result<UpdateAliasResponse> {
        Err(Error::not_implemented("UpdateAlias", self))
    }
    /// `DeleteAlias`: removes an alias.
    async fn delete_alias(&self, request: DeleteAliasRequest) -> Result<DeleteAliasResponse> {
        Err(Error::not_implemented("DeleteAlias", self))
    }
    /// `ListAliases`: one page of the aliases.
    async fn list_aliases(&self, request: ListAliasesRequest) -> Result<ListAliasesResponse> {
        Err(Error::not_implemented("ListAliases", self))
    }

    /// `TagResource`: adds or replaces tags.
    async fn tag_resource(&self, request: TagResourceRequest) -> Result<TagResourceResponse> {
        Err(Error::not_implemented("TagResource", self))
    }
    /// `UntagResource`: removes tags.
    async fn untag_resource(&self, request: UntagResourceRequest) -> Result<UntagResourceResponse> {
        Err(Error::not_implemented("UntagResource", self))
    }
    /// `ListResourceTags`: one page of a key's tags.
    async fn list_resource_tags(
        &self,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse> {
        Err(Error::not_implemented("ListResourceTags", self))
    }

    /// `Encrypt`: encrypts up to 4096 bytes.
    async fn encrypt(&self, request: EncryptRequest) -> Result<EncryptResponse> {
        Err(Error::not_implemented("Encrypt", self))
    }
    /// `Decrypt`: decrypts a ciphertext.
    async fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        Err(Error::not_implemented("Decrypt", self))
    }
    /// `ReEncrypt`: moves a ciphertext to another key or context.
    async fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse> {
        Err(Error::not_implemented("ReEncrypt", self))
    }
    /// `GenerateDataKey`: a data key in plaintext and encrypted.
    async fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        Err(Error::not_implemented("GenerateDataKey", self))
    }
    /// `GenerateDataKeyWithoutPlaintext`: a data key, only encrypted.
    async fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        Err(Error::not_implemented(
            "GenerateDataKeyWithoutPlaintext",
            self,
        ))
    }
    /// `GenerateRandom`: random bytes.
    async fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        Err(Error::not_implemented("GenerateRandom", self))
    }

    /// `GenerateDataKeyPair`: an asymmetric data key pair, the private key in plaintext and
    /// encrypted.
    async fn generate_data_key_pair(
        &self,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        Err(Error::not_implemented("GenerateDataKeyPair", self))
    }
    /// `GenerateDataKeyPairWithoutPlaintext`: an asymmetric data key pair, the private key
    /// only encrypted.
    async fn generate_data_key_pair_without_plaintext(
        &self,
        request: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        Err(Error::not_implemented(
            "GenerateDataKeyPairWithoutPlaintext",
            self,
        ))
    }

    /// `GetPublicKey`: the public key of an asymmetric key.
    async fn get_public_key(&self, request: GetPublicKeyRequest) -> Result<GetPublicKeyResponse> {
        Err(Error::not_implemented("GetPublicKey", self))
    }
    /// `Sign`: a signature of a message or digest.
    async fn sign(&self, request: SignRequest) -> Result<SignResponse> {
        Err(Error::not_implemented("Sign", self))
    }
    /// `Verify`: checks a signature.
    async fn verify(&self, request: VerifyRequest) -> Result<VerifyResponse> {
        Err(Error::not_implemented("Verify", self))
    }

    /// `GenerateMac`: the HMAC of a message.
    async fn generate_mac(&self, request: GenerateMacRequest) -> Result<GenerateMacResponse> {
        Err(Error::not_implemented("GenerateMac", self))
    }
    /// `VerifyMac`: checks an HMAC.
    async fn verify_mac(&self, request: VerifyMacRequest) -> Result<VerifyMacResponse> {
        Err(Error::not_implemented("VerifyMac", self))
    }

    /// `DeriveSharedSecret`: ECDH with a peer's public key.
    async fn derive_shared_secret(
        &self,
        request: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse> {
        Err(Error::not_implemented("DeriveSharedSecret", self))
    }
    /// `Encapsulate`: a shared secret and its ML-KEM encapsulation.
    async fn encapsulate(&self, request: EncapsulateRequest) -> Result<EncapsulateResponse> {
        Err(Error::not_implemented("Encapsulate", self))
    }
    /// `Decapsulate`: the shared secret of an ML-KEM encapsulation.
    async fn decapsulate(&self, request: DecapsulateRequest) -> Result<DecapsulateResponse> {
        Err(Error::not_implemented("Decapsulate", self))
    }
    /// `ReplicateKey`: a replica of a multi-Region primary key in another Region.
    async fn replicate_key(&self, request: ReplicateKeyRequest) -> Result<ReplicateKeyResponse> {
        Err(Error::not_implemented("ReplicateKey", self))
    }
    /// `UpdatePrimaryRegion`: makes a replica of a multi-Region key its primary key.
    async fn update_primary_region(
        &self,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<UpdatePrimaryRegionResponse> {
        Err(Error::not_implemented("UpdatePrimaryRegion", self))
    }
}

/// A KMS backend chosen at run time; hold it as `Arc<DynKms>`.
pub type DynKms = dyn Kms;

/// Calls the macro `$callback` with `$prefix` followed by one line per operation of [`Kms`]:
/// `name(RequestType) -> ResponseType;`, the types as full paths. Wrappers that forward every
/// operation (to a pointer's target, to a store opened per call...) are generated from this one
/// list, so none can miss an operation.
///
/// ```
/// macro_rules! count {
///     ($( $op:ident($request:ty) -> $response:ty; )+) => { [$(stringify!($op)),+].len() };
/// }
/// assert_eq!(kms_core::for_each_operation!(count {}), 41);
/// ```
#[macro_export]
macro_rules! for_each_operation {
    ($callback:ident { $($prefix:tt)* }) => {
        $callback! { $($prefix)*
            create_key($crate::ops::CreateKeyRequest) -> $crate::ops::CreateKeyResponse;
            describe_key($crate::ops::DescribeKeyRequest) -> $crate::ops::DescribeKeyResponse;
            list_keys($crate::ops::ListKeysRequest) -> $crate::ops::ListKeysResponse;
            update_key_description($crate::ops::UpdateKeyDescriptionRequest)
                -> $crate::ops::UpdateKeyDescriptionResponse;
            enable_key($crate::ops::EnableKeyRequest) -> $crate::ops::EnableKeyResponse;
            disable_key($crate::ops::DisableKeyRequest) -> $crate::ops::DisableKeyResponse;
            schedule_key_deletion($crate::ops::ScheduleKeyDeletionRequest)
                -> $crate::ops::ScheduleKeyDeletionResponse;
            cancel_key_deletion($crate::ops::CancelKeyDeletionRequest)
                -> $crate::ops::CancelKeyDeletionResponse;
            enable_key_rotation($crate::ops::EnableKeyRotationRequest)
                -> $crate::ops::EnableKeyRotationResponse;
            disable_key_rotation($crate::ops::DisableKeyRotationRequest)
                -> $crate::ops::DisableKeyRotationResponse;
            get_key_rotation_status($crate::ops::GetKeyRotationStatusRequest)
                -> $crate::ops::GetKeyRotationStatusResponse;
            rotate_key_on_demand($crate::ops::RotateKeyOnDemandRequest)
                -> $crate::ops::RotateKeyOnDemandResponse;
            list_key_rotations($crate::ops::ListKeyRotationsRequest)
                -> $crate::ops::ListKeyRotationsResponse;
            get_parameters_for_import($crate::ops::GetParametersForImportRequest)
                -> $crate::ops::GetParametersForImportResponse;
            import_key_material($crate::ops::ImportKeyMaterialRequest)
                -> $crate::ops::ImportKeyMaterialResponse;
            delete_imported_key_material($crate::ops::DeleteImportedKeyMaterialRequest)
                -> $crate::ops::DeleteImportedKeyMaterialResponse;
            create_alias($crate::ops::CreateAliasRequest) -> $crate::ops::CreateAliasResponse;
            update_alias($crate::ops::UpdateAliasRequest) -> $crate::ops::UpdateAliasResponse;
            delete_alias($crate::ops::DeleteAliasRequest) -> $crate::ops::DeleteAliasResponse;
            list_aliases($crate::ops::ListAliasesRequest) -> $crate::ops::ListAliasesResponse;
            tag_resource($crate::ops::TagResourceRequest) -> $crate::ops::TagResourceResponse;
            untag_resource($crate::ops::UntagResourceRequest)
                -> $crate::ops::UntagResourceResponse;
            list_resource_tags($crate::ops::ListResourceTagsRequest)
                -> $crate::ops::ListResourceTagsResponse;
            encrypt($crate::ops::EncryptRequest) -> $crate::ops::EncryptResponse;
            decrypt($crate::ops::DecryptRequest) -> $crate::ops::DecryptResponse;
            re_encrypt($crate::ops::ReEncryptRequest) -> $crate::ops::ReEncryptResponse;
            generate_data_key($crate::ops::GenerateDataKeyRequest)
                -> $crate::ops::GenerateDataKeyResponse;
            generate_data_key_without_plaintext(
                $crate::ops::GenerateDataKeyWithoutPlaintextRequest
            ) -> $crate::ops::GenerateDataKeyWithoutPlaintextResponse;
            generate_random($crate::ops::GenerateRandomRequest)
                -> $crate::ops::GenerateRandomResponse;
            generate_data_key_pair($crate::ops::GenerateDataKeyPairRequest)
                -> $crate::ops::GenerateDataKeyPairResponse;
            generate_data_key_pair_without_plaintext(
                $crate::ops::GenerateDataKeyPairWithoutPlaintextRequest
            ) -> $crate::ops::GenerateDataKeyPairWithoutPlaintextResponse;
            get_public_key($crate::ops::GetPublicKeyRequest)
                -> $crate::ops::GetPublicKeyResponse;
            sign($crate::ops::SignRequest) -> $crate::ops::SignResponse;
            verify($crate::ops::VerifyRequest) -> $crate::ops::VerifyResponse;
            generate_mac($crate::ops::GenerateMacRequest) -> $crate::ops::GenerateMacResponse;
            verify_mac($crate::ops::VerifyMacRequest) -> $crate::ops::VerifyMacResponse;
            derive_shared_secret($crate::ops::DeriveSharedSecretRequest)
                -> $crate::ops::DeriveSharedSecretResponse;
            encapsulate($crate::ops::EncapsulateRequest) -> $crate::ops::EncapsulateResponse;
            decapsulate($crate::ops::DecapsulateRequest) -> $crate::ops::DecapsulateResponse;
            replicate_key($crate::ops::ReplicateKeyRequest)
                -> $crate::ops::ReplicateKeyResponse;
            update_primary_region($crate::ops::UpdatePrimaryRegionRequest)
                -> $crate::ops::UpdatePrimaryRegionResponse;
        }
    };
}

/// Implements `Kms` for a smart pointer by forwarding every operation to its target.
macro_rules! forward_kms {
    ($pointer:ident $( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl<T: Kms + ?Sized> Kms for $pointer<T> {
            $(
                async fn $op(&self, request: $request) -> Result<$response> {
                    (**self).$op(request).await
                }
            )+
        }
    };
}

for_each_operation!(forward_kms { Arc });
for_each_operation!(forward_kms { Box });
