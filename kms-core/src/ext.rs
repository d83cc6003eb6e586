//! `KmsExt`: conveniences over the [`Kms`] operations.

use async_trait::async_trait;

use crate::ops::{CreateKeyRequest, DecryptRequest, EncryptRequest, GenerateDataKeyRequest};
use crate::{DataKeySpec, EncryptionContext, KeyId, KeyMetadata, Kms, Result, SecretBytes};

/// Conveniences for every [`Kms`], built only from its operations. Implemented for every
/// `Kms` (and `dyn Kms`); never implement it by hand.
///
/// ```
/// # async fn demo(kms: &dyn kms_core::Kms) -> kms_core::Result<()> {
/// use kms_core::{EncryptionContext, KmsExt};
///
/// let key = kms.create_symmetric_key("orders").await?;
/// let context = EncryptionContext::new().with("order", "42");
/// let blob = kms.encrypt_bytes(&key.key_id, b"card number", &context).await?;
/// let plaintext = kms.decrypt_bytes(&blob, &context).await?;
/// assert_eq!(plaintext.expose_secret(), b"card number");
/// # Ok(()) }
/// ```
#[async_trait]
pub trait KmsExt: Kms {
    /// Creates a symmetric encryption key with a description and returns its metadata.
    async fn create_symmetric_key(&self, description: &str) -> Result<KeyMetadata>;

    /// Encrypts `plaintext` (1 to 4096 bytes) under `key_id` (any of the four forms) and
    /// returns the ciphertext blob.
    async fn encrypt_bytes(
        &self,
        key_id: &str,
        plaintext: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>>;

    /// Decrypts a ciphertext blob made with `context`.
    async fn decrypt_bytes(
        &self,
        ciphertext: &[u8],
        context: &EncryptionContext,
    ) -> Result<SecretBytes>;

    /// A fresh AES-256 data key under `key_id`: `(plaintext key, encrypted key)`.
    async fn generate_aes256_data_key(
        &self,
        key_id: &str,
        context: &EncryptionContext,
    ) -> Result<(SecretBytes, Vec<u8>)>;
}

#[async_trait]
impl<T: Kms + ?Sized> KmsExt for T {
    async fn create_symmetric_key(&self, description: &str) -> Result<KeyMetadata> {
        let request = CreateKeyRequest::new().with_description(description);
        Ok(self.create_key(request).await?.key_metadata)
    }

    async fn encrypt_bytes(
        &self,
        key_id: &str,
        plaintext: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>> {
        let request = EncryptRequest::new(KeyId::parse(key_id)?, plaintext)
            .with_encryption_context(context.clone());
        Ok(self.encrypt(request).await?.ciphertext_blob)
    }

    async fn decrypt_bytes(
        &self,
        ciphertext: &[u8],
        context: &EncryptionContext,
    ) -> Result<SecretBytes> {
        let request = DecryptRequest::new(ciphertext).with_encryption_context(context.clone());
        Ok(self.decrypt(request).await?.plaintext)
    }

    async fn generate_aes256_data_key(
        &self,
        key_id: &str,
        context: &EncryptionContext,
    ) -> Result<(SecretBytes, Vec<u8>)> {
        let request = GenerateDataKeyRequest::new(KeyId::parse(key_id)?)
            .with_key_spec(DataKeySpec::Aes256)
            .with_encryption_context(context.clone());
        let response = self.generate_data_key(request).await?;
        Ok((response.plaintext, response.ciphertext_blob))
    }
}
