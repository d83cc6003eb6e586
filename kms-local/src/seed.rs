//! Seed files: keys with fixed IDs and key material, so fixtures, stored ciphertexts and
//! signatures work on every machine and after every restart.
//!
//! ```toml
//! [[keys]]
//! key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
//! description = "orders fixture"
//! material = "base64 of 32 bytes"            # the key's first material
//! rotations = ["base64 of 32 bytes"]          # later materials, oldest first (optional)
//! state = "Enabled"                           # or "Disabled" (optional)
//! aliases = ["alias/orders"]                  # (optional)
//! tags = { team = "payments" }                # (optional)
//!
//! [[keys]]
//! key_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
//! key_spec = "ECC_NIST_P256"                  # SYMMETRIC_DEFAULT if absent
//! key_usage = "SIGN_VERIFY"                   # required for every spec but SYMMETRIC_DEFAULT
//! material = "base64 of the PKCS#8 DER private key"
//!
//! [[keys]]
//! key_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
//! key_spec = "HMAC_256"
//! key_usage = "GENERATE_VERIFY_MAC"
//! material = "base64 of the HMAC key's bytes"
//!
//! [[keys]]
//! key_id = "5b6c7d8e-9fa0-4b1c-8d2e-3f4a5b6c7d8e"
//! origin = "EXTERNAL"                         # imported material (AWS_KMS if absent)
//! material = "base64 of 32 bytes"
//! ```
//!
//! `material` is always base64 of the key's secret: 32 bytes of AES key for a symmetric key,
//! the HMAC key's bytes for an HMAC key, and for an asymmetric key its private key as PKCS#8
//! DER (RFC 5958; not PEM: the base64 of the DER, without the PEM armour; ML-DSA and ML-KEM
//! keys in seed form). Only symmetric keys rotate: `rotations` and `material_ids` are theirs.
//!
//! A material's ID is derived from the material and the key ID, so a ciphertext made with a
//! seeded key on one machine decrypts with the same seed on another.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::SystemTime;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_core::{
    Error, KeySpec, KeyState, KeyUsage, OriginType, Result, RotationType, SecretBytes, Tag,
    is_alias_name, is_key_id,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::blob::MATERIAL_ID_LEN;
use crate::limits;
use crate::material::{KeyMaterial, Kind, MATERIAL_LEN, Material, unhex};
use crate::ops::{check_offered_in_region, key_usage_for};
use crate::state::{Alias, Identity, Key, Keyring};

/// The contents of a seed file.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// The keys it declares.
    #[serde(default)]
    pub keys: Vec<SeedKey>,
}

/// One key of a seed file. Its material is secret: it is wiped on drop and never shown by
/// `Debug`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedKey {
    /// The key ID (a UUID).
    pub key_id: String,
    /// The description.
    #[serde(default)]
    pub description: String,
    /// `Enabled` (the default) or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The key spec, as AWS spells it; `SYMMETRIC_DEFAULT` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    /// The key usage, as AWS spells it: required, as by `CreateKey`, for every spec but
    /// `SYMMETRIC_DEFAULT` (whose default is `ENCRYPT_DECRYPT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    /// The key's secret, base64: the first AES material (32 bytes) of a symmetric key, the
    /// key of an HMAC key, the PKCS#8 DER private key of an asymmetric key.
    pub material: String,
    /// The materials of later rotations of a symmetric key, oldest first: base64 of 32 bytes
    /// each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotations: Vec<String>,
    /// The IDs (64 hex digits) of `material` then each of `rotations`, as an export writes
    /// them so that ciphertexts made before the export still decrypt. Without them, each ID is
    /// derived from its material.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub material_ids: Vec<String>,
    /// `EXTERNAL` for a key of imported key material (its `material` imported, never
    /// expiring, with the material ID `ImportKeyMaterial` gives it); `AWS_KMS` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Aliases of the key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Tags of the key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Drop for SeedKey {
    fn drop(&mut self) {
        self.material.zeroize();
        self.rotations.iter_mut().for_each(Zeroize::zeroize);
    }
}

impl fmt::Debug for SeedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedKey")
            .field("key_id", &self.key_id)
            .field("description", &self.description)
            .field("state", &self.state)
            .field("key_spec", &self.key_spec)
            .field("key_usage", &self.key_usage)
            .field("rotations", &self.rotations.len())
            .field("aliases", &self.aliases)
            .field("tags", &self.tags)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SeedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedFile")
            .field("keys", &self.keys)
            .finish()
    }
}

