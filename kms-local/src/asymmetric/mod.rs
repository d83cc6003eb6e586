//! The cryptography of asymmetric KMS keys and data key pairs: RSA, ECC (NIST curves and
//! secp256k1), Ed25519, ML-DSA and ML-KEM. Pure cryptography: no key states, ARNs or store.
//!
//! Every key is kept as PKCS#8 DER (RFC 5958; ML-DSA and ML-KEM in the seed form, which is
//! what AWS returns for ML-KEM data key pairs), parsed once into the library objects each
//! operation needs. aws-lc-rs does the work wherever it has the algorithm; RustCrypto crates fill its gaps: `ed25519-dalek` for
//! Ed25519ph, `ml-dsa` for ML-DSA signing of an external μ, `ml-kem` for ML-KEM keys held as
//! seeds.

mod der;
mod ecc;
mod ed25519;
mod ml_dsa;
mod ml_kem;
mod rsa;
mod signing;

use std::fmt;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};

use kms_core::{
    DataKeyPairSpec, EncryptionAlgorithmSpec, Error, KeySpec, MessageType, Result, SecretBytes,
    SigningAlgorithmSpec,
};

use signing::SigningInput;

use crate::material::incompatible;
use crate::random::internal;

/// The private half of an asymmetric key (a KMS key or a data key pair), kept as PKCS#8 DER
/// (RFC 5958; ML-KEM keys in the seed form AWS returns) in a redacting, zeroizing
/// [`SecretBytes`].
///
/// Building one parses and checks the key, which for some specs costs as much as an operation:
/// keep it for as long as the key is in use rather than rebuilding it per call.
pub(crate) struct PrivateKey {
    spec: KeySpec,
    der: SecretBytes,
    public_key: Vec<u8>,
    material: Material,
}

/// The parsed key, as the library objects of its family.
enum Material {
    Rsa(rsa::RsaKey),
    Ecc(ecc::EccKey),
    Ed25519(ed25519::Ed25519Key),
    MlDsa(ml_dsa::MlDsaKey),
    MlKem(ml_kem::MlKemKey),
}

/// The families of asymmetric key specs, each with the parameters of its spec.
#[derive(Clone, Copy)]
enum Family {
    Rsa(rsa::Size),
    Ecc(ecc::Curve),
    Ed25519,
    MlDsa(ml_dsa::Level),
    MlKem(ml_kem::Level),
}

impl Family {
    /// The family of `spec`, or the error AWS's rules (or this backend's limits) give for a
    /// spec that is not an asymmetric one.
    fn of(spec: &KeySpec) -> Result<Self> {
        spec.check_known("keySpec")?;
        if let Some(size) = rsa::Size::of(spec) {
            return Ok(Self::Rsa(size));
        }
        if let Some(curve) = ecc::Curve::of(spec) {
            return Ok(Self::Ecc(curve));
        }
        if let Some(level) = ml_dsa::Level::of(spec) {
            return Ok(Self::MlDsa(level));
        }
        if let Some(level) = ml_kem::Level::of(spec) {
            return Ok(Self::MlKem(level));
        }
        match spec {
            KeySpec::EccNistEdwards25519 => Ok(Self::Ed25519),
            KeySpec::Sm2 => Err(Error::NotImplemented {
                message: "the local backend does not implement SM2 keys".to_owned(),
            }),
            _ => Err(Error::Unsupported {
                message: format!("{spec} is not an asymmetric key spec."),
            }),
        }
    }
}

impl PrivateKey {
    /// A fresh key of `spec`.
    ///
    /// `SYMMETRIC_DEFAULT` and `HMAC_*` are not asymmetric specs: `Error::Unsupported`.
    /// `SM2` is `Error::NotImplemented`; the caller decides what AWS answers outside the
    /// China Regions.
    pub(crate) fn generate(spec: &KeySpec) -> Result<Self> {
        let der = match Family::of(spec)? {
            Family::Rsa(size) => rsa::generate(size)?,
            Family::Ecc(curve) => ecc::generate(curve)?,
            Family::Ed25519 => ed25519::generate()?,
            Family::MlDsa(level) => ml_dsa::generate(level)?,
            Family::MlKem(level) => ml_kem::generate(level)?,
        };
        Self::from_pkcs8(spec, der)
    }

