//! The asymmetric keyrings of `--keyring`: the AWS KMS RSA keyring, the AWS KMS ECDH keyring
//! and the raw ECDH keyring, with their keys from KMS or from files.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms::ops::DescribeKeyRequest;
use kms::{EncryptionAlgorithmSpec, KeyId, KeyIdForm, KeySpec, Kms};
use kms_envelope::{EcdhCurve, Keyring, KmsEcdhKeyring, KmsRsaKeyring, RawEcdhKeyring};
use zeroize::Zeroizing;

use crate::Failure;
use crate::args;
use crate::backend::Backend;
use crate::cli::{KeyringArgs, KeyringKind};
use crate::keyring::Purpose;

/// The most bytes a key file may hold: keys are a few hundred bytes, PEM a few kilobytes.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// The keyring `--keyring` names, for `purpose`.
pub(crate) async fn from_args(
    backend: &Backend,
    kind: KeyringKind,
    keys: &KeyringArgs,
    purpose: Purpose,
) -> Result<Arc<dyn Keyring>, Failure> {
    let name = flag_name(kind);
    check_purpose(kind, purpose)?;
    if kind == KeyringKind::KmsRsa {
        reject_file(keys.private_key_file.as_deref(), "--private-key-file", name)?;
        if keys.curve.is_some() {
            return Err(Failure::Usage(
                "--curve is for the ECDH keyrings, not --keyring kms-rsa".to_owned(),
            ));
        }
    } else if keys.encryption_algorithm.is_some() {
        return Err(Failure::Usage(format!(
            "--encryption-algorithm is for --keyring kms-rsa, not {name}"
        )));
    }
    let usage = |err: kms_envelope::Error| match err {
        kms_envelope::Error::Kms(err) => Failure::from(err),
        other => Failure::Usage(format!("--keyring {name}: {other}")),
    };
    let keyring: Arc<dyn Keyring> = match kind {
        KeyringKind::KmsRsa => {
            let algorithm = encryption_algorithm(keys)?;
            let public_key = keys
                .public_key_file
                .as_deref()
                .map(read_public_key)
                .transpose()?;
            let key = single_key_id(keys, name)?;
            // Encrypting with a given public key and key ARN needs no KMS at all.
            let offline = purpose == Purpose::Encrypt && key.form() == KeyIdForm::KeyArn;
            let kms = match (&public_key, offline) {
                (Some(_), true) => None,
                _ => Some(backend.connect().await?),
            };
            let arn = match &kms {
                Some(kms) => key_arn(kms.as_ref(), key).await?,
                None => key,
            };
            let mut keyring = KmsRsaKeyring::new(arn, algorithm).map_err(usage)?;
            if let Some(kms) = kms {
                keyring = keyring.with_kms(kms);
            }
            keyring = match (&public_key, purpose) {
                (Some(der), _) => keyring.with_public_key_der(der).map_err(usage)?,
                (None, Purpose::Encrypt) => {
                    keyring.with_public_key_from_kms().await.map_err(usage)?
                }
                (None, Purpose::Decrypt) => keyring,
            };
            Arc::new(keyring)
        }
        KeyringKind::KmsEcdh | KeyringKind::KmsEcdhDiscovery => {
            let curve = curve(keys)?;
            let kms = backend.connect().await?;
            let key = key_arn(kms.as_ref(), single_key_id(keys, name)?).await?;
            if kind == KeyringKind::KmsEcdhDiscovery {
                reject_file(keys.public_key_file.as_deref(), "--public-key-file", name)?;
                reject_file(keys.private_key_file.as_deref(), "--private-key-file", name)?;
                let keyring = KmsEcdhKeyring::kms_public_key_discovery(kms, curve, key);
                Arc::new(keyring.await.map_err(usage)?)
            } else {
                reject_file(keys.private_key_file.as_deref(), "--private-key-file", name)?;
                let recipient = required_public_key(keys, name)?;
                let keyring = KmsEcdhKeyring::kms_private_key_to_static_public_key(
                    kms, curve, key, None, &recipient,
                );
                Arc::new(keyring.await.map_err(usage)?)
            }
        }
        KeyringKind::RawEcdh | KeyringKind::RawEcdhEphemeral | KeyringKind::RawEcdhDiscovery => {
            if !keys.key_ids.is_empty() {
                return Err(Failure::Usage(format!(
                    "--keyring {name} takes its keys from files, not --key-id"
                )));
            }
            let curve = curve(keys)?;
            let keyring = match kind {
                KeyringKind::RawEcdh => RawEcdhKeyring::static_private_key(
                    curve,
                    &required_private_key(keys, name)?,
                    &required_public_key(keys, name)?,
                ),
                KeyringKind::RawEcdhEphemeral => {
                    reject_file(keys.private_key_file.as_deref(), "--private-key-file", name)?;
                    RawEcdhKeyring::ephemeral(curve, &required_public_key(keys, name)?)
                }
                _ => {
                    reject_file(keys.public_key_file.as_deref(), "--public-key-file", name)?;
                    RawEcdhKeyring::discovery(curve, &required_private_key(keys, name)?)
                }
            };
            Arc::new(keyring.map_err(usage)?)
        }
    };
    Ok(keyring)
}

