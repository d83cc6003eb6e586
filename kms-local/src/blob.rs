//! The local ciphertext blob: self-describing, versioned, authenticated.
//!
//! ```text
//! offset  length  field
//! 0       1       format version: 1 for a key ID that is a UUID, 2 for a multi-Region key ID
//! 1       16      key ID: the raw UUID bytes, or the bytes of the 32 hex digits after `mrk-`
//! 17      32      key material ID (raw; its hex form is the KeyMaterialId of the API)
//! 49      12      random nonce
//! 61      n       AES-256-GCM ciphertext of the n plaintext bytes
//! 61+n    16      GCM tag
//! ```
//!
//! The AAD is the 61 header bytes followed by the canonical bytes of the encryption context,
//! so neither the header nor the context can change without the tag failing. A blob names its
//! key and material, so `Decrypt` needs no key ID and rotation needs no trial decryption.
//!
//! A blob names its key by key ID, never by ARN: the keys of a multi-Region key set share
//! their key ID and material, so a blob made in one Region opens in any Region that holds a
//! related key, which then answers with its own ARN. Version 2 differs from version 1 only in
//! what the key ID bytes mean, so blobs written before multi-Region keys existed still open.

use std::cell::RefCell;

use aws_lc_rs::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};
use kms_core::{EncryptionContext, Error, Result, SecretBytes};
use zeroize::Zeroize;

/// The version byte of a blob whose key ID is a UUID.
const VERSION: u8 = 1;
/// The version byte of a blob whose key ID is a multi-Region key ID.
const VERSION_MULTI_REGION: u8 = 2;
/// The length of a key material ID.
pub(crate) const MATERIAL_ID_LEN: usize = 32;
/// The length of the header: version, key ID, material ID, nonce.
pub(crate) const HEADER_LEN: usize = 1 + 16 + MATERIAL_ID_LEN + NONCE_LEN;
/// The length of a key ID as text: a hyphenated UUID, or `mrk-` and 32 hex digits.
pub(crate) const KEY_ID_TEXT_LEN: usize = 36;
/// The length of the GCM tag.
const TAG_LEN: usize = 16;

/// The parsed header of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The 16 raw bytes of the key ID.
    pub(crate) key_id: [u8; 16],
    /// Whether the key ID is a multi-Region key ID (`mrk-` and the hex of `key_id`) rather
    /// than a UUID.
    pub(crate) multi_region: bool,
    /// The raw ID of the key material.
    pub(crate) material_id: [u8; MATERIAL_ID_LEN],
    nonce: [u8; NONCE_LEN],
}

impl Header {
    /// A header with a fresh random nonce.
    pub(crate) fn new(
        (key_id, multi_region): ([u8; 16], bool),
        material_id: [u8; MATERIAL_ID_LEN],
    ) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::random::fill(&mut nonce)?;
        Ok(Self {
            key_id,
            multi_region,
            material_id,
            nonce,
        })
    }

    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        bytes[0] = if self.multi_region {
            VERSION_MULTI_REGION
        } else {
            VERSION
        };
        bytes[1..17].copy_from_slice(&self.key_id);
        bytes[17..49].copy_from_slice(&self.material_id);
        bytes[49..].copy_from_slice(&self.nonce);
        bytes
    }

    /// Reads the header of `blob`; `InvalidCiphertext` if it cannot be a blob of this format.
    pub(crate) fn parse(blob: &[u8]) -> Result<Self> {
        if blob.len() < HEADER_LEN + TAG_LEN || !matches!(blob[0], VERSION | VERSION_MULTI_REGION) {
            return Err(Error::InvalidCiphertext);
        }
        let mut header = Self {
            key_id: [0; 16],
            multi_region: blob[0] == VERSION_MULTI_REGION,
            material_id: [0; MATERIAL_ID_LEN],
            nonce: [0; NONCE_LEN],
        };
        header.key_id.copy_from_slice(&blob[1..17]);
        header.material_id.copy_from_slice(&blob[17..49]);
        header.nonce.copy_from_slice(&blob[49..HEADER_LEN]);
        Ok(header)
    }

    /// The key ID, as the API writes it, in `buffer` (both forms are 36 characters): no
    /// allocation on the path of `Decrypt`.
    pub(crate) fn key_id_text<'b>(&self, buffer: &'b mut [u8; KEY_ID_TEXT_LEN]) -> &'b str {
        if self.multi_region {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            buffer[..4].copy_from_slice(b"mrk-");
            for (pair, byte) in buffer[4..].chunks_exact_mut(2).zip(self.key_id) {
                pair[0] = DIGITS[usize::from(byte >> 4)];
                pair[1] = DIGITS[usize::from(byte & 0xf)];
            }
            // Only ASCII was written.
            return std::str::from_utf8(buffer).unwrap_or_default();
        }
        uuid::Uuid::from_bytes(self.key_id)
            .hyphenated()
            .encode_lower(buffer)
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
        let header = Header::new(([1; 16], false), [2; 32])?;
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
        let header = Header::new(([1; 16], false), [2; 32])?;
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
    fn a_multi_region_blob_says_so_in_its_version() -> Result<()> {
        let header = Header::new(([0xab; 16], true), [2; 32])?;
        let blob = seal(&key(), header, &EncryptionContext::new(), b"hello")?;
        assert_eq!(blob[0], 2);
        let parsed = Header::parse(&blob)?;
        assert_eq!(parsed, header);
        let mut buffer = [0; KEY_ID_TEXT_LEN];
        assert_eq!(
            parsed.key_id_text(&mut buffer),
            format!("mrk-{}", "ab".repeat(16))
        );
        let single = Header::parse(&seal(
            &key(),
            Header::new(([0x11; 16], false), [2; 32])?,
            &EncryptionContext::new(),
            b"hello",
        )?)?;
        assert_eq!(
            single.key_id_text(&mut buffer),
            "11111111-1111-1111-1111-111111111111"
        );
        Ok(())
    }

    /// A blob of version 1, as every blob was written before multi-Region keys existed,
    /// byte for byte: it still parses and opens.
    #[test]
    fn blobs_of_the_first_layout_still_open() -> Result<()> {
        let mut blob = vec![1u8];
        blob.extend_from_slice(&[0x22; 16]);
        blob.extend_from_slice(&[0x33; 32]);
        blob.extend_from_slice(&[0x44; NONCE_LEN]);
        let plaintext = b"kept";
        let mut sealed = plaintext.to_vec();
        let tag = key()
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key([0x44; NONCE_LEN]),
                Aad::from(&blob[..]),
                &mut sealed,
            )
            .map_err(|_| Error::InvalidCiphertext)?;
        blob.extend_from_slice(&sealed);
        blob.extend_from_slice(tag.as_ref());
        let header = Header::parse(&blob)?;
        assert!(!header.multi_region);
        let mut buffer = [0; KEY_ID_TEXT_LEN];
        assert_eq!(
            header.key_id_text(&mut buffer),
            "22222222-2222-2222-2222-222222222222"
        );
        let opened = open(&key(), header, &blob, &EncryptionContext::new())?;
        assert_eq!(opened.expose_secret(), plaintext);
        Ok(())
    }

    #[test]
    fn short_or_unknown_version_blobs_are_invalid_ciphertext() {
        assert!(matches!(
            Header::parse(&[1; 76]),
            Err(Error::InvalidCiphertext)
        ));
        let mut blob = vec![1; 80];
        blob[0] = 3;
        assert!(matches!(
            Header::parse(&blob),
            Err(Error::InvalidCiphertext)
        ));
    }
}
