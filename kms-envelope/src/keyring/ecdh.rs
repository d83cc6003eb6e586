//! What the raw and the AWS KMS ECDH keyrings share: the provider info naming both parties,
//! the key derivation from the shared secret, and the wrapping of the data key.
//!
//! From the shared secret Z, a KDF in counter mode (NIST SP 800-108) with HMAC-SHA384 and a
//! random 32-byte salt derives 64 bytes: a commitment key (stored in the encrypted data key and
//! checked on decrypt) and an AES-256-GCM key that wraps the data key under a zero IV, with the
//! KDF's fixed info (curve, both public keys, the keyring version, the encryption context) as
//! additional data.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::hmac;
use kms_core::{EncryptionContext, SecretBytes};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::header::{IV_LEN, TAG_LEN};
use crate::keyring::ecc::{EcPrivateKey, EcPublicKey, EcdhCurve};
use crate::keyring::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials};

/// The provider id of data keys wrapped by a raw ECDH keyring.
pub(crate) const RAW_ECDH_PROVIDER_ID: &str = "raw-ecdh";
/// The provider id of data keys wrapped by an AWS KMS ECDH keyring.
pub(crate) const KMS_ECDH_PROVIDER_ID: &str = "aws-kms-ecdh";

/// The version of the provider info and of the key derivation.
const KEYRING_VERSION: u8 = 0x01;
/// The bytes of the random KDF salt that starts the ciphertext.
const SALT_LEN: usize = 32;
/// The bytes of the commitment key that follows the salt.
const COMMITMENT_KEY_LEN: usize = 32;
/// The bytes the KDF derives: the commitment key, then the wrapping key.
const DERIVED_LEN: usize = 64;
/// The KDF's output length in bits, as its input states it.
const DERIVED_BITS: u32 = 512;

/// The sender's and the recipient's public keys of one wrapped data key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parties<'a> {
    /// The sender's public key (the key whose private half wrapped).
    pub(crate) sender: &'a EcPublicKey,
    /// The recipient's public key.
    pub(crate) recipient: &'a EcPublicKey,
}

/// The provider info: version, then the recipient's and the sender's compressed public keys,
/// each after its `u32` length.
fn provider_info(parties: Parties<'_>) -> Vec<u8> {
    let recipient = parties.recipient.compressed();
    let sender = parties.sender.compressed();
    let mut info = Vec::with_capacity(9 + recipient.len() + sender.len());
    info.push(KEYRING_VERSION);
    for key in [recipient, sender] {
        info.extend_from_slice(&u32::try_from(key.len()).unwrap_or(u32::MAX).to_be_bytes());
        info.extend_from_slice(key);
    }
    info
}

/// The public keys an ECDH encrypted data key names, parsed from its provider info.
#[derive(Debug)]
pub(crate) struct NamedParties {
    sender: EcPublicKey,
    recipient: EcPublicKey,
}

impl NamedParties {
    /// Parses the provider info of an ECDH encrypted data key on `curve`: `None` when it is
    /// malformed or its keys are not points of the curve.
    fn parse(curve: EcdhCurve, info: &[u8]) -> Option<Self> {
        let (&version, rest) = info.split_first()?;
        if version != KEYRING_VERSION {
            return None;
        }
        let (recipient, rest) = length_prefixed(rest)?;
        let (sender, rest) = length_prefixed(rest)?;
        if !rest.is_empty() {
            return None;
        }
        Some(Self {
            recipient: EcPublicKey::from_compressed(curve, recipient, "the recipient's key")
                .ok()?,
            sender: EcPublicKey::from_compressed(curve, sender, "the sender's key").ok()?,
        })
    }

    fn parties(&self) -> Parties<'_> {
        Parties {
            sender: &self.sender,
            recipient: &self.recipient,
        }
    }
}

/// A `u32` length and that many bytes, and what follows.
fn length_prefixed(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    rest.split_at_checked(usize::try_from(u32::from_be_bytes(*len)).ok()?)
}

