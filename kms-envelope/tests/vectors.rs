//! The official AWS Encryption SDK test vectors (see `tests/data/esdk/README.md`): every
//! message that must decrypt does, to the expected plaintext, through the one-shot API and the
//! streaming reader; every message that must fail does, for the reason its manifest or the
//! SDK's changelog gives (a table of reasons; a vector missing from it fails the test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use kms_core::{EncryptionContext, SecretBytes};
use kms_envelope::{
    CommitmentPolicy, DecryptionMaterials, Decryptor, EncryptedDataKey, EncryptionMaterials, Error,
    Keyring, MultiKeyring, RawAesKeyring, RawRsaKeyring, Result, RsaPadding,
};
use serde_json::Value;
use tokio::io::AsyncReadExt;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/esdk")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

fn file_url(dir: &Path, url: &Value) -> PathBuf {
    let url = url.as_str().unwrap_or_default();
    dir.join(url.strip_prefix("file://").unwrap_or(url))
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The keyring for one master key of a manifest, or `None` for an AWS KMS key.
fn keyring_for(master_key: &Value, keys: &Value) -> Option<Arc<dyn Keyring>> {
    if str_field(master_key, "type") != "raw" {
        return None;
    }
    let key = keys.get("keys")?.get(str_field(master_key, "key"))?;
    let provider = str_field(master_key, "provider-id");
    let name = str_field(key, "key-id");
    let material = str_field(key, "material");
    match str_field(master_key, "encryption-algorithm") {
        "aes" => {
            let bytes = B64.decode(material).ok()?;
            Some(Arc::new(
                RawAesKeyring::new(provider, name, SecretBytes::from(bytes)).ok()?,
            ))
        }
        "rsa" => {
            let padding = match (
                str_field(master_key, "padding-algorithm"),
                str_field(master_key, "padding-hash"),
            ) {
                ("pkcs1", _) => RsaPadding::Pkcs1,
                (_, "sha1") => RsaPadding::OaepSha1,
                (_, "sha256") => RsaPadding::OaepSha256,
                (_, "sha384") => RsaPadding::OaepSha384,
                _ => RsaPadding::OaepSha512,
            };
            let keyring = RawRsaKeyring::new(provider, name, padding).ok()?;
            let keyring = if str_field(key, "type") == "private" {
                keyring.with_private_key_pem(material).ok()?
            } else {
                keyring.with_public_key_pem(material).ok()?
            };
            Some(Arc::new(keyring))
        }
        other => panic!("unknown algorithm {other}"),
    }
}

#[derive(Debug, Default)]
struct Tally {
    decrypted: usize,
    failed_as_expected: usize,
    kms_only_parsed: usize,
}

/// Why a vector of a manifest must fail: the rows of [`INVALID_NET_4_0_0`].
struct InvalidVectors {
    /// The algorithm suites (the first field of a test's name, e.g. `0114`).
    suites: &'static [&'static str],
    /// The CMM that wrote them (the `cmm_` field of the name).
    cmm: &'static str,
    /// What is wrong with them.
    defect: &'static str,
    /// The header's additional data ends in `00 00` (the default CMM's defect).
    extra_zero_bytes: bool,
    /// The key derivation's info lacks the message ID (the HKDF suites' defect).
    info_without_message_id: bool,
}

/// Every vector of `invalid-Net-4.0.0`, by suite and CMM, with its defect. Its manifest gives
/// no reason; the ESDK-NET changelog for 4.0.1 (`aws/aws-encryption-sdk`,
/// `AwsEncryptionSDK/runtimes/net/CHANGELOG.md`) names the two defects of 4.0.0: with the
/// default CMM the header's additional data ends in two extra bytes `00 00`, and for the
/// non-committing suites with HKDF the key derivation's info lacks the message ID. Either one
/// breaks the header authentication tag, so every vector must fail authentication at the
/// header, before any frame is read: no keyring failure (the raw AES key unwraps the data
/// key), no context mismatch (the required-context vectors' pairs are the right ones), no
/// parse error.
const INVALID_NET_4_0_0: &[InvalidVectors] = &[
    InvalidVectors {
        suites: &["0014", "0046", "0078"],
        cmm: "Default",
        defect: "header tag over the header and 00 00 (no key derivation in these suites)",
        extra_zero_bytes: true,
        info_without_message_id: false,
    },
    InvalidVectors {
        suites: &["0114", "0146", "0178", "0214", "0346", "0378"],
        cmm: "Default",
        defect: "header tag over the header and 00 00, under a key derived without the message ID",
        extra_zero_bytes: true,
        info_without_message_id: true,
    },
    InvalidVectors {
        suites: &["0114", "0146", "0178", "0214", "0346", "0378"],
        cmm: "RequiredEncryptionContext",
        defect: "header tag under a content key derived without the message ID",
        extra_zero_bytes: false,
        info_without_message_id: true,
    },
    InvalidVectors {
        suites: &["0478", "0578"],
        cmm: "Default",
        defect: "header tag over the header and 00 00 (the key commitment is right: these \
                 suites derive with the message ID as the salt)",
        extra_zero_bytes: true,
        info_without_message_id: false,
    },
];

