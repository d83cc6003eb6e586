//! `kms encrypt-file` / `decrypt-file --keyring`: the AWS KMS RSA keyring, the AWS KMS ECDH
//! keyrings and the raw ECDH keyrings, end to end on a local store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::{Workdir, blob};

/// A new key of `spec` and `usage`; its ARN.
fn create_key(dir: &Workdir, spec: &str, usage: &str) -> String {
    dir.ok(&[
        "create-key",
        "--key-spec",
        spec,
        "--key-usage",
        usage,
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ])
}

/// Writes the DER public key of `key` to `name`.
fn write_public_key(dir: &Workdir, key: &str, name: &str) {
    let public = dir.json(&["get-public-key", "--key-id", key]);
    std::fs::write(dir.path(name), blob(&public, "PublicKey")).unwrap();
}

/// A key pair held in files: `NAME.pem` (PKCS#8 PEM) and `NAME.der` (SPKI), from
/// GenerateDataKeyPair.
fn write_key_pair(dir: &Workdir, wrapping_key: &str, spec: &str, name: &str) {
    let pair = dir.json(&[
        "generate-data-key-pair",
        "--key-id",
        wrapping_key,
        "--key-pair-spec",
        spec,
    ]);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(blob(&pair, "PrivateKeyPlaintext"))
    );
    std::fs::write(dir.path(&format!("{name}.pem")), pem).unwrap();
    std::fs::write(dir.path(&format!("{name}.der")), blob(&pair, "PublicKey")).unwrap();
}

/// Encrypts `plain` with `encrypt` flags, decrypts with `decrypt` flags, compares.
fn round_trip(dir: &Workdir, encrypt: &[&str], decrypt: &[&str]) {
    let plaintext: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    for name in ["plain.enc", "plain.out"] {
        let _ = std::fs::remove_file(dir.path(name));
    }
    let args = [&["encrypt-file"][..], encrypt, &["plain", "plain.enc"]].concat();
    dir.ok(&args);
    let args = [&["decrypt-file"][..], decrypt, &["plain.enc", "plain.out"]].concat();
    dir.ok(&args);
    assert_eq!(std::fs::read(dir.path("plain.out")).unwrap(), plaintext);
}

#[test]
fn kms_rsa_encrypts_with_the_public_key_and_decrypts_through_kms() {
    let dir = Workdir::new("keyring-kms-rsa");
    let key = create_key(&dir, "RSA_2048", "ENCRYPT_DECRYPT");
    for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
        let flags = [
            "--keyring",
            "kms-rsa",
            "--key-id",
            &key,
            "--encryption-algorithm",
            algorithm,
        ];
        round_trip(&dir, &flags, &flags);
    }
    // Offline, with the public key from a PEM file; RSAES_OAEP_SHA_256 by default.
    write_public_key(&dir, &key, "rsa.der");
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(std::fs::read(dir.path("rsa.der")).unwrap())
    );
    std::fs::write(dir.path("rsa.pem"), pem).unwrap();
    let offline = [
        "--keyring",
        "kms-rsa",
        "--key-id",
        &key,
        "--public-key-file",
        "rsa.pem",
    ];
    round_trip(&dir, &offline, &["--keyring", "kms-rsa", "--key-id", &key]);

    // The keyring refuses signed suites, and the other padding cannot decrypt.
    let args = [
        &["encrypt-file"][..],
        &offline,
        &["--suite", "0x0578", "plain", "signed.enc"],
    ]
    .concat();
    let line = dir.fails(&args, 252);
    assert!(line.contains("asymmetric signature"), "{line}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--keyring",
            "kms-rsa",
            "--key-id",
            &key,
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_1",
            "plain.enc",
            "other.out",
        ],
        1,
    );
    assert!(line.contains("cannot decrypt"), "{line}");
    let line = dir.fails(
        &[
            "encrypt-file",
            "--keyring",
            "kms-rsa",
            "--key-id",
            &key,
            "--encryption-algorithm",
            "SYMMETRIC_DEFAULT",
            "plain",
            "x.enc",
        ],
        252,
    );
    assert!(
        line.contains("expected RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1"),
        "{line}"
    );
    assert!(!dir.path("x.enc").exists() && !dir.path("other.out").exists());
}

