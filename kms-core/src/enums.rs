//! The enumerations of the AWS KMS API, each value spelled as AWS spells it.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A value of an AWS KMS enumeration that this version does not know, kept exactly as it was
/// received, so that a value AWS adds after this release passes through instead of failing the
/// call (as `aws-sdk-kms`'s `UnknownVariantValue` does).
///
/// Only parsing makes one: a known spelling always becomes its own variant, so two values are
/// equal exactly when their spellings are.
///
/// ```
/// use kms_core::KeySpec;
///
/// let spec = KeySpec::from("QUANTUM_9000");
/// assert!(matches!(&spec, KeySpec::Unknown(value) if value.as_str() == "QUANTUM_9000"));
/// assert_eq!(spec.as_str(), "QUANTUM_9000");
/// assert!(!spec.is_known());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value as it was received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every enumeration of the AWS KMS API offers, for code generic over them (each has the
/// same methods of its own, so the trait is needed only in generic code).
///
/// ```
/// use kms_core::{AwsEnum, KeySpec, KeyUsage};
///
/// fn parse_flag<T: AwsEnum>(text: &str) -> Result<T, kms_core::Error> {
///     T::try_parse(text)
/// }
/// assert_eq!(parse_flag::<KeyUsage>("SIGN_VERIFY").ok(), Some(KeyUsage::SignVerify));
/// assert!(parse_flag::<KeySpec>("RSA_1024").is_err());
/// ```
pub trait AwsEnum: Sized + Clone + fmt::Display + From<String> + for<'a> From<&'a str> {
    /// The spellings of every value this version knows, in AWS's order.
    const VALUES: &'static [&'static str];

    /// The value as AWS spells it on the wire.
    fn as_str(&self) -> &str;

    /// Parses a value this version knows; anything else is a `ValidationException` listing
    /// the known values.
    fn try_parse(text: &str) -> Result<Self, Error>;

    /// `Ok` for a known value; for an unknown one, AWS's `ValidationException` for a request
    /// member (named by its lowerCamelCase path) outside its enum.
    fn check_known(&self, member: &str) -> Result<(), Error>;
}

