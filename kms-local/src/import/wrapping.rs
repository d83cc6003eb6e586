//! The RSA wrapping keys of `GetParametersForImport` and the unwrapping of key material
//! under them, with the four wrapping algorithms AWS accepts outside the China Regions:
//! RSAES-OAEP with SHA-1 or SHA-256 (empty label, MGF1 with the same hash), and
//! RSA_AES_KEY_WRAP_SHA_1/SHA_256: the RSA-OAEP encryption of a 256-bit AES key, followed by
//! the material wrapped under that AES key with AES key wrap with padding (RFC 5649).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    PrivateDecryptingKey,
};
use kms_core::{AlgorithmSpec, Error, Result, SecretBytes, WrappingKeySpec};
use zeroize::Zeroizing;

use crate::random::internal;

/// The length of the ephemeral AES key of the RSA_AES algorithms: AES-256.
const AES_KEY_LEN: usize = 32;

/// The modulus size of a wrapping key spec; SM2 (China Regions only) is refused.
fn key_size(spec: &WrappingKeySpec) -> Result<KeySize> {
    match spec {
        WrappingKeySpec::Rsa2048 => Ok(KeySize::Rsa2048),
        WrappingKeySpec::Rsa3072 => Ok(KeySize::Rsa3072),
        WrappingKeySpec::Rsa4096 => Ok(KeySize::Rsa4096),
        other => Err(Error::Validation {
            // Our wording (unverified): AWS offers SM2 wrapping keys only in China Regions.
            message: format!("WrappingKeySpec {other} is not supported in this Region"),
        }),
    }
}

/// The modulus length in bytes of a wrapping key spec.
pub(crate) fn modulus_len(spec: &WrappingKeySpec) -> Result<usize> {
    Ok(match key_size(spec)? {
        KeySize::Rsa2048 => 256,
        KeySize::Rsa3072 => 384,
        _ => 512,
    })
}

/// The OAEP parameters of a wrapping algorithm, and whether it wraps with AES first.
/// `RSAES_PKCS1_V1_5` (no longer accepted by AWS since October 2023) and SM2PKE (China
/// Regions only) are refused.
pub(crate) fn scheme(algorithm: &AlgorithmSpec) -> Result<(&'static OaepAlgorithm, bool)> {
    match algorithm {
        AlgorithmSpec::RsaesOaepSha1 => Ok((&OAEP_SHA1_MGF1SHA1, false)),
        AlgorithmSpec::RsaesOaepSha256 => Ok((&OAEP_SHA256_MGF1SHA256, false)),
        AlgorithmSpec::RsaAesKeyWrapSha1 => Ok((&OAEP_SHA1_MGF1SHA1, true)),
        AlgorithmSpec::RsaAesKeyWrapSha256 => Ok((&OAEP_SHA256_MGF1SHA256, true)),
        other => Err(Error::Validation {
            // Our wording (unverified): AWS documents RSAES_PKCS1_V1_5 as unsupported since
            // October 10, 2023, and SM2PKE as China Regions only.
            message: format!("WrappingAlgorithm {other} is not supported"),
        }),
    }
}

/// The largest material RSAES-OAEP with `algorithm` can wrap under a key of `spec` (the
/// RSA_AES algorithms have no such limit).
pub(crate) fn max_oaep_material(
    algorithm: &AlgorithmSpec,
    spec: &WrappingKeySpec,
) -> Result<usize> {
    scheme(algorithm)?;
    let hash_len = match algorithm {
        AlgorithmSpec::RsaesOaepSha1 | AlgorithmSpec::RsaAesKeyWrapSha1 => 20,
        _ => 32,
    };
    Ok(modulus_len(spec)? - 2 * hash_len - 2)
}

/// A fresh RSA wrapping key of `spec`, as PKCS#8 DER, and its public key as DER
/// SubjectPublicKeyInfo. RSA-4096 takes about a second: call it outside the store's lock.
pub(crate) fn generate(spec: &WrappingKeySpec) -> Result<(SecretBytes, Vec<u8>)> {
    let key = PrivateDecryptingKey::generate(key_size(spec)?)
        .map_err(|_| internal("RSA wrapping key generation failed"))?;
    let pkcs8: Pkcs8V1Der<'_> =
        AsDer::as_der(&key).map_err(|_| internal("RSA wrapping key encoding failed"))?;
    let public: PublicKeyX509Der<'_> = key
        .public_key()
        .as_der()
        .map_err(|_| internal("RSA wrapping public key encoding failed"))?;
    Ok((
        SecretBytes::copy_from_slice(pkcs8.as_ref()),
        public.as_ref().to_vec(),
    ))
}

