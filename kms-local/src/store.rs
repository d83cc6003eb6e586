//! The store: the keyring behind a reader-writer lock, the identity, the clock, and for a
//! durable store its journal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, TryLockError, Weak};
use std::time::{Duration, Instant, SystemTime};

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard};
use kms_core::Result;

use crate::durable::Journal;
use crate::state::{Identity, Keyring};
use crate::world::World;

/// Where the backend reads the time; replaceable in tests to let deletion windows pass.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// How stale a durable store's view of changes made by other processes may get. (AWS KMS
/// itself is eventually consistent, within seconds to minutes.)
const REFRESH_INTERVAL: Duration = Duration::from_millis(50);

/// The state of one `LocalKms` and its clones.
///
/// The keyring sits behind a sharded reader-writer lock: a reader locks only the shard of its
/// own thread, so cryptographic operations, which only read, run in parallel on every core
/// without touching a shared cache line. Changes to keys and aliases lock every shard, and so
/// does a durable store's catch-up with its journal, but only when the journal changed.
pub(crate) struct Store {
    pub(crate) identity: Identity,
    clock: Clock,
    /// The world this store is one account and Region of (it owns the store).
    world: Weak<World>,
    keyring: ShardedLock<Keyring>,
    durable: Option<Durable>,
}

/// The journal of a durable store, and when the keyring last read it.
struct Durable {
    journal: Mutex<Journal>,
    opened: Instant,
    /// Milliseconds after `opened` when the keyring last caught up with the journal.
    caught_up_ms: AtomicU64,
}

impl Store {
    /// A store held in memory only.
    pub(crate) fn in_memory(identity: Identity, clock: Clock, world: Weak<World>) -> Self {
        Self {
            identity,
            clock,
            world,
            keyring: ShardedLock::new(Keyring::default()),
            durable: None,
        }
    }

    /// A store kept in `journal`, starting from `keyring`, the state it holds.
    pub(crate) fn durable(
        identity: Identity,
        clock: Clock,
        world: Weak<World>,
        (journal, keyring): (Journal, Keyring),
    ) -> Self {
        Self {
            identity,
            clock,
            world,
            keyring: ShardedLock::new(keyring),
            durable: Some(Durable {
                journal: Mutex::new(journal),
                opened: Instant::now(),
                caught_up_ms: AtomicU64::new(0),
            }),
        }
    }

    /// The current time.
    pub(crate) fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The world of this store, for the changes that span Regions.
    ///
    /// # Errors
    ///
    /// `KMSInternalException` if the world is gone, which no handle lets happen (each holds
    /// its world).
    pub(crate) fn world(&self) -> Result<Arc<World>> {
        self.world
            .upgrade()
            .ok_or_else(|| crate::random::internal("a store outlived its world"))
    }

    /// The keyring, to read. A durable store first reads what other processes appended to its
    /// journal, at most every [`REFRESH_INTERVAL`], and only when the journal changed (a
    /// `stat` tells, without locking the keyring).
    ///
    /// (A panic while a lock was held cannot leave the keyring half changed: every change is
    /// validated first and applied last, so poisoning is ignored.)
    pub(crate) fn read(&self) -> Result<ShardedLockReadGuard<'_, Keyring>> {
        if let Some(durable) = &self.durable
            && durable.is_due()
        {
            if durable.journal_changed()? {
                let mut keyring = self.keyring.write().unwrap_or_else(PoisonError::into_inner);
                let mut journal = durable
                    .journal
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                journal.catch_up(&mut keyring, false)?;
                keyring.take_touched();
            }
            durable.caught_up();
        }
        let keyring = self.peek();
        if keyring.rotation_due(|| self.now())
            || keyring.expiry_due(|| self.now())
            || keyring.transition_due(|| self.now())
        {
            // Rotations, expiries and the end of a transient key state are changes: made (and for a durable store, written) under the
            // write lock before anything reads the key.
            drop(keyring);
            self.mutate(|_, _| Ok(()))?;
            return Ok(self.peek());
        }
        Ok(keyring)
    }

    /// The keyring as this process last saw it, without reading the journal.
    pub(crate) fn peek(&self) -> ShardedLockReadGuard<'_, Keyring> {
        self.keyring.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `change` to the keyring, with the keys whose deletion date has passed removed
    /// and the automatic rotations that are due made first. A durable store first catches up with the journal under its lock, and writes
    /// what changed before returning.
    pub(crate) fn mutate<T>(
        &self,
        change: impl FnOnce(&mut Keyring, SystemTime) -> Result<T>,
    ) -> Result<T> {
        let now = self.now();
        let mut keyring = self.keyring.write().unwrap_or_else(PoisonError::into_inner);
        let Some(durable) = &self.durable else {
            keyring.purge(now);
            keyring.transition_due_keys(now);
            keyring.expire_due(now);
            let result = keyring
                .rotate_due(now)
                .and_then(|()| change(&mut keyring, now));
            keyring.take_touched();
            return result;
        };
        let mut journal = durable
            .journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let result = journal.commit(&mut keyring, |keyring| {
            keyring.purge(now);
            keyring.transition_due_keys(now);
            keyring.expire_due(now);
            keyring.rotate_due(now)?;
            change(keyring, now)
        });
        // A failed write reloads the keyring from the journal; if that failed too, the next
        // read must try again rather than wait for the refresh interval.
        if result.is_ok() {
            durable.caught_up();
        }
        result
    }
}