/// Declares an enum whose variants map one-to-one onto AWS's string values, plus `Unknown`
/// for values this version does not know.
macro_rules! aws_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        ///
        /// A value that this version does not know parses as `Unknown`, holding the value, and
        /// is written back unchanged; match with a wildcard arm, as new values may become
        /// variants of their own in a later version.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, as it was received.
            Unknown(UnknownValue),
        }

        impl $name {
            /// Every value this version knows, in AWS's order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The spellings of [`Self::ALL`].
            pub const VALUES: &'static [&'static str] = &[ $( $text, )+ ];

            /// The value as AWS spells it on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this version knows the value (it is not [`Self::Unknown`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            /// Parses AWS's spelling of a value this version knows; anything else is a
            /// `ValidationException` that lists the known values. Use it on input that must
            /// name a known value (a command-line flag, a file); `From<&str>` keeps unknown
            /// values.
            pub fn try_parse(text: &str) -> Result<Self, Error> {
                match Self::from(text) {
                    Self::Unknown(_) => Err(Error::Validation {
                        message: format!(
                            "'{text}' is not a valid {}: expected one of [{}]",
                            stringify!($name),
                            Self::VALUES.join(", "),
                        ),
                    }),
                    known => Ok(known),
                }
            }

            /// `Ok` for a known value; for an unknown one, the `ValidationException` AWS
            /// sends for a request member outside its enum, naming `member` (the member's
            /// lowerCamelCase path, such as `keySpec`). Backends check every enum of a
            /// request with it before acting on it.
            pub fn check_known(&self, member: &str) -> Result<(), Error> {
                match self {
                    Self::Unknown(value) => Err(Error::enum_constraint(value, member, Self::VALUES)),
                    _ => Ok(()),
                }
            }
        }

        impl AwsEnum for $name {
            const VALUES: &'static [&'static str] = Self::VALUES;

            fn as_str(&self) -> &str {
                Self::as_str(self)
            }

            fn try_parse(text: &str) -> Result<Self, Error> {
                Self::try_parse(text)
            }

            fn check_known(&self, member: &str) -> Result<(), Error> {
                Self::check_known(self, member)
            }
        }

        impl From<&str> for $name {
            /// AWS's spelling as its variant; any other text as [`Self::Unknown`].
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    _ => Self::Unknown(UnknownValue(text.into())),
                }
            }
        }

        impl From<String> for $name {
            /// The same as `From<&str>`.
            fn from(text: String) -> Self {
                Self::from(text.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            /// The same as `From<&str>`: never fails; unknown values become
            /// [`Self::Unknown`]. [`Self::try_parse`] refuses them.
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_enum! {
    /// The type of key material and the algorithms a key supports.
    KeySpec {
        /// RSA with a 2048-bit modulus.
        Rsa2048 = "RSA_2048",
        /// RSA with a 3072-bit modulus.
        Rsa3072 = "RSA_3072",
        /// RSA with a 4096-bit modulus.
        Rsa4096 = "RSA_4096",
        /// ECC on NIST P-256.
        EccNistP256 = "ECC_NIST_P256",
        /// ECC on NIST P-384.
        EccNistP384 = "ECC_NIST_P384",
        /// ECC on NIST P-521.
        EccNistP521 = "ECC_NIST_P521",
        /// ECC on secp256k1.
        EccSecgP256k1 = "ECC_SECG_P256K1",
        /// A 256-bit AES-GCM key: the default.
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        /// HMAC with a 224-bit key.
        Hmac224 = "HMAC_224",
        /// HMAC with a 256-bit key.
        Hmac256 = "HMAC_256",
        /// HMAC with a 384-bit key.
        Hmac384 = "HMAC_384",
        /// HMAC with a 512-bit key.
        Hmac512 = "HMAC_512",
        /// SM2 (China regions only).
        Sm2 = "SM2",
        /// ML-DSA-44.
        MlDsa44 = "ML_DSA_44",
        /// ML-DSA-65.
        MlDsa65 = "ML_DSA_65",
        /// ML-DSA-87.
        MlDsa87 = "ML_DSA_87",
        /// Ed25519.
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        /// ML-KEM-512.
        MlKem512 = "ML_KEM_512",
        /// ML-KEM-768.
        MlKem768 = "ML_KEM_768",
        /// ML-KEM-1024.
        MlKem1024 = "ML_KEM_1024",
    }
}

impl KeySpec {
    /// The key usages AWS allows for this spec; the first is the only one for specs that
    /// allow one. None for a spec this version does not know.
    ///
    /// ```
    /// use kms_core::{KeySpec, KeyUsage};
    /// assert_eq!(KeySpec::SymmetricDefault.allowed_key_usages(), &[KeyUsage::EncryptDecrypt]);
    /// assert!(KeySpec::Rsa2048.allowed_key_usages().contains(&KeyUsage::SignVerify));
    /// ```
    pub fn allowed_key_usages(&self) -> &'static [KeyUsage] {
        use KeyUsage::{
            EncapsulateDecapsulate, EncryptDecrypt, GenerateVerifyMac, KeyAgreement, SignVerify,
        };
        match self {
            Self::SymmetricDefault => &[EncryptDecrypt],
            Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096 => &[EncryptDecrypt, SignVerify],
            Self::EccNistP256 | Self::EccNistP384 | Self::EccNistP521 => {
                &[SignVerify, KeyAgreement]
            }
            Self::EccSecgP256k1
            | Self::EccNistEdwards25519
            | Self::MlDsa44
            | Self::MlDsa65
            | Self::MlDsa87 => &[SignVerify],
            Self::Hmac224 | Self::Hmac256 | Self::Hmac384 | Self::Hmac512 => &[GenerateVerifyMac],
            Self::Sm2 => &[EncryptDecrypt, SignVerify, KeyAgreement],
            Self::MlKem512 | Self::MlKem768 | Self::MlKem1024 => &[EncapsulateDecapsulate],
            Self::Unknown(_) => &[],
        }
    }

    /// The encryption algorithms of an `ENCRYPT_DECRYPT` key of this spec.
    ///
    /// ```
    /// use kms_core::{EncryptionAlgorithmSpec, KeySpec};
    /// assert_eq!(
    ///     KeySpec::Rsa2048.encryption_algorithms(),
    ///     &[EncryptionAlgorithmSpec::RsaesOaepSha1, EncryptionAlgorithmSpec::RsaesOaepSha256]
    /// );
    /// ```
    pub fn encryption_algorithms(&self) -> &'static [EncryptionAlgorithmSpec] {
        use EncryptionAlgorithmSpec::{RsaesOaepSha1, RsaesOaepSha256, Sm2Pke, SymmetricDefault};
        match self {
            Self::SymmetricDefault => &[SymmetricDefault],
            Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096 => &[RsaesOaepSha1, RsaesOaepSha256],
            Self::Sm2 => &[Sm2Pke],
            _ => &[],
        }
    }

    /// The signing algorithms of a `SIGN_VERIFY` key of this spec.
    ///
    /// ```
    /// use kms_core::{KeySpec, SigningAlgorithmSpec};
    /// assert_eq!(KeySpec::EccNistP384.signing_algorithms(), &[SigningAlgorithmSpec::EcdsaSha384]);
    /// ```
    pub fn signing_algorithms(&self) -> &'static [SigningAlgorithmSpec] {
        use SigningAlgorithmSpec::*;
        match self {
            Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096 => &[
                RsassaPssSha256,
                RsassaPssSha384,
                RsassaPssSha512,
                RsassaPkcs1V15Sha256,
                RsassaPkcs1V15Sha384,
                RsassaPkcs1V15Sha512,
            ],
            Self::EccNistP256 | Self::EccSecgP256k1 => &[EcdsaSha256],
            Self::EccNistP384 => &[EcdsaSha384],
            Self::EccNistP521 => &[EcdsaSha512],
            Self::EccNistEdwards25519 => &[Ed25519Sha512, Ed25519PhSha512],
            Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87 => &[MlDsaShake256],
            Self::Sm2 => &[Sm2Dsa],
            _ => &[],
        }
    }

    /// The MAC algorithm of an HMAC key of this spec: one per spec.
    ///
    /// ```
    /// use kms_core::{KeySpec, MacAlgorithmSpec};
    /// assert_eq!(KeySpec::Hmac256.mac_algorithms(), &[MacAlgorithmSpec::HmacSha256]);
    /// ```
    pub fn mac_algorithms(&self) -> &'static [MacAlgorithmSpec] {
        use MacAlgorithmSpec::{HmacSha224, HmacSha256, HmacSha384, HmacSha512};
        match self {
            Self::Hmac224 => &[HmacSha224],
            Self::Hmac256 => &[HmacSha256],
            Self::Hmac384 => &[HmacSha384],
            Self::Hmac512 => &[HmacSha512],
            _ => &[],
        }
    }

    /// The key agreement algorithms of a `KEY_AGREEMENT` key of this spec.
    pub fn key_agreement_algorithms(&self) -> &'static [KeyAgreementAlgorithmSpec] {
        match self {
            Self::EccNistP256 | Self::EccNistP384 | Self::EccNistP521 | Self::Sm2 => {
                &[KeyAgreementAlgorithmSpec::Ecdh]
            }
            _ => &[],
        }
    }

    /// The key encapsulation algorithms of an `ENCAPSULATE_DECAPSULATE` key of this spec.
    pub fn encapsulation_algorithms(&self) -> &'static [EncapsulationAlgorithmSpec] {
        match self {
            Self::MlKem512 | Self::MlKem768 | Self::MlKem1024 => {
                &[EncapsulationAlgorithmSpec::MlKem]
            }
            _ => &[],
        }
    }
}