/// The value of `--keyring` as it is spelled.
fn flag_name(kind: KeyringKind) -> &'static str {
    match kind {
        KeyringKind::KmsRsa => "kms-rsa",
        KeyringKind::KmsEcdh => "kms-ecdh",
        KeyringKind::KmsEcdhDiscovery => "kms-ecdh-discovery",
        KeyringKind::RawEcdh => "raw-ecdh",
        KeyringKind::RawEcdhEphemeral => "raw-ecdh-ephemeral",
        KeyringKind::RawEcdhDiscovery => "raw-ecdh-discovery",
    }
}

/// Refuses keyrings that cannot serve `purpose`: the ephemeral one cannot decrypt, the
/// discovery ones cannot encrypt.
fn check_purpose(kind: KeyringKind, purpose: Purpose) -> Result<(), Failure> {
    let refused = match purpose {
        Purpose::Encrypt => matches!(
            kind,
            KeyringKind::KmsEcdhDiscovery | KeyringKind::RawEcdhDiscovery
        )
        .then_some("decrypts only"),
        Purpose::Decrypt => (kind == KeyringKind::RawEcdhEphemeral)
            .then_some("encrypts only: it keeps no private key"),
    };
    match refused {
        Some(why) => Err(Failure::Usage(format!(
            "--keyring {} {why}",
            flag_name(kind)
        ))),
        None => Ok(()),
    }
}

/// The one `--key-id` of a KMS keyring.
fn single_key_id(keys: &KeyringArgs, name: &str) -> Result<KeyId, Failure> {
    match keys.key_ids.as_slice() {
        [key] => Ok(args::key_id("key-id", key)?),
        [] => Err(Failure::Usage(format!("--keyring {name} needs --key-id"))),
        _ => Err(Failure::Usage(format!(
            "--keyring {name} takes one --key-id"
        ))),
    }
}

/// The key ARN of a key ID or alias (`DescribeKey`); a key ARN as it is.
async fn key_arn(kms: &dyn Kms, key: KeyId) -> Result<KeyId, Failure> {
    if key.form() == KeyIdForm::KeyArn {
        return Ok(key);
    }
    let metadata = kms
        .describe_key(DescribeKeyRequest::new(key))
        .await?
        .key_metadata;
    let arn = metadata.arn.unwrap_or(metadata.key_id);
    Ok(args::key_id("key-id", &arn)?)
}

