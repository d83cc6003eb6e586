//! Runs one operation: builds its request from the flags, calls the backend, and returns the
//! response as the JSON `aws kms` prints.

use kms::ops::*;
use kms::{
    AlgorithmSpec, DataKeyPairSpec, DataKeySpec, EncapsulationAlgorithmSpec,
    EncryptionAlgorithmSpec, ExpirationModelType, ImportType, IncludeKeyMaterial,
    KeyAgreementAlgorithmSpec, KeySpec, KeyUsage, Kms, MacAlgorithmSpec, MessageType, OriginType,
    SecretBytes, SigningAlgorithmSpec, WrappingKeySpec,
};
use kms_wire::{Shape, Timestamps};
use serde_json::{Map, Value, json};
use zeroize::Zeroize;

use crate::Failure;
use crate::args;
use crate::cli::{self, Operation as Command};

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
            if let Some(origin) = flags.origin {
                request = request.with_origin(OriginType::from(origin.as_str()));
            }
            if let Some(policy) = flags.policy {
                request = request.with_policy(policy);
            }
            if flags.multi_region {
                request = request.with_multi_region(true);
            } else if flags.no_multi_region {
                request = request.with_multi_region(false);
            }
            Some(printed(&kms.create_key(request).await?)?)
        }
        Command::DescribeKey(flags) => {
            let request = DescribeKeyRequest::new(args::key_id("key-id", &flags.key_id)?);
            Some(printed(&kms.describe_key(request).await?)?)
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
            Some(printed(&kms.schedule_key_deletion(request).await?)?)
        }
        Command::CancelKeyDeletion(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let request = CancelKeyDeletionRequest::new(key_id);
            Some(printed(&kms.cancel_key_deletion(request).await?)?)
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
            let request = GetKeyRotationStatusRequest::new(key_id);
            Some(printed(&kms.get_key_rotation_status(request).await?)?)
        }
        Command::RotateKeyOnDemand(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let request = RotateKeyOnDemandRequest::new(key_id);
            Some(printed(&kms.rotate_key_on_demand(request).await?)?)
        }
        Command::ListKeyRotations(flags) => Some(list_key_rotations(kms, flags).await?),
        Command::GetParametersForImport(flags) => {
            let request = GetParametersForImportRequest::new(
                args::key_id("key-id", &flags.key_id)?,
                AlgorithmSpec::from(flags.wrapping_algorithm.as_str()),
                WrappingKeySpec::from(flags.wrapping_key_spec.as_str()),
            );
            Some(printed(&kms.get_parameters_for_import(request).await?)?)
        }
        Command::ImportKeyMaterial(flags) => Some(import_key_material(kms, flags).await?),
        Command::DeleteImportedKeyMaterial(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let mut request = DeleteImportedKeyMaterialRequest::new(key_id);
            request.key_material_id = flags.key_material_id;
            Some(printed(&kms.delete_imported_key_material(request).await?)?)
        }
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
            let (grant_tokens, dry_run) = flags.grants.into_parts();
            let mut request =
                EncryptRequest::new(args::key_id("key-id", &flags.key_id)?, plaintext)
                    .with_encryption_context(args::context(
                        "encryption-context",
                        flags.encryption_context.as_deref(),
                    )?)
                    .with_grant_tokens(grant_tokens);
            request.dry_run = dry_run;
            if let Some(algorithm) = flags.encryption_algorithm {
                request = request
                    .with_encryption_algorithm(EncryptionAlgorithmSpec::from(algorithm.as_str()));
            }
            Some(printed(&kms.encrypt(request).await?)?)
        }
        Command::Decrypt(flags) => {
            let blob = args::blob("ciphertext-blob", &flags.ciphertext_blob)?;
            let (grant_tokens, dry_run) = flags.grants.into_parts();
            let mut request = DecryptRequest::new(blob)
                .with_encryption_context(args::context(
                    "encryption-context",
                    flags.encryption_context.as_deref(),
                )?)
                .with_grant_tokens(grant_tokens);
            request.dry_run = dry_run;
            if let Some(key_id) = flags.key_id {
                request = request.with_key_id(args::key_id("key-id", &key_id)?);
            }
            if let Some(algorithm) = flags.encryption_algorithm {
                request = request
                    .with_encryption_algorithm(EncryptionAlgorithmSpec::from(algorithm.as_str()));
            }
            Some(printed(&kms.decrypt(request).await?)?)
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
            request.source_encryption_algorithm = flags
                .source_encryption_algorithm
                .as_deref()
                .map(EncryptionAlgorithmSpec::from);
            request.destination_encryption_algorithm = flags
                .destination_encryption_algorithm
                .as_deref()
                .map(EncryptionAlgorithmSpec::from);
            let (grant_tokens, dry_run) = flags.grants.into_parts();
            request.grant_tokens = grant_tokens;
            request.dry_run = dry_run;
            Some(printed(&kms.re_encrypt(request).await?)?)
        }
        Command::GenerateDataKey(flags) => {
            let request = data_key_request(flags)?;
            Some(printed(&kms.generate_data_key(request).await?)?)
        }
        Command::GenerateDataKeyWithoutPlaintext(flags) => {
            let with_plaintext = data_key_request(flags)?;
            let mut request = GenerateDataKeyWithoutPlaintextRequest::new(with_plaintext.key_id)
                .with_encryption_context(with_plaintext.encryption_context)
                .with_grant_tokens(with_plaintext.grant_tokens);
            request.dry_run = with_plaintext.dry_run;
            if let Some(spec) = with_plaintext.key_spec {
                request = request.with_key_spec(spec);
            }
            if let Some(count) = with_plaintext.number_of_bytes {
                request = request.with_number_of_bytes(count);
            }
            Some(printed(
                &kms.generate_data_key_without_plaintext(request).await?,
            )?)
        }
        Command::GenerateRandom(flags) => {
            let mut request = GenerateRandomRequest::new();
            if let Some(count) = flags.number_of_bytes {
                request = request.with_number_of_bytes(count);
            }
            Some(printed(&kms.generate_random(request).await?)?)
        }
        Command::GenerateDataKeyPair(flags) => {
            let request = data_key_pair_request(flags)?;
            Some(printed(&kms.generate_data_key_pair(request).await?)?)
        }
        Command::GenerateDataKeyPairWithoutPlaintext(flags) => {
            let with_plaintext = data_key_pair_request(flags)?;
            let mut request = GenerateDataKeyPairWithoutPlaintextRequest::new(
                with_plaintext.key_id,
                with_plaintext.key_pair_spec,
            )
            .with_encryption_context(with_plaintext.encryption_context)
            .with_grant_tokens(with_plaintext.grant_tokens);
            request.dry_run = with_plaintext.dry_run;
            Some(printed(
                &kms.generate_data_key_pair_without_plaintext(request)
                    .await?,
            )?)
        }
        Command::GetPublicKey(flags) => {
            let request = GetPublicKeyRequest::new(args::key_id("key-id", &flags.key_id)?)
                .with_grant_tokens(flags.grant_tokens);
            Some(printed(&kms.get_public_key(request).await?)?)
        }
        Command::Sign(flags) => {
            let request = sign_request(flags)?;
            Some(printed(&kms.sign(request).await?)?)
        }
        Command::Verify(flags) => {
            let signature = args::blob("signature", &flags.signature)?;
            let signed = sign_request(flags.signed)?;
            let mut request = VerifyRequest::new(
                signed.key_id,
                signed.message,
                signature,
                signed.signing_algorithm,
            )
            .with_grant_tokens(signed.grant_tokens);
            request.message_type = signed.message_type;
            request.dry_run = signed.dry_run;
            Some(printed(&kms.verify(request).await?)?)
        }
        Command::GenerateMac(flags) => {
            let request = mac_request(flags)?;
            Some(printed(&kms.generate_mac(request).await?)?)
        }
        Command::VerifyMac(flags) => {
            let mac = args::blob("mac", &flags.mac)?;
            let generated = mac_request(flags.generated)?;
            let mut request = VerifyMacRequest::new(
                generated.message,
                generated.key_id,
                generated.mac_algorithm,
                mac,
            )
            .with_grant_tokens(generated.grant_tokens);
            request.dry_run = generated.dry_run;
            Some(printed(&kms.verify_mac(request).await?)?)
        }
        Command::DeriveSharedSecret(flags) => {
            let (grant_tokens, dry_run) = flags.grants.into_parts();
            let mut request = DeriveSharedSecretRequest::new(
                args::key_id("key-id", &flags.key_id)?,
                KeyAgreementAlgorithmSpec::from(flags.key_agreement_algorithm.as_str()),
                args::blob("public-key", &flags.public_key)?,
            )
            .with_grant_tokens(grant_tokens);
            request.dry_run = dry_run;
            Some(printed(&kms.derive_shared_secret(request).await?)?)
        }
        Command::Encapsulate(flags) => {
            let request = encapsulate_request(flags)?;
            Some(printed(&kms.encapsulate(request).await?)?)
        }
        Command::Decapsulate(flags) => {
            let blob = args::blob(
                "shared-secret-ciphertext-blob",
                &flags.shared_secret_ciphertext_blob,
            )?;
            let encapsulated = encapsulate_request(flags.encapsulated)?;
            let mut request = DecapsulateRequest::new(
                encapsulated.key_id,
                blob,
                encapsulated.encapsulation_algorithm,
            )
            .with_grant_tokens(encapsulated.grant_tokens);
            request.dry_run = encapsulated.dry_run;
            Some(printed(&kms.decapsulate(request).await?)?)
        }
        Command::ReplicateKey(flags) => {
            let mut request = ReplicateKeyRequest::new(
                args::key_id("key-id", &flags.key_id)?,
                flags.replica_region,
            )
            .with_tags(args::tags(&flags.tags)?);
            if let Some(description) = flags.description {
                request = request.with_description(description);
            }
            if let Some(policy) = flags.policy {
                request = request.with_policy(policy);
            }
            if flags.bypass_policy_lockout_safety_check {
                request = request.with_bypass_policy_lockout_safety_check(true);
            }
            Some(printed(&kms.replicate_key(request).await?)?)
        }
        Command::UpdatePrimaryRegion(flags) => {
            let key_id = args::key_id("key-id", &flags.key_id)?;
            let request = UpdatePrimaryRegionRequest::new(key_id, flags.primary_region);
            kms.update_primary_region(request).await?;
            None
        }
    })
}

