//! Key material: what each kind of KMS key holds. A symmetric key holds one AES-256 key per
//! rotation, kept for decryption; an HMAC key its HMAC key; an asymmetric key its private key.

use std::fmt;
use std::sync::OnceLock;
use std::time::SystemTime;

use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
use kms_core::{Error, KeySpec, Result, RotationType, SecretBytes};

use crate::asymmetric::PrivateKey;
use crate::blob::MATERIAL_ID_LEN;
use crate::hmac::HmacKey;
use crate::random;

/// AWS's `InvalidKeyUsageException` for an algorithm outside the key spec's list, whatever
/// the kind of key.
pub(crate) fn incompatible(algorithm: &dyn fmt::Display, spec: &KeySpec) -> Error {
    Error::InvalidKeyUsage {
        message: format!("Algorithm {algorithm} is incompatible with key spec {spec}."),
    }
}

/// The kinds of key material, one per family of key specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `SYMMETRIC_DEFAULT`: AES-256-GCM materials, one per rotation.
    Symmetric,
    /// `HMAC_*`: the HMAC key's bytes.
    Hmac,
    /// RSA, ECC, Ed25519, ML-DSA and ML-KEM: the private key as PKCS#8 DER.
    Asymmetric,
}

impl Kind {
    /// The kind of material a key of `spec` holds.
    pub(crate) fn of(spec: &KeySpec) -> Self {
        match spec {
            KeySpec::SymmetricDefault => Self::Symmetric,
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512 => Self::Hmac,
            _ => Self::Asymmetric,
        }
    }

    /// The type of key it makes, as AWS's documentation names it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Symmetric => "symmetric encryption",
            Self::Hmac => "HMAC",
            Self::Asymmetric => "asymmetric",
        }
    }
}

/// The secret material of a KMS key, by kind.
#[derive(Debug)]
pub(crate) enum KeyMaterial {
    /// Every AES-256 material the key ever had, oldest first; never empty: the last one
    /// encrypts.
    Symmetric(Vec<Material>),
    /// The key of an HMAC key (boxed: its prepared HMAC states are large).
    Hmac(Box<HmacKey>),
    /// The private key of an asymmetric key (boxed: the parsed forms are large).
    Asymmetric(Box<StoredPrivateKey>),
    /// No material: an HMAC or asymmetric key of origin `EXTERNAL` before its import, or
    /// after its material was deleted or expired. (A symmetric key without material holds
    /// no AES materials instead.)
    Absent,
}

impl KeyMaterial {
    /// Fresh material for a key of `spec`, created at `created`. RSA-4096 takes about a
    /// second: call it outside the store's lock.
    pub(crate) fn generate(spec: &KeySpec, created: SystemTime) -> Result<Self> {
        Ok(match Kind::of(spec) {
            Kind::Symmetric => Self::Symmetric(vec![Material::generate(created, None)?]),
            Kind::Hmac => Self::Hmac(Box::new(HmacKey::generate(spec)?)),
            Kind::Asymmetric => Self::Asymmetric(Box::new(StoredPrivateKey::parsed(
                PrivateKey::generate(spec)?,
            ))),
        })
    }

    /// The material of an HMAC or asymmetric key of `spec` from its one secret (see
    /// [`KeyMaterial::secret`]): the HMAC key's bytes, or PKCS#8 DER.
    pub(crate) fn from_secret(spec: &KeySpec, secret: SecretBytes) -> Result<Self> {
        match Kind::of(spec) {
            Kind::Hmac => Ok(Self::Hmac(Box::new(HmacKey::from_bytes(spec, secret)?))),
            Kind::Asymmetric => Ok(Self::Asymmetric(Box::new(StoredPrivateKey::parsed(
                PrivateKey::from_pkcs8(spec, secret)?,
            )))),
            Kind::Symmetric => Err(random::internal(
                "a symmetric key holds AES materials, not one secret",
            )),
        }
    }

    /// [`KeyMaterial::from_secret`] for a secret this backend wrote and authenticated (a
    /// durable store's record): an asymmetric key is parsed on its first use rather than now,
    /// so that opening a store with many asymmetric keys costs no parsing (an RSA-4096 key
    /// takes milliseconds to parse and check).
    pub(crate) fn from_stored_secret(spec: &KeySpec, secret: SecretBytes) -> Result<Self> {
        match Kind::of(spec) {
            Kind::Asymmetric => Ok(Self::Asymmetric(Box::new(StoredPrivateKey {
                spec: spec.clone(),
                pkcs8: secret,
                parsed: OnceLock::new(),
            }))),
            Kind::Hmac | Kind::Symmetric => Self::from_secret(spec, secret),
        }
    }

