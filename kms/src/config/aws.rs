//! [`AwsConfig`]: the settings of the AWS backend.

use std::fmt;

use serde::Deserialize;

/// The settings of the AWS backend: `aws:`, `aws+http:` and `aws+https:` URLs, and
/// `"backend": "aws"` in config files.
///
/// Every field is optional; an empty `AwsConfig` is AWS KMS as the standard AWS
/// configuration chain describes it (region, credentials and endpoint from the environment,
/// the shared config files, SSO, instance metadata...). The values are checked once, by the
/// AWS backend's builder (`kms_aws::AwsKmsBuilder`), when
/// [`connect_config`](crate::connect_config) hands them to it.
///
/// ```
/// use kms::{AwsConfig, KmsConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config: KmsConfig = "aws+http://127.0.0.1:4566?region=us-east-1".parse()?;
/// let expected = AwsConfig::new()
///     .with_endpoint_url("http://127.0.0.1:4566")
///     .with_region("us-east-1");
/// assert_eq!(config, KmsConfig::Aws(expected));
///
/// let from_file: KmsConfig = serde_json::from_str(
///     r#"{ "backend": "aws", "region": "eu-west-1", "profile": "prod" }"#,
/// )?;
/// assert_eq!(from_file, "aws://eu-west-1?profile=prod".parse()?);
///
/// let config = AwsConfig::new().with_region("eu-west-1").with_endpoint_url("localhost:4566");
/// let err = kms::connect_config(KmsConfig::Aws(config)).await.unwrap_err();
/// assert_eq!(err.message(), "endpoint URL must start with http:// or https://, not 'localhost:'");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AwsConfig {
    /// The region, such as `eu-west-1`; the configuration chain's when unset.
    pub region: Option<String>,
    /// The profile of the shared config and credentials files; the configuration chain's
    /// (`AWS_PROFILE`, else `default`) when unset.
    pub profile: Option<String>,
    /// Another endpoint of the AWS KMS API, such as `http://127.0.0.1:4566` for moto or
    /// LocalStack; AWS KMS's own (or `AWS_ENDPOINT_URL`'s) when unset.
    pub endpoint_url: Option<String>,
    /// Faults to inject into every call (throttling, internal errors, latency), in the text
    /// form of [`FaultPlan`](crate::faults::FaultPlan), such as `throttling:0.1,seed:7`; a
    /// testing aid of this crate, not an AWS setting. None when unset.
    pub faults: Option<String>,
    /// Request quotas to enforce in this process, before calls reach the endpoint, in the
    /// text form of [`QuotaPlan`](crate::faults::QuotaPlan) (`aws`, `cryptographic:100`).
    /// None when unset.
    pub quotas: Option<String>,
}

impl AwsConfig {
    /// AWS KMS as the standard configuration chain describes it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the profile.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sets the endpoint.
    #[must_use]
    pub fn with_endpoint_url(mut self, endpoint_url: impl Into<String>) -> Self {
        self.endpoint_url = Some(endpoint_url.into());
        self
    }

    /// Sets the faults to inject (the text form of [`FaultPlan`](crate::faults::FaultPlan)).
    #[must_use]
    pub fn with_faults(mut self, faults: impl Into<String>) -> Self {
        self.faults = Some(faults.into());
        self
    }

    /// Sets the request quotas to enforce (the text form of
    /// [`QuotaPlan`](crate::faults::QuotaPlan)).
    #[must_use]
    pub fn with_quotas(mut self, quotas: impl Into<String>) -> Self {
        self.quotas = Some(quotas.into());
        self
    }
}

impl fmt::Debug for AwsConfig {
    /// Shows the settings, with any `user:password@` of the endpoint replaced by `***@` (the
    /// AWS backend refuses such an endpoint, but a config may still hold one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsConfig")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field(
                "endpoint_url",
                &self.endpoint_url.as_deref().map(super::url::shown),
            )
            .field("faults", &self.faults)
            .field("quotas", &self.quotas)
            .finish()
    }
}
