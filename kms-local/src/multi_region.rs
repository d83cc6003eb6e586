//! What each key of a multi-Region key set knows of its set: which Region holds the primary
//! key, which Regions hold replicas, the transient state it passes through, and the secret
//! from which the set's automatic rotations are derived.
//!
//! Every key of a set is a key of its own Region's store, as AWS keeps them: state, enabled,
//! description, aliases, tags and deletion are per Region. What AWS shares (key ID, material,
//! spec, usage, origin, rotation) is the same in every store, never diverging:
//!
//! - the material is given to a replica when it is made, and every later change to it
//!   (`RotateKeyOnDemand`, rotation settings) is applied by the world to every key of the set
//!   at once, under the world's lock for sets (`World::lock_sets`);
//! - an automatic rotation is made by each store on its own, when it is due, but to the same
//!   material in each: the new material is derived (HKDF-SHA-256) from the set's rotation
//!   secret, the key ID and the rotation date, so no store needs another to rotate, and a
//!   durable store reopened, or another process, derives the same.
//!
//! The world's lock orders the changes that span stores within one process; processes that
//! share a durable world each keep every store's journal whole, but two of them changing one
//! set at the same instant are not ordered against each other.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hkdf;
use kms_core::{
    KeyState, MultiRegionConfiguration, MultiRegionKey, MultiRegionKeyType, Result, RotationType,
    SecretBytes,
};

use crate::blob::MATERIAL_ID_LEN;
use crate::material::{MATERIAL_LEN, Material};
use crate::random;
use crate::state::Identity;

/// The length of a set's rotation secret.
pub(crate) const ROTATION_SECRET_LEN: usize = 32;
/// The HKDF label of the material of an automatic rotation of a multi-Region key.
const ROTATION_LABEL: &[u8] = b"kms-local multi-Region automatic rotation v1";

/// A key's view of its multi-Region key set.
pub(crate) struct MultiRegion {
    /// The Region of the primary key.
    pub(crate) primary: String,
    /// The Region of every replica, with the date its deletion takes effect once scheduled.
    pub(crate) replicas: BTreeMap<String, Option<SystemTime>>,
    /// A primary key in `PendingReplicaDeletion`: the waiting period (days) of its deletion,
    /// which starts when its last replica is deleted.
    pub(crate) waiting_window: Option<u32>,
    /// A transient state (`Creating`, `Updating`): when it ends, and the state it ends in.
    pub(crate) settling: Option<Settling>,
    /// The secret the set's automatic rotations are derived from, the same in every key.
    pub(crate) rotation_secret: SecretBytes,
}

/// The end of a transient state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settling {
    /// When it ends.
    pub(crate) at: SystemTime,
    /// The state the key is in then.
    pub(crate) into: KeyState,
}

impl MultiRegion {
    /// A new primary key in `region`, without replicas, with a fresh rotation secret.
    pub(crate) fn new_primary(region: &str) -> Result<Self> {
        Ok(Self {
            primary: region.to_owned(),
            replicas: BTreeMap::new(),
            waiting_window: None,
            settling: None,
            rotation_secret: SecretBytes::try_init_with(ROTATION_SECRET_LEN, random::fill)?,
        })
    }

    /// The view of the same set from a key that is `settling`.
    pub(crate) fn duplicate(&self, settling: Option<Settling>) -> Self {
        Self {
            primary: self.primary.clone(),
            replicas: self.replicas.clone(),
            waiting_window: None,
            settling,
            rotation_secret: SecretBytes::from(self.rotation_secret.expose_secret()),
        }
    }

    /// Whether the key in `region` is the primary key.
    pub(crate) fn is_primary_in(&self, region: &str) -> bool {
        self.primary == region
    }

    /// When the last replica is deleted: known once every replica's deletion is scheduled.
    /// `None` while some replica is not scheduled, or when there are none.
    pub(crate) fn replicas_gone_at(&self) -> Option<SystemTime> {
        let mut last = None;
        for date in self.replicas.values() {
            let date = (*date)?;
            last = Some(last.map_or(date, |last: SystemTime| last.max(date)));
        }
        last
    }

    /// The earliest date something changes in this view: a transient state ends, a replica
    /// is deleted.
    pub(crate) fn next_transition(&self) -> Option<SystemTime> {
        let settling = self.settling.as_ref().map(|settling| settling.at);
        let deletion = self.replicas.values().flatten().min().copied();
        settling.into_iter().chain(deletion).min()
    }

