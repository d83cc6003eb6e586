//! Keyrings: where the data key of a message comes from and how it is wrapped.

use std::fmt;

use async_trait::async_trait;
use kms_core::{EncryptionContext, SecretBytes};

use crate::error::Result;
use crate::keys::signing::SigningKey;
use crate::suite::AlgorithmSuite;

mod client_supplier;
mod ecc;
mod ecdh;
mod kms;
mod kms_ecdh;
mod kms_mrk;
mod kms_mrk_discovery;
mod kms_mrk_multi;
mod kms_rsa;
mod mrk;
mod multi;
mod pem;
mod raw_aes;
mod raw_ecdh;
mod raw_rsa;

pub use self::client_supplier::KmsClientSupplier;
pub use self::ecc::EcdhCurve;
pub use self::kms::{DiscoveryFilter, KmsDiscoveryKeyring, KmsKeyring};
pub use self::kms_ecdh::KmsEcdhKeyring;
pub use self::kms_mrk::KmsMrkKeyring;
pub use self::kms_mrk_discovery::KmsMrkDiscoveryKeyring;
pub use self::kms_rsa::KmsRsaKeyring;
pub use self::mrk::{
    check_multi_region_keys_are_unique, is_multi_region_key, multi_region_key_matches,
};
pub use self::multi::MultiKeyring;
pub use self::raw_aes::RawAesKeyring;
pub use self::raw_ecdh::RawEcdhKeyring;
pub use self::raw_rsa::{RawRsaKeyring, RsaPadding};

/// One encrypted copy of the data key, as stored in a message header.
///
/// `provider_id` names the kind of wrapping key (`aws-kms`, or a raw keyring's namespace),
/// `provider_info` identifies the key (a key ARN, or a raw keyring's name and parameters).
///
/// ```
/// use kms_envelope::EncryptedDataKey;
///
/// let edk = EncryptedDataKey::new("aws-kms".into(), b"arn:...".to_vec(), vec![1, 2, 3]);
/// assert_eq!(edk.provider_id(), "aws-kms");
/// assert_eq!(edk.ciphertext(), &[1, 2, 3]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EncryptedDataKey {
    provider_id: String,
    provider_info: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl EncryptedDataKey {
    /// An encrypted data key from its three fields.
    pub fn new(provider_id: String, provider_info: Vec<u8>, ciphertext: Vec<u8>) -> Self {
        Self {
            provider_id,
            provider_info,
            ciphertext,
        }
    }

    /// The key provider id.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The key provider info.
    pub fn provider_info(&self) -> &[u8] {
        &self.provider_info
    }

    /// The encrypted data key.
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }
}

/// What a keyring works on when a message is encrypted: the suite, the full encryption
/// context, the data key once one exists, and the encrypted data keys so far.
///
/// A [`MaterialsManager`](crate::MaterialsManager) returns them complete, with the signing
/// key of a signed suite and the keys of the context that are authenticated but not stored
/// in the message.
pub struct EncryptionMaterials {
    suite: AlgorithmSuite,
    encryption_context: EncryptionContext,
    data_key: Option<SecretBytes>,
    encrypted_data_keys: Vec<EncryptedDataKey>,
    signing_key: Option<SigningKey>,
    required_encryption_context_keys: Vec<String>,
}

impl fmt::Debug for EncryptionMaterials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionMaterials")
            .field("suite", &self.suite)
            .field("encryption_context", &self.encryption_context)
            .field("data_key", &self.data_key)
            .field("encrypted_data_keys", &self.encrypted_data_keys.len())
            .field("signing_key", &self.signing_key)
            .field(
                "required_encryption_context_keys",
                &self.required_encryption_context_keys,
            )
            .finish()
    }
}

impl EncryptionMaterials {
    /// Materials without a data key yet.
    pub fn new(suite: AlgorithmSuite, encryption_context: EncryptionContext) -> Self {
        Self {
            suite,
            encryption_context,
            data_key: None,
            encrypted_data_keys: Vec::new(),
            signing_key: None,
            required_encryption_context_keys: Vec::new(),
        }
    }

    /// The algorithm suite; the data key must be [`AlgorithmSuite::key_len`] bytes.
    pub fn suite(&self) -> AlgorithmSuite {
        self.suite
    }

    /// The full encryption context: the caller's pairs and `aws-crypto-public-key` for
    /// signed suites. Keyrings bind the data key to it.
    pub fn encryption_context(&self) -> &EncryptionContext {
        &self.encryption_context
    }

    /// The data key, once a keyring has generated it.
    pub fn data_key(&self) -> Option<&SecretBytes> {
        self.data_key.as_ref()
    }

    /// Sets the data key (the generator's job).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) if there already is one, or
    /// if its length is not the suite's.
    pub fn set_data_key(&mut self, data_key: SecretBytes) -> Result<()> {
        check_data_key(self.suite, self.data_key.is_some(), &data_key)?;
        self.data_key = Some(data_key);
        Ok(())
    }