    /// A key of `spec` from PKCS#8 DER (seed files, the durable store, later imports).
    ///
    /// Refuses DER that is not a private key of that spec with a `ValidationException` that
    /// says what is wrong without echoing the bytes. The DER is kept as given (PKCS#8 v1 or
    /// v2, any form its library reads), so what was seeded or imported is what is exported.
    pub(crate) fn from_pkcs8(spec: &KeySpec, der: SecretBytes) -> Result<Self> {
        let family = Family::of(spec)?;
        let bytes = der.expose_secret();
        let info = der::PrivateKeyInfo::parse(bytes)
            .ok_or_else(|| not_a_key_of(spec, "it is not DER-encoded PKCS#8"))?;
        let material = match family {
            Family::Rsa(size) => Material::Rsa(rsa::RsaKey::from_pkcs8(size, &info, bytes)?),
            Family::Ecc(curve) => Material::Ecc(ecc::EccKey::from_pkcs8(curve, &info, bytes)?),
            Family::Ed25519 => Material::Ed25519(ed25519::Ed25519Key::from_pkcs8(&info, bytes)?),
            Family::MlDsa(level) => {
                Material::MlDsa(ml_dsa::MlDsaKey::from_pkcs8(level, &info, bytes)?)
            }
            Family::MlKem(level) => Material::MlKem(ml_kem::MlKemKey::from_pkcs8(level, &info)?),
        };
        let public_key = match &material {
            Material::Rsa(key) => key.public_key(),
            Material::Ecc(key) => key.public_key(),
            Material::Ed25519(key) => key.public_key(),
            Material::MlDsa(key) => key.public_key(),
            Material::MlKem(key) => key.public_key(),
        }?;
        Ok(Self {
            spec: spec.clone(),
            der,
            public_key,
            material,
        })
    }

    /// The key spec.
    pub(crate) fn spec(&self) -> &KeySpec {
        &self.spec
    }

    /// The PKCS#8 DER, to store, seed or export.
    pub(crate) fn pkcs8(&self) -> &SecretBytes {
        &self.der
    }

