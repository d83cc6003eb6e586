//! The keyring of a file command: KMS keys on the backend, or a raw AES key read from a file.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use kms::ops::DescribeKeyRequest;
use kms::{KeyId, KeyIdForm, Kms, SecretBytes};
use kms_envelope::{
    DefaultMaterialsManager, DiscoveryFilter, Keyring, KmsDiscoveryKeyring, KmsKeyring,
    MaterialsManager, RawAesKeyring, RequiredEncryptionContextMaterialsManager,
};
use zeroize::Zeroize;

use crate::Failure;
use crate::args;
use crate::asymmetric_keyring;
use crate::backend::Backend;
use crate::cli::{DiscoveryArgs, KeyringArgs};

/// Whether the keyring encrypts or decrypts: KMS aliases are resolved for decryption, where
/// the keyring matches encrypted data keys by key ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Generates and wraps data keys.
    Encrypt,
    /// Unwraps data keys.
    Decrypt,
}

/// The keyring the flags name: the asymmetric keyring of `--keyring`, a raw AES keyring for
/// `--raw-aes-key-file`, otherwise a KMS keyring over `backend`, whose generator is the
/// first `--key-id`.
pub(crate) async fn from_args(
    backend: &Backend,
    keys: &KeyringArgs,
    purpose: Purpose,
) -> Result<Arc<dyn Keyring>, Failure> {
    if let Some(kind) = keys.keyring {
        return asymmetric_keyring::from_args(backend, kind, keys, purpose).await;
    }
    if let Some(path) = &keys.raw_aes_key_file {
        let (Some(namespace), Some(name)) = (&keys.key_namespace, &keys.key_name) else {
            return Err(Failure::Usage(
                "--raw-aes-key-file needs --key-namespace and --key-name".to_owned(),
            ));
        };
        let key = read_raw_key(path)?;
        let keyring = RawAesKeyring::new(namespace.clone(), name.clone(), key)
            .map_err(|err| Failure::Usage(format!("--raw-aes-key-file: {err}")))?;
        return Ok(Arc::new(keyring));
    }
    let mut key_ids = keys
        .key_ids
        .iter()
        .map(|key_id| args::key_id("key-id", key_id))
        .collect::<Result<Vec<_>, _>>()?;
    if key_ids.is_empty() {
        let discovery = if purpose == Purpose::Decrypt {
            ", or --discovery (--mrk-key-id or --mrk-discovery for multi-Region keys)"
        } else {
            ""
        };
        return Err(Failure::Usage(format!(
            "give the keys with --key-id, or a raw AES key with --raw-aes-key-file{discovery}"
        )));
    }
    let kms = backend.connect().await?;
    if purpose == Purpose::Decrypt {
        for key_id in &mut key_ids {
            *key_id = key_arn(kms.as_ref(), key_id).await?;
        }
    }
    let mut ids = key_ids.into_iter();
    let Some(generator) = ids.next() else {
        return Err(Failure::Usage("--key-id is required".to_owned()));
    };
    let keyring = ids.fold(KmsKeyring::new(kms, generator), |keyring, key_id| {
        keyring.with_additional_key(key_id)
    });
    Ok(Arc::new(keyring))
}

/// The materials manager of a file command: the keyring's default one, inside a required
/// encryption context materials manager when `--required-encryption-context-keys` names keys.
pub(crate) fn materials_manager(
    keyring: Arc<dyn Keyring>,
    required_keys: &[String],
) -> Result<Arc<dyn MaterialsManager>, Failure> {
    if required_keys.is_empty() {
        return Ok(Arc::new(DefaultMaterialsManager::new(keyring)));
    }
    if required_keys.iter().any(String::is_empty) {
        return Err(Failure::Usage(
            "--required-encryption-context-keys: a key is empty".to_owned(),
        ));
    }
    let manager =
        RequiredEncryptionContextMaterialsManager::from_keyring(keyring, required_keys.to_vec())
            .map_err(|err| Failure::Usage(format!("--required-encryption-context-keys: {err}")))?;
    Ok(Arc::new(manager))
}

