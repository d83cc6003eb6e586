//! The durable store: survives restarts and `SIGKILL`, shares a directory between processes,
//! cuts off a torn last record, and refuses a wrong root key by naming the file. (What it
//! refuses to protect the keys is in `store_protection.rs`.)
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
use tempfile::TempDir;

const CHILD: &str = "KMS_DURABLE_CHILD";
const ROOT_KEY: [u8; 32] = [7; 32];

/// A fresh private directory (mode 0700), removed when dropped, even when a test fails.
fn scratch_dir() -> TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kms-durable-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().unwrap()
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
    let scratch = scratch_dir();
    let dir = scratch.path();
    let context = EncryptionContext::new().with("purpose", "restart");
    let (key, blob_before_rotation, blob_after_rotation) = {
        let kms = open(dir);
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

    let kms = open(dir);
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
}

#[test]
fn a_wrong_root_key_is_refused_by_naming_the_journal() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    runtime().block_on(async {
        open(dir).create_symmetric_key("k").await.unwrap();
    });
    let err = LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&[8u8; 32]))
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&dir.join("journal").display().to_string()),
        "{message}"
    );
    assert!(message.contains("another root key"), "{message}");
}

#[test]
fn the_root_key_file_is_created_private_and_reused() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    if std::env::var_os(kms_local::ROOT_KEY_ENV).is_some() {
        panic!("unset {} to run this test", kms_local::ROOT_KEY_ENV);
    }
    runtime().block_on(async {
        let kms = LocalKms::builder().path(dir).build().unwrap();
        kms.create_symmetric_key("k").await.unwrap();
    });
    let metadata = std::fs::metadata(dir.join("root.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(metadata.len(), 32);
    let reopened = LocalKms::builder().path(dir).build().unwrap();
    assert_eq!(reopened.key_count(), 1);
}

#[test]
fn a_torn_last_record_is_cut_off() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    runtime().block_on(async {
        let kms = open(dir);
        kms.create_symmetric_key("first").await.unwrap();
        kms.create_symmetric_key("second").await.unwrap();
    });
    let journal = dir.join("journal");
    let intact = std::fs::read(&journal).unwrap();

    // A torn append: the last record cut short. The store opens with the first key only,
    // and the torn bytes are gone.
    std::fs::write(&journal, &intact[..intact.len() - 10]).unwrap();
    let kms = open(dir);
    assert_eq!(kms.key_count(), 1);
    assert!(std::fs::metadata(&journal).unwrap().len() < intact.len() as u64 - 10);
    // The store goes on from there.
    runtime()
        .block_on(kms.create_symmetric_key("third"))
        .unwrap();
    drop(kms);
    assert_eq!(open(dir).key_count(), 2);
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

/// Runs `test_name` as a child on `dir`, kills it (SIGKILL) `delay` after it has created its
/// first key, however slow the machine is, and returns every line it printed.
fn run_and_kill(test_name: &str, dir: &Path, delay: Duration) -> Vec<String> {
    let mut child = spawn_child(test_name, "crash", dir);
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut lines = Vec::new();
    for line in stdout.by_ref().map_while(Result::ok) {
        let first_key = line.starts_with("created ");
        lines.push(line);
        if first_key {
            break;
        }
    }
    std::thread::sleep(delay);
    child.kill().unwrap();
    child.wait().unwrap();
    lines.extend(stdout.map_while(Result::ok));
    lines
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
    let scratch = scratch_dir();
    let dir = scratch.path();
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut total = Reported::default();
    for _ in 0..200 {
        let lines = run_and_kill(
            "nothing_reported_is_lost_when_the_process_is_killed_at_random_moments",
            dir,
            Duration::from_millis(1 + random.below(30)),
        );
        let reported = Reported::read(lines.into_iter());
        let kms = open(dir);
        runtime().block_on(reported.check(&kms));
        total.keys.extend(reported.keys);
        total.blobs.extend(reported.blobs);
    }
    let kms = open(dir);
    runtime().block_on(total.check(&kms));
    assert!(
        total.keys.len() >= 200,
        "the children did work: {} keys",
        total.keys.len()
    );
}

#[test]
fn two_processes_changing_one_store_lose_nothing() {
    if let Some((_, dir)) = child_mode() {
        runtime().block_on(child(&dir, 40));
        return;
    }
    let scratch = scratch_dir();
    let dir = scratch.path();
    open(dir); // create the store before the children race
    let children: Vec<_> = (0..2)
        .map(|_| {
            spawn_child(
                "two_processes_changing_one_store_lose_nothing",
                "concurrent",
                dir,
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
    let kms = open(dir);
    assert_eq!(kms.key_count(), 80);
    runtime().block_on(reported.check(&kms));
}

/// The journal's size in bytes.
fn journal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("journal")).unwrap().len()
}

async fn describe(kms: &LocalKms, key: &str) -> kms_core::KeyMetadata {
    kms.describe_key(DescribeKeyRequest::new(key_id(key)))
        .await
        .unwrap()
        .key_metadata
}

async fn rotation_count(kms: &LocalKms, key: &str) -> usize {
    kms.list_key_rotations(kms_core::ListKeyRotationsRequest::new(key_id(key)))
        .await
        .unwrap()
        .rotations
        .len()
}

async fn set_description(kms: &LocalKms, key: &str, description: &str) {
    kms.update_key_description(kms_core::UpdateKeyDescriptionRequest::new(
        key_id(key),
        description,
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn a_long_journal_is_compacted_without_losing_anything() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    let context = EncryptionContext::new().with("purpose", "compaction");
    let kms = open(dir);
    let key = kms.create_symmetric_key("first").await.unwrap().key_id;
    kms.create_alias(CreateAliasRequest::new("alias/kept", key_id(&key)))
        .await
        .unwrap();
    let before_rotation = kms
        .encrypt_bytes("alias/kept", b"old material", &context)
        .await
        .unwrap();
    kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&key)))
        .await
        .unwrap();
    let other = kms.create_symmetric_key("other").await.unwrap().key_id;

    // Each change appends the key whole: without compaction the journal would grow by a
    // record per change.
    let record_len = journal_len(dir);
    set_description(&kms, &key, "change 0").await;
    let record_len = journal_len(dir) - record_len;
    let changes = 3000;
    for change in 1..changes {
        set_description(&kms, &key, &format!("change {change}")).await;
    }
    let compacted = journal_len(dir);
    assert!(
        compacted < changes * record_len / 2,
        "{compacted} bytes after {changes} changes of {record_len} bytes each"
    );
    assert!(!dir.join("journal.compact").exists());
    // This process goes on appending to the new journal.
    set_description(&kms, &other, "after compaction").await;
    drop(kms);

    let kms = open(dir);
    assert_eq!(kms.key_count(), 2);
    let described = describe(&kms, "alias/kept").await;
    assert_eq!(described.key_id, key);
    assert_eq!(
        described.description.as_deref(),
        Some(format!("change {}", changes - 1).as_str())
    );
    assert_eq!(
        describe(&kms, &other).await.description.as_deref(),
        Some("after compaction")
    );
    let back = kms.decrypt_bytes(&before_rotation, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"old material");
    assert_eq!(rotation_count(&kms, &key).await, 1);
}

#[tokio::test]
async fn a_journal_compacted_by_another_handle_is_read_again() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    // Two handles on one directory, each with its own view, as two processes have.
    let busy = open(dir);
    let idle = open(dir);
    let busy_key = busy.create_symmetric_key("busy").await.unwrap().key_id;
    let idle_key = idle.create_symmetric_key("idle").await.unwrap().key_id;
    let blob = idle
        .encrypt_bytes(&idle_key, b"sealed before", &EncryptionContext::new())
        .await
        .unwrap();
    let before = journal_len(dir);
    set_description(&busy, &busy_key, "change 0").await;
    let record_len = journal_len(dir) - before;
    for change in 1..3000 {
        set_description(&busy, &busy_key, &format!("change {change}")).await;
    }
    assert!(
        journal_len(dir) < 3000 * record_len / 2,
        "the journal was not compacted"
    );

    // The idle handle reads the new journal from the start, then appends to it.
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(
        describe(&idle, &busy_key).await.description.as_deref(),
        Some("change 2999")
    );
    set_description(&idle, &idle_key, "idle changed").await;
    let back = idle
        .decrypt_bytes(&blob, &EncryptionContext::new())
        .await
        .unwrap();
    assert_eq!(back.expose_secret(), b"sealed before");
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(
        describe(&busy, &idle_key).await.description.as_deref(),
        Some("idle changed")
    );
    drop((busy, idle));
    let reopened = open(dir);
    assert_eq!(
        describe(&reopened, &idle_key).await.description.as_deref(),
        Some("idle changed")
    );
    assert_eq!(
        describe(&reopened, &busy_key).await.description.as_deref(),
        Some("change 2999")
    );
}