aws_enum! {
    /// The cryptographic operations a key is for.
    KeyUsage {
        /// Sign and verify.
        SignVerify = "SIGN_VERIFY",
        /// Encrypt and decrypt: the default for symmetric keys.
        EncryptDecrypt = "ENCRYPT_DECRYPT",
        /// Generate and verify MACs.
        GenerateVerifyMac = "GENERATE_VERIFY_MAC",
        /// Derive shared secrets.
        KeyAgreement = "KEY_AGREEMENT",
        /// Encapsulate and decapsulate shared secrets (ML-KEM).
        EncapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE",
    }
}

aws_enum! {
    /// The state of a key, which decides the operations it allows.
    KeyState {
        /// Being created (multi-Region keys).
        Creating = "Creating",
        /// Usable.
        Enabled = "Enabled",
        /// Disabled: cryptographic operations fail with `DisabledException`.
        Disabled = "Disabled",
        /// Scheduled for deletion.
        PendingDeletion = "PendingDeletion",
        /// Waiting for imported key material.
        PendingImport = "PendingImport",
        /// Waiting for its replicas to be deleted (multi-Region keys).
        PendingReplicaDeletion = "PendingReplicaDeletion",
        /// Its custom key store is disconnected.
        Unavailable = "Unavailable",
        /// Being updated (multi-Region keys).
        Updating = "Updating",
    }
}

