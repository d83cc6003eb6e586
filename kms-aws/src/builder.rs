//! [`AwsKmsBuilder`]: where the AWS configuration comes from, and what to override.

use std::fmt;

use aws_config::BehaviorVersion;
use aws_config::SdkConfig;
use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{Builder as ConfigBuilder, Region};
use aws_sdk_kms::{Client, Config};
use kms_core::Result;

use crate::AwsKms;
use crate::error::Target;
use crate::settings::{check_endpoint_url, check_profile, check_region, config_error};

/// Builds an [`AwsKms`]: the AWS configuration it starts from, and settings that override
/// it. Setters only record; [`AwsKmsBuilder::build`] validates everything and reports the
/// first problem as [`Error::Config`](kms_core::Error::Config).
///
/// It starts from the standard AWS configuration chain of `aws-config` (environment
/// variables, the shared config and credentials files and their profiles, SSO, web
/// identity, container and instance metadata), unless [`with_sdk_config`] or
/// [`with_client`] gives the configuration instead.
///
/// ```no_run
/// use std::time::Duration;
///
/// use kms_aws::AwsKms;
/// use kms_aws::aws_sdk_kms::config::retry::RetryConfig;
/// use kms_aws::aws_sdk_kms::config::timeout::TimeoutConfig;
///
/// # async fn demo() -> kms_core::Result<()> {
/// let kms = AwsKms::from_env()
///     .with_region("eu-west-1")
///     .with_profile("prod")
///     .with_retry_config(RetryConfig::standard().with_max_attempts(5))
///     .with_timeout_config(
///         TimeoutConfig::builder().operation_timeout(Duration::from_secs(10)).build(),
///     )
///     .build()
///     .await?;
/// assert_eq!(kms.to_string(), "AwsKms(eu-west-1)");
/// # Ok(()) }
/// ```
///
/// [`with_sdk_config`]: AwsKmsBuilder::with_sdk_config
/// [`with_client`]: AwsKmsBuilder::with_client
#[derive(Clone, Default)]
#[must_use]
pub struct AwsKmsBuilder {
    source: Source,
    region: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<String>,
    retry_config: Option<RetryConfig>,
    timeout_config: Option<TimeoutConfig>,
}

/// Where the configuration comes from.
#[derive(Clone, Default)]
enum Source {
    /// The standard chain of `aws-config`, loaded by `build`.
    #[default]
    Chain,
    /// A loaded `SdkConfig`.
    SdkConfig(Box<SdkConfig>),
    /// A client, used as it is unless settings override its configuration.
    Client(Client),
}

impl Source {
    fn describe(&self) -> &'static str {
        match self {
            Self::Chain => "the standard AWS chain",
            Self::SdkConfig(_) => "a given SdkConfig",
            Self::Client(_) => "a given aws_sdk_kms::Client",
        }
    }
}

impl AwsKmsBuilder {
    /// A builder that starts from the standard AWS configuration chain: the same as
    /// [`AwsKmsBuilder::from_env`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder that starts from the standard AWS configuration chain of `aws-config`:
    /// `AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`… and `AWS_ENDPOINT_URL(_KMS)` from
    /// the environment, `~/.aws/config` and `~/.aws/credentials` with their profiles, SSO,
    /// web identity, container and instance metadata. Nothing is read before
    /// [`AwsKmsBuilder::build`], and credentials only when the first request needs them.
    pub fn from_env() -> Self {
        Self::default()
    }

    /// The region to use instead of the configuration's, such as `eu-west-1`.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The profile of the shared config and credentials files to load (as `AWS_PROFILE`
    /// does). Only for the standard chain: with [`with_sdk_config`] or [`with_client`],
    /// `build` refuses it.
    ///
    /// [`with_sdk_config`]: AwsKmsBuilder::with_sdk_config
    /// [`with_client`]: AwsKmsBuilder::with_client
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sends requests to this endpoint instead of AWS KMS's, such as
    /// `http://127.0.0.1:4566` for LocalStack or moto. An `http` or `https` URL with a host
    /// and no credentials, query or fragment.
    pub fn with_endpoint_url(mut self, endpoint_url: impl Into<String>) -> Self {
        self.endpoint_url = Some(endpoint_url.into());
        self
    }

