//! The durable store: a directory holding an append-only journal of changes, a lock file and
//! (unless the environment provides one) the root key.
//!
//! ```text
//! <dir>/journal   "KMSLOCAL", u32 format version, a root-key check (nonce ‖ sealed ‖ tag),
//!                 then records: u32 length, SHA-256 of the payload, JSON payload
//! <dir>/lock      held (flock) by the process that appends
//! <dir>/root.key  32 raw bytes, mode 0600, created on first use
//! ```
//!
//! Every change is appended as whole records and `fsync`ed before the operation returns. A
//! crash mid-append leaves a damaged last record, which the next writer cuts off: the store
//! is always the state before or after an operation. Damage anywhere else is an error that
//! names the file; nothing is ever repaired silently. Processes sharing the directory take
//! the lock to append, first reading what the others appended, so nothing is lost.
//!
//! Each record holds a key or an alias whole, so older records of the same key are dead
//! weight. Once the journal holds at least [`COMPACT_MIN_RECORDS`] records and more than
//! [`COMPACT_RATIO`] times as many as there are keys and aliases, the process that appends
//! rewrites it under the lock: one record per key and alias into `journal.compact`, synced,
//! then renamed over `journal` (atomic: a crash leaves the old journal or the new one). The
//! other processes notice the new file (another inode at the same path) when they next read
//! and load it from the start.

mod record;
mod root_key;

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{SHA256, digest};
use kms_core::{Error, Result, SecretBytes};

pub use root_key::ROOT_KEY_ENV;

use crate::state::{Identity, Keyring, Touched};
use record::Record;
use root_key::RootKey;

const JOURNAL_FILE: &str = "journal";
/// Where a compacted journal is written before it is renamed over [`JOURNAL_FILE`].
const COMPACT_FILE: &str = "journal.compact";
/// The fewest records a journal holds before it is compacted.
const COMPACT_MIN_RECORDS: u64 = 1024;
/// How many records per key and alias a journal may hold before it is compacted.
const COMPACT_RATIO: u64 = 4;
const LOCK_FILE: &str = "lock";
const MAGIC: &[u8; 8] = b"KMSLOCAL";
const VERSION: u32 = 1;
/// What the root-key check seals.
const CHECK: &[u8] = b"kms-local root key check";
/// The header: magic, version, and the check sealed (12-byte nonce, 16-byte tag).
const HEADER_LEN: usize = MAGIC.len() + 4 + 12 + CHECK.len() + 16;
/// A record's frame: length and SHA-256.
const FRAME_LEN: usize = 4 + 32;
/// How long a process waits for another to release the lock.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The journal of a durable store, open for reading and appending.
#[derive(Debug)]
pub(crate) struct Journal {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    lock: File,
    root: RootKey,
    identity: Identity,
    /// How many bytes of the file the keyring reflects.
    applied: u64,
    /// How many records those bytes hold.
    records: u64,
}

/// The exclusive lock of the store (on a duplicate of the lock file's descriptor), released
/// on drop.
#[derive(Debug)]
struct Locked(File);

impl Drop for Locked {
    fn drop(&mut self) {
        // Closing the file would release it too; an unlock error leaves nothing to undo.
        let _ = self.0.unlock();
    }
}

