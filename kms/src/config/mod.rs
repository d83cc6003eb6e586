//! [`KmsConfig`]: which backend to use and how, from a URL, the environment or a config file.

mod aws;
mod local;
mod url;

#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::fmt::Display;
use std::str::FromStr;

use serde::Deserialize;

pub use aws::AwsConfig;
pub use local::LocalConfig;
pub use url::local_store_url;

use crate::{Error, Result};

/// The environment variable [`KmsConfig::from_env`] and [`from_env`](crate::from_env) read.
pub const KMS_URL_ENV: &str = "KMS_URL";

/// The URL of the default backend: the in-memory local store.
pub const DEFAULT_URL: &str = "local:";

/// Which KMS backend to use, and its settings.
///
/// Build it from a URL ([`KmsConfig::from_url`], or `str::parse`), from the `KMS_URL`
/// environment variable ([`KmsConfig::from_env`]), or from a config file through serde, then
/// pass it to [`connect_config`](crate::connect_config).
///
/// | URL | Backend |
/// |---|---|
/// | `local:` | the local backend, in memory (region `us-east-1`, account `111122223333`) |
/// | `local:?region=eu-west-1&account=111122223333` | the same, in another region and account |
/// | `local:///path/to/dir` | a persistent local store in that directory |
/// | `local:?seed=/path/to/seed.toml` | adds the keys of a seed file (with any local form) |
/// | `local:?audit=/path/to/audit.jsonl` | appends an audit event per call to that file |
/// | `aws:` | AWS KMS, configured by the standard AWS chain (environment, profiles, SSO, instance metadata) |
/// | `aws://eu-west-1` | the same, in that region |
/// | `aws:?profile=prod` | the same, with that profile of the shared config files (`&region=…` too) |
/// | `aws+http://127.0.0.1:4566` | the AWS KMS API at another endpoint, such as moto or LocalStack (`?region=…&profile=…` too) |
/// | `aws+https://kms.example.com[:PORT]` | the same over TLS |
/// | any of these `?faults=throttling:0.1,latency:5ms..50ms` | the same backend, with faults injected into its calls (see [`FaultPlan`](crate::faults::FaultPlan); a testing aid, not AWS's) |
/// | any of these `?quotas=aws` | the same backend, with AWS's request quotas enforced on its calls (`quotas=cryptographic:100` for a quota of your choosing; see [`QuotaPlan`](crate::faults::QuotaPlan)) |
///
/// Parsing checks the form of the URL or file; the values themselves (region, account,
/// profile, endpoint) are checked once, by the builder of the backend that takes them, when
/// [`connect_config`](crate::connect_config) hands them over.
///
/// A config file names the backend in the field `backend`; unknown fields are refused:
///
/// ```
/// use kms::{KmsConfig, LocalConfig};
///
/// let from_file: KmsConfig = serde_json::from_str(
///     r#"{ "backend": "local", "region": "eu-west-1", "account": "111122223333" }"#,
/// )?;
/// let from_url: KmsConfig = "local:?region=eu-west-1&account=111122223333".parse()?;
/// assert_eq!(from_file, from_url);
///
/// let expected = LocalConfig::new().with_region("eu-west-1").with_account("111122223333");
/// assert_eq!(from_url, KmsConfig::Local(expected));
///
/// let typo = serde_json::from_str::<KmsConfig>(r#"{ "backend": "local", "regoin": "x" }"#);
/// assert!(typo.unwrap_err().to_string().contains("unknown field `regoin`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "backend", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum KmsConfig {
    /// The in-process local backend of `kms-local`: `local:` URLs, `"backend": "local"`.
    Local(LocalConfig),
    /// AWS KMS through `kms-aws` (cargo feature `aws`): `aws:`, `aws+http:` and `aws+https:`
    /// URLs, `"backend": "aws"`.
    Aws(AwsConfig),
}

impl Default for KmsConfig {
    /// `local:`: the in-memory local backend.
    fn default() -> Self {
        Self::Local(LocalConfig::default())
    }
}

impl KmsConfig {
    /// The faults to inject into the backend's calls (the text form of
    /// [`FaultPlan`](crate::faults::FaultPlan)), whichever the backend.
    pub fn faults(&self) -> Option<&str> {
        match self {
            Self::Local(local) => local.faults.as_deref(),
            Self::Aws(aws) => aws.faults.as_deref(),
        }
    }

