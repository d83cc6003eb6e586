//! What a multi-Region key knows of its set, as a record of the journal stores it.

use std::collections::BTreeMap;

use kms_core::{KeyState, Result};
use serde::{Deserialize, Serialize};

use super::record::{Invalid, Stamp, parse, stamp, time};
use super::root_key::RootKey;
use crate::material::{hex, unhex};
use crate::multi_region::{MultiRegion, ROTATION_SECRET_LEN, Settling};

/// A key's view of its multi-Region key set, its rotation secret sealed under the root key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoredMultiRegion {
    primary: String,
    /// Every replica's Region, with the date its deletion takes effect once scheduled.
    replicas: BTreeMap<String, Option<Stamp>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting_window: Option<u32>,
    /// When a transient state ends, and the state it ends in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settling: Option<(Stamp, String)>,
    /// The rotation secret sealed under the root key, hex.
    rotation_secret: String,
}

impl StoredMultiRegion {
    pub(super) fn of(key_id: &str, set: &MultiRegion, root: &RootKey) -> Result<Self> {
        let replicas = set
            .replicas
            .iter()
            .map(|(region, date)| Ok((region.clone(), date.map(stamp).transpose()?)))
            .collect::<Result<_>>()?;
        let settling = match &set.settling {
            Some(settling) => Some((stamp(settling.at)?, settling.into.as_str().to_owned())),
            None => None,
        };
        let sealed = root.seal(set.rotation_secret.expose_secret(), &secret_aad(key_id))?;
        Ok(Self {
            primary: set.primary.clone(),
            replicas,
            waiting_window: set.waiting_window,
            settling,
            rotation_secret: hex(&sealed),
        })
    }

    pub(super) fn into_multi_region(
        self,
        key_id: &str,
        root: &RootKey,
    ) -> Result<MultiRegion, Invalid> {
        let sealed = unhex(&self.rotation_secret)
            .ok_or_else(|| format!("key '{key_id}': its sealed rotation secret is not hex"))?;
        let rotation_secret = root
            .open(&sealed, &secret_aad(key_id))
            .filter(|secret| secret.len() == ROTATION_SECRET_LEN)
            .ok_or_else(|| {
                format!(
                    "key '{key_id}': its rotation secret does not decrypt under this root key \
                     (a wrong root key, or a damaged store)"
                )
            })?;
        let replicas = self
            .replicas
            .into_iter()
            .map(|(region, date)| Ok((region, date.map(time).transpose()?)))
            .collect::<Result<_, Invalid>>()?;
        let settling = match self.settling {
            Some((at, into)) => Some(Settling {
                at: time(at)?,
                into: parse::<KeyState>(&into)?,
            }),
            None => None,
        };
        Ok(MultiRegion {
            primary: self.primary,
            replicas,
            waiting_window: self.waiting_window,
            settling,
            rotation_secret,
        })
    }
}

/// Binds a sealed rotation secret to its key ID, so it cannot be moved to another key.
fn secret_aad(key_id: &str) -> Vec<u8> {
    let mut aad = b"kms-local multi-Region rotation secret v1\0".to_vec();
    aad.extend_from_slice(key_id.as_bytes());
    aad
}
