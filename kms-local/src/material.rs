//! Key material: one AES-256 key per rotation of a KMS key, kept for decryption.

use std::fmt;
use std::time::SystemTime;

use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
use kms_core::{Result, RotationType, SecretBytes};

use crate::blob::MATERIAL_ID_LEN;
use crate::random;

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