/// The key material wrapped in `encrypted` with `algorithm` under the wrapping key
/// `private_key` (PKCS#8 DER). Anything that does not unwrap is AWS's
/// `InvalidCiphertextException`.
pub(crate) fn unwrap(
    algorithm: &AlgorithmSpec,
    private_key: &SecretBytes,
    encrypted: &[u8],
) -> Result<SecretBytes> {
    let (oaep, aes_first) = scheme(algorithm)?;
    let key = PrivateDecryptingKey::from_pkcs8(private_key.expose_secret())
        .map_err(|_| internal("a stored wrapping key does not parse"))?;
    let key = OaepPrivateDecryptingKey::new(key)
        .map_err(|_| internal("a stored wrapping key does not decrypt"))?;
    let modulus = key.key_size_bytes();
    let (rsa_part, wrapped) = if aes_first {
        if encrypted.len() <= modulus {
            return Err(Error::InvalidCiphertext);
        }
        encrypted.split_at(modulus)
    } else {
        (encrypted, &[][..])
    };
    if rsa_part.len() != modulus {
        return Err(Error::InvalidCiphertext);
    }
    let mut buffer = Zeroizing::new(vec![0; key.min_output_size()]);
    let opened = key
        .decrypt(oaep, rsa_part, &mut buffer, None)
        .map_err(|_| Error::InvalidCiphertext)?;
    if !aes_first {
        return Ok(SecretBytes::copy_from_slice(opened));
    }
    if opened.len() != AES_KEY_LEN {
        return Err(Error::InvalidCiphertext);
    }
    let kek = AesKek::new(&AES_256, opened).map_err(|_| Error::InvalidCiphertext)?;
    let mut output = Zeroizing::new(vec![0; wrapped.len()]);
    let material = kek
        .unwrap_with_padding(wrapped, &mut output)
        .map_err(|_| Error::InvalidCiphertext)?;
    Ok(SecretBytes::copy_from_slice(material))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey};

    use super::*;

    /// Wraps `material` as a client following AWS's guide would.
    pub(crate) fn wrap(algorithm: &AlgorithmSpec, public_key: &[u8], material: &[u8]) -> Vec<u8> {
        let (oaep, aes_first) = scheme(algorithm).unwrap();
        let public =
            OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_key).unwrap())
                .unwrap();
        let encrypt = |plaintext: &[u8]| {
            let mut out = vec![0; public.ciphertext_size()];
            public
                .encrypt(oaep, plaintext, &mut out, None)
                .unwrap()
                .to_vec()
        };
        if !aes_first {
            return encrypt(material);
        }
        let aes_key = [7u8; 32];
        let kek = AesKek::new(&AES_256, &aes_key).unwrap();
        let mut wrapped = vec![0; material.len() + 16];
        let wrapped = kek
            .wrap_with_padding(material, &mut wrapped)
            .unwrap()
            .to_vec();
        [encrypt(&aes_key), wrapped].concat()
    }

    #[test]
    fn every_algorithm_unwraps_what_it_wrapped_and_nothing_else() {
        let (private_key, public_key) = generate(&WrappingKeySpec::Rsa2048).unwrap();
        for algorithm in [
            AlgorithmSpec::RsaesOaepSha1,
            AlgorithmSpec::RsaesOaepSha256,
            AlgorithmSpec::RsaAesKeyWrapSha1,
            AlgorithmSpec::RsaAesKeyWrapSha256,
        ] {
            let material = [42u8; 33];
            let wrapped = wrap(&algorithm, &public_key, &material);
            let unwrapped = unwrap(&algorithm, &private_key, &wrapped).unwrap();
            assert_eq!(unwrapped.expose_secret(), material, "{algorithm}");

            let mut damaged = wrapped.clone();
            let last = damaged.len() - 1;
            damaged[last] ^= 1;
            let err = unwrap(&algorithm, &private_key, &damaged).unwrap_err();
            assert_eq!(err.code(), "InvalidCiphertextException", "{algorithm}");
            let err = unwrap(&algorithm, &private_key, &wrapped[..100]).unwrap_err();
            assert_eq!(err.code(), "InvalidCiphertextException", "{algorithm}");
        }
        // SHA-1 wrapping does not open as SHA-256.
        let wrapped = wrap(&AlgorithmSpec::RsaesOaepSha1, &public_key, &[1; 32]);
        let err = unwrap(&AlgorithmSpec::RsaesOaepSha256, &private_key, &wrapped).unwrap_err();
        assert_eq!(err.code(), "InvalidCiphertextException");
    }

    #[test]
    fn refused_algorithms_and_specs_are_named() {
        for algorithm in [AlgorithmSpec::RsaesPkcs1V15, AlgorithmSpec::Sm2Pke] {
            let err = scheme(&algorithm).unwrap_err();
            assert!(
                err.message().contains(algorithm.as_str()),
                "{}",
                err.message()
            );
        }
        let err = generate(&WrappingKeySpec::Sm2).unwrap_err();
        assert!(err.message().contains("SM2"), "{}", err.message());
        assert_eq!(
            max_oaep_material(&AlgorithmSpec::RsaesOaepSha256, &WrappingKeySpec::Rsa2048).unwrap(),
            190
        );
    }
}
