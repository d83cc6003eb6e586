//! Seed files: fixed key IDs and material that give the same keys on every machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use kms_core::{DescribeKeyRequest, EncryptionContext, KeyId, KeyState, Kms, KmsExt};
use kms_local::{LocalKms, SeedFile, insecure};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
// base64 of 32 bytes 0x01 and of 32 bytes 0x02.
const MATERIAL: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const ROTATED: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";

fn seed_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kms-seed-{name}-{}.toml", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

fn fixture() -> String {
    format!(
        r#"
[[keys]]
key_id = "{KEY_ID}"
description = "orders fixture"
material = "{MATERIAL}"
aliases = ["alias/orders"]
tags = {{ team = "payments" }}
"#
    )
}

#[tokio::test]
async fn a_seeded_key_decrypts_what_the_same_seed_encrypted_elsewhere() {
    let path = seed_file("twins", &fixture());
    let here = LocalKms::builder().seed_file(&path).build().unwrap();
    let elsewhere = LocalKms::builder().seed_file(&path).build().unwrap();
    let context = EncryptionContext::new().with("order", "7");
    let blob = here
        .encrypt_bytes("alias/orders", b"card", &context)
        .await
        .unwrap();
    let plaintext = elsewhere.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(plaintext.expose_secret(), b"card");

    let metadata = elsewhere
        .describe_key(DescribeKeyRequest::new(KeyId::parse(KEY_ID).unwrap()))
        .await
        .unwrap()
        .key_metadata;
    assert_eq!(metadata.description.as_deref(), Some("orders fixture"));
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn rotations_and_state_are_seeded() {
    let contents = format!(
        "[[keys]]\nkey_id = \"{KEY_ID}\"\nmaterial = \"{MATERIAL}\"\nrotations = [\"{ROTATED}\"]\nstate = \"Disabled\"\n"
    );
    let path = seed_file("rotations", &contents);
    let kms = LocalKms::builder().seed_file(&path).build().unwrap();
    let metadata = kms
        .describe_key(DescribeKeyRequest::new(KeyId::parse(KEY_ID).unwrap()))
        .await
        .unwrap()
        .key_metadata;
    assert_eq!(metadata.key_state, Some(KeyState::Disabled));
    let exported = insecure::export_seed(&kms, &[KeyId::parse(KEY_ID).unwrap()]).unwrap();
    assert_eq!(exported.keys[0].rotations, [ROTATED]);
    assert_eq!(exported.keys[0].material_ids.len(), 2);
    assert_eq!(
        metadata.current_key_material_id.as_deref(),
        Some(exported.keys[0].material_ids[1].as_str())
    );
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn seeding_a_store_again_adds_only_what_is_missing_and_refuses_conflicts() {
    let dir = std::env::temp_dir().join(format!("kms-seed-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let root_key = || kms_core::SecretBytes::from(&[6u8; 32]);
    let path = seed_file("again", &fixture());
    let open = |seed: &PathBuf| {
        LocalKms::builder()
            .path(&dir)
            .root_key(root_key())
            .seed_file(seed)
            .build()
    };
    let first = open(&path).unwrap();
    first
        .create_symmetric_key("made at run time")
        .await
        .unwrap();
    drop(first);
    assert_eq!(
        open(&path).unwrap().key_count(),
        2,
        "the seed is not added twice"
    );

    let other = fixture().replace(MATERIAL, ROTATED);
    let conflicting = seed_file("conflict", &other);
    let err = open(&conflicting).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("key {KEY_ID} exists with other key material")),
        "{err}"
    );

    let alias_clash = fixture().replace(KEY_ID, "00000000-0000-4000-8000-000000000000");
    let alias_path = seed_file("alias", &alias_clash);
    let err = open(&alias_path).unwrap_err();
    assert!(
        err.to_string().contains("alias alias/orders names key"),
        "{err}"
    );
    assert_eq!(
        open(&path).unwrap().key_count(),
        2,
        "a refused seed adds nothing"
    );

    for file in [path, conflicting, alias_path] {
        std::fs::remove_file(file).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_seed_file_is_named_with_the_place_of_the_error() {
    let path = seed_file("broken", "[[keys]]\nkey_id = 12\n");
    let err = LocalKms::builder().seed_file(&path).build().unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("line 2"), "{message}");

    let path2 = seed_file(
        "short",
        &format!("[[keys]]\nkey_id = \"{KEY_ID}\"\nmaterial = \"AQID\"\n"),
    );
    let err = LocalKms::builder().seed_file(&path2).build().unwrap_err();
    assert!(err.to_string().contains("not base64 of 32 bytes"), "{err}");
    std::fs::remove_file(path).unwrap();
    std::fs::remove_file(path2).unwrap();
}

#[test]
fn a_seed_never_shows_its_material() {
    let seed: SeedFile = toml::from_str(&fixture()).unwrap();
    let shown = format!("{seed:?}");
    assert!(!shown.contains(MATERIAL), "{shown}");
    assert!(shown.contains(KEY_ID));
}

/// The message of the signature fixtures below.
const SIGNED: &[u8] = b"signed once, verified on every machine";
/// An Ed25519 key and a P-256 key, PKCS#8 DER in base64, made once with `openssl genpkey`.
const ED25519_PKCS8: &str = "MC4CAQAwBQYDK2VwBCIEINhIzZcXe5qcwPhK3RxmHgVzRtGRYH07V6Bq7unPrSA7";
const P256_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtRE7wGxC4mBJvx/wrgEmjjBRW71URArnqDasS1cAhwuhRANCAAR78WJ63mISMN4dZk9UpyZzpHyRkosEOienwoNq8NAJx0qTcppXKRsOMOhZUwjvDf7lBnld7OZSkzatyhtvDb79";
/// Their public keys as `openssl pkey -pubout -outform DER` writes them (SPKI), base64.
const ED25519_SPKI: &str = "MCowBQYDK2VwAyEANEtQM9SNLoOBNzrvCbtQ13e5JceXftpm3x08u+aID+c=";
const P256_SPKI: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEe/Fiet5iEjDeHWZPVKcmc6R8kZKLBDonp8KDavDQCcdKk3KaVykbDjDoWVMI7w3+5QZ5XezmUpM2rcobbw2+/Q==";
/// Signatures of [`SIGNED`] made once by OpenSSL: `openssl pkeyutl -sign -rawin` (Ed25519)
/// and `openssl dgst -sha256 -sign` (ECDSA P-256, DER).
const ED25519_SIGNATURE: &str =
    "piOf6JsgJB9qxhmCxOFSdCAXfGm4zonZSy5obc0rveedEzLFUWQbe2bpJT31XEJDApeRWCbB4/ojO2MxPHdMDg==";
const P256_SIGNATURE: &str = "MEQCIBXBm4DkzfIcgriw3IB1BUiKBk0vnNDNtYRaHHKakylTAiAxBT+fqgO+lSkNJzg7dw9Fdg0fnFhLYkLUqscDQ8gORA==";
/// HMAC-SHA-256 of [`SIGNED`] under the 32 bytes 1, 2, …, 32 (Python's `hmac` module), hex.
const HMAC_256_OF_SIGNED: &str = "b7d20e260a0d39394390bde1243d859db9e4b1b91378608c4034c84e85743eff";

const ED25519_KEY: &str = "5eed0000-0000-4000-8000-000000025519";
const P256_KEY: &str = "5eed0000-0000-4000-8000-000000000256";
const HMAC_KEY: &str = "5eed0000-0000-4000-8000-0000000000ac";

fn signing_seed() -> String {
    use base64::Engine;
    let hmac_material =
        base64::engine::general_purpose::STANDARD.encode((1..=32).collect::<Vec<u8>>());
    format!(
        r#"
[[keys]]
key_id = "{ED25519_KEY}"
key_spec = "ECC_NIST_EDWARDS25519"
key_usage = "SIGN_VERIFY"
material = "{ED25519_PKCS8}"

[[keys]]
key_id = "{P256_KEY}"
key_spec = "ECC_NIST_P256"
key_usage = "SIGN_VERIFY"
material = "{P256_PKCS8}"
aliases = ["alias/p256-fixture"]

[[keys]]
key_id = "{HMAC_KEY}"
key_spec = "HMAC_256"
key_usage = "GENERATE_VERIFY_MAC"
material = "{hmac_material}"
"#
    )
}

fn base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[tokio::test]
async fn signatures_made_once_by_openssl_verify_with_seeded_keys() {
    use kms_core::{
        GetPublicKeyRequest, MessageType, SecretBytes, SignRequest, SigningAlgorithmSpec,
        VerifyRequest,
    };
    let seed: SeedFile = toml::from_str(&signing_seed()).unwrap();
    let kms = LocalKms::builder().seed(seed).build().unwrap();

    for (key, spki) in [(ED25519_KEY, ED25519_SPKI), (P256_KEY, P256_SPKI)] {
        let public_key = kms
            .get_public_key(GetPublicKeyRequest::new(KeyId::parse(key).unwrap()))
            .await
            .unwrap()
            .public_key;
        assert_eq!(public_key, base64(spki), "{key}: not OpenSSL's SPKI");
    }
    for (key, algorithm, signature) in [
        (
            ED25519_KEY,
            SigningAlgorithmSpec::Ed25519Sha512,
            ED25519_SIGNATURE,
        ),
        (
            "alias/p256-fixture",
            SigningAlgorithmSpec::EcdsaSha256,
            P256_SIGNATURE,
        ),
    ] {
        let response = kms
            .verify(VerifyRequest::new(
                KeyId::parse(key).unwrap(),
                SecretBytes::from(SIGNED),
                base64(signature),
                algorithm.clone(),
            ))
            .await
            .unwrap();
        assert!(response.signature_valid, "{key}");
        let mut tampered = base64(signature);
        let last = tampered.len() - 3;
        tampered[last] ^= 1;
        let err = kms
            .verify(VerifyRequest::new(
                KeyId::parse(key).unwrap(),
                SecretBytes::from(SIGNED),
                tampered,
                algorithm,
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(err, kms_core::Error::InvalidSignature),
            "{key}: {err}"
        );
    }
    // Ed25519 is deterministic: the seeded key signs exactly as OpenSSL did.
    let signature = kms
        .sign(
            SignRequest::new(
                KeyId::parse(ED25519_KEY).unwrap(),
                SecretBytes::from(SIGNED),
                SigningAlgorithmSpec::Ed25519Sha512,
            )
            .with_message_type(MessageType::Raw),
        )
        .await
        .unwrap()
        .signature;
    assert_eq!(signature, base64(ED25519_SIGNATURE));
}

#[tokio::test]
async fn a_seeded_hmac_key_computes_the_mac_python_computed() {
    use kms_core::{GenerateMacRequest, MacAlgorithmSpec, SecretBytes};
    let seed: SeedFile = toml::from_str(&signing_seed()).unwrap();
    let kms = LocalKms::builder().seed(seed).build().unwrap();
    let mac = kms
        .generate_mac(GenerateMacRequest::new(
            SecretBytes::from(SIGNED),
            KeyId::parse(HMAC_KEY).unwrap(),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await
        .unwrap()
        .mac;
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, HMAC_256_OF_SIGNED);
}

#[tokio::test]
async fn keys_of_every_kind_export_and_seed_again_with_their_spec_usage_and_secret() {
    use kms_core::{GetPublicKeyRequest, KeySpec, KeyUsage};
    let seed: SeedFile = toml::from_str(&signing_seed()).unwrap();
    let kms = LocalKms::builder().seed(seed).build().unwrap();
    let ids: Vec<KeyId> = [ED25519_KEY, P256_KEY, HMAC_KEY]
        .iter()
        .map(|id| KeyId::parse(id).unwrap())
        .collect();
    let exported = insecure::export_seed(&kms, &ids).unwrap();
    let p256 = &exported.keys[1];
    assert_eq!(p256.key_spec.as_deref(), Some("ECC_NIST_P256"));
    assert_eq!(p256.key_usage.as_deref(), Some("SIGN_VERIFY"));
    assert_eq!(p256.material, P256_PKCS8);
    assert!(p256.rotations.is_empty() && p256.material_ids.is_empty());
    assert_eq!(p256.aliases, ["alias/p256-fixture"]);
    assert_eq!(exported.keys[2].key_spec.as_deref(), Some("HMAC_256"));

    // The export, written and read as TOML, makes the same keys elsewhere.
    let text = exported.to_toml().unwrap();
    let elsewhere = LocalKms::builder()
        .seed(toml::from_str(&text).unwrap())
        .build()
        .unwrap();
    let public_key = elsewhere
        .get_public_key(GetPublicKeyRequest::new(ids[1].clone()))
        .await
        .unwrap();
    assert_eq!(public_key.public_key, base64(P256_SPKI));
    assert_eq!(public_key.key_spec, Some(KeySpec::EccNistP256));
    assert_eq!(public_key.key_usage, Some(KeyUsage::SignVerify));
}

#[test]
fn a_seeded_key_of_the_wrong_kind_or_usage_is_refused_by_name() {
    let build = |text: String| {
        let seed: SeedFile = toml::from_str(&text).unwrap();
        LocalKms::builder()
            .seed(seed)
            .build()
            .unwrap_err()
            .to_string()
    };
    let key = |spec: &str, usage: Option<&str>, material: &str, extra: &str| {
        let usage = usage.map_or(String::new(), |u| format!("key_usage = \"{u}\"\n"));
        format!(
            "[[keys]]\nkey_id = \"{P256_KEY}\"\nkey_spec = \"{spec}\"\n{usage}material = \"{material}\"\n{extra}"
        )
    };
    let message = build(key("ECC_NIST_P256", None, P256_PKCS8, ""));
    assert!(
        message.contains(P256_KEY) && message.contains("You must specify a KeyUsage value"),
        "{message}"
    );
    let message = build(key(
        "ECC_NIST_P256",
        Some("ENCRYPT_DECRYPT"),
        P256_PKCS8,
        "",
    ));
    assert!(
        message.contains("KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256"),
        "{message}"
    );
    // A P-256 key declared as P-384: the DER is refused, and never shown.
    let message = build(key("ECC_NIST_P384", Some("SIGN_VERIFY"), P256_PKCS8, ""));
    assert!(
        message.contains(P256_KEY) && message.contains("ECC_NIST_P384"),
        "{message}"
    );
    assert!(!message.contains(&P256_PKCS8[..20]), "{message}");
    let message = build(key(
        "ECC_NIST_P256",
        Some("SIGN_VERIFY"),
        P256_PKCS8,
        &format!("rotations = [\"{MATERIAL}\"]\n"),
    ));
    assert!(
        message.contains("only SYMMETRIC_DEFAULT keys rotate"),
        "{message}"
    );
    let message = build(key("ECC_NIST_P256", Some("SIGN_VERIFY"), "not base64!", ""));
    assert!(message.contains("not base64"), "{message}");
    let message = build(key("RSA_1024", Some("SIGN_VERIFY"), P256_PKCS8, ""));
    assert!(message.contains("RSA_1024"), "{message}");
}
