//! The AWS KMS ECDH keyring: data keys wrapped under a key agreed with ECDH by a KMS
//! `KEY_AGREEMENT` key (`DeriveSharedSecret`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::{
    Arn, DeriveSharedSecretRequest, GetPublicKeyRequest, KeyAgreementAlgorithmSpec, KeyId,
    KeyUsage, Kms, SecretBytes,
};

use crate::error::{Error, Result};
use crate::keyring::ecc::{EcPublicKey, EcdhCurve};
use crate::keyring::ecdh::{self, KMS_ECDH_PROVIDER_ID, Parties, Recipient, SecretSource};
use crate::keyring::kms::names;
use crate::keyring::{
    DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring, keyring_failure,
};

/// A keyring whose data keys are wrapped under a key agreed with ECDH between a KMS
/// `KEY_AGREEMENT` key (its private half never leaves the KMS: `DeriveSharedSecret`) and
/// another party's public key, as the AWS KMS ECDH keyring of the AWS Encryption SDKs
/// (Material Providers Library) does, byte for byte.
///
/// Its two configurations are the specification's key agreement schemas:
///
/// - [`KmsEcdhKeyring::kms_private_key_to_static_public_key`]: the sender's KMS key and the
///   recipient's public key; encrypts, and decrypts messages between the two parties.
/// - [`KmsEcdhKeyring::kms_public_key_discovery`]: the recipient's KMS key; decrypts any
///   message to it, whoever sent it. Decrypts only.
///
/// The encrypted data key has provider id `aws-kms-ecdh`; on decrypt, keys of the raw ECDH
/// keyring (`raw-ecdh`) are read too. Name KMS keys by key ARN or key ID: the KMS answers
/// with the key ARN, which must name the configured key.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{CreateKeyRequest, GetPublicKeyRequest, KeyId, KeySpec, KeyUsage, Kms};
/// use kms_envelope::{Decryptor, EcdhCurve, Encryptor, KmsEcdhKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
/// let mut keys = Vec::new();
/// for _ in 0..2 {
///     let request = CreateKeyRequest::new()
///         .with_key_spec(KeySpec::EccNistP384)
///         .with_key_usage(KeyUsage::KeyAgreement);
///     let arn = kms.create_key(request).await?.key_metadata.arn.unwrap_or_default();
///     keys.push(arn.parse::<KeyId>()?);
/// }
/// let (alice, bob) = (keys[0].clone(), keys[1].clone());
/// let bob_public = kms.get_public_key(GetPublicKeyRequest::new(bob.clone())).await?.public_key;
///
/// let from_alice = KmsEcdhKeyring::kms_private_key_to_static_public_key(
///     kms.clone(), EcdhCurve::P384, alice, None, &bob_public).await?;
/// let message = Encryptor::new(Arc::new(from_alice)).encrypt(b"hello Bob").await?;
///
/// let bob = KmsEcdhKeyring::kms_public_key_discovery(kms, EcdhCurve::P384, bob).await?;
/// let decrypted = Decryptor::new(Arc::new(bob)).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello Bob");
/// # Ok(()) }
/// ```
pub struct KmsEcdhKeyring {
    curve: EcdhCurve,
    agreement: KmsAgreement,
    scheme: Scheme,
}

/// The configuration's public keys.
enum Scheme {
    /// `KmsPrivateKeyToStaticPublicKey`: the KMS key is the sender's.
    Static {
        sender: EcPublicKey,
        recipient: EcPublicKey,
    },
    /// `KmsPublicKeyDiscovery`: the KMS key is the recipient's.
    Discovery { recipient: EcPublicKey },
}

impl fmt::Debug for KmsEcdhKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Static { .. } => "KmsPrivateKeyToStaticPublicKey",
            Scheme::Discovery { .. } => "KmsPublicKeyDiscovery",
        };
        f.debug_struct("KmsEcdhKeyring")
            .field("kms", &format_args!("{}", self.agreement.kms))
            .field("curve", &self.curve)
            .field("scheme", &scheme)
            .field("key_id", &self.agreement.key_id)
            .field("grant_tokens", &self.agreement.grant_tokens.len())
            .finish()
    }
}

impl KmsEcdhKeyring {
    /// The `KmsPrivateKeyToStaticPublicKey` configuration: the sender's KMS key
    /// (`KEY_AGREEMENT` on `curve`), its public key (DER SubjectPublicKeyInfo; fetched with
    /// `GetPublicKey` when `None`), and the recipient's public key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an alias, a key that is not a `KEY_AGREEMENT` key on
    /// `curve`, or a malformed public key; [`Error::Kms`] when `GetPublicKey` fails.
    pub async fn kms_private_key_to_static_public_key(
        kms: Arc<dyn Kms>,
        curve: EcdhCurve,
        sender_key: KeyId,
        sender_public_key_der: Option<&[u8]>,
        recipient_public_key_der: &[u8],
    ) -> Result<Self> {
        check_key_form(&sender_key)?;
        let sender = match sender_public_key_der {
            Some(der) => EcPublicKey::from_spki(curve, der, "the sender's public key")?,
            None => agreement_public_key(kms.as_ref(), curve, &sender_key).await?,
        };
        let recipient = EcPublicKey::from_spki(
            curve,
            recipient_public_key_der,
            "the recipient's public key",
        )?;
        Ok(Self {
            curve,
            agreement: KmsAgreement::new(kms, curve, sender_key),
            scheme: Scheme::Static { sender, recipient },
        })
    }

