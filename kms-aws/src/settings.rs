//! The rules for the settings of [`AwsKmsBuilder`](crate::AwsKmsBuilder): region, profile and
//! endpoint URL. Each is written here once; the `kms` facade hands its values to the builder
//! and checks none of them itself.

use kms_core::{Error, Result};
use url::Url;

/// The longest DNS label, and so the longest region the SDK puts into a host name.
const MAX_HOST_LABEL_LEN: usize = 63;

/// Checks a region as the AWS SDKs do before they send anything: the SDK puts it into the
/// host name of the endpoint (`kms.REGION.amazonaws.com`), so it must be a valid host label
/// (1 to 63 ASCII letters, digits and hyphens, not starting with a hyphen), the test of the
/// SDK's endpoint rules (`isValidHostLabel`) and of the JavaScript SDK's `checkRegion`.
pub(crate) fn check_region(region: &str) -> Result<()> {
    let valid = !region.is_empty()
        && region.len() <= MAX_HOST_LABEL_LEN
        && !region.starts_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        return Ok(());
    }
    Err(config_error(format!(
        "region '{}' is not valid: a region is a host name label (letters, digits and \
         hyphens, such as 'eu-west-1')",
        region.escape_debug()
    )))
}

/// Checks a profile name: not empty, no whitespace or control characters (the shared config
/// files cannot name such a profile).
pub(crate) fn check_profile(profile: &str) -> Result<()> {
    if profile.is_empty() || profile.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(config_error(format!(
            "profile '{}' is not a valid profile name",
            profile.escape_debug()
        )));
    }
    Ok(())
}

/// Checks an endpoint URL: `http` or `https`, a host, an optional port other than 0, and
/// nothing else (no credentials, path, query or fragment).
///
/// The messages name the part that is wrong and never repeat the URL, which may carry
/// credentials.
pub(crate) fn check_endpoint_url(endpoint_url: &str) -> Result<()> {
    let url = Url::parse(endpoint_url).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => config_error(
            "endpoint URL has no scheme: write it as 'http://HOST:PORT' or \
             'https://HOST[:PORT]'",
        ),
        other => config_error(format!("endpoint URL is malformed: {other}")),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config_error(format!(
            "endpoint URL must start with http:// or https://, not '{}:'",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(config_error(
            "endpoint URL must not carry credentials (user:password@): give them through the \
             AWS configuration",
        ));
    }
    let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
        return Err(config_error("endpoint URL has no host"));
    };
    if url.port() == Some(0) {
        return Err(config_error(format!(
            "port 0 of endpoint URL '{}://{host}:0' is not a port a server can listen on",
            url.scheme()
        )));
    }
    if url.path() != "/" {
        return Err(config_error(format!(
            "endpoint URL has a path '{}': the AWS KMS API is served at '/'",
            url.path()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(
            "endpoint URL must not have a query or a fragment",
        ));
    }
    Ok(())
}

/// An [`Error::Config`] with this message.
pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    fn message(result: Result<()>) -> String {
        result.unwrap_err().message().to_owned()
    }

    #[test]
    fn regions_are_host_labels() {
        for region in ["eu-west-1", "us-gov-west-1", "cn-north-1", "abcd", "12345"] {
            assert!(check_region(region).is_ok(), "{region}");
        }
        for region in ["", "-eu-west-1", "eu west", "eu.west.1", "eu_west_1", "é-1"] {
            assert!(
                message(check_region(region)).starts_with("region '"),
                "{region:?}"
            );
        }
        assert!(check_region(&"a".repeat(63)).is_ok());
        assert!(check_region(&"a".repeat(64)).is_err());
        assert_eq!(
            message(check_region("eu\n1")),
            "region 'eu\\n1' is not valid: a region is a host name label (letters, digits and \
             hyphens, such as 'eu-west-1')"
        );
    }

    #[test]
    fn profiles_have_no_spaces_or_control_characters() {
        assert!(check_profile("team/prod").is_ok());
        assert_eq!(
            message(check_profile("")),
            "profile '' is not a valid profile name"
        );
        assert!(check_profile("a b").is_err());
        assert!(check_profile("a\tb").is_err());
    }

    #[test]
    fn endpoints_name_the_wrong_part() {
        assert!(check_endpoint_url("http://127.0.0.1:4566").is_ok());
        assert!(check_endpoint_url("https://kms.example.com/").is_ok());
        assert!(check_endpoint_url("http://[::1]:4566").is_ok());
        assert_eq!(
            message(check_endpoint_url("localhost:4566")),
            "endpoint URL must start with http:// or https://, not 'localhost:'"
        );
        assert!(message(check_endpoint_url("127.0.0.1:4566")).starts_with("endpoint URL "));
        assert_eq!(
            message(check_endpoint_url("kms.example.com")),
            "endpoint URL has no scheme: write it as 'http://HOST:PORT' or 'https://HOST[:PORT]'"
        );
        assert_eq!(
            message(check_endpoint_url("http://")),
            "endpoint URL is malformed: empty host"
        );
        assert_eq!(
            message(check_endpoint_url("http://h:99999")),
            "endpoint URL is malformed: invalid port number"
        );
        assert_eq!(
            message(check_endpoint_url("http://h:0")),
            "port 0 of endpoint URL 'http://h:0' is not a port a server can listen on"
        );
        assert_eq!(
            message(check_endpoint_url("http://h:1/kms")),
            "endpoint URL has a path '/kms': the AWS KMS API is served at '/'"
        );
        assert_eq!(
            message(check_endpoint_url("http://h:1/?x=1")),
            "endpoint URL must not have a query or a fragment"
        );
        assert!(check_endpoint_url("http://h:1#f").is_err());
    }

    #[test]
    fn credentials_never_show() {
        for url in [
            "https://key:secret@kms.example.com",
            "ftp://key:secret@host",
            "http://key:secret@h:0",
            "http://key:secret@h:1/secret",
            "http://key:secret@:1",
        ] {
            let shown = message(check_endpoint_url(url));
            assert!(!shown.contains("secret"), "{url}: {shown}");
            assert!(!shown.contains("key"), "{url}: {shown}");
        }
    }
}
