//! The AWS KMS JSON protocol over HTTP in front of any [`Kms`](kms_core::Kms) backend.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod backends;
pub mod metrics;
