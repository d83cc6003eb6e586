//! The cryptography of HMAC KMS keys (`HMAC_224/256/384/512`): the secret and the MACs of
//! `GenerateMac` and `VerifyMac` (RFC 2104, aws-lc-rs).

use std::fmt;

use aws_lc_rs::hmac;
use kms_core::{Error, KeySpec, MacAlgorithmSpec, Result, SecretBytes};

use crate::random;

/// The secret of an HMAC KMS key (`HMAC_224/256/384/512`).
pub(crate) struct HmacKey {
    spec: KeySpec,
    secret: SecretBytes,
    key: hmac::Key,
}

/// The parameters of an HMAC key spec.
struct Params {
    algorithm: hmac::Algorithm,
    /// The length of a generated secret: the spec's bits / 8.
    generated_len: usize,
    /// The lengths imported material may have, inclusive.
    ///
    /// AWS does not document these ranges; they are LocalStack's (`HMAC_RANGE_KEY_LENGTHS`),
    /// which its tests recorded against AWS. Unverified here.
    imported_len: (usize, usize),
}

impl Params {
    fn of(spec: &KeySpec) -> Result<Self> {
        spec.check_known("keySpec")?;
        let (algorithm, generated_len, imported_len) = match spec {
            KeySpec::Hmac224 => (hmac::HMAC_SHA224, 28, (28, 64)),
            KeySpec::Hmac256 => (hmac::HMAC_SHA256, 32, (32, 64)),
            KeySpec::Hmac384 => (hmac::HMAC_SHA384, 48, (48, 128)),
            KeySpec::Hmac512 => (hmac::HMAC_SHA512, 64, (64, 128)),
            _ => {
                return Err(Error::Unsupported {
                    message: format!("{spec} is not an HMAC key spec."),
                });
            }
        };
        Ok(Self {
            algorithm,
            generated_len,
            imported_len,
        })
    }
}

impl HmacKey {
    /// A fresh key of `spec`, as long as the spec's bits (28, 32, 48 or 64 bytes).
    pub(crate) fn generate(spec: &KeySpec) -> Result<Self> {
        let params = Params::of(spec)?;
        let secret = SecretBytes::try_init_with(params.generated_len, random::fill)?;
        Ok(Self::new(spec, &params, secret))
    }

    /// A key of `spec` from its secret (seed files, the durable store, imports). The secret's
    /// length must be in the range imported HMAC material may have: 28–64 bytes for
    /// `HMAC_224`, 32–64 for `HMAC_256`, 48–128 for `HMAC_384`, 64–128 for `HMAC_512`.
    pub(crate) fn from_bytes(spec: &KeySpec, secret: SecretBytes) -> Result<Self> {
        let params = Params::of(spec)?;
        let (min, max) = params.imported_len;
        if !(min..=max).contains(&secret.len()) {
            // Our wording: AWS's message for HMAC material of the wrong length is unverified.
            return Err(Error::Validation {
                message: format!(
                    "The key material of a {spec} key must be {min} to {max} bytes long, not {}.",
                    secret.len()
                ),
            });
        }
        Ok(Self::new(spec, &params, secret))
    }

    fn new(spec: &KeySpec, params: &Params, secret: SecretBytes) -> Self {
        let key = hmac::Key::new(params.algorithm, secret.expose_secret());
        Self {
            spec: spec.clone(),
            secret,
            key,
        }
    }

    /// The key spec.
    pub(crate) fn spec(&self) -> &KeySpec {
        &self.spec
    }

    /// The secret, to store, seed or export.
    pub(crate) fn secret(&self) -> &SecretBytes {
        &self.secret
    }

    /// The MAC of `message`, as long as the hash.
    pub(crate) fn generate_mac(
        &self,
        algorithm: &MacAlgorithmSpec,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        self.check_algorithm(algorithm)?;
        Ok(hmac::sign(&self.key, message).as_ref().to_vec())
    }

    /// `Ok(())` when `mac` is the MAC of `message`; `Err(Error::InvalidMac)` when it is not.
    /// The comparison takes constant time.
    pub(crate) fn verify_mac(
        &self,
        algorithm: &MacAlgorithmSpec,
        message: &[u8],
        mac: &[u8],
    ) -> Result<()> {
        self.check_algorithm(algorithm)?;
        hmac::verify(&self.key, message, mac).map_err(|_| Error::InvalidMac)
    }

