//! `kms encrypt-file` and `kms decrypt-file` over a backend that fails on purpose
//! (`KMS_URL=local:///STORE?faults=...`): one clear error, and no output file, partial or
//! not; an existing output is left as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::Workdir;

/// `kms ARGS` on the directory's store with the faults of `plan` injected.
fn run_with_faults(dir: &Workdir, plan: &str, args: &[&str]) -> Output {
    let url = format!(
        "{}?faults={plan}",
        kms::local_store_url(dir.path("store")).unwrap()
    );
    Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(args)
        .env("KMS_URL", url)
        .env("KMS_LOCAL_ROOT_KEY", STANDARD.encode([5u8; 32]))
        .current_dir(dir.root())
        .output()
        .unwrap()
}

/// The one line on standard error of a run that failed with `code`.
fn failed(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(output.stdout.is_empty());
    stderr.trim_end().to_owned()
}

/// A directory with two keys (their ARNs) and a plaintext of several frames, `plain`.
fn two_keys(name: &str) -> (Workdir, String, String) {
    let dir = Workdir::new(&format!("faults-{name}"));
    let arn = || {
        dir.ok(&[
            "create-key",
            "--output",
            "text",
            "--query",
            "KeyMetadata.Arn",
        ])
    };
    let (first, second) = (arn(), arn());
    let plaintext: Vec<u8> = (0..20_000).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(dir.path("plain"), plaintext).unwrap();
    (dir, first, second)
}

#[test]
fn a_failing_kms_leaves_no_encrypted_file() {
    let (dir, first, second) = two_keys("encrypt");
    let encrypt = [
        "encrypt-file",
        "--key-id",
        &first,
        "--key-id",
        &second,
        "--frame-length",
        "1024",
        "plain",
        "plain.enc",
    ];
    for (plan, code) in [
        ("GenerateDataKey.internal:1", "KMSInternalException"),
        // The data key is made, wrapping it under the second key fails.
        ("Encrypt.throttling:1", "ThrottlingException"),
    ] {
        let line = failed(&run_with_faults(&dir, plan, &encrypt), 254);
        assert!(line.starts_with("kms: encrypt-file: "), "{line}");
        assert!(line.contains(code), "{plan}: {line}");
        assert_eq!(dir.entries(), ["plain"], "{plan}");
    }
    // An existing output is left as it was.
    std::fs::write(dir.path("plain.enc"), b"before").unwrap();
    failed(
        &run_with_faults(&dir, "GenerateDataKey.internal:1", &encrypt),
        254,
    );
    assert_eq!(std::fs::read(dir.path("plain.enc")).unwrap(), b"before");
    // Without faults the same command works.
    std::fs::remove_file(dir.path("plain.enc")).unwrap();
    dir.ok(&encrypt);
    assert_eq!(dir.entries(), ["plain", "plain.enc"]);
}

#[test]
fn a_failing_kms_leaves_no_decrypted_file() {
    let (dir, first, second) = two_keys("decrypt");
    dir.ok(&[
        "encrypt-file",
        "--key-id",
        &first,
        "--key-id",
        &second,
        "plain",
        "plain.enc",
    ]);
    let decrypt = [
        "decrypt-file",
        "--key-id",
        &first,
        "--key-id",
        &second,
        "plain.enc",
        "plain.out",
    ];
    let line = failed(&run_with_faults(&dir, "Decrypt.internal:1", &decrypt), 1);
    assert!(
        line.starts_with("kms: decrypt-file: cannot decrypt: "),
        "{line}"
    );
    // Both encrypted data keys were tried.
    assert_eq!(line.matches("KMSInternalException").count(), 2, "{line}");
    assert_eq!(dir.entries(), ["plain", "plain.enc"]);
    dir.ok(&decrypt);
    assert_eq!(
        std::fs::read(dir.path("plain.out")).unwrap(),
        std::fs::read(dir.path("plain")).unwrap()
    );
}
