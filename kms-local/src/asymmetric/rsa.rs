//! RSA keys: RSASSA-PSS (salt as long as the hash, MGF1 with the same hash) and
//! RSASSA-PKCS1-v1_5 (DigestInfo-wrapped) signatures, and RSAES-OAEP encryption (empty label,
//! MGF1 with the OAEP hash), all with aws-lc-rs.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey,
};
use aws_lc_rs::signature::{
    self, KeyPair, ParsedPublicKey, RsaKeyPair, RsaParameters, RsaSignatureEncoding,
};
use kms_core::{
    EncryptionAlgorithmSpec, Error, KeySpec, Result, SecretBytes, SigningAlgorithmSpec,
};
use zeroize::Zeroizing;

use super::der::{self, oid};
use super::not_a_key_of;
use super::signing::SigningInput;
use crate::material::incompatible;
use crate::random::internal;

/// The modulus size of an RSA key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Size {
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl Size {
    /// The size of `spec`, if it is an RSA spec.
    pub(super) fn of(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::Rsa2048 => Some(Self::Rsa2048),
            KeySpec::Rsa3072 => Some(Self::Rsa3072),
            KeySpec::Rsa4096 => Some(Self::Rsa4096),
            _ => None,
        }
    }

    fn spec(self) -> KeySpec {
        match self {
            Self::Rsa2048 => KeySpec::Rsa2048,
            Self::Rsa3072 => KeySpec::Rsa3072,
            Self::Rsa4096 => KeySpec::Rsa4096,
        }
    }

    fn key_size(self) -> KeySize {
        match self {
            Self::Rsa2048 => KeySize::Rsa2048,
            Self::Rsa3072 => KeySize::Rsa3072,
            Self::Rsa4096 => KeySize::Rsa4096,
        }
    }

    /// The modulus length in bytes: the length of every signature and ciphertext.
    fn modulus_len(self) -> usize {
        match self {
            Self::Rsa2048 => 256,
            Self::Rsa3072 => 384,
            Self::Rsa4096 => 512,
        }
    }
}

/// One RSA signing algorithm of KMS and its aws-lc-rs padding and verification parameters.
struct Scheme {
    algorithm: SigningAlgorithmSpec,
    encoding: &'static RsaSignatureEncoding,
    verification: &'static RsaParameters,
}

/// The RSA signing algorithms of KMS. aws-lc-rs's PSS salt is as long as the digest, which is
/// what KMS uses.
static SCHEMES: [Scheme; 6] = [
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPssSha256,
        encoding: &signature::RSA_PSS_SHA256,
        verification: &signature::RSA_PSS_2048_8192_SHA256,
    },
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPssSha384,
        encoding: &signature::RSA_PSS_SHA384,
        verification: &signature::RSA_PSS_2048_8192_SHA384,
    },
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPssSha512,
        encoding: &signature::RSA_PSS_SHA512,
        verification: &signature::RSA_PSS_2048_8192_SHA512,
    },
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
        encoding: &signature::RSA_PKCS1_SHA256,
        verification: &signature::RSA_PKCS1_2048_8192_SHA256,
    },
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPkcs1V15Sha384,
        encoding: &signature::RSA_PKCS1_SHA384,
        verification: &signature::RSA_PKCS1_2048_8192_SHA384,
    },
    Scheme {
        algorithm: SigningAlgorithmSpec::RsassaPkcs1V15Sha512,
        encoding: &signature::RSA_PKCS1_SHA512,
        verification: &signature::RSA_PKCS1_2048_8192_SHA512,
    },
];

/// The scheme of `algorithm`.
fn scheme(algorithm: &SigningAlgorithmSpec, spec: &KeySpec) -> Result<&'static Scheme> {
    SCHEMES
        .iter()
        .find(|scheme| &scheme.algorithm == algorithm)
        .ok_or_else(|| incompatible(algorithm, spec))
}

/// The OAEP parameters of a KMS encryption algorithm.
fn oaep(algorithm: &EncryptionAlgorithmSpec, spec: &KeySpec) -> Result<&'static OaepAlgorithm> {
    match algorithm {
        EncryptionAlgorithmSpec::RsaesOaepSha1 => Ok(&OAEP_SHA1_MGF1SHA1),
        EncryptionAlgorithmSpec::RsaesOaepSha256 => Ok(&OAEP_SHA256_MGF1SHA256),
        _ => Err(incompatible(algorithm, spec)),
    }
}

/// A fresh RSA key of `size`, as PKCS#8 DER.
pub(super) fn generate(size: Size) -> Result<SecretBytes> {
    let key =
        RsaKeyPair::generate(size.key_size()).map_err(|_| internal("RSA key generation failed"))?;
    let der: Pkcs8V1Der<'_> =
        AsDer::as_der(&key).map_err(|_| internal("RSA key encoding failed"))?;
    Ok(SecretBytes::copy_from_slice(der.as_ref()))
}