/// The request of both `generate-data-key-pair` commands.
fn data_key_pair_request(flags: cli::DataKeyPair) -> Result<GenerateDataKeyPairRequest, Failure> {
    let (grant_tokens, dry_run) = flags.grants.into_parts();
    let mut request = GenerateDataKeyPairRequest::new(
        args::key_id("key-id", &flags.key_id)?,
        DataKeyPairSpec::from(flags.key_pair_spec.as_str()),
    )
    .with_encryption_context(args::context(
        "encryption-context",
        flags.encryption_context.as_deref(),
    )?)
    .with_grant_tokens(grant_tokens);
    request.dry_run = dry_run;
    Ok(request)
}

/// The request of `sign`, and the members `verify` shares with it.
fn sign_request(flags: cli::Sign) -> Result<SignRequest, Failure> {
    let (grant_tokens, dry_run) = flags.grants.into_parts();
    let mut request = SignRequest::new(
        args::key_id("key-id", &flags.key_id)?,
        SecretBytes::from(args::blob("message", &flags.message)?),
        SigningAlgorithmSpec::from(flags.signing_algorithm.as_str()),
    )
    .with_grant_tokens(grant_tokens);
    request.message_type = flags.message_type.as_deref().map(MessageType::from);
    request.dry_run = dry_run;
    Ok(request)
}