/// `--encryption-algorithm`, RSAES_OAEP_SHA_256 by default.
fn encryption_algorithm(keys: &KeyringArgs) -> Result<EncryptionAlgorithmSpec, Failure> {
    let Some(text) = &keys.encryption_algorithm else {
        return Ok(EncryptionAlgorithmSpec::RsaesOaepSha256);
    };
    match EncryptionAlgorithmSpec::try_parse(text) {
        Ok(
            algorithm @ (EncryptionAlgorithmSpec::RsaesOaepSha1
            | EncryptionAlgorithmSpec::RsaesOaepSha256),
        ) => Ok(algorithm),
        _ => Err(Failure::Usage(format!(
            "--encryption-algorithm: expected RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1, got '{text}'"
        ))),
    }
}

/// `--curve`, required by the ECDH keyrings.
fn curve(keys: &KeyringArgs) -> Result<EcdhCurve, Failure> {
    let Some(text) = &keys.curve else {
        return Err(Failure::Usage(
            "the ECDH keyrings need --curve ECC_NIST_P256, ECC_NIST_P384 or ECC_NIST_P521"
                .to_owned(),
        ));
    };
    EcdhCurve::from_key_spec(&KeySpec::from(text.as_str())).ok_or_else(|| {
        Failure::Usage(format!(
            "--curve: expected ECC_NIST_P256, ECC_NIST_P384 or ECC_NIST_P521, got '{text}'"
        ))
    })
}

/// Refuses a key file the keyring has no use for.
fn reject_file(path: Option<&Path>, flag: &str, name: &str) -> Result<(), Failure> {
    match path {
        Some(_) => Err(Failure::Usage(format!("--keyring {name} takes no {flag}"))),
        None => Ok(()),
    }
}

/// `--public-key-file`, which the keyring needs.
fn required_public_key(keys: &KeyringArgs, name: &str) -> Result<Vec<u8>, Failure> {
    match &keys.public_key_file {
        Some(path) => read_public_key(path),
        None => Err(Failure::Usage(format!(
            "--keyring {name} needs the recipient's --public-key-file"
        ))),
    }
}

/// `--private-key-file`, which the keyring needs.
fn required_private_key(keys: &KeyringArgs, name: &str) -> Result<Zeroizing<String>, Failure> {
    match &keys.private_key_file {
        Some(path) => read_private_key(path),
        None => Err(Failure::Usage(format!(
            "--keyring {name} needs --private-key-file"
        ))),
    }
}

/// A public key file: DER SubjectPublicKeyInfo, or PEM `PUBLIC KEY` (decoded to DER).
fn read_public_key(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = read_key_file(path, "--public-key-file")?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(bytes.to_vec());
    };
    if !text.contains("-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let body = text
        .split_once("-----BEGIN PUBLIC KEY-----")
        .and_then(|(_, rest)| rest.split_once("-----END PUBLIC KEY-----"))
        .map(|(body, _)| body)
        .ok_or_else(|| {
            Failure::Usage(format!(
                "--public-key-file: '{}' holds no `-----BEGIN PUBLIC KEY-----` block",
                path.display()
            ))
        })?;
    let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(base64).map_err(|_| {
        Failure::Usage(format!(
            "--public-key-file: the PEM block of '{}' is not valid base64",
            path.display()
        ))
    })
}

/// A private key file: PEM text, wiped when dropped.
fn read_private_key(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let bytes = read_key_file(path, "--private-key-file")?;
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(err) => {
            drop(Zeroizing::new(err.into_bytes()));
            Err(Failure::Usage(format!(
                "--private-key-file: '{}' is not PEM text (`-----BEGIN PRIVATE KEY-----`)",
                path.display()
            )))
        }
    }
}

/// The bytes of a key file of at most [`MAX_KEY_FILE_LEN`] bytes, wiped when dropped.
fn read_key_file(path: &Path, flag: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let display = path.display();
    let file = std::fs::File::open(path)
        .map_err(|err| Failure::Usage(format!("{flag}: cannot open '{display}': {err}")))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Failure::Usage(format!("{flag}: cannot read '{display}': {err}")))?;
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(Failure::Usage(format!(
            "{flag}: '{display}' holds more than {MAX_KEY_FILE_LEN} bytes, too many for a key"
        )));
    }
    Ok(bytes)
}