impl Store {
    /// The ARN of the key `key_id` names, if it names one now.
    pub(crate) fn key_arn(&self, key_id: &kms_core::KeyId) -> Option<String> {
        let keyring = self.read().ok()?;
        let key = keyring
            .resolve(&self.identity, key_id, || self.now())
            .ok()?;
        Some(key.arn.clone())
    }

    /// Adds the keys of a seed.
    pub(crate) fn seed(&self, seed: &crate::seed::SeedFile) -> Result<()> {
        self.mutate(|keyring, now| crate::seed::apply(seed, keyring, &self.identity, now))
    }
}

impl Durable {
    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_due(&self) -> bool {
        let interval = u64::try_from(REFRESH_INTERVAL.as_millis()).unwrap_or(u64::MAX);
        let last = self.caught_up_ms.load(Ordering::Relaxed);
        self.elapsed_ms().saturating_sub(last) >= interval
    }

    /// Whether the journal changed since this handle last read or wrote it. A journal busy
    /// in another thread's catch-up or commit counts as unchanged: that thread is bringing
    /// the keyring up to date, and readers wait for it on the keyring's lock.
    fn journal_changed(&self) -> Result<bool> {
        match self.journal.try_lock() {
            Ok(journal) => journal.changed(),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().changed(),
            Err(TryLockError::WouldBlock) => Ok(false),
        }
    }

    fn caught_up(&self) {
        self.caught_up_ms
            .store(self.elapsed_ms(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::Instant;

    use kms_core::{CreateKeyRequest, SecretBytes};

    use super::*;
    use crate::LocalKms;

    fn open(dir: &std::path::Path) -> LocalKms {
        LocalKms::builder()
            .path(dir)
            .root_key(SecretBytes::from(&[6u8; 32]))
            .build()
            .unwrap()
    }

    /// Whether `read` returns within a second while this thread holds a read guard: it
    /// would not if it took the write lock, which waits for every reader.
    fn read_beside_a_reader(store: &Store) -> bool {
        std::thread::scope(|scope| {
            let _reader = store.peek();
            let other = scope.spawn(|| store.read().map(|keyring| keyring.keys.len()));
            let started = Instant::now();
            while !other.is_finished() && started.elapsed() < Duration::from_secs(1) {
                std::thread::sleep(Duration::from_millis(5));
            }
            other.is_finished()
        })
    }

    #[test]
    fn a_catch_up_takes_the_write_lock_only_when_the_journal_changed() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("store");
        let kms = open(&dir);
        let other = open(&dir);

        // Nothing changed: a due catch-up does not wait for the reader.
        std::thread::sleep(REFRESH_INTERVAL * 2);
        assert!(
            read_beside_a_reader(&kms.store),
            "an unchanged journal took the write lock"
        );
        std::thread::sleep(REFRESH_INTERVAL * 2);
        assert!(
            read_beside_a_reader(&kms.store),
            "an unchanged journal took the write lock"
        );

        // Another handle appended: the catch-up takes the write lock (it waits for the
        // reader) and reads the change.
        other.store.create_key(CreateKeyRequest::new()).unwrap();
        std::thread::sleep(REFRESH_INTERVAL * 2);
        assert!(
            !read_beside_a_reader(&kms.store),
            "a changed journal was not read"
        );
        assert_eq!(kms.store.read().unwrap().keys.len(), 1);

        // Its own change needs no catch-up either.
        kms.store.create_key(CreateKeyRequest::new()).unwrap();
        std::thread::sleep(REFRESH_INTERVAL * 2);
        assert!(
            read_beside_a_reader(&kms.store),
            "its own change was read again"
        );
        assert_eq!(kms.store.read().unwrap().keys.len(), 2);
    }
}
