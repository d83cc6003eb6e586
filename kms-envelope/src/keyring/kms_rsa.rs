//! The AWS KMS RSA keyring: data keys encrypted offline with a KMS RSA key's public key and
//! decrypted by the KMS.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA384, SHA384_OUTPUT_LEN, digest};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPublicEncryptingKey,
    PublicEncryptingKey,
};
use kms_core::{
    Arn, DecryptRequest, EncryptionAlgorithmSpec, EncryptionContext, GetPublicKeyRequest, KeyId,
    KeyIdForm, KeyUsage, Kms, SecretBytes,
};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, keyring_failure, pem,
};

/// The provider id of data keys wrapped by the AWS KMS RSA keyring.
const KMS_RSA_PROVIDER_ID: &str = "aws-kms-rsa";
/// The smallest RSA modulus, in bits: the 48-byte context digest rules out 1024-bit keys
/// (aws-lc-rs refuses smaller keys for encryption as too small).
const MIN_MODULUS_BITS: usize = 2048;

/// A keyring over a KMS RSA `ENCRYPT_DECRYPT` key, as the AWS KMS RSA keyring of the AWS
/// Encryption SDKs (Material Providers Library) has it: encryption needs no KMS call (the
/// key's public key encrypts, with `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`), decryption
/// calls KMS `Decrypt` with that algorithm.
///
/// RSA keys take no encryption context, so the SHA-384 digest of the message's encryption
/// context is encrypted with the data key and compared on decrypt. The encrypted data key has
/// provider id `aws-kms-rsa` and the key ARN as provider info. Suites with an ECDSA signature
/// are refused both ways: anyone may hold the public key, so the signature would prove
/// nothing.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{CreateKeyRequest, EncryptionAlgorithmSpec, KeyId, KeySpec, KeyUsage, Kms};
/// use kms_envelope::{AlgorithmSuite, Decryptor, Encryptor, KmsRsaKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let request = CreateKeyRequest::new()
///     .with_key_spec(KeySpec::Rsa3072)
///     .with_key_usage(KeyUsage::EncryptDecrypt);
/// let arn: KeyId = kms.create_key(request).await?.key_metadata.arn.unwrap_or_default().parse()?;
///
/// let keyring = KmsRsaKeyring::new(arn, EncryptionAlgorithmSpec::RsaesOaepSha256)?
///     .with_kms(kms)
///     .with_public_key_from_kms()
///     .await?;
/// let keyring = Arc::new(keyring);
/// let message = Encryptor::new(keyring.clone())
///     .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKey)
///     .encrypt(b"offline")
///     .await?;
/// let decrypted = Decryptor::new(keyring).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"offline");
/// # Ok(()) }
/// ```
pub struct KmsRsaKeyring {
    kms: Option<Arc<dyn Kms>>,
    key_arn: KeyId,
    algorithm: EncryptionAlgorithmSpec,
    public_key: Option<PublicEncryptingKey>,
    grant_tokens: Vec<String>,
}

impl fmt::Debug for KmsRsaKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsRsaKeyring")
            .field("kms", &self.kms.as_ref().map(|kms| kms.to_string()))
            .field("key_arn", &self.key_arn)
            .field("algorithm", &self.algorithm)
            .field("can_encrypt", &self.public_key.is_some())
            .field("grant_tokens", &self.grant_tokens.len())
            .finish()
    }
}

impl KmsRsaKeyring {
    /// A keyring for the RSA key `key_arn` (a key ARN: the messages name it) with
    /// `algorithm`, `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`. Add a public key to encrypt
    /// and a KMS to decrypt.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if `key_arn` is not a key ARN, or for another algorithm.
    pub fn new(key_arn: KeyId, algorithm: EncryptionAlgorithmSpec) -> Result<Self> {
        if key_arn.form() != KeyIdForm::KeyArn {
            return Err(Error::invalid(format!(
                "the KMS key of an RSA keyring must be a key ARN, not `{key_arn}`"
            )));
        }
        oaep(&algorithm)?;
        Ok(Self {
            kms: None,
            key_arn,
            algorithm,
            public_key: None,
            grant_tokens: Vec::new(),
        })
    }

    /// The KMS that decrypts (and that [`KmsRsaKeyring::with_public_key_from_kms`] asks).
    #[must_use]
    pub fn with_kms(mut self, kms: Arc<dyn Kms>) -> Self {
        self.kms = Some(kms);
        self
    }

    /// Grant tokens passed to every KMS call.
    #[must_use]
    pub fn with_grant_tokens(mut self, grant_tokens: Vec<String>) -> Self {
        self.grant_tokens = grant_tokens;
        self
    }

    /// The key's public key, as DER SubjectPublicKeyInfo (what `GetPublicKey` returns), to
    /// encrypt with. It must be the public key of the configured KMS key; nothing checks it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if it is not an RSA public key of at least 2048 bits.
    pub fn with_public_key_der(mut self, der: &[u8]) -> Result<Self> {
        let key = PublicEncryptingKey::from_der(der).map_err(|err| {
            if err.description_() == "TooSmall" {
                Error::invalid(format!(
                    "the RSA public key has fewer than {MIN_MODULUS_BITS} bits, the least the \
                     KMS RSA keyring takes"
                ))
            } else {
                Error::invalid(format!("the RSA public key was rejected: {err}"))
            }
        })?;
        self.public_key = Some(key);
        Ok(self)
    }