impl SeedFile {
    /// Reads a seed file.
    ///
    /// # Errors
    ///
    /// `Error::Config` naming the file and, for a file that is not a valid seed, the line and
    /// column of the error and what is wrong. The message never quotes the file: the line
    /// may hold key material.
    pub fn read(path: &Path) -> Result<Self> {
        let mut text = std::fs::read_to_string(path).map_err(|err| Error::Config {
            message: format!("seed file {}: {err}", path.display()),
        })?;
        let parsed = Self::from_toml(&text).map_err(|err| Error::Config {
            message: format!("seed file {}: {}", path.display(), err.message()),
        });
        text.zeroize();
        parsed
    }

    /// Reads a seed file's text.
    ///
    /// # Errors
    ///
    /// `Error::Config` with, for a text that is not a valid seed, the line and column of the
    /// error and what is wrong. The message never quotes the text: a line may hold key
    /// material.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|err| Error::Config {
            message: toml_error(text, &err),
        })
    }

    /// The seed file as TOML text.
    ///
    /// # Errors
    ///
    /// `KMSInternalException` if it cannot be written as TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|err| crate::random::internal(&format!("seed file: {err}")))
    }
}

/// A seeded key, checked and ready to add.
struct Seeded {
    key: Key,
    aliases: Vec<String>,
}

/// Adds the keys of `seed` to `keyring`. Keys it holds already are left as they are if their
/// material is the seed's; a key ID or alias that conflicts is an error, and then nothing is
/// added.
pub(crate) fn apply(
    seed: &SeedFile,
    keyring: &mut Keyring,
    identity: &Identity,
    now: SystemTime,
) -> Result<()> {
    let seeded = seed
        .keys
        .iter()
        .map(|key| build(key, identity, now))
        .collect::<Result<Vec<_>>>()?;
    for Seeded { key, aliases } in &seeded {
        if let Some(existing) = keyring.keys.get(&key.id) {
            let same = existing.spec == key.spec
                && existing.usage == key.usage
                && key.material.is_same_as(&existing.material);
            if !same {
                return Err(conflict(format!(
                    "key {} exists with other key material",
                    key.id
                )));
            }
        }
        for alias in aliases {
            if let Some(target) = keyring.aliases.get(alias).map(|a| &a.target)
                && *target != key.id
            {
                return Err(conflict(format!(
                    "alias {alias} names key {target}, not {}",
                    key.id
                )));
            }
        }
    }
    for Seeded { key, aliases } in seeded {
        for alias in aliases {
            if !keyring.aliases.contains_key(&alias) {
                let target = key.id.clone();
                keyring.put_alias(
                    alias,
                    Alias {
                        target,
                        created: now,
                        updated: now,
                    },
                );
            }
        }
        if !keyring.keys.contains_key(&key.id) {
            keyring.insert_key(key);
        }
    }
    Ok(())
}

/// The key a seed entry declares, checked.
fn build(seed: &SeedKey, identity: &Identity, now: SystemTime) -> Result<Seeded> {
    let id = seed.key_id.as_str();
    if !is_key_id(id) || id.starts_with("mrk-") {
        return Err(invalid(id, "key_id is not a key ID (a UUID)"));
    }
    let uuid = uuid::Uuid::parse_str(id).map_err(|_| invalid(id, "key_id is not a UUID"))?;
    let id = uuid.to_string();
    let state = match seed.state.as_deref() {
        None | Some("Enabled") => KeyState::Enabled,
        Some("Disabled") => KeyState::Disabled,
        Some(other) => {
            return Err(invalid(
                &id,
                &format!("state '{other}' is not Enabled or Disabled"),
            ));
        }
    };
    limits::check_description(&seed.description).map_err(|err| invalid(&id, err.message()))?;
    let mut tags = BTreeMap::new();
    let tag_list: Vec<Tag> = seed
        .tags
        .iter()
        .map(|(k, v)| Tag::new(k.clone(), v.clone()))
        .collect();
    limits::merge_tags(&mut tags, &tag_list).map_err(|err| invalid(&id, err.message()))?;
    for alias in &seed.aliases {
        if !is_alias_name(alias) || alias.starts_with("alias/aws/") {
            return Err(invalid(&id, &format!("'{alias}' is not an alias name")));
        }
    }
    let spec = match seed.key_spec.as_deref() {
        Some(text) => KeySpec::try_parse(text).map_err(|err| invalid(&id, err.message()))?,
        None => KeySpec::SymmetricDefault,
    };
    let usage = match seed.key_usage.as_deref() {
        Some(text) => Some(KeyUsage::try_parse(text).map_err(|err| invalid(&id, err.message()))?),
        None => None,
    };
    let usage = key_usage_for(&spec, usage)
        .and_then(|usage| check_offered_in_region(&spec, &identity.region).map(|()| usage))
        .map_err(|err| invalid(&id, err.message()))?;
    let origin = match seed.origin.as_deref() {
        None | Some("AWS_KMS") => OriginType::AwsKms,
        Some("EXTERNAL") => {
            crate::import::check_importable(&spec).map_err(|err| invalid(&id, err.message()))?;
            OriginType::External
        }
        Some(other) => {
            return Err(invalid(
                &id,
                &format!("origin '{other}' is not AWS_KMS or EXTERNAL"),
            ));
        }
    };
    let material = match Kind::of(&spec) {
        Kind::Symmetric => KeyMaterial::Symmetric(symmetric_materials(seed, &id, now)?),
        Kind::Hmac | Kind::Asymmetric => secret_material(seed, &id, &spec)?,
    };
    let external = match origin {
        OriginType::External => Some(Box::new(crate::import::seeded(&id, &material)?)),
        _ => None,
    };
    let key = Key {
        arn: identity.key_arn(&id),
        uuid: *uuid.as_bytes(),
        created: now,
        description: seed.description.clone(),
        spec,
        usage,
        origin,
        state,
        deletion: None,
        rotation: None,
        material,
        tags,
        external,
        multi_region: None,
        id,
    };
    Ok(Seeded {
        key,
        aliases: seed.aliases.clone(),
    })
}

