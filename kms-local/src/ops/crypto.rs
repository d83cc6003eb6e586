//! `Encrypt`, `Decrypt`, `ReEncrypt`, `GenerateDataKey`, `GenerateDataKeyWithoutPlaintext` and
//! `GenerateRandom`.

use std::sync::Arc;

use kms_core::ops::*;
use kms_core::{EncryptionAlgorithmSpec, EncryptionContext, Error, KeyId, Result, SecretBytes};

use super::check_dry_run;
use crate::blob::{self, Header};
use crate::limits::{self, CIPHERTEXT_LEN, NUMBER_OF_BYTES, PLAINTEXT_LEN};
use crate::material::{Material, hex};
use crate::random;
use crate::store::Store;

const SYMMETRIC: EncryptionAlgorithmSpec = EncryptionAlgorithmSpec::SymmetricDefault;

/// What encrypting under a key needs, taken from the keyring so the lock is released before
/// any cryptography runs.
struct Sealer {
    arn: String,
    uuid: [u8; 16],
    material: Arc<Material>,
}

impl Sealer {
    fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let header = Header::new(self.uuid, self.material.id)?;
        blob::seal(&self.material.aead, header, context, plaintext)
    }
}

/// A decrypted blob.
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
        let context = request.encryption_context.canonical_bytes()?;
        let sealer = self.sealer(&request.key_id, "Encrypt", request.encryption_algorithm)?;
        check_dry_run(request.dry_run)?;
        let blob = sealer.seal(&context, plaintext)?;
        Ok(EncryptResponse::new(blob, sealer.arn).with_encryption_algorithm(SYMMETRIC))
    }

    pub(crate) fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let opened = self.open(
            &request.ciphertext_blob,
            &request.encryption_context,
            request.key_id.as_ref(),
            request.encryption_algorithm,
        )?;
        check_dry_run(request.dry_run)?;
        Ok(DecryptResponse::new(opened.arn, opened.plaintext)
            .with_encryption_algorithm(SYMMETRIC)
            .with_key_material_id(opened.material_id))
    }

    pub(crate) fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let destination_context = request.destination_encryption_context.canonical_bytes()?;
        let opened = self.open(
            &request.ciphertext_blob,
            &request.source_encryption_context,
            request.source_key_id.as_ref(),
            request.source_encryption_algorithm,
        )?;
        let sealer = self.sealer(
            &request.destination_key_id,
            "ReEncrypt",
            request.destination_encryption_algorithm,
        )?;
        check_dry_run(request.dry_run)?;
        let blob = sealer.seal(&destination_context, opened.plaintext.expose_secret())?;
        Ok(ReEncryptResponse::new(blob, sealer.arn)
            .with_source_key_id(opened.arn)
            .with_source_encryption_algorithm(SYMMETRIC)
            .with_destination_encryption_algorithm(SYMMETRIC)
            .with_source_key_material_id(opened.material_id)
            .with_destination_key_material_id(sealer.material.id_hex.clone()))
    }

    pub(crate) fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let length = data_key_len(request.key_spec, request.number_of_bytes)?;
        let (blob, plaintext, sealer) = self.new_data_key(
            &request.key_id,
            length,
            &request.encryption_context,
            &request.grant_tokens,
            request.dry_run,
            "GenerateDataKey",
        )?;
        Ok(GenerateDataKeyResponse::new(blob, plaintext, sealer.arn)
            .with_key_material_id(sealer.material.id_hex.clone()))
    }

    pub(crate) fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        let length = data_key_len(request.key_spec, request.number_of_bytes)?;
        let (blob, _plaintext, sealer) = self.new_data_key(
            &request.key_id,
            length,
            &request.encryption_context,
            &request.grant_tokens,
            request.dry_run,
            "GenerateDataKeyWithoutPlaintext",
        )?;
        Ok(
            GenerateDataKeyWithoutPlaintextResponse::new(blob, sealer.arn)
                .with_key_material_id(sealer.material.id_hex.clone()),
        )
    }

    pub(crate) fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        if request.custom_key_store_id.is_some() {
            return Err(Error::Unsupported {
                message: "Custom key stores are not supported by the local backend yet".to_owned(),
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

    /// The current material of the key `key_id` names, after the checks of `operation`.
    fn sealer(
        &self,
        key_id: &KeyId,
        operation: &str,
        algorithm: Option<EncryptionAlgorithmSpec>,
    ) -> Result<Sealer> {
        let keyring = self.read();
        let key = keyring.resolve(&self.identity, key_id, self.now())?;
        key.check_encryption(operation, algorithm)?;
        Ok(Sealer {
            arn: key.arn.clone(),
            uuid: key.uuid,
            material: Arc::clone(key.current()),
        })
    }

    /// A fresh data key of `length` bytes and its blob, for the two `GenerateDataKey`s.
    fn new_data_key(
        &self,
        key_id: &KeyId,
        length: usize,
        context: &EncryptionContext,
        grant_tokens: &[String],
        dry_run: Option<bool>,
        operation: &str,
    ) -> Result<(Vec<u8>, SecretBytes, Sealer)> {
        limits::check_grant_tokens(grant_tokens)?;
        let context = context.canonical_bytes()?;
        let sealer = self.sealer(key_id, operation, None)?;
        check_dry_run(dry_run)?;
        let plaintext = SecretBytes::try_init_with(length, random::fill)?;
        let blob = sealer.seal(&context, plaintext.expose_secret())?;
        Ok((blob, plaintext, sealer))
    }

    /// Decrypts a blob: finds the key and material it names, checks them against the key the
    /// caller expects and the key's state, then opens it with `context`.
    fn open(
        &self,
        blob: &[u8],
        context: &EncryptionContext,
        expected: Option<&KeyId>,
        algorithm: Option<EncryptionAlgorithmSpec>,
    ) -> Result<Opened> {
        limits::check_len("ciphertextBlob", None, blob.len(), CIPHERTEXT_LEN)?;
        let header = Header::parse(blob)?;
        let context = context.canonical_bytes()?;
        let (arn, material) = {
            let keyring = self.read();
            let now = self.now();
            let id = uuid::Uuid::from_bytes(header.key_id).to_string();
            let key = keyring
                .keys
                .get(&id)
                .filter(|key| !key.is_gone(now))
                .ok_or_else(unknown_ciphertext_key)?;
            if let Some(expected) = expected {
                let named = keyring.resolve(&self.identity, expected, now)?;
                if named.id != key.id {
                    return Err(Error::IncorrectKey {
                        message: "The key ID in the request does not identify a CMK that can \
                                  perform this operation."
                            .to_owned(),
                    });
                }
            }
            key.check_encryption("Decrypt", algorithm)?;
            let material = key
                .material(&header.material_id)
                .ok_or(Error::InvalidCiphertext)?;
            (key.arn.clone(), Arc::clone(material))
        };
        let plaintext = blob::open(&material.aead, header, blob, &context)?;
        Ok(Opened {
            arn,
            material_id: hex(&material.id),
            plaintext,
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
fn data_key_len(
    key_spec: Option<kms_core::DataKeySpec>,
    number_of_bytes: Option<u32>,
) -> Result<usize> {
    match (key_spec, number_of_bytes) {
        (Some(spec), None) => Ok(spec.byte_len()),
        (None, Some(count)) => usize_of(limits::check_range(
            "numberOfBytes",
            count,
            NUMBER_OF_BYTES,
        )?),
        _ => Err(Error::Validation {
            message: "Please specify either number of bytes or key spec.".to_owned(),
        }),
    }
}

fn usize_of(count: u32) -> Result<usize> {
    usize::try_from(count).map_err(|_| random::internal("length overflow"))
}
