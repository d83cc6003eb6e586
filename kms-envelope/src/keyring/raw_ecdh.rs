//! The raw ECDH keyring: data keys wrapped under a key agreed with ECDH between key pairs the
//! caller holds.

use std::fmt;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::keyring::ecc::{EcPrivateKey, EcPublicKey, EcdhCurve};
use crate::keyring::ecdh::{self, Parties, RAW_ECDH_PROVIDER_ID, Recipient, SecretSource};
use crate::keyring::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};

/// A keyring that wraps data keys under a key agreed with ECDH (on P-256, P-384 or P-521)
/// between a sender's and a recipient's key pair, as the raw ECDH keyring of the AWS
/// Encryption SDKs (Material Providers Library) does: byte for byte, so each reads the
/// other's messages.
///
/// Its three configurations are the specification's key agreement schemas:
///
/// - [`RawEcdhKeyring::static_private_key`] (`RawPrivateKeyToStaticPublicKey`): the sender's
///   private key and the recipient's public key; encrypts, and decrypts messages between the
///   two parties (either way).
/// - [`RawEcdhKeyring::ephemeral`] (`EphemeralPrivateKeyToStaticPublicKey`): only the
///   recipient's public key; every message gets a fresh sender key pair. Encrypts only.
/// - [`RawEcdhKeyring::discovery`] (`PublicKeyDiscovery`): the recipient's private key;
///   decrypts any message to it, whoever sent it. Decrypts only.
///
/// The encrypted data key has provider id `raw-ecdh`; on decrypt, keys of the AWS KMS ECDH
/// keyring (`aws-kms-ecdh`) are read too, as the specification has it.
///
/// ```
/// use std::sync::Arc;
/// use kms_envelope::{Decryptor, EcdhCurve, Encryptor, RawEcdhKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), kms_envelope::Error> {
/// # use aws_lc_rs::{agreement, encoding::{AsDer, Pkcs8V1Der}};
/// # use base64::Engine;
/// # let key = agreement::PrivateKey::generate(&agreement::ECDH_P256).unwrap();
/// # let pkcs8: Pkcs8V1Der = key.as_der().unwrap();
/// # let recipient_private_pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
/// #     base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref()));
/// # let recipient_public_der = key.compute_public_key().unwrap().as_der().unwrap().as_ref().to_vec();
/// let writer = RawEcdhKeyring::ephemeral(EcdhCurve::P256, &recipient_public_der)?;
/// let message = Encryptor::new(Arc::new(writer)).encrypt(b"for the recipient").await?;
///
/// let reader = RawEcdhKeyring::discovery(EcdhCurve::P256, &recipient_private_pem)?;
/// let decrypted = Decryptor::new(Arc::new(reader)).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"for the recipient");
/// # Ok(()) }
/// ```
pub struct RawEcdhKeyring {
    curve: EcdhCurve,
    scheme: Scheme,
}

/// The key agreement schema and its keys.
enum Scheme {
    Static {
        sender: EcPrivateKey,
        recipient: EcPublicKey,
    },
    Ephemeral {
        recipient: EcPublicKey,
    },
    Discovery {
        recipient: EcPrivateKey,
    },
}

impl Scheme {
    fn name(&self) -> &'static str {
        match self {
            Self::Static { .. } => "RawPrivateKeyToStaticPublicKey",
            Self::Ephemeral { .. } => "EphemeralPrivateKeyToStaticPublicKey",
            Self::Discovery { .. } => "PublicKeyDiscovery",
        }
    }
}

impl fmt::Debug for RawEcdhKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEcdhKeyring")
            .field("curve", &self.curve)
            .field("scheme", &self.scheme.name())
            .finish_non_exhaustive()
    }
}

impl RawEcdhKeyring {
    /// The `RawPrivateKeyToStaticPublicKey` configuration: the sender's private key (PEM
    /// PKCS#8, `-----BEGIN PRIVATE KEY-----`) and the recipient's public key (DER
    /// SubjectPublicKeyInfo), both on `curve`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if a key is malformed or not on `curve`.
    pub fn static_private_key(
        curve: EcdhCurve,
        sender_private_key_pem: &str,
        recipient_public_key_der: &[u8],
    ) -> Result<Self> {
        let sender =
            EcPrivateKey::from_pem(curve, sender_private_key_pem, "the sender's private key")?;
        let recipient = EcPublicKey::from_spki(
            curve,
            recipient_public_key_der,
            "the recipient's public key",
        )?;
        Ok(Self {
            curve,
            scheme: Scheme::Static { sender, recipient },
        })
    }

    /// The `EphemeralPrivateKeyToStaticPublicKey` configuration: the recipient's public key
    /// (DER SubjectPublicKeyInfo on `curve`); a fresh sender key pair per message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the key is malformed or not on `curve`.
    pub fn ephemeral(curve: EcdhCurve, recipient_public_key_der: &[u8]) -> Result<Self> {
        let recipient = EcPublicKey::from_spki(
            curve,
            recipient_public_key_der,
            "the recipient's public key",
        )?;
        Ok(Self {
            curve,
            scheme: Scheme::Ephemeral { recipient },
        })
    }

    /// The `PublicKeyDiscovery` configuration: the recipient's private key (PEM PKCS#8 on
    /// `curve`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the key is malformed or not on `curve`.
    pub fn discovery(curve: EcdhCurve, recipient_private_key_pem: &str) -> Result<Self> {
        let recipient = EcPrivateKey::from_pem(
            curve,
            recipient_private_key_pem,
            "the recipient's private key",
        )?;
        Ok(Self {
            curve,
            scheme: Scheme::Discovery { recipient },
        })
    }

    /// The curve.
    pub fn curve(&self) -> EcdhCurve {
        self.curve
    }
}

#[async_trait]
impl Keyring for RawEcdhKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        let ephemeral;
        let (sender, recipient) = match &self.scheme {
            Scheme::Static { sender, recipient } => (sender, recipient),
            Scheme::Ephemeral { recipient } => {
                ephemeral = EcPrivateKey::generate(self.curve)?;
                (&ephemeral, recipient)
            }
            Scheme::Discovery { .. } => {
                return Err(Error::invalid(
                    "the PublicKeyDiscovery configuration of a raw ECDH keyring cannot \
                     encrypt: it has no sender key",
                ));
            }
        };
        let shared_secret = sender.shared_secret(recipient)?;
        let parties = Parties {
            sender: sender.public_key(),
            recipient,
        };
        ecdh::wrap_into(
            &mut materials,
            RAW_ECDH_PROVIDER_ID,
            self.curve,
            parties,
            &shared_secret,
        )?;
        Ok(materials)
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        if materials.data_key().is_some() {
            return Ok(materials);
        }
        let (recipient, private_key) = match &self.scheme {
            Scheme::Static { sender, recipient } => (
                Recipient::Static {
                    sender: sender.public_key(),
                    recipient,
                },
                sender,
            ),
            Scheme::Discovery { recipient } => (
                Recipient::Discovery {
                    recipient: recipient.public_key(),
                },
                recipient,
            ),
            Scheme::Ephemeral { .. } => {
                return Err(Error::invalid(
                    "the EphemeralPrivateKeyToStaticPublicKey configuration of a raw ECDH \
                     keyring cannot decrypt: it holds no private key",
                ));
            }
        };
        ecdh::unwrap_first(
            self.curve,
            recipient,
            SecretSource::Local(private_key),
            materials,
            encrypted_data_keys,
        )
        .await
    }
}
