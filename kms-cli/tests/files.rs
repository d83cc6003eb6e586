//! `kms encrypt-file` and `kms decrypt-file` end to end: each call is a new process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

mod common;

use common::Workdir;

/// A fresh working directory holding the raw AES key file `key`.
fn dir_with_key(name: &str) -> Workdir {
    let dir = Workdir::new(&format!("files-{name}"));
    std::fs::write(dir.path("key"), [0x5a; 32]).unwrap();
    dir
}

/// Deterministic test data.
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

const RAW: [&str; 6] = [
    "--raw-aes-key-file",
    "key",
    "--key-namespace",
    "my-namespace",
    "--key-name",
    "my-key",
];

fn with<'a>(base: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(rest).copied().collect()
}

#[test]
fn raw_aes_round_trip_of_a_multi_frame_file() {
    let dir = dir_with_key("raw");
    let plaintext = data(10_000);
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    dir.ok(&with(
        &encrypt,
        &[
            "--frame-length",
            "512",
            "--context",
            "purpose=test",
            "plain",
            "plain.enc",
        ],
    ));
    let message = std::fs::read(dir.path("plain.enc")).unwrap();
    assert!(
        message.len() > plaintext.len() + 20 * 28,
        "{}",
        message.len()
    );
    assert_eq!(message[..2], [0x02, 0x04], "format 2, suite 0x0478");
    let decrypt = [&["decrypt-file"][..], &RAW].concat();
    dir.ok(&with(
        &decrypt,
        &["--context", "purpose=test", "plain.enc", "plain.out"],
    ));
    assert_eq!(std::fs::read(dir.path("plain.out")).unwrap(), plaintext);
    assert_eq!(dir.entries(), ["key", "plain", "plain.enc", "plain.out"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("plain.out"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn kms_round_trip_on_a_persistent_store_with_two_keys() {
    let dir = dir_with_key("kms");
    let create = |description: &str| {
        dir.ok(&[
            "create-key",
            "--description",
            description,
            "--output",
            "text",
            "--query",
            "KeyMetadata.Arn",
        ])
    };
    let (first, second) = (create("first"), create("second"));
    dir.ok(&[
        "create-alias",
        "--alias-name",
        "alias/files",
        "--target-key-id",
        &first,
    ]);
    let plaintext = data(5000);
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    dir.ok(&[
        "encrypt-file",
        "--key-id",
        "alias/files",
        "--key-id",
        &second,
        "--frame-length",
        "1000",
        "plain",
        "plain.enc",
    ]);
    // Either key decrypts on its own: the first by its alias, the second by its ARN.
    for key in ["alias/files", second.as_str()] {
        let _ = std::fs::remove_file(dir.path("plain.out"));
        dir.ok(&["decrypt-file", "--key-id", key, "plain.enc", "plain.out"]);
        assert_eq!(std::fs::read(dir.path("plain.out")).unwrap(), plaintext);
    }
    // A key that did not wrap the data key decrypts nothing.
    let third = create("third");
    let line = dir.fails(
        &["decrypt-file", "--key-id", &third, "plain.enc", "other.out"],
        1,
    );
    assert!(
        line.starts_with("kms: decrypt-file: cannot decrypt: "),
        "{line}"
    );
    // A key that does not exist is the KMS's refusal.
    let line = dir.fails(
        &[
            "encrypt-file",
            "--key-id",
            "alias/missing",
            "plain",
            "missing.enc",
        ],
        254,
    );
    assert!(line.contains("NotFoundException"), "{line}");
    assert!(!dir.path("other.out").exists() && !dir.path("missing.enc").exists());
}

#[test]
fn discovery_decrypts_with_whichever_key_wrapped_the_data_key() {
    let dir = dir_with_key("discovery");
    let key = dir.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    let plaintext = data(3000);
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    dir.ok(&["encrypt-file", "--key-id", &key, "plain", "plain.enc"]);

    // The local store's account is the default 111122223333.
    for filter in [&[][..], &["--discovery-account", "111122223333"]] {
        let _ = std::fs::remove_file(dir.path("plain.out"));
        let args = [
            &["decrypt-file", "--discovery"][..],
            filter,
            &["plain.enc", "plain.out"],
        ];
        dir.ok(&args.concat());
        assert_eq!(std::fs::read(dir.path("plain.out")).unwrap(), plaintext);
    }
    let line = dir.fails(
        &[
            "decrypt-file",
            "--discovery",
            "--discovery-account",
            "444455556666",
            "plain.enc",
            "other.out",
        ],
        1,
    );
    assert!(line.contains("cannot decrypt"), "{line}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--discovery",
            "--discovery-account",
            "12345",
            "plain.enc",
            "other.out",
        ],
        252,
    );
    assert!(line.contains("--discovery-account"), "{line}");
    let output = dir.run(&[
        "decrypt-file",
        "--discovery",
        "--key-id",
        &key,
        "plain.enc",
        "o",
    ]);
    assert_eq!(output.status.code(), Some(252));
    let line = dir.fails(&["decrypt-file", "plain.enc", "other.out"], 252);
    assert!(line.contains("--discovery"), "{line}");
    assert!(!dir.path("other.out").exists() && !dir.path("o").exists());
}

#[test]
fn stdin_to_stdout() {
    let dir = dir_with_key("std");
    let plaintext = data(70_000);
    let args = [
        &["encrypt-file"][..],
        &RAW,
        &["--frame-length", "4096", "-", "-"],
    ]
    .concat();
    let encrypted = dir.run_with_stdin(&args, &plaintext);
    assert!(
        encrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&encrypted.stderr)
    );
    let args = [&["decrypt-file"][..], &RAW, &["-", "-"]].concat();
    let decrypted = dir.run_with_stdin(&args, &encrypted.stdout);
    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    assert_eq!(decrypted.stdout, plaintext);
    assert_eq!(dir.entries(), ["key"]);
}

#[test]
fn required_context_present_or_missing() {
    let dir = dir_with_key("context");
    std::fs::write(dir.path("plain"), data(100)).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    dir.ok(&with(
        &encrypt,
        &[
            "--context",
            "tenant=t1",
            "--context",
            "stage=prod",
            "plain",
            "enc",
        ],
    ));
    let decrypt = [&["decrypt-file"][..], &RAW].concat();
    dir.ok(&with(&decrypt, &["--context", "tenant=t1", "enc", "out"]));
    assert_eq!(std::fs::read(dir.path("out")).unwrap(), data(100));
    for context in ["tenant=t2", "region=eu"] {
        let line = dir.fails(&with(&decrypt, &["--context", context, "enc", "bad"]), 1);
        assert!(line.contains("encryption context does not match"), "{line}");
    }
    assert_eq!(dir.entries(), ["enc", "key", "out", "plain"]);
}

#[test]
fn required_encryption_context_keys_are_authenticated_not_stored() {
    let dir = dir_with_key("required");
    std::fs::write(dir.path("plain"), data(100)).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    let required = ["--required-encryption-context-keys", "tenant"];
    let context = [
        "--context",
        "tenant=tenant-secret-value",
        "--context",
        "stage=prod",
    ];
    dir.ok(&with(
        &encrypt,
        &[&context[..], &required, &["plain", "enc"]].concat(),
    ));
    let message = std::fs::read(dir.path("enc")).unwrap();
    let stored = |text: &[u8]| message.windows(text.len()).any(|window| window == text);
    assert!(
        !stored(b"tenant-secret-value"),
        "the required pair is not stored"
    );
    assert!(stored(b"prod"), "the other pair is");

    let decrypt = [&["decrypt-file"][..], &RAW].concat();
    let line = dir.fails(
        &with(&decrypt, &[&required[..], &["enc", "bad"]].concat()),
        1,
    );
    assert!(line.contains("`tenant` was not supplied"), "{line}");
    let line = dir.fails(
        &with(&decrypt, &["--context", "tenant=other", "enc", "bad"]),
        1,
    );
    assert!(line.contains("encryption context does not match"), "{line}");
    let supplied = ["--context", "tenant=tenant-secret-value", "enc", "out"];
    dir.ok(&with(&decrypt, &[&required[..], &supplied].concat()));
    assert_eq!(std::fs::read(dir.path("out")).unwrap(), data(100));

    let line = dir.fails(
        &with(
            &encrypt,
            &[
                "--context",
                "stage=prod",
                "--required-encryption-context-keys",
                "tenant",
                "plain",
                "enc2",
            ],
        ),
        252,
    );
    assert!(line.contains("lacks the required key `tenant`"), "{line}");
    assert_eq!(dir.entries(), ["enc", "key", "out", "plain"]);
}

#[test]
fn tampered_and_truncated_messages_leave_no_output() {
    let dir = dir_with_key("tamper");
    std::fs::write(dir.path("plain"), data(3000)).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    dir.ok(&with(&encrypt, &["--frame-length", "256", "plain", "enc"]));
    let message = std::fs::read(dir.path("enc")).unwrap();
    let decrypt = [&["decrypt-file"][..], &RAW].concat();

    // A flipped byte in the last frame: every frame before it verifies and is written to
    // the temporary file, which must still be removed.
    for at in [message.len() - 120, message.len() / 2, 40] {
        let mut tampered = message.clone();
        tampered[at] ^= 0x01;
        std::fs::write(dir.path("tampered"), &tampered).unwrap();
        let line = dir.fails(&with(&decrypt, &["tampered", "out"]), 1);
        assert!(
            line.starts_with("kms: decrypt-file: cannot decrypt: "),
            "{line}"
        );
        assert_eq!(
            dir.entries(),
            ["enc", "key", "plain", "tampered"],
            "byte {at}"
        );
    }
    for len in [message.len() - 1, message.len() - 300, 10] {
        std::fs::write(dir.path("truncated"), &message[..len]).unwrap();
        dir.fails(&with(&decrypt, &["truncated", "out"]), 1);
        assert!(!dir.path("out").exists());
    }
    // An existing OUTPUT is left as it was.
    std::fs::write(dir.path("out"), b"before").unwrap();
    dir.fails(&with(&decrypt, &["truncated", "out"]), 1);
    assert_eq!(std::fs::read(dir.path("out")).unwrap(), b"before");
}

#[test]
fn suite_0578_round_trip() {
    let dir = dir_with_key("signed");
    let plaintext = data(4097);
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    dir.ok(&with(
        &encrypt,
        &[
            "--suite",
            "0x0578",
            "--frame-length",
            "1024",
            "plain",
            "enc",
        ],
    ));
    assert_eq!(std::fs::read(dir.path("enc")).unwrap()[..2], [0x02, 0x05]);
    let decrypt = [&["decrypt-file"][..], &RAW].concat();
    dir.ok(&with(&decrypt, &["enc", "out"]));
    assert_eq!(std::fs::read(dir.path("out")).unwrap(), plaintext);
}

#[test]
fn wrong_arguments_are_clear_errors() {
    let dir = dir_with_key("args");
    std::fs::write(dir.path("plain"), data(10)).unwrap();
    std::fs::write(dir.path("short-key"), [1u8; 20]).unwrap();
    let line = dir.fails(
        &[
            "encrypt-file",
            "--raw-aes-key-file",
            "short-key",
            "--key-namespace",
            "n",
            "--key-name",
            "k",
            "plain",
            "enc",
        ],
        252,
    );
    assert!(
        line.contains("holds 20 bytes") && line.contains("exactly 16, 24 or 32"),
        "{line}"
    );
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    let line = dir.fails(&with(&encrypt, &["missing", "enc"]), 252);
    assert!(line.contains("cannot open INPUT 'missing'"), "{line}");
    let line = dir.fails(
        &with(&encrypt, &["--context", "aws-crypto-x=1", "plain", "enc"]),
        252,
    );
    assert!(line.contains("aws-crypto-"), "{line}");
    let line = dir.fails(
        &with(&encrypt, &["--frame-length", "0", "plain", "enc"]),
        252,
    );
    assert!(line.contains("frame length"), "{line}");
    let line = dir.fails(
        &with(&encrypt, &["--context", "novalue", "plain", "enc"]),
        252,
    );
    assert!(line.contains("KEY=VALUE"), "{line}");
    let output = dir.run(&with(&encrypt, &["--suite", "0x0178", "plain", "enc"]));
    assert_eq!(output.status.code(), Some(252));
    let output = dir.run(&["encrypt-file", "plain", "enc"]);
    assert_eq!(output.status.code(), Some(252), "no key at all");
    assert_eq!(dir.entries(), ["key", "plain", "short-key"]);
}

#[test]
fn help_warns_about_standard_output() {
    let help = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(["decrypt-file", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("already-verified frames on standard output"),
        "{help}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_removes_the_temporary_output() {
    use std::io::Write;
    use std::process::Stdio;

    let dir = dir_with_key("sigterm");
    let args = [
        &["encrypt-file"][..],
        &RAW,
        &["--frame-length", "100", "-", "out"],
    ]
    .concat();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(&args)
        .current_dir(dir.path("."))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Some input, then none for now: the command waits with its temporary file open.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&data(1000)).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !dir.entries().iter().any(|name| name.starts_with(".out.")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Standard input stays open: the command must exit without waiting for it.
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() >= deadline {
            child.kill().unwrap();
            panic!("kms did not exit after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert_eq!(dir.entries(), ["key"]);
}

#[test]
fn threads_encrypt_and_decrypt_the_same_files_whatever_their_number() {
    let dir = dir_with_key("threads");
    // 3 MiB and a bit in 64 KiB frames: enough frames for every thread to take a part.
    let plaintext = data(3 * 1024 * 1024 + 17);
    std::fs::write(dir.path("plain"), &plaintext).unwrap();
    let encrypt = [&["encrypt-file"][..], &RAW].concat();
    let decrypt = [&["decrypt-file"][..], &RAW].concat();
    for (sealing, opening) in [("1", "4"), ("4", "1"), ("3", "2")] {
        dir.ok(&with(&encrypt, &["--threads", sealing, "plain", "enc"]));
        dir.ok(&with(&decrypt, &["--threads", opening, "enc", "out"]));
        assert!(
            std::fs::read(dir.path("out")).unwrap() == plaintext,
            "sealed on {sealing} threads, opened on {opening}"
        );
        std::fs::remove_file(dir.path("out")).unwrap();
    }
    // Without the flag: the machine's available parallelism.
    dir.ok(&with(&decrypt, &["enc", "out"]));
    assert!(std::fs::read(dir.path("out")).unwrap() == plaintext);
    std::fs::remove_file(dir.path("out")).unwrap();

    // A flipped bit in a middle frame, opened on several threads: nothing is left behind.
    let mut tampered = std::fs::read(dir.path("enc")).unwrap();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x10;
    std::fs::write(dir.path("tampered"), &tampered).unwrap();
    let line = dir.fails(&with(&decrypt, &["--threads", "4", "tampered", "out"]), 1);
    assert!(
        line.starts_with("kms: decrypt-file: cannot decrypt: "),
        "{line}"
    );
    assert_eq!(dir.entries(), ["enc", "key", "plain", "tampered"]);

    // Zero threads, or not a number: usage errors naming the flag.
    for wrong in ["0", "many", "70000"] {
        let output = dir.run(&with(&encrypt, &["--threads", wrong, "plain", "enc2"]));
        assert_eq!(output.status.code(), Some(252), "--threads {wrong}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--threads"), "{stderr}");
    }
    assert_eq!(dir.entries(), ["enc", "key", "plain", "tampered"]);
}