    /// Starts from a loaded `SdkConfig` instead of the standard chain.
    pub fn with_sdk_config(mut self, config: &SdkConfig) -> Self {
        self.source = Source::SdkConfig(Box::new(config.clone()));
        self
    }

    /// Uses this client. Its configuration is kept, except for the region, endpoint, retry
    /// and timeout settings given to this builder.
    pub fn with_client(mut self, client: Client) -> Self {
        self.source = Source::Client(client);
        self
    }

    /// The SDK's retry configuration. By default it is the one of the configuration the
    /// builder starts from: for the standard chain, the SDK's **standard** mode with 3
    /// attempts (retrying `ThrottlingException`, 5xx answers and transport errors with
    /// exponential backoff and jitter, up to 20 seconds, within a retry quota), unless
    /// `AWS_RETRY_MODE` / `AWS_MAX_ATTEMPTS` or a profile's `retry_mode` / `max_attempts`
    /// say otherwise. The **adaptive** mode adds a client-side rate limiter that slows the
    /// client down when it is throttled:
    ///
    /// ```no_run
    /// use kms_aws::AwsKms;
    /// use kms_aws::aws_sdk_kms::config::retry::RetryConfig;
    ///
    /// # async fn demo() -> kms_core::Result<()> {
    /// let kms = AwsKms::from_env()
    ///     .with_retry_config(RetryConfig::adaptive().with_max_attempts(5))
    ///     .build()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// `RetryConfig::disabled()` turns retries off. Test your choice against throttling with
    /// `kms serve --faults throttling:0.3` or `--quotas aws` (see `kms-faults`).
    pub fn with_retry_config(mut self, retry_config: RetryConfig) -> Self {
        self.retry_config = Some(retry_config);
        self
    }

    /// The SDK's timeout configuration (connect, read, per attempt, per operation); by
    /// default a connect timeout of 3.1 seconds and no other.
    pub fn with_timeout_config(mut self, timeout_config: TimeoutConfig) -> Self {
        self.timeout_config = Some(timeout_config);
        self
    }

    /// Validates the settings, loads the configuration and builds the backend.
    ///
    /// # Errors
    ///
    /// [`Error::Config`](kms_core::Error::Config) naming the first problem: a region that is not a host name label
    /// (the SDK puts it into the endpoint's host name), an empty profile or one with spaces, an endpoint that is not an `http` or `https` URL with a host (or
    /// carries credentials, a query or a fragment), a profile with a given `SdkConfig` or
    /// client, a configuration without a region or without credentials.
    pub async fn build(self) -> Result<AwsKms> {
        self.validate()?;
        let Self {
            source,
            region,
            profile,
            endpoint_url,
            retry_config,
            timeout_config,
        } = self;
        let source_name = source.describe();
        let (mut builder, loaded_endpoint) = match source {
            Source::Chain => {
                let mut loader = aws_config::defaults(BehaviorVersion::latest());
                if let Some(profile) = profile {
                    loader = loader.profile_name(profile);
                }
                if let Some(region) = &region {
                    loader = loader.region(Region::new(region.clone()));
                }
                let sdk_config = loader.load().await;
                let endpoint = sdk_config.endpoint_url().map(str::to_owned);
                (ConfigBuilder::from(&sdk_config), endpoint)
            }
            Source::SdkConfig(sdk_config) => {
                if sdk_config.credentials_provider().is_none() {
                    return Err(config_error(
                        "a given SdkConfig has no credentials provider: AWS KMS needs signed \
                         requests",
                    ));
                }
                let endpoint = sdk_config.endpoint_url().map(str::to_owned);
                (ConfigBuilder::from(&*sdk_config), endpoint)
            }
            Source::Client(client) => (client.config().to_builder(), None),
        };
        if let Some(region) = region {
            builder = builder.region(Region::new(region));
        }
        if let Some(endpoint_url) = &endpoint_url {
            builder = builder.endpoint_url(endpoint_url);
        }
        if let Some(retry_config) = retry_config {
            builder = builder.retry_config(retry_config);
        }
        if let Some(timeout_config) = timeout_config {
            builder = builder.timeout_config(timeout_config);
        }
        let config = builder.build();
        let region = resolved_region(&config, source_name)?;
        Ok(AwsKms::from_parts(
            Client::from_conf(config),
            Target {
                region,
                endpoint: endpoint_url.or(loaded_endpoint),
            },
        ))
    }

