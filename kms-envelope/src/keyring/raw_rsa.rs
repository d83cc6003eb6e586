//! The raw RSA keyring: data keys wrapped with RSA under a key pair the caller holds.

use std::fmt;

use async_trait::async_trait;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use kms_core::SecretBytes;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, pem, raw_namespace,
};

/// The RSA padding of a [`RawRsaKeyring`], as the AWS Encryption SDK defines them. OAEP uses
/// MGF1 with the same hash, and no label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaPadding {
    /// PKCS#1 v1.5 (legacy; prefer OAEP).
    Pkcs1,
    /// OAEP with SHA-1.
    OaepSha1,
    /// OAEP with SHA-256.
    OaepSha256,
    /// OAEP with SHA-384.
    OaepSha384,
    /// OAEP with SHA-512.
    OaepSha512,
}

impl RsaPadding {
    fn oaep(self) -> Option<&'static OaepAlgorithm> {
        match self {
            Self::Pkcs1 => None,
            Self::OaepSha1 => Some(&OAEP_SHA1_MGF1SHA1),
            Self::OaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
            Self::OaepSha384 => Some(&OAEP_SHA384_MGF1SHA384),
            Self::OaepSha512 => Some(&OAEP_SHA512_MGF1SHA512),
        }
    }
}

/// A keyring that wraps data keys with RSA: the public key encrypts, the private key
/// decrypts. Interoperates with the raw RSA keyring of the AWS Encryption SDKs.
///
/// The provider id is the namespace and the provider info is the key name. Unlike the AES
/// keyring, RSA does not bind the encryption context to the wrapped key (the header tag
/// still authenticates it).
///
/// ```
/// use kms_envelope::{RawRsaKeyring, RsaPadding};
///
/// let keyring = RawRsaKeyring::new("my-namespace", "my-rsa-key", RsaPadding::OaepSha256)?;
/// // Add `.with_private_key_pem(..)?` to decrypt, `.with_public_key_pem(..)?` to encrypt.
/// assert_eq!(keyring.name(), "my-rsa-key");
/// # Ok::<(), kms_envelope::Error>(())
/// ```
#[derive(Clone)]
pub struct RawRsaKeyring {
    namespace: String,
    name: String,
    padding: RsaPadding,
    public_key: Option<PublicEncryptingKey>,
    private_key: Option<PrivateDecryptingKey>,
}

impl fmt::Debug for RawRsaKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRsaKeyring")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("padding", &self.padding)
            .field("can_encrypt", &self.public_key.is_some())
            .field("can_decrypt", &self.private_key.is_some())
            .finish_non_exhaustive()
    }
}

impl RawRsaKeyring {
    /// A keyring without keys yet for the key `name` in `namespace`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a namespace starting with `aws-kms`.
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        padding: RsaPadding,
    ) -> Result<Self> {
        let namespace = raw_namespace(namespace.into())?;
        Ok(Self {
            namespace,
            name: name.into(),
            padding,
            public_key: None,
            private_key: None,
        })
    }

    /// Adds the public key, as DER `SubjectPublicKeyInfo`, to encrypt with.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if it is not an RSA public key.
    pub fn with_public_key_der(mut self, der: &[u8]) -> Result<Self> {
        let key = PublicEncryptingKey::from_der(der)
            .map_err(|err| Error::invalid(format!("the RSA public key was rejected: {err}")))?;
        self.public_key = Some(key);
        Ok(self)
    }

    /// Adds the private key, as DER PKCS#8, to decrypt with (and its public key to encrypt
    /// with, unless one was given).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if it is not an RSA private key.
    pub fn with_private_key_der(mut self, pkcs8: &[u8]) -> Result<Self> {
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|err| Error::invalid(format!("the RSA private key was rejected: {err}")))?;
        if self.public_key.is_none() {
            self.public_key = Some(key.public_key());
        }
        self.private_key = Some(key);
        Ok(self)
    }

    /// Adds the public key from PEM (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the PEM or the key is not valid.
    pub fn with_public_key_pem(self, pem: &str) -> Result<Self> {
        let der = pem::decode(pem, "PUBLIC KEY")?;
        self.with_public_key_der(&der)
    }

    /// Adds the private key from PEM (`-----BEGIN PRIVATE KEY-----`, PKCS#8).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the PEM or the key is not valid.
    pub fn with_private_key_pem(self, pem: &str) -> Result<Self> {
        let der = Zeroizing::new(pem::decode(pem, "PRIVATE KEY")?);
        self.with_private_key_der(&der)
    }

    /// The key namespace (the provider id).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The key name (the provider info).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn wrap(&self, data_key: &SecretBytes) -> Result<Vec<u8>> {
        let Some(public_key) = &self.public_key else {
            return Err(Error::invalid(format!(
                "the raw RSA keyring `{}` has no public key to encrypt with",
                self.name
            )));
        };
        let fail = |_| Error::invalid("RSA encryption of the data key failed");
        let mut out = vec![0u8; public_key.key_size_bytes()];
        let len = match self.padding.oaep() {
            Some(algorithm) => OaepPublicEncryptingKey::new(public_key.clone())
                .map_err(fail)?
                .encrypt(algorithm, data_key.expose_secret(), &mut out, None)
                .map_err(fail)?
                .len(),
            None => Pkcs1PublicEncryptingKey::new(public_key.clone())
                .map_err(fail)?
                .encrypt(data_key.expose_secret(), &mut out)
                .map_err(fail)?
                .len(),
        };
        out.truncate(len);
        Ok(out)
    }

    fn unwrap_key(
        &self,
        private_key: &PrivateDecryptingKey,
        ciphertext: &[u8],
        key_len: usize,
    ) -> Option<SecretBytes> {
        let mut out = Zeroizing::new(vec![0u8; private_key.key_size_bytes()]);
        let plaintext = match self.padding.oaep() {
            Some(algorithm) => OaepPrivateDecryptingKey::new(private_key.clone())
                .ok()?
                .decrypt(algorithm, ciphertext, &mut out, None)
                .ok()?,
            None => Pkcs1PrivateDecryptingKey::new(private_key.clone())
                .ok()?
                .decrypt(ciphertext, &mut out)
                .ok()?,
        };
        (plaintext.len() == key_len).then(|| SecretBytes::copy_from_slice(plaintext))
    }
}

#[async_trait]
impl Keyring for RawRsaKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        materials.generate_random_data_key_if_absent()?;
        let ciphertext = self.wrap(materials.data_key_to_wrap()?)?;
        materials.push_encrypted_data_key(EncryptedDataKey::new(
            self.namespace.clone(),
            self.name.as_bytes().to_vec(),
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
        let Some(private_key) = &self.private_key else {
            return Err(Error::NoDataKey {
                failures: Vec::new(),
            });
        };
        let key_len = materials.suite().key_len();
        let mut failures = Vec::new();
        for edk in encrypted_data_keys {
            if edk.provider_id() != self.namespace || edk.provider_info() != self.name.as_bytes() {
                continue;
            }
            match self.unwrap_key(private_key, edk.ciphertext(), key_len) {
                Some(data_key) => {
                    materials.set_data_key(data_key)?;
                    return Ok(materials);
                }
                None => failures.push(kms_core::Error::InvalidCiphertext),
            }
        }
        Err(Error::NoDataKey { failures })
    }
}
