//! The materials cache: a bounded LRU map from cache identifier to materials, safe to share
//! between threads and between caching materials managers.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::keyring::{DecryptionMaterials, EncryptionMaterials};
use crate::materials::caching::cache_id::CacheId;
use crate::materials::caching::flight::Flights;

/// How many least recently used entries each access checks for expiry, so that expired
/// data keys are wiped even when nobody asks for them again.
const PRUNE_TAIL: usize = 2;

/// Cached materials of either direction.
pub(crate) enum Cached {
    /// Materials to encrypt with.
    Encrypt(EncryptionMaterials),
    /// Materials to decrypt with.
    Decrypt(DecryptionMaterials),
}

/// One entry: the materials, when they expire, and what they have encrypted so far.
struct Entry {
    materials: Arc<Cached>,
    expires_at: Instant,
    messages: u64,
    bytes: u64,
    last_used: u64,
}

/// The usage limits an encryption entry is checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsageLimits {
    pub(crate) max_messages: u64,
    pub(crate) max_bytes: u64,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<CacheId, Entry>,
    /// Entries by last use, least recent first.
    order: BTreeMap<u64, CacheId>,
    tick: u64,
}

impl Lru {
    fn touch(&mut self, id: &CacheId) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(entry) = self.entries.get_mut(id) {
            self.order.remove(&entry.last_used);
            entry.last_used = tick;
            self.order.insert(tick, *id);
        }
    }

    /// Removes an entry; dropping it wipes its keys.
    fn remove(&mut self, id: &CacheId) {
        if let Some(entry) = self.entries.remove(id) {
            self.order.remove(&entry.last_used);
        }
    }

    fn prune_expired_tail(&mut self, now: Instant) {
        let expired: Vec<CacheId> = self
            .order
            .values()
            .take(PRUNE_TAIL)
            .filter(|id| {
                self.entries
                    .get(*id)
                    .is_some_and(|entry| entry.expires_at <= now)
            })
            .copied()
            .collect();
        for id in expired {
            self.remove(&id);
        }
    }
}

/// A thread-safe, bounded cache of materials with least-recently-used eviction.
///
/// Evicted, expired and replaced entries are dropped at once, which wipes their data keys
/// and signing keys. Share one between several
/// [`CachingMaterialsManager`](crate::CachingMaterialsManager)s as an `Arc`: they share
/// entries when they also share a partition id.
pub struct MaterialsCache {
    capacity: usize,
    lru: Mutex<Lru>,
    flights: Flights,
}

