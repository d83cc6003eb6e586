//! The multi-keyring: one generator and any number of children wrapping the same data key.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::keyring::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};

/// A keyring made of others: on encrypt the generator makes and wraps the data key and every
/// child wraps it too (one encrypted data key each, so any of them can decrypt); on decrypt
/// the generator, then each child, is tried in order until one succeeds.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::SecretBytes;
/// use kms_envelope::{Decryptor, Encryptor, MultiKeyring, RawAesKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let a = Arc::new(RawAesKeyring::new("ns", "a", SecretBytes::from(vec![1; 32]))?);
/// let b = Arc::new(RawAesKeyring::new("ns", "b", SecretBytes::from(vec![2; 16]))?);
/// let both = MultiKeyring::new(Some(a.clone())).with_child(b.clone());
///
/// let message = Encryptor::new(Arc::new(both)).encrypt(b"data").await?;
/// // Either key alone decrypts.
/// assert_eq!(Decryptor::new(b).decrypt(&message).await?.plaintext(), b"data");
/// assert_eq!(Decryptor::new(a).decrypt(&message).await?.plaintext(), b"data");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MultiKeyring {
    generator: Option<Arc<dyn Keyring>>,
    children: Vec<Arc<dyn Keyring>>,
}

impl MultiKeyring {
    /// A multi-keyring with this generator. Without a generator it can only encrypt when an
    /// enclosing keyring has made the data key, and it still decrypts.
    pub fn new(generator: Option<Arc<dyn Keyring>>) -> Self {
        Self {
            generator,
            children: Vec::new(),
        }
    }

    /// Adds a child keyring.
    #[must_use]
    pub fn with_child(mut self, child: Arc<dyn Keyring>) -> Self {
        self.children.push(child);
        self
    }

    fn all(&self) -> impl Iterator<Item = &Arc<dyn Keyring>> {
        self.generator.iter().chain(&self.children)
    }
}

#[async_trait]
impl Keyring for MultiKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        if let Some(generator) = &self.generator {
            if materials.data_key().is_some() {
                return Err(Error::invalid(
                    "a multi-keyring with a generator got materials that already hold a data key",
                ));
            }
            materials = generator.on_encrypt(materials).await?;
        }
        if materials.data_key().is_none() {
            return Err(Error::invalid(
                "a multi-keyring without a generator needs a data key made before it",
            ));
        }
        for child in &self.children {
            materials = child.on_encrypt(materials).await?;
        }
        Ok(materials)
    }

    async fn on_decrypt(
        &self,
        mut materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Ok(materials);
        }
        let mut failures = Vec::new();
        for keyring in self.all() {
            let suite = materials.suite();
            let context = materials.encryption_context().clone();
            match keyring.on_decrypt(materials, encrypted_data_keys).await {
                Ok(done) if done.data_key().is_some() => return Ok(done),
                Ok(done) => materials = done,
                Err(Error::NoDataKey { failures: more }) => {
                    failures.extend(more);
                    materials = DecryptionMaterials::new(suite, context);
                }
                Err(Error::Kms(err)) => {
                    failures.push(err);
                    materials = DecryptionMaterials::new(suite, context);
                }
                Err(other) => return Err(other),
            }
        }
        Err(Error::NoDataKey { failures })
    }
}