/// The KDF's fixed info, also the additional data of the wrapped key:
/// `"ecdh-key-derivation" 0 curve 0 "HMAC_SHA384" 0 sender||recipient 0 version 0 context`.
fn fixed_info(
    curve: EcdhCurve,
    parties: Parties<'_>,
    context: &EncryptionContext,
) -> Result<Vec<u8>> {
    let mut info = Vec::new();
    for field in [
        b"ecdh-key-derivation".as_slice(),
        curve.kdf_name().as_bytes(),
        b"HMAC_SHA384",
    ] {
        info.extend_from_slice(field);
        info.push(0);
    }
    info.extend_from_slice(parties.sender.compressed());
    info.extend_from_slice(parties.recipient.compressed());
    info.push(0);
    info.push(KEYRING_VERSION);
    info.push(0);
    context
        .write_canonical(&mut info)
        .map_err(|err| Error::invalid(err.message().to_owned()))?;
    Ok(info)
}

/// The KDF in counter mode with HMAC-SHA384 (NIST SP 800-108): block `i` is
/// `HMAC(Z, u32(i) || fixed_info || 0x00 || salt || u32(512))`, and the output the first 64
/// bytes of blocks 1 and 2.
fn derive(shared_secret: &SecretBytes, fixed_info: &[u8], salt: &[u8]) -> Zeroizing<Vec<u8>> {
    let key = hmac::Key::new(hmac::HMAC_SHA384, shared_secret.expose_secret());
    let mut output = Zeroizing::new(Vec::with_capacity(2 * 48));
    let mut counter = 1u32;
    while output.len() < DERIVED_LEN {
        let mut context = hmac::Context::with_key(&key);
        context.update(&counter.to_be_bytes());
        context.update(fixed_info);
        context.update(&[0]);
        context.update(salt);
        context.update(&DERIVED_BITS.to_be_bytes());
        output.extend_from_slice(context.sign().as_ref());
        counter += 1;
    }
    output.truncate(DERIVED_LEN);
    output
}

/// The AES-256-GCM key of the derived wrapping key.
fn wrapping_key(derived: &[u8]) -> Result<LessSafeKey> {
    let key = UnboundKey::new(&AES_256_GCM, &derived[COMMITMENT_KEY_LEN..])
        .map_err(|_| Error::invalid("the derived ECDH wrapping key was rejected"))?;
    Ok(LessSafeKey::new(key))
}

/// Generates the data key if the materials have none, wraps it under the key agreed between
/// `parties` (`shared_secret`), and adds the encrypted data key with `provider_id`.
pub(crate) fn wrap_into(
    materials: &mut EncryptionMaterials,
    provider_id: &str,
    curve: EcdhCurve,
    parties: Parties<'_>,
    shared_secret: &SecretBytes,
) -> Result<()> {
    materials.generate_random_data_key_if_absent()?;
    let info = fixed_info(curve, parties, materials.encryption_context())?;
    let mut salt = [0u8; SALT_LEN];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| Error::invalid("the random generator failed"))?;
    let derived = derive(shared_secret, &info, &salt);
    let data_key = materials.data_key_to_wrap()?;
    let mut ciphertext =
        Vec::with_capacity(SALT_LEN + COMMITMENT_KEY_LEN + data_key.len() + TAG_LEN);
    ciphertext.extend_from_slice(&salt);
    ciphertext.extend_from_slice(&derived[..COMMITMENT_KEY_LEN]);
    ciphertext.extend_from_slice(data_key.expose_secret());
    let tag = wrapping_key(&derived)?
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key([0; IV_LEN]),
            Aad::from(&info),
            &mut ciphertext[SALT_LEN + COMMITMENT_KEY_LEN..],
        )
        .map_err(|_| Error::invalid("wrapping the data key failed"))?;
    ciphertext.extend_from_slice(tag.as_ref());
    materials.push_encrypted_data_key(EncryptedDataKey::new(
        provider_id.to_owned(),
        provider_info(parties),
        ciphertext,
    ));
    Ok(())
}

