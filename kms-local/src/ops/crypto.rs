//! `Encrypt`, `Decrypt`, `ReEncrypt`, `GenerateDataKey`, `GenerateDataKeyWithoutPlaintext` and
//! `GenerateRandom`.
//!
//! A symmetric key seals a local blob that names its key; an RSA key's ciphertext is the raw
//! RSAES-OAEP output AWS returns, which names no key, so decrypting it takes the key and the
//! algorithm. Each operation seals or opens while holding the read lock: readers do not block
//! each other, and no reference count is touched on the hot path.

use kms_core::ops::*;
use kms_core::{
    DataKeySpec, EncryptionAlgorithmSpec, EncryptionContext, Error, KeyId, Result, SecretBytes,
};

use super::check_dry_run;
use super::known;
use crate::blob::{self, Header};
use crate::limits::{self, CIPHERTEXT_LEN, NUMBER_OF_BYTES, PLAINTEXT_LEN};
use crate::random;
use crate::state::{Key, Keyring};
use crate::store::Store;

/// The key an operation encrypts under, with the checks it makes first.
pub(super) struct Destination<'a> {
    pub(super) key_id: &'a KeyId,
    pub(super) algorithm: Option<EncryptionAlgorithmSpec>,
    pub(super) context: &'a EncryptionContext,
    pub(super) dry_run: Option<bool>,
    pub(super) operation: &'static str,
}

/// A ciphertext and the key, algorithm and (for a symmetric key) material that sealed it.
pub(super) struct Sealed {
    pub(super) blob: Vec<u8>,
    pub(super) arn: String,
    algorithm: EncryptionAlgorithmSpec,
    pub(super) material_id: Option<String>,
}

/// A ciphertext to decrypt, with what the caller says about it.
struct Source<'a> {
    blob: &'a [u8],
    context: &'a EncryptionContext,
    expected_key: Option<&'a KeyId>,
    algorithm: Option<EncryptionAlgorithmSpec>,
    /// The request member that names the key (`KeyId` or `SourceKeyId`).
    key_member: &'static str,
}

/// A decrypted ciphertext and the key, algorithm and (for a symmetric key) material that
/// opened it.
struct Opened {
    arn: String,
    algorithm: EncryptionAlgorithmSpec,
    material_id: Option<String>,
    plaintext: SecretBytes,
}

impl Store {
    pub(crate) fn encrypt(&self, request: EncryptRequest) -> Result<EncryptResponse> {
        let plaintext = request.plaintext.expose_secret();
        limits::check_len("plaintext", None, plaintext.len(), PLAINTEXT_LEN)?;
        limits::check_grant_tokens(&request.grant_tokens)?;
        let sealed = self.seal(
            Destination {
                key_id: &request.key_id,
                algorithm: known(request.encryption_algorithm, "encryptionAlgorithm")?,
                context: &request.encryption_context,
                dry_run: request.dry_run,
                operation: "Encrypt",
            },
            plaintext,
        )?;
        Ok(EncryptResponse::new(sealed.blob, sealed.arn)
            .with_encryption_algorithm(sealed.algorithm))
    }