    /// The same backend with these faults injected into its calls, replacing any it had.
    ///
    /// ```
    /// let config: kms::KmsConfig = "local:".parse()?;
    /// let config = config.with_faults("throttling:0.1");
    /// assert_eq!(config, "local:?faults=throttling:0.1".parse()?);
    /// # Ok::<(), kms::Error>(())
    /// ```
    #[must_use]
    pub fn with_faults(self, faults: impl Into<String>) -> Self {
        match self {
            Self::Local(local) => Self::Local(local.with_faults(faults)),
            Self::Aws(aws) => Self::Aws(aws.with_faults(faults)),
        }
    }

    /// The request quotas to enforce on the backend's calls (the text form of
    /// [`QuotaPlan`](crate::faults::QuotaPlan)), whichever the backend.
    pub fn quotas(&self) -> Option<&str> {
        match self {
            Self::Local(local) => local.quotas.as_deref(),
            Self::Aws(aws) => aws.quotas.as_deref(),
        }
    }

    /// The same backend with these request quotas, replacing any it had.
    ///
    /// ```
    /// let config: kms::KmsConfig = "local:".parse()?;
    /// let config = config.with_quotas("aws");
    /// assert_eq!(config, "local:?quotas=aws".parse()?);
    /// # Ok::<(), kms::Error>(())
    /// ```
    #[must_use]
    pub fn with_quotas(self, quotas: impl Into<String>) -> Self {
        match self {
            Self::Local(local) => Self::Local(local.with_quotas(quotas)),
            Self::Aws(aws) => Self::Aws(aws.with_quotas(quotas)),
        }
    }

    /// The Region the configuration names (in the URL or the file), if it names one: the
    /// local backend then plays `us-east-1`, and AWS takes the Region of its configuration
    /// chain (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile).
    pub fn region(&self) -> Option<&str> {
        match self {
            Self::Local(local) => local.region.as_deref(),
            Self::Aws(aws) => aws.region.as_deref(),
        }
    }

    /// The same backend in `region`, replacing the Region it named, if any: what the `kms`
    /// command's `--region` does, as the AWS CLI's overrides the environment and the profile.
    ///
    /// ```
    /// let config: kms::KmsConfig = "aws://eu-west-1?profile=prod".parse()?;
    /// let config = config.with_region("us-west-2");
    /// assert_eq!(config, "aws://us-west-2?profile=prod".parse()?);
    /// assert_eq!(config.region(), Some("us-west-2"));
    ///
    /// let local: kms::KmsConfig = "local:".parse()?;
    /// assert_eq!(local.with_region("eu-west-1"), "local:?region=eu-west-1".parse()?);
    /// # Ok::<(), kms::Error>(())
    /// ```
    #[must_use]
    pub fn with_region(self, region: impl Into<String>) -> Self {
        match self {
            Self::Local(local) => Self::Local(local.with_region(region)),
            Self::Aws(aws) => Self::Aws(aws.with_region(region)),
        }
    }

    /// The configuration named by the `KMS_URL` environment variable; `local:` when it is
    /// unset or empty.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `KMS_URL` is not valid UTF-8 or not a valid URL; the message
    /// starts with `KMS_URL`.
    pub fn from_env() -> Result<Self> {
        Self::from_env_value(std::env::var_os(KMS_URL_ENV))
    }

    /// [`KmsConfig::from_env`] for a given value of `KMS_URL`.
    fn from_env_value(value: Option<OsString>) -> Result<Self> {
        let Some(value) = value else {
            return Ok(Self::default());
        };
        let value = value.into_string().map_err(|value| {
            config_error(format!(
                "{KMS_URL_ENV} is not valid UTF-8: '{}'",
                url::shown(&value.to_string_lossy())
            ))
        })?;
        if value.trim().is_empty() {
            return Ok(Self::default());
        }
        Self::from_url(&value)
            .map_err(|error| config_error(format!("{KMS_URL_ENV}: {}", error.message())))
    }
}

impl FromStr for KmsConfig {
    type Err = Error;

    /// The same as [`KmsConfig::from_url`].
    fn from_str(url: &str) -> Result<Self> {
        Self::from_url(url)
    }
}

/// An [`Error::Config`] with this message.
pub(crate) fn config_error(message: impl Display) -> Error {
    Error::Config {
        message: message.to_string(),
    }
}
