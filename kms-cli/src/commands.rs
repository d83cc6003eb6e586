//! Runs one operation: builds its request from the flags, calls the backend, and returns the
//! response as the JSON `aws kms` prints.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms::ops::*;
use kms::{
    DataKeySpec, EncryptionAlgorithmSpec, IncludeKeyMaterial, KeyMetadata, KeySpec, KeyUsage, Kms,
    SecretBytes,
};
use serde_json::{Map, Value, json};

use crate::Failure;
use crate::args;
use crate::cli::{self, Operation as Command};
use crate::time::iso8601;

/// Runs `command` on `kms`; `None` for operations that answer nothing.
pub(crate) async fn run(kms: &dyn Kms, command: Command) -> Result<Option<Value>, Failure> {
    Ok(match command {
        Command::CreateKey(flags) => {
            let mut request = CreateKeyRequest::new().with_tags(args::tags(&flags.tags)?);
            if let Some(description) = flags.description {
                request = request.with_description(description);
            }
            if let Some(usage) = flags.key_usage {
                request = request.with_key_usage(KeyUsage::from(usage.as_str()));
            }
            if let Some(spec) = flags.key_spec {
                request = request.with_key_spec(KeySpec::from(spec.as_str()));
            }
            if let Some(policy) = flags.policy {
                request = request.with_policy(policy);
            }
            let response = kms.create_key(request).await?;
            Some(json!({ "KeyMetadata": metadata(&response.key_metadata) }))
        }
        Command::DescribeKey(flags) => {
            let request = DescribeKeyRequest::new(args::key_id("key-id", &flags.key_id)?);
            let response = kms.describe_key(request).await?;
            Some(json!({ "KeyMetadata": metadata(&response.key_metadata) }))
        }
        Command::ListKeys(paging) => Some(list_keys(kms, paging).await?),
        Command::UpdateKeyDescription(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.update_key_description(UpdateKeyDescriptionRequest::new(key_id, flags.description))
                .await?;
            None
        }
        Command::EnableKey(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.enable_key(EnableKeyRequest::new(key_id)).await?;
            None
        }
        Command::DisableKey(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.disable_key(DisableKeyRequest::new(key_id)).await?;
            None
        }
        Command::ScheduleKeyDeletion(flags) => {
            let mut request =
                ScheduleKeyDeletionRequest::new(args::key_id("key-id", &flags.key_id)?);
            if let Some(days) = flags.pending_window_in_days {
                request = request.with_pending_window_in_days(days);
            }
            let response = kms.schedule_key_deletion(request).await?;
            Some(object([
                ("KeyId", Some(json!(response.key_id))),
                (
                    "DeletionDate",
                    response.deletion_date.map(|d| json!(iso8601(d))),
                ),
                ("KeyState", response.key_state.map(|s| json!(s.as_str()))),
                (
                    "PendingWindowInDays",
                    response.pending_window_in_days.map(|d| json!(d)),
                ),
            ]))
        }
        Command::CancelKeyDeletion(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let response = kms
                .cancel_key_deletion(CancelKeyDeletionRequest::new(key_id))
                .await?;
            Some(json!({ "KeyId": response.key_id }))
        }
        Command::EnableKeyRotation(flags) => {
            let mut request = EnableKeyRotationRequest::new(args::key_id("key-id", &flags.key_id)?);
            if let Some(days) = flags.rotation_period_in_days {
                request = request.with_rotation_period_in_days(days);
            }
            kms.enable_key_rotation(request).await?;
            None
        }
        Command::DisableKeyRotation(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.disable_key_rotation(DisableKeyRotationRequest::new(key_id))
                .await?;
            None
        }
        Command::GetKeyRotationStatus(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let response = kms
                .get_key_rotation_status(GetKeyRotationStatusRequest::new(key_id))
                .await?;
            Some(object([
                (
                    "KeyRotationEnabled",
                    Some(json!(response.key_rotation_enabled)),
                ),
                ("KeyId", response.key_id.map(|id| json!(id))),
                (
                    "RotationPeriodInDays",
                    response.rotation_period_in_days.map(|d| json!(d)),
                ),
                (
                    "NextRotationDate",
                    response.next_rotation_date.map(|d| json!(iso8601(d))),
                ),
            ]))
        }
        Command::RotateKeyOnDemand(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let response = kms
                .rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id))
                .await?;
            Some(json!({ "KeyId": response.key_id }))
        }
        Command::ListKeyRotations(flags) => Some(list_key_rotations(kms, flags).await?),
        Command::CreateAlias(flags) => {
            let target = args::key_id("target-key-id", &flags.target_key_id)?;
            kms.create_alias(CreateAliasRequest::new(flags.alias_name, target))
                .await?;
            None
        }
        Command::UpdateAlias(flags) => {
            let target = args::key_id("target-key-id", &flags.target_key_id)?;
            kms.update_alias(UpdateAliasRequest::new(flags.alias_name, target))
                .await?;
            None
        }
        Command::DeleteAlias(flags) => {
            kms.delete_alias(DeleteAliasRequest::new(flags.alias_name))
                .await?;
            None
        }
        Command::ListAliases(flags) => Some(list_aliases(kms, flags).await?),
        Command::TagResource(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.tag_resource(TagResourceRequest::new(key_id, args::tags(&flags.tags)?))
                .await?;
            None
        }
        Command::UntagResource(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            kms.untag_resource(UntagResourceRequest::new(key_id, flags.tag_keys))
                .await?;
            None
        }
        Command::ListResourceTags(flags) => Some(list_resource_tags(kms, flags).await?),
        Command::Encrypt(flags) => {
            let plaintext = SecretBytes::from(args::blob("plaintext", &flags.plaintext)?);
            let mut request =
                EncryptRequest::new(args::key_id("key-id", &flags.key_id)?, plaintext)
                    .with_encryption_context(args::context(
                        "encryption-context",
                        flags.encryption_context.as_deref(),
                    )?);
            if let Some(algorithm) = flags.encryption_algorithm {
                request = request
                    .with_encryption_algorithm(EncryptionAlgorithmSpec::from(algorithm.as_str()));
            }
            let response = kms.encrypt(request).await?;
            Some(object([
                (
                    "CiphertextBlob",
                    Some(json!(base64(&response.ciphertext_blob))),
                ),
                ("KeyId", Some(json!(response.key_id))),
                (
                    "EncryptionAlgorithm",
                    response.encryption_algorithm.map(|a| json!(a.as_str())),
                ),
            ]))
        }
        Command::Decrypt(flags) => {
            let blob = args::blob("ciphertext-blob", &flags.ciphertext_blob)?;
            let mut request = DecryptRequest::new(blob).with_encryption_context(args::context(
                "encryption-context",
                flags.encryption_context.as_deref(),
            )?);
            if let Some(key_id) = flags.key_id {
                request = request.with_key_id(args::key_id("key-id", &key_id)?);
            }
            if let Some(algorithm) = flags.encryption_algorithm {
                request = request
                    .with_encryption_algorithm(EncryptionAlgorithmSpec::from(algorithm.as_str()));
            }
            let response = kms.decrypt(request).await?;
            Some(object([
                ("KeyId", Some(json!(response.key_id))),
                (
                    "Plaintext",
                    Some(json!(base64(response.plaintext.expose_secret()))),
                ),
                (
                    "EncryptionAlgorithm",
                    response.encryption_algorithm.map(|a| json!(a.as_str())),
                ),
                (
                    "KeyMaterialId",
                    response.key_material_id.map(|id| json!(id)),
                ),
            ]))
        }
        Command::ReEncrypt(flags) => {
            let blob = args::blob("ciphertext-blob", &flags.ciphertext_blob)?;
            let destination = args::key_id("destination-key-id", &flags.destination_key_id)?;
            let mut request = ReEncryptRequest::new(blob, destination)
                .with_source_encryption_context(args::context(
                    "source-encryption-context",
                    flags.source_encryption_context.as_deref(),
                )?)
                .with_destination_encryption_context(args::context(
                    "destination-encryption-context",
                    flags.destination_encryption_context.as_deref(),
                )?);
            if let Some(source) = flags.source_key_id {
                request = request.with_source_key_id(args::key_id("source-key-id", &source)?);
            }
            let response = kms.re_encrypt(request).await?;
            Some(object([
                (
                    "CiphertextBlob",
                    Some(json!(base64(&response.ciphertext_blob))),
                ),
                ("SourceKeyId", response.source_key_id.map(|id| json!(id))),
                ("KeyId", Some(json!(response.key_id))),
                (
                    "SourceEncryptionAlgorithm",
                    response
                        .source_encryption_algorithm
                        .map(|a| json!(a.as_str())),
                ),
                (
                    "DestinationEncryptionAlgorithm",
                    response
                        .destination_encryption_algorithm
                        .map(|a| json!(a.as_str())),
                ),
                (
                    "SourceKeyMaterialId",
                    response.source_key_material_id.map(|id| json!(id)),
                ),
                (
                    "DestinationKeyMaterialId",
                    response.destination_key_material_id.map(|id| json!(id)),
                ),
            ]))
        }
        Command::GenerateDataKey(flags) => {
            let response = kms.generate_data_key(data_key_request(flags)?).await?;
            Some(object([
                (
                    "CiphertextBlob",
                    Some(json!(base64(&response.ciphertext_blob))),
                ),
                (
                    "Plaintext",
                    Some(json!(base64(response.plaintext.expose_secret()))),
                ),
                ("KeyId", Some(json!(response.key_id))),
                (
                    "KeyMaterialId",
                    response.key_material_id.map(|id| json!(id)),
                ),
            ]))
        }
        Command::GenerateDataKeyWithoutPlaintext(flags) => {
            let with_plaintext = data_key_request(flags)?;
            let mut request = GenerateDataKeyWithoutPlaintextRequest::new(with_plaintext.key_id)
                .with_encryption_context(with_plaintext.encryption_context);
            if let Some(spec) = with_plaintext.key_spec {
                request = request.with_key_spec(spec);
            }
            if let Some(count) = with_plaintext.number_of_bytes {
                request = request.with_number_of_bytes(count);
            }
            let response = kms.generate_data_key_without_plaintext(request).await?;
            Some(object([
                (
                    "CiphertextBlob",
                    Some(json!(base64(&response.ciphertext_blob))),
                ),
                ("KeyId", Some(json!(response.key_id))),
                (
                    "KeyMaterialId",
                    response.key_material_id.map(|id| json!(id)),
                ),
            ]))
        }
        Command::GenerateRandom(flags) => {
            let mut request = GenerateRandomRequest::new();
            if let Some(count) = flags.number_of_bytes {
                request = request.with_number_of_bytes(count);
            }
            let response = kms.generate_random(request).await?;
            Some(json!({ "Plaintext": base64(response.plaintext.expose_secret()) }))
        }
    })
}

