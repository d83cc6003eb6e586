//! [`KmsConfig`]: which backend to use and how, from a URL, the environment or a config file.

use std::ffi::OsString;
use std::fmt::Display;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Deserialize;
use url::Url;

use crate::{Error, Result};

/// The environment variable [`KmsConfig::from_env`] and [`from_env`](crate::from_env) read.
pub const KMS_URL_ENV: &str = "KMS_URL";

/// The URL of the default backend: the in-memory local store.
pub const DEFAULT_URL: &str = "local:";

/// The options a `local:` URL accepts, as listed in error messages.
const LOCAL_OPTIONS: &str = "region, account, seed, audit";

/// The options an `aws:` URL accepts, as listed in error messages.
const AWS_OPTIONS: &str = "region, profile";

/// The schemes of KMS URLs, as listed in error messages.
const SCHEMES: &str = "'local:', 'aws:', 'aws+http:' or 'aws+https:'";

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

/// The settings of the local backend: `local:` URLs and `"backend": "local"` in config files.
///
/// Every field is optional; an empty `LocalConfig` is an in-memory store in `us-east-1` for
/// account `111122223333`.
///
/// ```
/// use kms::LocalConfig;
///
/// let config = LocalConfig::new().with_region("eu-west-1");
/// assert_eq!(config.region.as_deref(), Some("eu-west-1"));
/// assert!(config.validate().is_ok());
///
/// let err = LocalConfig::new().with_account("12").validate().unwrap_err();
/// assert_eq!(err.message(), "account '12' must be 12 digits, such as '111122223333'");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawLocalConfig")]
#[non_exhaustive]
pub struct LocalConfig {
    /// The AWS region the keys live in, such as `eu-west-1`; `us-east-1` when unset.
    pub region: Option<String>,
    /// The 12-digit AWS account that owns the keys; `111122223333` when unset.
    pub account: Option<String>,
    /// The directory of a persistent store; in memory when unset.
    pub path: Option<PathBuf>,
    /// A seed file whose keys are added when connecting (see `kms_local::SeedFile`).
    pub seed: Option<PathBuf>,
    /// A file to append the audit log to, one JSON event per line.
    pub audit: Option<PathBuf>,
}

/// `LocalConfig` as written in a file, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalConfig {
    region: Option<String>,
    account: Option<String>,
    path: Option<PathBuf>,
    seed: Option<PathBuf>,
    audit: Option<PathBuf>,
}

impl TryFrom<RawLocalConfig> for LocalConfig {
    type Error = Error;

    fn try_from(raw: RawLocalConfig) -> Result<Self> {
        let config = Self {
            region: raw.region,
            account: raw.account,
            path: raw.path,
            seed: raw.seed,
            audit: raw.audit,
        };
        config.validate()?;
        Ok(config)
    }
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

    /// Checks every field that is set.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the first bad field: a region that is not a lowercase region
    /// name like `eu-west-1`, an account that is not exactly 12 digits, or a path that is
    /// not absolute.
    pub fn validate(&self) -> Result<()> {
        if let Some(region) = &self.region {
            kms_core::check_region(region)?;
        }
        if let Some(account) = &self.account {
            kms_core::check_account_id(account)?;
        }
        if let Some(path) = &self.path
            && !path.is_absolute()
        {
            return Err(config_error(format!(
                "path '{}' of a persistent local store must be absolute",
                path.display()
            )));
        }
        Ok(())
    }
}

/// The settings of the AWS backend: `aws:`, `aws+http:` and `aws+https:` URLs, and
/// `"backend": "aws"` in config files.
///
/// Every field is optional; an empty `AwsConfig` is AWS KMS as the standard AWS
/// configuration chain describes it (region, credentials and endpoint from the environment,
/// the shared config files, SSO, instance metadata...).
///
/// ```
/// use kms::{AwsConfig, KmsConfig};
///
/// let config: KmsConfig = "aws+http://127.0.0.1:4566?region=us-east-1".parse()?;
/// let expected = AwsConfig::new()
///     .with_endpoint_url("http://127.0.0.1:4566")
///     .with_region("us-east-1");
/// assert_eq!(config, KmsConfig::Aws(expected));
///
/// let from_file: KmsConfig = serde_json::from_str(
///     r#"{ "backend": "aws", "region": "eu-west-1", "profile": "prod" }"#,
/// )?;
/// assert_eq!(from_file, "aws://eu-west-1?profile=prod".parse()?);
///
/// let err = AwsConfig::new().with_endpoint_url("localhost:4566").validate().unwrap_err();
/// assert_eq!(err.message(), "endpoint URL 'localhost:4566' must start with http:// or \
///     https://, not 'localhost:'");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawAwsConfig")]
#[non_exhaustive]
pub struct AwsConfig {
    /// The region, such as `eu-west-1`; the configuration chain's when unset.
    pub region: Option<String>,
    /// The profile of the shared config and credentials files; the configuration chain's
    /// (`AWS_PROFILE`, else `default`) when unset.
    pub profile: Option<String>,
    /// Another endpoint of the AWS KMS API, such as `http://127.0.0.1:4566` for moto or
    /// LocalStack; AWS KMS's own (or `AWS_ENDPOINT_URL`'s) when unset.
    pub endpoint_url: Option<String>,
}

