//! `GetParametersForImport`, `ImportKeyMaterial` and `DeleteImportedKeyMaterial`.

use std::time::SystemTime;

use kms_core::ops::*;
use kms_core::{
    AlgorithmSpec, Error, ExpirationModelType, ImportType, KeySpec, KeyState, OriginType, Result,
};

use crate::blob::MATERIAL_ID_LEN;
use crate::import::{
    self, ImportedMaterial, MAX_VALID_TO, PARAMETERS_VALIDITY, TOKEN_ID_LEN, WrappingKey, wrapping,
};
use crate::limits;
use crate::material::{KeyMaterial, Kind, hex, unhex};
use crate::random;
use crate::state::{Key, KeyOnly};
use crate::store::Store;

impl Store {
    pub(crate) fn get_parameters_for_import(
        &self,
        request: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse> {
        request
            .wrapping_algorithm
            .check_known("wrappingAlgorithm")?;
        request.wrapping_key_spec.check_known("wrappingKeySpec")?;
        let member = KeyOnly::key_id("GetParametersForImport");
        {
            let keyring = self.read()?;
            let key =
                keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
            check_external(key)?;
            key.check_changeable()?;
            check_wrapping(
                &key.spec,
                &request.wrapping_algorithm,
                &request.wrapping_key_spec,
            )?;
        }
        // Generated before the store is locked: an RSA-4096 key takes about a second.
        let (private_key, public_key) = wrapping::generate(&request.wrapping_key_spec)?;
        let mut token_id = [0; TOKEN_ID_LEN];
        random::fill(&mut token_id)?;
        self.mutate(|keyring, now| {
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            check_external(key)?;
            key.check_changeable()?;
            let expires = now + PARAMETERS_VALIDITY;
            let token = import::token(&key.uuid, &token_id, expires);
            key.external.get_or_insert_default().add_wrapping_key(
                WrappingKey {
                    token_id,
                    algorithm: request.wrapping_algorithm,
                    private_key,
                    expires,
                },
                now,
            );
            Ok(GetParametersForImportResponse::new()
                .with_key_id(key.arn.clone())
                .with_import_token(token)
                .with_public_key(public_key)
                .with_parameters_valid_to(expires))
        })
    }

    pub(crate) fn import_key_material(
        &self,
        request: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse> {
        if let Some(model) = &request.expiration_model {
            model.check_known("expirationModel")?;
        }
        if let Some(import_type) = &request.import_type {
            import_type.check_known("importType")?;
        }
        if let Some(description) = &request.key_material_description {
            limits::check_description(description)?;
        }
        let requested_id = request
            .key_material_id
            .as_deref()
            .map(parse_material_id)
            .transpose()?;
        self.mutate(|keyring, now| {
            let valid_to = check_expiration(&request, now)?;
            let member = KeyOnly::key_id("ImportKeyMaterial");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            check_external(key)?;
            key.check_changeable()?;
            let symmetric = Kind::of(&key.spec) == Kind::Symmetric;
            if !symmetric
                && (request.import_type.is_some()
                    || request.key_material_id.is_some()
                    || request.key_material_description.is_some())
            {
                return Err(Error::Validation {
                    // Our wording (unverified): AWS documents these members as usable with
                    // symmetric encryption keys only.
                    message: "ImportType, KeyMaterialId and KeyMaterialDescription are valid \
                              only for symmetric encryption keys."
                        .to_owned(),
                });
            }
            let external = key.external.get_or_insert_default();
            let wrapping_key =
                external.wrapping_key_for(&request.import_token, &key.uuid, &key.arn, now)?;
            let secret = wrapping::unwrap(
                &wrapping_key.algorithm,
                &wrapping_key.private_key,
                &request.encrypted_key_material,
            )?;
            let mut material = import::material_of(&key.spec, secret, now)?;
            let id = import::material_id(&key.id, &material)?;
            if let KeyMaterial::Symmetric(versions) = &mut material {
                for version in versions.iter_mut() {
                    version.id = id;
                    version.id_hex = hex(&id);
                }
            }
            let ever_imported = !external.materials.is_empty();
            let import_type = request.import_type.clone().unwrap_or(if ever_imported {
                ImportType::ExistingKeyMaterial
            } else {
                ImportType::NewKeyMaterial
            });
            let known = external.material(&id).cloned();
            match import_type {
                ImportType::NewKeyMaterial => {
                    if requested_id.is_some() {
                        return Err(Error::Validation {
                            // Our wording (unverified), of AWS's documented rule.
                            message: "You cannot specify a KeyMaterialId with ImportType \
                                      NEW_KEY_MATERIAL."
                                .to_owned(),
                        });
                    }
                    if known.is_some() || (ever_imported && !symmetric) {
                        return Err(incorrect_material(&key.arn));
                    }
                }
                _ => {
                    if known.is_none() || requested_id.is_some_and(|requested| requested != id) {
                        return Err(incorrect_material(&key.arn));
                    }
                }
            }
            let entry = ImportedMaterial {
                id,
                valid_to,
                description: request
                    .key_material_description
                    .clone()
                    .or_else(|| known.as_ref().and_then(|k| k.description.clone())),
                present: true,
            };
            let arn = key.arn.clone();
            install(key, material, entry, known.as_ref(), now)?;
            if let Some(valid_to) = valid_to {
                keyring.expect_expiry(valid_to);
            }
            Ok(ImportKeyMaterialResponse::new()
                .with_key_id(arn)
                .with_key_material_id(hex(&id)))
        })
    }

    pub(crate) fn delete_imported_key_material(
        &self,
        request: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse> {
        let requested_id = request
            .key_material_id
            .as_deref()
            .map(parse_material_id)
            .transpose()?;
        self.mutate(|keyring, _| {
            let member = KeyOnly::key_id("DeleteImportedKeyMaterial");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            check_external(key)?;
            key.check_changeable()?;
            let current = key.current().map(|material| material.id).or_else(|| {
                key.external
                    .as_ref()
                    .and_then(|external| external.materials.iter().rev().find(|m| m.present))
                    .map(|material| material.id)
            });
            let id = match requested_id {
                Some(id) => {
                    let known = key
                        .external
                        .as_ref()
                        .is_some_and(|external| external.material(&id).is_some());
                    if !known {
                        return Err(Error::NotFound {
                            // Our wording (unverified).
                            message: format!(
                                "Key material {} is not associated with {}",
                                hex(&id),
                                key.arn
                            ),
                        });
                    }
                    Some(id)
                }
                None => current,
            };
            let response = DeleteImportedKeyMaterialResponse::new().with_key_id(key.arn.clone());
            Ok(match id {
                Some(id) => {
                    key.delete_imported(&id);
                    response.with_key_material_id(hex(&id))
                }
                None => response,
            })
        })
    }
}

/// Puts imported `material` into `key`. New symmetric material of a key that has current
/// material waits for the key's next on-demand rotation; any other material takes its place
/// among the key's materials, and the key, pending import, becomes `Enabled` when the
/// material is its current one.
fn install(
    key: &mut Key,
    material: KeyMaterial,
    entry: ImportedMaterial,
    known: Option<&ImportedMaterial>,
    now: SystemTime,
) -> Result<()> {
    let id = entry.id;
    let external = key.external.get_or_insert_default();
    match external.material_mut(&id) {
        Some(kept) => *kept = entry,
        None => external.materials.push(entry),
    }
    match (material, &mut key.material) {
        (KeyMaterial::Symmetric(mut new), KeyMaterial::Symmetric(versions)) => {
            let Some(mut new) = new.pop() else {
                return Err(random::internal("imported symmetric material is missing"));
            };
            let pending = external.pending_rotation.as_ref().map(|m| m.id);
            if versions.iter().any(|m| m.id == id) || pending == Some(id) {
                // Imported again while present: only its expiry changed.
                return Ok(());
            }
            if known.is_none() && key.state != KeyState::PendingImport {
                if let Some(replaced) = pending.and_then(|old| external.material_mut(&old)) {
                    replaced.present = false;
                }
                external.pending_rotation = Some(new);
                return Ok(());
            }
            // Back into its place among the key's materials, in the order of their imports.
            let order: Vec<[u8; MATERIAL_ID_LEN]> =
                external.materials.iter().map(|m| m.id).collect();
            let rank = |wanted: &[u8; MATERIAL_ID_LEN]| order.iter().position(|m| m == wanted);
            new.created = now;
            let at = versions
                .iter()
                .position(|m| rank(&m.id) > rank(&id))
                .unwrap_or(versions.len());
            versions.insert(at, new);
        }
        (material, slot) => *slot = material,
    }
    if key.state == KeyState::PendingImport && external.current_id() == Some(id) {
        key.state = KeyState::Enabled;
    }
    Ok(())
}

/// `IncorrectKeyMaterialException`: the material is not the key's. Our wording
/// (unverified): no reference records AWS's message.
fn incorrect_material(arn: &str) -> Error {
    Error::IncorrectKeyMaterial {
        message: format!(
            "The key material is not the key material previously imported into {arn}."
        ),
    }
}

/// `UnsupportedOperationException` for a key whose origin is not `EXTERNAL`, with AWS's
/// message (kms-api §1.3).
fn check_external(key: &Key) -> Result<()> {
    if key.origin == OriginType::External {
        return Ok(());
    }
    Err(Error::Unsupported {
        message: format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn, key.origin
        ),
    })
}

/// The wrapping algorithm and key spec must be able to carry the key's material: RSA
/// private keys only with the RSA_AES algorithms, and (AWS's documented exception) no
/// ECC_NIST_P521 material under RSAES-OAEP with an RSA_2048 wrapping key.
fn check_wrapping(
    spec: &KeySpec,
    algorithm: &AlgorithmSpec,
    wrapping_key_spec: &kms_core::WrappingKeySpec,
) -> Result<()> {
    let (_, aes_first) = wrapping::scheme(algorithm)?;
    wrapping::modulus_len(wrapping_key_spec)?;
    let too_large = match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => true,
        KeySpec::EccNistP521 => wrapping::max_oaep_material(algorithm, wrapping_key_spec)? < 241,
        _ => false,
    };
    if too_large && !aes_first {
        return Err(Error::Validation {
            // Our wording (unverified), of AWS's documented rule.
            message: format!(
                "WrappingAlgorithm {algorithm} with WrappingKeySpec {wrapping_key_spec} cannot \
                 wrap {spec} key material; use RSA_AES_KEY_WRAP_SHA_256 or \
                 RSA_AES_KEY_WRAP_SHA_1."
            ),
        });
    }
    Ok(())
}

/// The expiry of the material of `request`: `ValidTo` with `KEY_MATERIAL_EXPIRES` (the
/// default), a future date at most 365 days ahead; none with `KEY_MATERIAL_DOES_NOT_EXPIRE`,
/// which takes no `ValidTo`.
fn check_expiration(
    request: &ImportKeyMaterialRequest,
    now: SystemTime,
) -> Result<Option<SystemTime>> {
    let model = request
        .expiration_model
        .clone()
        .unwrap_or(ExpirationModelType::KeyMaterialExpires);
    // Our wording (unverified) for each of these messages.
    let invalid = |message: &str| Error::Validation {
        message: message.to_owned(),
    };
    match (model, request.valid_to) {
        (ExpirationModelType::KeyMaterialDoesNotExpire, None) => Ok(None),
        (ExpirationModelType::KeyMaterialDoesNotExpire, Some(_)) => Err(invalid(
            "ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
        )),
        (_, None) => Err(invalid(
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.",
        )),
        (_, Some(valid_to)) if valid_to <= now => {
            Err(invalid("ValidTo must be a date and time in the future."))
        }
        (_, Some(valid_to)) if valid_to > now + MAX_VALID_TO => Err(invalid(
            "ValidTo must be at most 365 days after the request.",
        )),
        (_, Some(valid_to)) => Ok(Some(valid_to)),
    }
}

/// A `KeyMaterialId`: 64 hex digits.
fn parse_material_id(text: &str) -> Result<[u8; MATERIAL_ID_LEN]> {
    unhex(text)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| Error::Validation {
            // Our wording (unverified).
            message: format!("KeyMaterialId '{text}' is not 64 hexadecimal digits."),
        })
}