impl fmt::Debug for MaterialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaterialsCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl MaterialsCache {
    /// A cache of at most `capacity` entries.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if `capacity` is 0 (to cache nothing, do not use a caching
    /// materials manager).
    pub fn new(capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::invalid("the cache capacity must be at least 1"));
        }
        Ok(Self {
            capacity,
            lru: Mutex::new(Lru::default()),
            flights: Flights::default(),
        })
    }

    /// The most entries the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of entries, expired ones not yet removed included.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every entry, wiping its keys.
    pub fn clear(&self) {
        let mut lru = self.lock();
        lru.entries.clear();
        lru.order.clear();
    }

    fn lock(&self) -> MutexGuard<'_, Lru> {
        // The map stays consistent even if a holder panicked: every update is one step.
        self.lru
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn flights(&self) -> &Flights {
        &self.flights
    }

    /// The encryption materials of `id`, counting one more message of `bytes` bytes; an
    /// entry that has expired or exceeds a limit with this message is removed instead.
    pub(crate) fn get_for_encrypt(
        &self,
        id: &CacheId,
        now: Instant,
        bytes: u64,
        limits: UsageLimits,
    ) -> Option<EncryptionMaterials> {
        let mut lru = self.lock();
        lru.prune_expired_tail(now);
        let entry = lru.entries.get_mut(id)?;
        entry.messages = entry.messages.saturating_add(1);
        entry.bytes = entry.bytes.saturating_add(bytes);
        let usable = entry.expires_at > now
            && entry.messages <= limits.max_messages
            && entry.bytes <= limits.max_bytes;
        let materials = match (&*entry.materials, usable) {
            (Cached::Encrypt(materials), true) => materials.duplicate(),
            _ => {
                lru.remove(id);
                return None;
            }
        };
        lru.touch(id);
        Some(materials)
    }

    /// The decryption materials of `id`, unless expired (then the entry is removed).
    pub(crate) fn get_for_decrypt(
        &self,
        id: &CacheId,
        now: Instant,
    ) -> Option<DecryptionMaterials> {
        let mut lru = self.lock();
        lru.prune_expired_tail(now);
        let entry = lru.entries.get(id)?;
        let materials = match (&*entry.materials, entry.expires_at > now) {
            (Cached::Decrypt(materials), true) => materials.duplicate(),
            _ => {
                lru.remove(id);
                return None;
            }
        };
        lru.touch(id);
        Some(materials)
    }

    /// Stores materials under `id`, replacing any entry there, with the usage of their first
    /// message; evicts the least recently used entry when the cache is full.
    pub(crate) fn put(
        &self,
        id: CacheId,
        materials: Cached,
        expires_at: Instant,
        messages: u64,
        bytes: u64,
    ) {
        let mut lru = self.lock();
        lru.remove(&id);
        while lru.entries.len() >= self.capacity {
            let Some((_, oldest)) = lru.order.pop_first() else {
                break;
            };
            lru.entries.remove(&oldest);
        }
        lru.entries.insert(
            id,
            Entry {
                materials: Arc::new(materials),
                expires_at,
                messages,
                bytes,
                last_used: 0,
            },
        );
        lru.touch(&id);
    }

    /// A handle that tells whether the materials now under `id` are still alive.
    #[cfg(test)]
    pub(crate) fn watch(&self, id: &CacheId) -> Option<std::sync::Weak<Cached>> {
        self.lock()
            .entries
            .get(id)
            .map(|entry| Arc::downgrade(&entry.materials))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use kms_core::{EncryptionContext, SecretBytes};

    use super::*;
    use crate::suite::AlgorithmSuite;

    fn materials() -> Cached {
        let mut materials = EncryptionMaterials::new(
            AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
            EncryptionContext::new(),
        );
        materials
            .set_data_key(SecretBytes::from(vec![9; 32]))
            .unwrap();
        Cached::Encrypt(materials)
    }

    const LIMITS: UsageLimits = UsageLimits {
        max_messages: 2,
        max_bytes: 100,
    };

    #[test]
    fn evicted_expired_and_exhausted_keys_are_dropped_at_once() {
        let cache = MaterialsCache::new(1).unwrap();
        let now = Instant::now();
        let later = now + Duration::from_secs(10);

        cache.put([1; 48], materials(), later, 1, 0);
        let evicted = cache.watch(&[1; 48]).unwrap();
        cache.put([2; 48], materials(), later, 1, 0);
        assert!(evicted.upgrade().is_none(), "the evicted entry is gone");

        let exhausted = cache.watch(&[2; 48]).unwrap();
        assert!(cache.get_for_encrypt(&[2; 48], now, 0, LIMITS).is_some());
        assert!(cache.get_for_encrypt(&[2; 48], now, 0, LIMITS).is_none());
        assert!(exhausted.upgrade().is_none(), "the exhausted entry is gone");

        cache.put([3; 48], materials(), later, 1, 0);
        let expired = cache.watch(&[3; 48]).unwrap();
        assert!(cache.get_for_decrypt(&[4; 48], later).is_none());
        assert!(expired.upgrade().is_none(), "the expired tail was pruned");
        assert!(cache.is_empty());

        cache.put([5; 48], materials(), later, 1, 0);
        let cleared = cache.watch(&[5; 48]).unwrap();
        cache.clear();
        assert!(cleared.upgrade().is_none());
    }

    #[test]
    fn an_entry_of_one_direction_is_not_served_to_the_other() {
        let cache = MaterialsCache::new(4).unwrap();
        let now = Instant::now();
        cache.put([1; 48], materials(), now + Duration::from_secs(1), 1, 0);
        assert!(cache.get_for_decrypt(&[1; 48], now).is_none());
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn flights_are_released() {
        let cache = MaterialsCache::new(1).unwrap();
        {
            let _first = cache.flights().join([1; 48]).await;
            assert_eq!(cache.flights().len(), 1);
        }
        assert_eq!(cache.flights().len(), 0);
    }
}
