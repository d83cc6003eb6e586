//! The backend of a command: the URL of `--url` (or `KMS_URL`), in the Region of `--region`
//! when it is given.

use std::fmt;
use std::sync::Arc;

use kms::{DynKms, KmsConfig, RegionalKms};

use crate::Failure;

/// Where a command's requests go: a backend URL and the Region that overrides the URL's.
///
/// As with the AWS CLI, the Region is, first to last: `--region`, then the URL's
/// (`aws://REGION`, `?region=`), then for AWS the environment (`AWS_REGION`, then
/// `AWS_DEFAULT_REGION`) and the profile's `region`; the local backend plays `us-east-1`
/// when nothing names one.
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    url: String,
    region: Option<String>,
}

impl Backend {
    /// The backend `url` names, moved to `region` when there is one.
    pub(crate) fn new(url: String, region: Option<String>) -> Self {
        Self { url, region }
    }

    /// The configuration: the URL's, with `--region` in place of its Region.
    pub(crate) fn config(&self) -> Result<KmsConfig, Failure> {
        let config = KmsConfig::from_url(&self.url)?;
        Ok(match &self.region {
            Some(region) => config.with_region(region.as_str()),
            None => config,
        })
    }

    /// A handle of the backend, in its Region.
    pub(crate) async fn connect(&self) -> Result<Arc<DynKms>, Failure> {
        match self.local_world().await? {
            Some(world) => Ok(world.handle()),
            None => Ok(kms::connect_config(self.config()?).await?),
        }
    }

    /// The backend with handles of other Regions, for multi-Region keys.
    pub(crate) async fn regions(&self) -> Result<RegionalKms, Failure> {
        match self.local_world().await? {
            Some(world) => Ok(world),
            None => Ok(RegionalKms::connect(self.config()?).await?),
        }
    }

    /// For `--region` with the local backend: the URL's local world, moved to that Region
    /// (a persistent store's directory belongs to the URL's Region; its other Regions are
    /// siblings, kept in `DIR/regions/REGION`). `None` otherwise.
    async fn local_world(&self) -> Result<Option<RegionalKms>, Failure> {
        let config = KmsConfig::from_url(&self.url)?;
        let (Some(region), KmsConfig::Local(_)) = (&self.region, &config) else {
            return Ok(None);
        };
        let world = RegionalKms::connect(config).await?;
        Ok(Some(world.into_region(region).await?))
    }
}

impl fmt::Display for Backend {
    /// The URL, and `--region` when it overrides the URL's Region.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Some(region) => write!(f, "{} (--region {region})", self.url),
            None => f.write_str(&self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn the_region_flag_overrides_the_region_of_the_url() {
        for (url, expected) in [
            ("aws://eu-west-1", "aws://us-west-2"),
            ("aws:", "aws://us-west-2"),
            (
                "aws+http://127.0.0.1:4566?region=eu-west-1",
                "aws+http://127.0.0.1:4566?region=us-west-2",
            ),
            (
                "local:?region=eu-west-1&account=444455556666",
                "local:?region=us-west-2&account=444455556666",
            ),
            ("local:", "local:?region=us-west-2"),
        ] {
            let backend = Backend::new(url.to_owned(), Some("us-west-2".to_owned()));
            let expected: KmsConfig = expected.parse().unwrap();
            assert_eq!(backend.config().unwrap(), expected, "{url}");
        }
        let kept = Backend::new("aws://eu-west-1".to_owned(), None);
        assert_eq!(kept.config().unwrap(), "aws://eu-west-1".parse().unwrap());
    }

    #[test]
    fn a_bad_url_is_still_refused() {
        let backend = Backend::new("nope:".to_owned(), Some("us-west-2".to_owned()));
        assert!(matches!(backend.config(), Err(Failure::Backend(_))));
    }
}