/// Unwraps the data key of `ciphertext` under the key agreed between the named parties:
/// checks the commitment key (in constant time), then opens the wrapped key.
fn unwrap(
    curve: EcdhCurve,
    parties: Parties<'_>,
    shared_secret: &SecretBytes,
    materials: &DecryptionMaterials,
    ciphertext: &[u8],
) -> std::result::Result<SecretBytes, kms_core::Error> {
    let key_len = materials.suite().key_len();
    if ciphertext.len() != SALT_LEN + COMMITMENT_KEY_LEN + key_len + TAG_LEN {
        return Err(kms_core::Error::InvalidCiphertext);
    }
    let (salt, rest) = ciphertext.split_at(SALT_LEN);
    let (commitment, rest) = rest.split_at(COMMITMENT_KEY_LEN);
    let (wrapped, tag) = rest.split_at(key_len);
    let info = fixed_info(curve, parties, materials.encryption_context())
        .map_err(|_| kms_core::Error::InvalidCiphertext)?;
    let derived = derive(shared_secret, &info, salt);
    if verify_slices_are_equal(&derived[..COMMITMENT_KEY_LEN], commitment).is_err() {
        return Err(kms_core::Error::InvalidCiphertext);
    }
    let key = wrapping_key(&derived).map_err(|_| kms_core::Error::InvalidCiphertext)?;
    SecretBytes::try_init_with(key_len, |out| {
        key.open_separate_gather(
            Nonce::assume_unique_for_key([0; IV_LEN]),
            Aad::from(&info),
            wrapped,
            tag,
            out,
        )
    })
    .map_err(|_| kms_core::Error::InvalidCiphertext)
}

/// Which ECDH encrypted data keys a keyring may decrypt, and with which peer public key.
#[derive(Debug)]
pub(crate) enum Recipient<'a> {
    /// Any message to this recipient (public key discovery): the peer is the message's sender.
    Discovery {
        /// The recipient's public key.
        recipient: &'a EcPublicKey,
    },
    /// Messages between these two parties, either way: the peer is the configured recipient.
    Static {
        /// This party's public key.
        sender: &'a EcPublicKey,
        /// The other party's public key.
        recipient: &'a EcPublicKey,
    },
}

impl Recipient<'_> {
    /// The public key to agree with on `named`, if this keyring may decrypt it.
    fn peer<'n>(&'n self, named: &'n NamedParties) -> Option<&'n EcPublicKey> {
        match *self {
            Self::Discovery { recipient } => {
                (named.recipient == *recipient).then_some(&named.sender)
            }
            Self::Static { sender, recipient } => {
                let forward = named.sender == *sender && named.recipient == *recipient;
                let backward = named.sender == *recipient && named.recipient == *sender;
                (forward || backward).then_some(recipient)
            }
        }
    }
}

/// Where a keyring's half of the shared secret comes from.
pub(crate) enum SecretSource<'a> {
    /// A private key in memory.
    Local(&'a EcPrivateKey),
    /// A KMS `KEY_AGREEMENT` key, through `DeriveSharedSecret`.
    Kms(&'a crate::keyring::kms_ecdh::KmsAgreement),
}

impl SecretSource<'_> {
    async fn shared_secret(
        &self,
        peer: &EcPublicKey,
    ) -> std::result::Result<SecretBytes, kms_core::Error> {
        match self {
            Self::Local(key) => key
                .shared_secret(peer)
                .map_err(|_| kms_core::Error::InvalidCiphertext),
            Self::Kms(agreement) => agreement.shared_secret(peer).await,
        }
    }
}