/// The row of [`INVALID_NET_4_0_0`] a test belongs to, by its name (`SUITE-ec_len_N-cmm_CMM-UUID`).
fn invalid_row(test_name: &str) -> Option<&'static InvalidVectors> {
    let suite = test_name.split('-').next()?;
    let cmm = test_name.split("-cmm_").nth(1)?.split('-').next()?;
    let mut rows = INVALID_NET_4_0_0
        .iter()
        .filter(|row| row.cmm == cmm && row.suites.contains(&suite));
    let row = rows.next()?;
    assert!(rows.next().is_none(), "{test_name} is in two rows");
    Some(row)
}

/// The error of opening a streaming reader on `message`: the header stage alone.
async fn header_error(decryptor: &Decryptor, message: &[u8]) -> Option<Error> {
    decryptor.decrypting_reader(message).await.err()
}

/// Runs every test of a decrypt manifest; `must_fail` inverts the expectations.
async fn run_manifest(name: &str, must_fail: bool) -> Tally {
    let dir = data_dir().join(name);
    let manifest = read_json(&dir.join("manifest.json"));
    let keys = read_json(&file_url(&dir, &manifest["keys"]));
    let tests = manifest["tests"].as_object().cloned().unwrap_or_default();
    assert!(!tests.is_empty(), "{name}: no tests");
    let mut tally = Tally::default();
    for (test_name, test) in &tests {
        let ciphertext = std::fs::read(file_url(&dir, &test["ciphertext"])).unwrap_or_default();
        assert!(!ciphertext.is_empty(), "{test_name}: no ciphertext");
        let master_keys = test["master-keys"].as_array().cloned().unwrap_or_default();
        let keyrings: Vec<Arc<dyn Keyring>> = master_keys
            .iter()
            .filter_map(|mk| keyring_for(mk, &keys))
            .collect();
        let mut multi = MultiKeyring::new(None);
        for keyring in &keyrings {
            multi = multi.with_child(keyring.clone());
        }
        let context: BTreeMap<String, String> = test
            .get("encryption-context")
            .and_then(|c| serde_json::from_value(c.clone()).ok())
            .unwrap_or_default();
        let decryptor = Decryptor::new(Arc::new(multi))
            .with_commitment_policy(CommitmentPolicy::RequireEncryptAllowDecrypt)
            .with_required_encryption_context(EncryptionContext::from(context));

        let one_shot = decryptor.decrypt(&ciphertext).await;
        let streamed = stream_decrypt(&decryptor, &ciphertext).await;
        if keyrings.is_empty() {
            // An AWS KMS key: the message parses, and no configured key matches it.
            assert!(
                matches!(&one_shot, Err(Error::NoDataKey { failures }) if failures.is_empty()),
                "{name}/{test_name}: {one_shot:?}"
            );
            tally.kms_only_parsed += 1;
            continue;
        }
        if must_fail {
            let row = invalid_row(test_name).unwrap_or_else(|| {
                panic!("{name}/{test_name} is not in INVALID_NET_4_0_0: say why it must fail")
            });
            let why = row.defect;
            assert!(
                matches!(one_shot, Err(Error::Authentication)),
                "{name}/{test_name} ({why}) must fail authentication: {one_shot:?}"
            );
            assert!(
                matches!(streamed, Err(Error::Authentication)),
                "{name}/{test_name} ({why}) streamed: {streamed:?}"
            );
            let header = header_error(&decryptor, &ciphertext).await;
            assert!(
                matches!(header, Some(Error::Authentication)),
                "{name}/{test_name} ({why}) must fail at the header: {header:?}"
            );
            tally.failed_as_expected += 1;
            continue;
        }
        let expected = std::fs::read(file_url(&dir, &test["result"]["output"]["plaintext"]))
            .unwrap_or_default();
        match one_shot {
            Ok(decrypted) => assert!(decrypted.plaintext() == expected, "{name}/{test_name}"),
            Err(err) => panic!("{name}/{test_name}: {err}"),
        }
        match streamed {
            Ok(plaintext) => assert!(plaintext == expected, "{name}/{test_name} streamed"),
            Err(err) => panic!("{name}/{test_name} streamed: {err}"),
        }
        tally.decrypted += 1;
    }
    tally
}

