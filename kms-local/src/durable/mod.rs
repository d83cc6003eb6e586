//! The durable store: a directory holding an append-only journal of changes, a lock file and
//! (unless the builder or the environment provides one) the root key.
//!
//! ```text
//! <dir>/journal   a header (see `header`): format version, root-key check, region and
//!                 account, authenticated; then one frame per change: u32 length,
//!                 HMAC-SHA-256 tag chained to the previous frame's, JSON array of the
//!                 records of the change (see `frame`)
//! <dir>/lock      held (flock) by the process that appends
//! <dir>/root.key  32 raw bytes, mode 0600, created on first use
//! ```
//!
//! The directory must be accessible by its owner only (0700), the root key file readable by
//! its owner only (0600): anything else is refused at open, with the `chmod` that fixes it.
//!
//! Every change is appended as whole records and `fsync`ed before the operation returns. A
//! crash mid-append leaves a damaged last record, which the next writer cuts off: the store
//! is always the state before or after an operation. An append that fails (a full disk, an
//! I/O error, on the write or on the `fsync`) is cut off at once and the change taken back
//! from memory, so nothing is acknowledged that was not written; the operation fails with a
//! retryable `KMSInternalException` (see `disk`), and the store takes changes again as soon
//! as the disk does, without a restart. A record that fails authentication
//! anywhere else (changed, moved, replayed, damaged) is an error that names the file; nothing
//! is ever repaired silently. Processes sharing the directory take the lock to append, first
//! reading what the others appended, so nothing is lost.
//!
//! Each record holds a key or an alias whole, so older records of the same key are dead
//! weight. Once the journal holds at least [`COMPACT_MIN_RECORDS`] records and more than
//! [`COMPACT_RATIO`] times as many as there are keys and aliases, the process that appends
//! rewrites it under the lock: one record per key and alias into `journal.compact`, synced,
//! then renamed over `journal` (atomic: a crash leaves the old journal or the new one). The
//! other processes notice the new file (another inode at the same path) when they next read
//! and load it from the start. A compaction that cannot write its file removes it and leaves
//! the journal as it was; it is tried again after [`COMPACT_MIN_RECORDS`] more records.
//!
//! All of this is blocking file work: the backend runs it on a blocking thread, never on the
//! async runtime.

mod disk;
#[cfg(all(test, unix))]
mod fault_tests;
mod frame;
pub(crate) mod fuzzing;
mod header;
mod permissions;
mod record;
mod replay;
mod root_key;
mod stored_multi_region;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use kms_core::{Error, Result};

pub use root_key::ROOT_KEY_ENV;
pub(crate) use root_key::RootKeySource;

use crate::platform::{self, FileId};
use crate::state::{Identity, Keyring, Touched};
use frame::Frame;
use header::Header;
use record::Record;
use root_key::{MAC_LEN, RootKey};

const JOURNAL_FILE: &str = "journal";
/// Where a compacted journal is written before it is renamed over [`JOURNAL_FILE`].
const COMPACT_FILE: &str = "journal.compact";
/// The fewest records a journal holds before it is compacted.
const COMPACT_MIN_RECORDS: u64 = 1024;
/// How many records per key and alias a journal may hold before it is compacted.
const COMPACT_RATIO: u64 = 4;
const LOCK_FILE: &str = "lock";
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
    /// The header of the open file.
    header: Header,
    /// How many bytes of the file the keyring reflects.
    applied: u64,
    /// The tag of the last record those bytes hold (the header's if none).
    chain: [u8; MAC_LEN],
    /// How many records those bytes hold.
    records: u64,
    /// The journal file as it was when last read or written here.
    seen: Option<Fingerprint>,
    /// The journal file as a failed append left it, when the bytes it wrote could not be cut
    /// off: they are cut before anything else is read or written (unless another process has
    /// changed the file since, under the lock, and so dealt with them).
    unsaved_tail: Option<Fingerprint>,
    /// How many records the journal must hold before a compaction is tried again, after one
    /// failed.
    compact_deferred_until: u64,
}

