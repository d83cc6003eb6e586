//! The `kms` binary end to end: each call is a new process on one persistent store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::Workdir;

fn fileb(path: &Path) -> String {
    format!("fileb://{}", path.display())
}

#[test]
fn four_processes_create_encrypt_rotate_and_decrypt() {
    let store = Workdir::new("processes");
    let key_id = store.ok(&[
        "create-key",
        "--description",
        "this is a test",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    store.ok(&[
        "create-alias",
        "--alias-name",
        "alias/key1",
        "--target-key-id",
        &key_id,
    ]);

    std::fs::write(store.path("secret.txt"), "the first secret").unwrap();
    let blob = store.ok(&[
        "encrypt",
        "--key-id",
        "alias/key1",
        "--plaintext",
        &fileb(&store.path("secret.txt")),
        "--output",
        "text",
        "--query",
        "CiphertextBlob",
    ]);
    std::fs::write(store.path("secret.enc"), STANDARD.decode(&blob).unwrap()).unwrap();

    let rotated = store.ok(&["rotate-key-on-demand", "--key-id", &key_id]);
    assert!(rotated.contains(&key_id), "{rotated}");

    let plaintext = store.ok(&[
        "decrypt",
        "--ciphertext-blob",
        &fileb(&store.path("secret.enc")),
        "--output",
        "text",
        "--query",
        "Plaintext",
    ]);
    assert_eq!(STANDARD.decode(plaintext).unwrap(), b"the first secret");

    let described: serde_json::Value =
        serde_json::from_str(&store.ok(&["describe-key", "--key-id", "alias/key1"])).unwrap();
    assert_eq!(described["KeyMetadata"]["Description"], "this is a test");
    assert_eq!(described["KeyMetadata"]["KeyState"], "Enabled");
}

#[test]
fn output_is_the_aws_cli_json() {
    let store = Workdir::new("json");
    let created: serde_json::Value =
        serde_json::from_str(&store.ok(&["create-key", "--description", "d"])).unwrap();
    let metadata = &created["KeyMetadata"];
    assert_eq!(metadata["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(metadata["EncryptionAlgorithms"][0], "SYMMETRIC_DEFAULT");
    let created_at = metadata["CreationDate"].as_str().unwrap();
    assert!(
        created_at.ends_with("+00:00") && created_at.contains('T'),
        "{created_at}"
    );
    let key_id = metadata["KeyId"].as_str().unwrap();

    let data_key: serde_json::Value = serde_json::from_str(&store.ok(&[
        "generate-data-key",
        "--key-id",
        key_id,
        "--key-spec",
        "AES_256",
        "--encryption-context",
        "purpose=test",
    ]))
    .unwrap();
    let plaintext = STANDARD
        .decode(data_key["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plaintext.len(), 32);

    let listed = store.ok(&["list-keys", "--output", "text", "--query", "Keys[0].KeyId"]);
    assert_eq!(listed, key_id);

    let random = store.ok(&[
        "generate-random",
        "--number-of-bytes",
        "16",
        "--query",
        "Plaintext",
    ]);
    assert_eq!(STANDARD.decode(random.trim_matches('"')).unwrap().len(), 16);
}

#[test]
fn errors_name_the_exception_and_exit_like_the_aws_cli() {
    let store = Workdir::new("errors");
    let output = store.run(&["describe-key", "--key-id", "alias/nope"]);
    assert_eq!(output.status.code(), Some(254));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "An error occurred (NotFoundException) when calling the DescribeKey operation: \
             Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."
        ),
        "{stderr}"
    );

    let output = store.run(&[
        "encrypt",
        "--key-id",
        "alias/x",
        "--plaintext",
        "not base64!",
    ]);
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--plaintext: expected fileb://PATH or base64"),
        "{stderr}"
    );

    // As with the AWS CLI, the service (here the local backend) refuses an enum value it does
    // not know, so a value AWS adds later passes through this binary to AWS.
    let output = store.run(&["create-key", "--key-spec", "AES_512"]);
    assert_eq!(output.status.code(), Some(254));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("ValidationException")
            && stderr.contains("Value 'AES_512' at 'keySpec' failed to satisfy constraint"),
        "{stderr}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(["list-keys", "--url", "nowhere:"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(255));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scheme 'nowhere'"));
}

#[test]
fn help_names_the_default_persistent_store() {
    // The user's data directory: %LOCALAPPDATA% on Windows, $XDG_DATA_HOME elsewhere.
    let (variable, dir, url) = if cfg!(windows) {
        (
            "LOCALAPPDATA",
            r"C:\Users\me\AppData\Local",
            "local:///C:/Users/me/AppData/Local/kms",
        )
    } else {
        (
            "XDG_DATA_HOME",
            "/var/lib/example",
            "local:///var/lib/example/kms",
        )
    };
    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .arg("--help")
        .env_remove("KMS_URL")
        .env(variable, dir)
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains(&format!("[default: {url}]")), "{help}");
}