/// The request of both `generate-data-key` commands.
fn data_key_request(flags: cli::DataKey) -> Result<GenerateDataKeyRequest, Failure> {
    let mut request = GenerateDataKeyRequest::new(args::key_id("key-id", &flags.key_id)?)
        .with_encryption_context(args::context(
            "encryption-context",
            flags.encryption_context.as_deref(),
        )?);
    if let Some(spec) = flags.key_spec {
        request = request.with_key_spec(DataKeySpec::from(spec.as_str()));
    }
    if let Some(count) = flags.number_of_bytes {
        request = request.with_number_of_bytes(count);
    }
    Ok(request)
}

/// Lists every page (or the one page `--limit` asks for) of a listing under `field`.
async fn paged<F, Fut>(field: &str, paging: cli::Paging, mut fetch: F) -> Result<Value, Failure>
where
    F: FnMut(Option<u32>, Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<Value>, Option<String>), kms::Error>>,
{
    let mut items = Vec::new();
    let mut marker = paging.marker;
    loop {
        let (page, next) = fetch(paging.limit, marker).await?;
        items.extend(page);
        match next {
            Some(next) if paging.limit.is_none() => marker = Some(next),
            next => {
                let mut output = Map::new();
                output.insert(field.to_owned(), Value::Array(items));
                if paging.limit.is_some() {
                    output.insert("Truncated".to_owned(), json!(next.is_some()));
                    if let Some(next) = next {
                        output.insert("NextMarker".to_owned(), json!(next));
                    }
                }
                return Ok(Value::Object(output));
            }
        }
    }
}

