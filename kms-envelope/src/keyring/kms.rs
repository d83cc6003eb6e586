//! The KMS keyring: data keys generated and wrapped by a [`Kms`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::{
    Arn, DecryptRequest, EncryptRequest, GenerateDataKeyRequest, KeyId, KeyIdForm, Kms, SecretBytes,
};

use crate::error::{Error, Result};
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, keyring_failure,
};

/// The provider id of encrypted data keys wrapped by a KMS.
pub(crate) const KMS_PROVIDER_ID: &str = "aws-kms";

/// A keyring whose data keys come from a KMS: AWS KMS or any other [`Kms`] backend.
///
/// On encrypt, `GenerateDataKey` on the generator key makes the data key, and `Encrypt` wraps
/// it again under each additional key (one per region, say): one encrypted data key per KMS
/// key, each with provider id `aws-kms` and the key ARN as provider info. The full encryption
/// context of the message is passed to every call, so KMS binds it to the wrapped key.
///
/// On decrypt, only the configured keys are tried, in order (generator first), on encrypted
/// data keys whose ARN names them, and the ARN the KMS answers with must be the one in the
/// message. Name keys by key ARN (or bare key id) to decrypt: an alias cannot be matched
/// against the ARN stored in a message.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{Kms, KmsExt};
/// use kms_envelope::{Encryptor, Decryptor, KmsKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let key = kms.create_symmetric_key("envelope").await?;
/// let keyring = Arc::new(KmsKeyring::new(kms, key.arn.unwrap_or_default().parse()?));
///
/// let message = Encryptor::new(keyring.clone()).encrypt(b"hello").await?;
/// let decrypted = Decryptor::new(keyring).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// # Ok(()) }
/// ```
pub struct KmsKeyring {
    kms: Arc<dyn Kms>,
    generator: KeyId,
    additional: Vec<KeyId>,
    grant_tokens: Vec<String>,
}

impl fmt::Debug for KmsKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsKeyring")
            .field("kms", &format_args!("{}", self.kms))
            .field("generator", &self.generator)
            .field("additional", &self.additional)
            .field("grant_tokens", &self.grant_tokens.len())
            .finish()
    }
}

impl KmsKeyring {
    /// A keyring whose data keys are generated under `generator`.
    pub fn new(kms: Arc<dyn Kms>, generator: KeyId) -> Self {
        Self {
            kms,
            generator,
            additional: Vec::new(),
            grant_tokens: Vec::new(),
        }
    }

    /// Also wraps every data key under `key` (and tries it on decrypt).
    #[must_use]
    pub fn with_additional_key(mut self, key: KeyId) -> Self {
        self.additional.push(key);
        self
    }

    /// Grant tokens passed to every KMS call.
    #[must_use]
    pub fn with_grant_tokens(mut self, grant_tokens: Vec<String>) -> Self {
        self.grant_tokens = grant_tokens;
        self
    }

    /// The generator key.
    pub fn generator(&self) -> &KeyId {
        &self.generator
    }

    /// The additional keys.
    pub fn additional_keys(&self) -> &[KeyId] {
        &self.additional
    }

    async fn wrap(
        &self,
        key: &KeyId,
        materials: &EncryptionMaterials,
        data_key: &SecretBytes,
    ) -> Result<EncryptedDataKey> {
        let request = EncryptRequest::new(key.clone(), SecretBytes::from(data_key.expose_secret()))
            .with_encryption_context(materials.encryption_context().clone())
            .with_grant_tokens(self.grant_tokens.clone());
        let response = self.kms.encrypt(request).await?;
        let arn = answered_arn(&response.key_id)?;
        Ok(EncryptedDataKey::new(
            KMS_PROVIDER_ID.to_owned(),
            arn.into_bytes(),
            response.ciphertext_blob,
        ))
    }

    fn keys(&self) -> impl Iterator<Item = &KeyId> {
        std::iter::once(&self.generator).chain(&self.additional)
    }
}

/// Checks that the KMS answered with a key ARN, as the format requires.
fn answered_arn(key_id: &str) -> Result<String> {
    match Arn::parse(key_id) {
        Some(arn) if arn.resource_type() == "key" => Ok(key_id.to_owned()),
        _ => Err(Error::Kms(keyring_failure(format!(
            "the KMS answered with `{key_id}`, which is not a key ARN"
        )))),
    }
}

/// Whether the configured `key` names the key of this ARN.
pub(crate) fn names(key: &KeyId, arn: &Arn) -> bool {
    match key.form() {
        KeyIdForm::KeyArn => key.as_str() == arn.as_str(),
        KeyIdForm::KeyId => key.as_str() == arn.resource_id(),
        _ => false,
    }
}

