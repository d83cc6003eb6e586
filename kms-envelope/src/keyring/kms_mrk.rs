//! The AWS KMS MRK keyring: one KMS key, which decrypts what any related multi-Region key
//! wrapped (the specification's `aws-kms-mrk-keyring`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::{KeyId, Kms};

use crate::error::Result;
use crate::keyring::kms::{Attempt, UnwrapCall, kms_key_arns};
use crate::keyring::mrk::multi_region_key_matches;
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, KmsKeyring,
};

/// A keyring of one KMS key that also decrypts data keys wrapped under a related
/// multi-Region key of another Region, with this key, in this key's Region: the AWS
/// Encryption SDKs' *AWS KMS MRK keyring* (`AwsKmsMrkKeyring`).
///
/// On encrypt it is a [`KmsKeyring`] of this one key: `GenerateDataKey` when the data key is
/// still to be made, else `Encrypt`, recording the ARN the KMS answers with.
///
/// On decrypt it considers the encrypted data keys of provider `aws-kms` whose ARN names this
/// key, or, for a multi-Region key, any related key (the same partition, account and `mrk-`
/// key ID in any Region). Each is sent to `Decrypt` with `KeyId` set to **this keyring's
/// identifier**, and the KMS must answer with that identifier exactly and a data key of the
/// suite's length; so configure it with a key ARN, the form `Decrypt` answers with. A message
/// whose `aws-kms` provider info is not a key ARN is refused as malformed. When no key
/// decrypts, the error lists each failure.
///
/// The KMS client must call the Region of the key: for the replica
/// `arn:aws:kms:us-west-2:…:key/mrk-…`, a client for `us-west-2` (see
/// [`MultiKeyring::kms_mrk`](crate::MultiKeyring::kms_mrk) to build keyrings of keys in
/// several Regions from a [`KmsClientSupplier`](crate::KmsClientSupplier)).
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{Kms, KmsExt};
/// use kms_envelope::{Decryptor, Encryptor, KmsMrkKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // With a single-Region key it behaves as the KMS keyring of that key.
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let key = kms.create_symmetric_key("mrk keyring").await?;
/// let keyring = Arc::new(KmsMrkKeyring::new(kms, key.arn.unwrap_or_default().parse()?));
///
/// let message = Encryptor::new(keyring.clone()).encrypt(b"hello").await?;
/// let decrypted = Decryptor::new(keyring).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// # Ok(()) }
/// ```
pub struct KmsMrkKeyring {
    kms: Arc<dyn Kms>,
    key: KeyId,
    grant_tokens: Vec<String>,
    /// The same key as a KMS keyring, which encrypts.
    encrypting: KmsKeyring,
}

impl fmt::Debug for KmsMrkKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsMrkKeyring")
            .field("kms", &format_args!("{}", self.kms))
            .field("key", &self.key)
            .field("grant_tokens", &self.grant_tokens.len())
            .finish()
    }
}

impl KmsMrkKeyring {
    /// The keyring of `key` (any of the four forms encrypts; decrypting needs a key ARN),
    /// whose KMS calls go through `kms`, a client of the key's Region.
    pub fn new(kms: Arc<dyn Kms>, key: KeyId) -> Self {
        Self {
            encrypting: KmsKeyring::new(kms.clone(), key.clone()),
            kms,
            key,
            grant_tokens: Vec::new(),
        }
    }

    /// Grant tokens passed to every KMS call.
    #[must_use]
    pub fn with_grant_tokens(mut self, grant_tokens: Vec<String>) -> Self {
        self.encrypting = self.encrypting.with_grant_tokens(grant_tokens.clone());
        self.grant_tokens = grant_tokens;
        self
    }

    /// The configured key.
    pub fn key(&self) -> &KeyId {
        &self.key
    }
}

#[async_trait]
impl Keyring for KmsMrkKeyring {
    async fn on_encrypt(&self, materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        self.encrypting.on_encrypt(materials).await
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Ok(materials);
        }
        let attempts = kms_key_arns(encrypted_data_keys)?
            .into_iter()
            .filter(|(_, arn)| {
                KeyId::parse(arn.as_str())
                    .is_ok_and(|stored| multi_region_key_matches(&self.key, &stored))
            })
            .map(|(edk, _)| Attempt {
                key: self.key.clone(),
                edk,
                expected: self.key.as_str().to_owned(),
            })
            .collect();
        let call = UnwrapCall {
            kms: self.kms.as_ref(),
            grant_tokens: &self.grant_tokens,
        };
        call.first_of(attempts, materials).await
    }
}
