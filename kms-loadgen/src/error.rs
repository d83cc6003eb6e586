//! The one error type of the load generator.

use std::io;

/// What went wrong while setting up or running a load.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The endpoint URL is not `http://HOST:PORT`.
    #[error("invalid endpoint {url:?}: {reason}")]
    Endpoint {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The endpoint's host name did not resolve to an address.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// The `host:port` looked up.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// A TCP connection could not be opened.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        /// The address connected to.
        address: std::net::SocketAddr,
        /// The socket error.
        source: io::Error,
    },
    /// The HTTP exchange failed (connection reset, malformed response, ...).
    #[error("HTTP error: {0}")]
    Http(#[from] hyper::Error),
    /// The request could not be built (a header value the endpoint URL put there is invalid).
    #[error("cannot build the request: {0}")]
    Request(#[from] hyper::http::Error),
    /// The server answered a setup request with an error status. The body of an error holds
    /// AWS's `__type` and `message`, never a plaintext.
    #[error("{operation} answered HTTP {status}: {body}")]
    Refused {
        /// The KMS operation.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The error body, cut to a reasonable length.
        body: String,
    },
    /// A response body is not the JSON the operation returns.
    #[error("{operation} returned an unexpected body: {reason}")]
    Response {
        /// The KMS operation.
        operation: &'static str,
        /// What is missing or wrong.
        reason: String,
    },
    /// A process's status file could not be read.
    #[error("cannot read {path}: {source}")]
    Proc {
        /// The file.
        path: String,
        /// The read error.
        source: io::Error,
    },
    /// Writing the report failed.
    #[error("cannot write the report: {0}")]
    Output(#[source] io::Error),
}