/// Decrypts the first ECDH encrypted data key (of either provider id) that `recipient`
/// allows and `source` can agree a key for, and sets it in the materials.
pub(crate) async fn unwrap_first(
    curve: EcdhCurve,
    recipient: Recipient<'_>,
    source: SecretSource<'_>,
    mut materials: DecryptionMaterials,
    encrypted_data_keys: &[EncryptedDataKey],
) -> Result<DecryptionMaterials> {
    let mut failures = Vec::new();
    for edk in encrypted_data_keys {
        if edk.provider_id() != RAW_ECDH_PROVIDER_ID && edk.provider_id() != KMS_ECDH_PROVIDER_ID {
            continue;
        }
        // A malformed provider info, or keys on another curve: not a key for this keyring
        // to decrypt, and a failure to report if no other one decrypts.
        let Some(named) = NamedParties::parse(curve, edk.provider_info()) else {
            failures.push(kms_core::Error::InvalidCiphertext);
            continue;
        };
        let Some(peer) = recipient.peer(&named) else {
            continue;
        };
        let unwrapped = match source.shared_secret(peer).await {
            Ok(secret) => unwrap(
                curve,
                named.parties(),
                &secret,
                &materials,
                edk.ciphertext(),
            ),
            Err(err) => Err(err),
        };
        match unwrapped {
            Ok(data_key) => {
                materials.set_data_key(data_key)?;
                return Ok(materials);
            }
            Err(err) => failures.push(err),
        }
    }
    Err(Error::NoDataKey { failures })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_kdf_is_counter_mode_hmac_sha384() {
        // Block 1 and the start of block 2, computed step by step.
        let z = SecretBytes::copy_from_slice(&[7u8; 48]);
        let (info, salt) = (b"fixed".as_slice(), [9u8; 32]);
        let block = |i: u32| {
            let key = hmac::Key::new(hmac::HMAC_SHA384, &[7u8; 48]);
            let input = [
                &i.to_be_bytes()[..],
                info,
                &[0],
                &salt,
                &512u32.to_be_bytes(),
            ]
            .concat();
            hmac::sign(&key, &input).as_ref().to_vec()
        };
        let expected = [block(1), block(2)].concat();
        assert_eq!(derive(&z, info, &salt).as_slice(), &expected[..64]);
    }

    #[test]
    fn provider_info_round_trips_and_refuses_malformed_bytes() {
        for curve in [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521] {
            let sender = EcPrivateKey::generate(curve).unwrap();
            let recipient = EcPrivateKey::generate(curve).unwrap();
            let parties = Parties {
                sender: sender.public_key(),
                recipient: recipient.public_key(),
            };
            let info = provider_info(parties);
            // The layout the specification fixes: 75, 107 and 143 bytes.
            assert_eq!(info.len(), 1 + 2 * (4 + curve.compressed_len()));
            assert_eq!(&info[1..5], &(curve.compressed_len() as u32).to_be_bytes());
            assert_eq!(
                &info[5..5 + curve.compressed_len()],
                recipient.public_key().compressed()
            );
            let named = NamedParties::parse(curve, &info).unwrap();
            assert_eq!(&named.sender, sender.public_key());
            assert_eq!(&named.recipient, recipient.public_key());

            let mut wrong_version = info.clone();
            wrong_version[0] = 2;
            assert!(NamedParties::parse(curve, &wrong_version).is_none());
            assert!(NamedParties::parse(curve, &info[..info.len() - 1]).is_none());
            assert!(NamedParties::parse(curve, &[&info[..], &[0]].concat()).is_none());
            let mut long_length = info.clone();
            long_length[4] += 1;
            assert!(NamedParties::parse(curve, &long_length).is_none());
        }
        let p256 = EcPrivateKey::generate(EcdhCurve::P256).unwrap();
        let info = provider_info(Parties {
            sender: p256.public_key(),
            recipient: p256.public_key(),
        });
        assert!(NamedParties::parse(EcdhCurve::P384, &info).is_none());
        assert!(NamedParties::parse(EcdhCurve::P256, &info).is_some());
    }
}