    /// The AES materials of a symmetric key, oldest first; none for other keys.
    pub(crate) fn versions(&self) -> &[Material] {
        match self {
            Self::Symmetric(versions) => versions,
            Self::Hmac(_) | Self::Asymmetric(_) | Self::Absent => &[],
        }
    }

    /// The AES materials of a symmetric key, to add a rotation's.
    pub(crate) fn versions_mut(&mut self) -> Option<&mut Vec<Material>> {
        match self {
            Self::Symmetric(versions) => Some(versions),
            Self::Hmac(_) | Self::Asymmetric(_) | Self::Absent => None,
        }
    }

    /// The one secret of an HMAC key (its bytes) or an asymmetric key (PKCS#8 DER), to store,
    /// seed or export; none for a symmetric key.
    pub(crate) fn secret(&self) -> Option<&SecretBytes> {
        match self {
            Self::Symmetric(_) | Self::Absent => None,
            Self::Hmac(key) => Some(key.secret()),
            Self::Asymmetric(key) => Some(&key.pkcs8),
        }
    }

    /// The HMAC key, if it is one.
    pub(crate) fn hmac(&self) -> Option<&HmacKey> {
        match self {
            Self::Hmac(key) => Some(key),
            Self::Symmetric(_) | Self::Asymmetric(_) | Self::Absent => None,
        }
    }

    /// Whether it is the private key of an asymmetric key.
    pub(crate) fn is_asymmetric(&self) -> bool {
        matches!(self, Self::Asymmetric(_))
    }

    /// The private key, if it is an asymmetric key, parsed on the first call.
    ///
    /// # Errors
    ///
    /// `KMSInternalException` when stored material does not parse (it was authenticated when
    /// read, so only a defect of this backend makes it so).
    pub(crate) fn private_key(&self) -> Result<Option<&PrivateKey>> {
        match self {
            Self::Asymmetric(key) => key.get().map(Some),
            Self::Symmetric(_) | Self::Hmac(_) | Self::Absent => Ok(None),
        }
    }

    /// The key spec of an HMAC or asymmetric key's material; none for AES materials, which
    /// serve `SYMMETRIC_DEFAULT` only.
    fn spec(&self) -> Option<&KeySpec> {
        match self {
            Self::Symmetric(_) | Self::Absent => None,
            Self::Hmac(key) => Some(key.spec()),
            Self::Asymmetric(key) => Some(&key.spec),
        }
    }

    /// The same material, for the related key of a multi-Region key in another Region's
    /// store (see [`crate::multi_region`]).
    pub(crate) fn duplicate(&self) -> Result<Self> {
        Ok(match self {
            Self::Symmetric(versions) => Self::Symmetric(
                versions
                    .iter()
                    .map(Material::duplicate)
                    .collect::<Result<_>>()?,
            ),
            Self::Hmac(_) | Self::Asymmetric(_) => match (self.spec(), self.secret()) {
                (Some(spec), Some(secret)) => Self::from_stored_secret(
                    &spec.clone(),
                    SecretBytes::from(secret.expose_secret()),
                )?,
                _ => return Err(random::internal("key material without its secret")),
            },
            Self::Absent => Self::Absent,
        })
    }

    /// Whether `other` is the same material: the same AES materials (by ID, `other` may have
    /// rotated further), or the same secret for the same spec (compared in constant time).
    pub(crate) fn is_same_as(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Symmetric(mine), Self::Symmetric(theirs)) => {
                theirs.len() >= mine.len() && mine.iter().zip(theirs).all(|(a, b)| a.id == b.id)
            }
            _ => match (self.secret(), other.secret()) {
                (Some(mine), Some(theirs)) => self.spec() == other.spec() && mine.ct_eq(theirs),
                _ => false,
            },
        }
    }
}

/// A private key kept as PKCS#8 DER and parsed once, on its first use (or at once, when it
/// was just generated or checked).
pub(crate) struct StoredPrivateKey {
    spec: KeySpec,
    pkcs8: SecretBytes,
    parsed: OnceLock<PrivateKey>,
}

impl StoredPrivateKey {
    /// A key already parsed.
    fn parsed(key: PrivateKey) -> Self {
        Self {
            spec: key.spec().clone(),
            pkcs8: SecretBytes::from(key.pkcs8().expose_secret()),
            parsed: OnceLock::from(key),
        }
    }