    /// Checks the settings that need no configuration.
    fn validate(&self) -> Result<()> {
        if let Some(region) = &self.region {
            check_region(region)?;
        }
        if let Some(profile) = &self.profile {
            check_profile(profile)?;
            if !matches!(self.source, Source::Chain) {
                return Err(config_error(format!(
                    "profile '{profile}' applies only to the standard AWS chain, not to {}: \
                     load the profile into the configuration instead",
                    self.source.describe()
                )));
            }
        }
        if let Some(endpoint_url) = &self.endpoint_url {
            check_endpoint_url(endpoint_url)?;
        }
        Ok(())
    }
}

/// The region of the configuration, which AWS KMS needs.
fn resolved_region(config: &Config, source_name: &str) -> Result<String> {
    let Some(region) = config.region() else {
        return Err(config_error(format!(
            "no AWS region: {source_name} names none; set AWS_REGION, a region in the \
             profile, or use a URL such as 'aws://eu-west-1'"
        )));
    };
    let region = region.as_ref().to_owned();
    check_region(&region)?;
    Ok(region)
}

impl fmt::Debug for AwsKmsBuilder {
    /// Shows the settings, never the credentials of a configuration or client.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsKmsBuilder")
            .field("source", &self.source.describe())
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field(
                "endpoint_url",
                &self.endpoint_url.as_deref().map(shown_endpoint),
            )
            .field("retry_config", &self.retry_config)
            .field("timeout_config", &self.timeout_config)
            .finish()
    }
}