#[async_trait]
impl Keyring for KmsKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        let key_len = materials.suite().key_len();
        let generates = materials.data_key().is_none();
        if generates {
            let request = GenerateDataKeyRequest::new(self.generator.clone())
                .with_number_of_bytes(key_len as u32)
                .with_encryption_context(materials.encryption_context().clone())
                .with_grant_tokens(self.grant_tokens.clone());
            let response = self.kms.generate_data_key(request).await?;
            let arn = answered_arn(&response.key_id)?;
            if response.plaintext.len() != key_len {
                return Err(Error::Kms(keyring_failure(format!(
                    "the KMS generated a data key of {} bytes, not {key_len}",
                    response.plaintext.len()
                ))));
            }
            materials.set_data_key(response.plaintext)?;
            materials.push_encrypted_data_key(EncryptedDataKey::new(
                KMS_PROVIDER_ID.to_owned(),
                arn.into_bytes(),
                response.ciphertext_blob,
            ));
        }
        // Every key but the one that generated the data key wraps it.
        for key in self.keys().skip(usize::from(generates)) {
            let data_key = materials.data_key_to_wrap()?;
            let edk = self.wrap(key, &materials, data_key).await?;
            materials.push_encrypted_data_key(edk);
        }
        Ok(materials)
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Ok(materials);
        }
        let attempts = self
            .keys()
            .flat_map(|key| {
                kms_wrapped(encrypted_data_keys)
                    .filter(|(_, arn)| names(key, arn))
                    .map(|(edk, arn)| Attempt {
                        key: key.clone(),
                        edk,
                        expected: arn.as_str().to_owned(),
                    })
            })
            .collect();
        let call = UnwrapCall {
            kms: self.kms.as_ref(),
            grant_tokens: &self.grant_tokens,
        };
        call.first_of(attempts, materials).await
    }
}

/// The encrypted data keys a KMS wrapped, with the key ARN each names.
fn kms_wrapped(
    encrypted_data_keys: &[EncryptedDataKey],
) -> impl Iterator<Item = (&EncryptedDataKey, Arn)> {
    encrypted_data_keys.iter().filter_map(|edk| {
        if edk.provider_id() != KMS_PROVIDER_ID {
            return None;
        }
        let arn = std::str::from_utf8(edk.provider_info())
            .ok()
            .and_then(Arn::parse)?;
        (arn.resource_type() == "key").then_some((edk, arn))
    })
}

/// One `Decrypt` of an encrypted data key: the key to name in the request, and the key ARN
/// the KMS must answer with.
pub(crate) struct Attempt<'a> {
    /// The `KeyId` of the request.
    pub(crate) key: KeyId,
    /// The encrypted data key to unwrap.
    pub(crate) edk: &'a EncryptedDataKey,
    /// The `KeyId` the response must carry, exactly.
    pub(crate) expected: String,
}

/// The encrypted data keys a KMS wrapped, with the key ARN each names, as the MRK-aware
/// keyrings of the specification filter them: an encrypted data key of provider `aws-kms`
/// whose provider info is not a key ARN makes the whole message unusable.
///
/// # Errors
///
/// [`Error::Malformed`] naming the position and provider info of the first such key.
pub(crate) fn kms_key_arns(
    encrypted_data_keys: &[EncryptedDataKey],
) -> Result<Vec<(&EncryptedDataKey, Arn)>> {
    let mut found = Vec::new();
    for (index, edk) in encrypted_data_keys.iter().enumerate() {
        if edk.provider_id() != KMS_PROVIDER_ID {
            continue;
        }
        let arn = std::str::from_utf8(edk.provider_info())
            .ok()
            .and_then(Arn::parse)
            .filter(|arn| arn.resource_type() == "key");
        let Some(arn) = arn else {
            return Err(Error::malformed(format!(
                "encrypted data key {index} of provider `{KMS_PROVIDER_ID}` names `{}`, which \
                 is not a KMS key ARN",
                String::from_utf8_lossy(edk.provider_info()).escape_debug()
            )));
        };
        found.push((edk, arn));
    }
    Ok(found)
}

/// `Decrypt` calls that unwrap encrypted data keys.
pub(crate) struct UnwrapCall<'a> {
    pub(crate) kms: &'a dyn Kms,
    pub(crate) grant_tokens: &'a [String],
}

