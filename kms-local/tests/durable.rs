//! The durable store: survives restarts and `SIGKILL`, shares a directory between processes,
//! and refuses a wrong root key or a damaged journal by naming the file.
//!
//! The crash and concurrency tests run this test binary again as child processes: a child is
//! the same test function, started with `KMS_DURABLE_CHILD` set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use kms_core::{
    CreateAliasRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, EncryptionContext,
    KeyId, KeyState, Kms, KmsExt, RotateKeyOnDemandRequest, ScheduleKeyDeletionRequest,
    SecretBytes,
};
use kms_local::LocalKms;

const CHILD: &str = "KMS_DURABLE_CHILD";
const ROOT_KEY: [u8; 32] = [7; 32];

/// A fresh directory under the system's temporary directory.
fn scratch_dir(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir =
        std::env::temp_dir().join(format!("kms-durable-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn open(dir: &Path) -> LocalKms {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .build()
        .unwrap()
}

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn keys_aliases_tags_states_and_rotations_survive_a_restart() {
    let dir = scratch_dir("restart");
    let context = EncryptionContext::new().with("purpose", "restart");
    let (key, blob_before_rotation, blob_after_rotation) = {
        let kms = open(&dir);
        let key = kms.create_symmetric_key("kept").await.unwrap();
        kms.create_alias(CreateAliasRequest::new("alias/kept", key_id(&key.key_id)))
            .await
            .unwrap();
        let before = kms
            .encrypt_bytes("alias/kept", b"before", &context)
            .await
            .unwrap();
        kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
            .await
            .unwrap();
        let after = kms
            .encrypt_bytes("alias/kept", b"after", &context)
            .await
            .unwrap();
        let doomed = kms.create_symmetric_key("doomed").await.unwrap();
        kms.schedule_key_deletion(ScheduleKeyDeletionRequest::new(key_id(&doomed.key_id)))
            .await
            .unwrap();
        (key, before, after)
    };

    let kms = open(&dir);
    assert_eq!(kms.key_count(), 2);
    let described = kms
        .describe_key(DescribeKeyRequest::new(key_id("alias/kept")))
        .await
        .unwrap()
        .key_metadata;
    assert_eq!(described.key_id, key.key_id);
    assert_eq!(described.description.as_deref(), Some("kept"));
    assert_eq!(described.creation_date, key.creation_date);
    assert_ne!(
        described.current_key_material_id,
        key.current_key_material_id
    );
    for (blob, plaintext) in [
        (&blob_before_rotation, &b"before"[..]),
        (&blob_after_rotation, b"after"),
    ] {
        let back = kms.decrypt_bytes(blob, &context).await.unwrap();
        assert_eq!(back.expose_secret(), plaintext);
    }
    let keys = kms
        .list_keys(kms_core::ListKeysRequest::new())
        .await
        .unwrap()
        .keys;
    let doomed = keys.iter().find(|k| k.key_id != key.key_id).unwrap();
    let doomed = kms
        .describe_key(DescribeKeyRequest::new(key_id(&doomed.key_id)))
        .await
        .unwrap()
        .key_metadata;
    assert_eq!(doomed.key_state, Some(KeyState::PendingDeletion));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_root_key_is_refused_by_naming_the_journal() {
    let dir = scratch_dir("root-key");
    runtime().block_on(async {
        open(&dir).create_symmetric_key("k").await.unwrap();
    });
    let err = LocalKms::builder()
        .path(&dir)
        .root_key(SecretBytes::from(&[8u8; 32]))
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&dir.join("journal").display().to_string()),
        "{message}"
    );
    assert!(message.contains("another root key"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_root_key_file_is_created_private_and_reused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("root-key-file");
    if std::env::var_os(kms_local::ROOT_KEY_ENV).is_some() {
        panic!("unset {} to run this test", kms_local::ROOT_KEY_ENV);
    }
    runtime().block_on(async {
        let kms = LocalKms::builder().path(&dir).build().unwrap();
        kms.create_symmetric_key("k").await.unwrap();
    });
    let metadata = std::fs::metadata(dir.join("root.key")).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(metadata.len(), 32);
    let reopened = LocalKms::builder().path(&dir).build().unwrap();
    assert_eq!(reopened.key_count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damage_is_an_error_but_a_torn_last_record_is_cut_off() {
    let dir = scratch_dir("damage");
    runtime().block_on(async {
        let kms = open(&dir);
        kms.create_symmetric_key("first").await.unwrap();
        kms.create_symmetric_key("second").await.unwrap();
    });
    let journal = dir.join("journal");
    let intact = std::fs::read(&journal).unwrap();

    // A torn append: the last record cut short. The store opens with the first key only.
    std::fs::write(&journal, &intact[..intact.len() - 10]).unwrap();
    assert_eq!(open(&dir).key_count(), 1);
    assert!(std::fs::metadata(&journal).unwrap().len() < intact.len() as u64 - 10);

    // A flipped bit inside the first record, with a valid record after it: corruption.
    let mut damaged = intact.clone();
    damaged[120] ^= 1;
    std::fs::write(&journal, &damaged).unwrap();
    let err = LocalKms::builder()
        .path(&dir)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("is damaged at byte"), "{err}");
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        damaged,
        "nothing is repaired silently"
    );

    // A journal of a newer format version.
    let mut newer = intact.clone();
    newer[11] = 2;
    std::fs::write(&journal, &newer).unwrap();
    let err = LocalKms::builder()
        .path(&dir)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("format version 2"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What a child reported: keys whose creation returned, and ciphertexts with their plaintext.
#[derive(Default)]
struct Reported {
    keys: Vec<String>,
    blobs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Reported {
    fn read(lines: impl Iterator<Item = String>) -> Self {
        let mut reported = Self::default();
        for line in lines {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                ["created", id] => reported.keys.push((*id).to_owned()),
                ["encrypted", blob, plaintext] => {
                    reported.blobs.push((unhex(blob), unhex(plaintext)));
                }
                _ => {} // a line cut short by the kill
            }
        }
        reported
    }

    async fn check(&self, kms: &LocalKms) {
        for id in &self.keys {
            kms.describe_key(DescribeKeyRequest::new(key_id(id)))
                .await
                .unwrap_or_else(|err| panic!("reported key {id} is lost: {err}"));
        }
        for (blob, plaintext) in &self.blobs {
            let back = kms
                .decrypt(DecryptRequest::new(blob.clone()))
                .await
                .unwrap_or_else(|err| panic!("a reported ciphertext does not decrypt: {err}"));
            assert_eq!(back.plaintext.expose_secret(), &plaintext[..]);
        }
    }
}

/// The child: create keys, encrypt, rotate, report each result once it has returned.
async fn child(dir: &Path, rounds: u32) {
    // End the test harness's "test … " line, so every report stands on a line of its own.
    println!();
    let kms = open(dir);
    for round in 0..rounds {
        let key = kms.create_symmetric_key("child").await.unwrap();
        println!("created {}", key.key_id);
        let plaintext = format!("round {round} of {}", std::process::id()).into_bytes();
        let request = EncryptRequest::new(key_id(&key.key_id), plaintext.as_slice());
        let blob = kms.encrypt(request).await.unwrap().ciphertext_blob;
        println!("encrypted {} {}", hex(&blob), hex(&plaintext));
        if round % 3 == 0 {
            kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key.key_id)))
                .await
                .unwrap();
        }
    }
}

/// Runs this test binary's `test_name` as a child with `mode`, on `dir`.
fn spawn_child(test_name: &str, mode: &str, dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test_name, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD, format!("{mode}:{}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The mode and directory of a child, if this process is one.
fn child_mode() -> Option<(String, PathBuf)> {
    let value = std::env::var(CHILD).ok()?;
    let (mode, dir) = value.split_once(':')?;
    Some((mode.to_owned(), PathBuf::from(dir)))
}

/// A small deterministic generator for the kill delays.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn nothing_reported_is_lost_when_the_process_is_killed_at_random_moments() {
    if let Some((_, dir)) = child_mode() {
        runtime().block_on(child(&dir, u32::MAX));
        return;
    }
    let dir = scratch_dir("crash");
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut total = Reported::default();
    for _ in 0..200 {
        let mut child = spawn_child(
            "nothing_reported_is_lost_when_the_process_is_killed_at_random_moments",
            "crash",
            &dir,
        );
        // Kill at a random moment once the child has created its first key, however slow
        // the machine is.
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut before_kill = Vec::new();
        for line in stdout.by_ref().map_while(Result::ok) {
            let first_key = line.starts_with("created ");
            before_kill.push(line);
            if first_key {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(1 + random.below(30)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = before_kill.into_iter().chain(stdout.map_while(Result::ok));
        let reported = Reported::read(lines);
        let kms = open(&dir);
        runtime().block_on(reported.check(&kms));
        total.keys.extend(reported.keys);
        total.blobs.extend(reported.blobs);
    }
    let kms = open(&dir);
    runtime().block_on(total.check(&kms));
    assert!(
        total.keys.len() >= 200,
        "the children did work: {} keys",
        total.keys.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_processes_changing_one_store_lose_nothing() {
    if let Some((_, dir)) = child_mode() {
        runtime().block_on(child(&dir, 40));
        return;
    }
    let dir = scratch_dir("concurrent");
    open(&dir); // create the store before the children race
    let children: Vec<_> = (0..2)
        .map(|_| {
            spawn_child(
                "two_processes_changing_one_store_lose_nothing",
                "concurrent",
                &dir,
            )
        })
        .collect();
    let mut reported = Reported::default();
    for mut child in children {
        let stdout = child.stdout.take().unwrap();
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        assert!(child.wait().unwrap().success());
        let part = Reported::read(lines.into_iter());
        reported.keys.extend(part.keys);
        reported.blobs.extend(part.blobs);
    }
    assert_eq!(reported.keys.len(), 80);
    let kms = open(&dir);
    assert_eq!(kms.key_count(), 80);
    runtime().block_on(reported.check(&kms));
    std::fs::remove_dir_all(&dir).unwrap();
}
