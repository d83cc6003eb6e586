//! The world: every account and Region that a `LocalKms` and its siblings play, one store per
//! (account, Region), each made on first use.
//!
//! A handle looks its store up once, when it is made: calls never touch the world's locks,
//! except the few changes that span the Regions of a multi-Region key (`ReplicateKey`,
//! `UpdatePrimaryRegion`, rotation and deletion of a multi-Region key), which hold
//! [`World::lock_sets`] while they change each store in turn.
//!
//! A durable world rooted at `DIR` keeps the layout `kms serve` has always used, so that each
//! directory is still a store of its own (journal, lock, root key) that opens alone:
//!
//! ```text
//! DIR/                               the builder's account and Region
//! DIR/regions/REGION/                another Region, the builder's account
//! DIR/accounts/ACCOUNT/REGION/       another account, any Region
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use kms_core::Result;

use crate::audit::AuditGate;
use crate::durable::{Journal, RootKeySource};
use crate::state::Identity;
use crate::store::{Clock, Store};

/// An account and a Region.
type Scope = (String, String);

/// The stores of every account and Region, and what they share.
pub(crate) struct World {
    clock: Clock,
    /// How long the transient key states `Creating` and `Updating` last.
    settle_after: Duration,
    durable: Option<DurableRoot>,
    audit: Option<Arc<AuditGate>>,
    stores: Mutex<HashMap<Scope, Arc<Store>>>,
    /// Held by every change that spans the Regions of a multi-Region key.
    sets: Mutex<()>,
}

/// Where a durable world keeps its stores.
pub(crate) struct DurableRoot {
    /// The directory of the home store.
    pub(crate) dir: PathBuf,
    /// The account and Region of the home store.
    pub(crate) home: (String, String),
    /// The root key of every store, when the builder names one; else each directory's own.
    pub(crate) root_key: Option<RootKeySource>,
}

impl World {
    /// A world without stores yet.
    pub(crate) fn new(
        clock: Clock,
        settle_after: Duration,
        durable: Option<DurableRoot>,
        audit: Option<Arc<AuditGate>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            clock,
            settle_after,
            durable,
            audit,
            stores: Mutex::new(HashMap::new()),
            sets: Mutex::new(()),
        })
    }

    /// How long `Creating` and `Updating` last.
    pub(crate) fn settle_after(&self) -> Duration {
        self.settle_after
    }

    /// The audit log, if there is one.
    pub(crate) fn audit(&self) -> Option<&Arc<AuditGate>> {
        self.audit.as_ref()
    }

    /// Whether the stores are kept in directories.
    pub(crate) fn is_durable(&self) -> bool {
        self.durable.is_some()
    }

    /// Serializes the changes that span the Regions of a multi-Region key.
    pub(crate) fn lock_sets(&self) -> MutexGuard<'_, ()> {
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store of `account` in `region` (both checked by the caller), made (or, in a
    /// durable world, opened) on first use.
    ///
    /// # Errors
    ///
    /// Those of opening a durable store (see [`crate::LocalKmsBuilder::build`]).
    pub(crate) fn store(self: &Arc<Self>, account: &str, region: &str) -> Result<Arc<Store>> {
        let Some(durable) = &self.durable else {
            return Ok(self.in_memory_store(account, region));
        };
        let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        let scope = (account.to_owned(), region.to_owned());
        if let Some(store) = stores.get(&scope) {
            return Ok(Arc::clone(store));
        }
        let identity = Identity::new(account, region);
        let dir = durable.dir_of(account, region);
        let opened = Journal::open(&dir, durable.root_key.as_ref(), identity.clone())?;
        let store = Store::durable(
            identity,
            Arc::clone(&self.clock),
            Arc::downgrade(self),
            opened,
        );
        let store = Arc::new(store);
        stores.insert(scope, Arc::clone(&store));
        Ok(store)
    }

    /// The store of `account` in `region` of a world held in memory, made on first use.
    pub(crate) fn in_memory_store(self: &Arc<Self>, account: &str, region: &str) -> Arc<Store> {
        let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        let scope = (account.to_owned(), region.to_owned());
        let store = stores.entry(scope).or_insert_with(|| {
            let identity = Identity::new(account, region);
            Arc::new(Store::in_memory(
                identity,
                Arc::clone(&self.clock),
                Arc::downgrade(self),
            ))
        });
        Arc::clone(store)
    }
}

impl DurableRoot {
    /// The directory of the store of `account` in `region`.
    fn dir_of(&self, account: &str, region: &str) -> PathBuf {
        let (home_account, home_region) = &self.home;
        let mut dir = self.dir.clone();
        if account == home_account && region == home_region {
            return dir;
        }
        if account == home_account {
            dir.push("regions");
        } else {
            dir.push("accounts");
            dir.push(account);
        }
        dir.push(region);
        dir
    }
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("World")
            .field("stores", &stores.len())
            .field("settle_after", &self.settle_after)
            .field(
                "durable",
                &self.durable.as_ref().map(|durable| &durable.dir),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_stores_keep_the_server_layout() {
        let root = DurableRoot {
            dir: PathBuf::from("/keys"),
            home: ("111122223333".to_owned(), "us-east-1".to_owned()),
            root_key: None,
        };
        assert_eq!(
            root.dir_of("111122223333", "us-east-1"),
            PathBuf::from("/keys")
        );
        assert_eq!(
            root.dir_of("111122223333", "eu-west-1"),
            PathBuf::from("/keys/regions/eu-west-1")
        );
        assert_eq!(
            root.dir_of("444455556666", "us-east-1"),
            PathBuf::from("/keys/accounts/444455556666/us-east-1")
        );
    }
}