/// The request of `generate-mac`, and the members `verify-mac` shares with it.
fn mac_request(flags: cli::GenerateMac) -> Result<GenerateMacRequest, Failure> {
    let (grant_tokens, dry_run) = flags.grants.into_parts();
    let mut request = GenerateMacRequest::new(
        SecretBytes::from(args::blob("message", &flags.message)?),
        args::key_id("key-id", &flags.key_id)?,
        MacAlgorithmSpec::from(flags.mac_algorithm.as_str()),
    )
    .with_grant_tokens(grant_tokens);
    request.dry_run = dry_run;
    Ok(request)
}

/// The request of `encapsulate`, and the members `decapsulate` shares with it.
fn encapsulate_request(flags: cli::Encapsulate) -> Result<EncapsulateRequest, Failure> {
    let (grant_tokens, dry_run) = flags.grants.into_parts();
    let mut request = EncapsulateRequest::new(
        args::key_id("key-id", &flags.key_id)?,
        EncapsulationAlgorithmSpec::from(flags.encapsulation_algorithm.as_str()),
    )
    .with_grant_tokens(grant_tokens);
    request.dry_run = dry_run;
    Ok(request)
}

/// The request of both `generate-data-key` commands.
fn data_key_request(flags: cli::DataKey) -> Result<GenerateDataKeyRequest, Failure> {
    let (grant_tokens, dry_run) = flags.grants.into_parts();
    let mut request = GenerateDataKeyRequest::new(args::key_id("key-id", &flags.key_id)?)
        .with_encryption_context(args::context(
            "encryption-context",
            flags.encryption_context.as_deref(),
        )?)
        .with_grant_tokens(grant_tokens);
    request.dry_run = dry_run;
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
    Fut: Future<Output = Result<(Vec<Value>, Option<String>), Failure>>,
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
        Ok((printed_all(&response.keys)?, response.next_marker))
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
            Ok((printed_all(&response.aliases)?, response.next_marker))
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
            Ok((printed_all(&response.tags)?, response.next_marker))
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
            Ok((printed_all(&response.rotations)?, response.next_marker))
        }
    })
    .await
}

