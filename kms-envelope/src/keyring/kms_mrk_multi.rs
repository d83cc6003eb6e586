//! The multi-keyrings of MRK keyrings, one per key or Region, each with the KMS client of its
//! Region (the specification's `aws-kms-mrk-multi-keyrings`).

use std::sync::Arc;

use kms_core::{KeyId, KeyIdForm};

use crate::error::{Error, Result};
use crate::keyring::kms_mrk_discovery::check_region_name;
use crate::keyring::mrk::check_multi_region_keys_are_unique;
use crate::keyring::{
    DiscoveryFilter, Keyring, KmsClientSupplier, KmsMrkDiscoveryKeyring, KmsMrkKeyring,
    MultiKeyring,
};

impl MultiKeyring {
    /// A multi-keyring of [`KmsMrkKeyring`]s: the AWS Encryption SDKs' *AWS KMS MRK
    /// multi-keyring*. The `generator` key (if any) makes the data key, every key of
    /// `children` wraps it too, and on decrypt each is tried in turn. Each keyring calls KMS
    /// through the client `clients` supplies for the Region of its key ARN.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use std::sync::Arc;
    /// use kms_core::{Kms, KmsExt};
    /// use kms_envelope::{Decryptor, Encryptor, MultiKeyring};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let east = kms_local::LocalKms::new();
    /// let west = kms_local::LocalKms::builder().region("us-west-2").build()?;
    /// let east_key = east.create_symmetric_key("east").await?.arn.unwrap_or_default();
    /// let west_key = west.create_symmetric_key("west").await?.arn.unwrap_or_default();
    /// let clients = BTreeMap::from([
    ///     ("us-east-1".to_owned(), Arc::new(east) as Arc<dyn Kms>),
    ///     ("us-west-2".to_owned(), Arc::new(west) as Arc<dyn Kms>),
    /// ]);
    ///
    /// let both = MultiKeyring::kms_mrk(
    ///     Some(east_key.parse()?), vec![west_key.parse()?], &clients, Vec::new(),
    /// ).await?;
    /// let message = Encryptor::new(Arc::new(both)).encrypt(b"in two Regions").await?;
    ///
    /// // The us-west-2 key alone decrypts it.
    /// let west_only = MultiKeyring::kms_mrk(None, vec![west_key.parse()?], &clients, Vec::new())
    ///     .await?;
    /// let decrypted = Decryptor::new(Arc::new(west_only)).decrypt(&message).await?;
    /// assert_eq!(decrypted.plaintext(), b"in two Regions");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when a key is not a key or alias ARN (the Region of the
    /// client comes from the ARN), or when two keys are related multi-Region keys (see
    /// [`check_multi_region_keys_are_unique`](crate::check_multi_region_keys_are_unique));
    /// [`Error::Kms`] when the supplier has no client for a key's Region.
    pub async fn kms_mrk(
        generator: Option<KeyId>,
        children: Vec<KeyId>,
        clients: &dyn KmsClientSupplier,
        grant_tokens: Vec<String>,
    ) -> Result<Self> {
        let keys: Vec<KeyId> = generator.iter().chain(&children).cloned().collect();
        for key in &keys {
            if !matches!(key.form(), KeyIdForm::KeyArn | KeyIdForm::AliasArn) {
                return Err(Error::invalid(format!(
                    "`{key}` is not a key ARN or alias ARN: an MRK multi-keyring takes the \
                     Region of each key's client from its ARN"
                )));
            }
        }
        check_multi_region_keys_are_unique(&keys)?;
        let mut multi = match generator {
            Some(key) => Self::new(Some(mrk_keyring(key, clients, &grant_tokens).await?)),
            None => Self::new(None),
        };
        for key in children {
            multi = multi.with_child(mrk_keyring(key, clients, &grant_tokens).await?);
        }
        Ok(multi)
    }

    /// A multi-keyring of [`KmsMrkDiscoveryKeyring`]s, one per Region of `regions`, each
    /// with the client `clients` supplies for it and the same discovery filter: the AWS
    /// Encryption SDKs' *AWS KMS MRK discovery multi-keyring*. It cannot encrypt.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use std::sync::Arc;
    /// use kms_core::{Kms, KmsExt};
    /// use kms_envelope::{Decryptor, DiscoveryFilter, Encryptor, KmsKeyring, MultiKeyring};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let west: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::builder().region("us-west-2").build()?);
    /// let key = west.create_symmetric_key("west").await?.arn.unwrap_or_default();
    /// let writer = Arc::new(KmsKeyring::new(west.clone(), key.parse()?));
    /// let message = Encryptor::new(writer).encrypt(b"found").await?;
    ///
    /// let clients = BTreeMap::from([
    ///     ("us-east-1".to_owned(), Arc::new(kms_local::LocalKms::new()) as Arc<dyn Kms>),
    ///     ("us-west-2".to_owned(), west),
    /// ]);
    /// let filter = DiscoveryFilter::new("aws", ["111122223333"]);
    /// let reader = MultiKeyring::kms_mrk_discovery(
    ///     &["us-east-1", "us-west-2"], Some(filter), &clients, Vec::new(),
    /// ).await?;
    /// let decrypted = Decryptor::new(Arc::new(reader)).decrypt(&message).await?;
    /// assert_eq!(decrypted.plaintext(), b"found");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when `regions` is empty or holds a string that is not a
    /// Region name; [`Error::Kms`] when the supplier has no client for a Region.
    pub async fn kms_mrk_discovery(
        regions: &[&str],
        filter: Option<DiscoveryFilter>,
        clients: &dyn KmsClientSupplier,
        grant_tokens: Vec<String>,
    ) -> Result<Self> {
        if regions.is_empty() {
            return Err(Error::invalid(
                "an MRK discovery multi-keyring needs at least one Region",
            ));
        }
        for region in regions {
            check_region_name(region)?;
        }
        let mut multi = Self::new(None);
        for region in regions {
            let kms = clients.client_for_region(region).await?;
            let mut keyring =
                KmsMrkDiscoveryKeyring::new(kms, *region)?.with_grant_tokens(grant_tokens.clone());
            if let Some(filter) = &filter {
                keyring = keyring.with_filter(filter.clone());
            }
            multi = multi.with_child(Arc::new(keyring));
        }
        Ok(multi)
    }
}

/// The MRK keyring of `key` (an ARN), over the supplier's client of the ARN's Region.
async fn mrk_keyring(
    key: KeyId,
    clients: &dyn KmsClientSupplier,
    grant_tokens: &[String],
) -> Result<Arc<dyn Keyring>> {
    let region = key
        .arn()
        .map(|arn| arn.region().to_owned())
        .unwrap_or_default();
    let kms = clients.client_for_region(&region).await?;
    Ok(Arc::new(
        KmsMrkKeyring::new(kms, key).with_grant_tokens(grant_tokens.to_vec()),
    ))
}
