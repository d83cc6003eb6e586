//! The AWS KMS backend of the KMS SDK: [`AwsKms`] implements every operation of the
//! [`Kms`](kms_core::Kms) trait over the official `aws-sdk-kms`.
//!
//! Application code written against `Arc<dyn Kms>` runs unchanged on AWS KMS, on an
//! emulator that speaks its API (moto, LocalStack) and on the local backend. Responses carry
//! AWS's values (key ARNs, algorithms, key material IDs); plaintexts and data keys move from
//! the SDK straight into [`SecretBytes`](kms_core::SecretBytes); errors are
//! [`kms_core::Error`] variants with the service's messages.
//!
//! ```no_run
//! use kms_aws::AwsKms;
//! use kms_core::{EncryptionContext, KmsExt};
//!
//! # async fn demo() -> kms_core::Result<()> {
//! // The standard AWS configuration chain: environment, profiles, SSO, instance metadata...
//! let kms = AwsKms::from_env().with_region("eu-west-1").build().await?;
//! let context = EncryptionContext::new().with("order", "42");
//! let blob = kms.encrypt_bytes("alias/orders", b"card number", &context).await?;
//! let plaintext = kms.decrypt_bytes(&blob, &context).await?;
//! assert_eq!(plaintext.expose_secret(), b"card number");
//! # Ok(()) }
//! ```
//!
//! # Checking the key of Decrypt and ReEncrypt
//!
//! When a `Decrypt` names a key (`key_id`) or a `ReEncrypt` a source key (`source_key_id`),
//! the backend checks that the key the service used is that key, and returns
//! `IncorrectKeyException` otherwise, with AWS's message. AWS KMS checks this itself; the
//! check here also holds against a peer that does not. A key ID or key ARN is compared with
//! the key ARN of the answer at no cost; an alias (name or ARN) is resolved with a
//! `DescribeKey` sent alongside the `Decrypt` (so it needs `kms:DescribeKey` permission and
//! adds a request, but no waiting). Name keys by key ARN where it matters.
//!
//! # Signatures and MACs that do not verify
//!
//! `Verify` and `VerifyMac` that fail are the errors
//! [`Error::InvalidSignature`](kms_core::Error::InvalidSignature) and
//! [`Error::InvalidMac`](kms_core::Error::InvalidMac), as AWS answers them
//! (`KMSInvalidSignatureException`, `KMSInvalidMacException`). A peer that answers
//! `SignatureValid: false` or `MacValid: false` instead gets the same errors, so a successful
//! answer always means the signature or MAC is valid.
//!
//! # Errors, retries and time-outs
//!
//! Every exception is mapped in one place (see [`Error`](kms_core::Error)): modeled
//! exceptions to their variant, unmodeled codes such as `AccessDeniedException` or
//! `ThrottlingException` by their code, and transport failures (time-outs, connection
//! errors) to a retryable [`Error::Backend`](kms_core::Error::Backend) that names the
//! operation and the endpoint or region. Retries and time-outs are the SDK's, set through
//! [`AwsKmsBuilder::with_retry_config`] and [`AwsKmsBuilder::with_timeout_config`].

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod backend;
mod builder;
mod convert;
mod error;
mod settings;

use std::fmt;

pub use builder::AwsKmsBuilder;

/// The AWS SDK for KMS, re-exported so that versions always match: [`AwsKmsBuilder`] takes
/// its `Client`, `RetryConfig` and `TimeoutConfig`.
pub use aws_sdk_kms;

/// The AWS SDK's configuration loader, re-exported so that versions always match:
/// [`AwsKmsBuilder::with_sdk_config`] takes its `SdkConfig`.
pub use aws_config;

use crate::error::Target;

/// A [`Kms`](kms_core::Kms) backend over AWS KMS, or anything that speaks its API.
///
/// Build it with [`AwsKms::from_env`] (or [`AwsKms::builder`]) and the setters of
/// [`AwsKmsBuilder`]. Clones share the SDK client and its connection pool.
///
/// `Display` names the region, and the endpoint when it is not AWS's:
/// `AwsKms(us-east-1)`, `AwsKms(us-east-1, http://127.0.0.1:4566)`.
#[derive(Clone)]
pub struct AwsKms {
    client: aws_sdk_kms::Client,
    target: Target,
}

impl AwsKms {
    /// A builder that starts from the standard AWS configuration chain; see
    /// [`AwsKmsBuilder`].
    pub fn builder() -> AwsKmsBuilder {
        AwsKmsBuilder::new()
    }

    /// A builder that starts from the standard AWS configuration chain (environment,
    /// profiles, SSO, web identity, instance metadata): the same as [`AwsKms::builder`].
    pub fn from_env() -> AwsKmsBuilder {
        AwsKmsBuilder::from_env()
    }

    /// The backend over this client and target.
    pub(crate) fn from_parts(client: aws_sdk_kms::Client, target: Target) -> Self {
        Self { client, target }
    }

    /// The SDK client, for the KMS operations the [`Kms`](kms_core::Kms) trait does not
    /// model.
    pub fn client(&self) -> &aws_sdk_kms::Client {
        &self.client
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.target.region
    }

    /// The endpoint requests go to, when it is not AWS KMS's own.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.target.endpoint.as_deref()
    }
}

impl fmt::Display for AwsKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target.endpoint {
            Some(endpoint) => write!(f, "AwsKms({}, {endpoint})", self.target.region),
            None => write!(f, "AwsKms({})", self.target.region),
        }
    }
}

impl fmt::Debug for AwsKms {
    /// The region and endpoint; never the client's credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsKms")
            .field("region", &self.target.region)
            .field("endpoint_url", &self.target.endpoint)
            .finish_non_exhaustive()
    }
}