impl Journal {
    /// Opens (creating it if needed) the store in `dir`, and the keyring it holds.
    pub(crate) fn open(
        dir: &Path,
        root_key: Option<&SecretBytes>,
        identity: Identity,
    ) -> Result<(Self, Keyring)> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|err| io_error(dir, "cannot create the store directory", err))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|err| io_error(&lock_path, "cannot open the lock file", err))?;
        let path = dir.join(JOURNAL_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|err| io_error(&path, "cannot open the journal", err))?;
        let mut journal = Self {
            dir: dir.to_owned(),
            root: RootKey::load(dir, root_key)?,
            path,
            file,
            lock,
            identity,
            applied: 0,
            records: 0,
        };
        let mut keyring = Keyring::default();
        {
            let _locked = journal.lock()?;
            journal.open_header()?;
            journal.catch_up(&mut keyring, true)?;
        }
        keyring.take_touched();
        Ok((journal, keyring))
    }

    /// Reads and checks the header, or writes it into a new, empty journal.
    fn open_header(&mut self) -> Result<()> {
        let len = self.len()?;
        if len == 0 {
            let header = self.new_header()?;
            self.write_at(&header, 0)?;
            sync_dir(&self.dir)?;
            self.applied = HEADER_LEN as u64;
            return Ok(());
        }
        let mut header = [0u8; HEADER_LEN];
        self.file
            .read_exact_at(&mut header, 0)
            .map_err(|err| io_error(&self.path, "cannot read the journal header", err))?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(store_error(&self.path, "is not a local KMS journal"));
        }
        let mut version = [0u8; 4];
        version.copy_from_slice(&header[MAGIC.len()..MAGIC.len() + 4]);
        let version = u32::from_be_bytes(version);
        if version != VERSION {
            return Err(store_error(
                &self.path,
                format!(
                    "has format version {version}; this build reads version {VERSION} (a newer \
                     release wrote it?)"
                ),
            ));
        }
        let check = self.root.open(&header[MAGIC.len() + 4..], MAGIC);
        if check.is_none_or(|check| check.expose_secret() != CHECK) {
            return Err(store_error(
                &self.path,
                format!(
                    "was written under another root key: set {ROOT_KEY_ENV} or restore the \
                     root.key file it was created with"
                ),
            ));
        }
        self.applied = HEADER_LEN as u64;
        Ok(())
    }

    /// Applies to `keyring` the records appended since it was last brought up to date.
    ///
    /// Without the lock, a damaged or incomplete last record may be an append in progress:
    /// it is left for later. With the lock (`exclusive`), it is what a crash left behind and is
    /// cut off; damage followed by a valid record is corruption and an error.
    pub(crate) fn catch_up(&mut self, keyring: &mut Keyring, exclusive: bool) -> Result<()> {
        if self.replaced()? {
            self.reopen()?;
            *keyring = Keyring::default();
        }
        let len = self.len()?;
        if len <= self.applied {
            return Ok(());
        }
        let unread = usize::try_from(len - self.applied)
            .map_err(|_| store_error(&self.path, "is too large to read"))?;
        let mut bytes = vec![0u8; unread];
        self.file
            .read_exact_at(&mut bytes, self.applied)
            .map_err(|err| io_error(&self.path, "cannot read the journal", err))?;
        let mut offset = 0;
        while let Some(frame) = Frame::parse(&bytes[offset..]) {
            let Frame::Valid { payload, len } = frame else {
                break;
            };
            let at = self.applied + offset as u64;
            let record: Record = serde_json::from_slice(payload).map_err(|err| {
                store_error(
                    &self.path,
                    format!("record at byte {at} cannot be read: {err}"),
                )
            })?;
            record
                .apply(keyring, &self.identity, &self.root)
                .map_err(|why| store_error(&self.path, format!("record at byte {at}: {why}")))?;
            offset += len;
            self.records += 1;
        }
        self.applied += offset as u64;
        if exclusive && offset < bytes.len() {
            let tail = &bytes[offset..];
            if Frame::valid_record_follows(tail) {
                return Err(store_error(
                    &self.path,
                    format!("is damaged at byte {}", self.applied),
                ));
            }
            tracing::warn!(
                journal = %self.path.display(),
                at_byte = self.applied,
                torn_bytes = tail.len(),
                "discarding the torn last record of an append a crash interrupted",
            );
            self.file
                .set_len(self.applied)
                .and_then(|()| self.file.sync_data())
                .map_err(|err| io_error(&self.path, "cannot cut off a torn record", err))?;
        }
        Ok(())
    }

    /// Writes the records of what `keyring` changed, durably. Call with the lock held.
    fn append(&mut self, keyring: &Keyring, touched: &[Touched]) -> Result<()> {
        let mut bytes = Vec::new();
        for change in touched {
            self.frame_record(&mut bytes, &Record::of(keyring, change, &self.root)?)?;
        }
        if bytes.is_empty() {
            return Ok(());
        }
        self.write_at(&bytes, self.applied)?;
        self.applied += bytes.len() as u64;
        self.records += touched.len() as u64;
        Ok(())
    }

    /// Appends `record` to `bytes`, framed: length, SHA-256, JSON payload.
    fn frame_record(&self, bytes: &mut Vec<u8>, record: &Record) -> Result<()> {
        let payload = serde_json::to_vec(record)
            .map_err(|err| crate::random::internal(&format!("record encoding: {err}")))?;
        let len = u32::try_from(payload.len())
            .map_err(|_| store_error(&self.path, "a record is larger than 4 GiB"))?;
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(digest(&SHA256, &payload).as_ref());
        bytes.extend_from_slice(&payload);
        Ok(())
    }

    /// The header of a new journal: magic, version, and the root-key check.
    fn new_header(&self) -> Result<Vec<u8>> {
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_be_bytes());
        header.extend_from_slice(&self.root.seal(CHECK, MAGIC)?);
        Ok(header)
    }

    /// Whether the journal holds so many superseded records that it is worth rewriting.
    fn wants_compaction(&self, keyring: &Keyring) -> bool {
        let live = (keyring.keys.len() + keyring.aliases.len()) as u64;
        self.records >= COMPACT_MIN_RECORDS && self.records > COMPACT_RATIO * live.max(1)
    }

    /// Rewrites the journal as one record per key and alias of `keyring` (which must be up to
    /// date), into a new file renamed over the journal. Call with the lock held.
    fn compact(&mut self, keyring: &Keyring) -> Result<()> {
        let mut bytes = self.new_header()?;
        let changes = keyring
            .keys
            .keys()
            .map(|id| Touched::Key(id.clone()))
            .chain(
                keyring
                    .aliases
                    .keys()
                    .map(|name| Touched::Alias(name.clone())),
            );
        let mut records = 0;
        for change in changes {
            self.frame_record(&mut bytes, &Record::of(keyring, &change, &self.root)?)?;
            records += 1;
        }
        let compact_path = self.dir.join(COMPACT_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&compact_path)
            .map_err(|err| io_error(&compact_path, "cannot create", err))?;
        file.write_all_at(&bytes, 0)
            .and_then(|()| file.sync_data())
            .map_err(|err| io_error(&compact_path, "cannot write", err))?;
        std::fs::rename(&compact_path, &self.path).map_err(|err| {
            io_error(&self.path, "cannot replace with the compacted journal", err)
        })?;
        sync_dir(&self.dir)?;
        tracing::debug!(
            journal = %self.path.display(),
            records_before = self.records,
            records_after = records,
            bytes_before = self.applied,
            bytes_after = bytes.len(),
            "compacted the journal",
        );
        self.file = file;
        self.applied = bytes.len() as u64;
        self.records = records;
        Ok(())
    }

    /// Whether another process has compacted the journal: the path names another file than
    /// the one open here.
    fn replaced(&self) -> Result<bool> {
        use std::os::unix::fs::MetadataExt;
        let open = self
            .file
            .metadata()
            .map_err(|err| io_error(&self.path, "cannot read the journal's metadata", err))?;
        let named = std::fs::metadata(&self.path)
            .map_err(|err| io_error(&self.path, "cannot read the journal's metadata", err))?;
        Ok((open.dev(), open.ino()) != (named.dev(), named.ino()))
    }

    /// Opens the file the journal's path names now, to be read from the start.
    fn reopen(&mut self) -> Result<()> {
        self.file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(|err| io_error(&self.path, "cannot open the journal", err))?;
        self.applied = 0;
        self.records = 0;
        self.open_header()
    }

    /// Brings `keyring` up to date, applies `change` to it and makes what it changed durable,
    /// all under the store's lock. If the change cannot be written, the keyring is reloaded
    /// from the journal, so memory never holds what the disk does not.
    pub(crate) fn commit<T>(
        &mut self,
        keyring: &mut Keyring,
        change: impl FnOnce(&mut Keyring) -> Result<T>,
    ) -> Result<T> {
        let _locked = self.lock()?;
        self.catch_up(keyring, true)?;
        keyring.take_touched();
        let result = change(keyring);
        let touched: Vec<Touched> = keyring.take_touched().into_iter().collect();
        if let Err(err) = self.append(keyring, &touched) {
            *keyring = Keyring::default();
            self.applied = HEADER_LEN as u64;
            self.records = 0;
            self.catch_up(keyring, true)?;
            keyring.take_touched();
            return Err(err);
        }
        if self.wants_compaction(keyring)
            && let Err(err) = self.compact(keyring)
        {
            // The change itself is durable; the journal stays as long as it was.
            tracing::warn!(journal = %self.path.display(), error = %err, "cannot compact");
        }
        result
    }

    /// Takes the store's exclusive lock, waiting up to [`LOCK_TIMEOUT`].
    fn lock(&self) -> Result<Locked> {
        let lock_path = self.dir.join(LOCK_FILE);
        let lock = self
            .lock
            .try_clone()
            .map_err(|err| io_error(&lock_path, "cannot open the lock file", err))?;
        let started = Instant::now();
        let mut pause = Duration::from_micros(100);
        loop {
            match lock.try_lock() {
                Ok(()) => return Ok(Locked(lock)),
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_TIMEOUT => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Backend {
                        backend: "local",
                        message: format!(
                            "{}: another process has held the store's lock for more than {}s",
                            lock_path.display(),
                            LOCK_TIMEOUT.as_secs()
                        ),
                        retryable: true,
                        source: None,
                    });
                }
                Err(std::fs::TryLockError::Error(err)) => {
                    return Err(io_error(&lock_path, "cannot lock", err));
                }
            }
        }
    }

    fn len(&self) -> Result<u64> {
        self.file
            .metadata()
            .map(|metadata| metadata.len())
            .map_err(|err| io_error(&self.path, "cannot read the journal's size", err))
    }

    /// Writes `bytes` at `offset` and waits until they are on disk.
    fn write_at(&self, bytes: &[u8], offset: u64) -> Result<()> {
        self.file
            .write_all_at(bytes, offset)
            .and_then(|()| self.file.sync_data())
            .map_err(|err| io_error(&self.path, "cannot write the journal", err))
    }
}