async fn list_keys(kms: &dyn Kms, paging: cli::Paging) -> Result<Value, Failure> {
    paged("Keys", paging, |limit, marker| async move {
        let mut request = ListKeysRequest::new();
        request.limit = limit;
        request.marker = marker;
        let response = kms.list_keys(request).await?;
        let keys = response
            .keys
            .iter()
            .map(|key| json!({ "KeyId": key.key_id, "KeyArn": key.key_arn }))
            .collect();
        Ok((keys, response.next_marker))
    })
    .await
}

async fn list_aliases(kms: &dyn Kms, flags: cli::ListAliases) -> Result<Value, Failure> {
    let key_id = match &flags.key_id {
        Some(key_id) => Some(args::key_id("key-id", key_id)?),
        None => None,
    };
    paged("Aliases", flags.paging, |limit, marker| {
        let key_id = key_id.clone();
        async move {
            let mut request = ListAliasesRequest::new();
            request.key_id = key_id;
            request.limit = limit;
            request.marker = marker;
            let response = kms.list_aliases(request).await?;
            let aliases = response
                .aliases
                .iter()
                .map(|alias| {
                    object([
                        ("AliasName", Some(json!(alias.alias_name))),
                        ("AliasArn", Some(json!(alias.alias_arn))),
                        (
                            "TargetKeyId",
                            alias.target_key_id.as_ref().map(|id| json!(id)),
                        ),
                        (
                            "CreationDate",
                            alias.creation_date.map(|d| json!(iso8601(d))),
                        ),
                        (
                            "LastUpdatedDate",
                            alias.last_updated_date.map(|d| json!(iso8601(d))),
                        ),
                    ])
                })
                .collect();
            Ok((aliases, response.next_marker))
        }
    })
    .await
}

