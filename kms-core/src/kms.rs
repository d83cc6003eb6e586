//! The `Kms` trait: every operation of AWS KMS this crate models, one method each.

use std::fmt::{Debug, Display};
use std::sync::Arc;

use async_trait::async_trait;

use crate::Result;
use crate::ops::*;

/// A Key Management Service: AWS KMS, the local backend, or anything that behaves like them.
///
/// Every method is an AWS KMS operation in snake case, taking the operation's request struct
/// and returning its response struct, with AWS's field names. Errors are AWS's exceptions as
/// [`Error`](crate::Error) variants with AWS's messages. The trait is object-safe: hold a
/// backend as `Arc<dyn Kms>` ([`DynKms`]) and switch backends by configuration.
/// Conveniences live in [`KmsExt`](crate::KmsExt).
///
/// Every backend implements every method; there are no default methods to forget.
#[async_trait]
pub trait Kms: Debug + Display + Send + Sync + 'static {
    /// `CreateKey`: creates a key.
    async fn create_key(&self, request: CreateKeyRequest) -> Result<CreateKeyResponse>;
    /// `DescribeKey`: the metadata of a key.
    async fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse>;
    /// `ListKeys`: one page of the keys.
    async fn list_keys(&self, request: ListKeysRequest) -> Result<ListKeysResponse>;
    /// `UpdateKeyDescription`: replaces a key's description.
    async fn update_key_description(
        &self,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<UpdateKeyDescriptionResponse>;
    /// `EnableKey`: makes a key usable.
    async fn enable_key(&self, request: EnableKeyRequest) -> Result<EnableKeyResponse>;
    /// `DisableKey`: makes a key unusable for cryptographic operations.
    async fn disable_key(&self, request: DisableKeyRequest) -> Result<DisableKeyResponse>;
    /// `ScheduleKeyDeletion`: deletes a key after a waiting period.
    async fn schedule_key_deletion(
        &self,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse>;
    /// `CancelKeyDeletion`: keeps a key scheduled for deletion, disabled.
    async fn cancel_key_deletion(
        &self,
        request: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse>;

    /// `EnableKeyRotation`: turns on automatic rotation.
    async fn enable_key_rotation(
        &self,
        request: EnableKeyRotationRequest,
    ) -> Result<EnableKeyRotationResponse>;
    /// `DisableKeyRotation`: turns off automatic rotation.
    async fn disable_key_rotation(
        &self,
        request: DisableKeyRotationRequest,
    ) -> Result<DisableKeyRotationResponse>;
    /// `GetKeyRotationStatus`: whether automatic rotation is on.
    async fn get_key_rotation_status(
        &self,
        request: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse>;
    /// `RotateKeyOnDemand`: rotates the key material now.
    async fn rotate_key_on_demand(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse>;
    /// `ListKeyRotations`: one page of a key's materials.
    async fn list_key_rotations(
        &self,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse>;

    /// `CreateAlias`: names a key.
    async fn create_alias(&self, request: CreateAliasRequest) -> Result<CreateAliasResponse>;
    /// `UpdateAlias`: points an alias at another key.
    async fn update_alias(&self, request: UpdateAliasRequest) -> Result<UpdateAliasResponse>;
    /// `DeleteAlias`: removes an alias.
    async fn delete_alias(&self, request: DeleteAliasRequest) -> Result<DeleteAliasResponse>;
    /// `ListAliases`: one page of the aliases.
    async fn list_aliases(&self, request: ListAliasesRequest) -> Result<ListAliasesResponse>;

    /// `TagResource`: adds or replaces tags.
    async fn tag_resource(&self, request: TagResourceRequest) -> Result<TagResourceResponse>;
    /// `UntagResource`: removes tags.
    async fn untag_resource(&self, request: UntagResourceRequest) -> Result<UntagResourceResponse>;
    /// `ListResourceTags`: one page of a key's tags.
    async fn list_resource_tags(
        &self,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse>;

    /// `Encrypt`: encrypts up to 4096 bytes.
    async fn encrypt(&self, request: EncryptRequest) -> Result<EncryptResponse>;
    /// `Decrypt`: decrypts a ciphertext.
    async fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse>;
    /// `ReEncrypt`: moves a ciphertext to another key or context.
    async fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse>;
    /// `GenerateDataKey`: a data key in plaintext and encrypted.
    async fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse>;
    /// `GenerateDataKeyWithoutPlaintext`: a data key, only encrypted.
    async fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse>;
    /// `GenerateRandom`: random bytes.
    async fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse>;
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
/// assert_eq!(kms_core::for_each_operation!(count {}), 26);
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
