//! `LocalKmsBuilder`: the region, account and clock of a `LocalKms`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use kms_core::{Error, Result, SecretBytes};

use crate::LocalKms;
use crate::audit::AuditSink;
use crate::durable::{Journal, RootKeySource};
use crate::seed::SeedFile;
use crate::state::Identity;
use crate::store::{Clock, Store};

/// The region of a backend built without one.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The account of a backend built without one.
pub const DEFAULT_ACCOUNT_ID: &str = "111122223333";

/// Builds a [`LocalKms`]; settings are checked in [`LocalKmsBuilder::build`].
///
/// ```
/// let kms = kms_local::LocalKms::builder()
///     .region("eu-west-1")
///     .account_id("444455556666")
///     .build()?;
/// assert_eq!(kms.to_string(), "LocalKms(eu-west-1, 0 keys)");
///
/// let err = kms_local::LocalKms::builder().account_id("12").build().unwrap_err();
/// assert!(err.to_string().contains("account '12'"));
/// # Ok::<(), kms_core::Error>(())
/// ```
#[derive(Default)]
pub struct LocalKmsBuilder {
    region: Option<String>,
    account_id: Option<String>,
    clock: Option<Clock>,
    path: Option<PathBuf>,
    root_key: Option<RootKeySource>,
    seeds: Vec<Seed>,
    audit: Option<Arc<dyn AuditSink>>,
}

/// A seed to apply when the backend is built.
enum Seed {
    File(PathBuf),
    Contents(SeedFile),
}

impl LocalKmsBuilder {
    /// The region ARNs name, such as `eu-west-1`; `us-east-1` by default.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The 12-digit account ARNs name; `111122223333` by default.
    #[must_use]
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Where the backend reads the time; the system clock by default. Tests use it to let a
    /// key's deletion window pass.
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Keeps the keys in the directory `path` (created with mode 0700 if missing) instead of
    /// in memory: every change is on disk before the operation returns, and other processes
    /// may open the same directory at the same time. The store remembers the region and
    /// account it was created for and opens for those only; a directory that group or
    /// others may access is refused. See [`LocalKmsBuilder::root_key`] for the key that
    /// encrypts key material there and authenticates the journal.
    ///
    /// ```
    /// use kms_core::KmsExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kms_core::Result<()> {
    /// # let scratch = tempfile::tempdir().map_err(|err| kms_core::Error::Config { message: err.to_string() })?;
    /// # let dir = scratch.path().join("kms");
    /// {
    ///     let kms = kms_local::LocalKms::builder().path(&dir).build_async().await?;
    ///     kms.create_symmetric_key("kept").await?;
    /// }
    /// let reopened = kms_local::LocalKms::builder().path(&dir).build_async().await?;
    /// assert_eq!(reopened.key_count(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The 32-byte key that encrypts key material in a durable store and authenticates its
    /// journal. Without it (or [`LocalKmsBuilder::root_key_file`]), the environment
    /// variable [`ROOT_KEY_ENV`](crate::ROOT_KEY_ENV) (base64) is used, and without that the
    /// file `root.key` in the store's directory, created on first use with mode 0600.
    /// Replaces an earlier `root_key_file`.
    #[must_use]
    pub fn root_key(mut self, root_key: SecretBytes) -> Self {
        self.root_key = Some(RootKeySource::Bytes(root_key));
        self
    }