impl UnwrapCall<'_> {
    /// Tries `attempts` in order; the first data key unwrapped goes into `materials`. The
    /// error lists the failure of every attempt.
    pub(crate) async fn first_of(
        &self,
        attempts: Vec<Attempt<'_>>,
        mut materials: DecryptionMaterials,
    ) -> Result<DecryptionMaterials> {
        let mut failures = Vec::new();
        for attempt in attempts {
            match self.unwrap(attempt, &materials).await {
                Ok(data_key) => {
                    materials.set_data_key(data_key)?;
                    return Ok(materials);
                }
                Err(err) => failures.push(err),
            }
        }
        Err(Error::NoDataKey { failures })
    }

    /// The data key, if the KMS decrypts the attempt's encrypted data key with its key, says
    /// it used the expected key, and returns a key of the suite's length.
    async fn unwrap(
        &self,
        attempt: Attempt<'_>,
        materials: &DecryptionMaterials,
    ) -> std::result::Result<SecretBytes, kms_core::Error> {
        let request = DecryptRequest::new(attempt.edk.ciphertext().to_vec())
            .with_key_id(attempt.key)
            .with_encryption_context(materials.encryption_context().clone())
            .with_grant_tokens(self.grant_tokens.to_vec());
        let response = self.kms.decrypt(request).await?;
        if response.key_id != attempt.expected {
            return Err(kms_core::Error::IncorrectKey {
                message: format!(
                    "the KMS decrypted with `{}`, not `{}`",
                    response.key_id, attempt.expected
                ),
            });
        }
        if response.plaintext.len() != materials.suite().key_len() {
            return Err(kms_core::Error::InvalidCiphertext);
        }
        Ok(response.plaintext)
    }
}

/// A keyring that decrypts with whichever KMS key wrapped a message's data key, as the AWS
/// Encryption SDKs' discovery keyrings do: for messages from many producers, or whose keys
/// the reader does not know in advance. It cannot encrypt.
///
/// Only encrypted data keys that a KMS wrapped (provider id `aws-kms`, a key ARN as provider
/// info) are tried, in the message's order, each with `Decrypt` naming that ARN; the KMS must
/// answer with the same ARN. A [`DiscoveryFilter`] limits the keys to an AWS partition and a
/// list of accounts: without one, any key the caller's credentials may use decrypts.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{Kms, KmsExt};
/// use kms_envelope::{Decryptor, DiscoveryFilter, Encryptor, KmsDiscoveryKeyring, KmsKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let key = kms.create_symmetric_key("producer").await?;
/// let producer = Arc::new(KmsKeyring::new(kms.clone(), key.arn.unwrap_or_default().parse()?));
/// let message = Encryptor::new(producer).encrypt(b"hello").await?;
///
/// let filter = DiscoveryFilter::new("aws", ["111122223333"]);
/// let reader = Arc::new(KmsDiscoveryKeyring::new(kms).with_filter(filter));
/// let decrypted = Decryptor::new(reader).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// # Ok(()) }
/// ```
pub struct KmsDiscoveryKeyring {
    kms: Arc<dyn Kms>,
    filter: Option<DiscoveryFilter>,
    grant_tokens: Vec<String>,
}

/// The partition and accounts whose keys a [`KmsDiscoveryKeyring`] may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryFilter {
    partition: String,
    accounts: Vec<String>,
}

impl DiscoveryFilter {
    /// Keys of these accounts in this partition (`aws`, `aws-cn`, `aws-us-gov`...) only.
    pub fn new(
        partition: impl Into<String>,
        accounts: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            partition: partition.into(),
            accounts: accounts.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the key `arn` passes.
    pub(crate) fn allows(&self, arn: &Arn) -> bool {
        arn.partition() == self.partition
            && self.accounts.iter().any(|account| account == arn.account())
    }
}

impl fmt::Debug for KmsDiscoveryKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsDiscoveryKeyring")
            .field("kms", &format_args!("{}", self.kms))
            .field("filter", &self.filter)
            .field("grant_tokens", &self.grant_tokens.len())
            .finish()
    }
}

impl KmsDiscoveryKeyring {
    /// A keyring that tries every KMS key a message names.
    pub fn new(kms: Arc<dyn Kms>) -> Self {
        Self {
            kms,
            filter: None,
            grant_tokens: Vec::new(),
        }
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
}

#[async_trait]
impl Keyring for KmsDiscoveryKeyring {
    async fn on_encrypt(&self, _: EncryptionMaterials) -> Result<EncryptionMaterials> {
        Err(Error::invalid(
            "a discovery keyring cannot encrypt: it names no key to generate or wrap data keys",
        ))
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Ok(materials);
        }
        let attempts = kms_wrapped(encrypted_data_keys)
            .filter(|(_, arn)| self.filter.as_ref().is_none_or(|filter| filter.allows(arn)))
            .filter_map(|(edk, arn)| {
                Some(Attempt {
                    key: KeyId::parse(arn.as_str()).ok()?,
                    edk,
                    expected: arn.as_str().to_owned(),
                })
            })
            .collect();
        let call = UnwrapCall {
            kms: self.kms.as_ref(),
            grant_tokens: &self.grant_tokens,
        };
        call.first_of(attempts, materials).await
    }
}
