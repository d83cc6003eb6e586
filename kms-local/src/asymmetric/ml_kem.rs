//! ML-KEM keys (FIPS 203) held as their 64-byte seed (d ‖ z), the form AWS returns in the
//! PKCS#8 of an ML-KEM data key pair ("the same length for all ML-KEM key pair specs").
//!
//! RustCrypto `ml-kem` expands the seed and decapsulates, as aws-lc-rs cannot build a key
//! from a seed; aws-lc-rs encapsulates to the public key. The tests check that each library
//! reads what the other writes.

use aws_lc_rs::kem;
use kms_core::{Error, KeySpec, Result, SecretBytes};
use ml_kem::{Decapsulate, DecapsulationKey, KeyExport, MlKem512, MlKem768, MlKem1024};
use zeroize::Zeroizing;

use super::der::{self, oid};
use super::not_a_key_of;
use crate::random::{self, internal};

/// The length of an ML-KEM seed, the same at every level.
const SEED_LEN: usize = 64;

/// The security level of an ML-KEM key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    MlKem512,
    MlKem768,
    MlKem1024,
}

impl Level {
    /// The level of `spec`, if it is an ML-KEM spec.
    pub(super) fn of(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::MlKem512 => Some(Self::MlKem512),
            KeySpec::MlKem768 => Some(Self::MlKem768),
            KeySpec::MlKem1024 => Some(Self::MlKem1024),
            _ => None,
        }
    }

    fn spec(self) -> KeySpec {
        match self {
            Self::MlKem512 => KeySpec::MlKem512,
            Self::MlKem768 => KeySpec::MlKem768,
            Self::MlKem1024 => KeySpec::MlKem1024,
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Self::MlKem512 => oid::ML_KEM_512,
            Self::MlKem768 => oid::ML_KEM_768,
            Self::MlKem1024 => oid::ML_KEM_1024,
        }
    }

    fn algorithm(self) -> &'static kem::Algorithm {
        match self {
            Self::MlKem512 => &kem::ML_KEM_512,
            Self::MlKem768 => &kem::ML_KEM_768,
            Self::MlKem1024 => &kem::ML_KEM_1024,
        }
    }

    /// The length of a ciphertext: 768, 1088 or 1568 bytes.
    fn ciphertext_len(self) -> usize {
        match self {
            Self::MlKem512 => 768,
            Self::MlKem768 => 1088,
            Self::MlKem1024 => 1568,
        }
    }
}

/// A fresh ML-KEM key, as PKCS#8 DER in the seed form.
pub(super) fn generate(level: Level) -> Result<SecretBytes> {
    let seed = SecretBytes::try_init_with(SEED_LEN, random::fill)?;
    Ok(SecretBytes::from(der::seed_private_key_info(
        level.oid(),
        seed.expose_secret(),
    )))
}

/// An ML-KEM private key: the expanded decapsulation key and the public key.
pub(super) struct MlKemKey {
    level: Level,
    decapsulator: Decapsulator,
    encapsulator: kem::EncapsulationKey,
    /// The raw encapsulation key.
    public_key: Vec<u8>,
}

impl MlKemKey {
    /// Parses PKCS#8 DER whose outer structure is `info` as a key of `level`, in the seed (or
    /// both) form.
    pub(super) fn from_pkcs8(level: Level, info: &der::PrivateKeyInfo<'_>) -> Result<Self> {
        let spec = level.spec();
        if info.algorithm.algorithm != level.oid() {
            return Err(not_a_key_of(&spec, "it is not a key of this ML-KEM level"));
        }
        let seed = der::lattice_seed(info.private_key, SEED_LEN)
            .and_then(|seed| <[u8; SEED_LEN]>::try_from(seed).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| not_a_key_of(&spec, "it does not hold the 64-byte seed"))?;
        let decapsulator = Decapsulator::from_seed(level, &seed);
        let public_key = decapsulator.public_key();
        let encapsulator = kem::EncapsulationKey::new(level.algorithm(), &public_key)
            .map_err(|_| internal("the ML-KEM public key does not parse"))?;
        Ok(Self {
            level,
            decapsulator,
            encapsulator,
            public_key,
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub(super) fn public_key(&self) -> Result<Vec<u8>> {
        Ok(der::subject_public_key_info(
            self.level.oid(),
            &self.public_key,
        ))
    }

    /// A fresh shared secret and its ciphertext.
    pub(super) fn encapsulate(&self) -> Result<(Vec<u8>, SecretBytes)> {
        let (ciphertext, secret) = self
            .encapsulator
            .encapsulate()
            .map_err(|_| internal("ML-KEM encapsulation failed"))?;
        Ok((
            ciphertext.as_ref().to_vec(),
            SecretBytes::copy_from_slice(secret.as_ref()),
        ))
    }

    /// The shared secret of `ciphertext`; `InvalidCiphertext` only for a wrong length.
    pub(super) fn decapsulate(&self, ciphertext: &[u8]) -> Result<SecretBytes> {
        if ciphertext.len() != self.level.ciphertext_len() {
            return Err(Error::InvalidCiphertext);
        }
        self.decapsulator.decapsulate(ciphertext)
    }
}

/// The RustCrypto decapsulation key of one level.
enum Decapsulator {
    MlKem512(Box<DecapsulationKey<MlKem512>>),
    MlKem768(Box<DecapsulationKey<MlKem768>>),
    MlKem1024(Box<DecapsulationKey<MlKem1024>>),
}

impl Decapsulator {
    fn from_seed(level: Level, seed: &[u8; SEED_LEN]) -> Self {
        match level {
            Level::MlKem512 => {
                Self::MlKem512(Box::new(DecapsulationKey::from_seed((*seed).into())))
            }
            Level::MlKem768 => {
                Self::MlKem768(Box::new(DecapsulationKey::from_seed((*seed).into())))
            }
            Level::MlKem1024 => {
                Self::MlKem1024(Box::new(DecapsulationKey::from_seed((*seed).into())))
            }
        }
    }

    fn public_key(&self) -> Vec<u8> {
        match self {
            Self::MlKem512(key) => key.encapsulation_key().to_bytes().to_vec(),
            Self::MlKem768(key) => key.encapsulation_key().to_bytes().to_vec(),
            Self::MlKem1024(key) => key.encapsulation_key().to_bytes().to_vec(),
        }
    }

    /// Decapsulates a ciphertext of the level's length.
    fn decapsulate(&self, ciphertext: &[u8]) -> Result<SecretBytes> {
        let wrong_length = |_| Error::InvalidCiphertext;
        let secret = match self {
            Self::MlKem512(key) => key.decapsulate(&ciphertext.try_into().map_err(wrong_length)?),
            Self::MlKem768(key) => key.decapsulate(&ciphertext.try_into().map_err(wrong_length)?),
            Self::MlKem1024(key) => key.decapsulate(&ciphertext.try_into().map_err(wrong_length)?),
        };
        Ok(SecretBytes::copy_from_slice(secret.as_slice()))
    }
}
