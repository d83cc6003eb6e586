//! `LocalKmsBuilder`: the region, account, principal and clock of a `LocalKms`, and of the
//! world its siblings share.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kms_core::{Error, Result, SecretBytes};

use crate::LocalKms;
use crate::audit::{AuditGate, AuditSink};
use crate::durable::RootKeySource;
use crate::seed::SeedFile;
use crate::state::partition_of;
use crate::store::Clock;
use crate::world::{DurableRoot, World};

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
    principal: Option<String>,
    clock: Option<Clock>,
    settle_after: Duration,
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

    /// The IAM principal the handle acts as, such as `arn:aws:iam::111122223333:role/app`: an
    /// IAM or STS ARN of the handle's partition and account. By default the account's root
    /// user, `arn:<partition>:iam::<account>:root`. (Key policies are not evaluated yet: the
    /// principal is what the handle reports, see [`LocalKms::principal`].)
    #[must_use]
    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    /// How long the transient states of multi-Region keys last: `Creating` (a replica that
    /// `ReplicateKey` made) and `Updating` (both keys of `UpdatePrimaryRegion`), on the
    /// backend's clock ([`LocalKmsBuilder::clock`]). Zero by default: they end at once, as
    /// soon as the call that began them has answered.
    ///
    /// AWS has no such setting (its transient states last what its replication takes); this
    /// goes beyond AWS so that a test can hold a replica in `Creating`, see the
    /// `KMSInvalidStateException` that AWS answers then, and retry once the clock passed.
    #[must_use]
    pub fn settle_after(mut self, duration: Duration) -> Self {
        self.settle_after = duration;
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
    /// The directory is the root of a durable world: the other Regions and accounts of
    /// [`LocalKms::for_region`] and [`LocalKms::for_account`] keep their keys in stores of
    /// their own beneath it, each opened on first use (with the same root key, when the
    /// builder names one), as `kms serve` lays them out:
    ///
    /// ```text
    /// DIR/                               the builder's account and Region
    /// DIR/regions/REGION/                another Region, the builder's account
    /// DIR/accounts/ACCOUNT/REGION/       another account, any Region
    /// ```
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
        let (account, region) = self.account_and_region();
        if let Some(principal) = &self.principal {
            check_principal(principal, &account, &region)?;
        }
        let seeds = std::mem::take(&mut self.seeds)
            .into_iter()
            .map(|seed| match seed {
                Seed::File(path) => SeedFile::read(&path),
                Seed::Contents(seed) => Ok(seed),
            })
            .collect::<Result<Vec<_>>>()?;
        let durable = self.path.take().map(|dir| DurableRoot {
            dir,
            home: (account.clone(), region.clone()),
            root_key: self.root_key.take(),
        });
        let principal = self.principal.take();
        let world = self.world(durable);
        let store = world.store(&account, &region)?;
        for seed in &seeds {
            store.seed(seed)?;
        }
        Ok(LocalKms::on(world, store, principal))
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

    /// The backend in memory, with the default settings.
    pub(crate) fn build_in_memory(self) -> LocalKms {
        let (account, region) = self.account_and_region();
        let world = self.world(None);
        let store = world.in_memory_store(&account, &region);
        LocalKms::on(world, store, None)
    }

    /// The account and Region of the backend.
    fn account_and_region(&self) -> (String, String) {
        let account = self.account_id.as_deref().unwrap_or(DEFAULT_ACCOUNT_ID);
        let region = self.region.as_deref().unwrap_or(DEFAULT_REGION);
        (account.to_owned(), region.to_owned())
    }

    /// The world of the backend, without stores yet.
    fn world(self, durable: Option<DurableRoot>) -> Arc<World> {
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemTime::now));
        let audit = self.audit.map(|sink| Arc::new(AuditGate::new(sink)));
        World::new(clock, self.settle_after, durable, audit)
    }
}

impl fmt::Debug for LocalKmsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKmsBuilder")
            .field("region", &self.region)
            .field("account_id", &self.account_id)
            .field("principal", &self.principal)
            .field("custom_clock", &self.clock.is_some())
            .field("settle_after", &self.settle_after)
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

/// Checks that `principal` is an IAM or STS ARN of `account` in the partition of `region`:
/// `arn:<partition>:iam::<account>:<resource>` or `arn:<partition>:sts::<account>:<resource>`.
fn check_principal(principal: &str, account: &str, region: &str) -> Result<()> {
    let partition = partition_of(region);
    let resource = ["iam", "sts"].iter().find_map(|service| {
        principal.strip_prefix(&format!("arn:{partition}:{service}::{account}:"))
    });
    if resource
        .is_some_and(|resource| !resource.is_empty() && !resource.contains(char::is_whitespace))
    {
        return Ok(());
    }
    Err(Error::Config {
        message: format!(
            "principal '{}' is not an IAM ARN of account {account} in partition {partition}, \
             such as 'arn:{partition}:iam::{account}:root'",
            principal.escape_debug()
        ),
    })
}

/// The principal of a handle of `account` in `region` that names none: the account's root
/// user.
pub(crate) fn root_principal(account: &str, region: &str) -> String {
    format!("arn:{}:iam::{account}:root", partition_of(region))
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

    #[test]
    fn checks_the_principal_against_the_account_and_partition() -> Result<()> {
        let kms = LocalKms::builder()
            .principal("arn:aws:iam::111122223333:role/app")
            .build()?;
        assert_eq!(kms.principal(), "arn:aws:iam::111122223333:role/app");
        assert_eq!(
            LocalKms::new().principal(),
            "arn:aws:iam::111122223333:root"
        );
        for wrong in [
            "arn:aws:iam::444455556666:root",
            "arn:aws-cn:iam::111122223333:root",
            "arn:aws:iam::111122223333:",
            "root",
        ] {
            let err = LocalKms::builder().principal(wrong).build().unwrap_err();
            assert!(
                err.message().contains(&format!("principal '{wrong}'")),
                "{err}"
            );
        }
        Ok(())
    }
}
