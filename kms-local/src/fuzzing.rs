//! The entry points the fuzz targets `seed_file`, `journal_records`, `journal_frames` and
//! `local_decrypt` and their corpus replay drive, with the properties they must hold. They
//! exist for fuzzing and for the corpus replay test, never for users: they may change or go
//! at any time.

// A failed property is a panic: that is what the fuzzer reports.
#![allow(clippy::panic)]

use std::time::{Duration, SystemTime};

use kms_core::{DecryptRequest, Kms, KmsExt, Result};

use crate::LocalKms;
pub use crate::durable::fuzzing::JournalHarness;
use crate::seed::{self, SeedFile, SeedKey};
use crate::state::{Identity, Keyring};

/// The account and region the harnesses' keys belong to.
pub(crate) fn identity() -> Identity {
    Identity {
        partition: "aws".to_owned(),
        region: "us-east-1".to_owned(),
        account: "111122223333".to_owned(),
    }
}

/// The harnesses' clock: a fixed time, so that a run is reproducible.
pub(crate) fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// Reads `text` as a seed file and adds its keys to an empty keyring, as a backend built
/// with the seed file does. Checks that what it added exports (where the key's state
/// exports) to a seed file whose text reads back and adds the same keys, to the same text.
/// Returns how many keys it added, or the error a backend would refuse the file with.
///
/// # Errors
///
/// The error of a text that is not a valid seed file, or of a seed that does not apply.
///
/// # Panics
///
/// When a property does not hold: that is the finding the fuzzer reports.
pub fn check_seed_file(text: &str) -> Result<usize> {
    let seed = SeedFile::from_toml(text)?;
    let mut keyring = Keyring::default();
    seed::apply(&seed, &mut keyring, &identity(), now())?;
    let Some(exported) = export(&keyring) else {
        return Ok(keyring.keys.len());
    };
    let written = exported
        .to_toml()
        .unwrap_or_else(|err| panic!("an exported seed file does not write: {err}"));
    let read = SeedFile::from_toml(&written)
        .unwrap_or_else(|err| panic!("an exported seed file does not read back: {err}"));
    let mut again = Keyring::default();
    seed::apply(&read, &mut again, &identity(), now())
        .unwrap_or_else(|err| panic!("an exported seed file does not apply: {err}"));
    let rewritten = export(&again)
        .unwrap_or_else(|| panic!("a key read from an export does not export"))
        .to_toml()
        .unwrap_or_else(|err| panic!("an exported seed file does not write: {err}"));
    assert!(
        written == rewritten,
        "an exported seed file changes when read back"
    );
    Ok(keyring.keys.len())
}

/// The seed file of every key of `keyring`, with its aliases; `None` if a key's state does
/// not export.
fn export(keyring: &Keyring) -> Option<SeedFile> {
    let keys = keyring
        .keys
        .values()
        .map(|key| {
            let aliases = keyring
                .aliases
                .iter()
                .filter(|(_, alias)| alias.target == key.id)
                .map(|(name, _)| name.clone())
                .collect();
            seed::export(key, aliases)
        })
        .collect::<Result<Vec<SeedKey>>>()
        .ok()?;
    Some(SeedFile { keys })
}

/// Decrypt against a backend holding one symmetric key and one ciphertext blob it made.
#[derive(Debug)]
pub struct DecryptHarness {
    kms: LocalKms,
    blob: Vec<u8>,
}

impl DecryptHarness {
    /// The backend, its key and its blob.
    ///
    /// # Errors
    ///
    /// The backend's error if the key or the blob cannot be made.
    pub async fn new() -> Result<Self> {
        let kms = LocalKms::new();
        let key = kms.create_symmetric_key("fuzz").await?;
        let blob = kms
            .encrypt_bytes(&key.key_id, b"fuzz", &Default::default())
            .await?;
        Ok(Self { kms, blob })
    }

    /// The harness's one blob, for a corpus to start from.
    pub fn blob(&self) -> &[u8] {
        &self.blob
    }

    /// Decrypts `data` as a ciphertext blob, and `data` after its first byte spliced into
    /// the harness's blob at the offset that byte gives. Checks that only the blob the key
    /// made decrypts.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub async fn check(&self, data: &[u8]) {
        let mut spliced = self.blob.clone();
        let at = usize::from(data.first().copied().unwrap_or(0)) % (spliced.len() + 1);
        spliced.truncate(at);
        spliced.extend_from_slice(data.get(1..).unwrap_or_default());
        for blob in [data.to_vec(), spliced] {
            let result = self.kms.decrypt(DecryptRequest::new(blob.clone())).await;
            if result.is_ok() {
                assert!(blob == self.blob, "a blob that was never made decrypted");
            }
        }
    }
}
