//! [`LocalConfig`]: the settings of the local backend.

use std::path::PathBuf;

use serde::Deserialize;

/// The settings of the local backend: `local:` URLs and `"backend": "local"` in config files.
///
/// Every field is optional; an empty `LocalConfig` is an in-memory store in `us-east-1` for
/// account `111122223333`. The values are checked once, by the local backend's builder, when
/// [`connect_config`](crate::connect_config) or [`local_builder`](crate::local_builder) hands
/// them to it.
///
/// ```
/// use kms::LocalConfig;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms::Result<()> {
/// let config = LocalConfig::new().with_region("eu-west-1");
/// assert_eq!(config.region.as_deref(), Some("eu-west-1"));
///
/// let config = kms::KmsConfig::Local(LocalConfig::new().with_account("12"));
/// let err = kms::connect_config(config).await.unwrap_err();
/// assert_eq!(err.message(), "account '12' must be 12 digits, such as '111122223333'");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LocalConfig {
    /// The AWS region the keys live in, such as `eu-west-1`; `us-east-1` when unset.
    pub region: Option<String>,
    /// The 12-digit AWS account that owns the keys; `111122223333` when unset.
    pub account: Option<String>,
    /// The directory of a persistent store, an absolute path; in memory when unset.
    pub path: Option<PathBuf>,
    /// A seed file whose keys are added when connecting (see `kms_local::SeedFile`).
    pub seed: Option<PathBuf>,
    /// A file to append the audit log to, one JSON event per line.
    pub audit: Option<PathBuf>,
    /// Faults to inject into every call (throttling, internal errors, latency), in the text
    /// form of [`FaultPlan`](crate::faults::FaultPlan), such as `throttling:0.1,seed:7`; a
    /// testing aid of this crate, not an AWS setting. None when unset.
    pub faults: Option<String>,
    /// Request quotas to enforce, as AWS does (`aws`), or of your choosing for a load test
    /// (`cryptographic:100`), in the text form of
    /// [`QuotaPlan`](crate::faults::QuotaPlan). None when unset.
    pub quotas: Option<String>,
}

impl LocalConfig {
    /// An in-memory store with the default region and account.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the account.
    #[must_use]
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Sets the directory of a persistent store.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets a seed file whose keys are added when connecting.
    #[must_use]
    pub fn with_seed(mut self, seed: impl Into<PathBuf>) -> Self {
        self.seed = Some(seed.into());
        self
    }

    /// Sets a file to append the audit log to.
    #[must_use]
    pub fn with_audit(mut self, audit: impl Into<PathBuf>) -> Self {
        self.audit = Some(audit.into());
        self
    }

    /// Sets the faults to inject (the text form of [`FaultPlan`](crate::faults::FaultPlan)).
    #[must_use]
    pub fn with_faults(mut self, faults: impl Into<String>) -> Self {
        self.faults = Some(faults.into());
        self
    }

    /// Sets the request quotas to enforce (the text form of
    /// [`QuotaPlan`](crate::faults::QuotaPlan)).
    #[must_use]
    pub fn with_quotas(mut self, quotas: impl Into<String>) -> Self {
        self.quotas = Some(quotas.into());
        self
    }
}