    /// The `KmsPublicKeyDiscovery` configuration: the recipient's KMS key (`KEY_AGREEMENT` on
    /// `curve`), whose public key is fetched with `GetPublicKey`.
    ///
    /// # Errors
    ///
    /// As [`KmsEcdhKeyring::kms_private_key_to_static_public_key`].
    pub async fn kms_public_key_discovery(
        kms: Arc<dyn Kms>,
        curve: EcdhCurve,
        recipient_key: KeyId,
    ) -> Result<Self> {
        check_key_form(&recipient_key)?;
        let recipient = agreement_public_key(kms.as_ref(), curve, &recipient_key).await?;
        Ok(Self {
            curve,
            agreement: KmsAgreement::new(kms, curve, recipient_key),
            scheme: Scheme::Discovery { recipient },
        })
    }

    /// Grant tokens passed to every `DeriveSharedSecret` call.
    #[must_use]
    pub fn with_grant_tokens(mut self, grant_tokens: Vec<String>) -> Self {
        self.agreement.grant_tokens = grant_tokens;
        self
    }

    /// The curve.
    pub fn curve(&self) -> EcdhCurve {
        self.curve
    }

    /// The KMS key: the sender's, or in discovery the recipient's.
    pub fn key_id(&self) -> &KeyId {
        &self.agreement.key_id
    }
}

/// Refuses aliases: the KMS answers with the key ARN, which must name the configured key.
fn check_key_form(key: &KeyId) -> Result<()> {
    if key.is_alias() {
        return Err(Error::invalid(format!(
            "the KMS key of an ECDH keyring must be a key ID or key ARN, not the alias `{key}`"
        )));
    }
    Ok(())
}

/// The public key of a KMS `KEY_AGREEMENT` key on `curve`, from `GetPublicKey`.
async fn agreement_public_key(kms: &dyn Kms, curve: EcdhCurve, key: &KeyId) -> Result<EcPublicKey> {
    let response = kms
        .get_public_key(GetPublicKeyRequest::new(key.clone()))
        .await?;
    answered_for(key, &response.key_id)?;
    if response.key_usage != Some(KeyUsage::KeyAgreement) {
        let usage = response
            .key_usage
            .as_ref()
            .map_or("no key usage", KeyUsage::as_str);
        return Err(Error::invalid(format!(
            "the KMS key `{key}` has key usage {usage}, not KEY_AGREEMENT"
        )));
    }
    if response.key_spec.as_ref() != Some(&curve.key_spec()) {
        let spec = response
            .key_spec
            .as_ref()
            .map_or("no key spec", kms_core::KeySpec::as_str);
        return Err(Error::invalid(format!(
            "the KMS key `{key}` is {spec}, not {curve}"
        )));
    }
    EcPublicKey::from_spki(curve, &response.public_key, "the KMS key's public key")
}

/// Checks that the KMS answered for `key`: with a key ARN that names it.
fn answered_for(key: &KeyId, answered: &str) -> Result<(), kms_core::Error> {
    match Arn::parse(answered) {
        Some(arn) if arn.resource_type() == "key" && names(key, &arn) => Ok(()),
        _ => Err(keyring_failure(format!(
            "the KMS answered for `{answered}`, not for `{key}`"
        ))),
    }
}

/// ECDH by a KMS key: `DeriveSharedSecret` with a peer's public key.
pub(crate) struct KmsAgreement {
    kms: Arc<dyn Kms>,
    curve: EcdhCurve,
    key_id: KeyId,
    grant_tokens: Vec<String>,
}

impl KmsAgreement {
    fn new(kms: Arc<dyn Kms>, curve: EcdhCurve, key_id: KeyId) -> Self {
        Self {
            kms,
            curve,
            key_id,
            grant_tokens: Vec::new(),
        }
    }

    /// The raw shared secret of the KMS key with `peer`; the KMS must answer for this key,
    /// with algorithm `ECDH` and a secret of the curve's size.
    pub(crate) async fn shared_secret(
        &self,
        peer: &EcPublicKey,
    ) -> std::result::Result<SecretBytes, kms_core::Error> {
        let request = DeriveSharedSecretRequest::new(
            self.key_id.clone(),
            KeyAgreementAlgorithmSpec::Ecdh,
            peer.spki().to_vec(),
        )
        .with_grant_tokens(self.grant_tokens.clone());
        let response = self.kms.derive_shared_secret(request).await?;
        answered_for(&self.key_id, &response.key_id)?;
        if response.key_agreement_algorithm != Some(KeyAgreementAlgorithmSpec::Ecdh) {
            return Err(keyring_failure(
                "the KMS did not answer DeriveSharedSecret with the ECDH algorithm",
            ));
        }
        if response.shared_secret.len() != self.curve.compressed_len() - 1 {
            return Err(keyring_failure(format!(
                "the KMS derived a shared secret of {} bytes, not the {} of {}",
                response.shared_secret.len(),
                self.curve.compressed_len() - 1,
                self.curve
            )));
        }
        Ok(response.shared_secret)
    }
}

#[async_trait]
impl Keyring for KmsEcdhKeyring {
    async fn on_encrypt(&self, mut materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        let Scheme::Static { sender, recipient } = &self.scheme else {
            return Err(Error::invalid(
                "the KmsPublicKeyDiscovery configuration of a KMS ECDH keyring cannot encrypt: \
                 it has no sender key",
            ));
        };
        let shared_secret = self.agreement.shared_secret(recipient).await?;
        ecdh::wrap_into(
            &mut materials,
            KMS_ECDH_PROVIDER_ID,
            self.curve,
            Parties { sender, recipient },
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
        let recipient = match &self.scheme {
            Scheme::Static { sender, recipient } => Recipient::Static { sender, recipient },
            Scheme::Discovery { recipient } => Recipient::Discovery { recipient },
        };
        ecdh::unwrap_first(
            self.curve,
            recipient,
            SecretSource::Kms(&self.agreement),
            materials,
            encrypted_data_keys,
        )
        .await
    }
}
