//! The durable store against real write errors of the operating system (Linux): a file-size
//! limit (`RLIMIT_FSIZE`), past which every write fails with `EFBIG` as writes on a full disk
//! fail with `ENOSPC`, and `/dev/full`, where every write fails with `ENOSPC`. No root and no
//! mount are needed: lowering the soft limit fills the "disk", raising it back frees it.
//!
//! The limit applies to the whole process, so the test that sets it runs this test binary
//! again as a child process, which runs only that test with `KMS_DISK_FAULTS_CHILD` set. The
//! child catches `SIGXFSZ` (whose default action kills the process) so that the writes fail
//! with `EFBIG` instead. (Injected `EIO` on a write or an `fsync`, and a compaction that
//! cannot write, are the unit tests of `durable::fault_tests`.)
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use kms_core::{
    CreateAliasRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, Error, KeyId, Kms,
    KmsExt, ListAliasesRequest, RotateKeyOnDemandRequest, SecretBytes,
};
use kms_local::LocalKms;
use rustix::process::{Resource, Rlimit, Signal, getrlimit, setrlimit};
use tokio::signal::unix::{SignalKind, signal};

const CHILD: &str = "KMS_DISK_FAULTS_CHILD";

fn scratch_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kms-disk-faults-");
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().unwrap()
}

fn open(dir: &Path) -> Result<LocalKms, Error> {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&[5u8; 32]))
        .build()
}

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

fn journal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("journal")).unwrap().len()
}

/// Sets the soft file-size limit of this process, keeping the hard one.
fn set_file_size_limit(soft: Option<u64>) {
    let limit = getrlimit(Resource::Fsize);
    setrlimit(
        Resource::Fsize,
        Rlimit {
            current: soft,
            maximum: limit.maximum,
        },
    )
    .unwrap();
}

/// Checks that `err` is what a failed write answers: a retryable `KMSInternalException`
/// naming the OS error, without the store's path.
fn assert_storage_error(err: &Error, dir: &Path, os_error: &str) {
    assert_eq!(err.code(), "KMSInternalException", "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(err.message().contains(os_error), "{err}");
    assert!(
        !err.message().contains(dir.to_str().unwrap()),
        "the path leaked: {err}"
    );
}

#[test]
fn a_store_at_its_file_size_limit_refuses_changes_cleanly_and_takes_them_once_there_is_room() {
    if let Ok(dir) = std::env::var(CHILD) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(over_the_limit(Path::new(&dir)));
        return;
    }
    let scratch = scratch_dir();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_store_at_its_file_size_limit_refuses_changes_cleanly_and_takes_them_once_there_is_room",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, scratch.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the child failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The child ran the test, not nothing.
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The child: fills its "disk", checks every refusal, frees it, goes on.
async fn over_the_limit(dir: &Path) {
    let _caught = signal(SignalKind::from_raw(Signal::XFSZ.as_raw())).unwrap();
    let kms = open(dir).unwrap();
    let kept = kms.create_symmetric_key("kept").await.unwrap().key_id;
    let blob = kms
        .encrypt(EncryptRequest::new(key_id(&kept), &b"written before"[..]))
        .await
        .unwrap()
        .ciphertext_blob;
    let full = journal_len(dir);

    // Room for part of a record, not for a whole one: the write is torn, then fails.
    set_file_size_limit(Some(full + 64));
    let err = kms.create_symmetric_key("refused").await.unwrap_err();
    assert_storage_error(&err, dir, "File too large");
    assert_eq!(journal_len(dir), full, "the torn record was not cut off");
    let err = kms
        .create_alias(CreateAliasRequest::new("alias/refused", key_id(&kept)))
        .await
        .unwrap_err();
    assert_storage_error(&err, dir, "File too large");
    let err = kms
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&kept)))
        .await
        .unwrap_err();
    assert_storage_error(&err, dir, "File too large");
    assert_eq!(journal_len(dir), full);

    // Nothing refused is in memory, and what was written still serves.
    assert_eq!(kms.key_count(), 1);
    let aliases = kms.list_aliases(ListAliasesRequest::new()).await.unwrap();
    assert!(
        aliases
            .aliases
            .iter()
            .all(|alias| alias.alias_name != "alias/refused")
    );
    let back = kms
        .decrypt(DecryptRequest::new(blob.clone()))
        .await
        .unwrap();
    assert_eq!(back.plaintext.expose_secret(), b"written before");
    // Another process opening the store meanwhile reads a valid journal.
    assert_eq!(open(dir).unwrap().key_count(), 1);

    // Room again: the same handle takes changes, without a restart.
    set_file_size_limit(None);
    let later = kms.create_symmetric_key("later").await.unwrap().key_id;
    kms.create_alias(CreateAliasRequest::new("alias/later", key_id(&later)))
        .await
        .unwrap();
    kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id(&kept)))
        .await
        .unwrap();
    drop(kms);

    let kms = open(dir).unwrap();
    assert_eq!(kms.key_count(), 2);
    let described = kms
        .describe_key(DescribeKeyRequest::new(key_id("alias/later")))
        .await
        .unwrap();
    assert_eq!(described.key_metadata.key_id, later);
    let back = kms.decrypt(DecryptRequest::new(blob)).await.unwrap();
    assert_eq!(back.plaintext.expose_secret(), b"written before");
}

#[test]
fn a_new_store_on_a_full_disk_is_refused_with_a_retryable_error() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    // Every write to /dev/full fails with ENOSPC.
    std::os::unix::fs::symlink("/dev/full", dir.join("journal")).unwrap();
    let err = open(dir).unwrap_err();
    assert_storage_error(&err, dir, "No space left on device");
    assert!(err.message().contains("header"), "{err}");
}
