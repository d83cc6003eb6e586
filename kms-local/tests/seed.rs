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
