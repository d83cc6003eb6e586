//! `impl Kms for AwsKms`: each operation as one call of the SDK.

use async_trait::async_trait;
use aws_sdk_kms::error::SdkError;
use aws_sdk_kms::primitives::{Blob, DateTime};
use kms_core::{
    Arn, CancelKeyDeletionRequest, CancelKeyDeletionResponse, CreateAliasRequest,
    CreateAliasResponse, CreateKeyRequest, CreateKeyResponse, DataKeyPairSpec, DecapsulateRequest,
    DecapsulateResponse, DecryptRequest, DecryptResponse, DeleteAliasRequest, DeleteAliasResponse,
    DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse, DeriveSharedSecretRequest,
    DeriveSharedSecretResponse, DescribeKeyRequest, DescribeKeyResponse, DisableKeyRequest,
    DisableKeyResponse, DisableKeyRotationRequest, DisableKeyRotationResponse, EnableKeyRequest,
    EnableKeyResponse, EnableKeyRotationRequest, EnableKeyRotationResponse, EncapsulateRequest,
    EncapsulateResponse, EncryptRequest, EncryptResponse, Error, GenerateDataKeyPairRequest,
    GenerateDataKeyPairResponse, GenerateDataKeyPairWithoutPlaintextRequest,
    GenerateDataKeyPairWithoutPlaintextResponse, GenerateDataKeyRequest, GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextRequest, GenerateDataKeyWithoutPlaintextResponse,
    GenerateMacRequest, GenerateMacResponse, GenerateRandomRequest, GenerateRandomResponse,
    GetKeyRotationStatusRequest, GetKeyRotationStatusResponse, GetParametersForImportRequest,
    GetParametersForImportResponse, GetPublicKeyRequest, GetPublicKeyResponse,
    ImportKeyMaterialRequest, ImportKeyMaterialResponse, KeyId, Kms, ListAliasesRequest,
    ListAliasesResponse, ListKeyRotationsRequest, ListKeyRotationsResponse, ListKeysRequest,
    ListKeysResponse, ListResourceTagsRequest, ListResourceTagsResponse, ReEncryptRequest,
    ReEncryptResponse, ReplicateKeyRequest, ReplicateKeyResponse, Result, RotateKeyOnDemandRequest,
    RotateKeyOnDemandResponse, ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse,
    SignRequest, SignResponse, TagResourceRequest, TagResourceResponse, UntagResourceRequest,
    UntagResourceResponse, UpdateAliasRequest, UpdateAliasResponse, UpdateKeyDescriptionRequest,
    UpdateKeyDescriptionResponse, UpdatePrimaryRegionRequest, UpdatePrimaryRegionResponse,
    VerifyMacRequest, VerifyMacResponse, VerifyRequest, VerifyResponse,
};

use crate::AwsKms;
use crate::convert::{
    Answer, context, enumeration, enumerations, grant_tokens, opt_i32, sdk_enum, sdk_tags, secret,
    secret_blob,
};
use crate::error::{OperationError, from_sdk};

/// AWS's message of `IncorrectKeyException`.
const INCORRECT_KEY_MESSAGE: &str =
    "The key ID in the request does not identify a CMK that can perform this operation.";

/// A key identifier as the SDK takes it.
fn key(key_id: &KeyId) -> String {
    key_id.as_str().to_owned()
}

impl AwsKms {
    /// Maps an error of `operation`.
    fn error<E: OperationError>(&self, operation: &'static str, error: SdkError<E>) -> Error {
        from_sdk(operation, &self.target, error)
    }