    /// The public key from PEM (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// # Errors
    ///
    /// As [`KmsRsaKeyring::with_public_key_der`], and for a malformed PEM block.
    pub fn with_public_key_pem(self, pem_text: &str) -> Result<Self> {
        let der = pem::decode(pem_text, "PUBLIC KEY")?;
        self.with_public_key_der(&der)
    }

    /// Fetches the public key once with `GetPublicKey`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] without a KMS, or when the key is not an `ENCRYPT_DECRYPT`
    /// RSA key that supports the algorithm; [`Error::Kms`] when the call fails.
    pub async fn with_public_key_from_kms(self) -> Result<Self> {
        let Some(kms) = &self.kms else {
            return Err(Error::invalid(
                "the KMS RSA keyring needs a KMS to fetch the public key",
            ));
        };
        let request = GetPublicKeyRequest::new(self.key_arn.clone())
            .with_grant_tokens(self.grant_tokens.clone());
        let response = kms.get_public_key(request).await?;
        if response.key_id != self.key_arn.as_str() {
            return Err(Error::Kms(keyring_failure(format!(
                "the KMS answered GetPublicKey for `{}`, not `{}`",
                response.key_id, self.key_arn
            ))));
        }
        if response.key_usage != Some(KeyUsage::EncryptDecrypt) {
            let usage = response
                .key_usage
                .as_ref()
                .map_or("no key usage", KeyUsage::as_str);
            return Err(Error::invalid(format!(
                "the KMS key `{}` has key usage {usage}, not ENCRYPT_DECRYPT",
                self.key_arn
            )));
        }
        let algorithms = response.encryption_algorithms.unwrap_or_default();
        if !algorithms.contains(&self.algorithm) {
            return Err(Error::invalid(format!(
                "the KMS key `{}` does not support {}",
                self.key_arn, self.algorithm
            )));
        }
        self.with_public_key_der(&response.public_key)
    }

    /// The key ARN.
    pub fn key_arn(&self) -> &KeyId {
        &self.key_arn
    }

    /// The encryption algorithm.
    pub fn algorithm(&self) -> &EncryptionAlgorithmSpec {
        &self.algorithm
    }

    /// The data key the KMS decrypted from `edk`: the KMS must answer for the configured key,
    /// and the plaintext must be the context digest and a data key of the suite's length.
    async fn unwrap(
        &self,
        kms: &dyn Kms,
        edk: &EncryptedDataKey,
        context_digest: &[u8],
        key_len: usize,
    ) -> std::result::Result<SecretBytes, kms_core::Error> {
        let request = DecryptRequest::new(edk.ciphertext().to_vec())
            .with_key_id(self.key_arn.clone())
            .with_encryption_algorithm(self.algorithm.clone())
            .with_grant_tokens(self.grant_tokens.clone());
        let response = kms.decrypt(request).await?;
        if response.key_id != self.key_arn.as_str() {
            return Err(kms_core::Error::IncorrectKey {
                message: format!(
                    "the KMS decrypted with `{}`, not `{}`",
                    response.key_id, self.key_arn
                ),
            });
        }
        let plaintext = response.plaintext.expose_secret();
        let Some((digest, data_key)) = plaintext.split_at_checked(SHA384_OUTPUT_LEN) else {
            return Err(kms_core::Error::InvalidCiphertext);
        };
        // The encryption context digest of the data key must be the message's.
        if verify_slices_are_equal(digest, context_digest).is_err() {
            return Err(kms_core::Error::InvalidCiphertext);
        }
        if data_key.len() != key_len {
            return Err(kms_core::Error::InvalidCiphertext);
        }
        Ok(SecretBytes::copy_from_slice(data_key))
    }
}

/// The OAEP parameters of a KMS RSA encryption algorithm.
fn oaep(algorithm: &EncryptionAlgorithmSpec) -> Result<&'static OaepAlgorithm> {
    match algorithm {
        EncryptionAlgorithmSpec::RsaesOaepSha1 => Ok(&OAEP_SHA1_MGF1SHA1),
        EncryptionAlgorithmSpec::RsaesOaepSha256 => Ok(&OAEP_SHA256_MGF1SHA256),
        other => Err(Error::invalid(format!(
            "the KMS RSA keyring encrypts with RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256, not {other}"
        ))),
    }
}

/// The SHA-384 digest of the canonical encryption context.
fn context_digest(context: &EncryptionContext) -> Result<Vec<u8>> {
    let canonical = context
        .canonical_bytes()
        .map_err(|err| Error::invalid(err.message().to_owned()))?;
    Ok(digest(&SHA384, &canonical).as_ref().to_vec())
}

