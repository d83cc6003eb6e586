//! The limits that keep a server's time and memory bounded whatever its clients do.

use std::time::Duration;

/// The largest request body accepted by default: 1 MiB. The largest KMS request is far
/// smaller (a 32 KiB key policy, or 6 KiB of base64 ciphertext); a larger body is answered
/// with 413 before it is read.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The limits of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest request body, in bytes; a larger one gets 413
    /// (`RequestEntityTooLargeException`). Default [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// The bytes of request bodies held at once across all connections; a body waits for
    /// its share (a body without `Content-Length` reserves `max_body_bytes`). Default 64 MiB.
    pub max_buffered_body_bytes: usize,
    /// How long a client may take to send a request's headers, also the longest a
    /// keep-alive connection may stay idle. Default 30 s.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body once its headers are in; a
    /// slower one gets 408 (`RequestTimeoutException`) and the connection is closed.
    /// Default 10 s.
    pub body_timeout: Duration,
    /// The most connections open at once; more wait in the listen queue. Default 4096.
    pub max_connections: usize,
    /// The most concurrent streams of one HTTP/2 connection. Default 128.
    pub max_http2_streams: u32,
    /// How long a graceful shutdown waits for requests in flight. Default 30 s.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_buffered_body_bytes: 64 * 1024 * 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            max_connections: 4096,
            max_http2_streams: 128,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// Replaces the largest request body.
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Replaces the header (and idle) timeout.
    #[must_use]
    pub fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// Replaces the body timeout.
    #[must_use]
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Replaces the most connections open at once.
    #[must_use]
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// Replaces how long a graceful shutdown waits.
    #[must_use]
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}
