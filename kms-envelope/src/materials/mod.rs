//! Materials managers: what decides the data key, signing key and context of each message.
//!
//! The [`Encryptor`](crate::Encryptor) and [`Decryptor`](crate::Decryptor) ask a
//! [`MaterialsManager`] (the AWS Encryption SDK's "cryptographic materials manager") for
//! the materials of each message. [`DefaultMaterialsManager`] asks a keyring;
//! [`CachingMaterialsManager`] reuses data keys within limits;
//! [`RequiredEncryptionContextMaterialsManager`] keeps chosen context pairs out of the
//! message while still authenticating them.

use std::fmt;

use async_trait::async_trait;
use kms_core::EncryptionContext;

use crate::error::Result;
use crate::keyring::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials};
use crate::suite::{AlgorithmSuite, CommitmentPolicy};

mod caching;
mod default;
mod required;

pub use self::caching::{
    CachingMaterialsManager, CachingMaterialsManagerBuilder, Clock, DEFAULT_CACHE_CAPACITY,
    MAX_BYTES_PER_DATA_KEY, MAX_MESSAGES_PER_DATA_KEY, MaterialsCache, SystemClock,
};
pub use self::default::DefaultMaterialsManager;
pub use self::required::RequiredEncryptionContextMaterialsManager;

/// What the encryptor asks of a materials manager for one message.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EncryptionMaterialsRequest {
    /// The caller's encryption context.
    pub encryption_context: EncryptionContext,
    /// The algorithm suite to encrypt with.
    pub suite: AlgorithmSuite,
    /// The commitment policy in force.
    pub commitment_policy: CommitmentPolicy,
    /// The plaintext length when known beforehand (one-shot encryption); `None` when the
    /// plaintext is streamed.
    pub max_plaintext_length: Option<u64>,
    /// Context keys to authenticate without storing them in the message.
    pub required_encryption_context_keys: Vec<String>,
}

impl EncryptionMaterialsRequest {
    /// A request for `suite` and `encryption_context`, with no plaintext length and no
    /// required keys.
    pub fn new(
        suite: AlgorithmSuite,
        encryption_context: EncryptionContext,
        commitment_policy: CommitmentPolicy,
    ) -> Self {
        Self {
            encryption_context,
            suite,
            commitment_policy,
            max_plaintext_length: None,
            required_encryption_context_keys: Vec::new(),
        }
    }

    /// Sets the plaintext length.
    #[must_use]
    pub fn with_max_plaintext_length(mut self, length: Option<u64>) -> Self {
        self.max_plaintext_length = length;
        self
    }
}

/// What the decryptor asks of a materials manager for one message.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecryptionMaterialsRequest {
    /// The message's algorithm suite.
    pub suite: AlgorithmSuite,
    /// The message's encrypted data keys.
    pub encrypted_data_keys: Vec<EncryptedDataKey>,
    /// The encryption context stored in the message.
    pub encryption_context: EncryptionContext,
    /// The pairs the caller supplies: those the message stores must have the same value,
    /// the others were authenticated but not stored.
    pub reproduced_encryption_context: EncryptionContext,
    /// The commitment policy in force.
    pub commitment_policy: CommitmentPolicy,
}

impl DecryptionMaterialsRequest {
    /// A request for a message's suite, encrypted data keys and stored context.
    pub fn new(
        suite: AlgorithmSuite,
        encrypted_data_keys: Vec<EncryptedDataKey>,
        encryption_context: EncryptionContext,
        commitment_policy: CommitmentPolicy,
    ) -> Self {
        Self {
            suite,
            encrypted_data_keys,
            encryption_context,
            reproduced_encryption_context: EncryptionContext::new(),
            commitment_policy,
        }
    }

    /// Sets the reproduced encryption context.
    #[must_use]
    pub fn with_reproduced_encryption_context(mut self, context: EncryptionContext) -> Self {
        self.reproduced_encryption_context = context;
        self
    }
}

/// Provides the materials of each message: data key, encrypted data keys, signing key and
/// the full encryption context.
///
/// Object-safe and used as `Arc<dyn MaterialsManager>`. Wrap [`DefaultMaterialsManager`] to
/// write another one: it makes the signing key of signed suites, which the materials cannot
/// get otherwise.
#[async_trait]
pub trait MaterialsManager: fmt::Debug + Send + Sync + 'static {
    /// The materials to encrypt one message with.
    ///
    /// # Errors
    ///
    /// When the data key cannot be generated or wrapped, or the request is invalid.
    async fn get_encryption_materials(
        &self,
        request: EncryptionMaterialsRequest,
    ) -> Result<EncryptionMaterials>;

    /// The materials to decrypt one message with, holding its data key.
    ///
    /// # Errors
    ///
    /// [`Error::NoDataKey`](crate::Error::NoDataKey) when no encrypted data key can be
    /// decrypted, [`Error::ContextMismatch`](crate::Error::ContextMismatch) when the
    /// reproduced context does not fit the message.
    async fn decrypt_materials(
        &self,
        request: DecryptionMaterialsRequest,
    ) -> Result<DecryptionMaterials>;
}

/// The full context of a message being decrypted: the stored pairs and the reproduced pairs
/// the message does not store, with the keys of the latter.
///
/// # Errors
///
/// [`Error::ContextMismatch`](crate::Error::ContextMismatch) when a reproduced pair has
/// another value than the stored one.
pub(crate) fn merge_reproduced(
    stored: &EncryptionContext,
    reproduced: &EncryptionContext,
) -> Result<(EncryptionContext, Vec<String>)> {
    let mut context = stored.clone();
    let mut not_stored = Vec::new();
    for (key, value) in reproduced.iter() {
        match stored.get(key) {
            Some(stored) if stored != value => {
                return Err(crate::Error::ContextMismatch {
                    reason: format!("the value of `{key}` differs"),
                });
            }
            Some(_) => {}
            None => {
                context.insert(key, value);
                not_stored.push(key.to_owned());
            }
        }
    }
    Ok((context, not_stored))
}
