//! Imported key material (origin `EXTERNAL`): what a key remembers of its imports, the
//! wrapping keys `GetParametersForImport` issued for it, its import tokens, and the checks
//! imported material must pass.

pub(crate) mod wrapping;

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_lc_rs::hmac;
use kms_core::{AlgorithmSpec, Error, KeySpec, Result, SecretBytes};

use crate::blob::MATERIAL_ID_LEN;
use crate::material::{KeyMaterial, Kind, MATERIAL_LEN, Material};

/// How long an import token and its wrapping key stay valid: 24 hours.
pub(crate) const PARAMETERS_VALIDITY: Duration = Duration::from_secs(24 * 60 * 60);

/// How far ahead `ValidTo` may be: 365 days.
pub(crate) const MAX_VALID_TO: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The most wrapping keys a key keeps at once: a further `GetParametersForImport` drops the
/// oldest, whose token then is `InvalidImportTokenException`.
pub(crate) const MAX_WRAPPING_KEYS: usize = 10;

/// The length of an import token's ID.
pub(crate) const TOKEN_ID_LEN: usize = 16;

/// What an import token starts with, and its version.
const TOKEN_MAGIC: &[u8; 5] = b"KLIT\x01";

/// The length of an import token: magic, key UUID, token ID, expiry (seconds, big-endian).
const TOKEN_LEN: usize = TOKEN_MAGIC.len() + 16 + TOKEN_ID_LEN + 8;

/// What a key of origin `EXTERNAL` keeps beside its material.
#[derive(Debug, Default)]
pub(crate) struct External {
    /// Every material ever imported, oldest first, whether or not it is present now.
    pub(crate) materials: Vec<ImportedMaterial>,
    /// The wrapping keys issued by `GetParametersForImport`, oldest first.
    pub(crate) wrapping_keys: Vec<WrappingKey>,
    /// New symmetric material imported for the next on-demand rotation.
    pub(crate) pending_rotation: Option<Material>,
}

/// One material imported into a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportedMaterial {
    /// Its ID: for symmetric material, the ID its ciphertexts carry.
    pub(crate) id: [u8; MATERIAL_ID_LEN],
    /// When it expires, with `KEY_MATERIAL_EXPIRES`.
    pub(crate) valid_to: Option<SystemTime>,
    /// Its description (symmetric keys).
    pub(crate) description: Option<String>,
    /// Whether it is present: imported and neither deleted nor expired.
    pub(crate) present: bool,
}

/// A wrapping key issued by `GetParametersForImport`.
pub(crate) struct WrappingKey {
    /// The ID its import token carries.
    pub(crate) token_id: [u8; TOKEN_ID_LEN],
    /// The wrapping algorithm it was issued for.
    pub(crate) algorithm: AlgorithmSpec,
    /// The RSA private key, PKCS#8 DER.
    pub(crate) private_key: SecretBytes,
    /// When it and its token expire.
    pub(crate) expires: SystemTime,
}

