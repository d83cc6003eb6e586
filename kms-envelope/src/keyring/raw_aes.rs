//! The raw AES keyring: data keys wrapped with AES-GCM under a key the caller holds.

use std::fmt;

use async_trait::async_trait;
use aws_lc_rs::aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use kms_core::SecretBytes;

use crate::error::{Error, Result};
use crate::format::header::{IV_LEN, TAG_LEN};
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, raw_namespace,
};

/// The tag length field of the provider info, in bits.
const TAG_BITS: u32 = 128;

/// A keyring that wraps data keys with AES-GCM under a 128, 192 or 256-bit key held in
/// memory: for offline use, tests, and interoperability with the raw AES keyring of the AWS
/// Encryption SDKs.
///
/// The provider id is the namespace; the provider info is the key name followed by the tag
/// length in bits, the IV length and the random IV. The encryption context is bound to every
/// wrapped key as AES-GCM AAD.
///
/// ```
/// use kms_core::SecretBytes;
/// use kms_envelope::RawAesKeyring;
///
/// let keyring = RawAesKeyring::new("my-namespace", "my-key", SecretBytes::from(vec![7; 32]))?;
/// assert_eq!(format!("{keyring:?}"),
///     r#"RawAesKeyring { namespace: "my-namespace", name: "my-key", key_bits: 256, .. }"#);
/// # Ok::<(), kms_envelope::Error>(())
/// ```
pub struct RawAesKeyring {
    namespace: String,
    name: String,
    key: LessSafeKey,
    key_bits: usize,
}

impl fmt::Debug for RawAesKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAesKeyring")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("key_bits", &self.key_bits)
            .finish_non_exhaustive()
    }
}

impl RawAesKeyring {
    /// A keyring for the wrapping key `key` (16, 24 or 32 bytes) named `name` in `namespace`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for another key length, or a namespace starting with
    /// `aws-kms` (reserved for KMS keyrings).
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        key: SecretBytes,
    ) -> Result<Self> {
        let namespace = raw_namespace(namespace.into())?;
        let algorithm = match key.len() {
            16 => &AES_128_GCM,
            24 => &AES_192_GCM,
            32 => &AES_256_GCM,
            other => {
                return Err(Error::invalid(format!(
                    "a raw AES wrapping key must be 16, 24 or 32 bytes, not {other}"
                )));
            }
        };
        let unbound = UnboundKey::new(algorithm, key.expose_secret())
            .map_err(|_| Error::invalid("the wrapping key was rejected"))?;
        Ok(Self {
            namespace,
            name: name.into(),
            key: LessSafeKey::new(unbound),
            key_bits: key.len() * 8,
        })
    }

    /// The key namespace (the provider id).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn wrap(
        &self,
        materials: &EncryptionMaterials,
        data_key: &SecretBytes,
    ) -> Result<EncryptedDataKey> {
        let aad = context_aad(materials.encryption_context())?;
        let mut iv = [0u8; IV_LEN];
        aws_lc_rs::rand::fill(&mut iv)
            .map_err(|_| Error::invalid("the random generator failed"))?;
        let mut ciphertext = vec![0u8; data_key.len() + TAG_LEN];
        let (body, tag) = ciphertext.split_at_mut(data_key.len());
        self.key
            .seal_out_of_place_scatter(
                Nonce::assume_unique_for_key(iv),
                Aad::from(&aad),
                data_key.expose_secret(),
                body,
                &[],
                tag,
            )
            .map_err(|_| Error::invalid("wrapping the data key failed"))?;
        let mut info = Vec::with_capacity(self.name.len() + 8 + IV_LEN);
        info.extend_from_slice(self.name.as_bytes());
        info.extend_from_slice(&TAG_BITS.to_be_bytes());
        info.extend_from_slice(&(IV_LEN as u32).to_be_bytes());
        info.extend_from_slice(&iv);
        Ok(EncryptedDataKey::new(
            self.namespace.clone(),
            info,
            ciphertext,
        ))
    }

    /// The IV of an encrypted data key this keyring wrote, if it is one.
    fn matching_iv(&self, edk: &EncryptedDataKey) -> Option<[u8; IV_LEN]> {
        if edk.provider_id() != self.namespace {
            return None;
        }
        let info = edk.provider_info().strip_prefix(self.name.as_bytes())?;
        let (lengths, iv) = info.split_at_checked(8)?;
        if lengths != [0, 0, 0, 128, 0, 0, 0, 12] {
            return None;
        }
        iv.try_into().ok()
    }
}

/// The AAD of a wrapped key: the canonical encryption context.
fn context_aad(context: &kms_core::EncryptionContext) -> Result<Vec<u8>> {
    context
        .canonical_bytes()
        .map_err(|err| Error::invalid(err.message().to_owned()))
}

#[async_trait]
impl Keyring for RawAesKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        materials.generate_random_data_key_if_absent()?;
        let edk = self.wrap(&materials, materials.data_key_to_wrap()?)?;
        materials.push_encrypted_data_key(edk);
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
        let aad = context_aad(materials.encryption_context())?;
        let key_len = materials.suite().key_len();
        let mut failures = Vec::new();
        for edk in encrypted_data_keys {
            let Some(iv) = self.matching_iv(edk) else {
                continue;
            };
            let Some((body, tag)) = edk.ciphertext().split_at_checked(key_len) else {
                failures.push(kms_core::Error::InvalidCiphertext);
                continue;
            };
            if tag.len() != TAG_LEN {
                failures.push(kms_core::Error::InvalidCiphertext);
                continue;
            }
            let opened = SecretBytes::try_init_with(key_len, |out| {
                self.key.open_separate_gather(
                    Nonce::assume_unique_for_key(iv),
                    Aad::from(&aad),
                    body,
                    tag,
                    out,
                )
            });
            match opened {
                Ok(data_key) => {
                    materials.set_data_key(data_key)?;
                    return Ok(materials);
                }
                Err(_) => failures.push(kms_core::Error::InvalidCiphertext),
            }
        }
        Err(Error::NoDataKey { failures })
    }
}
