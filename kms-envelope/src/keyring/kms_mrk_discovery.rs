//! The AWS KMS MRK discovery keyring: decrypts with whichever key wrapped a data key, calling
//! the related multi-Region key of its own Region (the specification's
//! `aws-kms-mrk-discovery-keyring`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::{Arn, KeyId, Kms};

use crate::error::{Error, Result};
use crate::keyring::kms::{Attempt, UnwrapCall, kms_key_arns};
use crate::keyring::mrk::is_multi_region_arn;
use crate::keyring::{
    DecryptionMaterials, DiscoveryFilter, EncryptedDataKey, EncryptionMaterials, Keyring,
};

/// A discovery keyring for one Region that understands multi-Region keys: the AWS Encryption
/// SDKs' *AWS KMS MRK discovery keyring* (`AwsKmsMrkDiscoveryKeyring`). It cannot encrypt.
///
/// It tries the encrypted data keys of provider `aws-kms` in the message's order:
///
/// - a data key wrapped under a multi-Region key is decrypted with the related key of **this
///   keyring's Region**: the ARN of the message with its Region replaced by this one;
/// - a data key wrapped under a single-Region key is tried only when that key is in this
///   Region;
/// - a [`DiscoveryFilter`] limits both to an AWS partition and a list of accounts.
///
/// The KMS must answer with the ARN that was asked for, and a data key of the suite's length.
/// A message whose `aws-kms` provider info is not a key ARN is refused as malformed; when no
/// key decrypts, the error lists each failure. The KMS client must be one of this Region.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{Kms, KmsExt};
/// use kms_envelope::{Decryptor, DiscoveryFilter, Encryptor, KmsKeyring, KmsMrkDiscoveryKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let key = kms.create_symmetric_key("producer").await?;
/// let producer = Arc::new(KmsKeyring::new(kms.clone(), key.arn.unwrap_or_default().parse()?));
/// let message = Encryptor::new(producer).encrypt(b"hello").await?;
///
/// let filter = DiscoveryFilter::new("aws", ["111122223333"]);
/// let reader = KmsMrkDiscoveryKeyring::new(kms, "us-east-1")?.with_filter(filter);
/// let decrypted = Decryptor::new(Arc::new(reader)).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// # Ok(()) }
/// ```
pub struct KmsMrkDiscoveryKeyring {
    kms: Arc<dyn Kms>,
    region: String,
    filter: Option<DiscoveryFilter>,
    grant_tokens: Vec<String>,
}

impl fmt::Debug for KmsMrkDiscoveryKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsMrkDiscoveryKeyring")
            .field("kms", &format_args!("{}", self.kms))
            .field("region", &self.region)
            .field("filter", &self.filter)
            .field("grant_tokens", &self.grant_tokens.len())
            .finish()
    }
}

impl KmsMrkDiscoveryKeyring {
    /// A keyring whose KMS calls go through `kms`, a client of `region` (such as
    /// `us-west-2`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when `region` is not a Region name (lowercase letters,
    /// digits and dashes).
    pub fn new(kms: Arc<dyn Kms>, region: impl Into<String>) -> Result<Self> {
        let region = region.into();
        check_region_name(&region)?;
        Ok(Self {
            kms,
            region,
            filter: None,
            grant_tokens: Vec::new(),
        })
    }

    /// Tries only keys that `filter` allows.
    #[must_use]
    pub fn with_filter(mut self, filter: DiscoveryFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Grant tokens passed to every KMS call.
    #[must_use]
    pub fn with_grant_tokens(mut self, grant_tokens: Vec<String>) -> Self {
        self.grant_tokens = grant_tokens;
        self
    }

    /// The Region of the keyring's KMS client.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The key to ask `Decrypt` for, for a data key wrapped under `arn`: the related key of
    /// this Region for a multi-Region key; the key itself for a key of this Region; none
    /// for a key of another Region or one the filter leaves out.
    fn key_to_call(&self, arn: &Arn) -> Option<KeyId> {
        if self
            .filter
            .as_ref()
            .is_some_and(|filter| !filter.allows(arn))
        {
            return None;
        }
        let text = if is_multi_region_arn(arn) {
            Arn::for_key(
                arn.partition(),
                &self.region,
                arn.account(),
                arn.resource_id(),
            )
            .to_string()
        } else if arn.region() == self.region {
            arn.as_str().to_owned()
        } else {
            return None;
        };
        KeyId::parse(&text).ok()
    }
}

/// Checks that `region` can be the Region of a key ARN.
pub(crate) fn check_region_name(region: &str) -> Result<()> {
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "'{}' is not a Region name such as 'us-west-2'",
        region.escape_debug()
    )))
}

#[async_trait]
impl Keyring for KmsMrkDiscoveryKeyring {
    async fn on_encrypt(&self, _: EncryptionMaterials) -> Result<EncryptionMaterials> {
        Err(Error::invalid(
            "an MRK discovery keyring cannot encrypt: it names no key to generate or wrap \
             data keys",
        ))
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Err(Error::invalid(
                "an MRK discovery keyring got decryption materials that already hold a data key",
            ));
        }
        let attempts = kms_key_arns(encrypted_data_keys)?
            .into_iter()
            .filter_map(|(edk, arn)| {
                let key = self.key_to_call(&arn)?;
                let expected = key.as_str().to_owned();
                Some(Attempt { key, edk, expected })
            })
            .collect();
        let call = UnwrapCall {
            kms: self.kms.as_ref(),
            grant_tokens: &self.grant_tokens,
        };
        call.first_of(attempts, materials).await
    }
}
