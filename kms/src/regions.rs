//! [`RegionalKms`]: one backend, with a handle for each Region, as an AWS SDK user holds one
//! client per Region.

use std::sync::Arc;

use crate::connect::Connected;
use crate::{DynKms, Error, KmsConfig, Result};

/// A backend and its handles in other Regions: what multi-Region keys need, since a handle,
/// like an `aws_sdk_kms::Client`, calls one Region.
///
/// - For AWS (`aws:`, `aws+http:`, `aws+https:`), the handle of another Region is a client of
///   that Region made from the same SDK client: the same credentials provider, profile,
///   endpoint, retry and timeout settings, with the same faults and quotas of the URL.
/// - For the local backend, a handle of another Region of the same store needs a local
///   world of several Regions, which `kms-local` does not offer yet:
///   [`RegionalKms::in_region`] answers `NotImplemented` for another Region (see
///   [`RegionalKms::local_in_region`]), never a separate, empty store in disguise.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms::Result<()> {
/// let regions = kms::RegionalKms::connect("aws://us-east-1".parse()?).await?;
/// assert_eq!(regions.region(), "us-east-1");
/// let west = regions.in_region("us-west-2").await?;
/// assert_eq!(west.to_string(), "AwsKms(us-west-2)");
///
/// let local = kms::RegionalKms::connect("local:?region=eu-west-1".parse()?).await?;
/// assert!(local.in_region("eu-west-1").await.is_ok());
/// let err = local.in_region("eu-central-1").await.unwrap_err();
/// assert_eq!(err.code(), "NotImplemented");
/// # Ok(()) }
/// ```
pub struct RegionalKms {
    config: KmsConfig,
    connected: Connected,
}

impl std::fmt::Debug for RegionalKms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionalKms")
            .field("config", &self.config)
            .field("region", &self.connected.region)
            .field("kms", &format_args!("{}", self.connected.kms))
            .finish()
    }
}

impl RegionalKms {
    /// Connects to the backend `config` names, in its own Region.
    ///
    /// # Errors
    ///
    /// The errors of [`connect_config`](crate::connect_config).
    pub async fn connect(config: KmsConfig) -> Result<Self> {
        let connected = Connected::open(config.clone()).await?;
        Ok(Self { config, connected })
    }

    /// The Region of the backend's own handle: the configuration's, else the local
    /// backend's default (`us-east-1`) or the Region of AWS's configuration chain.
    pub fn region(&self) -> &str {
        &self.connected.region
    }

    /// The handle of the backend's own Region.
    pub fn handle(&self) -> Arc<DynKms> {
        self.connected.kms.clone()
    }

    /// The handle of `region`: the backend's own handle for its Region, else a handle of the
    /// same backend in `region`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `region` is not a Region name (checked by the backend's
    /// builder); [`Error::NotImplemented`] for another Region of the local backend.
    pub async fn in_region(&self, region: &str) -> Result<Arc<DynKms>> {
        if region == self.connected.region {
            return Ok(self.handle());
        }
        match &self.connected.aws {
            Some(aws) => self.aws_in_region(aws, region).await,
            None => self.local_in_region(region),
        }
    }

    /// The handle of the local backend in another Region: the hook where a local world of
    /// several Regions will give the sibling handle of the same store. Until then it
    /// refuses, rather than hand out a separate store that would not hold the keys of this
    /// one.
    ///
    /// # Errors
    ///
    /// [`Error::NotImplemented`], naming both Regions.
    pub fn local_in_region(&self, region: &str) -> Result<Arc<DynKms>> {
        Err(Error::NotImplemented {
            message: format!(
                "the local backend plays one Region ({}): a handle of the same store in \
                 Region '{}' needs a local world of several Regions, which this version of \
                 kms-local does not have; use an aws: URL, or connect to \
                 'local:?region={}' for a separate store",
                self.connected.region,
                region.escape_debug(),
                region.escape_debug()
            ),
        })
    }

    /// A client of `region` made from the AWS backend's client, inside the layers of the
    /// configuration.
    #[cfg(feature = "aws")]
    async fn aws_in_region(&self, aws: &kms_aws::AwsKms, region: &str) -> Result<Arc<DynKms>> {
        let mut builder = kms_aws::AwsKms::builder()
            .with_client(aws.client().clone())
            .with_region(region);
        if let Some(endpoint_url) = aws.endpoint_url() {
            builder = builder.with_endpoint_url(endpoint_url);
        }
        let sibling = builder.build().await?;
        Ok(crate::connect::Layers::of(&self.config)?.wrap(Arc::new(sibling), None))
    }

    /// No AWS backend is ever built without the feature.
    #[cfg(not(feature = "aws"))]
    async fn aws_in_region(
        &self,
        aws: &crate::connect::AwsBackend,
        _region: &str,
    ) -> Result<Arc<DynKms>> {
        match *aws {}
    }
}

#[cfg(all(test, feature = "local", feature = "aws"))]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::KmsExt;

    /// Building a handle sends nothing: these tests need no network.
    #[tokio::test]
    async fn aws_handles_of_other_regions_keep_the_endpoint_and_layers() {
        let config: KmsConfig = "aws+http://127.0.0.1:4566?region=us-east-1&faults=throttling:1"
            .parse()
            .unwrap();
        let regions = RegionalKms::connect(config).await.unwrap();
        assert_eq!(regions.region(), "us-east-1");
        let west = regions.in_region("us-west-2").await.unwrap();
        assert_eq!(
            west.to_string(),
            "AwsKms(us-west-2, http://127.0.0.1:4566) with faults [throttling:1]"
        );
        // The fault layer answers before any request is sent.
        let err = west.create_symmetric_key("x").await.unwrap_err();
        assert_eq!(err.code(), "ThrottlingException");
    }

    #[tokio::test]
    async fn the_own_region_is_the_same_handle() {
        let regions = RegionalKms::connect("local:".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(regions.region(), "us-east-1");
        let key = regions.handle().create_symmetric_key("k").await.unwrap();
        let same = regions.in_region("us-east-1").await.unwrap();
        assert!(Arc::ptr_eq(&same, &regions.handle()));
        let request = crate::DescribeKeyRequest::new(crate::KeyId::parse(&key.key_id).unwrap());
        assert!(same.describe_key(request).await.is_ok());

        let aws = RegionalKms::connect("aws://eu-west-1".parse().unwrap())
            .await
            .unwrap();
        let same = aws.in_region("eu-west-1").await.unwrap();
        assert!(Arc::ptr_eq(&same, &aws.handle()));
    }

    #[tokio::test]
    async fn the_local_backend_refuses_other_regions_by_name() {
        let regions = RegionalKms::connect("local:?region=eu-west-1".parse().unwrap())
            .await
            .unwrap();
        let err = regions.in_region("us-west-2").await.unwrap_err();
        assert!(matches!(err, Error::NotImplemented { .. }), "{err:?}");
        assert!(
            err.message().starts_with(
                "the local backend plays one Region (eu-west-1): a handle of \
                     the same store in Region 'us-west-2'"
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_bad_region_is_a_config_error() {
        let regions = RegionalKms::connect("aws://eu-west-1".parse().unwrap())
            .await
            .unwrap();
        let err = regions.in_region("EU WEST").await.unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(
            err.message().starts_with("region 'EU WEST' is not valid"),
            "{err}"
        );
    }
}