/// The child of the compaction crash test: one key, then description changes without end,
/// each reported once it has returned.
async fn describing_child(dir: &Path) {
    println!();
    let kms = open(dir);
    let key = kms.create_symmetric_key("0").await.unwrap().key_id;
    println!("created {key}");
    for change in 1.. {
        set_description(&kms, &key, &change.to_string()).await;
        println!("described {key} {change}");
    }
}

#[test]
fn nothing_reported_is_lost_when_the_process_is_killed_while_compacting() {
    if let Some((_, dir)) = child_mode() {
        runtime().block_on(describing_child(&dir));
        return;
    }
    let scratch = scratch_dir();
    let dir = scratch.path();
    let mut random = XorShift(0x2545_f491_4f6c_dd1d);
    let mut reported: Vec<(String, u64)> = Vec::new();
    // At least 40 kills, and as many more as a busy machine needs for the children to make
    // enough changes to compact the journal several times (bounded, so the test ends).
    let changes = |reported: &[(String, u64)]| -> u64 { reported.iter().map(|(_, n)| n).sum() };
    for round in 0..400 {
        if round >= 40 && changes(&reported) > 4 * 1024 {
            break;
        }
        // About a thousand changes (one compaction) take a few hundred milliseconds.
        let lines = run_and_kill(
            "nothing_reported_is_lost_when_the_process_is_killed_while_compacting",
            dir,
            Duration::from_millis(1 + random.below(600)),
        );
        let mut last = None;
        for line in &lines {
            match line.split(' ').collect::<Vec<_>>().as_slice() {
                ["created", key] => last = Some(((*key).to_owned(), 0)),
                ["described", key, change] => {
                    if let Ok(change) = change.parse() {
                        last = Some(((*key).to_owned(), change));
                    }
                }
                _ => {} // a line cut short by the kill
            }
        }
        reported.push(last.expect("the child reported its key"));

        let kms = open(dir);
        for (key, change) in &reported {
            let description = runtime().block_on(describe(&kms, key)).description.unwrap();
            // The change the child was making when killed may have landed too.
            let stored: u64 = description.parse().unwrap();
            assert!(
                stored == *change || stored == change + 1,
                "key {key}: reported change {change}, stored {stored}"
            );
        }
    }
    let changes = changes(&reported);
    assert!(
        changes > 4 * 1024,
        "the children made too few changes ({changes}) for the journal to be compacted"
    );
}

