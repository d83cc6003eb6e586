//! `LocalKmsBuilder`: the region, account and clock of a `LocalKms`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use kms_core::{Error, Result, SecretBytes};

use crate::LocalKms;
use crate::audit::AuditSink;
use crate::durable::Journal;
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
    root_key: Option<SecretBytes>,
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

    /// Keeps the keys in the directory `path` (created if missing) instead of in memory:
    /// every change is on disk before the operation returns, and other processes may open the
    /// same directory at the same time. See [`LocalKmsBuilder::root_key`] for the key that
    /// encrypts key material there.
    ///
    /// ```
    /// use kms_core::KmsExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kms_core::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("kms-doc-{}", std::process::id()));
    /// {
    ///     let kms = kms_local::LocalKms::builder().path(&dir).build()?;
    ///     kms.create_symmetric_key("kept").await?;
    /// }
    /// let reopened = kms_local::LocalKms::builder().path(&dir).build()?;
    /// assert_eq!(reopened.key_count(), 1);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The 32-byte key that encrypts key material in a durable store. Without it, the
    /// environment variable [`ROOT_KEY_ENV`](crate::ROOT_KEY_ENV) (base64) is used, and
    /// without that the file `root.key` in the store's directory, created on first use with
    /// mode 0600.
    #[must_use]
    pub fn root_key(mut self, root_key: SecretBytes) -> Self {
        self.root_key = Some(root_key);
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

    /// The backend.
    ///
    /// # Errors
    ///
    /// `Error::Config` naming the setting when the region is not a region name (see
    /// [`check_region`]) or the account ID is not 12 digits (see [`check_account_id`]).
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
        let mut kms = match self.path.take() {
            None => self.build_in_memory(),
            Some(path) => {
                let root_key = self.root_key.take();
                let (identity, clock) = self.identity_and_clock();
                let (journal, keyring) = Journal::open(&path, root_key.as_ref(), identity.clone())?;
                LocalKms {
                    store: Arc::new(Store::durable(identity, clock, journal, keyring)),
                    audit: None,
                }
            }
        };
        kms.audit = audit;
        for seed in &seeds {
            kms.store.seed(seed)?;
        }
        Ok(kms)
    }

    /// The backend in memory, with settings already checked.
    pub(crate) fn build_in_memory(mut self) -> LocalKms {
        let audit = self.audit.take();
        let (identity, clock) = self.identity_and_clock();
        LocalKms {
            store: Arc::new(Store::in_memory(identity, clock)),
            audit,
        }
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
            .field("root_key", &self.root_key.as_ref().map(|_| "[REDACTED]"))
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