impl fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappingKey")
            .field("algorithm", &self.algorithm)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl External {
    /// The imported material with `id`.
    pub(crate) fn material(&self, id: &[u8; MATERIAL_ID_LEN]) -> Option<&ImportedMaterial> {
        self.materials.iter().find(|material| &material.id == id)
    }

    /// The imported material with `id`, to change it.
    pub(crate) fn material_mut(
        &mut self,
        id: &[u8; MATERIAL_ID_LEN],
    ) -> Option<&mut ImportedMaterial> {
        self.materials
            .iter_mut()
            .find(|material| &material.id == id)
    }

    /// The ID of the key's current material: the last imported that is not waiting for a
    /// rotation, present or not.
    pub(crate) fn current_id(&self) -> Option<[u8; MATERIAL_ID_LEN]> {
        let pending = self.pending_rotation.as_ref().map(|material| material.id);
        self.materials
            .iter()
            .rev()
            .map(|material| material.id)
            .find(|id| Some(*id) != pending)
    }

    /// The earliest expiry of a present material.
    pub(crate) fn next_expiry(&self) -> Option<SystemTime> {
        self.materials
            .iter()
            .filter(|material| material.present)
            .filter_map(|material| material.valid_to)
            .min()
    }

    /// Adds a wrapping key, dropping expired ones and, past [`MAX_WRAPPING_KEYS`], the oldest.
    pub(crate) fn add_wrapping_key(&mut self, key: WrappingKey, now: SystemTime) {
        self.wrapping_keys.retain(|kept| kept.expires > now);
        self.wrapping_keys.push(key);
        let excess = self.wrapping_keys.len().saturating_sub(MAX_WRAPPING_KEYS);
        self.wrapping_keys.drain(..excess);
    }

    /// The wrapping key of `token`, a token of the key `uuid` (`arn` names it in errors).
    /// AWS's `InvalidImportTokenException` for a token of another key or no token at all,
    /// `ExpiredImportTokenException` for an expired one.
    pub(crate) fn wrapping_key_for(
        &self,
        token: &[u8],
        uuid: &[u8; 16],
        arn: &str,
        now: SystemTime,
    ) -> Result<&WrappingKey> {
        let (token_uuid, token_id, expires) =
            parse_token(token).ok_or_else(|| invalid_token(arn))?;
        if &token_uuid != uuid {
            return Err(invalid_token(arn));
        }
        let found = self
            .wrapping_keys
            .iter()
            .find(|key| key.token_id == token_id);
        match found {
            Some(key) if key.expires > now => Ok(key),
            Some(_) => Err(expired_token()),
            None if expires <= now => Err(expired_token()),
            None => Err(invalid_token(arn)),
        }
    }
}

/// `InvalidImportTokenException`. Our wording (unverified): no reference records AWS's.
fn invalid_token(arn: &str) -> Error {
    Error::InvalidImportToken {
        message: format!("The import token is not valid for {arn}."),
    }
}

/// `ExpiredImportTokenException`. Our wording (unverified): no reference records AWS's.
fn expired_token() -> Error {
    Error::ExpiredImportToken {
        message: "The import token has expired. Call GetParametersForImport for a new one."
            .to_owned(),
    }
}

/// The import token of the wrapping key `token_id` of the key `uuid`, expiring at `expires`.
pub(crate) fn token(
    uuid: &[u8; 16],
    token_id: &[u8; TOKEN_ID_LEN],
    expires: SystemTime,
) -> Vec<u8> {
    let seconds = expires
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut token = Vec::with_capacity(TOKEN_LEN);
    token.extend_from_slice(TOKEN_MAGIC);
    token.extend_from_slice(uuid);
    token.extend_from_slice(token_id);
    token.extend_from_slice(&seconds.to_be_bytes());
    token
}

/// The key UUID, token ID and expiry of a token; `None` if it is not one.
fn parse_token(token: &[u8]) -> Option<([u8; 16], [u8; TOKEN_ID_LEN], SystemTime)> {
    let rest = token.strip_prefix(TOKEN_MAGIC.as_slice())?;
    if token.len() != TOKEN_LEN {
        return None;
    }
    let (uuid, rest) = rest.split_at(16);
    let (token_id, seconds) = rest.split_at(TOKEN_ID_LEN);
    let seconds = u64::from_be_bytes(seconds.try_into().ok()?);
    Some((
        uuid.try_into().ok()?,
        token_id.try_into().ok()?,
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))?,
    ))
}

