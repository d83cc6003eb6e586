//! A durable world of Regions and accounts behind `kms serve`: keys in three Regions and two
//! accounts, a multi-Region key replicated to two other Regions, aliases and ciphertexts, all
//! still there after the server is killed with SIGKILL right after acknowledged changes (a
//! rotation on demand of the primary, an alias), and after a graceful stop. The rotation of
//! the primary shows in every replica: one set of key materials, never copied.
//!
//! Accounts come from the server's `--credentials` file: each request is signed with the
//! access key of one account, and the server maps its credential scope (Region) and the
//! credential's account onto the one world of the store.
#![cfg(unix)] // The server is stopped by PID with kill(1): SIGKILL and SIGTERM.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::Workdir;
use serde_json::Value;

/// The Region of the primary, and the Regions of its replicas.
const PRIMARY_REGION: &str = "us-east-1";
const REPLICA_REGIONS: [&str; 2] = ["us-west-2", "eu-west-1"];
const REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];

/// A caller: an access key of the credentials file and its account.
struct Account {
    access_key_id: &'static str,
    secret: &'static str,
    id: &'static str,
}

const HOME: Account = Account {
    access_key_id: "AKIDHOMEACCOUNT",
    secret: "home secret",
    id: "111122223333",
};
const OTHER: Account = Account {
    access_key_id: "AKIDOTHERACCOUNT",
    secret: "other secret",
    id: "444455556666",
};

