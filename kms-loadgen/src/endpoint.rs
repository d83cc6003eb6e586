//! The endpoint under load: an `http://HOST:PORT` URL, resolved once.

use std::net::SocketAddr;

use crate::connection::unsigned_authorization;
use crate::error::Error;

/// A plain-HTTP endpoint: the address connected to, the `Host` header sent, and the
/// `Authorization` header that names the region.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// The resolved socket address.
    pub(crate) address: SocketAddr,
    /// The `host:port` of the URL, sent as the `Host` header.
    pub(crate) authority: String,
    /// The `Authorization` header: a credential scope for the region, no real signature.
    pub(crate) authorization: String,
}

impl Endpoint {
    /// Parses `http://HOST:PORT` (a trailing `/` allowed) and resolves the host; requests
    /// will name `region`.
    pub(crate) async fn resolve(url: &str, region: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::Endpoint {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("only http:// endpoints are supported"))?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains('/') {
            return Err(invalid("expected http://HOST:PORT with no path"));
        }
        if authority
            .rsplit_once(':')
            .is_none_or(|(_, port)| port.parse::<u16>().is_err())
        {
            return Err(invalid("the URL names no port"));
        }
        let address = tokio::net::lookup_host(authority)
            .await
            .map_err(|source| Error::Resolve {
                host: authority.to_owned(),
                source,
            })?
            .next()
            .ok_or_else(|| invalid("the host resolved to no address"))?;
        Ok(Self {
            address,
            authority: authority.to_owned(),
            authorization: unsigned_authorization(region),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resolves_a_loopback_url() {
        let endpoint = Endpoint::resolve("http://127.0.0.1:4566/", "eu-west-1")
            .await
            .unwrap();
        assert_eq!(endpoint.address, "127.0.0.1:4566".parse().unwrap());
        assert_eq!(endpoint.authority, "127.0.0.1:4566");
        assert!(
            endpoint
                .authorization
                .contains("Credential=KMSLOADGEN/20260101/eu-west-1/kms/aws4_request,")
        );
    }

    #[tokio::test]
    async fn refuses_urls_it_cannot_load() {
        for url in [
            "https://127.0.0.1:1",
            "127.0.0.1:1",
            "http://127.0.0.1",
            "http://127.0.0.1:1/x",
            "http://:",
        ] {
            let error = Endpoint::resolve(url, "us-east-1").await.unwrap_err();
            assert!(matches!(error, Error::Endpoint { .. }), "{url}: {error}");
        }
    }
}
