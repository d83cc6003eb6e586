//! Failed writes, injected (see `disk::injected`): a write that stores part of a record and
//! fails with `EIO`, an `fsync` that fails after the whole record was written, a compaction
//! whose new journal cannot be written. Real failures of the operating system (a file-size
//! limit) are in `tests/disk_faults.rs`.
//!
//! The operations are called on the store directly, on the test's thread, which is the one
//! whose writes the failures are injected into.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kms_core::{
    CreateKeyRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, Error, KeyId,
    ListKeyRotationsRequest, RotateKeyOnDemandRequest, SecretBytes, UpdateKeyDescriptionRequest,
};

use super::disk::injected::{self, Fault};
use super::{COMPACT_FILE, COMPACT_MIN_RECORDS, JOURNAL_FILE};
use crate::LocalKms;

/// `EIO` and `ENOSPC` (the same numbers on every Unix this builds for).
const EIO: i32 = 5;
const ENOSPC: i32 = 28;

fn scratch() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kms-disk-faults-");
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().unwrap()
}

fn open(dir: &Path) -> LocalKms {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&[9u8; 32]))
        .build()
        .unwrap()
}

fn journal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join(JOURNAL_FILE)).unwrap().len()
}

fn id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

fn create(kms: &LocalKms, description: &str) -> Result<String, Error> {
    kms.store
        .create_key(CreateKeyRequest::new().with_description(description))
        .map(|created| created.key_metadata.key_id)
}

fn description(kms: &LocalKms, key: &str) -> Option<String> {
    kms.store
        .describe_key(DescribeKeyRequest::new(id(key)))
        .unwrap()
        .key_metadata
        .description
}

/// The rotations of `key` (its first material is not one).
fn rotations(kms: &LocalKms, key: &str) -> usize {
    kms.store
        .list_key_rotations(ListKeyRotationsRequest::new(id(key)))
        .unwrap()
        .rotations
        .len()
}

/// Checks that `err` is what a failed write answers: a retryable `KMSInternalException`
/// naming the OS error, without the store's path.
fn assert_storage_error(err: &Error, dir: &Path, os_error: &str) {
    assert_eq!(err.code(), "KMSInternalException", "{err}");
    assert!(err.is_retryable(), "{err}");
    let message = err.message();
    assert!(message.contains(os_error), "{message}");
    assert!(message.contains("nothing was changed"), "{message}");
    assert!(
        !message.contains(dir.to_str().unwrap()),
        "the path leaked: {message}"
    );
}

#[test]
fn a_write_that_fails_halfway_acknowledges_nothing_and_the_store_goes_on() {
    let scratch = scratch();
    let dir = scratch.path();
    let kms = open(dir);
    let first = create(&kms, "first").unwrap();
    let before = journal_len(dir);

    injected::fail_next(Fault::Write {
        file: JOURNAL_FILE,
        written: 40,
        errno: EIO,
    });
    let err = create(&kms, "lost").unwrap_err();
    assert!(!injected::pending());
    assert_storage_error(&err, dir, "Input/output error");
    assert_eq!(kms.key_count(), 1, "memory kept a change the disk did not");
    assert_eq!(journal_len(dir), before, "the torn record was not cut off");

    // Nothing to restart: the next change is written after the first.
    let second = create(&kms, "second").unwrap();
    drop(kms);
    let kms = open(dir);
    assert_eq!(kms.key_count(), 2);
    assert_eq!(description(&kms, &first).as_deref(), Some("first"));
    assert_eq!(description(&kms, &second).as_deref(), Some("second"));
}

#[test]
fn a_failed_fsync_takes_back_the_whole_record_it_could_not_make_durable() {
    let scratch = scratch();
    let dir = scratch.path();
    let kms = open(dir);
    let key = create(&kms, "kept").unwrap();
    let before = journal_len(dir);

    // Every byte of the record was written, and reads back: only the cut keeps the next open
    // from finding a change that was never acknowledged.
    injected::fail_next(Fault::Sync {
        file: JOURNAL_FILE,
        errno: EIO,
    });
    let err = kms
        .store
        .update_key_description(UpdateKeyDescriptionRequest::new(id(&key), "unsaved"))
        .unwrap_err();
    assert_storage_error(&err, dir, "Input/output error");
    assert_eq!(journal_len(dir), before);
    assert_eq!(description(&kms, &key).as_deref(), Some("kept"));
    drop(kms);
    assert_eq!(description(&open(dir), &key).as_deref(), Some("kept"));
}

