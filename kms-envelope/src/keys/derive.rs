//! The content key: derived from the data key, committed to, and used to seal and open.

use aws_lc_rs::aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::hkdf;
use kms_core::SecretBytes;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::header::{COMMIT_KEY_LEN, IV_LEN, TAG_LEN};
use crate::suite::{AlgorithmSuite, Kdf};

/// An HKDF output length.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// The AES-GCM key that seals and opens the header tag and the body of one message.
///
/// The key bytes live inside aws-lc, which wipes them when the key is dropped; the derived
/// bytes are wiped as soon as the key is built.
pub(crate) struct ContentKey(LessSafeKey);

impl std::fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContentKey([REDACTED])")
    }
}

/// The keys of one message.
#[derive(Debug)]
pub(crate) struct MessageKeys {
    pub(crate) content: ContentKey,
    /// The commit key of format 2 suites.
    pub(crate) commit_key: Option<[u8; COMMIT_KEY_LEN]>,
}

/// Derives the content key (and the commit key) of a message from its data key.
pub(crate) fn derive_keys(
    suite: AlgorithmSuite,
    data_key: &SecretBytes,
    message_id: &[u8],
) -> Result<MessageKeys> {
    if data_key.len() != suite.key_len() {
        return Err(Error::invalid(format!(
            "a data key of {} bytes for suite {suite}, which needs {}",
            data_key.len(),
            suite.key_len()
        )));
    }
    let ikm = data_key.expose_secret();
    let mut derived = Zeroizing::new(vec![0u8; suite.key_len()]);
    let suite_id = suite.id().to_be_bytes();
    let mut commit_key = None;
    let fail = |_| Error::invalid("key derivation failed");
    match suite.kdf() {
        Kdf::Identity => derived.copy_from_slice(ikm),
        Kdf::HkdfSha256 | Kdf::HkdfSha384 => {
            let (algorithm, hash_len) = if suite.kdf() == Kdf::HkdfSha256 {
                (hkdf::HKDF_SHA256, 32)
            } else {
                (hkdf::HKDF_SHA384, 48)
            };
            let salt = hkdf::Salt::new(algorithm, &[0u8; 48][..hash_len]);
            salt.extract(ikm)
                .expand(&[&suite_id, message_id], Len(derived.len()))
                .map_err(fail)?
                .fill(&mut derived)
                .map_err(fail)?;
        }
        Kdf::HkdfSha512Commit => {
            let prk = hkdf::Salt::new(hkdf::HKDF_SHA512, message_id).extract(ikm);
            prk.expand(&[&suite_id, b"DERIVEKEY"], Len(derived.len()))
                .map_err(fail)?
                .fill(&mut derived)
                .map_err(fail)?;
            let mut commit = [0u8; COMMIT_KEY_LEN];
            prk.expand(&[b"COMMITKEY"], Len(COMMIT_KEY_LEN))
                .map_err(fail)?
                .fill(&mut commit)
                .map_err(fail)?;
            commit_key = Some(commit);
        }
    }
    let algorithm = match suite.key_len() {
        16 => &AES_128_GCM,
        24 => &AES_192_GCM,
        _ => &AES_256_GCM,
    };
    let key =
        UnboundKey::new(algorithm, &derived).map_err(|_| Error::invalid("bad content key"))?;
    Ok(MessageKeys {
        content: ContentKey(LessSafeKey::new(key)),
        commit_key,
    })
}

impl MessageKeys {
    /// Checks, in constant time, that the message's commit key is the one derived here.
    pub(crate) fn check_commitment(&self, stored: Option<&[u8; COMMIT_KEY_LEN]>) -> Result<()> {
        match (&self.commit_key, stored) {
            (Some(derived), Some(stored)) if verify_slices_are_equal(derived, stored).is_ok() => {
                Ok(())
            }
            (None, None) => Ok(()),
            _ => Err(Error::Authentication),
        }
    }
}

impl ContentKey {
    /// The tag of an empty plaintext under `aad`: the header authentication.
    pub(crate) fn tag_of(&self, iv: [u8; IV_LEN], aad: &[u8]) -> Result<[u8; TAG_LEN]> {
        let tag = self
            .0
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), &mut [])
            .map_err(|_| Error::invalid("sealing failed"))?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Checks a tag over an empty plaintext, in constant time.
    pub(crate) fn verify_tag(&self, iv: [u8; IV_LEN], aad: &[u8], tag: &[u8]) -> Result<()> {
        self.0
            .open_separate_gather(
                Nonce::assume_unique_for_key(iv),
                Aad::from(aad),
                &[],
                tag,
                &mut [],
            )
            .map_err(|_| Error::Authentication)
    }

    /// Seals `plaintext` into `ciphertext_and_tag`, which is exactly 16 bytes longer.
    pub(crate) fn seal_into(
        &self,
        iv: [u8; IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
        ciphertext_and_tag: &mut [u8],
    ) -> Result<()> {
        let (ciphertext, tag) = ciphertext_and_tag
            .split_at_mut_checked(plaintext.len())
            .ok_or_else(|| Error::invalid("output buffer too short"))?;
        self.0
            .seal_out_of_place_scatter(
                Nonce::assume_unique_for_key(iv),
                Aad::from(aad),
                plaintext,
                ciphertext,
                &[],
                tag,
            )
            .map_err(|_| Error::invalid("sealing failed"))
    }

    /// Seals `in_out` in place and returns the tag.
    pub(crate) fn seal_in_place(
        &self,
        iv: [u8; IV_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let tag = self
            .0
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), in_out)
            .map_err(|_| Error::invalid("sealing failed"))?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Opens `ciphertext` with `tag` into `plaintext` (of the same length). On failure the
    /// output is wiped, so no unauthenticated byte remains in it.
    pub(crate) fn open_into(
        &self,
        iv: [u8; IV_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
        plaintext: &mut [u8],
    ) -> Result<()> {
        let result = self.0.open_separate_gather(
            Nonce::assume_unique_for_key(iv),
            Aad::from(aad),
            ciphertext,
            tag,
            plaintext,
        );
        if result.is_err() {
            plaintext.fill(0);
            return Err(Error::Authentication);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_default()
    }

    #[test]
    fn commit_key_matches_the_published_known_answer() {
        // Commitment test vector 1 of the AWS Encryption SDK (Python repository).
        let dek = SecretBytes::from(b64("+p6+whPVw9kOrYLZFMRBJ2n6Vli6T/7TkjDouS+25s0="));
        let message_id = b64("TfvRMU2dVZJbgXIyxeNtbj5eIw8BiTDiwsHyQ/Z9wXk=");
        let keys = derive_keys(AlgorithmSuite::default(), &dek, &message_id);
        let commit = keys.ok().and_then(|k| k.commit_key).map(Vec::from);
        assert_eq!(
            commit,
            Some(b64("F88I9zPbUQSfOlzLXv+uIY2+m/E6j2PMsbgeHVH/L0w="))
        );
    }

    #[test]
    fn a_wrong_length_data_key_is_refused() {
        let dek = SecretBytes::from(vec![0; 16]);
        assert!(derive_keys(AlgorithmSuite::default(), &dek, &[0; 32]).is_err());
    }
}
