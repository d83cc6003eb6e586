//! `ReplicateKey` and `UpdatePrimaryRegion`, and the changes to the related keys of a
//! multi-Region key in the other Regions' stores that other operations make (rotation,
//! deletion).
//!
//! Every change that spans Regions holds the world's lock for sets (`World::lock_sets`) from
//! before it reads the key until it has changed every store, store by store (never two
//! stores' locks at once), so two such changes never interleave.

use std::collections::BTreeMap;
use std::sync::Arc;

use kms_core::{
    Error, KeyState, OriginType, ReplicateKeyRequest, ReplicateKeyResponse, Result,
    UpdatePrimaryRegionRequest, UpdatePrimaryRegionResponse,
};

use crate::limits;
use crate::material::{KeyMaterial, Kind};
use crate::multi_region::Settling;
use crate::state::{Identity, Key, KeyOnly};
use crate::store::Store;
use crate::world::World;

impl Store {
    pub(crate) fn replicate_key(
        &self,
        request: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse> {
        let region = request.replica_region.as_str();
        check_region_member(region, "replicaRegion")?;
        let description = request.description.clone().unwrap_or_default();
        limits::check_description(&description)?;
        if let Some(policy) = &request.policy {
            limits::check_policy(policy)?;
        }
        let mut tags = BTreeMap::new();
        limits::merge_tags(&mut tags, &request.tags)?;
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (replica, related) = {
            let keyring = self.read()?;
            let member = KeyOnly::key_id("ReplicateKey");
            let key =
                keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
            let set = primary_set(key, &self.identity)?;
            key.check_changeable()?;
            self.check_replica_region(key, region)?;
            if set.replicas.contains_key(region) {
                return Err(Error::AlreadyExists {
                    // Our wording (unverified): AWS documents the exception, no reference
                    // gives its message.
                    message: format!("{} already has a replica key in {region}.", key.arn),
                });
            }
            let target = Identity::new(&self.identity.account, region);
            let now = self.now();
            let replica = new_replica(
                key,
                &target,
                (description, tags),
                (now, world.settle_after()),
            )?;
            (replica, related_regions(key, &self.identity))
        };
        let id = replica.id.clone();
        let target = world.store(&self.identity.account, region)?;
        let metadata = target.mutate(|keyring, _| {
            if keyring.keys.contains_key(&id) {
                return Err(Error::AlreadyExists {
                    // Our wording (unverified), as above.
                    message: format!("{} already exists.", replica.arn),
                });
            }
            let metadata = replica.metadata(&target.identity);
            keyring.insert_key(replica);
            Ok(metadata)
        })?;
        let add = |key: &mut Key| -> Result<()> {
            if let Some(set) = key.multi_region.as_mut() {
                set.replicas.insert(region.to_owned(), None);
            }
            Ok(())
        };
        self.change_related(
            &world,
            &id,
            std::slice::from_ref(&self.identity.region),
            add,
        )?;
        self.change_related(&world, &id, &related, add)?;
        let policy = request
            .policy
            .unwrap_or_else(|| default_key_policy(&self.identity));
        let tags = request.tags;
        Ok(ReplicateKeyResponse::new()
            .with_replica_key_metadata(metadata)
            .with_replica_policy(policy)
            .with_replica_tags(tags))
    }

    pub(crate) fn update_primary_region(
        &self,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<UpdatePrimaryRegionResponse> {
        let region = request.primary_region.as_str();
        check_region_member(region, "primaryRegion")?;
        let world = self.world()?;
        let _sets = world.lock_sets();
        let (id, regions) = {
            let keyring = self.read()?;
            let member = KeyOnly::key_id("UpdatePrimaryRegion");
            let key =
                keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
            let set = primary_set(key, &self.identity)?;
            check_enabled(key)?;
            if !set.replicas.contains_key(region) {
                return Err(self.identity_in(region).key_not_found(&key.id));
            }
            (key.id.clone(), related_regions(key, &self.identity))
        };
        // The new primary key must be enabled too.
        let new_primary = world.store(&self.identity.account, region)?;
        {
            let keyring = new_primary.read()?;
            let key = keyring
                .keys
                .get(&id)
                .ok_or_else(|| new_primary.identity.key_not_found(&id))?;
            check_enabled(key)?;
        }
        let settling = Settling {
            at: self.now() + world.settle_after(),
            into: KeyState::Enabled,
        };
        let old_region = self.identity.region.clone();
        let swap = |key: &mut Key, updating: bool| -> Result<()> {
            if let Some(set) = key.multi_region.as_mut() {
                set.replicas.remove(region);
                set.replicas.insert(old_region.clone(), None);
                set.primary = region.to_owned();
                if updating {
                    set.settling = Some(settling.clone());
                    key.state = KeyState::Updating;
                }
            }
            Ok(())
        };
        let updating = [old_region.clone(), region.to_owned()];
        self.change_related(&world, &id, &updating, |key| swap(key, true))?;
        let others: Vec<String> = regions.into_iter().filter(|r| r != region).collect();
        self.change_related(&world, &id, &others, |key| swap(key, false))?;
        Ok(UpdatePrimaryRegionResponse::new())
    }

    /// Refuses a Region that cannot hold a replica of `key`: its own Region, or one of
    /// another partition (AWS keeps the keys of a set in one partition).
    fn check_replica_region(&self, key: &Key, region: &str) -> Result<()> {
        if region == self.identity.region {
            return Err(Error::Validation {
                // Our wording (unverified).
                message: format!("{} is already in {region}.", key.arn),
            });
        }
        let partition = crate::state::partition_of(region);
        if partition != self.identity.partition {
            return Err(Error::Validation {
                // Our wording (unverified).
                message: format!(
                    "{region} is in partition {partition}: the replicas of {} must be in \
                     partition {}.",
                    key.arn, self.identity.partition
                ),
            });
        }
        Ok(())
    }

    /// This account's identity in `region`.
    fn identity_in(&self, region: &str) -> Identity {
        Identity::new(&self.identity.account, region)
    }

    /// Applies `change` to the key `id` of this account in each of `regions`, store by store,
    /// and notes the dates the key changes on next. A Region whose store no longer holds the
    /// key (its deletion took effect) is skipped. Call with the world's lock for sets held.
    pub(super) fn change_related(
        &self,
        world: &Arc<World>,
        id: &str,
        regions: &[String],
        change: impl Fn(&mut Key) -> Result<()>,
    ) -> Result<()> {
        for region in regions {
            let store = world.store(&self.identity.account, region)?;
            store.mutate(|keyring, _| {
                if let Some(key) = keyring.key_mut(id) {
                    change(key)?;
                    keyring.note_dates(id);
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// The other Regions of `key`'s multi-Region key set (none for a single-Region key).
pub(super) fn related_regions(key: &Key, identity: &Identity) -> Vec<String> {
    let Some(set) = &key.multi_region else {
        return Vec::new();
    };
    std::iter::once(&set.primary)
        .chain(set.replicas.keys())
        .filter(|region| **region != identity.region)
        .cloned()
        .collect()
}

/// The set of `key`, if it is a multi-Region primary key; AWS's refusal otherwise.
fn primary_set<'k>(
    key: &'k Key,
    identity: &Identity,
) -> Result<&'k crate::multi_region::MultiRegion> {
    match &key.multi_region {
        Some(set) if set.is_primary_in(&identity.region) => Ok(set),
        // AWS's message for a replica (recorded by LocalStack's test suite); AWS's wording for
        // a single-Region key is not recorded, and this is the same statement.
        _ => Err(Error::Unsupported {
            message: format!("{} is not a multi-region primary key.", key.arn),
        }),
    }
}

/// Refuses a key that is not `Enabled`, as `UpdatePrimaryRegion` requires of both keys.
fn check_enabled(key: &Key) -> Result<()> {
    if key.state == KeyState::Enabled {
        return Ok(());
    }
    // AWS documents the rule; the exception and message are our choice (unverified).
    Err(Error::InvalidState {
        message: format!("{} is {}, not Enabled.", key.arn, key.state),
    })
}

/// The replica of the primary key `key` in `target`'s Region, with `description` and `tags`,
/// in `Creating` from `now` for `settle_after`: the same key ID, spec, usage, origin, rotation
/// and material; a key of imported material starts without material, pending import.
fn new_replica(
    key: &Key,
    target: &Identity,
    (description, tags): (String, BTreeMap<String, String>),
    (now, settle_after): (std::time::SystemTime, std::time::Duration),
) -> Result<Key> {
    let external = key.origin == OriginType::External;
    let (material, settled) = if external {
        let none = match Kind::of(&key.spec) {
            Kind::Symmetric => KeyMaterial::Symmetric(Vec::new()),
            Kind::Hmac | Kind::Asymmetric => KeyMaterial::Absent,
        };
        (none, KeyState::PendingImport)
    } else {
        (key.material.duplicate()?, KeyState::Enabled)
    };
    let set = key
        .multi_region
        .as_ref()
        .ok_or_else(|| crate::random::internal("a replica of a key that is not multi-Region"))?;
    let mut set = set.duplicate(Some(Settling {
        at: now + settle_after,
        into: settled,
    }));
    set.replicas.insert(target.region.clone(), None);
    Ok(Key {
        id: key.id.clone(),
        uuid: key.uuid,
        arn: target.key_arn(&key.id),
        created: now,
        description,
        spec: key.spec.clone(),
        usage: key.usage.clone(),
        origin: key.origin.clone(),
        state: KeyState::Creating,
        deletion: None,
        rotation: key.rotation,
        material,
        tags,
        external: external.then(Box::default),
        multi_region: Some(Box::new(set)),
    })
}

/// The key policy AWS gives a key made without one (`reference/wave2.md` §E.4), for the
/// account of `identity`.
fn default_key_policy(identity: &Identity) -> String {
    let principal = format!(
        r#"      "AWS" : "arn:{}:iam::{}:root""#,
        identity.partition, identity.account
    );
    [
        "{",
        r#"  "Version" : "2012-10-17","#,
        r#"  "Id" : "key-default-1","#,
        r#"  "Statement" : [ {"#,
        r#"    "Sid" : "Enable IAM User Permissions","#,
        r#"    "Effect" : "Allow","#,
        r#"    "Principal" : {"#,
        &principal,
        "    },",
        r#"    "Action" : "kms:*","#,
        r#"    "Resource" : "*""#,
        "  } ]",
        "}",
    ]
    .join("\n")
}

/// AWS's constraint on a Region member: 1 to 32 characters matching `^([a-z]+-){2,3}\d+$`.
fn check_region_member(region: &str, path: &str) -> Result<()> {
    const PATTERN: &str = r"^([a-z]+-){2,3}\d+$";
    if region.is_empty() || region.len() > 32 {
        return Err(Error::constraint(
            Some(&region),
            path,
            "have length less than or equal to 32 and greater than or equal to 1",
        ));
    }
    if !is_region_name(region) {
        return Err(Error::constraint(
            Some(&region),
            path,
            &format!("satisfy regular expression pattern: {PATTERN}"),
        ));
    }
    Ok(())
}

/// Whether `region` matches `^([a-z]+-){2,3}\d+$`: two or three words of lowercase letters,
/// each followed by a hyphen, then digits.
fn is_region_name(region: &str) -> bool {
    let mut parts: Vec<&str> = region.split('-').collect();
    let Some(number) = parts.pop() else {
        return false;
    };
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_key_policy_is_aws_text() {
        let policy = default_key_policy(&Identity::new("111122223333", "us-east-1"));
        let expected = r#"{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"#;
        assert_eq!(policy, expected);
    }

    #[test]
    fn region_names_follow_aws_pattern() {
        for good in [
            "us-east-1",
            "eu-west-2",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-10",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "us-east-1a",
            "US-east-1",
            "us--1",
            "-us-east-1",
            "a-b-c-d-1",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