/// The endpoint as `Debug` may show it: as it is when it is a valid endpoint URL (which has
/// no credentials); otherwise nothing of it, since it may hold some.
fn shown_endpoint(endpoint_url: &str) -> &str {
    match check_endpoint_url(endpoint_url) {
        Ok(()) => endpoint_url,
        Err(_) => "[not shown: not a valid endpoint URL]",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use aws_sdk_kms::config::{BehaviorVersion, Credentials};
    use kms_core::Error;

    use super::*;

    /// A configuration with a region and static credentials, and nothing loaded from the
    /// machine.
    fn sdk_config(region: Option<&str>) -> SdkConfig {
        let mut builder = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .credentials_provider(aws_sdk_kms::config::SharedCredentialsProvider::new(
                Credentials::for_tests(),
            ));
        if let Some(region) = region {
            builder = builder.region(Region::new(region.to_owned()));
        }
        builder.build()
    }

    async fn config_err(builder: AwsKmsBuilder) -> String {
        match builder.build().await {
            Err(Error::Config { message }) => message,
            Err(other) => panic!("expected a config error, got {other:?}"),
            Ok(kms) => panic!("expected a config error, got {kms}"),
        }
    }

    #[tokio::test]
    async fn display_names_the_region_and_an_overridden_endpoint() {
        let kms = AwsKms::builder()
            .with_sdk_config(&sdk_config(Some("eu-west-1")))
            .build()
            .await
            .unwrap();
        assert_eq!(kms.to_string(), "AwsKms(eu-west-1)");
        assert_eq!(kms.region(), "eu-west-1");
        assert_eq!(kms.endpoint_url(), None);

        let kms = AwsKms::builder()
            .with_sdk_config(&sdk_config(Some("eu-west-1")))
            .with_region("us-east-1")
            .with_endpoint_url("http://127.0.0.1:4566")
            .build()
            .await
            .unwrap();
        assert_eq!(kms.to_string(), "AwsKms(us-east-1, http://127.0.0.1:4566)");
        assert_eq!(kms.endpoint_url(), Some("http://127.0.0.1:4566"));
        assert_eq!(
            kms.client()
                .config()
                .region()
                .map(|r| r.as_ref().to_owned()),
            Some("us-east-1".to_owned())
        );
    }

    #[tokio::test]
    async fn a_client_keeps_its_configuration_unless_overridden() {
        let client = Client::new(&sdk_config(Some("ap-south-1")));
        let kms = AwsKms::builder()
            .with_client(client.clone())
            .build()
            .await
            .unwrap();
        assert_eq!(kms.to_string(), "AwsKms(ap-south-1)");
        let kms = AwsKms::builder()
            .with_client(client)
            .with_region("eu-central-1")
            .with_retry_config(RetryConfig::disabled())
            .build()
            .await
            .unwrap();
        assert_eq!(kms.region(), "eu-central-1");
        assert_eq!(
            kms.client()
                .config()
                .retry_config()
                .map(RetryConfig::max_attempts),
            Some(1)
        );
    }

    #[tokio::test]
    async fn build_names_each_bad_setting() {
        let base = || AwsKms::builder().with_sdk_config(&sdk_config(Some("eu-west-1")));
        assert_eq!(
            config_err(base().with_region("EU West")).await,
            "region 'EU West' is not valid: a region is a host name label (letters, digits and \
             hyphens, such as 'eu-west-1')"
        );
        assert_eq!(
            config_err(base().with_endpoint_url("localhost:4566")).await,
            "endpoint URL must start with http:// or https://, not 'localhost:'"
        );
        assert_eq!(
            config_err(base().with_endpoint_url("http://")).await,
            "endpoint URL is malformed: empty host"
        );
        let message = config_err(base().with_endpoint_url("http://k:s@127.0.0.1:1")).await;
        assert!(!message.contains("k:s"), "{message}");
        assert!(message.starts_with("endpoint URL must not carry credentials"));
        assert_eq!(
            config_err(base().with_endpoint_url("http://127.0.0.1:1/?x=1")).await,
            "endpoint URL must not have a query or a fragment"
        );
        assert_eq!(
            config_err(base().with_profile("prod")).await,
            "profile 'prod' applies only to the standard AWS chain, not to a given SdkConfig: \
             load the profile into the configuration instead"
        );
        assert_eq!(
            config_err(AwsKms::from_env().with_profile("")).await,
            "profile '' is not a valid profile name"
        );
    }

    #[tokio::test]
    async fn a_configuration_without_region_or_credentials_is_refused() {
        let message = config_err(AwsKms::builder().with_sdk_config(&sdk_config(None))).await;
        assert!(
            message.starts_with("no AWS region: a given SdkConfig names none"),
            "{message}"
        );
        let no_credentials = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .build();
        assert_eq!(
            config_err(AwsKms::builder().with_sdk_config(&no_credentials)).await,
            "a given SdkConfig has no credentials provider: AWS KMS needs signed requests"
        );
    }

    #[test]
    fn debug_shows_settings_only() {
        let builder = AwsKms::builder()
            .with_sdk_config(&sdk_config(Some("eu-west-1")))
            .with_region("eu-west-1");
        let shown = format!("{builder:?}");
        assert!(shown.contains("source: \"a given SdkConfig\""), "{shown}");
        assert!(!shown.contains("ANOTREAL"), "{shown}");
        let shown = format!(
            "{:?}",
            AwsKms::from_env().with_endpoint_url("http://127.0.0.1:4566")
        );
        assert!(shown.contains("Some(\"http://127.0.0.1:4566\")"), "{shown}");
        for endpoint in ["http://key:secret@host", "key:secret@host:1"] {
            let shown = format!("{:?}", AwsKms::from_env().with_endpoint_url(endpoint));
            assert!(!shown.contains("secret"), "{shown}");
        }
    }
}
