//! The records of the journal: a key or alias as it now is, or its removal.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use kms_core::{AlgorithmSpec, KeySpec, KeyState, KeyUsage, OriginType, Result, RotationType};
use serde::{Deserialize, Serialize};

use super::root_key::RootKey;
use super::stored_multi_region::StoredMultiRegion;
use crate::blob::MATERIAL_ID_LEN;
use crate::import::{External, ImportedMaterial, TOKEN_ID_LEN, WrappingKey};
use crate::material::{KeyMaterial, Kind, MATERIAL_LEN, Material, hex, unhex};
use crate::state::{Alias, AutoRotation, Deletion, Identity, Key, Keyring, Touched};

/// One change, as written to the journal.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Record {
    /// A key, whole, as it is after the change.
    KeyPut(Box<StoredKey>),
    /// A key was deleted, with its aliases.
    KeyDelete {
        /// The key ID.
        key_id: String,
    },
    /// An alias as it is after the change.
    AliasPut {
        /// The alias name.
        alias_name: String,
        /// The key it names.
        target_key_id: String,
        /// When it was created.
        created: Stamp,
        /// When it was last changed.
        updated: Stamp,
    },
    /// An alias was deleted.
    AliasDelete {
        /// The alias name.
        alias_name: String,
    },
}

/// A time as seconds and nanoseconds since the Unix epoch.
pub(crate) type Stamp = (u64, u32);

/// A key as stored: its material sealed under the root key. A symmetric key's AES materials
/// are `materials`; an HMAC or asymmetric key (which the key spec tells) has none, and its one
/// secret, the HMAC key's bytes or PKCS#8 DER, is `secret`. (Stores written before HMAC and
/// asymmetric keys existed have no `secret`, and read as they always did.)
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredKey {
    key_id: String,
    created: Stamp,
    description: String,
    key_spec: String,
    key_usage: String,
    origin: String,
    key_state: String,
    deletion: Option<(Stamp, u32)>,
    rotation: Option<(u32, Stamp)>,
    materials: Vec<StoredMaterial>,
    /// The secret of an HMAC or asymmetric key sealed under the root key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    tags: BTreeMap<String, String>,
    /// What a key of origin `EXTERNAL` keeps of its imports. (Stores written before imports
    /// existed have none, and read as they always did.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external: Option<StoredExternal>,
    /// What a multi-Region key knows of its set; none for a single-Region key (and in
    /// stores written before multi-Region keys existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    multi_region: Option<StoredMultiRegion>,
}

/// The imports of a key of origin `EXTERNAL`, as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredExternal {
    materials: Vec<StoredImported>,
    wrapping_keys: Vec<StoredWrappingKey>,
    pending_rotation: Option<StoredMaterial>,
}

/// One imported material, as stored: never the material itself (that is in `materials` or
/// `secret` of the key while it is present).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredImported {
    /// The material ID, hex.
    id: String,
    valid_to: Option<Stamp>,
    description: Option<String>,
    present: bool,
}

/// A wrapping key of `GetParametersForImport`, its private key sealed under the root key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredWrappingKey {
    /// The ID its import token carries, hex.
    token_id: String,
    algorithm: String,
    /// The PKCS#8 DER private key sealed under the root key, hex.
    sealed: String,
    expires: Stamp,
}

/// One key material as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredMaterial {
    /// The material ID, hex.
    id: String,
    /// The material sealed under the root key, hex.
    sealed: String,
    created: Stamp,
    rotation: Option<String>,
}

/// Why a record cannot be applied; the journal names the file.
pub(crate) type Invalid = String;

impl Record {
    /// The record of what `change` names, as it is in `keyring`.
    pub(crate) fn of(keyring: &Keyring, change: &Touched, root: &RootKey) -> Result<Self> {
        match change {
            Touched::Key(id) => Self::of_key(keyring, id, root),
            Touched::Alias(name) => Self::of_alias(keyring, name),
        }
    }

    /// The record of the key `id` as it is in `keyring` (a deletion if it is gone).
    fn of_key(keyring: &Keyring, id: &str, root: &RootKey) -> Result<Self> {
        Ok(match keyring.keys.get(id) {
            Some(key) => Self::KeyPut(Box::new(StoredKey::of(key, root)?)),
            None => Self::KeyDelete {
                key_id: id.to_owned(),
            },
        })
    }