/// Decrypts through the streaming reader, reading in odd-sized pieces.
async fn stream_decrypt(decryptor: &Decryptor, message: &[u8]) -> Result<Vec<u8>> {
    let mut reader = decryptor.decrypting_reader(message).await?;
    let mut plaintext = Vec::new();
    let mut buf = [0u8; 777];
    loop {
        let read = reader.read(&mut buf).await.map_err(Error::from_io)?;
        if read == 0 {
            return Ok(plaintext);
        }
        plaintext.extend_from_slice(&buf[..read]);
    }
}

#[tokio::test]
async fn v4_net_4_0_1_decrypts_every_raw_key_vector() {
    let tally = run_manifest("v4-Net-4.0.1", false).await;
    assert_eq!(tally.decrypted, 99, "{tally:?}");
    assert_eq!(tally.kms_only_parsed, 33, "{tally:?}");
}

#[tokio::test]
async fn valid_net_4_0_0_decrypts() {
    let tally = run_manifest("valid-Net-4.0.0", false).await;
    assert_eq!(tally.decrypted, 5, "{tally:?}");
}

#[tokio::test]
async fn invalid_net_4_0_0_all_fail() {
    let tally = run_manifest("invalid-Net-4.0.0", true).await;
    assert_eq!(tally.failed_as_expected, 28, "{tally:?}");
}

/// A keyring that hands out one known data key, as the commitment vectors publish it.
#[derive(Debug)]
struct KnownDataKey(Vec<u8>);

#[async_trait]
impl Keyring for KnownDataKey {
    async fn on_encrypt(&self, _: EncryptionMaterials) -> Result<EncryptionMaterials> {
        Err(Error::NoDataKey {
            failures: Vec::new(),
        })
    }

    async fn on_decrypt(
        &self,
        mut materials: DecryptionMaterials,
        _: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        materials.set_data_key(SecretBytes::from(self.0.as_slice()))?;
        Ok(materials)
    }
}

