//! The caching materials manager: reuses data keys within limits of age, messages and bytes,
//! with the semantics of the AWS Encryption SDK specification's caching CMM.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::keyring::{DecryptionMaterials, EncryptionMaterials, Keyring};
use crate::materials::{
    DecryptionMaterialsRequest, DefaultMaterialsManager, EncryptionMaterialsRequest,
    MaterialsManager, merge_reproduced,
};
use crate::suite::{AlgorithmSuite, Kdf};

mod cache;
mod cache_id;
mod clock;
mod flight;

pub use self::cache::MaterialsCache;
use self::cache::{Cached, UsageLimits};
pub use self::clock::{Clock, SystemClock};

/// The most messages a data key may encrypt, and the default: 2^32.
pub const MAX_MESSAGES_PER_DATA_KEY: u64 = 1 << 32;
/// The most bytes a data key may encrypt, and the default: 2^63 - 1.
pub const MAX_BYTES_PER_DATA_KEY: u64 = i64::MAX as u64;
/// The capacity of the cache a builder makes when it is given none.
pub const DEFAULT_CACHE_CAPACITY: usize = 1000;

/// Reuses the materials of an underlying materials manager: a data key fetched once (one KMS
/// call) encrypts further messages with the same suite and encryption context until it is
/// `max_age` old, or has encrypted `max_messages` messages or `max_bytes` bytes.
///
/// As in the AWS Encryption SDK specification:
/// - only suites with a key derivation function are cached (all suites this crate encrypts
///   with);
/// - a message whose plaintext length is unknown (streamed) is not cached, nor one of
///   `max_bytes` bytes or more;
/// - the first message of a data key counts toward its limits; a message that would take an
///   entry past a limit removes the entry and gets fresh materials;
/// - decryption materials are cached too (keyed by suite, encrypted data keys and context)
///   and checked only by age.
///
/// Concurrent requests for the same entry make one underlying call: the others wait for it.
/// Entries live in a bounded [`MaterialsCache`]; evicted or expired keys are wiped at once.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use kms_core::SecretBytes;
/// use kms_envelope::{CachingMaterialsManager, Decryptor, Encryptor, RawAesKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let cache = Arc::new(
///     CachingMaterialsManager::from_keyring(keyring.clone(), Duration::from_secs(300))
///         .max_messages(1000)
///         .build()?,
/// );
/// let encryptor = Encryptor::from_materials_manager(cache);
/// let first = encryptor.encrypt(b"one").await?;
/// let second = encryptor.encrypt(b"two").await?;
///
/// // Both messages carry the same encrypted data key: one data key for both.
/// let decryptor = Decryptor::new(keyring);
/// let (a, b) = (decryptor.decrypt(&first).await?, decryptor.decrypt(&second).await?);
/// assert_eq!(a.header().encrypted_data_keys(), b.header().encrypted_data_keys());
/// # Ok(()) }
/// ```
pub struct CachingMaterialsManager {
    underlying: Arc<dyn MaterialsManager>,
    cache: Arc<MaterialsCache>,
    partition_id: String,
    max_age: Duration,
    limits: UsageLimits,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for CachingMaterialsManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingMaterialsManager")
            .field("underlying", &self.underlying)
            .field("cache", &self.cache)
            .field("partition_id", &self.partition_id)
            .field("max_age", &self.max_age)
            .field("max_messages", &self.limits.max_messages)
            .field("max_bytes", &self.limits.max_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`CachingMaterialsManager`]; see its methods for the defaults.
pub struct CachingMaterialsManagerBuilder {
    underlying: Arc<dyn MaterialsManager>,
    max_age: Duration,
    max_messages: u64,
    max_bytes: u64,
    partition_id: Option<String>,
    cache: Option<Arc<MaterialsCache>>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for CachingMaterialsManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingMaterialsManagerBuilder")
            .field("max_age", &self.max_age)
            .field("max_messages", &self.max_messages)
            .field("max_bytes", &self.max_bytes)
            .field("partition_id", &self.partition_id)
            .finish_non_exhaustive()
    }
}

impl CachingMaterialsManagerBuilder {
    /// The most messages one data key encrypts, 1 to 2^32 (the default).
    #[must_use]
    pub fn max_messages(mut self, max_messages: u64) -> Self {
        self.max_messages = max_messages;
        self
    }

    /// The most bytes one data key encrypts, up to 2^63 - 1 (the default).
    #[must_use]
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The partition: caching managers share entries only when they share the cache and
    /// the partition. Defaults to a random id, unique to this manager.
    #[must_use]
    pub fn partition_id(mut self, partition_id: impl Into<String>) -> Self {
        self.partition_id = Some(partition_id.into());
        self
    }