#[test]
fn a_failed_append_that_cannot_be_cut_off_is_never_read_and_is_cut_before_the_next_change() {
    let scratch = scratch();
    let dir = scratch.path();
    let kms = open(dir);
    let key = create(&kms, "kept").unwrap();
    let before = journal_len(dir);

    // The whole record is written, its fsync fails, and so does the cut: it stays in the file.
    injected::fail_next(Fault::Sync {
        file: JOURNAL_FILE,
        errno: EIO,
    });
    injected::fail_next(Fault::Cut { errno: EIO });
    let err = kms
        .store
        .update_key_description(UpdateKeyDescriptionRequest::new(id(&key), "unsaved"))
        .unwrap_err();
    assert!(!injected::pending());
    assert_storage_error(&err, dir, "Input/output error");
    assert!(journal_len(dir) > before);
    // Readers never take it for a change, however often they look.
    for _ in 0..3 {
        assert_eq!(description(&kms, &key).as_deref(), Some("kept"));
        std::thread::sleep(std::time::Duration::from_millis(60));
    }

    // The next change cuts it off first: written after it, the change would not
    // authenticate, and the store would not open.
    kms.store
        .update_key_description(UpdateKeyDescriptionRequest::new(id(&key), "next"))
        .unwrap();
    drop(kms);
    assert_eq!(description(&open(dir), &key).as_deref(), Some("next"));
}

#[test]
fn a_rotation_on_a_full_disk_is_not_made_and_its_key_keeps_working() {
    let scratch = scratch();
    let dir = scratch.path();
    let kms = open(dir);
    let key = create(&kms, "rotated").unwrap();
    let blob = kms
        .store
        .encrypt(EncryptRequest::new(id(&key), &b"before"[..]))
        .unwrap()
        .ciphertext_blob;

    injected::fail_next(Fault::Write {
        file: JOURNAL_FILE,
        written: 0,
        errno: ENOSPC,
    });
    let err = kms
        .store
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(id(&key)))
        .unwrap_err();
    assert_storage_error(&err, dir, "No space left on device");
    assert_eq!(rotations(&kms, &key), 0, "the rotation stayed in memory");
    // A ciphertext under the material in use decrypts after a restart: it was not made
    // under a material that exists only in memory.
    let after = kms
        .store
        .encrypt(EncryptRequest::new(id(&key), &b"after"[..]))
        .unwrap()
        .ciphertext_blob;

    // Space returns: the same request succeeds.
    kms.store
        .rotate_key_on_demand(RotateKeyOnDemandRequest::new(id(&key)))
        .unwrap();
    drop(kms);
    let kms = open(dir);
    assert_eq!(rotations(&kms, &key), 1);
    for (blob, plaintext) in [(blob, &b"before"[..]), (after, b"after")] {
        let back = kms.store.decrypt(DecryptRequest::new(blob)).unwrap();
        assert_eq!(back.plaintext.expose_secret(), plaintext);
    }
}

#[test]
fn a_compaction_that_cannot_write_leaves_the_journal_valid_and_is_tried_again_later() {
    let scratch = scratch();
    let dir = scratch.path();
    let kms = open(dir);
    let key = create(&kms, "change 0").unwrap();
    injected::fail_next(Fault::Write {
        file: COMPACT_FILE,
        written: 100,
        errno: ENOSPC,
    });
    let mut change = 0;
    let mut grew = true;
    while injected::pending() {
        change += 1;
        assert!(change <= COMPACT_MIN_RECORDS + 1, "no compaction was tried");
        let before = journal_len(dir);
        kms.store
            .update_key_description(UpdateKeyDescriptionRequest::new(
                id(&key),
                format!("change {change}"),
            ))
            .unwrap();
        grew &= journal_len(dir) > before;
    }
    assert!(grew, "the journal was replaced by the failed compaction");
    assert!(
        !dir.join(COMPACT_FILE).exists(),
        "the partial file was left"
    );
    {
        let reopened = open(dir);
        assert_eq!(
            description(&reopened, &key),
            Some(format!("change {change}"))
        );
    }

    // The next attempt waits for more records, and then succeeds.
    let failed_at = journal_len(dir);
    let mut compacted = false;
    for _ in 0..COMPACT_MIN_RECORDS + 2 {
        change += 1;
        kms.store
            .update_key_description(UpdateKeyDescriptionRequest::new(
                id(&key),
                format!("change {change}"),
            ))
            .unwrap();
        if journal_len(dir) < failed_at {
            compacted = true;
            break;
        }
    }
    assert!(compacted, "the compaction was never tried again");
    drop(kms);
    assert_eq!(
        description(&open(dir), &key),
        Some(format!("change {change}"))
    );
}
