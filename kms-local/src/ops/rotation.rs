//! `EnableKeyRotation`, `DisableKeyRotation`, `GetKeyRotationStatus`, `RotateKeyOnDemand` and
//! `ListKeyRotations`.

use kms_core::ops::*;
use kms_core::{
    Error, ExpirationModelType, ImportState, IncludeKeyMaterial, KeyMaterialState, KeyState,
    Result, RotationType, RotationsListEntry,
};

use super::days;
use super::known;
use crate::import::External;
use crate::limits::{self, ON_DEMAND_ROTATIONS, ROTATION_PERIOD_DAYS};
use crate::material::{Material, hex};
use crate::paging::page_by_index;
use crate::state::{AutoRotation, Key, KeyOnly};
use crate::store::Store;

use super::multi_region::related_regions;

/// A rotation of a multi-Region key, for the other keys of its set: the key ID, their
/// Regions and the new material.
type SharedRotation = (String, Vec<String>, Material);

/// How long before an automatic rotation `RotateKeyOnDemand` is refused.
const AUTOMATIC_ROTATION_GUARD: std::time::Duration = std::time::Duration::from_secs(20 * 60);

impl Store {
    pub(crate) fn enable_key_rotation(
        &self,
        request: EnableKeyRotationRequest,
    ) -> Result<EnableKeyRotationResponse> {
        let (min, max, default) = ROTATION_PERIOD_DAYS;
        let period = request.rotation_period_in_days.unwrap_or(default);
        limits::check_range("rotationPeriodInDays", period, (min, max))?;
        self.set_rotation(&request.key_id, "EnableKeyRotation", |now| {
            Some(AutoRotation {
                period_days: period,
                next: now + days(period),
            })
        })?;
        Ok(EnableKeyRotationResponse::new())
    }

    pub(crate) fn disable_key_rotation(
        &self,
        request: DisableKeyRotationRequest,
    ) -> Result<DisableKeyRotationResponse> {
        self.set_rotation(&request.key_id, "DisableKeyRotation", |_| None)?;
        Ok(DisableKeyRotationResponse::new())
    }

    /// Sets the automatic rotation of the key `key_id` names to what `rotation` gives at
    /// the time of the change, for `operation`; for a multi-Region primary key, of every key
    /// of its set (a replica's is refused: it is set on the primary key).
    fn set_rotation(
        &self,
        key_id: &kms_core::KeyId,
        operation: &'static str,
        rotation: impl FnOnce(std::time::SystemTime) -> Option<AutoRotation>,
    ) -> Result<()> {
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (id, related, rotation) = self.mutate(|keyring, now| {
            let key = keyring.resolve_mut(&self.identity, key_id, KeyOnly::key_id(operation))?;
            key.check_not_replica(&self.identity)?;
            key.check_rotatable(operation)?;
            key.rotation = rotation(now);
            let id = key.id.clone();
            let change = (related_regions(key, &self.identity), key.rotation);
            keyring.note_dates(&id);
            Ok((id, change.0, change.1))
        })?;
        self.change_related(&world, &id, &related, |key| {
            key.rotation = rotation;
            Ok(())
        })
    }