aws_enum! {
    /// An encryption algorithm.
    EncryptionAlgorithmSpec {
        /// AES-256-GCM for symmetric keys.
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        /// RSAES-OAEP with SHA-1.
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        /// RSAES-OAEP with SHA-256.
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        /// SM2 public-key encryption (China regions only).
        Sm2Pke = "SM2PKE",
    }
}

aws_enum! {
    /// A signing algorithm.
    SigningAlgorithmSpec {
        /// RSASSA-PSS with SHA-256.
        RsassaPssSha256 = "RSASSA_PSS_SHA_256",
        /// RSASSA-PSS with SHA-384.
        RsassaPssSha384 = "RSASSA_PSS_SHA_384",
        /// RSASSA-PSS with SHA-512.
        RsassaPssSha512 = "RSASSA_PSS_SHA_512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        RsassaPkcs1V15Sha256 = "RSASSA_PKCS1_V1_5_SHA_256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        RsassaPkcs1V15Sha384 = "RSASSA_PKCS1_V1_5_SHA_384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        RsassaPkcs1V15Sha512 = "RSASSA_PKCS1_V1_5_SHA_512",
        /// ECDSA with SHA-256.
        EcdsaSha256 = "ECDSA_SHA_256",
        /// ECDSA with SHA-384.
        EcdsaSha384 = "ECDSA_SHA_384",
        /// ECDSA with SHA-512.
        EcdsaSha512 = "ECDSA_SHA_512",
        /// SM2 digital signatures (China regions only).
        Sm2Dsa = "SM2DSA",
        /// ML-DSA with SHAKE-256.
        MlDsaShake256 = "ML_DSA_SHAKE_256",
        /// Ed25519 (pure).
        Ed25519Sha512 = "ED25519_SHA_512",
        /// Ed25519ph.
        Ed25519PhSha512 = "ED25519_PH_SHA_512",
    }
}

impl SigningAlgorithmSpec {
    /// The length in bytes of the digest that a `DIGEST` message of this algorithm must have;
    /// `None` for the algorithms that take no digest (`ED25519_SHA_512`, `ML_DSA_SHAKE_256`)
    /// and unknown ones.
    ///
    /// ```
    /// use kms_core::SigningAlgorithmSpec;
    /// assert_eq!(SigningAlgorithmSpec::EcdsaSha384.digest_len(), Some(48));
    /// assert_eq!(SigningAlgorithmSpec::Ed25519Sha512.digest_len(), None);
    /// ```
    pub fn digest_len(&self) -> Option<usize> {
        match self {
            Self::RsassaPssSha256
            | Self::RsassaPkcs1V15Sha256
            | Self::EcdsaSha256
            | Self::Sm2Dsa => Some(32),
            Self::RsassaPssSha384 | Self::RsassaPkcs1V15Sha384 | Self::EcdsaSha384 => Some(48),
            Self::RsassaPssSha512
            | Self::RsassaPkcs1V15Sha512
            | Self::EcdsaSha512
            | Self::Ed25519PhSha512 => Some(64),
            Self::Ed25519Sha512 | Self::MlDsaShake256 | Self::Unknown(_) => None,
        }
    }
}

aws_enum! {
    /// A MAC algorithm.
    MacAlgorithmSpec {
        /// HMAC-SHA-224.
        HmacSha224 = "HMAC_SHA_224",
        /// HMAC-SHA-256.
        HmacSha256 = "HMAC_SHA_256",
        /// HMAC-SHA-384.
        HmacSha384 = "HMAC_SHA_384",
        /// HMAC-SHA-512.
        HmacSha512 = "HMAC_SHA_512",
    }
}

aws_enum! {
    /// A key agreement algorithm.
    KeyAgreementAlgorithmSpec {
        /// Elliptic-curve Diffie-Hellman.
        Ecdh = "ECDH",
    }
}

aws_enum! {
    /// A key encapsulation algorithm.
    EncapsulationAlgorithmSpec {
        /// ML-KEM (FIPS 203).
        MlKem = "ML_KEM",
    }
}

aws_enum! {
    /// What the `Message` of `Sign` and `Verify` holds.
    MessageType {
        /// The message itself: KMS hashes it.
        Raw = "RAW",
        /// A digest of the message, as long as the algorithm's hash.
        Digest = "DIGEST",
        /// An ML-DSA μ (64 bytes) computed outside KMS.
        ExternalMu = "EXTERNAL_MU",
    }
}