/// `AwsConfig` as written in a file, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAwsConfig {
    region: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<String>,
}

impl TryFrom<RawAwsConfig> for AwsConfig {
    type Error = Error;

    fn try_from(raw: RawAwsConfig) -> Result<Self> {
        let config = Self {
            region: raw.region,
            profile: raw.profile,
            endpoint_url: raw.endpoint_url,
        };
        config.validate()?;
        Ok(config)
    }
}

impl AwsConfig {
    /// AWS KMS as the standard configuration chain describes it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the profile.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sets the endpoint.
    #[must_use]
    pub fn with_endpoint_url(mut self, endpoint_url: impl Into<String>) -> Self {
        self.endpoint_url = Some(endpoint_url.into());
        self
    }

    /// Checks every field that is set.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the first bad field: a region that is not a lowercase
    /// region name like `eu-west-1`, an empty profile or one with spaces or control
    /// characters, an endpoint that is not an `http` or `https` URL with a host, or that has
    /// credentials, a path, a query or a fragment.
    pub fn validate(&self) -> Result<()> {
        if let Some(region) = &self.region {
            kms_core::check_region(region)?;
        }
        if let Some(profile) = &self.profile {
            check_profile(profile)?;
        }
        if let Some(endpoint_url) = &self.endpoint_url {
            kms_core::check_endpoint_url(endpoint_url)?;
        }
        Ok(())
    }
}

/// Checks a profile name: not empty, no whitespace or control characters.
fn check_profile(profile: &str) -> Result<()> {
    if profile.is_empty() || profile.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(config_error(format!(
            "profile '{}' is not a valid profile name",
            profile.escape_debug()
        )));
    }
    Ok(())
}

impl Default for KmsConfig {
    /// `local:`: the in-memory local backend.
    fn default() -> Self {
        Self::Local(LocalConfig::default())
    }
}

