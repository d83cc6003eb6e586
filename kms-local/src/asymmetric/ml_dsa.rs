//! ML-DSA keys (FIPS 204): `ML_DSA_SHAKE_256` over a RAW message with aws-lc-rs (pure
//! ML-DSA, empty context), and over an EXTERNAL_MU with RustCrypto `ml-dsa`, as aws-lc-rs
//! cannot sign a μ. Both sign hedged (with fresh randomness), and a signature of μ(m) is a
//! signature of m, as AWS documents.

use aws_lc_rs::signature::{
    self, KeyPair, ParsedPublicKey, PqdsaKeyPair, PqdsaSigningAlgorithm, PqdsaVerificationAlgorithm,
};
use kms_core::{Error, KeySpec, Result, SecretBytes};
use ml_dsa::{ExpandedSigningKey, MlDsa44, MlDsa65, MlDsa87, MlDsaParams, VerifyingKey};

use super::der::{self, oid};
use super::not_a_key_of;
use super::signing::{MU_LEN, SigningInput};
use crate::random::internal;

/// The length of an ML-DSA seed (ξ), the same at every level.
const SEED_LEN: usize = 32;

/// The security level of an ML-DSA key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

impl Level {
    /// The level of `spec`, if it is an ML-DSA spec.
    pub(super) fn of(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::MlDsa44 => Some(Self::MlDsa44),
            KeySpec::MlDsa65 => Some(Self::MlDsa65),
            KeySpec::MlDsa87 => Some(Self::MlDsa87),
            _ => None,
        }
    }

    fn spec(self) -> KeySpec {
        match self {
            Self::MlDsa44 => KeySpec::MlDsa44,
            Self::MlDsa65 => KeySpec::MlDsa65,
            Self::MlDsa87 => KeySpec::MlDsa87,
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Self::MlDsa44 => oid::ML_DSA_44,
            Self::MlDsa65 => oid::ML_DSA_65,
            Self::MlDsa87 => oid::ML_DSA_87,
        }
    }

    fn signing(self) -> &'static PqdsaSigningAlgorithm {
        match self {
            Self::MlDsa44 => &signature::ML_DSA_44_SIGNING,
            Self::MlDsa65 => &signature::ML_DSA_65_SIGNING,
            Self::MlDsa87 => &signature::ML_DSA_87_SIGNING,
        }
    }

    fn verification(self) -> &'static PqdsaVerificationAlgorithm {
        match self {
            Self::MlDsa44 => &signature::ML_DSA_44,
            Self::MlDsa65 => &signature::ML_DSA_65,
            Self::MlDsa87 => &signature::ML_DSA_87,
        }
    }
}

/// A fresh ML-DSA key, as PKCS#8 DER in the seed form.
pub(super) fn generate(level: Level) -> Result<SecretBytes> {
    let key = PqdsaKeyPair::generate(level.signing())
        .map_err(|_| internal("ML-DSA key generation failed"))?;
    let der = key
        .to_pkcs8v1()
        .map_err(|_| internal("ML-DSA key encoding failed"))?;
    Ok(SecretBytes::copy_from_slice(der.as_ref()))
}

/// An ML-DSA private key, parsed for both message types.
pub(super) struct MlDsaKey {
    signer: PqdsaKeyPair,
    verifier: ParsedPublicKey,
    mu: MuKey,
}