aws_enum! {
    /// Where a key's material comes from.
    OriginType {
        /// Generated by KMS: the default.
        AwsKms = "AWS_KMS",
        /// Imported by the customer.
        External = "EXTERNAL",
        /// Generated in a CloudHSM key store.
        AwsCloudHsm = "AWS_CLOUDHSM",
        /// Held in an external key store.
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
}

aws_enum! {
    /// Who manages a key.
    KeyManagerType {
        /// An AWS service.
        Aws = "AWS",
        /// The customer.
        Customer = "CUSTOMER",
    }
}

aws_enum! {
    /// Whether imported key material expires.
    ExpirationModelType {
        /// It expires at `ValidTo`.
        KeyMaterialExpires = "KEY_MATERIAL_EXPIRES",
        /// It does not expire.
        KeyMaterialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
}

aws_enum! {
    /// The length of a symmetric data key.
    DataKeySpec {
        /// 256 bits (32 bytes).
        Aes256 = "AES_256",
        /// 128 bits (16 bytes).
        Aes128 = "AES_128",
    }
}

impl DataKeySpec {
    /// The length of such a key in bytes; `None` for a spec this version does not know.
    ///
    /// ```
    /// use kms_core::DataKeySpec;
    /// assert_eq!(DataKeySpec::Aes128.byte_len(), Some(16));
    /// assert_eq!(DataKeySpec::from("AES_512").byte_len(), None);
    /// ```
    pub fn byte_len(&self) -> Option<usize> {
        match self {
            Self::Aes256 => Some(32),
            Self::Aes128 => Some(16),
            Self::Unknown(_) => None,
        }
    }
}

aws_enum! {
    /// The type of an asymmetric data key pair.
    DataKeyPairSpec {
        /// RSA with a 2048-bit modulus.
        Rsa2048 = "RSA_2048",
        /// RSA with a 3072-bit modulus.
        Rsa3072 = "RSA_3072",
        /// RSA with a 4096-bit modulus.
        Rsa4096 = "RSA_4096",
        /// ECC on NIST P-256.
        EccNistP256 = "ECC_NIST_P256",
        /// ECC on NIST P-384.
        EccNistP384 = "ECC_NIST_P384",
        /// ECC on NIST P-521.
        EccNistP521 = "ECC_NIST_P521",
        /// ECC on secp256k1.
        EccSecgP256k1 = "ECC_SECG_P256K1",
        /// SM2 (China regions only).
        Sm2 = "SM2",
        /// Ed25519.
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        /// ML-KEM-512.
        MlKem512 = "ML_KEM_512",
        /// ML-KEM-768.
        MlKem768 = "ML_KEM_768",
        /// ML-KEM-1024.
        MlKem1024 = "ML_KEM_1024",
    }
}

impl DataKeyPairSpec {
    /// The key spec of the same name: the type of the pair's keys.
    ///
    /// ```
    /// use kms_core::{DataKeyPairSpec, KeySpec};
    /// assert_eq!(DataKeyPairSpec::EccNistP256.key_spec(), KeySpec::EccNistP256);
    /// ```
    pub fn key_spec(&self) -> KeySpec {
        KeySpec::from(self.as_str())
    }
}

aws_enum! {
    /// How a key's material was rotated.
    RotationType {
        /// By the automatic rotation schedule.
        Automatic = "AUTOMATIC",
        /// By `RotateKeyOnDemand`.
        OnDemand = "ON_DEMAND",
    }
}

aws_enum! {
    /// The role of one key material of a key.
    KeyMaterialState {
        /// An older material, kept to decrypt.
        NonCurrent = "NON_CURRENT",
        /// The material that encrypts.
        Current = "CURRENT",
        /// Imported material that a rotation will make current.
        PendingRotation = "PENDING_ROTATION",
        /// Imported material of a multi-Region key still to be imported into every replica
        /// before a rotation can make it current.
        PendingMultiRegionImportAndRotation = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
    }
}

aws_enum! {
    /// Whether imported key material is present.
    ImportState {
        /// The material is imported.
        Imported = "IMPORTED",
        /// The material is awaited.
        PendingImport = "PENDING_IMPORT",
    }
}

aws_enum! {
    /// Whether a multi-Region key is the primary key or a replica.
    MultiRegionKeyType {
        /// The primary key: the one whose shared properties (rotation, among them) are set.
        Primary = "PRIMARY",
        /// A replica of the primary key in another Region.
        Replica = "REPLICA",
    }
}

aws_enum! {
    /// The algorithm that wraps key material for `ImportKeyMaterial` (AWS's `AlgorithmSpec`).
    AlgorithmSpec {
        /// RSA-OAEP with SHA-1 (deprecated for RSA_4096 wrapping keys by AWS's guide).
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        /// RSA-OAEP with SHA-256.
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        /// RSA PKCS#1 v1.5 encryption: no longer accepted by AWS.
        RsaesPkcs1V15 = "RSAES_PKCS1_V1_5",
        /// An ephemeral AES-256 key wraps the material (AES key wrap with padding, RFC 5649);
        /// RSA-OAEP with SHA-1 wraps that AES key.
        RsaAesKeyWrapSha1 = "RSA_AES_KEY_WRAP_SHA_1",
        /// As `RSA_AES_KEY_WRAP_SHA_1`, with RSA-OAEP SHA-256.
        RsaAesKeyWrapSha256 = "RSA_AES_KEY_WRAP_SHA_256",
        /// SM2 public key encryption (China Regions only).
        Sm2Pke = "SM2PKE",
    }
}

aws_enum! {
    /// The type of the public key that wraps key material for import.
    WrappingKeySpec {
        /// RSA with a 2048-bit modulus.
        Rsa2048 = "RSA_2048",
        /// RSA with a 3072-bit modulus.
        Rsa3072 = "RSA_3072",
        /// RSA with a 4096-bit modulus.
        Rsa4096 = "RSA_4096",
        /// SM2 (China Regions only).
        Sm2 = "SM2",
    }
}

aws_enum! {
    /// Whether `ImportKeyMaterial` brings material the key already had, or new material.
    ImportType {
        /// Material the key had before (a re-import).
        ExistingKeyMaterial = "EXISTING_KEY_MATERIAL",
        /// New material, for a first import or an on-demand rotation of a symmetric key.
        NewKeyMaterial = "NEW_KEY_MATERIAL",
    }
}

aws_enum! {
    /// Which materials `ListKeyRotations` lists.
    IncludeKeyMaterial {
        /// Every material, the original one included.
        AllKeyMaterial = "ALL_KEY_MATERIAL",
        /// Only the materials created by rotations: the default.
        RotationsOnly = "ROTATIONS_ONLY",
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_spelling() {
        for spec in KeySpec::ALL {
            assert_eq!(KeySpec::try_parse(spec.as_str()).ok().as_ref(), Some(spec));
            assert_eq!(&KeySpec::from(spec.as_str()), spec);
        }
        assert_eq!(KeySpec::ALL.len(), 20);
        assert_eq!(KeySpec::VALUES.len(), KeySpec::ALL.len());
        assert_eq!(KeyState::PendingDeletion.to_string(), "PendingDeletion");
    }

    #[test]
    fn an_unknown_value_is_kept_and_written_back_unchanged() {
        let state: KeyState = "Hibernating".parse().unwrap_or_else(|never| match never {});
        assert_eq!(state.as_str(), "Hibernating");
        assert_eq!(state.to_string(), "Hibernating");
        assert!(!state.is_known());
        assert_eq!(state, KeyState::from(String::from("Hibernating")));
        assert_ne!(state, KeyState::from("Dormant"));
        assert!(KeyState::Enabled.is_known());
    }

    #[test]
    fn try_parse_names_an_unknown_value_and_the_choices() {
        let Err(err) = DataKeySpec::try_parse("AES_512") else {
            panic!("AES_512 parsed");
        };
        assert_eq!(
            err.message(),
            "'AES_512' is not a valid DataKeySpec: expected one of [AES_256, AES_128]"
        );
    }

    #[test]
    fn check_known_is_aws_validation_grammar() {
        assert!(DataKeySpec::Aes256.check_known("keySpec").is_ok());
        let Err(err) = DataKeySpec::from("AES_512").check_known("keySpec") else {
            panic!("an unknown value passed");
        };
        assert_eq!(err.code(), "ValidationException");
        assert_eq!(
            err.message(),
            "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy \
             constraint: Member must satisfy enum value set: [AES_256, AES_128]"
        );
    }
}