    /// The `MultiRegionConfiguration` that `DescribeKey` gives for the key in `identity`'s
    /// Region: the primary key, and every replica (the key described included, when it is
    /// one), as AWS lists them.
    pub(crate) fn configuration(
        &self,
        identity: &Identity,
        key_id: &str,
    ) -> MultiRegionConfiguration {
        let key_in = |region: &str| {
            MultiRegionKey::new()
                .with_arn(identity.key_arn_in(region, key_id))
                .with_region(region.to_owned())
        };
        let kind = if self.is_primary_in(&identity.region) {
            MultiRegionKeyType::Primary
        } else {
            MultiRegionKeyType::Replica
        };
        MultiRegionConfiguration::new()
            .with_multi_region_key_type(kind)
            .with_primary_key(key_in(&self.primary))
            .with_replica_keys(
                self.replicas
                    .keys()
                    .map(|region| key_in(region))
                    .collect::<Vec<_>>(),
            )
    }

    /// The material of the automatic rotation of the key `key_id` dated `date`: the same in
    /// every Region, derived from the set's rotation secret.
    pub(crate) fn rotation_material(&self, key_id: &str, date: SystemTime) -> Result<Material> {
        let since_epoch = date.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let stamp = since_epoch.as_nanos().to_be_bytes();
        let okm = hkdf::Salt::new(hkdf::HKDF_SHA256, ROTATION_LABEL)
            .extract(self.rotation_secret.expose_secret());
        let info = [key_id.as_bytes(), &stamp[..]];
        let expanded = okm
            .expand(&info, OkmLen(MATERIAL_ID_LEN + MATERIAL_LEN))
            .map_err(|_| random::internal("HKDF expansion failed"))?;
        let bytes = SecretBytes::try_init_with(MATERIAL_ID_LEN + MATERIAL_LEN, |out| {
            expanded
                .fill(out)
                .map_err(|_| random::internal("HKDF expansion failed"))
        })?;
        let mut id = [0u8; MATERIAL_ID_LEN];
        id.copy_from_slice(&bytes.expose_secret()[..MATERIAL_ID_LEN]);
        let secret = SecretBytes::from(&bytes.expose_secret()[MATERIAL_ID_LEN..]);
        Material::from_parts(id, secret, date, Some(RotationType::Automatic))
    }
}

/// An HKDF output length.
struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

impl fmt::Debug for MultiRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiRegion")
            .field("primary", &self.primary)
            .field("replicas", &self.replicas)
            .field("waiting_window", &self.waiting_window)
            .field("settling", &self.settling)
            .finish_non_exhaustive()
    }
}

/// A new multi-Region key ID: `mrk-` and 32 lowercase hex digits, and its 16 raw bytes.
pub(crate) fn new_key_id() -> Result<(String, [u8; 16])> {
    let mut raw = [0u8; 16];
    random::fill(&mut raw)?;
    Ok((format!("mrk-{}", crate::material::hex(&raw)), raw))
}

/// The 16 raw bytes of a multi-Region key ID; `None` if it is not one.
pub(crate) fn raw_key_id(key_id: &str) -> Option<[u8; 16]> {
    let hex = key_id.strip_prefix("mrk-")?;
    if hex.len() != 32 || hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    crate::material::unhex(hex)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_mrk_and_32_lowercase_hex_digits() -> Result<()> {
        let (id, raw) = new_key_id()?;
        assert_eq!(id.len(), 36);
        assert!(kms_core::is_key_id(&id), "{id}");
        assert_eq!(raw_key_id(&id), Some(raw));
        assert_eq!(raw_key_id("mrk-1234"), None);
        assert_eq!(raw_key_id("mrk-1234ABCD12ab34cd56ef1234567890ab"), None);
        assert_eq!(raw_key_id("1234abcd-12ab-34cd-56ef-1234567890ab"), None);
        Ok(())
    }

    #[test]
    fn automatic_rotations_derive_the_same_material_in_every_region() -> Result<()> {
        let primary = MultiRegion::new_primary("us-east-1")?;
        let replica = primary.duplicate(None);
        let date = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let here = primary.rotation_material("mrk-00", date)?;
        let there = replica.rotation_material("mrk-00", date)?;
        assert_eq!(here.id, there.id);
        assert!(here.secret.ct_eq(&there.secret));
        let later = primary.rotation_material("mrk-00", date + Duration::from_secs(1))?;
        assert_ne!(here.id, later.id);
        let other_set = MultiRegion::new_primary("us-east-1")?;
        assert_ne!(other_set.rotation_material("mrk-00", date)?.id, here.id);
        Ok(())
    }

    #[test]
    fn the_last_replica_deletion_is_known_once_every_replica_is_scheduled() -> Result<()> {
        let mut set = MultiRegion::new_primary("us-east-1")?;
        assert_eq!(set.replicas_gone_at(), None);
        let day = |n: u64| UNIX_EPOCH + Duration::from_secs(n * 86_400);
        set.replicas.insert("eu-west-1".to_owned(), Some(day(9)));
        set.replicas.insert("us-west-2".to_owned(), None);
        assert_eq!(set.replicas_gone_at(), None);
        set.replicas.insert("us-west-2".to_owned(), Some(day(7)));
        assert_eq!(set.replicas_gone_at(), Some(day(9)));
        assert_eq!(set.next_transition(), Some(day(7)));
        Ok(())
    }
}
