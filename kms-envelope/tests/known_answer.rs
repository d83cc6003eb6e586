//! A known answer, annotated byte by byte: vector 1 ("Non-KMS key provider") of the AWS
//! Encryption SDK's key-commitment test vectors, a 237-byte message with a raw AES keyring
//! (namespace `ProviderName`, key `KeyId`, 32 zero bytes), an empty encryption context and
//! the plaintext `GoodCommitment`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kms_core::SecretBytes;
use kms_envelope::{
    AlgorithmSuite, ContentType, Decryptor, EncryptedDataKey, Error, RawAesKeyring,
};

/// The message, field by field.
const FIELDS: &[(&str, &str)] = &[
    ("02", "version 2"),
    ("0478", "suite AES-256-GCM HKDF-SHA512 commit key"),
    (
        "4dfbd1314d9d55925b817232c5e36d6e3e5e230f018930e2c2c1f243f67dc179",
        "message id, 32 B",
    ),
    ("0000", "encryption context length 0: empty, no count"),
    ("0001", "one encrypted data key"),
    ("000c", "provider id length 12"),
    ("50726f76696465724e616d65", "provider id `ProviderName`"),
    ("0019", "provider info length 25"),
    ("4b65794964", "key name `KeyId`, not length-prefixed"),
    ("00000080", "tag length 128 bits"),
    ("0000000c", "IV length 12"),
    ("f8e6c737703bc967b0f83f7b", "wrapping IV"),
    ("0030", "encrypted data key length 48"),
    (
        "a13b77fc3cce242dd82d2a1eccb542ed84daaf76788184fe42e717f634d371ca\
         bd3c71ef1bf666ff3762e39dc0730be5",
        "AES-GCM(wrapping key, IV, AAD = empty context, data key) || tag",
    ),
    ("02", "content type: framed"),
    ("00001000", "frame length 4096"),
    (
        "17cf08f733db51049f3a5ccb5effae218dbe9bf13a8f63ccb1b81e1d51ff2f4c",
        "commit key",
    ),
    (
        "0ba90958fb908bd33df19cd38c21969e",
        "header tag: IV zero, AAD = header body",
    ),
    ("ffffffff", "final frame marker"),
    ("00000001", "sequence number 1"),
    (
        "000000000000000000000001",
        "IV: 8 zero bytes || sequence number",
    ),
    ("0000000e", "content length 14"),
    (
        "49904a1c74694f05ce15341519aa",
        "ciphertext of `GoodCommitment`",
    ),
    ("575e3e42c1704ca2e041dae71a209566", "frame tag"),
];

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0))
        .collect()
}

fn message() -> Vec<u8> {
    FIELDS.iter().flat_map(|(bytes, _)| hex(bytes)).collect()
}

fn keyring() -> Arc<RawAesKeyring> {
    Arc::new(RawAesKeyring::new("ProviderName", "KeyId", SecretBytes::from(vec![0; 32])).unwrap())
}

#[tokio::test]
async fn decrypts_the_annotated_message() {
    let message = message();
    assert_eq!(message.len(), 237);
    let decrypted = Decryptor::new(keyring()).decrypt(&message).await.unwrap();
    assert_eq!(decrypted.plaintext(), b"GoodCommitment");
    let header = decrypted.header();
    assert_eq!(header.version(), 2);
    assert_eq!(header.suite(), AlgorithmSuite::Aes256GcmHkdfSha512CommitKey);
    assert_eq!(header.message_id(), hex(FIELDS[2].0));
    assert!(header.encryption_context().is_empty());
    assert_eq!(header.content_type(), ContentType::Framed);
    assert_eq!(header.frame_length(), 4096);
    let mut info = b"KeyId".to_vec();
    info.extend(hex("00000080 0000000c f8e6c737703bc967b0f83f7b"));
    assert_eq!(
        header.encrypted_data_keys(),
        [EncryptedDataKey::new(
            "ProviderName".into(),
            info,
            hex(FIELDS[13].0)
        )]
    );
}

#[tokio::test]
async fn each_field_is_covered_by_authentication() {
    let message = message();
    let mut offset = 0;
    for (bytes, what) in FIELDS {
        let len = hex(bytes).len();
        let mut altered = message.clone();
        altered[offset + len - 1] ^= 0x01;
        let result = Decryptor::new(keyring()).decrypt(&altered).await;
        assert!(result.is_err(), "altering `{what}` went unnoticed");
        offset += len;
    }
}

#[tokio::test]
async fn a_wrong_wrapping_key_finds_no_data_key() {
    let other =
        RawAesKeyring::new("ProviderName", "KeyId", SecretBytes::from(vec![1; 32])).unwrap();
    let result = Decryptor::new(Arc::new(other)).decrypt(&message()).await;
    assert!(matches!(result, Err(Error::NoDataKey { failures }) if failures.len() == 1));
}