    /// The record of the alias `name` as it is in `keyring`.
    fn of_alias(keyring: &Keyring, name: &str) -> Result<Self> {
        Ok(match keyring.aliases.get(name) {
            Some(alias) => Self::AliasPut {
                alias_name: name.to_owned(),
                target_key_id: alias.target.clone(),
                created: stamp(alias.created)?,
                updated: stamp(alias.updated)?,
            },
            None => Self::AliasDelete {
                alias_name: name.to_owned(),
            },
        })
    }

    /// Applies the record to `keyring`.
    pub(crate) fn apply(
        self,
        keyring: &mut Keyring,
        identity: &Identity,
        root: &RootKey,
    ) -> Result<(), Invalid> {
        match self {
            Self::KeyPut(stored) => keyring.insert_key(stored.into_key(identity, root)?),
            Self::KeyDelete { key_id } => keyring.remove_key(&key_id),
            Self::AliasPut {
                alias_name,
                target_key_id,
                created,
                updated,
            } => keyring.put_alias(
                alias_name,
                Alias {
                    target: target_key_id,
                    created: time(created)?,
                    updated: time(updated)?,
                },
            ),
            Self::AliasDelete { alias_name } => {
                keyring.remove_alias(&alias_name);
            }
        }
        Ok(())
    }
}

impl StoredKey {
    fn of(key: &Key, root: &RootKey) -> Result<Self> {
        let secret = match key.material.secret() {
            Some(secret) => {
                let aad = secret_aad(&key.id, &key.spec);
                Some(hex(&root.seal(secret.expose_secret(), &aad)?))
            }
            None => None,
        };
        let materials = key
            .material
            .versions()
            .iter()
            .map(|material| StoredMaterial::of(&key.id, material, root))
            .collect::<Result<_>>()?;
        let external = match &key.external {
            Some(external) => Some(StoredExternal::of(&key.id, external, root)?),
            None => None,
        };
        let multi_region = match &key.multi_region {
            Some(set) => Some(StoredMultiRegion::of(&key.id, set, root)?),
            None => None,
        };
        Ok(Self {
            key_id: key.id.clone(),
            created: stamp(key.created)?,
            description: key.description.clone(),
            key_spec: key.spec.as_str().to_owned(),
            key_usage: key.usage.as_str().to_owned(),
            origin: key.origin.as_str().to_owned(),
            key_state: key.state.as_str().to_owned(),
            deletion: match key.deletion {
                Some(deletion) => Some((stamp(deletion.date)?, deletion.window_days)),
                None => None,
            },
            rotation: match key.rotation {
                Some(rotation) => Some((rotation.period_days, stamp(rotation.next)?)),
                None => None,
            },
            materials,
            secret,
            tags: key.tags.clone(),
            external,
            multi_region,
        })
    }

    fn into_key(self, identity: &Identity, root: &RootKey) -> Result<Key, Invalid> {
        let id = self.key_id;
        let raw_id = match (&self.multi_region, crate::multi_region::raw_key_id(&id)) {
            (Some(_), Some(raw)) => raw,
            (Some(_), None) => return Err(format!("key ID '{id}' is not a multi-Region key ID")),
            (None, _) => *uuid::Uuid::parse_str(&id)
                .map_err(|_| format!("key ID '{id}' is not a UUID"))?
                .as_bytes(),
        };
        let multi_region = match self.multi_region {
            Some(stored) => Some(Box::new(stored.into_multi_region(&id, root)?)),
            None => None,
        };
        let spec = parse::<KeySpec>(&self.key_spec)?;
        let external = match self.external {
            Some(stored) => Some(Box::new(stored.into_external(&id, root)?)),
            None => None,
        };
        let material = match (Kind::of(&spec), self.secret) {
            // A key of imported material, without material now.
            (Kind::Symmetric, None) if external.is_some() && self.materials.is_empty() => {
                KeyMaterial::Symmetric(Vec::new())
            }
            (Kind::Hmac | Kind::Asymmetric, None)
                if external.is_some() && self.materials.is_empty() =>
            {
                KeyMaterial::Absent
            }
            (Kind::Symmetric, None) => {
                let materials = self
                    .materials
                    .into_iter()
                    .map(|stored| stored.into_material(&id, root))
                    .collect::<Result<Vec<_>, Invalid>>()?;
                if materials.is_empty() {
                    return Err(format!("key '{id}' has no key material"));
                }
                KeyMaterial::Symmetric(materials)
            }
            (Kind::Hmac | Kind::Asymmetric, Some(sealed)) if self.materials.is_empty() => {
                open_secret(&id, &spec, &sealed, root)?
            }
            _ => {
                return Err(format!(
                    "key '{id}': its key material does not fit its key spec {spec}"
                ));
            }
        };
        Ok(Key {
            arn: identity.key_arn(&id),
            uuid: raw_id,
            created: time(self.created)?,
            description: self.description,
            spec,
            usage: parse::<KeyUsage>(&self.key_usage)?,
            origin: parse::<OriginType>(&self.origin)?,
            state: parse::<KeyState>(&self.key_state)?,
            deletion: match self.deletion {
                Some((date, window_days)) => Some(Deletion {
                    date: time(date)?,
                    window_days,
                }),
                None => None,
            },
            rotation: match self.rotation {
                Some((period_days, next)) => Some(AutoRotation {
                    period_days,
                    next: time(next)?,
                }),
                None => None,
            },
            material,
            tags: self.tags,
            external,
            multi_region,
            id,
        })
    }
}

