//! Single-flight fetches: one call to the underlying materials manager per cache entry at a
//! time; concurrent requests for the same entry wait for it and then read the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::materials::caching::cache_id::CacheId;

/// The fetches in flight, one lock per cache identifier.
#[derive(Debug, Default)]
pub(crate) struct Flights {
    locks: Mutex<HashMap<CacheId, Arc<AsyncMutex<()>>>>,
}

/// The right to fetch the materials of one cache identifier; released on drop.
pub(crate) struct Flight<'a> {
    flights: &'a Flights,
    id: CacheId,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Flights {
    /// Waits until no other fetch of `id` is in flight, and takes the turn.
    pub(crate) async fn join(&self, id: CacheId) -> Flight<'_> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(locks.entry(id).or_default())
        };
        let guard = lock.lock_owned().await;
        Flight {
            flights: self,
            id,
            guard: Some(guard),
        }
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut locks = self
            .flights
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Clones are made only under this map lock: two references (the map's and this
        // guard's) mean nobody waits, so the lock can go.
        if let Some(guard) = &self.guard
            && Arc::strong_count(OwnedMutexGuard::mutex(guard)) == 2
        {
            locks.remove(&self.id);
        }
        self.guard = None;
    }
}

#[cfg(test)]
impl Flights {
    /// The number of identifiers with a fetch in flight or awaited.
    pub(crate) fn len(&self) -> usize {
        self.locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}
