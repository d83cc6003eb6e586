//! The AWS KMS JSON 1.1 protocol over HTTP in front of any [`Kms`](kms_core::Kms) backend:
//! what `kms serve` runs, and [`TestServer`] for Rust tests.
//!
//! Clients (the AWS CLI, every AWS SDK) reach it as they reach AWS KMS, with an endpoint
//! URL: `POST /` with `X-Amz-Target: TrentService.<Operation>` and
//! `Content-Type: application/x-amz-json-1.1` (or `application/json`). Request and response
//! shapes, and the dispatch of every operation of the `Kms` trait, are `kms-wire`'s; this
//! crate adds the transport:
//!
//! - errors in AWS's shape (`{"__type": ..., "message": ...}`) and statuses, an
//!   `x-amzn-RequestId` on every response, 404 and 405 for other paths and methods, 413
//!   past the body limit ([`Limits`]), 408 for a body that does not arrive in time;
//! - the region of the SigV4 credential scope selects the backend ([`Backends`]); unsigned
//!   requests go to the default region;
//! - SigV4 verification against a credentials table, off by default ([`auth`]);
//! - `GET /health`, Prometheus metrics on `GET /metrics` ([`metrics`]), and one `tracing`
//!   event per request (target `kms_server::request`: request ID, operation, region,
//!   principal, key ARN, status, error code, latency; never a body);
//! - HTTP/1.1 and HTTP/2, optionally over TLS ([`Tls`]), a bounded number of connections,
//!   timeouts for slow clients, a graceful shutdown.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kms_server::{Backends, Server};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kms = kms::connect("local:").await?;
//! let server = Server::builder(Backends::single(kms)).bind().await?;
//! println!("listening on {}", server.endpoint_url());
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! // `stop.send(())`, or dropping `stop`, shuts the server down gracefully.
//! # drop(stop);
//! server.run(async { let _ = stopped.await; }).await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod backends;
#[doc(hidden)]
pub mod fuzzing;
mod limits;
mod log_buffer;
pub mod metrics;
mod response;
mod server;
mod service;
mod test_server;
mod tls;

pub use backends::{BackendFactory, Backends, UrlBackends};
pub use limits::{DEFAULT_MAX_BODY_BYTES, Limits};
pub use log_buffer::{FLUSH_BYTES, FLUSH_INTERVAL, LogBuffer, LogFlusher, LogWriter};
pub use server::{DEFAULT_PORT, Server, ServerBuilder, ServerError};
pub use test_server::TestServer;
pub use tls::Tls;

/// The Rust code of the README, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
