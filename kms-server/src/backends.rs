//! The backend of each region and account: one backend for all of them, or one per
//! region and account made on first use by a [`BackendFactory`] and kept.
//!
//! [`UrlBackends`] makes them from a [`KmsConfig`]: for the local backend, handles of one
//! local world in each region and account (so a multi-Region key replicated from one region is
//! there in the other, in memory too); for AWS, a client of each region. A persistent local
//! store (`local:///DIR`) keeps every region's keys, laid out as:
//!
//! ```text
//! DIR/                               the URL's region and account
//! DIR/regions/REGION/                another region, the URL's account
//! DIR/accounts/ACCOUNT/REGION/       another account (a credential's), any region
//! ```
//!
//! Each directory is a store of its own (journal, lock and root key, or the root key of
//! `KMS_LOCAL_ROOT_KEY`), so a store opened alone with `local:///DIR/regions/eu-west-1?region=eu-west-1`
//! shows the same keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use kms::{KmsConfig, RegionalKms};
use kms_core::{DynKms, Error, Result};

/// How many regions and accounts a server makes backends for, so that callers naming ever
/// new regions cannot grow its memory without bound.
pub const MAX_SCOPES: usize = 64;

/// A region and the account asking (`None`: the backend's own account).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The region, such as `eu-west-1`.
    pub region: String,
    /// The 12-digit account of the caller's credential; `None` when requests are not
    /// verified.
    pub account: Option<String>,
}

/// Makes the backend of a region and account.
#[async_trait]
pub trait BackendFactory: fmt::Debug + Send + Sync + 'static {
    /// The region of unsigned requests.
    fn default_region(&self) -> &str;

    /// The backend of `scope`, called once per scope.
    async fn create(&self, scope: &Scope) -> Result<Arc<DynKms>>;
}

/// Where requests go.
enum Source {
    /// One backend for every region and account.
    One(Arc<DynKms>),
    /// A backend per region and account.
    Factory(Arc<dyn BackendFactory>),
}

/// The backends of a server, by region and account.
pub struct Backends {
    source: Source,
    made: RwLock<HashMap<Scope, Arc<DynKms>>>,
    /// Held while a backend is made, so that each is made once.
    making: tokio::sync::Mutex<()>,
}

impl fmt::Debug for Backends {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::One(kms) => write!(f, "Backends(one: {kms})"),
            Source::Factory(factory) => write!(f, "Backends({factory:?})"),
        }
    }
}

impl Backends {
    /// One backend for every region and account.
    pub fn single(kms: Arc<DynKms>) -> Self {
        Self::from_source(Source::One(kms))
    }

    /// A backend per region and account, made by `factory` on first use and kept.
    pub fn per_region(factory: impl BackendFactory) -> Self {
        Self::from_source(Source::Factory(Arc::new(factory)))
    }

    fn from_source(source: Source) -> Self {
        Self {
            source,
            made: RwLock::new(HashMap::new()),
            making: tokio::sync::Mutex::new(()),
        }
    }

    /// The region of unsigned requests; `None` when one backend serves every region.
    pub fn default_region(&self) -> Option<&str> {
        match &self.source {
            Source::One(_) => None,
            Source::Factory(factory) => Some(factory.default_region()),
        }
    }

    /// The backend for a request from `region` (the default region when `None`) and
    /// `account`.
    ///
    /// # Errors
    ///
    /// `LimitExceededException` past [`MAX_SCOPES`] regions and accounts;
    /// `KMSInternalException` when the factory fails (its error is in the message).
    pub async fn get(&self, region: Option<&str>, account: Option<&str>) -> Result<Arc<DynKms>> {
        let factory = match &self.source {
            Source::One(kms) => return Ok(Arc::clone(kms)),
            Source::Factory(factory) => factory,
        };
        let scope = Scope {
            region: region.unwrap_or(factory.default_region()).to_owned(),
            account: account.map(str::to_owned),
        };
        if let Some(kms) = self.lookup(&scope) {
            return Ok(kms);
        }
        let _making = self.making.lock().await;
        if let Some(kms) = self.lookup(&scope) {
            return Ok(kms);
        }
        if self.len() >= MAX_SCOPES {
            return Err(Error::LimitExceeded {
                message: format!(
                    "This server serves at most {MAX_SCOPES} regions and accounts; region \
                     {} is not one of them.",
                    scope.region
                ),
            });
        }
        let kms = factory
            .create(&scope)
            .await
            .map_err(|err| Error::Internal {
                message: format!(
                    "The backend of region {} could not be opened: {err}",
                    scope.region
                ),
            })?;
        self.made
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(scope, Arc::clone(&kms));
        Ok(kms)
    }

    fn lookup(&self, scope: &Scope) -> Option<Arc<DynKms>> {
        self.made
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(scope)
            .cloned()
    }

