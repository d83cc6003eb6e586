//! The root key that encrypts key material at rest and authenticates the journal.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::{constant_time, hkdf, hmac};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_core::{Error, Result, SecretBytes};

use super::permissions::check_private_key_file;
use super::{io_error, sync_dir};
use crate::random;

/// The environment variable that holds the root key: base64 of 32 bytes.
pub const ROOT_KEY_ENV: &str = "KMS_LOCAL_ROOT_KEY";
/// The file, in the store's directory, that holds the root key when nothing else names one.
pub(crate) const ROOT_KEY_FILE: &str = "root.key";
const ROOT_KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// The HKDF label of the key that authenticates the journal.
const JOURNAL_MAC_LABEL: &[u8] = b"kms-local journal authentication v1";
/// The length of a journal authentication tag (HMAC-SHA-256).
pub(crate) const MAC_LEN: usize = 32;

/// Where the root key of a durable store comes from, when the builder names it.
pub(crate) enum RootKeySource {
    /// The key itself.
    Bytes(SecretBytes),
    /// A file holding the 32 raw bytes, created (mode 0600) if missing.
    File(PathBuf),
}

impl fmt::Debug for RootKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(_) => f.write_str("Bytes([REDACTED])"),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// The root key: an AES-256-GCM key that seals key material before it is written, and the
/// HMAC-SHA-256 key derived from it (HKDF) that authenticates the journal.
pub(crate) struct RootKey {
    aead: LessSafeKey,
    mac: hmac::Key,
}

impl RootKey {
    /// The root key of the store in `dir`: `source` if given, else the environment's
    /// [`ROOT_KEY_ENV`], else the key file in `dir`, created (mode 0600) on first use.
    ///
    /// A key file readable or writable by group or others is refused.
    pub(crate) fn load(dir: &Path, source: Option<&RootKeySource>) -> Result<Self> {
        match source {
            Some(RootKeySource::Bytes(key)) => {
                Self::from_bytes(key.expose_secret(), "the root key given to the builder")
            }
            Some(RootKeySource::File(path)) => Self::from_file(path),
            None => match std::env::var_os(ROOT_KEY_ENV) {
                Some(encoded) => {
                    let decoded = encoded
                        .to_str()
                        .and_then(|text| STANDARD.decode(text.trim()).ok())
                        .map(SecretBytes::from)
                        .ok_or_else(|| Error::Config {
                            message: format!("{ROOT_KEY_ENV} is not base64"),
                        })?;
                    Self::from_bytes(decoded.expose_secret(), ROOT_KEY_ENV)
                }
                None => Self::from_file(&dir.join(ROOT_KEY_FILE)),
            },
        }
    }

    /// The key in the file `path`, created with a fresh key if missing.
    fn from_file(path: &Path) -> Result<Self> {
        let bytes = match OpenOptions::new().read(true).open(path) {
            Ok(mut file) => {
                check_private_key_file(path)?;
                let mut bytes = Vec::with_capacity(ROOT_KEY_LEN + 1);
                file.read_to_end(&mut bytes)
                    .map_err(|err| io_error(path, "cannot read the root key", err))?;
                SecretBytes::from(bytes)
            }
            Err(err) if err.kind() == ErrorKind::NotFound => create_key_file(path)?,
            Err(err) => return Err(io_error(path, "cannot open the root key", err)),
        };
        Self::from_bytes(bytes.expose_secret(), &path.display().to_string())
    }

    /// The root key of `bytes` (32); `source` names where they come from in errors.
    pub(crate) fn from_bytes(bytes: &[u8], source: &str) -> Result<Self> {
        if bytes.len() != ROOT_KEY_LEN {
            return Err(Error::Config {
                message: format!(
                    "{source}: a root key is {ROOT_KEY_LEN} bytes, not {}",
                    bytes.len()
                ),
            });
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| random::internal("AES-256 key setup failed"))?;
        let mac = hkdf::Salt::new(hkdf::HKDF_SHA256, &[])
            .extract(bytes)
            .expand(&[JOURNAL_MAC_LABEL], hmac::HMAC_SHA256)
            .map(hmac::Key::from)
            .map_err(|_| random::internal("HKDF expansion failed"))?;
        Ok(Self {
            aead: LessSafeKey::new(unbound),
            mac,
        })
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext`, bound to `aad`.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        random::fill(&mut nonce)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(plaintext);
        let tag = self
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut sealed[NONCE_LEN..],
            )
            .map_err(|_| random::internal("AES-GCM seal failed"))?;
        sealed.extend_from_slice(tag.as_ref());
        Ok(sealed)
    }

    /// The plaintext of [`RootKey::seal`]'s output; `None` if it does not verify.
    pub(crate) fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<SecretBytes> {
        let body_len = sealed.len().checked_sub(NONCE_LEN + TAG_LEN)?;
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(body_len);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        SecretBytes::try_init_with(body_len, |plaintext| {
            self.aead
                .open_separate_gather(nonce, Aad::from(aad), ciphertext, tag, plaintext)
        })
        .ok()
    }

    /// The journal authentication tag of `parts`, concatenated.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; MAC_LEN] {
        let mut context = hmac::Context::with_key(&self.mac);
        for part in parts {
            context.update(part);
        }
        let mut tag = [0u8; MAC_LEN];
        tag.copy_from_slice(context.sign().as_ref());
        tag
    }

    /// Whether `tag` is the journal authentication tag of `parts` (compared in constant
    /// time).
    pub(crate) fn verify_mac(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        constant_time::verify_slices_are_equal(&self.mac(parts), tag).is_ok()
    }
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey([REDACTED])")
    }
}

/// Creates the key file with a fresh key, readable by its owner only.
fn create_key_file(path: &Path) -> Result<SecretBytes> {
    let key = SecretBytes::try_init_with(ROOT_KEY_LEN, random::fill)?;
    let mut file = crate::platform::private_file(OpenOptions::new().write(true).create_new(true))
        .open(path)
        .map_err(|err| io_error(path, "cannot create the root key", err))?;
    file.write_all(key.expose_secret())
        .and_then(|()| file.sync_all())
        .map_err(|err| io_error(path, "cannot write the root key", err))?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        sync_dir(dir)?;
    }
    Ok(key)
}