#[tokio::test]
async fn an_automatic_rotation_is_written_like_any_change() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let scratch = scratch_dir();
    let dir = scratch.path();
    let start = 1_800_000_000;
    let now = Arc::new(AtomicU64::new(start));
    let open_at = |dir: &Path| {
        let clock = Arc::clone(&now);
        LocalKms::builder()
            .path(dir)
            .root_key(SecretBytes::from(&ROOT_KEY))
            .clock(move || {
                SystemTime::UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst))
            })
            .build()
            .unwrap()
    };
    let context = EncryptionContext::new();
    let (key, blob, material) = {
        let kms = open_at(dir);
        let key = kms.create_symmetric_key("rotating").await.unwrap().key_id;
        let enable = kms_core::EnableKeyRotationRequest::new(key_id(&key))
            .with_rotation_period_in_days(90u32);
        kms.enable_key_rotation(enable).await.unwrap();
        now.store(start + 91 * 24 * 3600, Ordering::SeqCst);
        // Sealed under the material the rotation made: that material must be kept as is.
        let blob = kms.encrypt_bytes(&key, b"rotated", &context).await.unwrap();
        let material = describe(&kms, &key).await.current_key_material_id;
        (key, blob, material)
    };
    let kms = open_at(dir);
    assert_eq!(describe(&kms, &key).await.current_key_material_id, material);
    let back = kms.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(back.expose_secret(), b"rotated");
    assert_eq!(rotation_count(&kms, &key).await, 1);
}

/// The journal of a store written before keys had kinds (symmetric keys only, records
/// without a `secret`): root key [`ROOT_KEY`], one key with one on-demand rotation and the
/// alias `alias/old-store`, and two ciphertexts made with it, before and after the rotation.
const OLD_JOURNAL: &[u8] = include_bytes!("fixtures/journal-before-key-kinds");
const OLD_KEY: &str = "d43e732a-fb22-48e7-aca5-0a430c730e1c";
const OLD_BLOB_BEFORE_ROTATION: &str = "01d43e732afb2248e7aca50a430c730e1c87b6ea5f68d8c713a553978aa3a836\
9783c40184df007eb876a8e8aeea853d6366bd82c45bd99995253f7efb0ef39b00c188fd6d422f8192d7bf17aa238a7a\
1574bf6c1fb8a12abbffa12c";
const OLD_BLOB_AFTER_ROTATION: &str = "01d43e732afb2248e7aca50a430c730e1ca8401269a0b7c8ce30d290c56bec71\
b1b60fbe893f0412031ad6d925a63a2d35f9ea256754f02c904404609282ecd1af58a87081d7fc5b08a2f0eac1ea6beb5\
28bfc0eed0bacc1099e11";

