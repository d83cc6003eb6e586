//! `--region`, and the multi-Region-aware keyrings of `decrypt-file` (`--mrk-key-id`,
//! `--mrk-discovery`), on the local backend: each call is a new process.
//!
//! The local backend is one world of Regions (a persistent store here, kept between the
//! processes); `tests/serve.rs` crosses Regions through the AWS backend and `kms serve`.
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

/// A persistent store is a world: `--region` names another Region of it, whose keys are its
/// own (kept in `DIR/regions/REGION`) and are there for the next command.
#[test]
fn the_region_flag_names_another_region_of_a_persistent_store() {
    let dir = Workdir::new("regions-store");
    assert_eq!(created_in(&dir, &[]), "us-east-1");
    assert_eq!(created_in(&dir, &["--region", "eu-west-1"]), "eu-west-1");
    let count = |flags: &[&str]| {
        let args = [flags, &["list-keys", "--query", "length(Keys)"]].concat();
        dir.ok(&args)
    };
    assert_eq!(count(&["--region", "eu-west-1"]), "1");
    assert_eq!(count(&[]), "1");
    assert!(dir.path("store/regions/eu-west-1").is_dir());
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

/// One local world of Regions (here a persistent store, each command a new process): a
/// message written with a multi-Region key in us-east-1 decrypts in us-west-2 with its
/// replica, by the strict MRK keyring and by MRK discovery; the us-east-1 key named from
/// us-west-2 is refused as AWS refuses an ARN of another Region.
#[test]
fn a_message_of_a_multi_region_key_decrypts_in_another_region() {
    let dir = Workdir::new("regions-mrk-world");
    let east = dir.ok(&[
        "--region",
        "us-east-1",
        "create-key",
        "--multi-region",
        "--output",
        "text",
        "--query",
        "KeyMetadata.Arn",
    ]);
    let key_id = east.rsplit('/').next().unwrap().to_owned();
    assert!(key_id.starts_with("mrk-"), "{east}");
    let west = dir.ok(&[
        "--region",
        "us-east-1",
        "replicate-key",
        "--key-id",
        &key_id,
        "--replica-region",
        "us-west-2",
        "--output",
        "text",
        "--query",
        "ReplicaKeyMetadata.Arn",
    ]);
    assert_eq!(west, east.replace(":us-east-1:", ":us-west-2:"));
    std::fs::write(dir.path("plain"), b"written in the east").unwrap();
    dir.ok(&[
        "--region",
        "us-east-1",
        "encrypt-file",
        "--key-id",
        &east,
        "plain",
        "plain.enc",
    ]);

    let in_the_west = ["--region", "us-west-2", "decrypt-file"];
    dir.ok(&[
        &in_the_west[..],
        &["--mrk-key-id", &west, "plain.enc", "out"],
    ]
    .concat());
    assert_eq!(decrypted(&dir), b"written in the east");
    dir.ok(&[&in_the_west[..], &["--mrk-discovery", "plain.enc", "out"]].concat());
    assert_eq!(decrypted(&dir), b"written in the east");

    let line = dir.fails(
        &[&in_the_west[..], &["--key-id", &east, "plain.enc", "out"]].concat(),
        1,
    );
    assert!(line.contains("Invalid arn us-east-1"), "{line}");
    assert!(!dir.path("out").exists());
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
