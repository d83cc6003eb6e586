//! The required-encryption-context materials manager.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::keyring::{DecryptionMaterials, EncryptionMaterials, Keyring};
use crate::materials::{
    DecryptionMaterialsRequest, DefaultMaterialsManager, EncryptionMaterialsRequest,
    MaterialsManager,
};

/// Keeps chosen encryption context pairs out of the message while still authenticating
/// them, as the Material Providers Library's required encryption context CMM does.
///
/// On encrypt the caller's context must hold every required key; those pairs are bound to
/// the data key and the header but not stored. On decrypt the caller must supply them again
/// (the reproduced context, [`Decryptor::with_required_encryption_context`]); without them
/// decryption fails before any key is unwrapped.
///
/// [`Decryptor::with_required_encryption_context`]: crate::Decryptor::with_required_encryption_context
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{EncryptionContext, SecretBytes};
/// use kms_envelope::{
///     Decryptor, Encryptor, RawAesKeyring, RequiredEncryptionContextMaterialsManager,
/// };
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let cmm = Arc::new(RequiredEncryptionContextMaterialsManager::from_keyring(
///     keyring.clone(),
///     ["tenant"],
/// )?);
/// let context = EncryptionContext::from([("tenant", "t1"), ("purpose", "demo")]);
/// let message = Encryptor::from_materials_manager(cmm.clone())
///     .with_encryption_context(context)
///     .encrypt(b"hello")
///     .await?;
///
/// let decryptor = Decryptor::from_materials_manager(cmm);
/// assert!(decryptor.decrypt(&message).await.is_err());
/// let decrypted = decryptor
///     .with_required_encryption_context([("tenant", "t1")].into())
///     .decrypt(&message)
///     .await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// assert_eq!(decrypted.encryption_context().get("tenant"), None);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RequiredEncryptionContextMaterialsManager {
    underlying: Arc<dyn MaterialsManager>,
    required_keys: Vec<String>,
}

impl RequiredEncryptionContextMaterialsManager {
    /// Requires `keys` around `underlying`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if `keys` is empty.
    pub fn new<I, S>(underlying: Arc<dyn MaterialsManager>, keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut required_keys: Vec<String> = Vec::new();
        for key in keys {
            let key = key.into();
            if !required_keys.contains(&key) {
                required_keys.push(key);
            }
        }
        if required_keys.is_empty() {
            return Err(Error::invalid(
                "a required encryption context materials manager needs at least one key",
            ));
        }
        Ok(Self {
            underlying,
            required_keys,
        })
    }

    /// Requires `keys` around a [`DefaultMaterialsManager`] over `keyring`.
    ///
    /// # Errors
    ///
    /// As [`RequiredEncryptionContextMaterialsManager::new`].
    pub fn from_keyring<I, S>(keyring: Arc<dyn Keyring>, keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(Arc::new(DefaultMaterialsManager::new(keyring)), keys)
    }

    /// The required keys.
    pub fn required_keys(&self) -> &[String] {
        &self.required_keys
    }

    /// The first required key that `has` does not find.
    fn first_missing(&self, has: impl Fn(&str) -> bool) -> Option<&str> {
        self.required_keys
            .iter()
            .map(String::as_str)
            .find(|key| !has(key))
    }
}

#[async_trait]
impl MaterialsManager for RequiredEncryptionContextMaterialsManager {
    async fn get_encryption_materials(
        &self,
        mut request: EncryptionMaterialsRequest,
    ) -> Result<EncryptionMaterials> {
        if let Some(key) = self.first_missing(|key| request.encryption_context.get(key).is_some()) {
            return Err(Error::invalid(format!(
                "the encryption context lacks the required key `{key}`"
            )));
        }
        for key in &self.required_keys {
            if !request.required_encryption_context_keys.contains(key) {
                request.required_encryption_context_keys.push(key.clone());
            }
        }
        let materials = self.underlying.get_encryption_materials(request).await?;
        let listed = materials.required_encryption_context_keys();
        if let Some(key) = self.first_missing(|key| listed.iter().any(|listed| listed == key)) {
            return Err(Error::invalid(format!(
                "the underlying materials manager dropped the required key `{key}`"
            )));
        }
        Ok(materials)
    }

    async fn decrypt_materials(
        &self,
        request: DecryptionMaterialsRequest,
    ) -> Result<DecryptionMaterials> {
        if let Some(key) =
            self.first_missing(|key| request.reproduced_encryption_context.get(key).is_some())
        {
            return Err(Error::ContextMismatch {
                reason: format!("the required key `{key}` was not supplied"),
            });
        }
        let materials = self.underlying.decrypt_materials(request).await?;
        if let Some(key) =
            self.first_missing(|key| materials.encryption_context().get(key).is_some())
        {
            return Err(Error::ContextMismatch {
                reason: format!("the decryption materials lack the required key `{key}`"),
            });
        }
        Ok(materials)
    }
}
