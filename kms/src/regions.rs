//! [`RegionalKms`]: one backend, with a handle for each Region, as an AWS SDK user holds one
//! client per Region.

use std::sync::Arc;

use crate::connect::{Connected, local_sibling};
use crate::{DynKms, Error, KmsConfig, Result};

/// A backend and its handles in other Regions: what multi-Region keys need, since a handle,
/// like an `aws_sdk_kms::Client`, calls one Region.
///
/// - For AWS (`aws:`, `aws+http:`, `aws+https:`), the handle of another Region is a client of
///   that Region made from the same SDK client: the same credentials provider, profile,
///   endpoint, retry and timeout settings, with the same faults and quotas of the URL.
/// - For the local backend, the handle of another Region is a sibling on the same local
///   world (`LocalKms::for_region`): the same account, principal, clock, audit log and, for
///   a persistent store, directory (that Region's keys are kept in `DIR/regions/<region>`),
///   with the same faults and quotas of the URL. Two `RegionalKms` connected separately to
///   `local:` are two worlds; connected to the same `local:///DIR`, they share its keys.
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
/// let frankfurt = local.in_region("eu-central-1").await?;
/// assert_eq!(frankfurt.to_string(), "LocalKms(eu-central-1, 0 keys)");
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
    /// builder).
    pub async fn in_region(&self, region: &str) -> Result<Arc<DynKms>> {
        if region == self.connected.region {
            return Ok(self.handle());
        }
        match (&self.connected.aws, &self.connected.local) {
            (Some(aws), _) => self.aws_in_region(aws, region).await,
            (None, Some(local)) => self.local_sibling(local_sibling(local, region, None)?),
            (None, None) => Err(Error::NotImplemented {
                message: format!("{} has no handles in other Regions", self.connected.kms),
            }),
        }
    }

    /// The same backend with `region` as its own Region: what `--region` does to a URL's
    /// backend in the `kms` command. For a persistent local store, whose directory belongs to
    /// the Region it was created for, this is the way to another Region of it (connecting
    /// with the Region replaced would open `DIR` as a store of that Region, and be refused).
    ///
    /// # Errors
    ///
    /// Those of [`RegionalKms::in_region`].
    pub async fn into_region(self, region: &str) -> Result<Self> {
        let kms = self.in_region(region).await?;
        Ok(Self {
            config: self.config,
            connected: Connected {
                kms,
                region: region.to_owned(),
                ..self.connected
            },
        })
    }

    /// The handle of `region` for `account`, as a server maps a caller's credential onto
    /// them: for the local backend, a sibling on the same world in that account (the
    /// account's root user); for AWS, whose account is the credentials', the handle of
    /// `region` ([`RegionalKms::in_region`]) whatever `account` names. (Beyond AWS: an SDK
    /// client cannot change accounts without other credentials.)
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `region` or `account` is not valid.
    pub async fn in_region_for_account(&self, region: &str, account: &str) -> Result<Arc<DynKms>> {
        match &self.connected.local {
            Some(local) => self.local_sibling(local_sibling(local, region, Some(account))?),
            None => self.in_region(region).await,
        }
    }

    /// `sibling` inside the layers of the configuration, its injected faults written to the
    /// world's audit log when there is one.
    fn local_sibling(&self, sibling: crate::connect::LocalBackend) -> Result<Arc<DynKms>> {
        let audited = matches!(&self.config, KmsConfig::Local(local) if local.audit.is_some());
        let (kms, audit) = crate::connect::local_handle(&sibling, audited);
        Ok(crate::connect::Layers::of(&self.config)?.wrap(kms, audit))
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
    async fn local_handles_of_other_regions_and_accounts_share_one_world() {
        let regions = RegionalKms::connect("local:?region=eu-west-1".parse().unwrap())
            .await
            .unwrap();
        let west = regions.in_region("us-west-2").await.unwrap();
        let key = west.create_symmetric_key("k").await.unwrap();
        let describe = || crate::DescribeKeyRequest::new(crate::KeyId::parse(&key.key_id).unwrap());
        // The same world: another handle of us-west-2 sees the key ...
        let again = regions.in_region("us-west-2").await.unwrap();
        assert!(again.describe_key(describe()).await.is_ok());
        // ... the Region of the URL does not, nor another account's us-west-2.
        let err = regions.handle().describe_key(describe()).await.unwrap_err();
        assert_eq!(err.code(), "NotFoundException");
        let other = regions
            .in_region_for_account("us-west-2", "444455556666")
            .await
            .unwrap();
        let err = other.describe_key(describe()).await.unwrap_err();
        assert_eq!(err.code(), "NotFoundException");
        assert!(
            other.to_string().starts_with("LocalKms(us-west-2"),
            "{other}"
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