impl StoredExternal {
    fn of(key_id: &str, external: &External, root: &RootKey) -> Result<Self> {
        let materials = external
            .materials
            .iter()
            .map(|imported| {
                Ok(StoredImported {
                    id: hex(&imported.id),
                    valid_to: imported.valid_to.map(stamp).transpose()?,
                    description: imported.description.clone(),
                    present: imported.present,
                })
            })
            .collect::<Result<_>>()?;
        let wrapping_keys = external
            .wrapping_keys
            .iter()
            .map(|wrapping| {
                let aad = wrapping_aad(key_id, &wrapping.token_id);
                Ok(StoredWrappingKey {
                    token_id: hex(&wrapping.token_id),
                    algorithm: wrapping.algorithm.as_str().to_owned(),
                    sealed: hex(&root.seal(wrapping.private_key.expose_secret(), &aad)?),
                    expires: stamp(wrapping.expires)?,
                })
            })
            .collect::<Result<_>>()?;
        let pending_rotation = match &external.pending_rotation {
            Some(material) => Some(StoredMaterial::of(key_id, material, root)?),
            None => None,
        };
        Ok(Self {
            materials,
            wrapping_keys,
            pending_rotation,
        })
    }

    fn into_external(self, key_id: &str, root: &RootKey) -> Result<External, Invalid> {
        let materials = self
            .materials
            .into_iter()
            .map(|stored| {
                Ok(ImportedMaterial {
                    id: material_id(key_id, &stored.id)?,
                    valid_to: stored.valid_to.map(time).transpose()?,
                    description: stored.description,
                    present: stored.present,
                })
            })
            .collect::<Result<_, Invalid>>()?;
        let wrapping_keys = self
            .wrapping_keys
            .into_iter()
            .map(|stored| {
                let token_id: [u8; TOKEN_ID_LEN] = unhex(&stored.token_id)
                    .and_then(|bytes| bytes.try_into().ok())
                    .ok_or_else(|| format!("key '{key_id}': a token ID is not valid"))?;
                let sealed = unhex(&stored.sealed)
                    .ok_or_else(|| format!("key '{key_id}': a sealed wrapping key is not hex"))?;
                let private_key = root
                    .open(&sealed, &wrapping_aad(key_id, &token_id))
                    .ok_or_else(|| {
                        format!(
                            "key '{key_id}': a wrapping key does not decrypt under this root \
                             key (a wrong root key, or a damaged store)"
                        )
                    })?;
                Ok(WrappingKey {
                    token_id,
                    algorithm: parse::<AlgorithmSpec>(&stored.algorithm)?,
                    private_key,
                    expires: time(stored.expires)?,
                })
            })
            .collect::<Result<_, Invalid>>()?;
        let pending_rotation = match self.pending_rotation {
            Some(stored) => Some(stored.into_material(key_id, root)?),
            None => None,
        };
        Ok(External {
            materials,
            wrapping_keys,
            pending_rotation,
        })
    }
}