/// An RSA private key, parsed for signing and for OAEP.
pub(super) struct RsaKey {
    size: Size,
    signer: RsaKeyPair,
    /// One parsed public key per entry of [`SCHEMES`], in the same order.
    verifiers: Vec<ParsedPublicKey>,
    decrypter: OaepPrivateDecryptingKey,
    encrypter: OaepPublicEncryptingKey,
}

impl RsaKey {
    /// Parses PKCS#8 `der` (whose outer structure is `info`) as an RSA key of `size`.
    pub(super) fn from_pkcs8(
        size: Size,
        info: &der::PrivateKeyInfo<'_>,
        der: &[u8],
    ) -> Result<Self> {
        let spec = size.spec();
        if info.algorithm.algorithm != oid::RSA_ENCRYPTION {
            return Err(not_a_key_of(&spec, "it is not an RSA key"));
        }
        let invalid = || not_a_key_of(&spec, "the key is not valid");
        let signer = RsaKeyPair::from_pkcs8(der).map_err(|_| invalid())?;
        if signer.public_modulus_len() != size.modulus_len() {
            return Err(not_a_key_of(&spec, "its modulus has another size"));
        }
        let verifiers = SCHEMES
            .iter()
            .map(|scheme| ParsedPublicKey::new(scheme.verification, signer.public_key().as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| internal("the RSA public key does not parse"))?;
        let private_key = PrivateDecryptingKey::from_pkcs8(der).map_err(|_| invalid())?;
        let encrypter = OaepPublicEncryptingKey::new(private_key.public_key())
            .map_err(|_| internal("the RSA public key does not encrypt"))?;
        let decrypter = OaepPrivateDecryptingKey::new(private_key)
            .map_err(|_| internal("the RSA private key does not decrypt"))?;
        Ok(Self {
            size,
            signer,
            verifiers,
            decrypter,
            encrypter,
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub(super) fn public_key(&self) -> Result<Vec<u8>> {
        super::spki(self.signer.public_key(), "RSA")
    }

    /// A signature of the digest, as long as the modulus.
    pub(super) fn sign(
        &self,
        algorithm: &SigningAlgorithmSpec,
        input: &SigningInput<'_>,
    ) -> Result<Vec<u8>> {
        let SigningInput::Digest(digest) = input else {
            return Err(internal("RSA signs a digest"));
        };
        let scheme = scheme(algorithm, &self.size.spec())?;
        let mut signature = vec![0; self.signer.public_modulus_len()];
        self.signer
            .sign_digest(scheme.encoding, digest, &mut signature)
            .map_err(|_| internal("RSA signing failed"))?;
        Ok(signature)
    }

    /// Checks a signature of the digest.
    pub(super) fn verify(
        &self,
        algorithm: &SigningAlgorithmSpec,
        input: &SigningInput<'_>,
        signature: &[u8],
    ) -> Result<()> {
        let SigningInput::Digest(digest) = input else {
            return Err(internal("RSA verifies a digest"));
        };
        let (_, verifier) = SCHEMES
            .iter()
            .zip(&self.verifiers)
            .find(|(scheme, _)| &scheme.algorithm == algorithm)
            .ok_or_else(|| incompatible(algorithm, &self.size.spec()))?;
        verifier
            .verify_digest_sig(digest, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// OAEP encryption; refuses a plaintext over the limit of the key size and algorithm with
    /// AWS's message.
    pub(super) fn encrypt(
        &self,
        spec: &KeySpec,
        algorithm: &EncryptionAlgorithmSpec,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        let oaep = oaep(algorithm, spec)?;
        let limit = self.encrypter.max_plaintext_size(oaep);
        if plaintext.len() > limit {
            return Err(Error::Validation {
                message: format!(
                    "Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than \
                     {limit} bytes."
                ),
            });
        }
        let mut ciphertext = vec![0; self.encrypter.ciphertext_size()];
        let len = self
            .encrypter
            .encrypt(oaep, plaintext, &mut ciphertext, None)
            .map_err(|_| internal("RSA encryption failed"))?
            .len();
        ciphertext.truncate(len);
        Ok(ciphertext)
    }

    /// OAEP decryption: `InvalidCiphertext` for anything that does not decrypt.
    pub(super) fn decrypt(
        &self,
        algorithm: &EncryptionAlgorithmSpec,
        ciphertext: &[u8],
    ) -> Result<SecretBytes> {
        let oaep = oaep(algorithm, &self.size.spec())?;
        if ciphertext.len() != self.size.modulus_len() {
            return Err(Error::InvalidCiphertext);
        }
        let mut buffer = Zeroizing::new(vec![0; self.decrypter.min_output_size()]);
        let plaintext = self
            .decrypter
            .decrypt(oaep, ciphertext, &mut buffer, None)
            .map_err(|_| Error::InvalidCiphertext)?;
        Ok(SecretBytes::copy_from_slice(plaintext))
    }
}