/// The one secret of a seeded HMAC or asymmetric key of `spec`.
fn secret_material(seed: &SeedKey, id: &str, spec: &KeySpec) -> Result<KeyMaterial> {
    if !seed.rotations.is_empty() || !seed.material_ids.is_empty() {
        return Err(invalid(
            id,
            &format!(
                "only SYMMETRIC_DEFAULT keys rotate: a {spec} key takes no rotations or material_ids"
            ),
        ));
    }
    let secret = STANDARD
        .decode(seed.material.trim())
        .map(SecretBytes::from)
        .map_err(|_| invalid(id, "the material is not base64"))?;
    KeyMaterial::from_secret(spec, secret).map_err(|err| invalid(id, err.message()))
}

/// The AES materials of a seeded symmetric key, oldest first.
fn symmetric_materials(seed: &SeedKey, id: &str, now: SystemTime) -> Result<Vec<Material>> {
    let encoded: Vec<(&String, Option<RotationType>)> = std::iter::once((&seed.material, None))
        .chain(
            seed.rotations
                .iter()
                .map(|m| (m, Some(RotationType::OnDemand))),
        )
        .collect();
    if !seed.material_ids.is_empty() && seed.material_ids.len() != encoded.len() {
        return Err(invalid(
            id,
            "material_ids must name the material and every rotation",
        ));
    }
    encoded
        .into_iter()
        .enumerate()
        .map(|(index, (material_text, rotation))| {
            let explicit = seed.material_ids.get(index).map(String::as_str);
            material(id, material_text, explicit, rotation, now)
        })
        .collect()
}

/// Material from base64, with the ID given (hex) or derived from it.
fn material(
    key_id: &str,
    encoded: &str,
    explicit_id: Option<&str>,
    rotation: Option<RotationType>,
    now: SystemTime,
) -> Result<Material> {
    let secret = STANDARD
        .decode(encoded.trim())
        .ok()
        .map(SecretBytes::from)
        .filter(|secret| secret.len() == MATERIAL_LEN)
        .ok_or_else(|| invalid(key_id, "a material is not base64 of 32 bytes"))?;
    let id = match explicit_id {
        Some(text) => unhex(text)
            .and_then(|bytes| <[u8; MATERIAL_ID_LEN]>::try_from(bytes).ok())
            .ok_or_else(|| {
                invalid(
                    key_id,
                    &format!("material ID '{text}' is not 64 hex digits"),
                )
            })?,
        None => material_id(key_id, &secret),
    };
    Material::from_parts(id, secret, now, rotation)
}

/// The ID of seeded material: HMAC-SHA-256 under the material of a fixed label and the key
/// ID. It names the material without revealing anything about it.
pub(crate) fn material_id(key_id: &str, secret: &SecretBytes) -> [u8; MATERIAL_ID_LEN] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret());
    let mut context = hmac::Context::with_key(&key);
    context.update(b"kms-local seeded key material id v1\0");
    context.update(key_id.as_bytes());
    let mut id = [0u8; MATERIAL_ID_LEN];
    id.copy_from_slice(context.sign().as_ref());
    id
}