/// One record frame at the start of some bytes.
enum Frame<'a> {
    /// A whole record whose hash matches, `len` bytes with its frame.
    Valid { payload: &'a [u8], len: usize },
    /// A record cut short or whose hash does not match.
    Damaged,
}

impl<'a> Frame<'a> {
    /// The frame at the start of `bytes`; `None` if there are no bytes.
    fn parse(bytes: &'a [u8]) -> Option<Self> {
        if bytes.is_empty() {
            return None;
        }
        let Some((frame, rest)) = bytes.split_at_checked(FRAME_LEN) else {
            return Some(Self::Damaged);
        };
        let (len, hash) = frame.split_at(4);
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(len);
        let Ok(payload_len) = usize::try_from(u32::from_be_bytes(len_bytes)) else {
            return Some(Self::Damaged);
        };
        match rest.get(..payload_len) {
            Some(payload) if digest(&SHA256, payload).as_ref() == hash => Some(Self::Valid {
                payload,
                len: FRAME_LEN + payload_len,
            }),
            _ => Some(Self::Damaged),
        }
    }

    /// Whether a valid record starts where the damaged record at the start of `bytes` says
    /// it ends: then the damage is not a torn last append but corruption.
    fn valid_record_follows(bytes: &[u8]) -> bool {
        let Some(len) = bytes.get(..4) else {
            return false;
        };
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(len);
        let next = usize::try_from(u32::from_be_bytes(len_bytes))
            .ok()
            .and_then(|len| len.checked_add(FRAME_LEN));
        next.and_then(|next| bytes.get(next..))
            .and_then(Frame::parse)
            .is_some_and(|frame| matches!(frame, Frame::Valid { .. }))
    }
}

/// A store error naming the file, for damage and format problems.
pub(crate) fn store_error(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Backend {
        backend: "local",
        message: format!("{}: {what}", path.display()),
        retryable: false,
        source: None,
    }
}

/// A store error naming the file, for an I/O failure.
pub(crate) fn io_error(path: &Path, what: &str, err: std::io::Error) -> Error {
    Error::Backend {
        backend: "local",
        message: format!("{}: {what}: {err}", path.display()),
        retryable: false,
        source: Some(Box::new(err)),
    }
}

/// Makes a directory's entries durable (a created or renamed file).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|dir| dir.sync_all()) {
        Ok(()) => Ok(()),
        // Some file systems cannot sync a directory; the entry is then as durable as they allow.
        Err(err) if err.kind() == ErrorKind::InvalidInput => Ok(()),
        Err(err) => Err(io_error(dir, "cannot sync the directory", err)),
    }
}
