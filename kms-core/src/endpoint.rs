//! Endpoint URLs of KMS APIs, and showing URLs in messages without their credentials.

use url::Url;

use crate::{Error, Result};

/// Checks an endpoint URL: `http` or `https`, a host, an optional port other than 0, and
/// nothing else (no credentials, path, query or fragment).
///
/// ```
/// assert!(kms_core::check_endpoint_url("http://127.0.0.1:4566").is_ok());
/// let err = kms_core::check_endpoint_url("https://k:s@kms.example.com").unwrap_err();
/// assert!(err.message().contains("'https://***@kms.example.com'"));
/// ```
///
/// # Errors
///
/// [`Error::Config`] naming what is wrong, with any credentials of the URL hidden.
pub fn check_endpoint_url(endpoint_url: &str) -> Result<()> {
    let shown = redact_url_credentials(endpoint_url);
    let url = Url::parse(endpoint_url).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => config_error(format!(
            "endpoint URL '{shown}' has no scheme: write it as 'http://HOST:PORT' or \
             'https://HOST[:PORT]'"
        )),
        other => config_error(format!("endpoint URL '{shown}' is malformed: {other}")),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config_error(format!(
            "endpoint URL '{shown}' must start with http:// or https://, not '{}:'",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(config_error(format!("endpoint URL '{shown}' has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(config_error(format!(
            "endpoint URL '{shown}' must not carry credentials (user:password@): give them \
             through the AWS configuration"
        )));
    }
    if url.port() == Some(0) {
        return Err(config_error(format!(
            "port 0 of endpoint URL '{shown}' is not a port a server can listen on"
        )));
    }
    if url.path() != "/" {
        return Err(config_error(format!(
            "endpoint URL '{shown}' has a path '{}': the AWS KMS API is served at '/'",
            url.path()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(format!(
            "endpoint URL '{shown}' must not have a query or a fragment"
        )));
    }
    Ok(())
}

/// A URL as it may appear in a message: control characters escaped, and any
/// `user:password@` part replaced by `***@`.
///
/// ```
/// assert_eq!(kms_core::redact_url_credentials("aws+https://k:s@host/x"), "aws+https://***@host/x");
/// ```
pub fn redact_url_credentials(url: &str) -> String {
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

fn config_error(message: String) -> Error {
    Error::Config { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        assert_eq!(redact_url_credentials("local:"), "local:");
        assert_eq!(redact_url_credentials("local:///a@b"), "local:///a@b");
        assert_eq!(redact_url_credentials("x://a@b?c@d"), "x://***@b?c@d");
        let err = check_endpoint_url("ftp://user:secret@host").err();
        assert!(err.is_some_and(|e| !e.message().contains("secret")));
    }
}
