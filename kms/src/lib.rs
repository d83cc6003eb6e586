//! One async KMS API over AWS KMS and a faithful local backend, chosen by one URL.
//!
//! Write your code once against [`Kms`] (held as `Arc<dyn Kms>`), run it on the in-process
//! local backend with no AWS account, and choose the backend by configuration: a URL given to
//! [`connect`], the `KMS_URL` environment variable read by [`from_env`], or a [`KmsConfig`]
//! from a config file.
//!
//! ```
//! use kms::{EncryptionContext, KmsExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> kms::Result<()> {
//! let kms = kms::connect("local:").await?;
//!
//! let key = kms.create_symmetric_key("orders").await?;
//! let context = EncryptionContext::new().with("order", "42");
//! let blob = kms.encrypt_bytes(&key.key_id, b"card number", &context).await?;
//!
//! let plaintext = kms.decrypt_bytes(&blob, &context).await?;
//! assert_eq!(plaintext.expose_secret(), b"card number");
//!
//! // The encryption context is bound to the ciphertext.
//! let wrong = EncryptionContext::new().with("order", "43");
//! let err = kms.decrypt_bytes(&blob, &wrong).await.unwrap_err();
//! assert_eq!(err.code(), "InvalidCiphertextException");
//! # Ok(())
//! # }
//! ```
//!
//! # Backends and URLs
//!
//! | URL | Backend |
//! |---|---|
//! | `local:` | the local backend, in memory (region `us-east-1`, account `111122223333`) |
//! | `local:?region=eu-west-1&account=111122223333` | the same, in another region and account |
//! | `local:///path/to/dir` | a persistent local store in that directory |
//! | `local:?seed=/path/to/seed.toml` | adds the keys of a seed file (with any local form) |
//! | `local:?audit=/path/to/audit.jsonl` | appends an audit event per call to that file |
//! | `aws:` | AWS KMS, configured by the standard AWS chain (environment, profiles, SSO, instance metadata) |
//! | `aws://eu-west-1`, `aws:?profile=prod` | the same, in that region or with that profile |
//! | `aws+http://127.0.0.1:4566`, `aws+https://host[:port]` | the AWS KMS API at another endpoint (moto, LocalStack); `?region=…&profile=…` too |
//! | any of these `?faults=throttling:0.1` | the same, with faults injected into its calls, to test retries against ([`faults::FaultPlan`]) |
//! | any of these `?quotas=aws` | the same, with AWS's request quotas enforced on its calls, or quotas of your choosing (`quotas=cryptographic:100`; [`faults::QuotaPlan`]) |
//!
//! A URL that cannot be used is an [`Error::Config`] naming the offending part; there is no
//! silent fallback to another backend.
//!
//! # Regions
//!
//! A handle calls one Region, as an `aws_sdk_kms::Client` does. [`KmsConfig::with_region`]
//! moves a configuration to another Region (the `kms` command's `--region`), and
//! [`RegionalKms`] keeps a backend's handle with handles of the same backend in other
//! Regions, for multi-Region keys: for AWS, clients of the other Regions with the same
//! credentials and settings.
//!
//! # Cargo features
//!
//! - `local` (default): the local backend, also re-exported as `kms::kms_local`.
//! - `aws` (default): the backend over `aws-sdk-kms`, for `aws:` URLs, also re-exported as
//!   `kms::kms_aws`. Without it, connecting to an `aws:` URL fails with [`Error::Config`].
//!
//! Everything public in `kms-core` is re-exported here, so this is the one crate to depend on.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod config;
mod connect;
mod regions;

pub use config::{AwsConfig, DEFAULT_URL, KMS_URL_ENV, KmsConfig, LocalConfig, local_store_url};
#[cfg(feature = "local")]
pub use connect::local_builder;
pub use connect::{connect, connect_config, from_env};
pub use kms_core::*;
/// Faults on purpose (throttling, internal errors, latency) and AWS's request quotas over any
/// backend: `faults=` and `quotas=` in a URL, or [`FaultyKms`](faults::FaultyKms) and
/// [`QuotaKms`](faults::QuotaKms) in code.
pub use kms_faults as faults;
pub use regions::RegionalKms;

/// The local backend (cargo feature `local`).
#[cfg(feature = "local")]
pub use kms_local;
#[cfg(feature = "local")]
pub use kms_local::LocalKms;

/// The AWS backend (cargo feature `aws`).
#[cfg(feature = "aws")]
pub use kms_aws;
#[cfg(feature = "aws")]
pub use kms_aws::AwsKms;

/// The code blocks of the repository's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