    /// Adds an encrypted copy of the data key.
    pub fn push_encrypted_data_key(&mut self, edk: EncryptedDataKey) {
        self.encrypted_data_keys.push(edk);
    }

    /// The encrypted data keys so far.
    pub fn encrypted_data_keys(&self) -> &[EncryptedDataKey] {
        &self.encrypted_data_keys
    }

    /// Makes a random data key unless a keyring before has made one (what a raw keyring
    /// does as the generator).
    pub(crate) fn generate_random_data_key_if_absent(&mut self) -> Result<()> {
        if self.data_key.is_none() {
            self.set_data_key(random_data_key(self.suite)?)?;
        }
        Ok(())
    }

    /// The data key that a keyring is to wrap.
    pub(crate) fn data_key_to_wrap(&self) -> Result<&SecretBytes> {
        self.data_key
            .as_ref()
            .ok_or_else(|| crate::Error::invalid("no data key to wrap"))
    }

    /// The keys of the encryption context that the message authenticates but does not
    /// store: the decrypting caller must supply their pairs.
    pub fn required_encryption_context_keys(&self) -> &[String] {
        &self.required_encryption_context_keys
    }

    /// Marks context keys as required: authenticated but not stored in the message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) if the encryption context has
    /// no such key.
    pub fn require_encryption_context_keys<I, S>(&mut self, keys: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        add_required_keys(
            &self.encryption_context,
            &mut self.required_encryption_context_keys,
            keys,
        )
    }

    /// Whether the materials hold a signing key (signed suites need one).
    pub fn has_signing_key(&self) -> bool {
        self.signing_key.is_some()
    }

    pub(crate) fn set_signing_key(&mut self, key: SigningKey) {
        self.signing_key = Some(key);
    }

    pub(crate) fn signing_key(&self) -> Option<&SigningKey> {
        self.signing_key.as_ref()
    }

    /// A copy, for materials handed out again from a cache.
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            suite: self.suite,
            encryption_context: self.encryption_context.clone(),
            data_key: self.data_key.as_ref().map(duplicate_secret),
            encrypted_data_keys: self.encrypted_data_keys.clone(),
            signing_key: self.signing_key.as_ref().map(SigningKey::duplicate),
            required_encryption_context_keys: self.required_encryption_context_keys.clone(),
        }
    }
}

/// What a keyring works on when a message is decrypted: the suite, the full encryption
/// context, and the data key once a keyring has decrypted it.
pub struct DecryptionMaterials {
    suite: AlgorithmSuite,
    encryption_context: EncryptionContext,
    data_key: Option<SecretBytes>,
    required_encryption_context_keys: Vec<String>,
}

impl fmt::Debug for DecryptionMaterials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionMaterials")
            .field("suite", &self.suite)
            .field("encryption_context", &self.encryption_context)
            .field("data_key", &self.data_key)
            .field(
                "required_encryption_context_keys",
                &self.required_encryption_context_keys,
            )
            .finish()
    }
}

impl DecryptionMaterials {
    /// Materials without a data key yet.
    pub fn new(suite: AlgorithmSuite, encryption_context: EncryptionContext) -> Self {
        Self {
            suite,
            encryption_context,
            data_key: None,
            required_encryption_context_keys: Vec::new(),
        }
    }

    /// The algorithm suite of the message.
    pub fn suite(&self) -> AlgorithmSuite {
        self.suite
    }

    /// The full encryption context: the message's pairs and any required pairs the caller
    /// supplied that the message does not store.
    pub fn encryption_context(&self) -> &EncryptionContext {
        &self.encryption_context
    }

    /// The data key, once a keyring has decrypted it.
    pub fn data_key(&self) -> Option<&SecretBytes> {
        self.data_key.as_ref()
    }

    /// Sets the decrypted data key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) if there already is one, or
    /// if its length is not the suite's.
    pub fn set_data_key(&mut self, data_key: SecretBytes) -> Result<()> {
        check_data_key(self.suite, self.data_key.is_some(), &data_key)?;
        self.data_key = Some(data_key);
        Ok(())
    }

    /// The keys of the encryption context that the message authenticates but does not
    /// store: their pairs came from the caller.
    pub fn required_encryption_context_keys(&self) -> &[String] {
        &self.required_encryption_context_keys
    }

    /// Marks context keys as supplied by the caller rather than stored in the message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) if the encryption context has
    /// no such key.
    pub fn require_encryption_context_keys<I, S>(&mut self, keys: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        add_required_keys(
            &self.encryption_context,
            &mut self.required_encryption_context_keys,
            keys,
        )
    }