async fn list_resource_tags(kms: &dyn Kms, flags: cli::KeyArg) -> Result<Value, Failure> {
    let key_id = args::key_id("key-id", &flags.key_id)?;
    let paging = cli::Paging {
        limit: None,
        marker: None,
    };
    paged("Tags", paging, |limit, marker| {
        let key_id = key_id.clone();
        async move {
            let mut request = ListResourceTagsRequest::new(key_id);
            request.limit = limit;
            request.marker = marker;
            let response = kms.list_resource_tags(request).await?;
            let tags = response
                .tags
                .iter()
                .map(|tag| json!({ "TagKey": tag.tag_key, "TagValue": tag.tag_value }))
                .collect();
            Ok((tags, response.next_marker))
        }
    })
    .await
}

async fn list_key_rotations(kms: &dyn Kms, flags: cli::ListKeyRotations) -> Result<Value, Failure> {
    let key_id = args::key_id("key-id", &flags.key_id)?;
    let include = flags
        .include_key_material
        .as_deref()
        .map(IncludeKeyMaterial::from);
    paged("Rotations", flags.paging, |limit, marker| {
        let key_id = key_id.clone();
        let include = include.clone();
        async move {
            let mut request = ListKeyRotationsRequest::new(key_id);
            request.include_key_material = include;
            request.limit = limit;
            request.marker = marker;
            let response = kms.list_key_rotations(request).await?;
            let rotations = response
                .rotations
                .iter()
                .map(|entry| {
                    object([
                        ("KeyId", Some(json!(entry.key_id))),
                        (
                            "KeyMaterialId",
                            entry.key_material_id.as_ref().map(|id| json!(id)),
                        ),
                        (
                            "KeyMaterialState",
                            entry.key_material_state.as_ref().map(|s| json!(s.as_str())),
                        ),
                        (
                            "RotationDate",
                            entry.rotation_date.map(|d| json!(iso8601(d))),
                        ),
                        (
                            "RotationType",
                            entry.rotation_type.as_ref().map(|t| json!(t.as_str())),
                        ),
                    ])
                })
                .collect();
            Ok((rotations, response.next_marker))
        }
    })
    .await
}

/// `KeyMetadata` with AWS's field names.
fn metadata(metadata: &KeyMetadata) -> Value {
    let names = |list: Option<Vec<&str>>| list.map(|names| json!(names));
    object([
        (
            "AWSAccountId",
            metadata.aws_account_id.as_ref().map(|a| json!(a)),
        ),
        ("KeyId", Some(json!(metadata.key_id))),
        ("Arn", metadata.arn.as_ref().map(|a| json!(a))),
        (
            "CreationDate",
            metadata.creation_date.map(|d| json!(iso8601(d))),
        ),
        ("Enabled", Some(json!(metadata.enabled))),
        (
            "Description",
            metadata.description.as_ref().map(|d| json!(d)),
        ),
        (
            "KeyUsage",
            metadata.key_usage.as_ref().map(|u| json!(u.as_str())),
        ),
        (
            "KeyState",
            metadata.key_state.as_ref().map(|s| json!(s.as_str())),
        ),
        (
            "DeletionDate",
            metadata.deletion_date.map(|d| json!(iso8601(d))),
        ),
        (
            "Origin",
            metadata.origin.as_ref().map(|o| json!(o.as_str())),
        ),
        (
            "KeyManager",
            metadata.key_manager.as_ref().map(|m| json!(m.as_str())),
        ),
        (
            "CustomerMasterKeySpec",
            metadata
                .customer_master_key_spec
                .as_ref()
                .map(|s| json!(s.as_str())),
        ),
        (
            "KeySpec",
            metadata.key_spec.as_ref().map(|s| json!(s.as_str())),
        ),
        (
            "EncryptionAlgorithms",
            names(
                metadata
                    .encryption_algorithms
                    .as_ref()
                    .map(|list| list.iter().map(|a| a.as_str()).collect()),
            ),
        ),
        (
            "SigningAlgorithms",
            names(
                metadata
                    .signing_algorithms
                    .as_ref()
                    .map(|list| list.iter().map(|a| a.as_str()).collect()),
            ),
        ),
        (
            "MacAlgorithms",
            names(
                metadata
                    .mac_algorithms
                    .as_ref()
                    .map(|list| list.iter().map(|a| a.as_str()).collect()),
            ),
        ),
        ("MultiRegion", metadata.multi_region.map(|m| json!(m))),
        (
            "PendingDeletionWindowInDays",
            metadata.pending_deletion_window_in_days.map(|d| json!(d)),
        ),
        (
            "CurrentKeyMaterialId",
            metadata
                .current_key_material_id
                .as_ref()
                .map(|id| json!(id)),
        ),
    ])
}

/// A JSON object of the fields that are present, in order.
fn object<const N: usize>(fields: [(&str, Option<Value>); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| (name.to_owned(), value)))
            .collect(),
    )
}

fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
