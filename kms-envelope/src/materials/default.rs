//! The default materials manager: one keyring, a fresh data key per message.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::format::header::PUBLIC_KEY_CONTEXT_KEY;
use crate::keyring::{DecryptionMaterials, EncryptionMaterials, Keyring};
use crate::keys::signing::SigningKey;
use crate::materials::{
    DecryptionMaterialsRequest, EncryptionMaterialsRequest, MaterialsManager, merge_reproduced,
};

/// Gets the materials of each message from a keyring: the keyring generates and wraps a
/// fresh data key on encrypt and unwraps it on decrypt; signed suites get a fresh ECDSA key.
///
/// What [`Encryptor::new`](crate::Encryptor::new) and
/// [`Decryptor::new`](crate::Decryptor::new) use.
#[derive(Debug, Clone)]
pub struct DefaultMaterialsManager {
    keyring: Arc<dyn Keyring>,
}

impl DefaultMaterialsManager {
    /// A materials manager over `keyring`.
    pub fn new(keyring: Arc<dyn Keyring>) -> Self {
        Self { keyring }
    }
}

#[async_trait]
impl MaterialsManager for DefaultMaterialsManager {
    async fn get_encryption_materials(
        &self,
        request: EncryptionMaterialsRequest,
    ) -> Result<EncryptionMaterials> {
        let mut context = request.encryption_context;
        if context.get(PUBLIC_KEY_CONTEXT_KEY).is_some() {
            return Err(Error::invalid(format!(
                "the encryption context key `{PUBLIC_KEY_CONTEXT_KEY}` is reserved"
            )));
        }
        let signing_key = if request.suite.is_signed() {
            let (key, public_key) = SigningKey::p384()?;
            context.insert(PUBLIC_KEY_CONTEXT_KEY, public_key);
            Some(key)
        } else {
            None
        };
        let mut materials = EncryptionMaterials::new(request.suite, context);
        materials.require_encryption_context_keys(request.required_encryption_context_keys)?;
        if let Some(key) = signing_key {
            materials.set_signing_key(key);
        }
        // The encryptor checks that the keyring made a data key and wrapped it.
        self.keyring.on_encrypt(materials).await
    }

    async fn decrypt_materials(
        &self,
        request: DecryptionMaterialsRequest,
    ) -> Result<DecryptionMaterials> {
        let (context, not_stored) = merge_reproduced(
            &request.encryption_context,
            &request.reproduced_encryption_context,
        )?;
        let mut materials = DecryptionMaterials::new(request.suite, context);
        materials.require_encryption_context_keys(not_stored.iter().cloned())?;
        match self
            .keyring
            .on_decrypt(materials, &request.encrypted_data_keys)
            .await
        {
            Ok(materials) if materials.data_key().is_some() => Ok(materials),
            Ok(_) => Err(Error::NoDataKey {
                failures: Vec::new(),
            }),
            // The keyrings failed with pairs the message does not store: most likely those
            // pairs are not the ones it was encrypted with.
            Err(Error::NoDataKey { failures })
                if !failures.is_empty() && !not_stored.is_empty() =>
            {
                Err(Error::ContextMismatch {
                    reason: format!(
                        "the message does not store {}",
                        not_stored
                            .iter()
                            .map(|key| format!("`{key}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
            Err(err) => Err(err),
        }
    }
}