    pub(crate) fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let opened = self.open(Source {
            blob: &request.ciphertext_blob,
            context: &request.encryption_context,
            expected_key: request.key_id.as_ref(),
            algorithm: known(request.encryption_algorithm, "encryptionAlgorithm")?,
            key_member: "KeyId",
        })?;
        check_dry_run(request.dry_run)?;
        let mut response = DecryptResponse::new(opened.arn, opened.plaintext)
            .with_encryption_algorithm(opened.algorithm);
        response.key_material_id = opened.material_id;
        Ok(response)
    }

    pub(crate) fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let opened = self.open(Source {
            blob: &request.ciphertext_blob,
            context: &request.source_encryption_context,
            expected_key: request.source_key_id.as_ref(),
            algorithm: known(
                request.source_encryption_algorithm,
                "sourceEncryptionAlgorithm",
            )?,
            key_member: "SourceKeyId",
        })?;
        let sealed = self.seal(
            Destination {
                key_id: &request.destination_key_id,
                algorithm: known(
                    request.destination_encryption_algorithm,
                    "destinationEncryptionAlgorithm",
                )?,
                context: &request.destination_encryption_context,
                dry_run: request.dry_run,
                operation: "ReEncrypt",
            },
            opened.plaintext.expose_secret(),
        )?;
        let mut response = ReEncryptResponse::new(sealed.blob, sealed.arn)
            .with_source_key_id(opened.arn)
            .with_source_encryption_algorithm(opened.algorithm)
            .with_destination_encryption_algorithm(sealed.algorithm);
        response.source_key_material_id = opened.material_id;
        response.destination_key_material_id = sealed.material_id;
        Ok(response)
    }

    pub(crate) fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let (plaintext, sealed) = self.new_data_key(
            (request.key_spec, request.number_of_bytes),
            &request.grant_tokens,
            Destination {
                key_id: &request.key_id,
                algorithm: None,
                context: &request.encryption_context,
                dry_run: request.dry_run,
                operation: "GenerateDataKey",
            },
        )?;
        let mut response = GenerateDataKeyResponse::new(sealed.blob, plaintext, sealed.arn);
        response.key_material_id = sealed.material_id;
        Ok(response)
    }

    pub(crate) fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        let (_, sealed) = self.new_data_key(
            (request.key_spec, request.number_of_bytes),
            &request.grant_tokens,
            Destination {
                key_id: &request.key_id,
                algorithm: None,
                context: &request.encryption_context,
                dry_run: request.dry_run,
                operation: "GenerateDataKeyWithoutPlaintext",
            },
        )?;
        let mut response = GenerateDataKeyWithoutPlaintextResponse::new(sealed.blob, sealed.arn);
        response.key_material_id = sealed.material_id;
        Ok(response)
    }

    pub(crate) fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        if request.custom_key_store_id.is_some() {
            return Err(Error::NotImplemented {
                message: "Custom key stores are not implemented by the local backend yet"
                    .to_owned(),
            });
        }
        let Some(count) = request.number_of_bytes else {
            return Err(Error::Validation {
                message: "NumberOfBytes is required.".to_owned(),
            });
        };
        let count = limits::check_range("numberOfBytes", count, NUMBER_OF_BYTES)?;
        let plaintext = SecretBytes::try_init_with(usize_of(count)?, random::fill)?;
        Ok(GenerateRandomResponse::new(plaintext))
    }

    /// A fresh data key of the length asked for (a key spec or a number of bytes), sealed
    /// under the destination key.
    fn new_data_key(
        &self,
        (key_spec, number_of_bytes): (Option<DataKeySpec>, Option<u32>),
        grant_tokens: &[String],
        to: Destination<'_>,
    ) -> Result<(SecretBytes, Sealed)> {
        let length = data_key_len(key_spec.as_ref(), number_of_bytes)?;
        limits::check_grant_tokens(grant_tokens)?;
        let plaintext = SecretBytes::try_init_with(length, random::fill)?;
        let sealed = self.seal(to, plaintext.expose_secret())?;
        Ok((plaintext, sealed))
    }

    /// Encrypts `plaintext` under the destination key, after the checks of its operation: a
    /// local blob under the current material of a symmetric key, raw RSAES-OAEP under an RSA
    /// key.
    pub(super) fn seal(&self, to: Destination<'_>, plaintext: &[u8]) -> Result<Sealed> {
        let keyring = self.read()?;
        let (key, algorithm) = self.destination(&keyring, &to)?;
        if let Some(private_key) = key.material.private_key()? {
            check_no_context(to.context, &algorithm)?;
            let blob = private_key.encrypt(&algorithm, plaintext)?;
            check_dry_run(to.dry_run)?;
            return Ok(Sealed {
                blob,
                arn: key.arn.clone(),
                algorithm,
                material_id: None,
            });
        }
        check_dry_run(to.dry_run)?;
        let material = key
            .current()
            .ok_or_else(|| random::internal("a symmetric key without AES material"))?;
        let header = Header::new((key.uuid, key.multi_region.is_some()), material.id)?;
        Ok(Sealed {
            blob: blob::seal(&material.aead, header, to.context, plaintext)?,
            arn: key.arn.clone(),
            algorithm,
            material_id: Some(material.id_hex.clone()),
        })
    }

    /// The key `to` names and the algorithm it encrypts with, after the checks of `to`'s
    /// operation.
    fn destination<'k>(
        &self,
        keyring: &'k Keyring,
        to: &Destination<'_>,
    ) -> Result<(&'k Key, EncryptionAlgorithmSpec)> {
        let key = keyring.resolve(&self.identity, to.key_id, || self.now())?;
        let algorithm = key.check_encryption(to.operation, to.algorithm.clone())?;
        Ok((key, algorithm))
    }

    /// The checks of sealing under `to`, dry run included, before the plaintext exists (a
    /// data key pair takes time to generate).
    pub(super) fn check_destination(&self, to: &Destination<'_>) -> Result<()> {
        let keyring = self.read()?;
        self.destination(&keyring, to)?;
        check_dry_run(to.dry_run)
    }

    /// Decrypts a ciphertext: raw RSAES-OAEP with the key and algorithm the caller names, or
    /// a local blob, whose key and material it names itself.
    fn open(&self, from: Source<'_>) -> Result<Opened> {
        limits::check_len("ciphertextBlob", None, from.blob.len(), CIPHERTEXT_LEN)?;
        match &from.algorithm {
            None | Some(EncryptionAlgorithmSpec::SymmetricDefault) => self.open_blob(from),
            Some(_) => self.open_asymmetric(from),
        }
    }

    /// Decrypts an asymmetric ciphertext, which names no key: the caller must.
    fn open_asymmetric(&self, from: Source<'_>) -> Result<Opened> {
        let Some(key_id) = from.expected_key else {
            return Err(Error::Validation {
                // Our wording (unverified): AWS documents the rule (an asymmetric
                // ciphertext needs the key ID), no reference gives its message.
                message: format!(
                    "{} is required to decrypt with an asymmetric encryption algorithm.",
                    from.key_member
                ),
            });
        };
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, key_id, || self.now())?;
        let algorithm = key.check_encryption("Decrypt", from.algorithm)?;
        check_no_context(from.context, &algorithm)?;
        let private_key = key
            .material
            .private_key()?
            .ok_or_else(|| random::internal("an RSA key without its private key"))?;
        Ok(Opened {
            plaintext: private_key.decrypt(&algorithm, from.blob)?,
            arn: key.arn.clone(),
            algorithm,
            material_id: None,
        })
    }

    /// Decrypts a local blob: finds the key and material it names, checks them against the
    /// key the caller expects and the key's state, then opens it with the context.
    fn open_blob(&self, from: Source<'_>) -> Result<Opened> {
        let keyring = self.read()?;
        let now = || self.now();
        let named = from
            .expected_key
            .map(|expected| keyring.resolve(&self.identity, expected, now));
        // An asymmetric key named without its algorithm refuses the default one, whatever
        // the ciphertext.
        if let Some(Ok(named)) = &named
            && named.material.is_asymmetric()
        {
            named.check_encryption("Decrypt", from.algorithm.clone())?;
        }
        let header = Header::parse(from.blob)?;
        let mut id = [0; blob::KEY_ID_TEXT_LEN];
        let id = header.key_id_text(&mut id);
        // A multi-Region key's blob opens with the related key of this Region, if any.
        let key = keyring
            .keys
            .get(id)
            .filter(|key| !key.is_gone(now))
            .ok_or_else(unknown_ciphertext_key)?;
        if let Some(named) = named
            && named?.id != key.id
        {
            return Err(Error::IncorrectKey {
                message: "The key ID in the request does not identify a CMK that can perform \
                          this operation."
                    .to_owned(),
            });
        }
        let algorithm = key.check_encryption("Decrypt", from.algorithm)?;
        let material = key
            .material(&header.material_id)
            .ok_or(Error::InvalidCiphertext)?;
        Ok(Opened {
            plaintext: blob::open(&material.aead, header, from.blob, from.context)?,
            arn: key.arn.clone(),
            algorithm,
            material_id: Some(material.id_hex.clone()),
        })
    }
}