    /// DER SubjectPublicKeyInfo (RFC 5280), what GetPublicKey returns.
    pub(crate) fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.public_key.clone())
    }

    /// Signs `message` (RAW), a digest (DIGEST) or μ (EXTERNAL_MU).
    ///
    /// Checks, with AWS's messages: the algorithm fits the spec, the message type fits the
    /// algorithm, and the digest has the algorithm's length.
    pub(crate) fn sign(
        &self,
        algorithm: &SigningAlgorithmSpec,
        message_type: &MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        let input = SigningInput::new(&self.spec, algorithm, message_type, message)?;
        match &self.material {
            Material::Rsa(key) => key.sign(algorithm, &input),
            Material::Ecc(key) => key.sign(&input),
            Material::Ed25519(key) => key.sign(algorithm, &input),
            Material::MlDsa(key) => key.sign(&input),
            Material::MlKem(_) => Err(signing::cannot_sign(&self.spec)),
        }
    }

    /// `Ok(())` when `signature` is valid; `Err(Error::InvalidSignature)` when it is not.
    ///
    /// RAW(m) verifies against a signature of DIGEST(H(m)), as AWS documents.
    pub(crate) fn verify(
        &self,
        algorithm: &SigningAlgorithmSpec,
        message_type: &MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let input = SigningInput::new(&self.spec, algorithm, message_type, message)?;
        match &self.material {
            Material::Rsa(key) => key.verify(algorithm, &input, signature),
            Material::Ecc(key) => key.verify(&input, signature),
            Material::Ed25519(key) => key.verify(algorithm, &input, signature),
            Material::MlDsa(key) => key.verify(&input, signature),
            Material::MlKem(_) => Err(signing::cannot_sign(&self.spec)),
        }
    }

    /// RSA OAEP (`RSAES_OAEP_SHA_1` / `RSAES_OAEP_SHA_256`, empty label, MGF1 with the same
    /// hash): raw output of the modulus length. Refuses a plaintext over the limit of the key
    /// size and algorithm with AWS's message.
    pub(crate) fn encrypt(
        &self,
        algorithm: &EncryptionAlgorithmSpec,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        self.check_encryption_algorithm(algorithm)?;
        match &self.material {
            Material::Rsa(key) => key.encrypt(&self.spec, algorithm, plaintext),
            _ => Err(incompatible(algorithm, &self.spec)),
        }
    }

    /// Decrypts an RSA OAEP ciphertext: `Err(Error::InvalidCiphertext)` for anything that
    /// does not decrypt.
    pub(crate) fn decrypt(
        &self,
        algorithm: &EncryptionAlgorithmSpec,
        ciphertext: &[u8],
    ) -> Result<SecretBytes> {
        self.check_encryption_algorithm(algorithm)?;
        match &self.material {
            Material::Rsa(key) => key.decrypt(algorithm, ciphertext),
            _ => Err(incompatible(algorithm, &self.spec)),
        }
    }

    fn check_encryption_algorithm(&self, algorithm: &EncryptionAlgorithmSpec) -> Result<()> {
        algorithm.check_known("encryptionAlgorithm")?;
        if self.spec.encryption_algorithms().contains(algorithm) {
            Ok(())
        } else {
            Err(incompatible(algorithm, &self.spec))
        }
    }

    /// ECDH with a peer's DER SubjectPublicKeyInfo public key on the same curve: the raw
    /// shared secret Z.
    pub(crate) fn derive_shared_secret(&self, peer_public_key: &[u8]) -> Result<SecretBytes> {
        match &self.material {
            Material::Ecc(key) => key.derive_shared_secret(peer_public_key),
            _ => Err(Error::InvalidKeyUsage {
                message: format!("Key spec {} does not support key agreement.", self.spec),
            }),
        }
    }

    /// ML-KEM encapsulation: the ciphertext and the 32-byte shared secret.
    pub(crate) fn encapsulate(&self) -> Result<(Vec<u8>, SecretBytes)> {
        match &self.material {
            Material::MlKem(key) => key.encapsulate(),
            _ => Err(not_a_kem(&self.spec)),
        }
    }

    /// ML-KEM decapsulation. `Err(Error::InvalidCiphertext)` only for a ciphertext of the
    /// wrong length: any other ciphertext gives a pseudo-random secret (implicit rejection).
    pub(crate) fn decapsulate(&self, ciphertext: &[u8]) -> Result<SecretBytes> {
        match &self.material {
            Material::MlKem(key) => key.decapsulate(ciphertext),
            _ => Err(not_a_kem(&self.spec)),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// A fresh data key pair of `spec` (GenerateDataKeyPair): RSA, ECC including secp256k1,
/// Ed25519 and ML-KEM. `SM2` is `Error::NotImplemented`; the caller decides what AWS
/// answers outside the China Regions.
pub(crate) fn generate_data_key_pair(spec: &DataKeyPairSpec) -> Result<PrivateKey> {
    spec.check_known("keyPairSpec")?;
    PrivateKey::generate(&spec.key_spec())
}

/// The DER SubjectPublicKeyInfo of an aws-lc-rs public key of `family` (`RSA`, `ECC`...).
fn spki(key: &impl AsDer<PublicKeyX509Der<'static>>, family: &str) -> Result<Vec<u8>> {
    let der = key
        .as_der()
        .map_err(|_| internal(&format!("{family} public key encoding failed")))?;
    Ok(der.as_ref().to_vec())
}

/// The error for a key encapsulation operation on a key that is not an ML-KEM key. The
/// caller checks the key usage first, with the key's ARN; this wording is ours.
fn not_a_kem(spec: &KeySpec) -> Error {
    Error::InvalidKeyUsage {
        message: format!("Key spec {spec} does not support key encapsulation."),
    }
}

/// The `ValidationException` for DER that is not a private key of `spec`, saying why without
/// showing the bytes.
fn not_a_key_of(spec: &KeySpec, why: &str) -> Error {
    Error::Validation {
        message: format!("The private key is not a PKCS#8 private key of key spec {spec}: {why}."),
    }
}

#[cfg(test)]
mod tests;
