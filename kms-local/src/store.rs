//! The store: the keyring behind a reader-writer lock, the identity and the clock.

use std::sync::{Arc, PoisonError};
use std::time::SystemTime;

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard, ShardedLockWriteGuard};

use crate::state::{Identity, Keyring};

/// Where the backend reads the time; replaceable in tests to let deletion windows pass.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The state of one `LocalKms` and its clones.
///
/// The keyring sits behind a sharded reader-writer lock: a reader locks only the shard of its
/// own thread, so cryptographic operations, which only read, run in parallel on every core
/// without touching a shared cache line. Changes to keys and aliases lock every shard.
pub(crate) struct Store {
    pub(crate) identity: Identity,
    clock: Clock,
    keyring: ShardedLock<Keyring>,
}

impl Store {
    pub(crate) fn new(identity: Identity, clock: Clock) -> Self {
        Self {
            identity,
            clock,
            keyring: ShardedLock::new(Keyring::default()),
        }
    }

    /// The current time.
    pub(crate) fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The keyring, to read. (A panic while the lock was held cannot leave the keyring half
    /// changed: every change is validated first and applied last, so poisoning is ignored.)
    pub(crate) fn read(&self) -> ShardedLockReadGuard<'_, Keyring> {
        self.keyring.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The keyring, to change, with the keys whose deletion date has passed removed, and the
    /// current time.
    pub(crate) fn write(&self) -> (ShardedLockWriteGuard<'_, Keyring>, SystemTime) {
        let now = self.now();
        let mut keyring = self.keyring.write().unwrap_or_else(PoisonError::into_inner);
        keyring.purge(now);
        (keyring, now)
    }
}
