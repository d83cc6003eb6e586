//! The store: the keyring behind a reader-writer lock, the identity and the clock.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use crate::state::{Identity, Keyring};

/// Where the backend reads the time; replaceable in tests to let deletion windows pass.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The state of one `LocalKms` and its clones.
///
/// Cryptographic operations take the read lock only long enough to find the key, check its
/// state and clone an `Arc` of its material; they seal and open outside the lock, so any
/// number of them run in parallel. Only changes to keys and aliases take the write lock.
pub(crate) struct Store {
    pub(crate) identity: Identity,
    clock: Clock,
    keyring: RwLock<Keyring>,
}

impl Store {
    pub(crate) fn new(identity: Identity, clock: Clock) -> Self {
        Self {
            identity,
            clock,
            keyring: RwLock::new(Keyring::default()),
        }
    }

    /// The current time.
    pub(crate) fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The keyring, to read. (A panic while the lock was held cannot leave the keyring half
    /// changed: every change is validated first and applied last, so poisoning is ignored.)
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Keyring> {
        self.keyring.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The keyring, to change, with the keys whose deletion date has passed removed, and the
    /// current time.
    pub(crate) fn write(&self) -> (RwLockWriteGuard<'_, Keyring>, SystemTime) {
        let now = self.now();
        let mut keyring = self.keyring.write().unwrap_or_else(PoisonError::into_inner);
        keyring.purge(now);
        (keyring, now)
    }
}