    /// The parsed key; parsed now if this is its first use. Two threads using a key for the
    /// first time at once may both parse it; one result is kept.
    fn get(&self) -> Result<&PrivateKey> {
        if let Some(key) = self.parsed.get() {
            return Ok(key);
        }
        let key = PrivateKey::from_pkcs8(&self.spec, SecretBytes::from(self.pkcs8.expose_secret()))
            .map_err(|err| {
                random::internal(&format!(
                    "stored {} material does not parse: {}",
                    self.spec,
                    err.message()
                ))
            })?;
        Ok(self.parsed.get_or_init(|| key))
    }
}

impl fmt::Debug for StoredPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredPrivateKey")
            .field("spec", &self.spec)
            .field("parsed", &self.parsed.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The length of key material: AES-256.
pub(crate) const MATERIAL_LEN: usize = 32;

/// One AES-256-GCM key of a KMS key, with its ID and how it came to be.
pub(crate) struct Material {
    /// The raw ID, as it appears in blobs.
    pub(crate) id: [u8; MATERIAL_ID_LEN],
    /// The ID as the API shows it: 64 lowercase hex digits.
    pub(crate) id_hex: String,
    /// The expanded AES key, ready to seal and open.
    pub(crate) aead: LessSafeKey,
    /// The raw key, kept only to be written (encrypted) to a durable store.
    pub(crate) secret: SecretBytes,
    /// When it was created.
    pub(crate) created: SystemTime,
    /// The rotation that created it; `None` for the key's original material.
    pub(crate) rotation: Option<RotationType>,
}

impl Material {
    /// Fresh random material.
    pub(crate) fn generate(created: SystemTime, rotation: Option<RotationType>) -> Result<Self> {
        let mut id = [0u8; MATERIAL_ID_LEN];
        random::fill(&mut id)?;
        let secret = SecretBytes::try_init_with(MATERIAL_LEN, random::fill)?;
        Self::from_parts(id, secret, created, rotation)
    }

    /// The same material (ID, secret, date and rotation), for the related key of a
    /// multi-Region key in another Region's store.
    pub(crate) fn duplicate(&self) -> Result<Self> {
        Self::from_parts(
            self.id,
            SecretBytes::from(self.secret.expose_secret()),
            self.created,
            self.rotation.clone(),
        )
    }

    /// Material from its stored parts; `secret` must be 32 bytes.
    pub(crate) fn from_parts(
        id: [u8; MATERIAL_ID_LEN],
        secret: SecretBytes,
        created: SystemTime,
        rotation: Option<RotationType>,
    ) -> Result<Self> {
        let unbound = UnboundKey::new(&AES_256_GCM, secret.expose_secret())
            .map_err(|_| random::internal("AES-256 key setup failed"))?;
        Ok(Self {
            id,
            id_hex: hex(&id),
            aead: LessSafeKey::new(unbound),
            secret,
            created,
            rotation,
        })
    }
}

impl fmt::Debug for Material {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Material")
            .field("id", &self.id_hex)
            .field("created", &self.created)
            .field("rotation", &self.rotation)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// The bytes of lowercase or uppercase hex `text`; `None` if it is not hex.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_private_keys_are_parsed_on_first_use() -> Result<()> {
        let spec = KeySpec::EccNistP256;
        let generated = PrivateKey::generate(&spec)?;
        let pkcs8 = SecretBytes::from(generated.pkcs8().expose_secret());
        let stored = KeyMaterial::from_stored_secret(&spec, pkcs8)?;
        let KeyMaterial::Asymmetric(key) = &stored else {
            return Err(random::internal("not asymmetric"));
        };
        assert!(key.parsed.get().is_none(), "parsed before its first use");
        let parsed = stored
            .private_key()?
            .map(PrivateKey::public_key)
            .transpose()?;
        assert_eq!(parsed, Some(generated.public_key()?));
        assert!(key.parsed.get().is_some());

        // Damaged stored material is an internal error at first use; a seed's is refused at
        // once.
        let damaged = KeyMaterial::from_stored_secret(&spec, SecretBytes::from(&b"not DER"[..]))?;
        let err = damaged.private_key().map(|_| ()).unwrap_err();
        assert_eq!(err.code(), "KMSInternalException");
        assert!(KeyMaterial::from_secret(&spec, SecretBytes::from(&b"not DER"[..])).is_err());
        Ok(())
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00abff"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn generated_material_has_a_64_hex_id_and_no_secret_in_debug() -> Result<()> {
        let material = Material::generate(SystemTime::now(), None)?;
        assert_eq!(material.id_hex.len(), 64);
        assert!(format!("{material:?}").contains(&material.id_hex));
        Ok(())
    }
}