/// The server's credentials file: one access key per account.
fn write_credentials(work: &Workdir) -> String {
    let mut toml = String::new();
    for account in [&HOME, &OTHER] {
        toml += &format!(
            "[[credentials]]\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\naccount = \"{}\"\n\n",
            account.access_key_id, account.secret, account.id
        );
    }
    let path = work.path("credentials.toml");
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A `kms serve` process on a persistent store, killed (by PID) if a test fails before it
/// stops.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(store: &Path, credentials: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--credentials",
                credentials,
            ])
            .env("KMS_URL", kms::local_store_url(store).unwrap())
            .env("KMS_LOCAL_ROOT_KEY", STANDARD.encode([5u8; 32]))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .trim_end()
            .to_owned();
        Self { child, url }
    }

    /// `kms ARGS` in `region`, signed by `account`, through the AWS backend.
    fn run(&self, account: &Account, region: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kms"))
            .args(["--url", &format!("aws+{}", self.url), "--region", region])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", account.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", account.secret)
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("KMS_URL")
            .output()
            .unwrap()
    }

    /// `kms ARGS`, which must succeed printing JSON; that JSON.
    fn json(&self, account: &Account, region: &str, args: &[&str]) -> Value {
        let output = self.run(account, region, args);
        assert!(
            output.status.success(),
            "kms {args:?} in {region} as {}: {}",
            account.id,
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// Sends `signal` (`-KILL`, `-TERM`) by PID and waits for the exit (at most 20 s).
    fn stop(mut self, signal: &str) -> (ExitStatus, String) {
        common::stop_by_signal(&mut self.child, signal)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value}"))
}

/// A ciphertext the server acknowledged: where it was made, by whom, and its plaintext.
struct Sealed {
    account: &'static Account,
    region: &'static str,
    key_arn: String,
    plaintext: Vec<u8>,
    blob: String,
}

/// Everything the server acknowledged, to be found again after a restart.
#[derive(Default)]
struct Acknowledged {
    /// Key ARNs by account and Region.
    keys: BTreeMap<(&'static str, &'static str), Vec<String>>,
    /// Alias name → target key ID, by account and Region.
    aliases: BTreeMap<(&'static str, &'static str), BTreeMap<String, String>>,
    sealed: Vec<Sealed>,
}

/// The world: the acknowledged state and a directory for the files `kms` reads.
struct World {
    work: Workdir,
    credentials: String,
    acknowledged: Acknowledged,
    /// The key ID of the multi-Region key (the same in every Region).
    mrk: String,
    files: usize,
}

impl World {
    fn new(name: &str) -> Self {
        let work = Workdir::new(name);
        let credentials = write_credentials(&work);
        Self {
            work,
            credentials,
            acknowledged: Acknowledged::default(),
            mrk: String::new(),
            files: 0,
        }
    }

    fn start(&self) -> Served {
        Served::start(&self.work.path("store"), &self.credentials)
    }

    fn create_key(
        &mut self,
        served: &Served,
        account: &'static Account,
        region: &'static str,
        flags: &[&str],
    ) -> String {
        let created = served.json(account, region, &[&["create-key"], flags].concat());
        let arn = text(&created, "/KeyMetadata/Arn").to_owned();
        assert!(
            arn.starts_with(&format!("arn:aws:kms:{region}:{}:key/", account.id)),
            "{arn}"
        );
        self.acknowledged
            .keys
            .entry((account.id, region))
            .or_default()
            .push(arn.clone());
        arn
    }

    fn create_alias(
        &mut self,
        served: &Served,
        account: &'static Account,
        region: &'static str,
        alias: &str,
        key_arn: &str,
    ) {
        let args = [
            "create-alias",
            "--alias-name",
            alias,
            "--target-key-id",
            key_arn,
        ];
        let output = served.run(account, region, &args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let key_id = key_arn.rsplit('/').next().unwrap().to_owned();
        self.acknowledged
            .aliases
            .entry((account.id, region))
            .or_default()
            .insert(alias.to_owned(), key_id);
    }

    /// Encrypts fresh bytes under `key_arn` in `region`; the ciphertext is remembered.
    fn seal(
        &mut self,
        served: &Served,
        account: &'static Account,
        region: &'static str,
        key_arn: &str,
    ) {
        self.files += 1;
        let plaintext = format!("sealed {} in {region} as {}", self.files, account.id);
        let file = self
            .work
            .fileb(&format!("plain-{}", self.files), plaintext.as_bytes());
        let sealed = served.json(
            account,
            region,
            &["encrypt", "--key-id", key_arn, "--plaintext", &file],
        );
        self.acknowledged.sealed.push(Sealed {
            account,
            region,
            key_arn: key_arn.to_owned(),
            plaintext: plaintext.into_bytes(),
            blob: text(&sealed, "/CiphertextBlob").to_owned(),
        });
    }

    /// Decrypts `sealed` in `region`; the decrypt answer.
    fn open(&mut self, served: &Served, sealed_index: usize, region: &str) -> Output {
        let sealed = &self.acknowledged.sealed[sealed_index];
        self.files += 1;
        let file = self.work.fileb(
            &format!("blob-{}", self.files),
            &STANDARD.decode(&sealed.blob).unwrap(),
        );
        served.run(
            sealed.account,
            region,
            &["decrypt", "--ciphertext-blob", &file],
        )
    }

    /// The ARN of the multi-Region key in `region`.
    fn mrk_in(&self, region: &str) -> String {
        format!("arn:aws:kms:{region}:{}:key/{}", HOME.id, self.mrk)
    }

    /// The shared rotation state of the multi-Region key: its CurrentKeyMaterialId and its
    /// ListKeyRotations entries (without the KeyId, each Region's own ARN), equal in every
    /// Region.
    fn mrk_rotation(&self, served: &Served) -> (String, Value) {
        let mut seen: Option<(String, Value)> = None;
        for region in REGIONS {
            let arn = self.mrk_in(region);
            let described = served.json(&HOME, region, &["describe-key", "--key-id", &arn]);
            let current = text(&described, "/KeyMetadata/CurrentKeyMaterialId").to_owned();
            check_multi_region_configuration(&described, region);
            let rotations = served.json(&HOME, region, &["list-key-rotations", "--key-id", &arn]);
            // Each Region names its own key; the rest is shared.
            let mut rotations = rotations["Rotations"].clone();
            for rotation in rotations.as_array_mut().unwrap() {
                let named = rotation.as_object_mut().unwrap().remove("KeyId");
                assert_eq!(named.as_ref().and_then(Value::as_str), Some(arn.as_str()));
            }
            match &seen {
                None => seen = Some((current, rotations)),
                Some((first, first_rotations)) => {
                    assert_eq!(&current, first, "CurrentKeyMaterialId in {region}");
                    assert_eq!(&rotations, first_rotations, "ListKeyRotations in {region}");
                }
            }
        }
        seen.unwrap()
    }

    /// Checks that every acknowledged key, alias and ciphertext is there in its account and
    /// Region, that a multi-Region ciphertext decrypts in every Region, and that a
    /// single-Region one is refused elsewhere.
    fn check(&mut self, served: &Served) {
        for ((account_id, region), arns) in &self.acknowledged.keys {
            let account = if *account_id == HOME.id {
                &HOME
            } else {
                &OTHER
            };
            let listed = served.json(account, region, &["list-keys"]);
            let mut listed: Vec<&str> = listed["Keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|key| text(key, "/KeyArn"))
                .collect();
            listed.sort_unstable();
            let mut expected: Vec<&str> = arns.iter().map(String::as_str).collect();
            expected.sort_unstable();
            assert_eq!(listed, expected, "the keys of {account_id} in {region}");
        }
        for ((account_id, region), aliases) in &self.acknowledged.aliases {
            let account = if *account_id == HOME.id {
                &HOME
            } else {
                &OTHER
            };
            let listed = served.json(account, region, &["list-aliases"]);
            let listed: BTreeMap<String, String> = listed["Aliases"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|alias| {
                    let target = alias.get("TargetKeyId")?.as_str()?;
                    Some((text(alias, "/AliasName").to_owned(), target.to_owned()))
                })
                .collect();
            assert_eq!(&listed, aliases, "the aliases of {account_id} in {region}");
        }
        for index in 0..self.acknowledged.sealed.len() {
            let (multi_region, home_region) = {
                let sealed = &self.acknowledged.sealed[index];
                (sealed.key_arn.contains("/mrk-"), sealed.region)
            };
            let regions: &[&str] = if multi_region {
                &REGIONS
            } else {
                &[home_region]
            };
            for region in regions {
                let output = self.open(served, index, region);
                let sealed = &self.acknowledged.sealed[index];
                assert!(
                    output.status.success(),
                    "a ciphertext of {} in {region}: {}",
                    sealed.key_arn,
                    String::from_utf8_lossy(&output.stderr)
                );
                let opened: Value = serde_json::from_slice(&output.stdout).unwrap();
                assert_eq!(
                    STANDARD.decode(text(&opened, "/Plaintext")).unwrap(),
                    sealed.plaintext
                );
                // The answer names the related key of the Region that decrypted.
                let key_id = sealed.key_arn.rsplit('/').next().unwrap();
                let expected = format!("arn:aws:kms:{region}:{}:key/{key_id}", sealed.account.id);
                assert_eq!(text(&opened, "/KeyId"), expected);
            }
            if !multi_region {
                let elsewhere = REGIONS.iter().find(|r| **r != home_region).unwrap();
                let output = self.open(served, index, elsewhere);
                assert_eq!(output.status.code(), Some(254));
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert!(stderr.contains("(AccessDeniedException)"), "{stderr}");
            }
        }
    }

    /// Keys in three Regions of the home account and two of the other, a multi-Region key in
    /// us-east-1 replicated to the two other Regions, aliases and ciphertexts everywhere.
    fn populate(&mut self, served: &Served) {
        let primary = self.create_key(served, &HOME, PRIMARY_REGION, &["--multi-region"]);
        self.mrk = primary.rsplit('/').next().unwrap().to_owned();
        assert!(self.mrk.starts_with("mrk-"), "{primary}");
        for region in REPLICA_REGIONS {
            let replicated = served.json(
                &HOME,
                PRIMARY_REGION,
                &[
                    "replicate-key",
                    "--key-id",
                    &primary,
                    "--replica-region",
                    region,
                ],
            );
            let replica = text(&replicated, "/ReplicaKeyMetadata/Arn").to_owned();
            assert_eq!(replica, self.mrk_in(region));
            self.acknowledged
                .keys
                .entry((HOME.id, region))
                .or_default()
                .push(replica);
        }
        for region in REGIONS {
            let single = self.create_key(served, &HOME, region, &[]);
            self.create_alias(
                served,
                &HOME,
                region,
                &format!("alias/home-{region}"),
                &single,
            );
            self.create_alias(served, &HOME, region, "alias/shared", &self.mrk_in(region));
            self.seal(served, &HOME, region, &single);
            self.seal(served, &HOME, region, &self.mrk_in(region));
        }
        for region in ["us-east-1", "eu-west-1"] {
            let other = self.create_key(served, &OTHER, region, &[]);
            self.create_alias(served, &OTHER, region, "alias/other", &other);
            self.seal(served, &OTHER, region, &other);
        }
    }

    /// Rotates the primary on demand; seals under the new material in us-east-1, then
    /// creates an alias: the last acknowledged changes before a stop. The material ID the
    /// primary had before.
    fn rotate_then_alias(&mut self, served: &Served) -> String {
        let (before, rotations) = self.mrk_rotation(served);
        assert_eq!(rotations, Value::Array(Vec::new()), "no rotation yet");
        let primary = self.mrk_in(PRIMARY_REGION);
        served.json(
            &HOME,
            PRIMARY_REGION,
            &["rotate-key-on-demand", "--key-id", &primary],
        );
        self.seal(served, &HOME, PRIMARY_REGION, &primary);
        self.create_alias(
            served,
            &HOME,
            "us-west-2",
            "alias/after-rotation",
            &self.mrk_in("us-west-2"),
        );
        before
    }

    /// The primary's rotation in every Region: a new CurrentKeyMaterialId, one
    /// ListKeyRotations entry, the same everywhere.
    fn check_rotated(&self, served: &Served, before: &str) {
        let (current, rotations) = self.mrk_rotation(served);
        assert_ne!(current, before, "the rotation changed CurrentKeyMaterialId");
        assert_eq!(rotations.as_array().unwrap().len(), 1, "{rotations}");
        assert_eq!(text(&rotations, "/0/KeyMaterialId"), current);
        assert_eq!(text(&rotations, "/0/RotationType"), "ON_DEMAND");
    }
}

/// The multi-Region configuration DescribeKey gives in `region`: the primary in us-east-1,
/// its replicas in the two other Regions.
fn check_multi_region_configuration(described: &Value, region: &str) {
    let configuration = &described["KeyMetadata"]["MultiRegionConfiguration"];
    let kind = if region == PRIMARY_REGION {
        "PRIMARY"
    } else {
        "REPLICA"
    };
    assert_eq!(
        text(configuration, "/MultiRegionKeyType"),
        kind,
        "{described}"
    );
    assert_eq!(
        text(configuration, "/PrimaryKey/Region"),
        PRIMARY_REGION,
        "{described}"
    );
    let mut replicas: Vec<&str> = configuration["ReplicaKeys"]
        .as_array()
        .unwrap_or_else(|| panic!("no ReplicaKeys in {described}"))
        .iter()
        .map(|replica| text(replica, "/Region"))
        .collect();
    replicas.sort_unstable();
    let mut expected = REPLICA_REGIONS.to_vec();
    expected.sort_unstable();
    assert_eq!(replicas, expected, "{described}");
}

#[test]
fn a_multi_region_world_survives_sigkill_after_acknowledged_changes() {
    let mut world = World::new("world-sigkill");
    let served = world.start();
    world.populate(&served);
    let before = world.rotate_then_alias(&served);
    let (exit, _) = served.stop("-KILL");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&exit),
        Some(9)
    );

    let served = world.start();
    world.check(&served);
    world.check_rotated(&served, &before);
    // A ciphertext made after the rotation in a replica's Region decrypts in the others.
    world.seal(&served, &HOME, "eu-west-1", &world.mrk_in("eu-west-1"));
    world.check(&served);

    // Killed again right after a change, and reopened once more.
    let other = world.acknowledged.keys[&(OTHER.id, "us-east-1")][0].clone();
    world.create_alias(&served, &OTHER, "us-east-1", "alias/last", &other);
    let (exit, _) = served.stop("-KILL");
    assert!(!exit.success());
    let served = world.start();
    world.check(&served);
    world.check_rotated(&served, &before);
    served.stop("-TERM");
}

#[test]
fn a_multi_region_world_is_the_same_after_a_graceful_stop() {
    let mut world = World::new("world-reopen");
    let served = world.start();
    world.populate(&served);
    let before = world.rotate_then_alias(&served);
    world.check(&served);
    let (exit, stderr) = served.stop("-TERM");
    assert!(exit.success(), "{stderr}");

    let served = world.start();
    world.check(&served);
    world.check_rotated(&served, &before);
    let (exit, stderr) = served.stop("-TERM");
    assert!(exit.success(), "{stderr}");
}