impl KmsConfig {
    /// Parses a backend URL (see the table on [`KmsConfig`]).
    ///
    /// ```
    /// use kms::{KmsConfig, LocalConfig};
    ///
    /// assert_eq!(KmsConfig::from_url("local:")?, KmsConfig::Local(LocalConfig::new()));
    ///
    /// let err = KmsConfig::from_url("local:?region=eu-west-1&colour=blue").unwrap_err();
    /// assert_eq!(err.message(), "unknown option 'colour' in KMS URL \
    ///     'local:?region=eu-west-1&colour=blue' (a local: URL takes region, account, seed, audit)");
    /// # Ok::<(), kms::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the offending part: an empty URL or one without a scheme,
    /// an unknown scheme, a host, a relative path or a fragment in a `local:` URL, a port
    /// or a path in an `aws://REGION` URL, a missing host, a bad port or a path in an
    /// `aws+http(s):` URL, an unknown or repeated option, an invalid region, account or
    /// profile. A backend that is not built in is refused by
    /// [`connect_config`](crate::connect_config), not here.
    pub fn from_url(url: &str) -> Result<Self> {
        let text = url.trim();
        let shown = kms_core::redact_url_credentials(text);
        if text.is_empty() {
            return Err(config_error(
                "the KMS URL is empty: use 'local:' for the in-memory local backend",
            ));
        }
        let parsed = Url::parse(text).map_err(|error| match error {
            url::ParseError::RelativeUrlWithoutBase => config_error(format!(
                "KMS URL '{shown}' has no scheme: expected a URL such as 'local:' or \
                 'local:?region=eu-west-1'"
            )),
            other => config_error(format!("KMS URL '{shown}' is malformed: {other}")),
        })?;
        match parsed.scheme() {
            "local" => parse_local(&parsed, &shown).map(Self::Local),
            "aws" => parse_aws(&parsed, &shown).map(Self::Aws),
            "aws+http" => parse_aws_endpoint(&parsed, &shown, "http").map(Self::Aws),
            "aws+https" => parse_aws_endpoint(&parsed, &shown, "https").map(Self::Aws),
            other => Err(config_error(format!(
                "unknown scheme '{other}' in KMS URL '{shown}': expected {SCHEMES}"
            ))),
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
                value.to_string_lossy()
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

/// Parses the parts of a `local:` URL after its scheme.
fn parse_local(url: &Url, shown: &str) -> Result<LocalConfig> {
    if let Some(host) = url.host_str() {
        return Err(config_error(format!(
            "KMS URL '{shown}' names host '{host}', but a local: URL takes no host: write a \
             persistent store as 'local:///path/to/dir' (three slashes)"
        )));
    }
    if let Some(fragment) = url.fragment() {
        return Err(config_error(format!(
            "KMS URL '{shown}' has a fragment '#{fragment}', which no KMS URL takes"
        )));
    }
    let path = if url.cannot_be_a_base() {
        // `local:` and `local:?…`, or text right after the colon such as `local:eu-west-1`.
        if !url.path().is_empty() {
            return Err(config_error(format!(
                "unexpected '{}' after 'local:' in KMS URL '{shown}': write options as \
                 'local:?region=eu-west-1' and a persistent store as 'local:///path/to/dir'",
                url.path()
            )));
        }
        None
    } else if url.path().is_empty() {
        return Err(config_error(format!(
            "KMS URL '{shown}' has no path after '//': use 'local:' for an in-memory store or \
             'local:///path/to/dir' for a persistent one"
        )));
    } else {
        let path = url.to_file_path().map_err(|()| {
            config_error(format!(
                "path '{}' of KMS URL '{shown}' is not a local path",
                url.path()
            ))
        })?;
        Some(path)
    };

    let mut config = LocalConfig {
        path,
        ..LocalConfig::default()
    };
    for (name, value) in url.query_pairs() {
        let file_slot = match &*name {
            "seed" => Some(&mut config.seed),
            "audit" => Some(&mut config.audit),
            _ => None,
        };
        if let Some(slot) = file_slot {
            if slot.is_some() {
                return Err(config_error(format!(
                    "option '{name}' is given more than once in KMS URL '{shown}'"
                )));
            }
            *slot = Some(PathBuf::from(value.into_owned()));
            continue;
        }
        let slot = match &*name {
            "region" => &mut config.region,
            "account" => &mut config.account,
            other => {
                return Err(config_error(format!(
                    "unknown option '{}' in KMS URL '{shown}' (a local: URL takes \
                     {LOCAL_OPTIONS})",
                    other.escape_debug()
                )));
            }
        };
        if slot.is_some() {
            return Err(config_error(format!(
                "option '{name}' is given more than once in KMS URL '{shown}'"
            )));
        }
        *slot = Some(value.into_owned());
    }
    config.validate()?;
    Ok(config)
}

/// Parses the parts of an `aws:` URL after its scheme: `aws:`, `aws://REGION`, and the
/// options `region` and `profile`.
fn parse_aws(url: &Url, shown: &str) -> Result<AwsConfig> {
    check_no_fragment(url, shown)?;
    let mut config = AwsConfig::default();
    if url.cannot_be_a_base() {
        // `aws:` and `aws:?…`, or text right after the colon such as `aws:eu-west-1`.
        if !url.path().is_empty() {
            return Err(config_error(format!(
                "unexpected '{}' after 'aws:' in KMS URL '{shown}': write a region as \
                 'aws://eu-west-1' and options as 'aws:?profile=prod'",
                url.path()
            )));
        }
    } else {
        let region = url.host_str().unwrap_or_default();
        if region.is_empty() {
            return Err(config_error(format!(
                "KMS URL '{shown}' has no region after '//': use 'aws:' for the region of the \
                 AWS configuration or 'aws://eu-west-1' for a region"
            )));
        }
        if let Some(port) = url.port() {
            return Err(config_error(format!(
                "KMS URL '{shown}' has a port ({port}), but 'aws://' takes a region: write an \
                 endpoint as 'aws+http://HOST:PORT' or 'aws+https://HOST:PORT'"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config_error(format!(
                "KMS URL '{shown}' carries credentials (user:password@), which no KMS URL \
                 takes: give them through the AWS configuration"
            )));
        }
        if !matches!(url.path(), "" | "/") {
            return Err(config_error(format!(
                "KMS URL '{shown}' has a path '{}', which an aws: URL does not take",
                url.path()
            )));
        }
        config.region = Some(region.to_owned());
    }
    parse_aws_options(url, shown, &mut config)?;
    config.validate()?;
    Ok(config)
}

/// Parses an `aws+http:` or `aws+https:` URL: `scheme` and the host and port make the
/// endpoint; the options are those of `aws:`.
fn parse_aws_endpoint(url: &Url, shown: &str, scheme: &str) -> Result<AwsConfig> {
    check_no_fragment(url, shown)?;
    let host = url.host_str().unwrap_or_default();
    if url.cannot_be_a_base() || host.is_empty() {
        return Err(config_error(format!(
            "KMS URL '{shown}' has no host: write an endpoint as 'aws+{scheme}://HOST:PORT', \
             such as 'aws+http://127.0.0.1:4566'"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(config_error(format!(
            "KMS URL '{shown}' carries credentials (user:password@), which no KMS URL takes: \
             give them through the AWS configuration"
        )));
    }
    if url.port() == Some(0) {
        return Err(config_error(format!(
            "port 0 of KMS URL '{shown}' is not a port a server can listen on"
        )));
    }
    if !matches!(url.path(), "" | "/") {
        return Err(config_error(format!(
            "KMS URL '{shown}' has a path '{}': the AWS KMS API is served at '/'",
            url.path()
        )));
    }
    let endpoint = match url.port() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    };
    // The host of an `aws+http` URL is not checked as strictly as that of an `http` URL.
    kms_core::check_endpoint_url(&endpoint)
        .map_err(|error| config_error(format!("KMS URL '{shown}': {}", error.message())))?;
    let mut config = AwsConfig {
        endpoint_url: Some(endpoint),
        ..AwsConfig::default()
    };
    parse_aws_options(url, shown, &mut config)?;
    config.validate()?;
    Ok(config)
}

/// Reads the options `region` and `profile` of an `aws` URL into `config`.
fn parse_aws_options(url: &Url, shown: &str, config: &mut AwsConfig) -> Result<()> {
    let region_in_host = config.region.is_some();
    let mut seen = Vec::new();
    for (name, value) in url.query_pairs() {
        let slot = match &*name {
            "region" if region_in_host => {
                return Err(config_error(format!(
                    "KMS URL '{shown}' gives the region twice: in the host and as option \
                     'region'"
                )));
            }
            "region" => &mut config.region,
            "profile" => &mut config.profile,
            other => {
                return Err(config_error(format!(
                    "unknown option '{}' in KMS URL '{shown}' (an aws: URL takes \
                     {AWS_OPTIONS})",
                    other.escape_debug()
                )));
            }
        };
        if seen.contains(&name) {
            return Err(config_error(format!(
                "option '{name}' is given more than once in KMS URL '{shown}'"
            )));
        }
        *slot = Some(value.into_owned());
        seen.push(name);
    }
    Ok(())
}

/// Refuses a fragment, which no KMS URL takes.
fn check_no_fragment(url: &Url, shown: &str) -> Result<()> {
    match url.fragment() {
        Some(fragment) => Err(config_error(format!(
            "KMS URL '{shown}' has a fragment '#{fragment}', which no KMS URL takes"
        ))),
        None => Ok(()),
    }
}

/// An [`Error::Config`] with this message.
pub(crate) fn config_error(message: impl Display) -> Error {
    Error::Config {
        message: message.to_string(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The message of the `Error::Config` that parsing `url` gives.
    fn config_err(url: &str) -> String {
        match KmsConfig::from_url(url) {
            Err(Error::Config { message }) => message,
            other => panic!("{url:?} gave {other:?}, expected a config error"),
        }
    }

    fn local(url: &str) -> LocalConfig {
        match KmsConfig::from_url(url) {
            Ok(KmsConfig::Local(config)) => config,
            other => panic!("{url:?} gave {other:?}"),
        }
    }

    #[test]
    fn local_is_the_in_memory_default() {
        assert_eq!(local("local:"), LocalConfig::default());
        assert_eq!(
            KmsConfig::default(),
            KmsConfig::from_url(DEFAULT_URL).unwrap()
        );
        // Scheme case, surrounding spaces and empty queries change nothing.
        assert_eq!(local("LOCAL:"), LocalConfig::default());
        assert_eq!(local("  local:\n"), LocalConfig::default());
        assert_eq!(local("local:?"), LocalConfig::default());
        assert_eq!(local("local:?&&"), LocalConfig::default());
    }

    #[test]
    fn from_str_is_from_url() {
        let parsed: KmsConfig = "local:?region=eu-west-1".parse().unwrap();
        assert_eq!(
            parsed,
            KmsConfig::from_url("local:?region=eu-west-1").unwrap()
        );
        assert!("nope".parse::<KmsConfig>().is_err());
    }

    #[test]
    fn local_takes_region_and_account() {
        let config = local("local:?region=eu-west-1&account=111122223333");
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.account.as_deref(), Some("111122223333"));
        assert_eq!(config.path, None);

        let config = local("local:?account=123456789012");
        assert_eq!(config.region, None);
        assert_eq!(config.account.as_deref(), Some("123456789012"));

        let config = local("local:?region=us-gov-west-1");
        assert_eq!(config.region.as_deref(), Some("us-gov-west-1"));
    }

    #[test]
    fn local_takes_a_seed_file_once() {
        let config = local("local:///var/kms?seed=/etc/kms/seed.toml");
        assert_eq!(
            config.seed.as_deref(),
            Some(Path::new("/etc/kms/seed.toml"))
        );
        assert_eq!(
            config_err("local:?seed=a.toml&seed=b.toml"),
            "option 'seed' is given more than once in KMS URL 'local:?seed=a.toml&seed=b.toml'"
        );
    }

    #[test]
    fn local_with_a_path_is_a_persistent_store() {
        assert_eq!(
            local("local:///path/to/dir").path.as_deref(),
            Some(Path::new("/path/to/dir"))
        );
        assert_eq!(
            local("local:/path/to/dir").path.as_deref(),
            Some(Path::new("/path/to/dir"))
        );
        assert_eq!(
            local("local:///my%20keys/dir").path.as_deref(),
            Some(Path::new("/my keys/dir"))
        );
        let config = local("local:///var/kms?region=eu-west-1&account=111122223333");
        assert_eq!(config.path.as_deref(), Some(Path::new("/var/kms")));
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.account.as_deref(), Some("111122223333"));
    }

    #[test]
    fn an_empty_url_or_one_without_scheme_is_refused() {
        assert_eq!(
            config_err(""),
            "the KMS URL is empty: use 'local:' for the in-memory local backend"
        );
        assert_eq!(config_err("   "), config_err(""));
        let message = config_err("eu-west-1");
        assert!(
            message.starts_with("KMS URL 'eu-west-1' has no scheme"),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_scheme_is_named() {
        assert_eq!(
            config_err("x:"),
            "unknown scheme 'x' in KMS URL 'x:': expected 'local:', 'aws:', 'aws+http:' or \
             'aws+https:'"
        );
        assert!(config_err("aws+ftp://host").starts_with("unknown scheme 'aws+ftp'"));
        assert!(config_err("file:///tmp/keys").starts_with("unknown scheme 'file'"));
        assert!(config_err("memory:").starts_with("unknown scheme 'memory'"));
    }

    fn aws(url: &str) -> AwsConfig {
        match KmsConfig::from_url(url) {
            Ok(KmsConfig::Aws(config)) => config,
            other => panic!("{url:?} gave {other:?}"),
        }
    }

    #[test]
    fn aws_is_the_standard_chain() {
        assert_eq!(aws("aws:"), AwsConfig::default());
        assert_eq!(aws("AWS:"), AwsConfig::default());
        assert_eq!(aws("aws:?"), AwsConfig::default());
        assert_eq!(aws(" aws: "), AwsConfig::default());
    }

    #[test]
    fn aws_takes_a_region_as_host_or_option() {
        assert_eq!(
            aws("aws://eu-west-1"),
            AwsConfig::new().with_region("eu-west-1")
        );
        assert_eq!(
            aws("aws://eu-west-1/"),
            AwsConfig::new().with_region("eu-west-1")
        );
        assert_eq!(
            aws("aws:?region=us-gov-west-1"),
            AwsConfig::new().with_region("us-gov-west-1")
        );
        assert_eq!(
            aws("aws://eu-west-1?profile=prod"),
            AwsConfig::new()
                .with_region("eu-west-1")
                .with_profile("prod")
        );
    }

    #[test]
    fn aws_takes_a_profile() {
        assert_eq!(
            aws("aws:?profile=prod"),
            AwsConfig::new().with_profile("prod")
        );
        assert_eq!(
            aws("aws:?profile=team%2Fprod&region=eu-central-1"),
            AwsConfig::new()
                .with_profile("team/prod")
                .with_region("eu-central-1")
        );
    }

    #[test]
    fn aws_http_and_https_are_endpoints() {
        assert_eq!(
            aws("aws+http://127.0.0.1:4599"),
            AwsConfig::new().with_endpoint_url("http://127.0.0.1:4599")
        );
        assert_eq!(
            aws("aws+http://localhost:4566/?region=us-east-1&profile=local"),
            AwsConfig::new()
                .with_endpoint_url("http://localhost:4566")
                .with_region("us-east-1")
                .with_profile("local")
        );
        assert_eq!(
            aws("aws+https://kms.example.com"),
            AwsConfig::new().with_endpoint_url("https://kms.example.com")
        );
        assert_eq!(
            aws("aws+https://kms.example.com:8443"),
            AwsConfig::new().with_endpoint_url("https://kms.example.com:8443")
        );
        assert_eq!(
            aws("aws+http://[::1]:4566"),
            AwsConfig::new().with_endpoint_url("http://[::1]:4566")
        );
    }

    #[test]
    fn aws_url_errors_name_the_part() {
        assert_eq!(
            config_err("aws://EU-WEST-1"),
            "region 'EU-WEST-1' is not valid: expected a lowercase region name such as \
             'eu-west-1'"
        );
        assert!(config_err("aws:?region=eu").starts_with("region 'eu' is not valid"));
        assert_eq!(
            config_err("aws://eu-west-1:443"),
            "KMS URL 'aws://eu-west-1:443' has a port (443), but 'aws://' takes a region: \
             write an endpoint as 'aws+http://HOST:PORT' or 'aws+https://HOST:PORT'"
        );
        assert_eq!(
            config_err("aws://eu-west-1/keys"),
            "KMS URL 'aws://eu-west-1/keys' has a path '/keys', which an aws: URL does not take"
        );
        assert!(config_err("aws://").starts_with("KMS URL 'aws://' has no region after '//'"));
        assert!(
            config_err("aws:eu-west-1").starts_with("unexpected 'eu-west-1' after 'aws:'"),
            "{}",
            config_err("aws:eu-west-1")
        );
        assert_eq!(
            config_err("aws:?colour=blue"),
            "unknown option 'colour' in KMS URL 'aws:?colour=blue' (an aws: URL takes region, \
             profile)"
        );
        assert!(config_err("aws:?Profile=x").starts_with("unknown option 'Profile'"));
        assert!(config_err("aws+http://h:1?account=1").starts_with("unknown option 'account'"));
        assert_eq!(
            config_err("aws:?profile=a&profile=b"),
            "option 'profile' is given more than once in KMS URL 'aws:?profile=a&profile=b'"
        );
        assert_eq!(
            config_err("aws://eu-west-1?region=eu-west-1"),
            "KMS URL 'aws://eu-west-1?region=eu-west-1' gives the region twice: in the host \
             and as option 'region'"
        );
        assert_eq!(
            config_err("aws:?profile="),
            "profile '' is not a valid profile name"
        );
        assert!(config_err("aws:?profile=a%20b").starts_with("profile 'a b' is not a valid"));
        assert_eq!(
            config_err("aws:#x"),
            "KMS URL 'aws:#x' has a fragment '#x', which no KMS URL takes"
        );
    }

    #[test]
    fn aws_endpoint_url_errors_name_the_part() {
        assert!(
            config_err("aws+http://127.0.0.1:99999").contains("invalid port number"),
            "{}",
            config_err("aws+http://127.0.0.1:99999")
        );
        assert!(config_err("aws+http://127.0.0.1:port").contains("invalid port number"));
        assert_eq!(
            config_err("aws+http://127.0.0.1:0"),
            "port 0 of KMS URL 'aws+http://127.0.0.1:0' is not a port a server can listen on"
        );
        assert!(
            config_err("aws+http:127.0.0.1:4566").starts_with(
                "KMS URL 'aws+http:127.0.0.1:4566' has no host: write an endpoint as \
                 'aws+http://HOST:PORT'"
            ),
            "{}",
            config_err("aws+http:127.0.0.1:4566")
        );
        assert!(config_err("aws+https://").contains("has no host"));
        assert_eq!(
            config_err("aws+http://127.0.0.1:4566/kms"),
            "KMS URL 'aws+http://127.0.0.1:4566/kms' has a path '/kms': the AWS KMS API is \
             served at '/'"
        );
        let message = config_err("aws+https://key:secret@kms.example.com");
        assert!(message.contains("carries credentials"), "{message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(config_err("aws+http://h:1?region=EU").starts_with("region 'EU' is not valid"));
        assert!(config_err("aws+http://h:1#frag").contains("has a fragment '#frag'"));
    }

    #[test]
    fn aws_config_files_are_deserialized_strictly() {
        let parse = serde_json::from_str::<KmsConfig>;
        assert_eq!(
            parse(r#"{"backend": "aws"}"#).unwrap(),
            KmsConfig::Aws(AwsConfig::new())
        );
        let config = parse(
            r#"{"backend": "aws", "region": "eu-west-1", "profile": "prod",
                "endpoint_url": "https://kms.example.com:8443"}"#,
        )
        .unwrap();
        let expected = AwsConfig::new()
            .with_region("eu-west-1")
            .with_profile("prod")
            .with_endpoint_url("https://kms.example.com:8443");
        assert_eq!(config, KmsConfig::Aws(expected));
        assert_eq!(
            parse(r#"{"backend": "aws", "endpoint_url": "http://127.0.0.1:4566"}"#).unwrap(),
            KmsConfig::from_url("aws+http://127.0.0.1:4566").unwrap()
        );

        let unknown = parse(r#"{"backend": "aws", "account": "111122223333"}"#).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown field `account`"),
            "{unknown}"
        );
        let bad_region = parse(r#"{"backend": "aws", "region": "EU"}"#).unwrap_err();
        assert!(
            bad_region.to_string().contains("region 'EU' is not valid"),
            "{bad_region}"
        );
        let bad_endpoint =
            parse(r#"{"backend": "aws", "endpoint_url": "127.0.0.1:4566"}"#).unwrap_err();
        assert!(
            bad_endpoint
                .to_string()
                .contains("endpoint URL '127.0.0.1:4566' has no scheme: write it as"),
            "{bad_endpoint}"
        );
        let with_path =
            parse(r#"{"backend": "aws", "endpoint_url": "http://h:1/x?y=1"}"#).unwrap_err();
        assert!(
            with_path.to_string().contains("has a path '/x'"),
            "{with_path}"
        );
    }

    #[test]
    fn aws_config_validate_checks_programmatic_configs() {
        assert!(AwsConfig::new().validate().is_ok());
        let err = AwsConfig::new().with_profile(" ").validate().unwrap_err();
        assert_eq!(err.message(), "profile ' ' is not a valid profile name");
        let err = AwsConfig::new()
            .with_endpoint_url("ftp://h")
            .validate()
            .unwrap_err();
        assert_eq!(
            err.message(),
            "endpoint URL 'ftp://h' must start with http:// or https://, not 'ftp:'"
        );
        let err = AwsConfig::new()
            .with_endpoint_url("http://")
            .validate()
            .unwrap_err();
        assert!(
            err.message()
                .starts_with("endpoint URL 'http://' is malformed"),
            "{err}"
        );
    }

    #[test]
    fn a_host_in_a_local_url_is_named() {
        let message = config_err("local://host/path/to/dir");
        assert!(message.contains("names host 'host'"), "{message}");
        assert!(message.contains("local:///path/to/dir"), "{message}");
        assert!(config_err("local://localhost/dir").contains("names host 'localhost'"));
    }

    #[test]
    fn a_local_url_with_slashes_but_no_path_is_refused() {
        let message = config_err("local://");
        assert!(message.contains("has no path after '//'"), "{message}");
    }

    #[test]
    fn text_after_the_colon_is_named() {
        let message = config_err("local:eu-west-1");
        assert!(
            message.starts_with("unexpected 'eu-west-1' after 'local:'"),
            "{message}"
        );
        assert!(config_err("local:relative/dir").starts_with("unexpected 'relative/dir'"));
    }

    #[test]
    fn a_fragment_is_named() {
        assert_eq!(
            config_err("local:#keys"),
            "KMS URL 'local:#keys' has a fragment '#keys', which no KMS URL takes"
        );
    }

    #[test]
    fn an_unknown_option_is_named() {
        assert_eq!(
            config_err("local:?foo=1"),
            "unknown option 'foo' in KMS URL 'local:?foo=1' (a local: URL takes region, account, seed, audit)"
        );
        // Option names are case-sensitive.
        assert!(config_err("local:?Region=eu-west-1").starts_with("unknown option 'Region'"));
        assert!(config_err("local:///dir?profile=x").starts_with("unknown option 'profile'"));
    }

    #[test]
    fn a_repeated_option_is_named() {
        assert_eq!(
            config_err("local:?region=eu-west-1&region=us-east-1"),
            "option 'region' is given more than once in KMS URL \
             'local:?region=eu-west-1&region=us-east-1'"
        );
        assert!(
            config_err("local:?account=111122223333&account=111122223333")
                .starts_with("option 'account' is given more than once")
        );
    }

    #[test]
    fn an_invalid_region_is_named() {
        assert_eq!(
            config_err("local:?region=EU%20WEST"),
            "region 'EU WEST' is not valid: expected a lowercase region name such as 'eu-west-1'"
        );
        for bad in [
            "",
            "eu",
            "EU-WEST-1",
            "eu_west_1",
            "-eu-west-1",
            "eu-west-",
            "eu--west-1",
            "eu west-1",
        ] {
            let message = config_err(&format!("local:?region={bad}"));
            assert!(
                message.starts_with(&format!("region '{bad}' is not valid")),
                "{message}"
            );
        }
        let message = config_err("local:?region=eu-west-1%0A");
        assert!(message.starts_with("region 'eu-west-1\\n'"), "{message}");
    }

    #[test]
    fn an_invalid_account_is_named() {
        assert_eq!(
            config_err("local:?account=12"),
            "account '12' must be 12 digits, such as '111122223333'"
        );
        for bad in [
            "",
            "1111222233334",
            "11112222333a",
            "abcdefghijkl",
            "-11122223333",
        ] {
            let message = config_err(&format!("local:?account={bad}"));
            assert!(
                message.starts_with(&format!("account '{bad}' must be")),
                "{message}"
            );
        }
    }

    #[test]
    fn a_malformed_url_is_refused_without_showing_credentials() {
        let message = config_err("local://user:secret@/dir");
        assert!(message.contains("is malformed"), "{message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(message.contains("'local://***@/dir'"), "{message}");
    }

    #[test]
    fn redaction_keeps_urls_without_credentials() {
        assert_eq!(kms_core::redact_url_credentials("local:"), "local:");
        assert_eq!(
            kms_core::redact_url_credentials("local:///a@b"),
            "local:///a@b"
        );
        assert_eq!(
            kms_core::redact_url_credentials("aws+https://k:s@host/x"),
            "aws+https://***@host/x"
        );
        assert_eq!(
            kms_core::redact_url_credentials("x://a@b?c@d"),
            "x://***@b?c@d"
        );
    }

    #[test]
    fn config_files_are_deserialized_strictly() {
        let parse = serde_json::from_str::<KmsConfig>;
        assert_eq!(
            parse(r#"{"backend": "local"}"#).unwrap(),
            KmsConfig::default()
        );
        let config = parse(
            r#"{"backend": "local", "region": "eu-west-1", "account": "111122223333",
                "path": "/var/lib/kms"}"#,
        )
        .unwrap();
        let expected = LocalConfig::new()
            .with_region("eu-west-1")
            .with_account("111122223333")
            .with_path("/var/lib/kms");
        assert_eq!(config, KmsConfig::Local(expected));

        let unknown_field = parse(r#"{"backend": "local", "colour": "blue"}"#).unwrap_err();
        assert!(
            unknown_field.to_string().contains("unknown field `colour`"),
            "{unknown_field}"
        );
        let unknown_backend = parse(r#"{"backend": "vault"}"#).unwrap_err();
        assert!(
            unknown_backend
                .to_string()
                .contains("unknown variant `vault`"),
            "{unknown_backend}"
        );
        let no_backend = parse(r#"{"region": "eu-west-1"}"#).unwrap_err();
        assert!(
            no_backend.to_string().contains("missing field `backend`"),
            "{no_backend}"
        );
    }

    #[test]
    fn config_files_are_validated() {
        let parse = serde_json::from_str::<KmsConfig>;
        let bad_region = parse(r#"{"backend": "local", "region": "EU WEST"}"#).unwrap_err();
        assert!(
            bad_region
                .to_string()
                .contains("region 'EU WEST' is not valid"),
            "{bad_region}"
        );
        let bad_account = parse(r#"{"backend": "local", "account": "12"}"#).unwrap_err();
        assert!(
            bad_account
                .to_string()
                .contains("account '12' must be 12 digits")
        );
        let relative = parse(r#"{"backend": "local", "path": "keys"}"#).unwrap_err();
        assert!(relative.to_string().contains("path 'keys'"), "{relative}");
        assert!(
            relative.to_string().contains("must be absolute"),
            "{relative}"
        );
    }

    #[test]
    fn the_environment_defaults_to_local() {
        assert_eq!(
            KmsConfig::from_env_value(None).unwrap(),
            KmsConfig::default()
        );
        assert_eq!(
            KmsConfig::from_env_value(Some("".into())).unwrap(),
            KmsConfig::default()
        );
        assert_eq!(
            KmsConfig::from_env_value(Some(" ".into())).unwrap(),
            KmsConfig::default()
        );
        assert_eq!(
            KmsConfig::from_env_value(Some("local:?region=eu-west-1".into())).unwrap(),
            KmsConfig::Local(LocalConfig::new().with_region("eu-west-1"))
        );
    }

    #[test]
    fn environment_errors_name_the_variable() {
        let err = KmsConfig::from_env_value(Some("x:".into())).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert_eq!(
            err.message(),
            "KMS_URL: unknown scheme 'x' in KMS URL 'x:': expected 'local:', 'aws:', \
             'aws+http:' or 'aws+https:'"
        );
        assert_eq!(
            KmsConfig::from_env_value(Some("aws+http://127.0.0.1:4566".into())).unwrap(),
            KmsConfig::Aws(AwsConfig::new().with_endpoint_url("http://127.0.0.1:4566"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_non_utf8_environment_value_is_refused() {
        use std::os::unix::ffi::OsStringExt;
        let err =
            KmsConfig::from_env_value(Some(OsString::from_vec(vec![b'l', 0xff]))).unwrap_err();
        assert!(
            err.message().starts_with("KMS_URL is not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn validate_checks_programmatic_configs() {
        assert!(LocalConfig::new().validate().is_ok());
        let err = LocalConfig::new()
            .with_region("EU WEST")
            .validate()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        let err = LocalConfig::new()
            .with_path("relative")
            .validate()
            .unwrap_err();
        assert!(err.message().contains("must be absolute"), "{err}");
    }
}