impl MlDsaKey {
    /// Parses PKCS#8 `der` (whose outer structure is `info`) as a key of `level`. The key
    /// must hold its seed (the `seed` or `both` form): signing μ starts from it.
    pub(super) fn from_pkcs8(
        level: Level,
        info: &der::PrivateKeyInfo<'_>,
        der: &[u8],
    ) -> Result<Self> {
        let spec = level.spec();
        if info.algorithm.algorithm != level.oid() {
            return Err(not_a_key_of(&spec, "it is not a key of this ML-DSA level"));
        }
        let seed = der::lattice_seed(info.private_key, SEED_LEN)
            .and_then(|seed| <&[u8; SEED_LEN]>::try_from(seed).ok())
            .ok_or_else(|| not_a_key_of(&spec, "it does not hold the 32-byte seed"))?;
        // aws-lc-rs checks the expanded key of the `both` form against the seed.
        let signer = PqdsaKeyPair::from_pkcs8(level.signing(), der)
            .map_err(|_| not_a_key_of(&spec, "the key is not valid"))?;
        let mu = MuKey::from_seed(level, seed);
        if mu.public_key() != signer.public_key().as_ref() {
            return Err(internal(
                "the ML-DSA libraries derive different public keys",
            ));
        }
        let verifier = ParsedPublicKey::new(level.verification(), signer.public_key().as_ref())
            .map_err(|_| internal("the ML-DSA public key does not parse"))?;
        Ok(Self {
            signer,
            verifier,
            mu,
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub(super) fn public_key(&self) -> Result<Vec<u8>> {
        super::spki(self.signer.public_key(), "ML-DSA")
    }

    /// A signature of a RAW message or of a μ.
    pub(super) fn sign(&self, input: &SigningInput<'_>) -> Result<Vec<u8>> {
        match input {
            SigningInput::Message(message) => {
                let mut signature = vec![0; self.signer.algorithm().signature_len()];
                let len = self
                    .signer
                    .sign(message, &mut signature)
                    .map_err(|_| internal("ML-DSA signing failed"))?;
                signature.truncate(len);
                Ok(signature)
            }
            SigningInput::Mu(mu) => self.mu.sign(mu),
            SigningInput::Digest(_) => Err(internal("ML-DSA does not sign a digest")),
        }
    }

    /// Checks a signature of a RAW message or of a μ.
    pub(super) fn verify(&self, input: &SigningInput<'_>, signature: &[u8]) -> Result<()> {
        match input {
            SigningInput::Message(message) => self
                .verifier
                .verify_sig(message, signature)
                .map_err(|_| Error::InvalidSignature),
            SigningInput::Mu(mu) => self.mu.verify(mu, signature),
            SigningInput::Digest(_) => Err(internal("ML-DSA does not verify a digest")),
        }
    }
}

/// The RustCrypto key of one level, which signs and verifies a μ.
enum MuKey {
    MlDsa44(MuPair<MlDsa44>),
    MlDsa65(MuPair<MlDsa65>),
    MlDsa87(MuPair<MlDsa87>),
}

impl MuKey {
    fn from_seed(level: Level, seed: &[u8; SEED_LEN]) -> Self {
        match level {
            Level::MlDsa44 => Self::MlDsa44(MuPair::from_seed(seed)),
            Level::MlDsa65 => Self::MlDsa65(MuPair::from_seed(seed)),
            Level::MlDsa87 => Self::MlDsa87(MuPair::from_seed(seed)),
        }
    }

    fn public_key(&self) -> Vec<u8> {
        match self {
            Self::MlDsa44(pair) => pair.public_key(),
            Self::MlDsa65(pair) => pair.public_key(),
            Self::MlDsa87(pair) => pair.public_key(),
        }
    }

    fn sign(&self, mu: &[u8; MU_LEN]) -> Result<Vec<u8>> {
        match self {
            Self::MlDsa44(pair) => pair.sign(mu),
            Self::MlDsa65(pair) => pair.sign(mu),
            Self::MlDsa87(pair) => pair.sign(mu),
        }
    }

    fn verify(&self, mu: &[u8; MU_LEN], signature: &[u8]) -> Result<()> {
        match self {
            Self::MlDsa44(pair) => pair.verify(mu, signature),
            Self::MlDsa65(pair) => pair.verify(mu, signature),
            Self::MlDsa87(pair) => pair.verify(mu, signature),
        }
    }
}

/// The expanded signing key and the verifying key of one parameter set.
struct MuPair<P: MlDsaParams> {
    signing: Box<ExpandedSigningKey<P>>,
    verifying: VerifyingKey<P>,
}

impl<P: MlDsaParams> MuPair<P> {
    fn from_seed(seed: &[u8; SEED_LEN]) -> Self {
        let signing = Box::new(ExpandedSigningKey::<P>::from_seed(&(*seed).into()));
        let verifying = signing.verifying_key();
        Self { signing, verifying }
    }

    fn public_key(&self) -> Vec<u8> {
        self.verifying.encode().to_vec()
    }

    fn sign(&self, mu: &[u8; MU_LEN]) -> Result<Vec<u8>> {
        let signature = self
            .signing
            .sign_mu_randomized(&(*mu).into(), &mut AwsLcRng)
            .map_err(|_| internal("ML-DSA signing of μ failed"))?;
        Ok(signature.encode().to_vec())
    }

    fn verify(&self, mu: &[u8; MU_LEN], signature: &[u8]) -> Result<()> {
        let signature =
            ml_dsa::Signature::<P>::try_from(signature).map_err(|_| Error::InvalidSignature)?;
        if self.verifying.verify_mu(&(*mu).into(), &signature) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// The system's secure random generator (through aws-lc-rs), as the `rand_core` generator the
/// hedged signing of `ml-dsa` draws its 32 random bytes from.
struct AwsLcRng;

impl rand_core::TryRng for AwsLcRng {
    type Error = aws_lc_rs::error::Unspecified;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0; 4];
        aws_lc_rs::rand::fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0; 8];
        aws_lc_rs::rand::fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        aws_lc_rs::rand::fill(dst)
    }
}

impl rand_core::TryCryptoRng for AwsLcRng {}