/// The ID of imported material of the key `key_id`: it depends on the key ID and the
/// material only, as AWS's does, so the same material imported into a key of the same ID
/// elsewhere (or seeded with that ID) has the same ID. The seeded material's ID for
/// symmetric and HMAC material; for an asymmetric key, an HMAC-SHA256 over its public key,
/// which identifies the private key whatever its PKCS#8 encoding.
pub(crate) fn material_id(key_id: &str, material: &KeyMaterial) -> Result<[u8; MATERIAL_ID_LEN]> {
    match material {
        KeyMaterial::Symmetric(versions) => match versions.as_slice() {
            [material] => Ok(crate::seed::material_id(key_id, &material.secret)),
            _ => Err(crate::random::internal("one imported material at a time")),
        },
        KeyMaterial::Hmac(key) => Ok(crate::seed::material_id(key_id, key.secret())),
        KeyMaterial::Asymmetric(_) => {
            let public = material
                .private_key()?
                .ok_or_else(|| crate::random::internal("an asymmetric key without its key"))?
                .public_key()?;
            let key = hmac::Key::new(hmac::HMAC_SHA256, b"kms-local imported public key v1");
            let mut context = hmac::Context::with_key(&key);
            context.update(key_id.as_bytes());
            context.update(&[0]);
            context.update(&public);
            let mut id = [0; MATERIAL_ID_LEN];
            id.copy_from_slice(context.sign().as_ref());
            Ok(id)
        }
        KeyMaterial::Absent => Err(crate::random::internal("no material to name")),
    }
}

/// What a key of origin `EXTERNAL` seeded with `material` remembers: each of its materials
/// imported, never expiring.
pub(crate) fn seeded(key_id: &str, material: &KeyMaterial) -> Result<External> {
    let ids = match material {
        KeyMaterial::Symmetric(versions) => versions.iter().map(|m| m.id).collect(),
        other => vec![material_id(key_id, other)?],
    };
    Ok(External {
        materials: ids
            .into_iter()
            .map(|id| ImportedMaterial {
                id,
                valid_to: None,
                description: None,
                present: true,
            })
            .collect(),
        ..External::default()
    })
}

/// The material of a key of `spec` from the unwrapped bytes of an import: 32 bytes for a
/// symmetric key, the HMAC spec's lengths for an HMAC key, PKCS#8 DER of a private key of
/// the spec for an asymmetric key. Anything else is `IncorrectKeyMaterialException`.
pub(crate) fn material_of(
    spec: &KeySpec,
    secret: SecretBytes,
    created: SystemTime,
) -> Result<KeyMaterial> {
    let incorrect = |err: Error| Error::IncorrectKeyMaterial {
        // Our wording (unverified), never the material: AWS's messages for material of the
        // wrong length or type are not recorded by a reference.
        message: err.message().to_owned(),
    };
    match Kind::of(spec) {
        Kind::Symmetric => {
            if secret.len() != MATERIAL_LEN {
                return Err(Error::IncorrectKeyMaterial {
                    // Our wording (unverified).
                    message: format!(
                        "The key material of a {spec} key must be {MATERIAL_LEN} bytes long, \
                         not {}.",
                        secret.len()
                    ),
                });
            }
            let mut id = [0; MATERIAL_ID_LEN];
            crate::random::fill(&mut id)?;
            Ok(KeyMaterial::Symmetric(vec![Material::from_parts(
                id, secret, created, None,
            )?]))
        }
        Kind::Hmac | Kind::Asymmetric => KeyMaterial::from_secret(spec, secret).map_err(incorrect),
    }
}

