//! `--region`, and the multi-Region-aware keyrings of `decrypt-file` (`--mrk-key-id`,
//! `--mrk-discovery`), on the local backend: each call is a new process.
//!
//! The local backend plays one Region, so what crosses Regions here is the argument handling
//! and the refusal of a handle of another Region; `tests/serve.rs` crosses Regions through
//! the AWS backend and `kms serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Workdir;

const MRK: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

/// A working directory with a symmetric key (its ARN) and a message `plain.enc` of
/// `plain` encrypted under it.
fn dir_with_message(name: &str) -> (Workdir, String) {
    let dir = Workdir::new(&format!("regions-{name}"));
    let arn = dir.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    std::fs::write(dir.path("plain"), b"multi-Region keyrings").unwrap();
    dir.ok(&["encrypt-file", "--key-id", &arn, "plain", "plain.enc"]);
    (dir, arn)
}

fn decrypted(dir: &Workdir) -> Vec<u8> {
    let bytes = std::fs::read(dir.path("out")).unwrap();
    std::fs::remove_file(dir.path("out")).unwrap();
    bytes
}

/// The Region of the ARN of a key `create-key` makes with these global flags.
fn created_in(dir: &Workdir, flags: &[&str]) -> String {
    let args = [
        flags,
        &[
            "create-key",
            "--output",
            "text",
            "--query",
            "KeyMetadata.Arn",
        ],
    ]
    .concat();
    let arn = dir.ok(&args);
    arn.split(':').nth(3).unwrap().to_owned()
}

#[test]
fn the_region_flag_overrides_the_region_of_the_url() {
    let dir = Workdir::new("regions-flag");
    assert_eq!(created_in(&dir, &["--url", "local:"]), "us-east-1");
    assert_eq!(
        created_in(&dir, &["--url", "local:", "--region", "eu-west-1"]),
        "eu-west-1"
    );
    assert_eq!(
        created_in(
            &dir,
            &["--url", "local:?region=ap-south-1", "--region", "eu-west-1"]
        ),
        "eu-west-1"
    );
    // A global flag: after the subcommand too.
    let arn = dir.ok(&[
        "--url",
        "local:",
        "create-key",
        "--region",
        "ca-central-1",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    assert!(arn.starts_with("arn:aws:kms:ca-central-1:"), "{arn}");
    // A Region the backend refuses is named.
    let line = dir.fails(
        &["--url", "local:", "--region", "EU WEST", "list-keys"],
        255,
    );
    assert!(line.contains("region 'EU WEST' is not valid"), "{line}");
}

#[test]
fn a_persistent_store_keeps_its_region() {
    let dir = Workdir::new("regions-store");
    assert_eq!(created_in(&dir, &[]), "us-east-1");
    let line = dir.fails(&["--region", "eu-west-1", "list-keys"], 255);
    assert!(line.contains("eu-west-1"), "{line}");
}

#[test]
fn the_mrk_keyring_decrypts_with_a_key_of_its_region() {
    let (dir, arn) = dir_with_message("mrk");
    dir.ok(&["decrypt-file", "--mrk-key-id", &arn, "plain.enc", "out"]);
    assert_eq!(decrypted(&dir), b"multi-Region keyrings");

    // Another key of the Region is no match: nothing to decrypt.
    let other = dir.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    let line = dir.fails(
        &["decrypt-file", "--mrk-key-id", &other, "plain.enc", "out"],
        1,
    );
    assert!(line.contains("cannot decrypt"), "{line}");
    assert!(!dir.path("out").exists());
}

#[test]
fn the_mrk_keyring_wants_key_arns_and_one_key_per_set() {
    let (dir, arn) = dir_with_message("mrk-args");
    let key_id = arn.rsplit('/').next().unwrap().to_owned();
    for bare in [key_id.as_str(), MRK, "alias/app"] {
        let line = dir.fails(
            &["decrypt-file", "--mrk-key-id", bare, "plain.enc", "out"],
            252,
        );
        assert!(line.contains("is not a key ARN or alias ARN"), "{line}");
    }
    let east = format!("arn:aws:kms:us-east-1:111122223333:key/{MRK}");
    let west = format!("arn:aws:kms:us-west-2:111122223333:key/{MRK}");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--mrk-key-id",
            &east,
            "--mrk-key-id",
            &west,
            "plain.enc",
            "out",
        ],
        252,
    );
    assert!(line.contains("related multi-Region keys"), "{line}");
    assert!(line.contains(&east) && line.contains(&west), "{line}");
    let line = dir.fails(
        &["decrypt-file", "--mrk-key-id", "nope", "plain.enc", "out"],
        252,
    );
    assert!(line.contains("--mrk-key-id"), "{line}");
    // Not with the other keyrings.
    for other in [
        &["--key-id", &arn][..],
        &["--discovery"],
        &["--mrk-discovery"],
    ] {
        let args = [
            &["decrypt-file", "--mrk-key-id", &arn][..],
            other,
            &["plain.enc", "out"],
        ]
        .concat();
        assert_eq!(dir.run(&args).status.code(), Some(252), "{other:?}");
    }
    assert!(!dir.path("out").exists());
}

