//! Parsing KMS URLs (`local:`, `aws:`, `aws+http:`, `aws+https:`) into a [`KmsConfig`].
//!
//! This module checks the form of a URL: its scheme, which parts each scheme takes, and its
//! options. The values it finds (region, account, profile, endpoint) are checked by the
//! builder of the backend that takes them, when connecting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use url::Url;

use super::{AwsConfig, KmsConfig, LocalConfig, config_error};
use crate::Result;

/// The options a `local:` URL accepts.
const LOCAL_OPTIONS: &[&str] = &["region", "account", "seed", "audit", "faults", "quotas"];

/// The options an `aws:`, `aws+http:` or `aws+https:` URL accepts.
const AWS_OPTIONS: &[&str] = &["region", "profile", "faults", "quotas"];

/// The schemes of KMS URLs, as listed in error messages.
const SCHEMES: &str = "'local:', 'aws:', 'aws+http:' or 'aws+https:'";

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
    ///     'local:?region=eu-west-1&colour=blue' (a local: URL takes region, account, seed, audit, faults, quotas)");
    /// # Ok::<(), kms::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) naming the offending part: an empty URL or
    /// one without a scheme, an unknown scheme, credentials or a fragment in any KMS URL, a
    /// host or a relative path in a `local:` URL, a port or a path in an `aws://REGION` URL,
    /// a missing host in an `aws+http(s):` URL, an unknown or repeated option. Messages show
    /// the URL with any `user:password@` replaced by `***@`. The values (region, account,
    /// profile, endpoint) are checked when connecting, by the backend that takes them; a
    /// backend that is not built in is refused by [`connect_config`](crate::connect_config).
    pub fn from_url(url: &str) -> Result<Self> {
        let text = url.trim();
        let shown = shown(text);
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
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(config_error(format!(
                "KMS URL '{shown}' carries credentials (user:password@), which no KMS URL \
                 takes: give them through the AWS configuration"
            )));
        }
        if let Some(fragment) = parsed.fragment() {
            return Err(config_error(format!(
                "KMS URL '{shown}' has a fragment '#{fragment}', which no KMS URL takes"
            )));
        }
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
}

/// The `local:` URL of the persistent store in the directory `dir`, an absolute path,
/// percent-encoded where the path needs it: `local:///var/lib/kms`, `local:///my%20keys`, and
/// `local:///C:/Users/me/kms` for `C:\Users\me\kms` on Windows. [`KmsConfig::from_url`]
/// gives `dir` back.
///
/// ```
/// let dir = std::env::temp_dir().join("my keys");
/// let url = kms::local_store_url(&dir)?;
/// let kms::KmsConfig::Local(config) = kms::KmsConfig::from_url(&url)? else { unreachable!() };
/// assert_eq!(config.path, Some(dir));
/// # Ok::<(), kms::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) for a relative path.
pub fn local_store_url(dir: impl AsRef<Path>) -> Result<String> {
    let dir = dir.as_ref();
    let file_url = Url::from_file_path(dir).map_err(|()| {
        config_error(format!(
            "the store directory '{}' is not an absolute path",
            dir.display()
        ))
    })?;
    let path = file_url.as_str().strip_prefix("file:").unwrap_or_default();
    Ok(format!("local:{path}"))
}

/// Parses the parts of a `local:` URL after its scheme: no host, an optional absolute path,
/// and the options.
fn parse_local(url: &Url, shown: &str) -> Result<LocalConfig> {
    if let Some(host) = url.host_str() {
        return Err(config_error(format!(
            "KMS URL '{shown}' names host '{host}', but a local: URL takes no host: write a \
             persistent store as 'local:///path/to/dir' (three slashes)"
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
    let mut options = options(url, shown, "a local:", LOCAL_OPTIONS)?;
    Ok(LocalConfig {
        region: options.remove("region"),
        account: options.remove("account"),
        path,
        seed: options.remove("seed").map(PathBuf::from),
        audit: options.remove("audit").map(PathBuf::from),
        faults: options.remove("faults"),
        quotas: options.remove("quotas"),
    })
}

/// Parses the parts of an `aws:` URL after its scheme: `aws:`, `aws://REGION`, and the
/// options.
fn parse_aws(url: &Url, shown: &str) -> Result<AwsConfig> {
    let host_region = if url.cannot_be_a_base() {
        // `aws:` and `aws:?…`, or text right after the colon such as `aws:eu-west-1`.
        if !url.path().is_empty() {
            return Err(config_error(format!(
                "unexpected '{}' after 'aws:' in KMS URL '{shown}': write a region as \
                 'aws://eu-west-1' and options as 'aws:?profile=prod'",
                url.path()
            )));
        }
        None
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
        if !matches!(url.path(), "" | "/") {
            return Err(config_error(format!(
                "KMS URL '{shown}' has a path '{}', which an aws: URL does not take",
                url.path()
            )));
        }
        Some(region.to_owned())
    };
    let mut options = options(url, shown, "an aws:", AWS_OPTIONS)?;
    if host_region.is_some() && options.contains_key("region") {
        return Err(config_error(format!(
            "KMS URL '{shown}' gives the region twice: in the host and as option 'region'"
        )));
    }
    Ok(AwsConfig {
        region: host_region.or_else(|| options.remove("region")),
        profile: options.remove("profile"),
        endpoint_url: None,
        faults: options.remove("faults"),
        quotas: options.remove("quotas"),
    })
}

/// Parses an `aws+http:` or `aws+https:` URL: `scheme`, the host, the port and the path make
/// the endpoint (whose rules the AWS backend checks); the options are those of `aws:`.
fn parse_aws_endpoint(url: &Url, shown: &str, scheme: &str) -> Result<AwsConfig> {
    let Some(host) = url
        .host_str()
        .filter(|host| !host.is_empty() && !url.cannot_be_a_base())
    else {
        return Err(config_error(format!(
            "KMS URL '{shown}' has no host: write an endpoint as 'aws+{scheme}://HOST:PORT', \
             such as 'aws+http://127.0.0.1:4566'"
        )));
    };
    let port = url
        .port()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let path = match url.path() {
        "/" => "",
        path => path,
    };
    let mut options = options(url, shown, "an aws:", AWS_OPTIONS)?;
    Ok(AwsConfig {
        region: options.remove("region"),
        profile: options.remove("profile"),
        endpoint_url: Some(format!("{scheme}://{host}{port}{path}")),
        faults: options.remove("faults"),
        quotas: options.remove("quotas"),
    })
}

/// The options of `url` (its query), each named in `allowed` and given at most once.
/// `kind` names the kind of URL in messages ("a local:").
fn options(
    url: &Url,
    shown: &str,
    kind: &str,
    allowed: &[&str],
) -> Result<BTreeMap<String, String>> {
    let mut options = BTreeMap::new();
    for (name, value) in url.query_pairs() {
        if !allowed.contains(&&*name) {
            return Err(config_error(format!(
                "unknown option '{}' in KMS URL '{shown}' ({kind} URL takes {})",
                name.escape_debug(),
                allowed.join(", ")
            )));
        }
        if options
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(config_error(format!(
                "option '{name}' is given more than once in KMS URL '{shown}'"
            )));
        }
    }
    Ok(options)
}

/// A URL as it may appear in a message: control characters escaped, and any
/// `user:password@` part replaced by `***@`. It works on the text, so that even a URL that
/// does not parse never shows its credentials.
pub(super) fn shown(url: &str) -> String {
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