    /// The cache to keep entries in. Defaults to a new one of
    /// [`DEFAULT_CACHE_CAPACITY`] entries.
    #[must_use]
    pub fn cache(mut self, cache: Arc<MaterialsCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The clock entries age by. Defaults to [`SystemClock`].
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The caching materials manager.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the maximum age is zero, the maximum messages are not 1
    /// to 2^32, or the maximum bytes exceed 2^63 - 1.
    pub fn build(self) -> Result<CachingMaterialsManager> {
        if self.max_age.is_zero() {
            return Err(Error::invalid(
                "the maximum age of a cache entry must be more than 0",
            ));
        }
        if !(1..=MAX_MESSAGES_PER_DATA_KEY).contains(&self.max_messages) {
            return Err(Error::invalid(format!(
                "the maximum messages per data key must be 1 to {MAX_MESSAGES_PER_DATA_KEY}, not {}",
                self.max_messages
            )));
        }
        if self.max_bytes > MAX_BYTES_PER_DATA_KEY {
            return Err(Error::invalid(format!(
                "the maximum bytes per data key must be at most {MAX_BYTES_PER_DATA_KEY}, not {}",
                self.max_bytes
            )));
        }
        let partition_id = match self.partition_id {
            Some(partition_id) => partition_id,
            None => random_partition_id()?,
        };
        let cache = match self.cache {
            Some(cache) => cache,
            None => Arc::new(MaterialsCache::new(DEFAULT_CACHE_CAPACITY)?),
        };
        Ok(CachingMaterialsManager {
            underlying: self.underlying,
            cache,
            partition_id,
            max_age: self.max_age,
            limits: UsageLimits {
                max_messages: self.max_messages,
                max_bytes: self.max_bytes,
            },
            clock: self.clock,
        })
    }
}

/// 16 random bytes in hex.
fn random_partition_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::invalid("the random generator failed"))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether materials of `suite` may be cached: only with a key derivation function, so that
/// each message still gets its own content key.
fn cacheable(suite: AlgorithmSuite) -> bool {
    suite.kdf() != Kdf::Identity
}

impl CachingMaterialsManager {
    /// A builder over `underlying`, with the required maximum age of an entry.
    pub fn builder(
        underlying: Arc<dyn MaterialsManager>,
        max_age: Duration,
    ) -> CachingMaterialsManagerBuilder {
        CachingMaterialsManagerBuilder {
            underlying,
            max_age,
            max_messages: MAX_MESSAGES_PER_DATA_KEY,
            max_bytes: MAX_BYTES_PER_DATA_KEY,
            partition_id: None,
            cache: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// A builder over a [`DefaultMaterialsManager`] over `keyring`.
    pub fn from_keyring(
        keyring: Arc<dyn Keyring>,
        max_age: Duration,
    ) -> CachingMaterialsManagerBuilder {
        Self::builder(Arc::new(DefaultMaterialsManager::new(keyring)), max_age)
    }

    /// The partition id.
    pub fn partition_id(&self) -> &str {
        &self.partition_id
    }

    /// The cache.
    pub fn cache(&self) -> &Arc<MaterialsCache> {
        &self.cache
    }

    fn expiry(&self) -> std::time::Instant {
        self.clock.now() + self.max_age
    }
}

#[async_trait]
impl MaterialsManager for CachingMaterialsManager {
    async fn get_encryption_materials(
        &self,
        request: EncryptionMaterialsRequest,
    ) -> Result<EncryptionMaterials> {
        let Some(length) = request.max_plaintext_length else {
            return self.underlying.get_encryption_materials(request).await;
        };
        if !cacheable(request.suite) || length >= self.limits.max_bytes {
            return self.underlying.get_encryption_materials(request).await;
        }
        let id = cache_id::encrypt_id(
            &self.partition_id,
            request.suite,
            &request.encryption_context,
        )?;
        let lookup = || {
            self.cache
                .get_for_encrypt(&id, self.clock.now(), length, self.limits)
        };
        if let Some(materials) = lookup() {
            return Ok(materials);
        }
        let _flight = self.cache.flights().join(id).await;
        if let Some(materials) = lookup() {
            return Ok(materials);
        }
        let materials = self.underlying.get_encryption_materials(request).await?;
        if cacheable(materials.suite()) {
            self.cache.put(
                id,
                Cached::Encrypt(materials.duplicate()),
                self.expiry(),
                1,
                length,
            );
        }
        Ok(materials)
    }

    async fn decrypt_materials(
        &self,
        request: DecryptionMaterialsRequest,
    ) -> Result<DecryptionMaterials> {
        if !cacheable(request.suite) {
            return self.underlying.decrypt_materials(request).await;
        }
        // Reproduced pairs the message does not store are part of the key as well.
        let (context, _) = merge_reproduced(
            &request.encryption_context,
            &request.reproduced_encryption_context,
        )?;
        let id = cache_id::decrypt_id(
            &self.partition_id,
            request.suite,
            &request.encrypted_data_keys,
            &context,
        )?;
        let lookup = || self.cache.get_for_decrypt(&id, self.clock.now());
        if let Some(materials) = lookup() {
            return Ok(materials);
        }
        let _flight = self.cache.flights().join(id).await;
        if let Some(materials) = lookup() {
            return Ok(materials);
        }
        let materials = self.underlying.decrypt_materials(request).await?;
        if cacheable(materials.suite()) {
            self.cache.put(
                id,
                Cached::Decrypt(materials.duplicate()),
                self.expiry(),
                0,
                0,
            );
        }
        Ok(materials)
    }
}
