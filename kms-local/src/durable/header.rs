//! The journal's header: magic, format version, a root-key check, the region and account
//! the store was created for, and a tag that authenticates all of it and starts the chain of
//! record tags.
//!
//! ```text
//! "KMSLOCAL" | u32 version | sealed check (nonce ‖ ciphertext ‖ tag) | u16 length |
//! identity JSON {"region", "account"} | HMAC-SHA-256 of all that
//! ```

use std::fs::File;
use std::path::Path;

use kms_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::root_key::{MAC_LEN, ROOT_KEY_ENV, RootKey};
use super::{io_error, store_error};
use crate::state::Identity;

const MAGIC: &[u8; 8] = b"KMSLOCAL";
/// The format this build writes and reads. Version 1 records carried a plain SHA-256.
pub(crate) const VERSION: u32 = 2;
/// What the root-key check seals.
const CHECK: &[u8] = b"kms-local root key check";
/// The check sealed: 12-byte nonce, the check, 16-byte tag.
const SEALED_CHECK_LEN: usize = 12 + CHECK.len() + 16;
/// Magic, version, sealed check and the identity's length.
const FIXED_LEN: usize = MAGIC.len() + 4 + SEALED_CHECK_LEN + 2;
/// What the header's tag covers before the header itself.
const DOMAIN: &[u8] = b"kms-local journal header\0";

/// The region and account a store was created for, as the header holds them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredIdentity {
    region: String,
    account: String,
}

/// A header, written or read.
#[derive(Debug)]
pub(crate) struct Header {
    /// Its length in bytes: where the first record starts.
    pub(crate) len: u64,
    /// Its tag, which the first record's tag chains from.
    pub(crate) tag: [u8; MAC_LEN],
}

impl Header {
    /// The bytes of a new header for a store of `identity`, and the header they make.
    pub(crate) fn create(root: &RootKey, identity: &Identity) -> Result<(Vec<u8>, Self)> {
        let stored = serde_json::to_vec(&StoredIdentity {
            region: identity.region.clone(),
            account: identity.account.clone(),
        })
        .map_err(|err| crate::random::internal(&format!("header encoding: {err}")))?;
        let stored_len = u16::try_from(stored.len())
            .map_err(|_| crate::random::internal("region and account are too long"))?;
        let mut bytes = Vec::with_capacity(FIXED_LEN + stored.len() + MAC_LEN);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_be_bytes());
        bytes.extend_from_slice(&root.seal(CHECK, MAGIC)?);
        bytes.extend_from_slice(&stored_len.to_be_bytes());
        bytes.extend_from_slice(&stored);
        let tag = root.mac(&[DOMAIN, &bytes]);
        bytes.extend_from_slice(&tag);
        let len = bytes.len() as u64;
        Ok((bytes, Self { len, tag }))
    }

    /// Reads the header of the journal `file` (at `path`) and checks that it is of this
    /// format, written under `root`, unchanged, and for the region and account of `identity`.
    pub(crate) fn read(
        file: &File,
        path: &Path,
        root: &RootKey,
        identity: &Identity,
    ) -> Result<Self> {
        let mut fixed = [0u8; FIXED_LEN];
        // Magic and version first: another format's header may be shorter.
        let (start, rest) = fixed.split_at_mut(MAGIC.len() + 4);
        read_at(file, path, start, 0)?;
        let (magic, version) = start.split_at(MAGIC.len());
        if magic != MAGIC {
            return Err(store_error(path, "is not a local KMS journal"));
        }
        check_version(path, u32::from_be_bytes(array(version)))?;
        read_at(file, path, rest, (MAGIC.len() + 4) as u64)?;
        let (sealed_check, stored_len) = rest.split_at(SEALED_CHECK_LEN);
        let check = root.open(sealed_check, MAGIC);
        if check.is_none_or(|check| check.expose_secret() != CHECK) {
            return Err(store_error(
                path,
                format!(
                    "was written under another root key: set {ROOT_KEY_ENV}, give the builder \
                     the root key or its file, or restore the root.key file it was created with"
                ),
            ));
        }
        let stored_len = usize::from(u16::from_be_bytes(array(stored_len)));
        let mut rest = vec![0u8; stored_len + MAC_LEN];
        read_at(file, path, &mut rest, FIXED_LEN as u64)?;
        let (stored, tag) = rest.split_at(stored_len);
        if !root.verify_mac(&[DOMAIN, &fixed, stored], tag) {
            return Err(store_error(
                path,
                "its header fails authentication: it was changed or damaged",
            ));
        }
        let stored: StoredIdentity = serde_json::from_slice(stored)
            .map_err(|err| store_error(path, format!("its header cannot be read: {err}")))?;
        if (stored.region.as_str(), stored.account.as_str())
            != (identity.region.as_str(), identity.account.as_str())
        {
            return Err(Error::Config {
                message: format!(
                    "{}: the store was created for region '{}' and account '{}'; it cannot be \
                     opened for region '{}' and account '{}'",
                    path.display(),
                    stored.region,
                    stored.account,
                    identity.region,
                    identity.account
                ),
            });
        }
        Ok(Self {
            len: (FIXED_LEN + stored_len + MAC_LEN) as u64,
            tag: array(tag),
        })
    }
}

fn check_version(path: &Path, version: u32) -> Result<()> {
    match version {
        VERSION => Ok(()),
        1 => Err(store_error(
            path,
            format!(
                "has format version 1, whose records are not authenticated; this build reads \
                 version {VERSION} only: move the directory away and create the store again"
            ),
        )),
        _ => Err(store_error(
            path,
            format!(
                "has format version {version}; this build reads version {VERSION} (a newer \
                 release wrote it?)"
            ),
        )),
    }
}

fn read_at(file: &File, path: &Path, buffer: &mut [u8], offset: u64) -> Result<()> {
    crate::platform::read_exact_at(file, buffer, offset).map_err(|err| {
        if err.kind() == std::io::ErrorKind::UnexpectedEof {
            store_error(path, "is not a local KMS journal: its header is cut short")
        } else {
            io_error(path, "cannot read the journal header", err)
        }
    })
}

/// The first `N` bytes of `bytes`, which the callers size exactly.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut array = [0u8; N];
    array.copy_from_slice(&bytes[..N]);
    array
}
