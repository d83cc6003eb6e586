//! Where the multi-keyrings of multi-Region keys get the KMS client of each Region.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::Kms;

/// Gives the KMS client of a Region, as the AWS Encryption SDKs' regional client suppliers
/// do: an `aws_sdk_kms::Client` is bound to one Region, and a keyring of a multi-Region key
/// must call the Region of its key.
///
/// The `kms` crate's facade connects a handle of one backend per Region; a map from Region to
/// client is a supplier too (Regions it lacks are an error):
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use kms_core::Kms;
/// use kms_envelope::KmsClientSupplier;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let east: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let clients = BTreeMap::from([("us-east-1".to_owned(), east)]);
/// assert!(clients.client_for_region("us-east-1").await.is_ok());
/// let err = clients.client_for_region("eu-west-1").await.unwrap_err();
/// assert_eq!(err.message(), "no KMS client for Region 'eu-west-1': the supplier has \
///     clients for us-east-1");
/// # }
/// ```
#[async_trait]
pub trait KmsClientSupplier: Send + Sync {
    /// The client that calls KMS in `region`, such as `us-west-2`.
    ///
    /// # Errors
    ///
    /// When there is no client for that Region, or it cannot be made.
    async fn client_for_region(&self, region: &str) -> kms_core::Result<Arc<dyn Kms>>;
}

#[async_trait]
impl KmsClientSupplier for BTreeMap<String, Arc<dyn Kms>> {
    async fn client_for_region(&self, region: &str) -> kms_core::Result<Arc<dyn Kms>> {
        self.get(region)
            .cloned()
            .ok_or_else(|| kms_core::Error::Config {
                message: format!(
                    "no KMS client for Region '{}': the supplier has clients for {}",
                    region.escape_debug(),
                    if self.is_empty() {
                        "no Region".to_owned()
                    } else {
                        self.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            })
    }
}