/// What changes when anyone appends to, cuts or replaces the journal: the file the path
/// names (where the platform gives it, see [`platform::file_id`]), its length and its
/// modification time. One `stat` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    id: Option<FileId>,
    len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    fn of(path: &Path) -> Result<Self> {
        let metadata = std::fs::metadata(path)
            .map_err(|err| io_error(path, "cannot read the journal's metadata", err))?;
        Ok(Self {
            id: platform::file_id(&metadata),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
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
    /// Opens (creating it if needed) the store in `dir` for `identity`, and the keyring it
    /// holds. The root key is `root_key`'s, or see [`RootKey::load`].
    pub(crate) fn open(
        dir: &Path,
        root_key: Option<&RootKeySource>,
        identity: Identity,
    ) -> Result<(Self, Keyring)> {
        platform::create_private_dir(dir)
            .map_err(|err| io_error(dir, "cannot create the store directory", err))?;
        permissions::check_private_dir(dir)?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = platform::private_file(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
        .open(&lock_path)
        .map_err(|err| io_error(&lock_path, "cannot open the lock file", err))?;
        let path = dir.join(JOURNAL_FILE);
        let file = platform::private_file(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
        .open(&path)
        .map_err(|err| io_error(&path, "cannot open the journal", err))?;
        let mut journal = Self {
            dir: dir.to_owned(),
            root: RootKey::load(dir, root_key)?,
            path,
            file,
            lock,
            identity,
            header: Header {
                len: 0,
                tag: [0; MAC_LEN],
            },
            applied: 0,
            chain: [0; MAC_LEN],
            records: 0,
            seen: None,
            unsaved_tail: None,
            compact_deferred_until: 0,
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
        let header = if self.len()? == 0 {
            let (bytes, header) = Header::create(&self.root, &self.identity)?;
            if let Err(err) = disk::write_durably(&self.file, &self.path, &bytes, 0) {
                // An empty journal is a new one: the next open writes its header again. (If
                // even the cut fails, the next open names the header cut short.)
                let _ = disk::cut(&self.file, 0);
                return Err(disk::storage_error(
                    &self.path,
                    "writing the header of a new journal failed",
                    &err,
                ));
            }
            sync_dir(&self.dir)?;
            header
        } else {
            Header::read(&self.file, &self.path, &self.root, &self.identity)?
        };
        self.header = header;
        self.rewind();
        Ok(())
    }

    /// Forgets every record read: the next catch-up reads from the first record.
    fn rewind(&mut self) {
        self.applied = self.header.len;
        self.chain = self.header.tag;
        self.records = 0;
        self.seen = None;
    }

    /// Whether anyone has appended to, cut or replaced the journal since this handle last
    /// read or wrote it: one `stat`, no lock.
    pub(crate) fn changed(&self) -> Result<bool> {
        Ok(self.seen != Some(Fingerprint::of(&self.path)?))
    }

    /// Applies to `keyring` the records appended since it was last brought up to date.
    ///
    /// Without the lock, a damaged or incomplete last record may be an append in progress:
    /// it is left for later. With the lock (`exclusive`), it is what a crash left behind and is
    /// cut off; a record that fails authentication followed by one that passes is a changed
    /// or damaged journal, and an error.
    pub(crate) fn catch_up(&mut self, keyring: &mut Keyring, exclusive: bool) -> Result<()> {
        let mut seen = Fingerprint::of(&self.path)?;
        if self.unsaved_tail.is_some() {
            if !self.settle_unsaved_tail(&seen, exclusive)? {
                // Only this handle's failed append follows what was applied.
                self.seen = Some(seen);
                return Ok(());
            }
            seen = Fingerprint::of(&self.path)?;
        }
        if self.replaced(&seen)? {
            self.reopen()?;
            *keyring = Keyring::default();
        }
        let len = self.len()?;
        if len > self.applied {
            self.read_records(keyring, len, exclusive)?;
        }
        self.seen = Some(seen);
        Ok(())
    }

    /// Applies the records between what was applied and `len`; see [`Journal::catch_up`].
    fn read_records(&mut self, keyring: &mut Keyring, len: u64, exclusive: bool) -> Result<()> {
        let unread = usize::try_from(len - self.applied)
            .map_err(|_| store_error(&self.path, "is too large to read"))?;
        let mut bytes = vec![0u8; unread];
        platform::read_exact_at(&self.file, &mut bytes, self.applied)
            .map_err(|err| io_error(&self.path, "cannot read the journal", err))?;
        let replayed = replay::replay(&bytes, self.chain, &self.root, &self.identity, keyring)
            .map_err(|(offset, why)| {
                let at = self.applied + offset as u64;
                store_error(&self.path, format!("record at byte {at}{why}"))
            })?;
        let offset = replayed.len;
        self.chain = replayed.chain;
        self.records += replayed.records;
        self.applied += offset as u64;
        if exclusive && offset < bytes.len() {
            let tail = &bytes[offset..];
            if Frame::valid_record_follows(tail, &self.root) {
                return Err(store_error(
                    &self.path,
                    format!(
                        "the record at byte {} fails authentication: the journal was changed \
                         or damaged",
                        self.applied
                    ),
                ));
            }
            tracing::warn!(
                journal = %self.path.display(),
                at_byte = self.applied,
                torn_bytes = tail.len(),
                "discarding the torn last record of an append a crash interrupted",
            );
            disk::cut(&self.file, self.applied)
                .map_err(|err| io_error(&self.path, "cannot cut off a torn record", err))?;
        }
        Ok(())
    }

    /// Writes the records of what `keyring` changed, durably, as one frame. Call with the
    /// lock held.
    fn append(&mut self, keyring: &Keyring, touched: &[Touched]) -> Result<()> {
        if touched.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        let mut chain = self.chain;
        self.frame_records(&mut bytes, &mut chain, keyring, touched)?;
        disk::write_durably(&self.file, &self.path, &bytes, self.applied)
            .map_err(|err| disk::storage_error(&self.path, "writing the journal failed", &err))?;
        self.applied += bytes.len() as u64;
        self.chain = chain;
        self.records += touched.len() as u64;
        Ok(())
    }

    /// Takes back a change whose append failed: cuts off whatever part of it reached the
    /// journal, and reloads `keyring` from the records before it. Neither this process nor
    /// the next to open the store sees the change. (Only if the cut fails too, and the
    /// process stops before a later change cuts it, may a whole record of it remain, written
    /// but never acknowledged.)
    fn undo_append(&mut self, keyring: &mut Keyring) {
        let kept = self.applied;
        if let Err(err) = disk::cut(&self.file, kept) {
            tracing::error!(
                journal = %self.path.display(),
                error = %err,
                "cannot cut off a failed append; it is cut before the next change",
            );
            self.unsaved_tail = Fingerprint::of(&self.path).ok();
        }
        *keyring = Keyring::default();
        self.rewind();
        if let Err(err) = self.read_records(keyring, kept, false) {
            // Left empty, with nothing applied: the next read or change loads it again.
            tracing::error!(journal = %self.path.display(), error = %err, "cannot reload");
            *keyring = Keyring::default();
            self.rewind();
        }
        keyring.take_touched();
    }

    /// Deals with the bytes of a failed append that could not be cut off, before the journal
    /// is read: with the lock (`exclusive`), cuts them off now. Whether the journal may be
    /// read: false while they are all that follows what was applied.
    fn settle_unsaved_tail(&mut self, seen: &Fingerprint, exclusive: bool) -> Result<bool> {
        if self.unsaved_tail != Some(*seen) {
            // Another process changed the journal since, under the lock: it cut them off,
            // or compacted the journal.
            self.unsaved_tail = None;
            return Ok(true);
        }
        if !exclusive {
            return Ok(false);
        }
        disk::cut(&self.file, self.applied).map_err(|err| {
            disk::storage_error(
                &self.path,
                "cutting off an earlier failed write failed",
                &err,
            )
        })?;
        self.unsaved_tail = None;
        Ok(true)
    }

    /// Appends to `bytes` one frame with the records of `changes` as they are in `keyring`,
    /// chained to `chain`.
    fn frame_records(
        &self,
        bytes: &mut Vec<u8>,
        chain: &mut [u8; MAC_LEN],
        keyring: &Keyring,
        changes: &[Touched],
    ) -> Result<()> {
        let records = changes
            .iter()
            .map(|change| Record::of(keyring, change, &self.root))
            .collect::<Result<Vec<_>>>()?;
        let payload = serde_json::to_vec(&records)
            .map_err(|err| crate::random::internal(&format!("record encoding: {err}")))?;
        frame::append(bytes, chain, &payload, &self.root)
    }

    /// Whether the journal holds so many superseded records that it is worth rewriting.
    fn wants_compaction(&self, keyring: &Keyring) -> bool {
        let live = (keyring.keys.len() + keyring.aliases.len()) as u64;
        self.records >= COMPACT_MIN_RECORDS.max(self.compact_deferred_until)
            && self.records > COMPACT_RATIO * live.max(1)
    }

    /// Rewrites the journal as one record per key and alias of `keyring` (which must be up to
    /// date), into a new file renamed over the journal. Call with the lock held.
    fn compact(&mut self, keyring: &Keyring) -> Result<()> {
        let (mut bytes, header) = Header::create(&self.root, &self.identity)?;
        let mut chain = header.tag;
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
            self.frame_records(&mut bytes, &mut chain, keyring, &[change])?;
            records += 1;
        }
        let compact_path = self.dir.join(COMPACT_FILE);
        let file = match self.replace_journal(&compact_path, &bytes) {
            Ok(file) => file,
            Err(err) => {
                // The journal is as it was; the partial file would only take space.
                let _ = std::fs::remove_file(&compact_path);
                self.compact_deferred_until = self.records + COMPACT_MIN_RECORDS;
                return Err(err);
            }
        };
        tracing::debug!(
            journal = %self.path.display(),
            records_before = self.records,
            records_after = records,
            bytes_before = self.applied,
            bytes_after = bytes.len(),
            "compacted the journal",
        );
        self.file = file;
        self.header = header;
        self.applied = bytes.len() as u64;
        self.chain = chain;
        self.records = records;
        Ok(())
    }

    /// Writes `bytes` durably into a new file at `compact_path` and renames it over the
    /// journal; returns the file, open.
    fn replace_journal(&self, compact_path: &Path, bytes: &[u8]) -> Result<File> {
        let file = platform::private_file(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true),
        )
        .open(compact_path)
        .map_err(|err| io_error(compact_path, "cannot create", err))?;
        disk::write_durably(&file, compact_path, bytes, 0)
            .map_err(|err| io_error(compact_path, "cannot write", err))?;
        std::fs::rename(compact_path, &self.path).map_err(|err| {
            io_error(&self.path, "cannot replace with the compacted journal", err)
        })?;
        sync_dir(&self.dir)?;
        Ok(file)
    }

    /// Whether another process has compacted the journal: the path, as `named` describes
    /// it, names another file than the one open here.
    fn replaced(&self, named: &Fingerprint) -> Result<bool> {
        let unchanged = match named.id {
            Some(id) => {
                let open = self.file.metadata().map_err(|err| {
                    io_error(&self.path, "cannot read the journal's metadata", err)
                })?;
                platform::file_id(&open) == Some(id)
            }
            None => platform::is_same_file(&self.file, &self.path)
                .map_err(|err| io_error(&self.path, "cannot read the journal's identity", err))?,
        };
        Ok(!unchanged)
    }

    /// Opens the file the journal's path names now, to be read from the start.
    fn reopen(&mut self) -> Result<()> {
        self.file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(|err| io_error(&self.path, "cannot open the journal", err))?;
        self.open_header()
    }

    /// Brings `keyring` up to date, applies `change` to it and makes what it changed durable,
    /// all under the store's lock. If the change cannot be written, it is taken back (see
    /// [`Journal::undo_append`]), so memory never holds what the disk does not, and the error
    /// is a retryable `KMSInternalException`.
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
            self.undo_append(keyring);
            return Err(err);
        }
        if self.wants_compaction(keyring)
            && let Err(err) = self.compact(keyring)
        {
            // The change itself is durable; the journal stays as long as it was.
            tracing::warn!(journal = %self.path.display(), error = %err, "cannot compact");
        }
        // Nobody else appends while the lock is held: the journal is as this handle wrote it.
        // (Unknown if the stat fails: then the next read reads the journal again.)
        self.seen = Fingerprint::of(&self.path).ok();
        result
    }

    /// Takes the store's exclusive lock, waiting up to [`LOCK_TIMEOUT`] (blocking the
    /// thread).
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
    platform::sync_dir(dir).map_err(|err| io_error(dir, "cannot sync the directory", err))
}
