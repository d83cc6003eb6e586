//! The local ciphertext blob: self-describing, versioned, authenticated.
//!
//! ```text
//! offset  length  field
//! 0       1       format version (1)
//! 1       16      key ID (raw UUID bytes)
//! 17      32      key material ID (raw; its hex form is the KeyMaterialId of the API)
//! 49      12      random nonce
//! 61      n       AES-256-GCM ciphertext of the n plaintext bytes
//! 61+n    16      GCM tag
//! ```
//!
//! The AAD is the 61 header bytes followed by the canonical bytes of the encryption context,
//! so neither the header nor the context can change without the tag failing. A blob names its
//! key and material, so `Decrypt` needs no key ID and rotation needs no trial decryption.

use std::cell::RefCell;

use aws_lc_rs::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};
use kms_core::{EncryptionContext, Error, Result, SecretBytes};
use zeroize::Zeroize;

/// The version byte of this layout.
const VERSION: u8 = 1;
/// The length of a key material ID.
pub(crate) const MATERIAL_ID_LEN: usize = 32;
/// The length of the header: version, key ID, material ID, nonce.
pub(crate) const HEADER_LEN: usize = 1 + 16 + MATERIAL_ID_LEN + NONCE_LEN;
/// The length of the GCM tag.
const TAG_LEN: usize = 16;

/// The parsed header of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The raw UUID of the key.
    pub(crate) key_id: [u8; 16],
    /// The raw ID of the key material.
    pub(crate) material_id: [u8; MATERIAL_ID_LEN],
    nonce: [u8; NONCE_LEN],
}

impl Header {
    /// A header with a fresh random nonce.
    pub(crate) fn new(key_id: [u8; 16], material_id: [u8; MATERIAL_ID_LEN]) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::random::fill(&mut nonce)?;
        Ok(Self {
            key_id,
            material_id,
            nonce,
        })
    }

    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        bytes[0] = VERSION;
        bytes[1..17].copy_from_slice(&self.key_id);
        bytes[17..49].copy_from_slice(&self.material_id);
        bytes[49..].copy_from_slice(&self.nonce);
        bytes
    }

    /// Reads the header of `blob`; `InvalidCiphertext` if it cannot be a blob of this format.
    pub(crate) fn parse(blob: &[u8]) -> Result<Self> {
        if blob.len() < HEADER_LEN + TAG_LEN || blob[0] != VERSION {
            return Err(Error::InvalidCiphertext);
        }
        let mut header = Self {
            key_id: [0; 16],
            material_id: [0; MATERIAL_ID_LEN],
            nonce: [0; NONCE_LEN],
        };
        header.key_id.copy_from_slice(&blob[1..17]);
        header.material_id.copy_from_slice(&blob[17..49]);
        header.nonce.copy_from_slice(&blob[49..HEADER_LEN]);
        Ok(header)
    }
}

thread_local! {
    /// A reusable buffer for the AAD, which is not secret: no allocation per operation.
    static AAD: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `use_aad` with the AAD of a blob: its header, then the canonical encryption context.
fn with_aad<T>(
    header: &[u8],
    context: &EncryptionContext,
    use_aad: impl FnOnce(Aad<&[u8]>) -> Result<T>,
) -> Result<T> {
    AAD.with_borrow_mut(|aad| {
        aad.clear();
        aad.extend_from_slice(header);
        context.write_canonical(aad)?;
        use_aad(Aad::from(&aad[..]))
    })
}

/// Encrypts `plaintext` into a blob with `header`, binding `context`.
pub(crate) fn seal(
    key: &LessSafeKey,
    header: Header,
    context: &EncryptionContext,
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let header_bytes = header.to_bytes();
    let mut blob = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    blob.extend_from_slice(&header_bytes);
    blob.extend_from_slice(plaintext);
    let nonce = Nonce::assume_unique_for_key(header.nonce);
    let sealed = with_aad(&header_bytes, context, |aad| {
        key.seal_in_place_separate_tag(nonce, aad, &mut blob[HEADER_LEN..])
            .map_err(|_| crate::random::internal("AES-GCM seal failed"))
    });
    match sealed {
        Ok(tag) => {
            blob.extend_from_slice(tag.as_ref());
            Ok(blob)
        }
        Err(err) => {
            blob.zeroize();
            Err(err)
        }
    }
}

/// Decrypts a blob whose `header` was parsed from it, checking `context`. The plaintext is
/// written straight into its secret buffer.
pub(crate) fn open(
    key: &LessSafeKey,
    header: Header,
    blob: &[u8],
    context: &EncryptionContext,
) -> Result<SecretBytes> {
    let (ciphertext, tag) = blob[HEADER_LEN..].split_at(blob.len() - HEADER_LEN - TAG_LEN);
    with_aad(&blob[..HEADER_LEN], context, |aad| {
        SecretBytes::try_init_with(ciphertext.len(), |plaintext| {
            let nonce = Nonce::assume_unique_for_key(header.nonce);
            key.open_separate_gather(nonce, aad, ciphertext, tag, plaintext)
                .map_err(|_| Error::InvalidCiphertext)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::aead::{AES_256_GCM, UnboundKey};

    fn key() -> LessSafeKey {
        let unbound = UnboundKey::new(&AES_256_GCM, &[7u8; 32]);
        LessSafeKey::new(unbound.unwrap_or_else(|_| unreachable!("a 32-byte AES key")))
    }

    #[test]
    fn layout_is_header_ciphertext_tag() -> Result<()> {
        let header = Header::new([1; 16], [2; 32])?;
        let empty = EncryptionContext::new();
        let blob = seal(&key(), header, &empty, b"hello")?;
        assert_eq!(blob.len(), HEADER_LEN + 5 + TAG_LEN);
        assert_eq!(
            (blob[0], &blob[1..17], &blob[17..49]),
            (1, &[1u8; 16][..], &[2u8; 32][..])
        );
        assert_eq!(Header::parse(&blob)?, header);
        let plaintext = open(&key(), header, &blob, &empty)?;
        assert_eq!(plaintext.expose_secret(), b"hello");
        Ok(())
    }

    #[test]
    fn the_header_and_context_are_authenticated() -> Result<()> {
        let header = Header::new([1; 16], [2; 32])?;
        let context = EncryptionContext::new().with("k", "v");
        let blob = seal(&key(), header, &context, b"hello")?;
        let other_context = EncryptionContext::new().with("k", "V");
        assert!(open(&key(), header, &blob, &other_context).is_err());
        let mut changed = blob.clone();
        changed[1] ^= 1;
        assert!(open(&key(), header, &changed, &context).is_err());
        assert!(open(&key(), header, &blob, &context).is_ok());
        Ok(())
    }

    #[test]
    fn short_or_unknown_version_blobs_are_invalid_ciphertext() {
        assert!(matches!(
            Header::parse(&[1; 76]),
            Err(Error::InvalidCiphertext)
        ));
        let mut blob = vec![1; 80];
        blob[0] = 2;
        assert!(matches!(
            Header::parse(&blob),
            Err(Error::InvalidCiphertext)
        ));
    }
}