    /// Reads the answer of `operation`.
    fn answer(&self, operation: &'static str) -> Answer<'_> {
        Answer {
            operation,
            target: &self.target,
        }
    }
}

/// Checks that the key the service used (`used`, a key ARN) is the key the caller named by
/// key ID or key ARN, which needs no request. A key named by alias is left to the service:
/// AWS checks it itself, and resolving the alias here would cost a `DescribeKey` the
/// caller's policy may not allow.
fn check_key(requested: Option<&KeyId>, used: &str) -> Result<()> {
    let Some(requested) = requested.filter(|key_id| !key_id.is_alias()) else {
        return Ok(());
    };
    let same = if requested.arn().is_some() {
        requested.as_str() == used
    } else {
        Arn::parse(used).is_some_and(|arn| {
            arn.resource_type() == "key" && arn.resource_id() == requested.as_str()
        })
    };
    if same {
        Ok(())
    } else {
        Err(Error::IncorrectKey {
            message: INCORRECT_KEY_MESSAGE.to_owned(),
        })
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl Kms for AwsKms {
    async fn create_key(&self, request: CreateKeyRequest) -> Result<CreateKeyResponse> {
        let output = self
            .client
            .create_key()
            .set_policy(request.policy)
            .set_description(request.description)
            .set_key_usage(request.key_usage.map(sdk_enum))
            .set_key_spec(request.key_spec.map(sdk_enum))
            .set_origin(request.origin.map(sdk_enum))
            .set_bypass_policy_lockout_safety_check(request.bypass_policy_lockout_safety_check)
            .set_multi_region(request.multi_region)
            .set_custom_key_store_id(request.custom_key_store_id)
            .set_tags(sdk_tags(request.tags)?)
            .send()
            .await
            .map_err(|error| self.error("CreateKey", error))?;
        let answer = self.answer("CreateKey");
        let metadata = answer.required(output.key_metadata, "KeyMetadata")?;
        Ok(CreateKeyResponse::new(answer.key_metadata(metadata)?))
    }

    async fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse> {
        let output = self
            .client
            .describe_key()
            .key_id(key(&request.key_id))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .send()
            .await
            .map_err(|error| self.error("DescribeKey", error))?;
        let answer = self.answer("DescribeKey");
        let metadata = answer.required(output.key_metadata, "KeyMetadata")?;
        Ok(DescribeKeyResponse::new(answer.key_metadata(metadata)?))
    }

    async fn list_keys(&self, request: ListKeysRequest) -> Result<ListKeysResponse> {
        let output = self
            .client
            .list_keys()
            .set_limit(opt_i32(request.limit, "limit")?)
            .set_marker(request.marker)
            .send()
            .await
            .map_err(|error| self.error("ListKeys", error))?;
        let mut response = ListKeysResponse::new();
        response.keys = self.answer("ListKeys").key_list(output.keys)?;
        response.truncated = output.truncated;
        response.next_marker = output.next_marker;
        Ok(response)
    }

    async fn update_key_description(
        &self,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<UpdateKeyDescriptionResponse> {
        self.client
            .update_key_description()
            .key_id(key(&request.key_id))
            .description(request.description)
            .send()
            .await
            .map_err(|error| self.error("UpdateKeyDescription", error))?;
        Ok(UpdateKeyDescriptionResponse::new())
    }

    async fn enable_key(&self, request: EnableKeyRequest) -> Result<EnableKeyResponse> {
        self.client
            .enable_key()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("EnableKey", error))?;
        Ok(EnableKeyResponse::new())
    }

    async fn disable_key(&self, request: DisableKeyRequest) -> Result<DisableKeyResponse> {
        self.client
            .disable_key()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("DisableKey", error))?;
        Ok(DisableKeyResponse::new())
    }

    async fn schedule_key_deletion(
        &self,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        let output = self
            .client
            .schedule_key_deletion()
            .key_id(key(&request.key_id))
            .set_pending_window_in_days(opt_i32(
                request.pending_window_in_days,
                "pendingWindowInDays",
            )?)
            .send()
            .await
            .map_err(|error| self.error("ScheduleKeyDeletion", error))?;
        let answer = self.answer("ScheduleKeyDeletion");
        let mut response =
            ScheduleKeyDeletionResponse::new(answer.required(output.key_id, "KeyId")?);
        response.deletion_date = answer.time(output.deletion_date, "DeletionDate")?;
        response.key_state = enumeration(output.key_state);
        response.pending_window_in_days =
            answer.opt_count(output.pending_window_in_days, "PendingWindowInDays")?;
        Ok(response)
    }

    async fn cancel_key_deletion(
        &self,
        request: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse> {
        let output = self
            .client
            .cancel_key_deletion()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("CancelKeyDeletion", error))?;
        let key_id = self
            .answer("CancelKeyDeletion")
            .required(output.key_id, "KeyId")?;
        Ok(CancelKeyDeletionResponse::new(key_id))
    }

    async fn enable_key_rotation(
        &self,
        request: EnableKeyRotationRequest,
    ) -> Result<EnableKeyRotationResponse> {
        self.client
            .enable_key_rotation()
            .key_id(key(&request.key_id))
            .set_rotation_period_in_days(opt_i32(
                request.rotation_period_in_days,
                "rotationPeriodInDays",
            )?)
            .send()
            .await
            .map_err(|error| self.error("EnableKeyRotation", error))?;
        Ok(EnableKeyRotationResponse::new())
    }

    async fn disable_key_rotation(
        &self,
        request: DisableKeyRotationRequest,
    ) -> Result<DisableKeyRotationResponse> {
        self.client
            .disable_key_rotation()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("DisableKeyRotation", error))?;
        Ok(DisableKeyRotationResponse::new())
    }

    async fn get_key_rotation_status(
        &self,
        request: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse> {
        let output = self
            .client
            .get_key_rotation_status()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("GetKeyRotationStatus", error))?;
        let answer = self.answer("GetKeyRotationStatus");
        let mut response = GetKeyRotationStatusResponse::new(output.key_rotation_enabled);
        response.key_id = output.key_id;
        response.rotation_period_in_days =
            answer.opt_count(output.rotation_period_in_days, "RotationPeriodInDays")?;
        response.next_rotation_date = answer.time(output.next_rotation_date, "NextRotationDate")?;
        response.on_demand_rotation_start_date = answer.time(
            output.on_demand_rotation_start_date,
            "OnDemandRotationStartDate",
        )?;
        Ok(response)
    }

    async fn rotate_key_on_demand(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse> {
        let output = self
            .client
            .rotate_key_on_demand()
            .key_id(key(&request.key_id))
            .send()
            .await
            .map_err(|error| self.error("RotateKeyOnDemand", error))?;
        let key_id = self
            .answer("RotateKeyOnDemand")
            .required(output.key_id, "KeyId")?;
        Ok(RotateKeyOnDemandResponse::new(key_id))
    }

    async fn list_key_rotations(
        &self,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse> {
        let output = self
            .client
            .list_key_rotations()
            .key_id(key(&request.key_id))
            .set_include_key_material(request.include_key_material.map(sdk_enum))
            .set_limit(opt_i32(request.limit, "limit")?)
            .set_marker(request.marker)
            .send()
            .await
            .map_err(|error| self.error("ListKeyRotations", error))?;
        let mut response = ListKeyRotationsResponse::new();
        response.rotations = self
            .answer("ListKeyRotations")
            .rotation_list(output.rotations)?;
        response.truncated = output.truncated;
        response.next_marker = output.next_marker;
        Ok(response)
    }

    async fn get_parameters_for_import(
        &self,
        request: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse> {
        let output = self
            .client
            .get_parameters_for_import()
            .key_id(key(&request.key_id))
            .wrapping_algorithm(sdk_enum(request.wrapping_algorithm))
            .wrapping_key_spec(sdk_enum(request.wrapping_key_spec))
            .send()
            .await
            .map_err(|error| self.error("GetParametersForImport", error))?;
        let answer = self.answer("GetParametersForImport");
        let mut response = GetParametersForImportResponse::new();
        response.key_id = output.key_id;
        response.import_token = output.import_token.map(Blob::into_inner);
        response.public_key = output.public_key.map(Blob::into_inner);
        response.parameters_valid_to =
            answer.time(output.parameters_valid_to, "ParametersValidTo")?;
        Ok(response)
    }

    async fn import_key_material(
        &self,
        request: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse> {
        let output = self
            .client
            .import_key_material()
            .key_id(key(&request.key_id))
            .import_token(Blob::new(request.import_token))
            .encrypted_key_material(Blob::new(request.encrypted_key_material))
            .set_valid_to(request.valid_to.map(DateTime::from))
            .set_expiration_model(request.expiration_model.map(sdk_enum))
            .set_import_type(request.import_type.map(sdk_enum))
            .set_key_material_description(request.key_material_description)
            .set_key_material_id(request.key_material_id)
            .send()
            .await
            .map_err(|error| self.error("ImportKeyMaterial", error))?;
        let mut response = ImportKeyMaterialResponse::new();
        response.key_id = output.key_id;
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn delete_imported_key_material(
        &self,
        request: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse> {
        let output = self
            .client
            .delete_imported_key_material()
            .key_id(key(&request.key_id))
            .set_key_material_id(request.key_material_id)
            .send()
            .await
            .map_err(|error| self.error("DeleteImportedKeyMaterial", error))?;
        let mut response = DeleteImportedKeyMaterialResponse::new();
        response.key_id = output.key_id;
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn create_alias(&self, request: CreateAliasRequest) -> Result<CreateAliasResponse> {
        self.client
            .create_alias()
            .alias_name(request.alias_name)
            .target_key_id(key(&request.target_key_id))
            .send()
            .await
            .map_err(|error| self.error("CreateAlias", error))?;
        Ok(CreateAliasResponse::new())
    }

    async fn update_alias(&self, request: UpdateAliasRequest) -> Result<UpdateAliasResponse> {
        self.client
            .update_alias()
            .alias_name(request.alias_name)
            .target_key_id(key(&request.target_key_id))
            .send()
            .await
            .map_err(|error| self.error("UpdateAlias", error))?;
        Ok(UpdateAliasResponse::new())
    }

    async fn delete_alias(&self, request: DeleteAliasRequest) -> Result<DeleteAliasResponse> {
        self.client
            .delete_alias()
            .alias_name(request.alias_name)
            .send()
            .await
            .map_err(|error| self.error("DeleteAlias", error))?;
        Ok(DeleteAliasResponse::new())
    }

    async fn list_aliases(&self, request: ListAliasesRequest) -> Result<ListAliasesResponse> {
        let output = self
            .client
            .list_aliases()
            .set_key_id(request.key_id.as_ref().map(key))
            .set_limit(opt_i32(request.limit, "limit")?)
            .set_marker(request.marker)
            .send()
            .await
            .map_err(|error| self.error("ListAliases", error))?;
        let mut response = ListAliasesResponse::new();
        response.aliases = self.answer("ListAliases").alias_list(output.aliases)?;
        response.truncated = output.truncated;
        response.next_marker = output.next_marker;
        Ok(response)
    }

    async fn tag_resource(&self, request: TagResourceRequest) -> Result<TagResourceResponse> {
        self.client
            .tag_resource()
            .key_id(key(&request.key_id))
            .set_tags(Some(sdk_tags(request.tags)?.unwrap_or_default()))
            .send()
            .await
            .map_err(|error| self.error("TagResource", error))?;
        Ok(TagResourceResponse::new())
    }

    async fn untag_resource(&self, request: UntagResourceRequest) -> Result<UntagResourceResponse> {
        self.client
            .untag_resource()
            .key_id(key(&request.key_id))
            .set_tag_keys(Some(request.tag_keys))
            .send()
            .await
            .map_err(|error| self.error("UntagResource", error))?;
        Ok(UntagResourceResponse::new())
    }

    async fn list_resource_tags(
        &self,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse> {
        let output = self
            .client
            .list_resource_tags()
            .key_id(key(&request.key_id))
            .set_limit(opt_i32(request.limit, "limit")?)
            .set_marker(request.marker)
            .send()
            .await
            .map_err(|error| self.error("ListResourceTags", error))?;
        let mut response = ListResourceTagsResponse::new();
        response.tags = self.answer("ListResourceTags").tag_list(output.tags);
        response.truncated = output.truncated;
        response.next_marker = output.next_marker;
        Ok(response)
    }

    async fn encrypt(&self, request: EncryptRequest) -> Result<EncryptResponse> {
        let output = self
            .client
            .encrypt()
            .key_id(key(&request.key_id))
            .plaintext(secret_blob(&request.plaintext))
            .set_encryption_context(context(request.encryption_context))
            .set_encryption_algorithm(request.encryption_algorithm.map(sdk_enum))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Encrypt", error))?;
        let answer = self.answer("Encrypt");
        let mut response = EncryptResponse::new(
            answer.bytes(output.ciphertext_blob, "CiphertextBlob")?,
            answer.required(output.key_id, "KeyId")?,
        );
        response.encryption_algorithm = enumeration(output.encryption_algorithm);
        Ok(response)
    }

    async fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        let mut output = self
            .client
            .decrypt()
            .ciphertext_blob(Blob::new(request.ciphertext_blob))
            .set_key_id(request.key_id.as_ref().map(key))
            .set_encryption_context(context(request.encryption_context))
            .set_encryption_algorithm(request.encryption_algorithm.map(sdk_enum))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Decrypt", error))?;
        let answer = self.answer("Decrypt");
        // First into a secret, so that it is wiped whatever happens next.
        let plaintext = output.plaintext.take().map(secret);
        let plaintext = answer.required(plaintext, "Plaintext")?;
        let key_id = answer.required(output.key_id, "KeyId")?;
        check_key(request.key_id.as_ref(), &key_id)?;
        let mut response = DecryptResponse::new(key_id, plaintext);
        response.encryption_algorithm = enumeration(output.encryption_algorithm);
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse> {
        let output = self
            .client
            .re_encrypt()
            .ciphertext_blob(Blob::new(request.ciphertext_blob))
            .set_source_encryption_context(context(request.source_encryption_context))
            .set_source_key_id(request.source_key_id.as_ref().map(key))
            .destination_key_id(key(&request.destination_key_id))
            .set_destination_encryption_context(context(request.destination_encryption_context))
            .set_source_encryption_algorithm(request.source_encryption_algorithm.map(sdk_enum))
            .set_destination_encryption_algorithm(
                request.destination_encryption_algorithm.map(sdk_enum),
            )
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("ReEncrypt", error))?;
        let answer = self.answer("ReEncrypt");
        if let Some(requested) = &request.source_key_id {
            let used = answer.required(output.source_key_id.as_deref(), "SourceKeyId")?;
            check_key(Some(requested), used)?;
        }
        let mut response = ReEncryptResponse::new(
            answer.bytes(output.ciphertext_blob, "CiphertextBlob")?,
            answer.required(output.key_id, "KeyId")?,
        );
        response.source_key_id = output.source_key_id;
        response.source_encryption_algorithm = enumeration(output.source_encryption_algorithm);
        response.destination_encryption_algorithm =
            enumeration(output.destination_encryption_algorithm);
        response.source_key_material_id = output.source_key_material_id;
        response.destination_key_material_id = output.destination_key_material_id;
        Ok(response)
    }

    async fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let mut output = self
            .client
            .generate_data_key()
            .key_id(key(&request.key_id))
            .set_key_spec(request.key_spec.map(sdk_enum))
            .set_number_of_bytes(opt_i32(request.number_of_bytes, "numberOfBytes")?)
            .set_encryption_context(context(request.encryption_context))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("GenerateDataKey", error))?;
        let answer = self.answer("GenerateDataKey");
        // First into a secret, so that it is wiped whatever happens next.
        let plaintext = output.plaintext.take().map(secret);
        let plaintext = answer.required(plaintext, "Plaintext")?;
        let mut response = GenerateDataKeyResponse::new(
            answer.bytes(output.ciphertext_blob, "CiphertextBlob")?,
            plaintext,
            answer.required(output.key_id, "KeyId")?,
        );
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        let output = self
            .client
            .generate_data_key_without_plaintext()
            .key_id(key(&request.key_id))
            .set_key_spec(request.key_spec.map(sdk_enum))
            .set_number_of_bytes(opt_i32(request.number_of_bytes, "numberOfBytes")?)
            .set_encryption_context(context(request.encryption_context))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("GenerateDataKeyWithoutPlaintext", error))?;
        let answer = self.answer("GenerateDataKeyWithoutPlaintext");
        let mut response = GenerateDataKeyWithoutPlaintextResponse::new(
            answer.bytes(output.ciphertext_blob, "CiphertextBlob")?,
            answer.required(output.key_id, "KeyId")?,
        );
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        let output = self
            .client
            .generate_random()
            .set_number_of_bytes(opt_i32(request.number_of_bytes, "numberOfBytes")?)
            .set_custom_key_store_id(request.custom_key_store_id)
            .send()
            .await
            .map_err(|error| self.error("GenerateRandom", error))?;
        let plaintext = output.plaintext.map(secret);
        let plaintext = self
            .answer("GenerateRandom")
            .required(plaintext, "Plaintext")?;
        Ok(GenerateRandomResponse::new(plaintext))
    }

    async fn generate_data_key_pair(
        &self,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        let mut output = self
            .client
            .generate_data_key_pair()
            .key_id(key(&request.key_id))
            .key_pair_spec(sdk_enum(request.key_pair_spec))
            .set_encryption_context(context(request.encryption_context))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("GenerateDataKeyPair", error))?;
        let answer = self.answer("GenerateDataKeyPair");
        // First into a secret, so that it is wiped whatever happens next.
        let private_key = output.private_key_plaintext.take().map(secret);
        let private_key = answer.required(private_key, "PrivateKeyPlaintext")?;
        let mut response = GenerateDataKeyPairResponse::new(
            answer.bytes(
                output.private_key_ciphertext_blob,
                "PrivateKeyCiphertextBlob",
            )?,
            private_key,
            answer.bytes(output.public_key, "PublicKey")?,
            answer.required(output.key_id, "KeyId")?,
            answer.required(
                enumeration::<DataKeyPairSpec, _>(output.key_pair_spec),
                "KeyPairSpec",
            )?,
        );
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn generate_data_key_pair_without_plaintext(
        &self,
        request: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        let output = self
            .client
            .generate_data_key_pair_without_plaintext()
            .key_id(key(&request.key_id))
            .key_pair_spec(sdk_enum(request.key_pair_spec))
            .set_encryption_context(context(request.encryption_context))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("GenerateDataKeyPairWithoutPlaintext", error))?;
        let answer = self.answer("GenerateDataKeyPairWithoutPlaintext");
        let mut response = GenerateDataKeyPairWithoutPlaintextResponse::new(
            answer.bytes(
                output.private_key_ciphertext_blob,
                "PrivateKeyCiphertextBlob",
            )?,
            answer.bytes(output.public_key, "PublicKey")?,
            answer.required(output.key_id, "KeyId")?,
            answer.required(
                enumeration::<DataKeyPairSpec, _>(output.key_pair_spec),
                "KeyPairSpec",
            )?,
        );
        response.key_material_id = output.key_material_id;
        Ok(response)
    }

    async fn get_public_key(&self, request: GetPublicKeyRequest) -> Result<GetPublicKeyResponse> {
        let output = self
            .client
            .get_public_key()
            .key_id(key(&request.key_id))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .send()
            .await
            .map_err(|error| self.error("GetPublicKey", error))?;
        let answer = self.answer("GetPublicKey");
        let mut response = GetPublicKeyResponse::new(
            answer.required(output.key_id, "KeyId")?,
            answer.bytes(output.public_key, "PublicKey")?,
        );
        // Deprecated in favour of KeySpec, but AWS still returns it and so do we.
        #[allow(deprecated)]
        let customer_master_key_spec = output.customer_master_key_spec;
        response.customer_master_key_spec = enumeration(customer_master_key_spec);
        response.key_spec = enumeration(output.key_spec);
        response.key_usage = enumeration(output.key_usage);
        response.encryption_algorithms = enumerations(output.encryption_algorithms);
        response.signing_algorithms = enumerations(output.signing_algorithms);
        response.key_agreement_algorithms = enumerations(output.key_agreement_algorithms);
        response.encapsulation_algorithms = enumerations(output.encapsulation_algorithms);
        Ok(response)
    }

    async fn sign(&self, request: SignRequest) -> Result<SignResponse> {
        let output = self
            .client
            .sign()
            .key_id(key(&request.key_id))
            .message(secret_blob(&request.message))
            .set_message_type(request.message_type.map(sdk_enum))
            .signing_algorithm(sdk_enum(request.signing_algorithm))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Sign", error))?;
        let answer = self.answer("Sign");
        let mut response = SignResponse::new(
            answer.required(output.key_id, "KeyId")?,
            answer.bytes(output.signature, "Signature")?,
        );
        response.signing_algorithm = enumeration(output.signing_algorithm);
        Ok(response)
    }

    async fn verify(&self, request: VerifyRequest) -> Result<VerifyResponse> {
        let output = self
            .client
            .verify()
            .key_id(key(&request.key_id))
            .message(secret_blob(&request.message))
            .set_message_type(request.message_type.map(sdk_enum))
            .signature(Blob::new(request.signature))
            .signing_algorithm(sdk_enum(request.signing_algorithm))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Verify", error))?;
        // AWS refuses a bad signature with KMSInvalidSignatureException; a peer that answers
        // `false` instead gets the same error, so that callers have one way to learn it.
        if !output.signature_valid {
            return Err(Error::InvalidSignature);
        }
        let mut response = VerifyResponse::new(
            self.answer("Verify").required(output.key_id, "KeyId")?,
            true,
        );
        response.signing_algorithm = enumeration(output.signing_algorithm);
        Ok(response)
    }

    async fn generate_mac(&self, request: GenerateMacRequest) -> Result<GenerateMacResponse> {
        let output = self
            .client
            .generate_mac()
            .message(secret_blob(&request.message))
            .key_id(key(&request.key_id))
            .mac_algorithm(sdk_enum(request.mac_algorithm))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("GenerateMac", error))?;
        let answer = self.answer("GenerateMac");
        let mut response = GenerateMacResponse::new(
            answer.bytes(output.mac, "Mac")?,
            answer.required(output.key_id, "KeyId")?,
        );
        response.mac_algorithm = enumeration(output.mac_algorithm);
        Ok(response)
    }

    async fn verify_mac(&self, request: VerifyMacRequest) -> Result<VerifyMacResponse> {
        let output = self
            .client
            .verify_mac()
            .message(secret_blob(&request.message))
            .key_id(key(&request.key_id))
            .mac_algorithm(sdk_enum(request.mac_algorithm))
            .mac(Blob::new(request.mac))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("VerifyMac", error))?;
        // As for Verify: `false` from a peer is AWS's KMSInvalidMacException.
        if !output.mac_valid {
            return Err(Error::InvalidMac);
        }
        let mut response = VerifyMacResponse::new(
            self.answer("VerifyMac").required(output.key_id, "KeyId")?,
            true,
        );
        response.mac_algorithm = enumeration(output.mac_algorithm);
        Ok(response)
    }

    async fn derive_shared_secret(
        &self,
        request: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse> {
        let mut output = self
            .client
            .derive_shared_secret()
            .key_id(key(&request.key_id))
            .key_agreement_algorithm(sdk_enum(request.key_agreement_algorithm))
            .public_key(Blob::new(request.public_key))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("DeriveSharedSecret", error))?;
        let answer = self.answer("DeriveSharedSecret");
        // First into a secret, so that it is wiped whatever happens next.
        let shared_secret = output.shared_secret.take().map(secret);
        let shared_secret = answer.required(shared_secret, "SharedSecret")?;
        let mut response = DeriveSharedSecretResponse::new(
            answer.required(output.key_id, "KeyId")?,
            shared_secret,
        );
        response.key_agreement_algorithm = enumeration(output.key_agreement_algorithm);
        response.key_origin = enumeration(output.key_origin);
        Ok(response)
    }

    async fn encapsulate(&self, request: EncapsulateRequest) -> Result<EncapsulateResponse> {
        let mut output = self
            .client
            .encapsulate()
            .key_id(key(&request.key_id))
            .encapsulation_algorithm(sdk_enum(request.encapsulation_algorithm))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Encapsulate", error))?;
        let answer = self.answer("Encapsulate");
        // First into a secret, so that it is wiped whatever happens next.
        let shared_secret = output.shared_secret.take().map(secret);
        let shared_secret = answer.required(shared_secret, "SharedSecret")?;
        let mut response = EncapsulateResponse::new(
            answer.required(output.key_id, "KeyId")?,
            shared_secret,
            answer.bytes(
                output.shared_secret_ciphertext_blob,
                "SharedSecretCiphertextBlob",
            )?,
        );
        response.encapsulation_algorithm = enumeration(output.encapsulation_algorithm);
        Ok(response)
    }

    async fn decapsulate(&self, request: DecapsulateRequest) -> Result<DecapsulateResponse> {
        let mut output = self
            .client
            .decapsulate()
            .key_id(key(&request.key_id))
            .shared_secret_ciphertext_blob(Blob::new(request.shared_secret_ciphertext_blob))
            .encapsulation_algorithm(sdk_enum(request.encapsulation_algorithm))
            .set_grant_tokens(grant_tokens(request.grant_tokens))
            .set_dry_run(request.dry_run)
            .send()
            .await
            .map_err(|error| self.error("Decapsulate", error))?;
        let answer = self.answer("Decapsulate");
        // First into a secret, so that it is wiped whatever happens next.
        let shared_secret = output.shared_secret.take().map(secret);
        let shared_secret = answer.required(shared_secret, "SharedSecret")?;
        let mut response =
            DecapsulateResponse::new(answer.required(output.key_id, "KeyId")?, shared_secret);
        response.encapsulation_algorithm = enumeration(output.encapsulation_algorithm);
        Ok(response)
    }

    async fn replicate_key(&self, request: ReplicateKeyRequest) -> Result<ReplicateKeyResponse> {
        let output = self
            .client
            .replicate_key()
            .key_id(key(&request.key_id))
            .replica_region(request.replica_region)
            .set_policy(request.policy)
            .set_bypass_policy_lockout_safety_check(request.bypass_policy_lockout_safety_check)
            .set_description(request.description)
            .set_tags(sdk_tags(request.tags)?)
            .send()
            .await
            .map_err(|error| self.error("ReplicateKey", error))?;
        let answer = self.answer("ReplicateKey");
        let mut response = ReplicateKeyResponse::new();
        response.replica_key_metadata = output
            .replica_key_metadata
            .map(|metadata| answer.key_metadata(metadata))
            .transpose()?;
        response.replica_policy = output.replica_policy;
        response.replica_tags = answer.tag_list(output.replica_tags);
        Ok(response)
    }

    async fn update_primary_region(
        &self,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<UpdatePrimaryRegionResponse> {
        self.client
            .update_primary_region()
            .key_id(key(&request.key_id))
            .primary_region(request.primary_region)
            .send()
            .await
            .map_err(|error| self.error("UpdatePrimaryRegion", error))?;
        Ok(UpdatePrimaryRegionResponse::new())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const OTHER_ID: &str = "0000abcd-12ab-34cd-56ef-1234567890ab";

    fn id(text: &str) -> KeyId {
        KeyId::parse(text).unwrap()
    }

    #[test]
    fn no_named_key_needs_no_check() {
        assert!(check_key(None, ARN).is_ok());
    }

    #[test]
    fn key_ids_and_arns_are_compared_without_a_request() {
        assert!(check_key(Some(&id(ARN)), ARN).is_ok());
        assert!(check_key(Some(&id(ID)), ARN).is_ok());
        let other_arn = ARN.replace(ID, OTHER_ID);
        for requested in [id(OTHER_ID), id(&other_arn)] {
            let err = check_key(Some(&requested), ARN).unwrap_err();
            assert_eq!(err.code(), "IncorrectKeyException");
            assert_eq!(err.message(), INCORRECT_KEY_MESSAGE);
        }
        // The same key ID in another region or account is another key.
        let elsewhere = ARN.replace("us-east-1", "eu-west-1");
        assert!(check_key(Some(&id(&elsewhere)), ARN).is_err());
    }

    #[test]
    fn aliases_are_left_to_the_service() {
        for alias in [
            "alias/orders",
            "arn:aws:kms:us-east-1:111122223333:alias/orders",
        ] {
            assert!(check_key(Some(&id(alias)), ARN).is_ok());
        }
    }
}