    pub(crate) fn get_key_rotation_status(
        &self,
        request: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse> {
        let keyring = self.read()?;
        let member = KeyOnly::key_id("GetKeyRotationStatus");
        let key = keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
        key.check_rotation_supported("GetKeyRotationStatus")?;
        // A key pending deletion reports rotation off; cancelling brings the setting back.
        let rotation = key
            .rotation
            .filter(|_| key.state != KeyState::PendingDeletion);
        let response =
            GetKeyRotationStatusResponse::new(rotation.is_some()).with_key_id(key.arn.clone());
        Ok(match rotation {
            Some(rotation) => response
                .with_rotation_period_in_days(rotation.period_days)
                .with_next_rotation_date(rotation.next),
            None => response,
        })
    }

    /// Rotates a key now. For a multi-Region primary key, the new material is given to
    /// every key of its set at once (a replica's rotation is refused: the primary key
    /// rotates).
    pub(crate) fn rotate_key_on_demand(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse> {
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (response, shared) = self.rotate_here(request)?;
        if let Some((id, related, material)) = shared {
            self.change_related(&world, &id, &related, |key| {
                if let Some(versions) = key.material.versions_mut() {
                    versions.push(material.duplicate()?);
                }
                Ok(())
            })?;
        }
        Ok(response)
    }

    /// The rotation of [`Store::rotate_key_on_demand`] in this store; for a multi-Region
    /// key, also what the other keys of its set get.
    fn rotate_here(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<(RotateKeyOnDemandResponse, Option<SharedRotation>)> {
        self.mutate(|keyring, now| {
            let member = KeyOnly::key_id("RotateKeyOnDemand");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            key.check_not_replica(&self.identity)?;
            key.check_rotatable("RotateKeyOnDemand")?;
            if key.multi_region.is_some() && key.external.is_some() {
                return Err(Error::NotImplemented {
                    message: "On-demand rotation of a multi-Region key of imported key \
                              material is not implemented by the local backend yet"
                        .to_owned(),
                });
            }
            let related = related_regions(key, &self.identity);
            // Due rotations were made before this change: `next` is in the future.
            if key
                .rotation
                .is_some_and(|rotation| rotation.next <= now + AUTOMATIC_ROTATION_GUARD)
            {
                // AWS documents the condition. Our wording (unverified): no reference
                // confirms AWS's message.
                return Err(Error::Conflict {
                    message: format!(
                        "An automatic rotation of {} is scheduled to begin within the next 20 \
                         minutes.",
                        key.arn
                    ),
                });
            }
            let Some(versions) = key.material.versions_mut() else {
                return Err(crate::random::internal(
                    "a rotatable key holds AES materials",
                ));
            };
            let on_demand = versions
                .iter()
                .filter(|m| m.rotation == Some(RotationType::OnDemand))
                .count();
            if on_demand >= ON_DEMAND_ROTATIONS {
                return Err(Error::LimitExceeded {
                    message: format!(
                        "The on-demand rotations limit has been reached for the given keyId. No \
                         more on-demand rotations can be performed for this key: {}",
                        key.arn
                    ),
                });
            }
            let imported = match key.external.as_mut() {
                Some(external) => Some(external.pending_rotation.take().ok_or_else(|| {
                    Error::Validation {
                        // Our wording (unverified): AWS rotates a key of imported material
                        // to new material imported for it (ImportType NEW_KEY_MATERIAL).
                        message: format!(
                            "{} has no new key material to rotate to. Import key material \
                             with ImportType NEW_KEY_MATERIAL first.",
                            key.arn
                        ),
                    }
                })?),
                None => None,
            };
            let material = match imported {
                Some(mut material) => {
                    material.created = now;
                    material.rotation = Some(RotationType::OnDemand);
                    material
                }
                None => Material::generate(now, Some(RotationType::OnDemand))?,
            };
            let shared = match &key.multi_region {
                Some(_) => Some((key.id.clone(), related, material.duplicate()?)),
                None => None,
            };
            versions.push(material);
            Ok((RotateKeyOnDemandResponse::new(key.arn.clone()), shared))
        })
    }

    pub(crate) fn list_key_rotations(
        &self,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse> {
        let limit = limits::page_limit(request.limit, 1000, 100)?;
        known(request.include_key_material.clone(), "includeKeyMaterial")?;
        let keyring = self.read()?;
        let member = KeyOnly::key_id("ListKeyRotations");
        let key = keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
        key.check_rotation_supported("ListKeyRotations")?;
        let everything = request.include_key_material == Some(IncludeKeyMaterial::AllKeyMaterial);
        let entries: Vec<RotationsListEntry> = match &key.external {
            Some(external) => imported_rotations(key, external, everything),
            None => {
                let current = key.current().map(|material| material.id);
                key.material
                    .versions()
                    .iter()
                    .filter(|material| everything || material.rotation.is_some())
                    .map(|material| {
                        let state = if Some(material.id) == current {
                            KeyMaterialState::Current
                        } else {
                            KeyMaterialState::NonCurrent
                        };
                        rotation_entry(key, material, state)
                    })
                    .collect()
            }
        };
        let page = page_by_index(entries.into_iter(), request.marker.as_deref(), limit)?;
        let mut response = ListKeyRotationsResponse::new().with_truncated(page.truncated());
        response.next_marker = page.next_marker;
        Ok(response.with_rotations(page.items))
    }
}

/// The entry of `material` of `key` in `ListKeyRotations`.
fn rotation_entry(key: &Key, material: &Material, state: KeyMaterialState) -> RotationsListEntry {
    let entry = RotationsListEntry::new(key.arn.clone())
        .with_key_material_id(material.id_hex.clone())
        .with_key_material_state(state);
    match &material.rotation {
        Some(kind) => entry
            .with_rotation_type(kind.clone())
            .with_rotation_date(material.created),
        None => entry,
    }
}

/// The entries of a key of imported material, in the order of their imports: each with its
/// import state and expiry; the key's first material only with `ALL_KEY_MATERIAL`.
fn imported_rotations(key: &Key, external: &External, everything: bool) -> Vec<RotationsListEntry> {
    let current = external.current_id();
    let pending = external
        .pending_rotation
        .as_ref()
        .map(|material| material.id);
    external
        .materials
        .iter()
        .enumerate()
        .filter(|(index, _)| everything || *index > 0)
        .map(|(_, imported)| {
            let state = if Some(imported.id) == pending {
                KeyMaterialState::PendingRotation
            } else if Some(imported.id) == current {
                KeyMaterialState::Current
            } else {
                KeyMaterialState::NonCurrent
            };
            let entry = match key.material(&imported.id) {
                Some(material) => rotation_entry(key, material, state),
                None => RotationsListEntry::new(key.arn.clone())
                    .with_key_material_id(hex(&imported.id))
                    .with_key_material_state(state),
            };
            let entry = entry.with_import_state(if imported.present {
                ImportState::Imported
            } else {
                ImportState::PendingImport
            });
            let entry = match imported.valid_to {
                Some(valid_to) => entry
                    .with_expiration_model(ExpirationModelType::KeyMaterialExpires)
                    .with_valid_to(valid_to),
                None => entry.with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire),
            };
            match &imported.description {
                Some(description) => entry.with_key_material_description(description.clone()),
                None => entry,
            }
        })
        .collect()
}
