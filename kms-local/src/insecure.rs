//! Reading key material out of a [`LocalKms`], to write seed files. Anyone holding the output
//! can decrypt everything the exported keys ever encrypted: the name says so on purpose.

use kms_core::{KeyId, Result};

use crate::LocalKms;
use crate::seed::{self, SeedFile};

/// The seed file that recreates `key_ids` (any of the four forms) elsewhere, with their
/// key spec, key usage, material, rotations, aliases and tags, the material in the clear in
/// one format for every kind of key (see [`SeedKey::material`](crate::SeedKey::material)):
/// base64 of the AES materials of a symmetric key, of an HMAC key's bytes, of an asymmetric
/// key's PKCS#8 DER private key.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_core::Result<()> {
/// use kms_core::{EncryptionContext, KeyId, KmsExt};
/// use kms_local::{LocalKms, insecure};
///
/// let original = LocalKms::new();
/// let key = original.create_symmetric_key("fixture").await?;
/// let blob = original.encrypt_bytes(&key.key_id, b"data", &EncryptionContext::new()).await?;
///
/// let seed = insecure::export_seed(&original, &[KeyId::parse(&key.key_id)?])?;
/// let elsewhere = LocalKms::builder().seed(seed).build()?;
/// let plaintext = elsewhere.decrypt_bytes(&blob, &EncryptionContext::new()).await?;
/// assert_eq!(plaintext.expose_secret(), b"data");
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// The errors of `DescribeKey` for a key that does not exist; `KMSInvalidStateException` for a
/// key pending deletion.
pub fn export_seed(kms: &LocalKms, key_ids: &[KeyId]) -> Result<SeedFile> {
    let store = &kms.store;
    let keyring = store.read()?;
    let keys = key_ids
        .iter()
        .map(|key_id| {
            let key = keyring.resolve(&store.identity, key_id, || store.now())?;
            let aliases = keyring
                .aliases
                .iter()
                .filter(|(_, alias)| alias.target == key.id)
                .map(|(name, _)| name.clone())
                .collect();
            seed::export(key, aliases)
        })
        .collect::<Result<_>>()?;
    Ok(SeedFile { keys })
}
