//! Cache entry identifiers, as the AWS Encryption SDK specification computes them (caching
//! CMM v0.4.0): SHA-384 over the resource, the scope, the partition and the request.

use aws_lc_rs::digest;
use kms_core::EncryptionContext;

use crate::error::{Error, Result};
use crate::keyring::EncryptedDataKey;
use crate::suite::AlgorithmSuite;

/// A cache entry identifier: a SHA-384 digest.
pub(crate) type CacheId = [u8; 48];

/// The resource identifier of the caching CMM.
const RESOURCE_CACHING_CMM: u8 = 0x01;
/// The scope of encryption entries.
const SCOPE_ENCRYPT: u8 = 0x01;
/// The scope of decryption entries.
const SCOPE_DECRYPT: u8 = 0x02;
/// Marks an encryption request that names its algorithm suite.
const SUITE_PRESENT: u8 = 0x01;

/// `resource ‖ 0x00 ‖ scope ‖ 0x00 ‖ partition ‖ 0x00`, the start of every identifier.
fn prefix(scope: u8, partition: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(128);
    bytes.extend_from_slice(&[RESOURCE_CACHING_CMM, 0x00, scope, 0x00]);
    bytes.extend_from_slice(partition.as_bytes());
    bytes.push(0x00);
    bytes
}

fn finish(bytes: &[u8]) -> CacheId {
    let mut id = [0u8; 48];
    id.copy_from_slice(digest::digest(&digest::SHA384, bytes).as_ref());
    id
}

fn write_context(bytes: &mut Vec<u8>, context: &EncryptionContext) -> Result<()> {
    context
        .write_canonical(bytes)
        .map_err(|err| Error::invalid(err.message().to_owned()))
}

/// The identifier of encryption materials: `0x01 ‖ 0x00 ‖ suite id ‖ 0x00 ‖ context`.
pub(crate) fn encrypt_id(
    partition: &str,
    suite: AlgorithmSuite,
    context: &EncryptionContext,
) -> Result<CacheId> {
    let mut bytes = prefix(SCOPE_ENCRYPT, partition);
    bytes.extend_from_slice(&[SUITE_PRESENT, 0x00]);
    bytes.extend_from_slice(&suite.id().to_be_bytes());
    bytes.push(0x00);
    write_context(&mut bytes, context)?;
    Ok(finish(&bytes))
}

/// The identifier of decryption materials: `suite id ‖ 0x00 ‖ the serialized encrypted data
/// keys, sorted ‖ 0x00 ‖ context`.
pub(crate) fn decrypt_id(
    partition: &str,
    suite: AlgorithmSuite,
    encrypted_data_keys: &[EncryptedDataKey],
    context: &EncryptionContext,
) -> Result<CacheId> {
    let mut bytes = prefix(SCOPE_DECRYPT, partition);
    bytes.extend_from_slice(&suite.id().to_be_bytes());
    bytes.push(0x00);
    let mut serialized = encrypted_data_keys
        .iter()
        .map(serialize_edk)
        .collect::<Result<Vec<_>>>()?;
    serialized.sort();
    for edk in serialized {
        bytes.extend_from_slice(&edk);
    }
    bytes.push(0x00);
    write_context(&mut bytes, context)?;
    Ok(finish(&bytes))
}

/// An encrypted data key as the message header serializes it: three fields, each with a
/// 2-byte length.
fn serialize_edk(edk: &EncryptedDataKey) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for field in [
        edk.provider_id().as_bytes(),
        edk.provider_info(),
        edk.ciphertext(),
    ] {
        let len = u16::try_from(field.len())
            .map_err(|_| Error::invalid("an encrypted data key field longer than 65535 bytes"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edk(info: &[u8]) -> EncryptedDataKey {
        EncryptedDataKey::new("aws-kms".into(), info.to_vec(), vec![1, 2, 3])
    }

    #[test]
    fn ids_separate_partitions_scopes_suites_and_contexts() -> Result<()> {
        let suite = AlgorithmSuite::Aes256GcmHkdfSha512CommitKey;
        let signed = AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384;
        let context = EncryptionContext::from([("a", "b")]);
        let base = encrypt_id("p", suite, &context)?;
        assert_eq!(base, encrypt_id("p", suite, &context)?);
        assert_ne!(base, encrypt_id("q", suite, &context)?);
        assert_ne!(base, encrypt_id("p", signed, &context)?);
        assert_ne!(base, encrypt_id("p", suite, &EncryptionContext::new())?);
        assert_ne!(base, decrypt_id("p", suite, &[], &context)?);
        Ok(())
    }

    #[test]
    fn decrypt_ids_ignore_the_order_of_the_keys_but_not_the_keys() -> Result<()> {
        let suite = AlgorithmSuite::Aes256GcmHkdfSha512CommitKey;
        let context = EncryptionContext::new();
        let (a, b) = (edk(b"a"), edk(b"b"));
        let ab = decrypt_id("p", suite, &[a.clone(), b.clone()], &context)?;
        assert_eq!(ab, decrypt_id("p", suite, &[b, a.clone()], &context)?);
        assert_ne!(ab, decrypt_id("p", suite, &[a], &context)?);
        Ok(())
    }

    #[test]
    fn the_encrypt_id_is_the_sha384_of_the_specified_bytes() -> Result<()> {
        let context = EncryptionContext::from([("k", "v")]);
        let mut expected = vec![0x01, 0x00, 0x01, 0x00];
        expected.extend_from_slice(b"part");
        expected.extend_from_slice(&[0x00, 0x01, 0x00, 0x04, 0x78, 0x00]);
        expected.extend_from_slice(&[0, 1, 0, 1, b'k', 0, 1, b'v']);
        let digest = digest::digest(&digest::SHA384, &expected);
        let id = encrypt_id(
            "part",
            AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
            &context,
        )?;
        assert_eq!(&id[..], digest.as_ref());
        Ok(())
    }
}