impl StoredMaterial {
    fn of(key_id: &str, material: &Material, root: &RootKey) -> Result<Self> {
        let aad = material_aad(key_id, &material.id);
        Ok(Self {
            id: material.id_hex.clone(),
            sealed: hex(&root.seal(material.secret.expose_secret(), &aad)?),
            created: stamp(material.created)?,
            rotation: material
                .rotation
                .as_ref()
                .map(|kind| kind.as_str().to_owned()),
        })
    }

    fn into_material(self, key_id: &str, root: &RootKey) -> Result<Material, Invalid> {
        let id = material_id(key_id, &self.id)?;
        let sealed = unhex(&self.sealed)
            .ok_or_else(|| format!("key '{key_id}': sealed material is not hex"))?;
        let secret = root
            .open(&sealed, &material_aad(key_id, &id))
            .filter(|secret| secret.len() == MATERIAL_LEN)
            .ok_or_else(|| {
                format!(
                    "key '{key_id}': its material does not decrypt under this root key \
                     (a wrong root key, or a damaged store)"
                )
            })?;
        let rotation = match self.rotation {
            Some(kind) => Some(parse::<RotationType>(&kind)?),
            None => None,
        };
        Material::from_parts(id, secret, time(self.created)?, rotation)
            .map_err(|err| err.to_string())
    }
}

/// A material ID, from its 64 hex digits.
fn material_id(key_id: &str, text: &str) -> Result<[u8; MATERIAL_ID_LEN], Invalid> {
    unhex(text)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| format!("key '{key_id}': material ID '{text}' is not valid"))
}

/// Binds a sealed wrapping key to its key and token, so it cannot be moved to another.
fn wrapping_aad(key_id: &str, token_id: &[u8; TOKEN_ID_LEN]) -> Vec<u8> {
    let mut aad = b"kms-local wrapping key v1\0".to_vec();
    aad.extend_from_slice(key_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(token_id);
    aad
}

/// The material of the HMAC or asymmetric key `key_id` of `spec` from its sealed secret.
fn open_secret(
    key_id: &str,
    spec: &KeySpec,
    sealed: &str,
    root: &RootKey,
) -> Result<KeyMaterial, Invalid> {
    let sealed =
        unhex(sealed).ok_or_else(|| format!("key '{key_id}': sealed material is not hex"))?;
    let secret = root
        .open(&sealed, &secret_aad(key_id, spec))
        .ok_or_else(|| {
            format!(
                "key '{key_id}': its material does not decrypt under this root key \
                 (a wrong root key, or a damaged store)"
            )
        })?;
    KeyMaterial::from_stored_secret(spec, secret)
        .map_err(|err| format!("key '{key_id}': its {spec} material: {}", err.message()))
}

/// Binds the sealed secret of an HMAC or asymmetric key to its key ID and spec, so it cannot
/// be moved to another key or read as another kind.
fn secret_aad(key_id: &str, spec: &KeySpec) -> Vec<u8> {
    let mut aad = b"kms-local key secret v1\0".to_vec();
    aad.extend_from_slice(key_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(spec.as_str().as_bytes());
    aad
}

/// Binds sealed material to its key and material IDs, so it cannot be moved to another.
fn material_aad(key_id: &str, material_id: &[u8; MATERIAL_ID_LEN]) -> Vec<u8> {
    let mut aad = b"kms-local material v1\0".to_vec();
    aad.extend_from_slice(key_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(material_id);
    aad
}

/// A value the store wrote: always one this version knows.
pub(super) fn parse<T: kms_core::AwsEnum>(text: &str) -> Result<T, Invalid> {
    T::try_parse(text).map_err(|err| err.message().to_owned())
}

pub(super) fn stamp(time: SystemTime) -> Result<Stamp> {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| crate::random::internal("a time before 1970 cannot be stored"))?;
    Ok((since.as_secs(), since.subsec_nanos()))
}

pub(super) fn time((secs, nanos): Stamp) -> Result<SystemTime, Invalid> {
    Duration::from_secs(secs)
        .checked_add(Duration::from_nanos(u64::from(nanos)))
        .and_then(|since| SystemTime::UNIX_EPOCH.checked_add(since))
        .ok_or_else(|| format!("time ({secs}, {nanos}) is out of range"))
}
