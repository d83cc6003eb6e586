//! `Encrypt`, `Decrypt`, `ReEncrypt`, `GenerateDataKey`, `GenerateDataKeyWithoutPlaintext` and
//! `GenerateRandom`.
//!
//! Each operation seals or opens while holding the read lock: readers do not block each
//! other, and no reference count is touched on the hot path.

use kms_core::ops::*;
use kms_core::{
    DataKeySpec, EncryptionAlgorithmSpec, EncryptionContext, Error, KeyId, Result, SecretBytes,
};

use super::check_dry_run;
use super::known;
use crate::blob::{self, Header};
use crate::limits::{self, CIPHERTEXT_LEN, NUMBER_OF_BYTES, PLAINTEXT_LEN};
use crate::random;
use crate::store::Store;

const SYMMETRIC: EncryptionAlgorithmSpec = EncryptionAlgorithmSpec::SymmetricDefault;

/// The key an operation encrypts under, with the checks it makes first.
struct Destination<'a> {
    key_id: &'a KeyId,
    algorithm: Option<EncryptionAlgorithmSpec>,
    context: &'a EncryptionContext,
    dry_run: Option<bool>,
    operation: &'static str,
}

/// A blob and the key and material that sealed it.
struct Sealed {
    blob: Vec<u8>,
    arn: String,
    material_id: String,
}

/// A ciphertext to decrypt, with what the caller says about it.
struct Source<'a> {
    blob: &'a [u8],
    context: &'a EncryptionContext,
    expected_key: Option<&'a KeyId>,
    algorithm: Option<EncryptionAlgorithmSpec>,
}

/// A decrypted blob and the key and material that opened it.
struct Opened {
    arn: String,
    material_id: String,
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
        Ok(EncryptResponse::new(sealed.blob, sealed.arn).with_encryption_algorithm(SYMMETRIC))
    }

    pub(crate) fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let opened = self.open(Source {
            blob: &request.ciphertext_blob,
            context: &request.encryption_context,
            expected_key: request.key_id.as_ref(),
            algorithm: known(request.encryption_algorithm, "encryptionAlgorithm")?,
        })?;
        check_dry_run(request.dry_run)?;
        Ok(DecryptResponse::new(opened.arn, opened.plaintext)
            .with_encryption_algorithm(SYMMETRIC)
            .with_key_material_id(opened.material_id))
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
        Ok(ReEncryptResponse::new(sealed.blob, sealed.arn)
            .with_source_key_id(opened.arn)
            .with_source_encryption_algorithm(SYMMETRIC)
            .with_destination_encryption_algorithm(SYMMETRIC)
            .with_source_key_material_id(opened.material_id)
            .with_destination_key_material_id(sealed.material_id))
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
        Ok(
            GenerateDataKeyResponse::new(sealed.blob, plaintext, sealed.arn)
                .with_key_material_id(sealed.material_id),
        )
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
        Ok(
            GenerateDataKeyWithoutPlaintextResponse::new(sealed.blob, sealed.arn)
                .with_key_material_id(sealed.material_id),
        )
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

    /// Encrypts `plaintext` under the current material of the destination key, after the
    /// checks of its operation.
    fn seal(&self, to: Destination<'_>, plaintext: &[u8]) -> Result<Sealed> {
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, to.key_id, || self.now())?;
        key.check_encryption(to.operation, to.algorithm)?;
        check_dry_run(to.dry_run)?;
        let material = key.current();
        let header = Header::new(key.uuid, material.id)?;
        Ok(Sealed {
            blob: blob::seal(&material.aead, header, to.context, plaintext)?,
            arn: key.arn.clone(),
            material_id: material.id_hex.clone(),
        })
    }

    /// Decrypts a blob: finds the key and material it names, checks them against the key the
    /// caller expects and the key's state, then opens it with the context.
    fn open(&self, from: Source<'_>) -> Result<Opened> {
        limits::check_len("ciphertextBlob", None, from.blob.len(), CIPHERTEXT_LEN)?;
        let header = Header::parse(from.blob)?;
        let keyring = self.read()?;
        let now = || self.now();
        let mut id = uuid::Uuid::encode_buffer();
        let id = uuid::Uuid::from_bytes(header.key_id)
            .hyphenated()
            .encode_lower(&mut id);
        let key = keyring
            .keys
            .get(&*id)
            .filter(|key| !key.is_gone(now))
            .ok_or_else(unknown_ciphertext_key)?;
        if let Some(expected) = from.expected_key {
            let named = keyring.resolve(&self.identity, expected, now)?;
            if named.id != key.id {
                return Err(Error::IncorrectKey {
                    message: "The key ID in the request does not identify a CMK that can perform \
                              this operation."
                        .to_owned(),
                });
            }
        }
        key.check_encryption("Decrypt", from.algorithm)?;
        let material = key
            .material(&header.material_id)
            .ok_or(Error::InvalidCiphertext)?;
        Ok(Opened {
            plaintext: blob::open(&material.aead, header, from.blob, from.context)?,
            arn: key.arn.clone(),
            material_id: material.id_hex.clone(),
        })
    }
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