/// The local backend plays one Region: the key of another Region is refused by name, as a
/// limit of the backend (exit code 255), not silently tried on a store that lacks it.
#[test]
fn a_key_of_another_region_needs_a_backend_of_several_regions() {
    let (dir, _) = dir_with_message("mrk-elsewhere");
    let west = format!("arn:aws:kms:us-west-2:111122223333:key/{MRK}");
    let line = dir.fails(
        &["decrypt-file", "--mrk-key-id", &west, "plain.enc", "out"],
        255,
    );
    assert!(
        line.contains("a handle of the same store in Region 'us-west-2'"),
        "{line}"
    );
    let line = dir.fails(
        &[
            "decrypt-file",
            "--mrk-discovery",
            "--discovery-region",
            "us-west-2",
            "plain.enc",
            "out",
        ],
        255,
    );
    assert!(line.contains("Region 'us-west-2'"), "{line}");
}

#[test]
fn mrk_discovery_decrypts_in_the_command_region() {
    let (dir, _) = dir_with_message("mrk-discovery");
    for filter in [&[][..], &["--discovery-account", "111122223333"]] {
        let args = [
            &["decrypt-file", "--mrk-discovery"][..],
            filter,
            &["plain.enc", "out"],
        ]
        .concat();
        dir.ok(&args);
        assert_eq!(decrypted(&dir), b"multi-Region keyrings");
    }
    dir.ok(&[
        "decrypt-file",
        "--mrk-discovery",
        "--discovery-region",
        "us-east-1",
        "plain.enc",
        "out",
    ]);
    assert_eq!(decrypted(&dir), b"multi-Region keyrings");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--mrk-discovery",
            "--discovery-account",
            "444455556666",
            "plain.enc",
            "out",
        ],
        1,
    );
    assert!(line.contains("cannot decrypt"), "{line}");
}

#[test]
fn discovery_flags_need_a_discovery_keyring() {
    let (dir, _) = dir_with_message("discovery-flags");
    let line = dir.fails(
        &[
            "decrypt-file",
            "--discovery-account",
            "111122223333",
            "plain.enc",
            "out",
        ],
        252,
    );
    assert!(
        line.contains("--discovery-account needs --discovery or --mrk-discovery"),
        "{line}"
    );
    for args in [
        &["--discovery-region", "us-east-1"][..],
        &["--mrk-discovery", "--discovery"],
        &["--mrk-discovery", "--discovery-region", "US EAST"],
        &["--mrk-discovery", "--discovery-account", "12345"],
    ] {
        let args = [&["decrypt-file"][..], args, &["plain.enc", "out"]].concat();
        assert_eq!(dir.run(&args).status.code(), Some(252), "{args:?}");
    }
    let line = dir.fails(&["decrypt-file", "plain.enc", "out"], 252);
    assert!(line.contains("--mrk-key-id or --mrk-discovery"), "{line}");
    assert!(!dir.path("out").exists());
}