#[test]
fn kms_ecdh_between_two_kms_keys() {
    let dir = Workdir::new("keyring-kms-ecdh");
    let alice = create_key(&dir, "ECC_NIST_P384", "KEY_AGREEMENT");
    let bob = create_key(&dir, "ECC_NIST_P384", "KEY_AGREEMENT");
    write_public_key(&dir, &alice, "alice.der");
    write_public_key(&dir, &bob, "bob.der");
    let curve = ["--curve", "ECC_NIST_P384"];
    let from_alice = [
        &[
            "--keyring",
            "kms-ecdh",
            "--key-id",
            &alice,
            "--public-key-file",
            "bob.der",
        ][..],
        &curve,
    ]
    .concat();
    let bob_static = [
        &[
            "--keyring",
            "kms-ecdh",
            "--key-id",
            &bob,
            "--public-key-file",
            "alice.der",
        ][..],
        &curve,
    ]
    .concat();
    let bob_discovery = [
        &["--keyring", "kms-ecdh-discovery", "--key-id", &bob][..],
        &curve,
    ]
    .concat();
    round_trip(&dir, &from_alice, &bob_discovery);
    round_trip(&dir, &from_alice, &bob_static);
    round_trip(&dir, &from_alice, &from_alice);

    // Discovery cannot encrypt; a signing key or another curve is refused.
    let line = dir.fails(
        &[&["encrypt-file"][..], &bob_discovery, &["plain", "x.enc"]].concat(),
        252,
    );
    assert!(line.contains("decrypts only"), "{line}");
    let signing = create_key(&dir, "ECC_NIST_P384", "SIGN_VERIFY");
    let line = dir.fails(
        &[
            &[
                "decrypt-file",
                "--keyring",
                "kms-ecdh-discovery",
                "--key-id",
                &signing,
            ][..],
            &curve,
            &["plain.enc", "x.out"],
        ]
        .concat(),
        252,
    );
    assert!(line.contains("not KEY_AGREEMENT"), "{line}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--keyring",
            "kms-ecdh-discovery",
            "--key-id",
            &bob,
            "--curve",
            "ECC_NIST_P256",
            "plain.enc",
            "x.out",
        ],
        252,
    );
    assert!(
        line.contains("is ECC_NIST_P384, not ECC_NIST_P256"),
        "{line}"
    );
}

#[test]
fn raw_ecdh_with_key_files() {
    let dir = Workdir::new("keyring-raw-ecdh");
    let wrapping = dir.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    write_key_pair(&dir, &wrapping, "ECC_NIST_P256", "alice");
    write_key_pair(&dir, &wrapping, "ECC_NIST_P256", "bob");
    let curve = ["--curve", "ECC_NIST_P256"];
    let alice = [
        &[
            "--keyring",
            "raw-ecdh",
            "--private-key-file",
            "alice.pem",
            "--public-key-file",
            "bob.der",
        ][..],
        &curve,
    ]
    .concat();
    let bob = [
        &[
            "--keyring",
            "raw-ecdh",
            "--private-key-file",
            "bob.pem",
            "--public-key-file",
            "alice.der",
        ][..],
        &curve,
    ]
    .concat();
    let ephemeral = [
        &[
            "--keyring",
            "raw-ecdh-ephemeral",
            "--public-key-file",
            "bob.der",
        ][..],
        &curve,
    ]
    .concat();
    let discovery = [
        &[
            "--keyring",
            "raw-ecdh-discovery",
            "--private-key-file",
            "bob.pem",
        ][..],
        &curve,
    ]
    .concat();
    round_trip(&dir, &alice, &bob);
    round_trip(&dir, &alice, &discovery);
    round_trip(&dir, &ephemeral, &discovery);

    // The ephemeral keyring cannot decrypt; Alice's discovery keyring is no recipient.
    let line = dir.fails(
        &[&["decrypt-file"][..], &ephemeral, &["plain.enc", "x.out"]].concat(),
        252,
    );
    assert!(line.contains("encrypts only"), "{line}");
    let alice_discovery = [
        &[
            "--keyring",
            "raw-ecdh-discovery",
            "--private-key-file",
            "alice.pem",
        ][..],
        &curve,
    ]
    .concat();
    let line = dir.fails(
        &[
            &["decrypt-file"][..],
            &alice_discovery,
            &["plain.enc", "x.out"],
        ]
        .concat(),
        1,
    );
    assert!(line.contains("cannot decrypt"), "{line}");
    // The curve is required and must be the keys'.
    let line = dir.fails(
        &[
            "decrypt-file",
            "--keyring",
            "raw-ecdh-discovery",
            "--private-key-file",
            "bob.pem",
            "plain.enc",
            "x.out",
        ],
        252,
    );
    assert!(line.contains("--curve"), "{line}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--keyring",
            "raw-ecdh-discovery",
            "--private-key-file",
            "bob.pem",
            "--curve",
            "ECC_NIST_P521",
            "plain.enc",
            "x.out",
        ],
        252,
    );
    assert!(line.contains("not a P-521 private key"), "{line}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--keyring",
            "raw-ecdh-discovery",
            "--private-key-file",
            "bob.der",
            "--curve",
            "ECC_NIST_P256",
            "plain.enc",
            "x.out",
        ],
        252,
    );
    assert!(line.contains("PEM"), "{line}");
    assert!(!dir.path("x.out").exists());
}
