//! `CreateKey`, `DescribeKey`, `ListKeys`, `UpdateKeyDescription`, `EnableKey`, `DisableKey`,
//! `ScheduleKeyDeletion` and `CancelKeyDeletion`.

use std::collections::BTreeMap;

use kms_core::ops::*;
use kms_core::{Error, KeyListEntry, KeySpec, KeyState, KeyUsage, OriginType, Result};

use super::days;
use super::known;
use super::multi_region::related_regions;
use crate::limits::{self, PENDING_WINDOW_DAYS};
use crate::material::{KeyMaterial, Kind};
use crate::multi_region::MultiRegion;
use crate::paging::page;
use crate::random;
use crate::state::{Deletion, Key, KeyOnly};
use crate::store::Store;

/// Customer managed keys per account and region.
const MAX_KEYS: usize = 100_000;

impl Store {
    pub(crate) fn create_key(&self, request: CreateKeyRequest) -> Result<CreateKeyResponse> {
        let spec = request
            .key_spec
            .clone()
            .unwrap_or(KeySpec::SymmetricDefault);
        spec.check_known("keySpec")?;
        let usage = known(request.key_usage.clone(), "keyUsage")?;
        known(request.origin.clone(), "origin")?;
        let usage = key_usage_for(&spec, usage)?;
        check_supported(&request)?;
        check_offered_in_region(&spec, &self.identity.region)?;
        let external = request.origin == Some(OriginType::External);
        if external {
            crate::import::check_importable(&spec)?;
        }
        let description = request.description.unwrap_or_default();
        limits::check_description(&description)?;
        if let Some(policy) = &request.policy {
            limits::check_policy(policy)?;
        }
        let mut tags = BTreeMap::new();
        limits::merge_tags(&mut tags, &request.tags)?;
        // Generated before the store is locked: an RSA-4096 key takes about a second. A key
        // of origin EXTERNAL waits for its material, pending import.
        let (material, origin, state) = if external {
            let none = match Kind::of(&spec) {
                Kind::Symmetric => KeyMaterial::Symmetric(Vec::new()),
                Kind::Hmac | Kind::Asymmetric => KeyMaterial::Absent,
            };
            (none, OriginType::External, KeyState::PendingImport)
        } else {
            let material = KeyMaterial::generate(&spec, self.now())?;
            (material, OriginType::AwsKms, KeyState::Enabled)
        };
        let multi_region = match request.multi_region {
            Some(true) => Some(Box::new(MultiRegion::new_primary(&self.identity.region)?)),
            _ => None,
        };

        self.mutate(|keyring, now| {
            if keyring.keys.len() >= MAX_KEYS {
                return Err(Error::LimitExceeded {
                    // Our wording (unverified): no reference confirms AWS's message.
                    message: format!("The account already has the maximum of {MAX_KEYS} keys."),
                });
            }
            let (id, raw_id) = match &multi_region {
                Some(_) => crate::multi_region::new_key_id()?,
                None => {
                    let uuid = random::key_uuid()?;
                    (uuid.to_string(), *uuid.as_bytes())
                }
            };
            let key = Key {
                arn: self.identity.key_arn(&id),
                id: id.clone(),
                uuid: raw_id,
                created: now,
                description,
                spec,
                usage,
                origin,
                state,
                deletion: None,
                rotation: None,
                material,
                tags,
                external: external.then(Box::default),
                multi_region,
            };
            let metadata = key.metadata(&self.identity);
            keyring.insert_key(key);
            Ok(CreateKeyResponse::new(metadata))
        })
    }