    /// Reads the root key (32 raw bytes) of a durable store from the file `path` instead of
    /// `root.key` in the store's directory, so that a copy of the directory alone does not
    /// hold the key. The file is created with a fresh key (mode 0600) if missing; one that
    /// group or others may read or write is refused. Replaces an earlier
    /// [`LocalKmsBuilder::root_key`].
    ///
    /// ```
    /// use kms_core::KmsExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kms_core::Result<()> {
    /// # let keys = tempfile::tempdir().map_err(|err| kms_core::Error::Config { message: err.to_string() })?;
    /// # let (store, root_key) = (keys.path().join("store"), keys.path().join("elsewhere.key"));
    /// let kms = kms_local::LocalKms::builder()
    ///     .path(&store)
    ///     .root_key_file(&root_key)
    ///     .build_async()
    ///     .await?;
    /// kms.create_symmetric_key("kept").await?;
    /// assert!(root_key.exists() && !store.join("root.key").exists());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn root_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.root_key = Some(RootKeySource::File(path.into()));
        self
    }

    /// Adds the keys of a seed file (see [`SeedFile`] for its format) when the backend is
    /// built. Keys the store holds already stay as they are when their material is the
    /// seed's; a conflicting key ID or alias fails the build.
    #[must_use]
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seeds.push(Seed::File(path.into()));
        self
    }

    /// Adds the keys of a seed, like [`LocalKmsBuilder::seed_file`].
    #[must_use]
    pub fn seed(mut self, seed: SeedFile) -> Self {
        self.seeds.push(Seed::Contents(seed));
        self
    }

    /// Records every call, successful or not, in `sink` (see [`crate::audit`]).
    #[must_use]
    pub fn audit(mut self, sink: impl AuditSink + 'static) -> Self {
        self.audit = Some(Arc::new(sink));
        self
    }

    /// The backend. A durable store ([`LocalKmsBuilder::path`]) is opened and its journal
    /// read here, blocking the thread: from async code, use
    /// [`LocalKmsBuilder::build_async`].
    ///
    /// # Errors
    ///
    /// `Error::Config` naming the setting when the region is not a region name (see
    /// [`check_region`]) or the account ID is not 12 digits (see [`check_account_id`]); for a
    /// durable store, `Error::Config` when it was created for another region or account, or
    /// when its directory or root key file is accessible by group or others, a backend
    /// error naming the file when it cannot be read or fails authentication, and a retryable
    /// `KMSInternalException` when a new store's journal cannot be written (a full disk).
    pub fn build(mut self) -> Result<LocalKms> {
        if let Some(region) = &self.region {
            check_region(region)?;
        }
        if let Some(account) = &self.account_id {
            check_account_id(account)?;
        }
        let seeds = std::mem::take(&mut self.seeds)
            .into_iter()
            .map(|seed| match seed {
                Seed::File(path) => SeedFile::read(&path),
                Seed::Contents(seed) => Ok(seed),
            })
            .collect::<Result<Vec<_>>>()?;
        let audit = self.audit.take();
        let kms = match self.path.take() {
            None => self.build_in_memory(),
            Some(path) => {
                let root_key = self.root_key.take();
                let (identity, clock) = self.identity_and_clock();
                let (journal, keyring) = Journal::open(&path, root_key.as_ref(), identity.clone())?;
                LocalKms::with_store(Store::durable(identity, clock, journal, keyring))
            }
        }
        .with_audit(audit);
        for seed in &seeds {
            kms.store.seed(seed)?;
        }
        Ok(kms)
    }

    /// [`LocalKmsBuilder::build`] on a blocking thread (tokio's `spawn_blocking`), so that
    /// opening and reading a durable store never stalls the async runtime. Outside a tokio
    /// runtime it builds on the calling thread.
    ///
    /// # Errors
    ///
    /// Those of [`LocalKmsBuilder::build`].
    pub async fn build_async(self) -> Result<LocalKms> {
        crate::blocking::run(move || self.build()).await
    }

    /// The backend in memory, with settings already checked.
    pub(crate) fn build_in_memory(mut self) -> LocalKms {
        let audit = self.audit.take();
        let (identity, clock) = self.identity_and_clock();
        LocalKms::with_store(Store::in_memory(identity, clock)).with_audit(audit)
    }

    fn identity_and_clock(self) -> (Identity, Clock) {
        let identity = Identity {
            partition: partition_of(self.region.as_deref().unwrap_or(DEFAULT_REGION)).to_owned(),
            region: self.region.unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            account: self
                .account_id
                .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_owned()),
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemTime::now));
        (identity, clock)
    }
}

impl fmt::Debug for LocalKmsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKmsBuilder")
            .field("region", &self.region)
            .field("account_id", &self.account_id)
            .field("custom_clock", &self.clock.is_some())
            .field("path", &self.path)
            .field("root_key", &self.root_key)
            .field("seeds", &self.seeds.len())
            .field("audit", &self.audit)
            .finish()
    }
}

/// Checks that `region` is an AWS region name as ARNs carry it: at most 64 lowercase ASCII
/// letters and digits in two or more groups joined by single hyphens (`us-east-1`,
/// `us-gov-west-1`). The local backend puts it into every ARN it forms.
///
/// ```
/// assert!(kms_local::check_region("eu-west-1").is_ok());
/// let err = kms_local::check_region("EU West").unwrap_err();
/// assert_eq!(err.message(),
///     "region 'EU West' is not valid: expected a lowercase region name such as 'eu-west-1'");
/// ```
///
/// # Errors
///
/// `Error::Config` naming the region.
pub fn check_region(region: &str) -> Result<()> {
    let well_formed = region.len() <= 64
        && region.contains('-')
        && region.split('-').all(|group| {
            !group.is_empty()
                && group
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if well_formed {
        return Ok(());
    }
    Err(Error::Config {
        message: format!(
            "region '{}' is not valid: expected a lowercase region name such as 'eu-west-1'",
            region.escape_debug()
        ),
    })
}

/// Checks that `account` is an AWS account ID: exactly 12 ASCII digits.
///
/// ```
/// assert!(kms_local::check_account_id("111122223333").is_ok());
/// let err = kms_local::check_account_id("12").unwrap_err();
/// assert_eq!(err.message(), "account '12' must be 12 digits, such as '111122223333'");
/// ```
///
/// # Errors
///
/// `Error::Config` naming the account.
pub fn check_account_id(account: &str) -> Result<()> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(Error::Config {
        message: format!(
            "account '{}' must be 12 digits, such as '111122223333'",
            account.escape_debug()
        ),
    })
}

/// The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_regions_and_accounts_by_name() {
        for region in ["", "EU-west-1", "eu west 1", "euwest1", "eu--1"] {
            let err = LocalKms::builder().region(region).build().err();
            assert!(
                err.is_some_and(|e| e.to_string().contains(&format!("region '{region}'"))),
                "{region:?}"
            );
        }
        assert!(
            LocalKms::builder()
                .account_id("1234567890123")
                .build()
                .is_err()
        );
        assert!(
            LocalKms::builder()
                .account_id("12345678901a")
                .build()
                .is_err()
        );
    }

    #[test]
    fn picks_the_partition_from_the_region() -> Result<()> {
        let kms = LocalKms::builder().region("cn-north-1").build()?;
        assert_eq!(kms.store.identity.partition, "aws-cn");
        assert_eq!(LocalKms::new().store.identity.partition, "aws");
        Ok(())
    }
}