#[test]
fn an_exported_key_seeds_another_store_that_decrypts_its_ciphertexts() {
    let (first, second) = (Workdir::new("export-from"), Workdir::new("export-to"));
    let key_id = first.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    first.ok(&[
        "create-alias",
        "--alias-name",
        "alias/shared",
        "--target-key-id",
        &key_id,
    ]);
    let blob = first.ok(&[
        "encrypt",
        "--key-id",
        "alias/shared",
        "--plaintext",
        "c2hhcmVk",
        "--output",
        "text",
        "--query",
        "CiphertextBlob",
    ]);

    let refused = first.run(&["export-key", "--key-id", &key_id]);
    assert_eq!(refused.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--insecure"));

    let seed = first.ok(&["export-key", "--key-id", "alias/shared", "--insecure"]);
    assert!(
        seed.contains(&key_id) && seed.contains("alias/shared"),
        "{seed}"
    );
    let seed_path = second.path("seed.toml");
    std::fs::write(&seed_path, &seed).unwrap();
    let seeded = second.ok(&["seed", seed_path.to_str().unwrap()]);
    assert!(seeded.contains(&key_id), "{seeded}");

    let plaintext = second.ok(&[
        "decrypt",
        "--ciphertext-blob",
        &blob,
        "--output",
        "text",
        "--query",
        "Plaintext",
    ]);
    assert_eq!(plaintext, "c2hhcmVk");
}

#[test]
fn query_is_jmespath_as_in_the_aws_cli() {
    let store = Workdir::new("jmespath");
    let create = |description| {
        store.ok(&[
            "create-key",
            "--description",
            description,
            "--output",
            "text",
            "--query",
            "KeyMetadata.KeyId",
        ])
    };
    let (first, second) = (create("first"), create("second"));
    for (alias, target) in [
        ("alias/first-a", &first),
        ("alias/first-b", &first),
        ("alias/second", &second),
    ] {
        store.ok(&[
            "create-alias",
            "--alias-name",
            alias,
            "--target-key-id",
            target,
        ]);
    }

    let mut ids: Vec<String> = store
        .ok(&["list-keys", "--output", "text", "--query", "Keys[*].KeyId"])
        .split('\t')
        .map(str::to_owned)
        .collect();
    ids.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(ids, expected);

    let filter = format!("Aliases[?TargetKeyId=='{first}'].AliasName");
    let aliases = store.ok(&["list-aliases", "--output", "text", "--query", &filter]);
    assert_eq!(aliases, "alias/first-a\talias/first-b");
    let as_json: Vec<String> =
        serde_json::from_str(&store.ok(&["list-aliases", "--query", &filter])).unwrap();
    assert_eq!(as_json, ["alias/first-a", "alias/first-b"]);

    assert_eq!(store.ok(&["list-keys", "--query", "length(Keys)"]), "2");
}

#[test]
fn a_bad_query_is_a_usage_error_and_sends_nothing() {
    let store = Workdir::new("bad-query");
    let message = store.fails(&["create-key", "--query", "KeyMetadata.["], 252);
    assert!(
        message.starts_with("kms: Bad value for --query KeyMetadata.[: Parse error"),
        "{message}"
    );
    // The key was not created: the query is checked before the request.
    assert_eq!(store.ok(&["list-keys", "--query", "length(Keys)"]), "0");
    let message = store.fails(&["list-keys", "--query", "length(Truncated)"], 252);
    assert!(message.contains("Runtime error"), "{message}");
}

#[test]
fn a_plaintext_that_is_not_base64_is_never_echoed() {
    let store = Workdir::new("plaintext-echo");
    let key_id = store.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    let secret = "my card number is 4111 1111 1111 1111";
    let message = store.fails(
        &["encrypt", "--key-id", &key_id, "--plaintext", secret],
        252,
    );
    assert_eq!(
        message,
        "kms: --plaintext: expected fileb://PATH or base64, but the value is not base64: the \
         character at offset 2 is not base64"
    );
    for part in ["card", "4111", "my c"] {
        assert!(!message.contains(part), "{message}");
    }
}

#[test]
fn a_seed_file_with_a_syntax_error_names_the_place_not_the_text() {
    let store = Workdir::new("seed-syntax");
    let material = "c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5YWI=";
    let seed_path = store.path("seed.toml");
    std::fs::write(
        &seed_path,
        format!(
            "[[keys]]\nkey_id = \"1234abcd-12ab-34cd-56ef-1234567890ab\"\nmaterial = \"{material}\n"
        ),
    )
    .unwrap();
    let message = store.fails(&["seed", seed_path.to_str().unwrap()], 255);
    assert!(
        message.contains(&format!(
            "seed file {}: line 3, column ",
            seed_path.display()
        )),
        "{message}"
    );
    assert!(!message.contains("c2Vj"), "{message}");
    assert!(!message.contains("material ="), "{message}");
}

#[test]
fn multi_region_commands_take_the_aws_cli_flags() {
    let store = Workdir::new("multi-region");
    let key_id = store.ok(&[
        "create-key",
        "--no-multi-region",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    let arn = format!("arn:aws:kms:us-east-1:111122223333:key/{key_id}");
    // The local backend plays one Region: its keys are single-Region keys, which AWS does not
    // replicate.
    let message = store.refused(
        &[
            "replicate-key",
            "--key-id",
            &key_id,
            "--replica-region",
            "us-west-2",
            "--description",
            "a copy",
            "--tags",
            "TagKey=team,TagValue=blue",
        ],
        "ReplicateKey",
        "UnsupportedOperationException",
    );
    assert_eq!(message, format!("{arn} is not a multi-region primary key."));
    store.refused(
        &[
            "update-primary-region",
            "--key-id",
            &arn,
            "--primary-region",
            "eu-west-1",
        ],
        "UpdatePrimaryRegion",
        "UnsupportedOperationException",
    );
    let message = store.refused(
        &[
            "replicate-key",
            "--key-id",
            &key_id,
            "--replica-region",
            "US-WEST-2",
        ],
        "ReplicateKey",
        "ValidationException",
    );
    assert!(
        message.contains("Value 'US-WEST-2' at 'replicaRegion' failed to satisfy constraint"),
        "{message}"
    );
    store.refused(
        &[
            "replicate-key",
            "--key-id",
            "alias/none",
            "--replica-region",
            "us-west-2",
        ],
        "ReplicateKey",
        "NotFoundException",
    );
}