    pub(crate) fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, &request.key_id, || self.now())?;
        Ok(DescribeKeyResponse::new(key.metadata(&self.identity)))
    }

    pub(crate) fn list_keys(&self, request: ListKeysRequest) -> Result<ListKeysResponse> {
        let limit = limits::page_limit(request.limit, 1000, 100)?;
        let now = self.now();
        let keyring = self.read()?;
        let page = page(
            &keyring.keys,
            request.marker.as_deref(),
            limit,
            |id, key| (!key.is_gone(|| now)).then(|| KeyListEntry::new(id, key.arn.clone())),
        )?;
        let mut response = ListKeysResponse::new().with_truncated(page.truncated());
        response.next_marker = page.next_marker;
        Ok(response.with_keys(page.items))
    }

    pub(crate) fn update_key_description(
        &self,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<UpdateKeyDescriptionResponse> {
        limits::check_description(&request.description)?;
        self.mutate(|keyring, _| {
            let member = KeyOnly::key_id("UpdateKeyDescription");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            key.check_changeable()?;
            key.description = request.description;
            Ok(UpdateKeyDescriptionResponse::new())
        })
    }

    pub(crate) fn enable_key(&self, request: EnableKeyRequest) -> Result<EnableKeyResponse> {
        self.set_enabled(&request.key_id, KeyState::Enabled, "EnableKey")?;
        Ok(EnableKeyResponse::new())
    }

    pub(crate) fn disable_key(&self, request: DisableKeyRequest) -> Result<DisableKeyResponse> {
        self.set_enabled(&request.key_id, KeyState::Disabled, "DisableKey")?;
        Ok(DisableKeyResponse::new())
    }

    /// Enables or disables a key, for `operation` (EnableKey or DisableKey).
    fn set_enabled(
        &self,
        key_id: &kms_core::KeyId,
        state: KeyState,
        operation: &'static str,
    ) -> Result<()> {
        self.mutate(|keyring, now| {
            let key = keyring.resolve_mut(&self.identity, key_id, KeyOnly::key_id(operation))?;
            key.check_can_toggle()?;
            if state == KeyState::Enabled && key.state != KeyState::Enabled {
                key.catch_up_rotation(now)?;
            }
            key.state = state;
            if let Some(rotation) = key.rotation {
                keyring.expect_rotation(rotation.next);
            }
            Ok(())
        })
    }

    /// Schedules a deletion. A multi-Region primary key with replicas waits for them in
    /// `PendingReplicaDeletion`, without a deletion date: its waiting period starts when its
    /// last replica is deleted. A replica's deletion date is told to the other keys of its
    /// set, so that its primary knows when it is gone.
    pub(crate) fn schedule_key_deletion(
        &self,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        let (min, max, default) = PENDING_WINDOW_DAYS;
        let window = request.pending_window_in_days.unwrap_or(default);
        limits::check_range("pendingWindowInDays", window, (min, max))?;
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (response, replica) = self.mutate(|keyring, now| {
            let member = KeyOnly::key_id("ScheduleKeyDeletion");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            key.check_changeable()?;
            let region = &self.identity.region;
            if let Some(set) = key.multi_region.as_mut()
                && set.is_primary_in(region)
                && !set.replicas.is_empty()
            {
                set.waiting_window = Some(window);
                key.state = KeyState::PendingReplicaDeletion;
                let response = ScheduleKeyDeletionResponse::new(key.arn.clone())
                    .with_key_state(KeyState::PendingReplicaDeletion)
                    .with_pending_window_in_days(window);
                return Ok((response, None));
            }
            let date = now + days(window);
            key.state = KeyState::PendingDeletion;
            key.deletion = Some(Deletion {
                date,
                window_days: window,
            });
            let arn = key.arn.clone();
            let replica = key
                .multi_region
                .is_some()
                .then(|| (key.id.clone(), related_regions(key, &self.identity), date));
            keyring.expect_deletion(date);
            let response = ScheduleKeyDeletionResponse::new(arn)
                .with_deletion_date(date)
                .with_key_state(KeyState::PendingDeletion)
                .with_pending_window_in_days(window);
            Ok((response, replica))
        })?;
        if let Some((id, related, date)) = replica {
            self.set_replica_deletion(&world, (&id, &related), Some(date))?;
        }
        Ok(response)
    }

    pub(crate) fn cancel_key_deletion(
        &self,
        request: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse> {
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (response, replica) = self.mutate(|keyring, _| {
            let member = KeyOnly::key_id("CancelKeyDeletion");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            let waiting = key
                .multi_region
                .as_mut()
                .and_then(|set| set.waiting_window.take());
            if key.deletion.take().is_none() && waiting.is_none() {
                return Err(Error::InvalidState {
                    message: format!("{} is not pending deletion.", key.arn),
                });
            };
            key.state = KeyState::Disabled;
            let replica = key
                .multi_region
                .as_ref()
                .filter(|set| !set.is_primary_in(&self.identity.region))
                .map(|_| (key.id.clone(), related_regions(key, &self.identity)));
            Ok((CancelKeyDeletionResponse::new(key.arn.clone()), replica))
        })?;
        if let Some((id, related)) = replica {
            self.set_replica_deletion(&world, (&id, &related), None)?;
        }
        Ok(response)
    }

    /// Tells the other keys of this replica's set, `(id, related)`, the date its deletion
    /// takes effect (`None`: it was cancelled).
    fn set_replica_deletion(
        &self,
        world: &std::sync::Arc<crate::world::World>,
        (id, related): (&str, &[String]),
        date: Option<std::time::SystemTime>,
    ) -> Result<()> {
        let region = &self.identity.region;
        // Every key of the set, this replica's own view included.
        let mut regions = related.to_vec();
        regions.push(region.clone());
        self.change_related(world, id, &regions, |key| {
            if let Some(set) = key.multi_region.as_mut()
                && let Some(deletion) = set.replicas.get_mut(region)
            {
                *deletion = date;
            }
            Ok(())
        })
    }
}

/// The key usage of a new key: the one asked for if the spec allows it; for symmetric keys
/// `ENCRYPT_DECRYPT` by default; every other spec must be given one.
pub(crate) fn key_usage_for(spec: &KeySpec, usage: Option<KeyUsage>) -> Result<KeyUsage> {
    match usage {
        Some(usage) if spec.allowed_key_usages().contains(&usage) => Ok(usage),
        Some(usage) => Err(Error::Validation {
            message: format!("KeyUsage {usage} is not compatible with KeySpec {spec}"),
        }),
        None if *spec == KeySpec::SymmetricDefault => Ok(KeyUsage::EncryptDecrypt),
        None => Err(Error::Validation {
            message: "You must specify a KeyUsage value for all KMS keys except for symmetric \
                      encryption keys."
                .to_owned(),
        }),
    }
}

/// Refuses, as AWS does, a key spec that AWS offers only in other regions: SM2 exists only
/// in the China regions (`cn-`). (In a China region the local backend does not implement SM2
/// keys: creating one is `NotImplemented`.)
pub(crate) fn check_offered_in_region(spec: &KeySpec, region: &str) -> Result<()> {
    if *spec == KeySpec::Sm2 && !region.starts_with("cn-") {
        return Err(Error::Unsupported {
            // AWS's message as a user reported it from us-east-1 (floci-io/floci#3026); not
            // in the references.
            message: format!("KeySpec {spec} is not supported in this Region"),
        });
    }
    Ok(())
}

/// Refuses, naming it, what AWS offers but this backend does not implement yet.
fn check_supported(request: &CreateKeyRequest) -> Result<()> {
    let unsupported = |what: String| {
        Err(Error::NotImplemented {
            message: format!("{what} is not implemented by the local backend yet"),
        })
    };
    if let Some(origin) = request
        .origin
        .as_ref()
        .filter(|o| !matches!(o, OriginType::AwsKms | OriginType::External))
    {
        return unsupported(format!("Origin {origin}"));
    }
    if request.custom_key_store_id.is_some() {
        return unsupported("A custom key store".to_owned());
    }
    Ok(())
}