    /// AWS's `InvalidKeyUsageException` for an algorithm that is not the spec's
    /// (`Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.`).
    fn check_algorithm(&self, algorithm: &MacAlgorithmSpec) -> Result<()> {
        algorithm.check_known("macAlgorithm")?;
        if self.spec.mac_algorithms().contains(algorithm) {
            Ok(())
        } else {
            Err(crate::material::incompatible(algorithm, &self.spec))
        }
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    const SPECS: [(KeySpec, MacAlgorithmSpec); 4] = [
        (KeySpec::Hmac224, MacAlgorithmSpec::HmacSha224),
        (KeySpec::Hmac256, MacAlgorithmSpec::HmacSha256),
        (KeySpec::Hmac384, MacAlgorithmSpec::HmacSha384),
        (KeySpec::Hmac512, MacAlgorithmSpec::HmacSha512),
    ];

    /// The test cases of RFC 4231 §4 (all but the truncated case 5): key, data, and the
    /// HMAC-SHA-224/256/384/512 of each. RFC 4231 is an IETF document; its test values are
    /// reproduced as published.
    fn rfc4231() -> Vec<(Vec<u8>, Vec<u8>, [&'static str; 4])> {
        vec![
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                [
                    "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c\
                     faea9ea9076ede7f4af152e8b2fa9cb6",
                    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
                     daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                ],
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                [
                    "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
                     8e2240ca5e69e2c78b3239ecfab21649",
                    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                     9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                ],
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                [
                    "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
                    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b\
                     2a5ab39dc13814b94e3ab6e101a34f27",
                    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39\
                     bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
                ],
            ),
            (
                (1..=25).collect(),
                vec![0xcd; 50],
                [
                    "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
                    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e\
                     6801dd23c4a7d679ccf8a386c674cffb",
                    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db\
                     a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
                ],
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                [
                    "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
                    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6\
                     0c2ef6ab4030fe8296248df163f44952",
                    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
                     6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
                ],
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than \
                  block-size data. The key needs to be hashed before being used by the \
                  HMAC algorithm."
                    .to_vec(),
                [
                    "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
                    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5\
                     a678cc31e799176d3860e6110c46523e",
                    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944\
                     b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
                ],
            ),
        ]
    }

    #[test]
    fn macs_match_rfc_4231() {
        for (case, (key, data, expected)) in rfc4231().into_iter().enumerate() {
            for ((spec, algorithm), expected) in SPECS.iter().zip(expected) {
                // The RFC's keys are shorter or longer than KMS lets a key be, so the test
                // builds the key past `from_bytes`'s length rule.
                let params = Params::of(spec).expect("an HMAC spec");
                let hmac = HmacKey::new(spec, &params, SecretBytes::from(key.as_slice()));
                let mac = hmac.generate_mac(algorithm, &data).expect("MAC");
                assert_eq!(mac, hex(expected), "case {case} {spec}");
                hmac.verify_mac(algorithm, &data, &mac).expect("verifies");
            }
        }
    }

    #[test]
    fn generated_keys_are_as_long_as_the_spec_says() {
        for ((spec, algorithm), len) in SPECS.iter().zip([28, 32, 48, 64]) {
            let key = HmacKey::generate(spec).expect("generates");
            assert_eq!(key.spec(), spec);
            assert_eq!(key.secret().len(), len, "{spec}");
            let mac = key.generate_mac(algorithm, b"message").expect("MAC");
            assert_eq!(mac.len(), len, "{spec}: a MAC is as long as the hash");
            let again = HmacKey::from_bytes(spec, SecretBytes::from(key.secret().expose_secret()))
                .expect("loads back");
            again
                .verify_mac(algorithm, b"message", &mac)
                .expect("verifies");
        }
        assert_ne!(
            HmacKey::generate(&KeySpec::Hmac256)
                .expect("key")
                .secret()
                .expose_secret(),
            HmacKey::generate(&KeySpec::Hmac256)
                .expect("key")
                .secret()
                .expose_secret(),
        );
    }

    #[test]
    fn imported_secrets_must_have_a_length_the_spec_allows() {
        for ((spec, _), (min, max)) in SPECS.iter().zip([(28, 64), (32, 64), (48, 128), (64, 128)])
        {
            for len in [min, max] {
                assert!(HmacKey::from_bytes(spec, SecretBytes::from(vec![1; len])).is_ok());
            }
            for len in [min - 1, max + 1, 0] {
                let err = HmacKey::from_bytes(spec, SecretBytes::from(vec![1; len]))
                    .expect_err("wrong length");
                assert_eq!(err.code(), "ValidationException");
                assert_eq!(
                    err.message(),
                    format!(
                        "The key material of a {spec} key must be {min} to {max} bytes long, \
                         not {len}."
                    )
                );
            }
        }
    }

    #[test]
    fn a_wrong_mac_is_an_invalid_mac_error() {
        let key = HmacKey::generate(&KeySpec::Hmac384).expect("key");
        let algorithm = MacAlgorithmSpec::HmacSha384;
        let mac = key.generate_mac(&algorithm, b"message").expect("MAC");
        let mut tampered = mac.clone();
        tampered[47] ^= 0x80;
        for wrong in [&tampered[..], &mac[..47], &[][..]] {
            let err = key
                .verify_mac(&algorithm, b"message", wrong)
                .expect_err("wrong");
            assert!(matches!(err, Error::InvalidMac), "{err}");
        }
        let err = key
            .verify_mac(&algorithm, b"massage", &mac)
            .expect_err("another message");
        assert!(matches!(err, Error::InvalidMac));
    }

    #[test]
    fn the_algorithm_must_be_the_specs() {
        let key = HmacKey::generate(&KeySpec::Hmac224).expect("key");
        let err = key
            .generate_mac(&MacAlgorithmSpec::HmacSha256, b"m")
            .expect_err("another algorithm");
        assert_eq!(err.code(), "InvalidKeyUsageException");
        assert_eq!(
            err.message(),
            "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
        );
        let err = key
            .verify_mac(&MacAlgorithmSpec::from("HMAC_SHA_1"), b"m", &[0; 28])
            .expect_err("unknown algorithm");
        assert_eq!(err.code(), "ValidationException");
    }

    #[test]
    fn other_specs_are_not_hmac_keys() {
        for spec in [
            KeySpec::SymmetricDefault,
            KeySpec::Rsa2048,
            KeySpec::EccNistP256,
        ] {
            let err = HmacKey::generate(&spec).expect_err("not HMAC");
            assert_eq!(err.code(), "UnsupportedOperationException", "{spec}");
            let err =
                HmacKey::from_bytes(&spec, SecretBytes::from(vec![0; 32])).expect_err("not HMAC");
            assert_eq!(err.code(), "UnsupportedOperationException", "{spec}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key =
            HmacKey::from_bytes(&KeySpec::Hmac256, SecretBytes::from(vec![0x41; 32])).expect("key");
        let shown = format!("{key:?}");
        assert_eq!(shown, "HmacKey { spec: Hmac256, .. }");
    }
}
