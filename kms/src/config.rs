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
/// | `aws:`, `aws+http://…`, `aws+https://…` | AWS KMS (**not available yet**: feature `aws`) |
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
    // The AWS backend (cargo feature `aws`) comes here as `Aws(AwsConfig)`, parsed from the
    // `aws:`, `aws+http:` and `aws+https:` URLs that `from_url` refuses for now.
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
    /// an unknown scheme, a backend that is not built in, a host, a relative path or a
    /// fragment in a `local:` URL, an unknown or repeated option, an invalid region or
    /// account.
    pub fn from_url(url: &str) -> Result<Self> {
        let text = url.trim();
        let shown = redact_userinfo(text);
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
            scheme @ ("aws" | "aws+http" | "aws+https") => Err(config_error(format!(
                "KMS URL '{shown}' needs the aws backend (scheme '{scheme}:'), which is not \
                 built in (cargo feature `aws` of the `kms` crate); use 'local:' for the local \
                 backend"
            ))),
            other => Err(config_error(format!(
                "unknown scheme '{other}' in KMS URL '{shown}': expected 'local:'"
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

/// The URL as it may appear in a message: control characters escaped, and any
/// `user:password@` part replaced by `***@`.
fn redact_userinfo(url: &str) -> String {
    let shown = url.escape_debug().to_string();
    let Some(authority_start) = shown.find("//").map(|i| i + 2) else {
        return shown;
    };
    let authority_end = shown[authority_start..]
        .find(['/', '?', '#'])
        .map_or(shown.len(), |i| authority_start + i);
    match shown[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***{}",
            &shown[..authority_start],
            &shown[authority_start + at..]
        ),
        None => shown,
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
            "unknown scheme 'x' in KMS URL 'x:': expected 'local:'"
        );
        assert!(config_err("file:///tmp/keys").starts_with("unknown scheme 'file'"));
        assert!(config_err("memory:").starts_with("unknown scheme 'memory'"));
    }

    #[test]
    fn aws_urls_say_the_backend_is_not_built_in() {
        for (url, scheme) in [
            ("aws:", "aws"),
            ("aws://eu-west-1", "aws"),
            ("aws:?profile=prod", "aws"),
            ("aws+http://127.0.0.1:4599", "aws+http"),
            ("aws+https://kms.example.com", "aws+https"),
        ] {
            let message = config_err(url);
            assert!(
                message.contains(&format!("scheme '{scheme}:'"))
                    && message.contains("not built in")
                    && message.contains("feature `aws`"),
                "{url}: {message}"
            );
        }
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
        assert_eq!(redact_userinfo("local:"), "local:");
        assert_eq!(redact_userinfo("local:///a@b"), "local:///a@b");
        assert_eq!(
            redact_userinfo("aws+https://k:s@host/x"),
            "aws+https://***@host/x"
        );
        assert_eq!(redact_userinfo("x://a@b?c@d"), "x://***@b?c@d");
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
            "KMS_URL: unknown scheme 'x' in KMS URL 'x:': expected 'local:'"
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