/// A discovery keyring over `backend`, limited to the `--discovery-account` accounts when
/// there are any.
pub(crate) async fn discovery(
    backend: &Backend,
    args: &DiscoveryArgs,
) -> Result<Arc<dyn Keyring>, Failure> {
    let filter = discovery_filter(args)?;
    let mut keyring = KmsDiscoveryKeyring::new(backend.connect().await?);
    if let Some(filter) = filter {
        keyring = keyring.with_filter(filter);
    }
    Ok(Arc::new(keyring))
}

/// The discovery filter of `--discovery-account` and `--discovery-partition`; none without
/// accounts.
pub(crate) fn discovery_filter(args: &DiscoveryArgs) -> Result<Option<DiscoveryFilter>, Failure> {
    for account in &args.accounts {
        kms::kms_local::check_account_id(account)
            .map_err(|err| Failure::Usage(format!("--discovery-account: {}", err.message())))?;
    }
    if args.accounts.is_empty() {
        return Ok(None);
    }
    Ok(Some(DiscoveryFilter::new(
        args.partition.clone(),
        args.accounts.iter().cloned(),
    )))
}

/// The ARN of the key an alias names (key IDs and key ARNs are kept as they are).
async fn key_arn(kms: &dyn Kms, key_id: &KeyId) -> Result<KeyId, Failure> {
    if matches!(key_id.form(), KeyIdForm::KeyId | KeyIdForm::KeyArn) {
        return Ok(key_id.clone());
    }
    let response = kms
        .describe_key(DescribeKeyRequest::new(key_id.clone()))
        .await?;
    let metadata = &response.key_metadata;
    let resolved = metadata.arn.as_deref().unwrap_or(&metadata.key_id);
    args::key_id("key-id", resolved).map_err(Failure::Usage)
}

/// The length of a raw AES key file, in bytes, that the messages name.
const KEY_LENGTHS: [usize; 3] = [16, 24, 32];

/// Reads a raw AES key: the file must hold exactly 16, 24 or 32 bytes.
fn read_raw_key(path: &Path) -> Result<SecretBytes, Failure> {
    let display = path.display();
    let file = std::fs::File::open(path).map_err(|err| {
        Failure::Usage(format!(
            "--raw-aes-key-file: cannot open '{display}': {err}"
        ))
    })?;
    // One byte more than the longest key tells a longer file apart without reading it all.
    let mut bytes = Vec::with_capacity(33);
    let read = file.take(33).read_to_end(&mut bytes);
    if let Err(err) = read {
        bytes.zeroize();
        return Err(Failure::Usage(format!(
            "--raw-aes-key-file: cannot read '{display}': {err}"
        )));
    }
    if !KEY_LENGTHS.contains(&bytes.len()) {
        let length = if bytes.len() > 32 {
            "more than 32".to_owned()
        } else {
            bytes.len().to_string()
        };
        bytes.zeroize();
        return Err(Failure::Usage(format!(
            "--raw-aes-key-file: '{display}' holds {length} bytes; a raw AES key file holds \
             exactly 16, 24 or 32 bytes (decode a key in hex or base64 first)"
        )));
    }
    Ok(SecretBytes::from(bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn raw_keys_must_have_an_aes_length() {
        let temp_dir = tempfile::tempdir().unwrap();
        let dir = temp_dir.path();
        for (len, ok) in [
            (0, false),
            (15, false),
            (16, true),
            (24, true),
            (32, true),
            (33, false),
            (64, false),
        ] {
            let path = dir.join(format!("key{len}"));
            std::fs::write(&path, vec![7u8; len]).unwrap();
            match read_raw_key(&path) {
                Ok(key) => {
                    assert!(ok, "{len} bytes accepted");
                    assert_eq!(key.len(), len);
                }
                Err(Failure::Usage(message)) => {
                    assert!(!ok, "{len} bytes refused: {message}");
                    assert!(message.contains("exactly 16, 24 or 32 bytes"), "{message}");
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            read_raw_key(&dir.join("missing")),
            Err(Failure::Usage(_))
        ));
    }
}