/// Refuses an encryption context with an asymmetric algorithm, which has no place for one.
/// AWS documents that these algorithms do not support an encryption context; what it answers
/// when one is sent is not in the references: refusing it never lets a caller believe it is
/// bound to the ciphertext.
fn check_no_context(
    context: &EncryptionContext,
    algorithm: &EncryptionAlgorithmSpec,
) -> Result<()> {
    if context.is_empty() {
        return Ok(());
    }
    Err(Error::Validation {
        // Our wording (unverified).
        message: format!(
            "EncryptionContext is not supported by the asymmetric encryption algorithm \
             {algorithm}."
        ),
    })
}

/// What AWS answers for a ciphertext whose key does not exist (here).
fn unknown_ciphertext_key() -> Error {
    Error::AccessDenied {
        message: "The ciphertext refers to a customer master key that does not exist, does not \
                  exist in this region, or you are not allowed to access."
            .to_owned(),
    }
}

/// The length of a data key: exactly one of a key spec and a number of bytes.
fn data_key_len(key_spec: Option<&DataKeySpec>, number_of_bytes: Option<u32>) -> Result<usize> {
    match (key_spec, number_of_bytes) {
        (Some(spec), None) => spec
            .byte_len()
            .ok_or_else(|| Error::enum_constraint(spec, "keySpec", DataKeySpec::VALUES)),
        (None, Some(count)) => usize_of(limits::check_range(
            "numberOfBytes",
            count,
            NUMBER_OF_BYTES,
        )?),
        _ => Err(Error::Validation {
            // Our wording (unverified), that of moto and local-kms: no reference confirms
            // AWS's current message.
            message: "Please specify either number of bytes or key spec.".to_owned(),
        }),
    }
}

fn usize_of(count: u32) -> Result<usize> {
    usize::try_from(count).map_err(|_| random::internal("length overflow"))
}