/// The key specs whose keys may be created with origin `EXTERNAL`: symmetric, HMAC, RSA and
/// ECC keys, as AWS's import guide lists them. Ed25519, ML-DSA and ML-KEM keys are not in
/// AWS's list of key types that take imported material (unverified: the guide may grow).
pub(crate) fn check_importable(spec: &KeySpec) -> Result<()> {
    let importable = matches!(
        spec,
        KeySpec::SymmetricDefault
            | KeySpec::Hmac224
            | KeySpec::Hmac256
            | KeySpec::Hmac384
            | KeySpec::Hmac512
            | KeySpec::Rsa2048
            | KeySpec::Rsa3072
            | KeySpec::Rsa4096
            | KeySpec::EccNistP256
            | KeySpec::EccNistP384
            | KeySpec::EccNistP521
            | KeySpec::EccSecgP256k1
    );
    if importable {
        return Ok(());
    }
    Err(Error::Unsupported {
        // Our wording (unverified).
        message: format!("KeySpec {spec} does not support Origin EXTERNAL"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn tokens_name_their_key_and_expire() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let uuid = [1; 16];
        let mut external = External::default();
        let key = |token_id, expires| WrappingKey {
            token_id,
            algorithm: AlgorithmSpec::RsaesOaepSha256,
            private_key: SecretBytes::from(&[0u8; 4]),
            expires,
        };
        external.add_wrapping_key(key([2; 16], now + PARAMETERS_VALIDITY), now);
        let good = token(&uuid, &[2; 16], now + PARAMETERS_VALIDITY);
        let arn = "arn:aws:kms:us-east-1:111122223333:key/x";
        assert!(external.wrapping_key_for(&good, &uuid, arn, now).is_ok());

        let code = |token: &[u8], uuid, at| {
            external
                .wrapping_key_for(token, uuid, arn, at)
                .unwrap_err()
                .code()
        };
        assert_eq!(code(&good, &[9; 16], now), "InvalidImportTokenException");
        assert_eq!(code(b"nonsense", &uuid, now), "InvalidImportTokenException");
        assert_eq!(
            code(&good[..TOKEN_LEN - 1], &uuid, now),
            "InvalidImportTokenException"
        );
        let later = now + PARAMETERS_VALIDITY;
        assert_eq!(code(&good, &uuid, later), "ExpiredImportTokenException");
        let forgotten = token(&uuid, &[3; 16], now - Duration::from_secs(1));
        assert_eq!(code(&forgotten, &uuid, now), "ExpiredImportTokenException");
        let unknown = token(&uuid, &[3; 16], later);
        assert_eq!(code(&unknown, &uuid, now), "InvalidImportTokenException");
    }

    #[test]
    fn only_the_newest_wrapping_keys_are_kept() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut external = External::default();
        for n in 0..=MAX_WRAPPING_KEYS {
            let token_id = [u8::try_from(n).unwrap(); 16];
            let key = WrappingKey {
                token_id,
                algorithm: AlgorithmSpec::RsaesOaepSha1,
                private_key: SecretBytes::from(&[0u8; 4]),
                expires: now + PARAMETERS_VALIDITY,
            };
            external.add_wrapping_key(key, now);
        }
        assert_eq!(external.wrapping_keys.len(), MAX_WRAPPING_KEYS);
        assert_eq!(external.wrapping_keys[0].token_id, [1; 16]);
        assert!(!format!("{:?}", external.wrapping_keys[0]).contains("private_key"));
    }

    #[test]
    fn material_ids_depend_on_the_key_id_and_the_material_only() {
        let now = SystemTime::now();
        let one = |secret: &[u8]| material_of(&KeySpec::SymmetricDefault, secret.into(), now);
        let a = material_id("key-a", &one(&[1; 32]).unwrap()).unwrap();
        assert_eq!(a, material_id("key-a", &one(&[1; 32]).unwrap()).unwrap());
        assert_ne!(a, material_id("key-b", &one(&[1; 32]).unwrap()).unwrap());
        assert_ne!(a, material_id("key-a", &one(&[2; 32]).unwrap()).unwrap());
        let err = one(&[1; 31]).unwrap_err();
        assert_eq!(err.code(), "IncorrectKeyMaterialException");
        let err = material_of(&KeySpec::Hmac256, SecretBytes::from(&[1u8; 31]), now).unwrap_err();
        assert_eq!(err.code(), "IncorrectKeyMaterialException");
        let err =
            material_of(&KeySpec::EccNistP256, SecretBytes::from(&[1u8; 32]), now).unwrap_err();
        assert_eq!(err.code(), "IncorrectKeyMaterialException");
    }
}