#[tokio::test]
async fn the_46_commitment_vectors_give_their_expected_result() {
    let file = read_json(&data_dir().join("commitment-test-vectors.json"));
    let tests = file["tests"].as_array().cloned().unwrap_or_default();
    assert_eq!(tests.len(), 46);
    let (mut passed, mut failed) = (0, 0);
    for (index, test) in tests.iter().enumerate() {
        let number = index + 1;
        let ciphertext = B64
            .decode(str_field(test, "ciphertext").trim())
            .unwrap_or_default();
        let dek = B64
            .decode(str_field(test, "decrypted-dek"))
            .unwrap_or_default();
        let decryptor = Decryptor::new(Arc::new(KnownDataKey(dek)))
            .with_commitment_policy(CommitmentPolicy::RequireEncryptAllowDecrypt);
        let one_shot = decryptor.decrypt(&ciphertext).await;
        let streamed = stream_decrypt(&decryptor, &ciphertext).await;
        if test["status"].as_bool() == Some(true) {
            let expected: String = test["plaintext-frames"]
                .as_array()
                .map(|frames| frames.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match one_shot {
                Ok(decrypted) => {
                    assert_eq!(
                        decrypted.plaintext(),
                        expected.as_bytes(),
                        "vector {number}"
                    );
                    let context = decrypted.encryption_context();
                    if let Some(pairs) = test["encryption-context"].as_object() {
                        for (key, value) in pairs {
                            assert_eq!(context.get(key), value.as_str(), "vector {number}");
                        }
                    }
                }
                Err(err) => panic!("vector {number}: {err}"),
            }
            assert_eq!(
                streamed.ok().as_deref(),
                Some(expected.as_bytes()),
                "vector {number}"
            );
            passed += 1;
        } else {
            // The one reason these vectors give for failing; any other must be added here.
            assert_eq!(
                str_field(test, "exception"),
                "EXCEPTION: Invalid commitment",
                "vector {number}: an expected failure this test does not know"
            );
            assert!(
                matches!(one_shot, Err(Error::Authentication)),
                "vector {number} must fail the commitment check: {one_shot:?}"
            );
            assert!(
                matches!(streamed, Err(Error::Authentication)),
                "vector {number} streamed: {streamed:?}"
            );
            let header = header_error(&decryptor, &ciphertext).await;
            assert!(
                matches!(header, Some(Error::Authentication)),
                "vector {number} must fail at the header: {header:?}"
            );
            failed += 1;
        }
    }
    assert_eq!((passed, failed), (41, 5));
}

#[tokio::test]
async fn the_default_policy_refuses_legacy_and_non_framed_messages() {
    let file = read_json(&data_dir().join("commitment-test-vectors.json"));
    // Vector 28 is a non-framed message written by the C SDK.
    let test = &file["tests"][27];
    let ciphertext = B64
        .decode(str_field(test, "ciphertext"))
        .unwrap_or_default();
    let dek = B64
        .decode(str_field(test, "decrypted-dek"))
        .unwrap_or_default();
    let strict = Decryptor::new(Arc::new(KnownDataKey(dek)));
    let err = strict.decrypt(&ciphertext).await.err();
    assert!(
        matches!(err, Some(Error::CommitmentPolicy { .. })),
        "{err:?}"
    );

    let dir = data_dir().join("v4-Net-4.0.1");
    let legacy = std::fs::read_dir(dir.join("ciphertexts"))
        .into_iter()
        .flatten()
        .flatten()
        .find(|entry| entry.file_name().to_string_lossy().starts_with("0178-"))
        .map(|entry| std::fs::read(entry.path()).unwrap_or_default())
        .unwrap_or_default();
    let err = strict.decrypt(&legacy).await.err();
    assert!(
        matches!(err, Some(Error::CommitmentPolicy { .. })),
        "{err:?}"
    );
}

/// A keyring that records the data key its inner keyring decrypts.
#[derive(Debug)]
struct Recording {
    inner: Arc<dyn Keyring>,
    data_key: std::sync::Mutex<Option<SecretBytes>>,
}

#[async_trait]
impl Keyring for Recording {
    async fn on_encrypt(&self, materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        self.inner.on_encrypt(materials).await
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        edks: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        let materials = self.inner.on_decrypt(materials, edks).await?;
        if let Some(key) = materials.data_key() {
            *self.data_key.lock().unwrap() =
                Some(SecretBytes::copy_from_slice(key.expose_secret()));
        }
        Ok(materials)
    }
}

/// The parts of a message header the header tag covers and checks.
struct HeaderParts<'a> {
    suite: u16,
    message_id: &'a [u8],
    /// Everything the tag authenticates (the header up to its IV or tag).
    body: &'a [u8],
    iv: [u8; 12],
    tag: &'a [u8],
}

/// Splits the header of a version 1 or 2 message (framed, as all these vectors are).
fn header_parts(message: &[u8]) -> HeaderParts<'_> {
    let u16_at = |pos: usize| usize::from(u16::from_be_bytes([message[pos], message[pos + 1]]));
    let version = message[0];
    let (suite_at, id_len) = if version == 1 { (2, 16) } else { (1, 32) };
    let suite = u16::from_be_bytes([message[suite_at], message[suite_at + 1]]);
    let id_at = suite_at + 2;
    let mut pos = id_at + id_len;
    pos += 2 + u16_at(pos);
    let keys = u16_at(pos);
    pos += 2;
    for _ in 0..keys {
        for _ in 0..3 {
            pos += 2 + u16_at(pos);
        }
    }
    pos += 1; // content type
    let mut iv = [0u8; 12];
    if version == 1 {
        pos += 4 + 1 + 4; // reserved, IV length, frame length
        iv.copy_from_slice(&message[pos..pos + 12]);
        let body = &message[..pos];
        let tag = &message[pos + 12..pos + 28];
        return HeaderParts {
            suite,
            message_id: &message[id_at..id_at + id_len],
            body,
            iv,
            tag,
        };
    }
    pos += 4 + 32; // frame length, commit key
    HeaderParts {
        suite,
        message_id: &message[id_at..id_at + id_len],
        body: &message[..pos],
        iv,
        tag: &message[pos..pos + 16],
    }
}

/// An HKDF output length.
struct Len(usize);