/// The seed entry of `key` and its aliases: its material in the clear.
pub(crate) fn export(key: &Key, aliases: Vec<String>) -> Result<SeedKey> {
    let state = match &key.state {
        KeyState::Enabled => None,
        KeyState::Disabled => Some("Disabled".to_owned()),
        other => {
            return Err(Error::InvalidState {
                message: format!(
                    "{} is {other}: only Enabled and Disabled keys export",
                    key.arn
                ),
            });
        }
    };
    let encode = |secret: &SecretBytes| STANDARD.encode(secret.expose_secret());
    let (material, rotations, material_ids) = match (key.material.secret(), key.material.versions())
    {
        (Some(secret), _) => (encode(secret), Vec::new(), Vec::new()),
        (None, [first, later @ ..]) => (
            encode(&first.secret),
            later.iter().map(|m| encode(&m.secret)).collect(),
            key.material
                .versions()
                .iter()
                .map(|m| m.id_hex.clone())
                .collect(),
        ),
        (None, []) => {
            return Err(crate::random::internal(
                "a symmetric key without AES material",
            ));
        }
    };
    Ok(SeedKey {
        key_id: key.id.clone(),
        description: key.description.clone(),
        state,
        key_spec: Some(key.spec.as_str().to_owned()),
        key_usage: Some(key.usage.as_str().to_owned()),
        material,
        rotations,
        material_ids,
        origin: (key.origin == OriginType::External).then(|| key.origin.as_str().to_owned()),
        aliases,
        tags: key.tags.clone(),
    })
}

/// Where and why `text` is not a valid seed file, without any of its text: `line L, column
/// C: MESSAGE`, the message on one line with every quoted value hidden.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let position = error.span().map(|span| {
        let before = text.get(..span.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        format!("line {line}, column {column}: ")
    });
    format!(
        "{}{}",
        position.unwrap_or_default(),
        hide_quoted_values(error.message())
    )
}

/// `message` on one line, each double-quoted value (serde quotes the strings it did not
/// expect) replaced by `"…"`. Text between backticks is the parser's (field names, expected
/// tokens) and is kept.
fn hide_quoted_values(message: &str) -> String {
    let mut shown = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                shown.push(c);
                for inner in chars.by_ref() {
                    shown.push(inner);
                    if inner == '`' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for inner in chars.by_ref() {
                    match inner {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                shown.push_str("\"…\"");
            }
            '\n' | '\r' => shown.push_str("; "),
            _ => shown.push(c),
        }
    }
    shown
}

fn invalid(key_id: &str, why: &str) -> Error {
    Error::Config {
        message: format!("seed key {key_id}: {why}"),
    }
}

fn conflict(why: String) -> Error {
    Error::Config {
        message: format!("the seed conflicts with the store: {why}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    /// A base64 text that looks like key material.
    const SECRET: &str = "c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5YWI=";

    /// The message of the error that parsing `text` as a seed file gives.
    fn error(text: &str) -> String {
        match toml::from_str::<SeedFile>(text) {
            Ok(_) => String::from("parsed"),
            Err(err) => toml_error(text, &err),
        }
    }

    #[test]
    fn a_syntax_error_names_line_and_column_but_no_text() {
        let text = format!(
            "[[keys]]\nkey_id = \"1234abcd-12ab-34cd-56ef-1234567890ab\"\nmaterial = \"{SECRET}\n"
        );
        let message = error(&text);
        assert!(message.starts_with("line 3, column "), "{message}");
        assert!(!message.contains(SECRET), "{message}");
        assert!(!message.contains("c2Vj"), "{message}");
        assert!(!message.contains('\n'), "{message}");

        let message = error(&format!("[[keys]]\nmaterial = {SECRET}\n"));
        assert!(message.starts_with("line 2, column "), "{message}");
        assert!(!message.contains("c2Vj"), "{message}");
    }

    #[test]
    fn a_type_error_hides_the_value() {
        let text = format!(
            "[[keys]]\nkey_id = \"1234abcd-12ab-34cd-56ef-1234567890ab\"\nmaterial = \"x\"\nrotations = \"{SECRET}\"\n"
        );
        let message = error(&text);
        assert!(message.starts_with("line 4, column 13: "), "{message}");
        assert!(message.contains("invalid type: string \"…\""), "{message}");
        assert!(!message.contains("c2Vj"), "{message}");
        let message = error("[[keys]]\nmaterial = \"x\"\nkey_id = \"k\"\ncolour = \"blue\"\n");
        assert!(message.contains("unknown field `colour`"), "{message}");
    }

    #[test]
    fn quoted_values_are_hidden_and_tokens_kept() {
        assert_eq!(
            hide_quoted_values("invalid value: string \"a\\\"b\", expected `\"`\nnext"),
            "invalid value: string \"…\", expected `\"`; next"
        );
    }
}
