//! Faults on purpose: a layer over any [`Kms`](kms_core::Kms) backend that answers a share of
//! calls with the errors AWS KMS gives under load (`ThrottlingException`,
//! `KMSInternalException`, `DependencyTimeoutException`, `KeyUnavailableException`) and adds
//! latency, so that code which retries can be seen doing it, reproducibly.
//!
//! The layer is `Arc<dyn Kms>` in, `Arc<dyn Kms>` out: [`FaultyKms::wrap`]. What to inject is
//! a [`FaultPlan`], built in code or parsed from the text form that URLs
//! (`local:?faults=...`, any backend) and `kms serve --faults ...` take:
//!
//! ```
//! use std::sync::Arc;
//! use kms_core::{Error, GenerateRandomRequest, Kms};
//! use kms_faults::{FaultPlan, FaultyKms};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! // Every GenerateRandom call is throttled; the seed makes the choice of calls reproducible.
//! let plan: FaultPlan = "GenerateRandom.throttling:1,seed:7".parse()?;
//! let kms = FaultyKms::wrap(Arc::new(kms_local::LocalKms::new()), plan);
//! let request = GenerateRandomRequest::new().with_number_of_bytes(16u32);
//! let err = kms.generate_random(request).await.unwrap_err();
//! assert!(matches!(err, Error::Throttling { .. }));
//! assert!(err.is_retryable());
//! # Ok::<(), Error>(()) }).unwrap();
//! ```
//!
//! AWS's request quotas are emulated by the other layer of this crate, [`QuotaKms`] (see
//! [`quotas`]): opt in with `quotas=aws` in a URL.
//!
//! This is not something AWS KMS offers: it is a testing aid of this project, and its
//! errors are AWS's exceptions with AWS's message for throttling.

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod layer;
mod plan;
pub mod quotas;

pub use layer::{FaultyKms, InjectedFault};
pub use plan::{FaultKind, FaultPlan, Latency, OperationFaults};
pub use quotas::{KeyClass, QuotaKms, QuotaPlan};