/// A response, or an entry of a listing, as the AWS CLI prints it: its JSON shape, with
/// timestamps in ISO 8601.
/// `import-key-material`.
async fn import_key_material(
    kms: &dyn Kms,
    flags: cli::ImportKeyMaterial,
) -> Result<Value, Failure> {
    let mut request = ImportKeyMaterialRequest::new(
        args::key_id("key-id", &flags.key_id)?,
        args::blob("import-token", &flags.import_token)?,
        args::blob("encrypted-key-material", &flags.encrypted_key_material)?,
    );
    request.expiration_model = flags
        .expiration_model
        .as_deref()
        .map(ExpirationModelType::from);
    request.valid_to = flags
        .valid_to
        .as_deref()
        .map(|valid_to| args::timestamp("valid-to", valid_to))
        .transpose()?;
    request.import_type = flags.import_type.as_deref().map(ImportType::from);
    request.key_material_description = flags.key_material_description;
    request.key_material_id = flags.key_material_id;
    printed(&kms.import_key_material(request).await?)
}

fn printed<T: Shape>(shape: &T) -> Result<Value, Failure> {
    let mut json = shape.to_json(Timestamps::Iso8601);
    let value = serde_json::from_slice(&json);
    // It may hold a plaintext in base64.
    json.zeroize();
    value.map_err(|error| Failure::Io(format!("could not read back the response's JSON: {error}")))
}

/// [`printed`] for each entry of a listing.
fn printed_all<T: Shape>(entries: &[T]) -> Result<Vec<Value>, Failure> {
    entries.iter().map(printed).collect()
}