#[tokio::test]
async fn a_store_written_before_key_kinds_still_opens_and_decrypts() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    std::fs::write(dir.join("journal"), OLD_JOURNAL).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(
        dir.join("journal"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let context = EncryptionContext::new().with("store", "old");
    let kms = open(dir);
    let metadata = describe(&kms, "alias/old-store").await;
    assert_eq!(metadata.key_id, OLD_KEY);
    assert_eq!(metadata.key_spec, Some(kms_core::KeySpec::SymmetricDefault));
    assert_eq!(rotation_count(&kms, OLD_KEY).await, 1);
    for (blob, plaintext) in [
        (OLD_BLOB_BEFORE_ROTATION, &b"before rotation"[..]),
        (OLD_BLOB_AFTER_ROTATION, b"after rotation"),
    ] {
        let back = kms.decrypt_bytes(&unhex(blob), &context).await.unwrap();
        assert_eq!(back.expose_secret(), plaintext);
    }
    // New keys of every kind go into the old journal beside the old key, and all of it is
    // read back.
    let hmac = kms
        .create_key(
            kms_core::CreateKeyRequest::new()
                .with_key_spec(kms_core::KeySpec::Hmac256)
                .with_key_usage(kms_core::KeyUsage::GenerateVerifyMac),
        )
        .await
        .unwrap()
        .key_metadata
        .key_id;
    drop(kms);
    let kms = open(dir);
    assert_eq!(
        describe(&kms, &hmac).await.key_spec,
        Some(kms_core::KeySpec::Hmac256)
    );
    let back = kms
        .decrypt_bytes(&unhex(OLD_BLOB_AFTER_ROTATION), &context)
        .await
        .unwrap();
    assert_eq!(back.expose_secret(), b"after rotation");
}

#[tokio::test]
async fn keys_of_every_kind_survive_a_restart_with_their_material() {
    use kms_core::{
        CreateKeyRequest, GenerateMacRequest, GetPublicKeyRequest, KeySpec, KeyUsage,
        MacAlgorithmSpec, SignRequest, SigningAlgorithmSpec, VerifyMacRequest, VerifyRequest,
    };

    let scratch = scratch_dir();
    let dir = scratch.path();
    let message = || SecretBytes::from(&b"kept across restarts"[..]);
    let (signer, public_key, signature, mac_key, mac) = {
        let kms = open(dir);
        let create = |spec: KeySpec, usage: KeyUsage| {
            let kms = kms.clone();
            async move {
                kms.create_key(
                    CreateKeyRequest::new()
                        .with_key_spec(spec)
                        .with_key_usage(usage),
                )
                .await
                .unwrap()
                .key_metadata
                .key_id
            }
        };
        let signer = create(KeySpec::EccNistP256, KeyUsage::SignVerify).await;
        let mac_key = create(KeySpec::Hmac384, KeyUsage::GenerateVerifyMac).await;
        let public_key = kms
            .get_public_key(GetPublicKeyRequest::new(key_id(&signer)))
            .await
            .unwrap()
            .public_key;
        let signature = kms
            .sign(SignRequest::new(
                key_id(&signer),
                message(),
                SigningAlgorithmSpec::EcdsaSha256,
            ))
            .await
            .unwrap()
            .signature;
        let mac = kms
            .generate_mac(GenerateMacRequest::new(
                message(),
                key_id(&mac_key),
                MacAlgorithmSpec::HmacSha384,
            ))
            .await
            .unwrap()
            .mac;
        (signer, public_key, signature, mac_key, mac)
    };
    let kms = open(dir);
    let reopened = kms
        .get_public_key(GetPublicKeyRequest::new(key_id(&signer)))
        .await
        .unwrap();
    assert_eq!(reopened.public_key, public_key, "the private key changed");
    kms.verify(VerifyRequest::new(
        key_id(&signer),
        message(),
        signature,
        SigningAlgorithmSpec::EcdsaSha256,
    ))
    .await
    .unwrap();
    let again = kms
        .generate_mac(GenerateMacRequest::new(
            message(),
            key_id(&mac_key),
            MacAlgorithmSpec::HmacSha384,
        ))
        .await
        .unwrap()
        .mac;
    assert_eq!(again, mac, "the HMAC key changed");
    kms.verify_mac(VerifyMacRequest::new(
        message(),
        key_id(&mac_key),
        MacAlgorithmSpec::HmacSha384,
        mac,
    ))
    .await
    .unwrap();
    // The journal holds the secrets sealed, never in the clear, as bytes or as hex.
    let journal = std::fs::read(dir.join("journal")).unwrap();
    let seed =
        kms_local::insecure::export_seed(&kms, &[key_id(&signer), key_id(&mac_key)]).unwrap();
    for key in &seed.keys {
        use base64::Engine;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(&key.material)
            .unwrap();
        assert!(!contains(&journal, &secret), "{} in the clear", key.key_id);
        assert!(
            !contains(&journal, hex(&secret).as_bytes()),
            "{} in hex",
            key.key_id
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