    /// How many backends were made.
    fn len(&self) -> usize {
        self.made
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Drops every backend made, closing their stores.
    pub(crate) fn close(&self) {
        self.made
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// Backends made from a [`KmsConfig`] in each region and account (see the module
/// documentation for the layout of a persistent local store): the handles of one
/// [`RegionalKms`], connected on first use. For an `aws:` URL the account of a credential is
/// not used: requests go to AWS with the URL's credentials.
#[derive(Debug, Clone)]
pub struct UrlBackends {
    config: KmsConfig,
    default_region: String,
    world: Arc<tokio::sync::OnceCell<RegionalKms>>,
}

impl UrlBackends {
    /// Backends from `config`; unsigned requests go to its region (`us-east-1` when it
    /// names none).
    pub fn new(config: KmsConfig) -> Self {
        let region = match &config {
            KmsConfig::Local(local) => local.region.clone(),
            KmsConfig::Aws(aws) => aws.region.clone(),
            _ => None,
        };
        Self {
            default_region: region.unwrap_or_else(|| kms::kms_local::DEFAULT_REGION.to_owned()),
            config,
            world: Arc::new(tokio::sync::OnceCell::new()),
        }
    }
}

#[async_trait]
impl BackendFactory for UrlBackends {
    fn default_region(&self) -> &str {
        &self.default_region
    }

    async fn create(&self, scope: &Scope) -> Result<Arc<DynKms>> {
        let world = self
            .world
            .get_or_try_init(|| RegionalKms::connect(self.config.clone()))
            .await?;
        match &scope.account {
            Some(account) => world.in_region_for_account(&scope.region, account).await,
            None => world.in_region(&scope.region).await,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use kms_core::KmsExt;

    use super::*;

    #[tokio::test]
    async fn the_regions_of_a_local_url_are_one_world() {
        let factory = UrlBackends::new(KmsConfig::from_url("local:?region=eu-west-1").unwrap());
        assert_eq!(factory.default_region(), "eu-west-1");
        let backends = Backends::per_region(factory);
        let home = backends.get(None, None).await.unwrap();
        let request = kms_core::CreateKeyRequest::new().with_multi_region(true);
        let key = home.create_key(request).await.unwrap().key_metadata;
        let replicate = kms_core::ReplicateKeyRequest::new(
            kms_core::KeyId::parse(&key.key_id).unwrap(),
            "eu-west-3",
        );
        home.replicate_key(replicate).await.unwrap();
        // In memory too, the replica is in the other region's backend, under the same key ID.
        let paris = backends.get(Some("eu-west-3"), None).await.unwrap();
        let describe =
            kms_core::DescribeKeyRequest::new(kms_core::KeyId::parse(&key.key_id).unwrap());
        let replica = paris.describe_key(describe).await.unwrap().key_metadata;
        assert_eq!(replica.key_id, key.key_id);
        assert!(
            replica
                .arn
                .unwrap()
                .starts_with("arn:aws:kms:eu-west-3:111122223333:key/mrk-")
        );
    }

    #[tokio::test]
    async fn each_region_keeps_its_keys_across_restarts() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("store");
        let url = kms::local_store_url(&dir).unwrap();
        let backends = Backends::per_region(UrlBackends::new(KmsConfig::from_url(&url).unwrap()));
        let default = backends.get(None, None).await.unwrap();
        let paris = backends.get(Some("eu-west-3"), None).await.unwrap();
        let other = backends
            .get(Some("eu-west-3"), Some("444455556666"))
            .await
            .unwrap();
        let key = paris.create_symmetric_key("in Paris").await.unwrap();
        assert!(
            key.arn
                .unwrap()
                .starts_with("arn:aws:kms:eu-west-3:111122223333:key/")
        );
        let key = other.create_symmetric_key("another account").await.unwrap();
        assert!(
            key.arn
                .unwrap()
                .starts_with("arn:aws:kms:eu-west-3:444455556666:key/")
        );
        default.create_symmetric_key("at home").await.unwrap();
        // The same scope is the same backend.
        let again = backends.get(Some("eu-west-3"), None).await.unwrap();
        assert!(Arc::ptr_eq(&paris, &again));
        drop((default, paris, other, again));
        backends.close();
        drop(backends);

        let reopened = Backends::per_region(UrlBackends::new(KmsConfig::from_url(&url).unwrap()));
        for (region, account) in [
            (None, None),
            (Some("eu-west-3"), None),
            (Some("eu-west-3"), Some("444455556666")),
        ] {
            let kms = reopened.get(region, account).await.unwrap();
            assert!(
                kms.to_string().ends_with(", 1 key)"),
                "{kms} for {region:?} {account:?}"
            );
        }
        let alone = kms::connect(&format!(
            "{}?region=eu-west-3",
            kms::local_store_url(dir.join("regions/eu-west-3")).unwrap()
        ))
        .await
        .unwrap();
        assert_eq!(alone.to_string(), "LocalKms(eu-west-3, 1 key)");
    }

    #[tokio::test]
    async fn one_backend_serves_every_region() {
        let kms: Arc<DynKms> = Arc::new(kms::LocalKms::new());
        let backends = Backends::single(Arc::clone(&kms));
        let got = backends
            .get(Some("ap-south-1"), Some("444455556666"))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&kms, &got));
    }

    #[tokio::test]
    async fn regions_are_bounded() {
        let backends =
            Backends::per_region(UrlBackends::new(KmsConfig::from_url("local:").unwrap()));
        for index in 0..MAX_SCOPES {
            backends
                .get(Some(&format!("xx-test-{index}")), None)
                .await
                .unwrap();
        }
        let err = backends.get(Some("xx-test-last"), None).await.unwrap_err();
        assert_eq!(err.code(), "LimitExceededException");
        // Those made are still served.
        assert!(backends.get(Some("xx-test-0"), None).await.is_ok());
    }
}