/// Refuses suites with an ECDSA signature.
fn check_unsigned(suite: crate::AlgorithmSuite) -> Result<()> {
    if suite.is_signed() {
        return Err(Error::invalid(format!(
            "the KMS RSA keyring cannot be used with suite {suite}, which has an asymmetric \
             signature: choose a suite without one"
        )));
    }
    Ok(())
}

/// Whether the key ARN `configured` may decrypt what `named` encrypted: the same key, or
/// related multi-Region keys (`mrk-` IDs) that differ only in their Region.
fn mrk_match(configured: &Arn, named: &Arn) -> bool {
    if configured.as_str() == named.as_str() {
        return true;
    }
    configured.resource_id().starts_with("mrk-")
        && configured.partition() == named.partition()
        && configured.account() == named.account()
        && configured.resource_type() == named.resource_type()
        && configured.resource_id() == named.resource_id()
}

#[async_trait]
impl Keyring for KmsRsaKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        let Some(public_key) = &self.public_key else {
            return Err(Error::invalid(format!(
                "the KMS RSA keyring of `{}` has no public key to encrypt with",
                self.key_arn
            )));
        };
        check_unsigned(materials.suite())?;
        materials.generate_random_data_key_if_absent()?;
        let mut plaintext = Zeroizing::new(context_digest(materials.encryption_context())?);
        plaintext.extend_from_slice(materials.data_key_to_wrap()?.expose_secret());
        let fail = |_| Error::invalid("RSA encryption of the data key failed");
        let key = OaepPublicEncryptingKey::new(public_key.clone()).map_err(fail)?;
        let mut ciphertext = vec![0u8; key.ciphertext_size()];
        let len = key
            .encrypt(oaep(&self.algorithm)?, &plaintext, &mut ciphertext, None)
            .map_err(fail)?
            .len();
        ciphertext.truncate(len);
        materials.push_encrypted_data_key(EncryptedDataKey::new(
            KMS_RSA_PROVIDER_ID.to_owned(),
            self.key_arn.as_str().as_bytes().to_vec(),
            ciphertext,
        ));
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
        let Some(kms) = &self.kms else {
            return Err(Error::invalid(format!(
                "the KMS RSA keyring of `{}` has no KMS to decrypt with",
                self.key_arn
            )));
        };
        check_unsigned(materials.suite())?;
        let Some(configured) = self.key_arn.arn() else {
            return Err(Error::invalid("the KMS RSA keyring's key is not an ARN"));
        };
        let digest = context_digest(materials.encryption_context())?;
        let key_len = materials.suite().key_len();
        let mut failures = Vec::new();
        for edk in encrypted_data_keys {
            if edk.provider_id() != KMS_RSA_PROVIDER_ID {
                continue;
            }
            let named = std::str::from_utf8(edk.provider_info())
                .ok()
                .and_then(Arn::parse)
                .filter(|arn| arn.resource_type() == "key");
            // The provider info of an aws-kms-rsa encrypted data key must be a key ARN.
            let Some(named) = named else {
                failures.push(kms_core::Error::InvalidCiphertext);
                continue;
            };
            if !mrk_match(configured, &named) {
                continue;
            }
            match self.unwrap(kms.as_ref(), edk, &digest, key_len).await {
                Ok(data_key) => {
                    materials.set_data_key(data_key)?;
                    return Ok(materials);
                }
                Err(err) => failures.push(err),
            }
        }
        Err(Error::NoDataKey { failures })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn multi_region_keys_match_across_regions_only() {
        let arn = |text: &str| Arn::parse(text).unwrap();
        let mrk =
            arn("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        let replica =
            arn("arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        let other_account =
            arn("arn:aws:kms:eu-west-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        let single =
            arn("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        let single_elsewhere =
            arn("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        assert!(mrk_match(&mrk, &mrk));
        assert!(mrk_match(&mrk, &replica));
        assert!(!mrk_match(&mrk, &other_account));
        assert!(mrk_match(&single, &single));
        assert!(!mrk_match(&single, &single_elsewhere));
    }

    #[test]
    fn only_key_arns_and_oaep_algorithms_are_accepted() {
        let arn: KeyId =
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .parse()
                .unwrap();
        for algorithm in [
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            EncryptionAlgorithmSpec::RsaesOaepSha256,
        ] {
            assert!(KmsRsaKeyring::new(arn.clone(), algorithm).is_ok());
        }
        for algorithm in [
            EncryptionAlgorithmSpec::SymmetricDefault,
            EncryptionAlgorithmSpec::Sm2Pke,
        ] {
            let err = KmsRsaKeyring::new(arn.clone(), algorithm).unwrap_err();
            assert!(
                err.to_string()
                    .contains("RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256"),
                "{err}"
            );
        }
        for not_arn in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/rsa",
            "arn:aws:kms:us-east-1:111122223333:alias/rsa",
        ] {
            let err = KmsRsaKeyring::new(
                not_arn.parse().unwrap(),
                EncryptionAlgorithmSpec::RsaesOaepSha1,
            )
            .unwrap_err();
            assert!(err.to_string().contains("must be a key ARN"), "{err}");
        }
    }
}