    /// A copy, for materials handed out again from a cache.
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            suite: self.suite,
            encryption_context: self.encryption_context.clone(),
            data_key: self.data_key.as_ref().map(duplicate_secret),
            required_encryption_context_keys: self.required_encryption_context_keys.clone(),
        }
    }
}

/// Adds `keys` to `required`, each once; every one must be a key of `context`.
fn add_required_keys<I, S>(
    context: &EncryptionContext,
    required: &mut Vec<String>,
    keys: I,
) -> Result<()>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    for key in keys {
        let key = key.into();
        if context.get(&key).is_none() {
            return Err(crate::Error::invalid(format!(
                "the required encryption context key `{key}` is not in the encryption context"
            )));
        }
        if !required.contains(&key) {
            required.push(key);
        }
    }
    Ok(())
}

fn duplicate_secret(secret: &SecretBytes) -> SecretBytes {
    SecretBytes::copy_from_slice(secret.expose_secret())
}

fn check_data_key(suite: AlgorithmSuite, already: bool, data_key: &SecretBytes) -> Result<()> {
    if already {
        return Err(crate::Error::invalid(
            "the materials already hold a data key",
        ));
    }
    if data_key.len() != suite.key_len() {
        return Err(crate::Error::invalid(format!(
            "a data key of {} bytes for suite {suite}, which needs {}",
            data_key.len(),
            suite.key_len()
        )));
    }
    Ok(())
}

/// A source of data keys: generates and wraps the data key of a message on encrypt, and
/// unwraps it on decrypt.
///
/// The keyrings of this crate are [`KmsKeyring`], [`KmsDiscoveryKeyring`], [`KmsMrkKeyring`],
/// [`KmsMrkDiscoveryKeyring`], [`KmsRsaKeyring`], [`KmsEcdhKeyring`], [`RawAesKeyring`],
/// [`RawRsaKeyring`], [`RawEcdhKeyring`] and [`MultiKeyring`]; implement the trait to plug in
/// another one. It is object-safe and used
/// as `Arc<dyn Keyring>`.
#[async_trait]
pub trait Keyring: fmt::Debug + Send + Sync + 'static {
    /// Generates the data key if the materials have none (when this keyring can), and adds
    /// an encrypted copy of it to the materials.
    ///
    /// # Errors
    ///
    /// When the key cannot be generated or wrapped, such as a KMS error.
    async fn on_encrypt(&self, materials: EncryptionMaterials) -> Result<EncryptionMaterials>;

    /// Decrypts one of the encrypted data keys this keyring can, and sets it in the
    /// materials. Leaves the materials unchanged if they already hold a data key (but
    /// [`KmsMrkDiscoveryKeyring`] refuses them, as its specification says).
    ///
    /// # Errors
    ///
    /// [`Error::NoDataKey`](crate::Error::NoDataKey) with the failures, when no encrypted
    /// data key could be decrypted.
    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials>;
}

#[async_trait]
impl<K: Keyring + ?Sized> Keyring for std::sync::Arc<K> {
    async fn on_encrypt(&self, materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        (**self).on_encrypt(materials).await
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        (**self).on_decrypt(materials, encrypted_data_keys).await
    }
}

/// A raw keyring's key namespace: any but one starting with `aws-kms`, which names KMS keys.
pub(crate) fn raw_namespace(namespace: String) -> Result<String> {
    if namespace.starts_with("aws-kms") {
        return Err(crate::Error::invalid(
            "the key namespace of a raw keyring must not start with `aws-kms`",
        ));
    }
    Ok(namespace)
}

/// A KMS answer a keyring cannot accept (another key's ARN, a secret of the wrong size): a
/// failure of the backend, not of the message.
pub(crate) fn keyring_failure(message: impl Into<String>) -> kms_core::Error {
    kms_core::Error::Backend {
        backend: "envelope",
        message: message.into(),
        retryable: false,
        source: None,
    }
}

/// A fresh random data key for the suite.
pub(crate) fn random_data_key(suite: AlgorithmSuite) -> Result<SecretBytes> {
    SecretBytes::try_init_with(suite.key_len(), aws_lc_rs::rand::fill)
        .map_err(|_| crate::Error::invalid("the random generator failed"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{RawAesKeyring, RawRsaKeyring, RsaPadding};

    #[test]
    fn raw_keyrings_refuse_the_namespace_of_kms_keys() {
        for namespace in ["aws-kms", "aws-kms-custom"] {
            let aes = RawAesKeyring::new(namespace, "key", SecretBytes::from(vec![0; 32]));
            let rsa = RawRsaKeyring::new(namespace, "key", RsaPadding::OaepSha256);
            for err in [aes.unwrap_err(), rsa.unwrap_err()] {
                assert!(
                    err.to_string().contains("must not start with `aws-kms`"),
                    "{err}"
                );
            }
        }
        assert!(RawAesKeyring::new("aws", "key", SecretBytes::from(vec![0; 32])).is_ok());
    }
}
