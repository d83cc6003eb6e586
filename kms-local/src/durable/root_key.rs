//! The root key that encrypts key material at rest.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_core::{Error, Result, SecretBytes};

use super::{io_error, sync_dir};
use crate::random;

/// The environment variable that holds the root key: base64 of 32 bytes.
pub const ROOT_KEY_ENV: &str = "KMS_LOCAL_ROOT_KEY";
/// The file, in the store's directory, that holds the root key when the environment does not.
pub(crate) const ROOT_KEY_FILE: &str = "root.key";
const ROOT_KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// An AES-256-GCM key that seals key material before it is written.
pub(crate) struct RootKey {
    aead: LessSafeKey,
}

impl RootKey {
    /// The root key of the store in `dir`: `explicit` if given, else the environment's
    /// [`ROOT_KEY_ENV`], else the key file in `dir`, created (mode 0600) on first use.
    pub(crate) fn load(dir: &Path, explicit: Option<&SecretBytes>) -> Result<Self> {
        if let Some(key) = explicit {
            return Self::from_bytes(key.expose_secret(), "the root key given to the builder");
        }
        if let Some(encoded) = std::env::var_os(ROOT_KEY_ENV) {
            let decoded = encoded
                .to_str()
                .and_then(|text| STANDARD.decode(text.trim()).ok())
                .map(SecretBytes::from)
                .ok_or_else(|| Error::Config {
                    message: format!("{ROOT_KEY_ENV} is not base64"),
                })?;
            return Self::from_bytes(decoded.expose_secret(), ROOT_KEY_ENV);
        }
        let path = dir.join(ROOT_KEY_FILE);
        let bytes = match OpenOptions::new().read(true).open(&path) {
            Ok(mut file) => {
                let mut bytes = Vec::with_capacity(ROOT_KEY_LEN + 1);
                file.read_to_end(&mut bytes)
                    .map_err(|err| io_error(&path, "cannot read the root key", err))?;
                SecretBytes::from(bytes)
            }
            Err(err) if err.kind() == ErrorKind::NotFound => create_key_file(dir, &path)?,
            Err(err) => return Err(io_error(&path, "cannot open the root key", err)),
        };
        Self::from_bytes(bytes.expose_secret(), &path.display().to_string())
    }

    fn from_bytes(bytes: &[u8], source: &str) -> Result<Self> {
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
        Ok(Self {
            aead: LessSafeKey::new(unbound),
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
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey([REDACTED])")
    }
}

/// Creates the key file with a fresh key, readable by its owner only.
fn create_key_file(dir: &Path, path: &Path) -> Result<SecretBytes> {
    let key = SecretBytes::try_init_with(ROOT_KEY_LEN, random::fill)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|err| io_error(path, "cannot create the root key", err))?;
    file.write_all(key.expose_secret())
        .and_then(|()| file.sync_all())
        .map_err(|err| io_error(path, "cannot write the root key", err))?;
    sync_dir(dir)?;
    Ok(key)
}