impl aws_lc_rs::hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// The content key of `suite`, derived from `data_key` as the specification says, or with
/// the message ID left out of the non-committing suites' info as ESDK-NET 4.0.0 did.
fn content_key(suite: u16, data_key: &[u8], message_id: &[u8], with_message_id: bool) -> Vec<u8> {
    use aws_lc_rs::hkdf::{HKDF_SHA256, HKDF_SHA384, HKDF_SHA512, Salt};
    let key_len = match suite {
        0x0014 | 0x0114 | 0x0214 => 16,
        0x0046 | 0x0146 | 0x0346 => 24,
        _ => 32,
    };
    let id = suite.to_be_bytes();
    let (salt, info): (Salt, Vec<&[u8]>) = match suite {
        0x0014 | 0x0046 | 0x0078 => return data_key.to_vec(),
        0x0478 | 0x0578 => (
            Salt::new(HKDF_SHA512, message_id),
            vec![&id[..], b"DERIVEKEY"],
        ),
        _ => {
            let algorithm = if suite >= 0x0346 {
                HKDF_SHA384
            } else {
                HKDF_SHA256
            };
            let info = if with_message_id {
                vec![&id[..], message_id]
            } else {
                vec![&id[..]]
            };
            (Salt::new(algorithm, &[]), info)
        }
    };
    let mut out = vec![0u8; key_len];
    salt.extract(data_key)
        .expand(&info, Len(key_len))
        .unwrap()
        .fill(&mut out)
        .unwrap();
    out
}

/// The header tag under `key` over `aad`.
fn header_tag(key: &[u8], iv: [u8; 12], aad: &[u8]) -> Vec<u8> {
    use aws_lc_rs::aead::{
        AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey,
    };
    let algorithm = match key.len() {
        16 => &AES_128_GCM,
        24 => &AES_192_GCM,
        _ => &AES_256_GCM,
    };
    let key = LessSafeKey::new(UnboundKey::new(algorithm, key).unwrap());
    key.seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), &mut [])
        .unwrap()
        .as_ref()
        .to_vec()
}

#[tokio::test]
async fn each_invalid_vector_carries_exactly_its_defect() {
    let dir = data_dir().join("invalid-Net-4.0.0");
    let manifest = read_json(&dir.join("manifest.json"));
    let keys = read_json(&file_url(&dir, &manifest["keys"]));
    let tests = manifest["tests"].as_object().cloned().unwrap_or_default();
    assert_eq!(tests.len(), 28);
    for (test_name, test) in &tests {
        let row = invalid_row(test_name).unwrap_or_else(|| panic!("{test_name}: not in the table"));
        let message = std::fs::read(file_url(&dir, &test["ciphertext"])).unwrap();
        let master_key = &test["master-keys"][0];
        let recording = Arc::new(Recording {
            inner: keyring_for(master_key, &keys).unwrap(),
            data_key: std::sync::Mutex::new(None),
        });
        let context: BTreeMap<String, String> =
            serde_json::from_value(test["encryption-context"].clone()).unwrap();
        let required = EncryptionContext::from(context);
        let decryptor = Decryptor::new(recording.clone())
            .with_commitment_policy(CommitmentPolicy::RequireEncryptAllowDecrypt)
            .with_required_encryption_context(required.clone());
        assert!(decryptor.decrypt(&message).await.is_err(), "{test_name}");
        let data_key = recording.data_key.lock().unwrap().take();
        let data_key = data_key.unwrap_or_else(|| panic!("{test_name}: the key did not unwrap"));

        let parts = header_parts(&message);
        // The pairs the message does not store are reproduced into the additional data;
        // the required-context vectors store none of them.
        let reproduced = if row.cmm == "RequiredEncryptionContext" {
            required.canonical_bytes().unwrap()
        } else {
            Vec::new()
        };
        let build = |zero_bytes: bool, with_message_id: bool| {
            let mut aad = parts.body.to_vec();
            aad.extend_from_slice(&reproduced);
            if zero_bytes {
                aad.extend_from_slice(&[0, 0]);
            }
            let key = content_key(
                parts.suite,
                data_key.expose_secret(),
                parts.message_id,
                with_message_id,
            );
            header_tag(&key, parts.iv, &aad)
        };
        // Exactly the row's construction gives the message's tag (the info's message ID only
        // matters to the non-committing suites with HKDF).
        let info_matters = !matches!(parts.suite, 0x0014 | 0x0046 | 0x0078 | 0x0478 | 0x0578);
        for zero_bytes in [false, true] {
            for with_message_id in [false, true] {
                let expected = zero_bytes == row.extra_zero_bytes
                    && (!info_matters || with_message_id != row.info_without_message_id);
                let tag = build(zero_bytes, with_message_id);
                assert_eq!(
                    tag == parts.tag,
                    expected,
                    "{test_name} ({}): 00 00 {zero_bytes}, message ID in the info \
                     {with_message_id}",
                    row.defect
                );
            }
        }
    }
}
