//! What a durable store refuses, to protect its keys: a journal whose records or header fail
//! authentication (changed, replayed, moved), an old format, another region or account, and
//! a directory or root key file that other users could read; and a root key kept apart from
//! the journal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use kms_core::{DescribeKeyRequest, DisableKeyRequest, Error, KeyId, KeyState, Kms, KmsExt};
use kms_core::{Result, SecretBytes};
use kms_local::LocalKms;
use tempfile::TempDir;

const ROOT_KEY: [u8; 32] = [7; 32];

/// A fresh private directory (mode 0700), removed when dropped.
fn scratch_dir() -> TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kms-protection-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().unwrap()
}

fn try_open(dir: &Path) -> Result<LocalKms> {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .build()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Where each record of the journal `bytes` starts and ends: after the header (whose
/// identity length sits at bytes 64..66), frames of `u32 length ‖ 32-byte tag ‖ payload`.
fn records(bytes: &[u8]) -> Vec<(usize, usize)> {
    let identity_len = usize::from(u16::from_be_bytes([bytes[64], bytes[65]]));
    let mut at = 66 + identity_len + 32;
    let mut records = Vec::new();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        records.push((at, at + 36 + len));
        at += 36 + len;
    }
    records
}

/// A store with two keys, the first disabled: three records (create, create, disable).
fn store_with_a_disabled_key(dir: &Path) -> String {
    runtime().block_on(async {
        let kms = try_open(dir).unwrap();
        let first = kms.create_symmetric_key("first").await.unwrap().key_id;
        kms.create_symmetric_key("second").await.unwrap();
        kms.disable_key(DisableKeyRequest::new(KeyId::parse(&first).unwrap()))
            .await
            .unwrap();
        first
    })
}

fn state_of(kms: &LocalKms, key: &str) -> Option<KeyState> {
    runtime()
        .block_on(kms.describe_key(DescribeKeyRequest::new(KeyId::parse(key).unwrap())))
        .unwrap()
        .key_metadata
        .key_state
}

fn refusal(dir: &Path) -> String {
    try_open(dir).unwrap_err().to_string()
}

#[test]
fn a_changed_record_is_refused_naming_the_journal() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    store_with_a_disabled_key(dir);
    let journal = dir.join("journal");
    let intact = std::fs::read(&journal).unwrap();
    let (first, _) = records(&intact)[0];

    // One flipped bit in the first record's JSON.
    let mut flipped = intact.clone();
    flipped[first + 36 + 20] ^= 1;
    std::fs::write(&journal, &flipped).unwrap();
    let message = refusal(dir);
    assert!(
        message.contains(&journal.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&format!("record at byte {first} fails authentication")),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        flipped,
        "nothing is repaired silently"
    );

    // The description rewritten, with a fresh SHA-256 of the new JSON where the tag goes
    // (what the unauthenticated format would have accepted).
    let mut rewritten = intact.clone();
    let (start, end) = records(&intact)[0];
    let payload = String::from_utf8(intact[start + 36..end].to_vec()).unwrap();
    let forged = payload.replace("\"first\"", "\"FORGE\"");
    assert_ne!(forged, payload);
    rewritten[start + 36..end].copy_from_slice(forged.as_bytes());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, forged.as_bytes());
    rewritten[start + 4..start + 36].copy_from_slice(digest.as_ref());
    std::fs::write(&journal, &rewritten).unwrap();
    let message = refusal(dir);
    assert!(message.contains("fails authentication"), "{message}");

    std::fs::write(&journal, &intact).unwrap();
    assert_eq!(try_open(dir).unwrap().key_count(), 2);
}

#[test]
fn a_replayed_record_never_re_enables_a_disabled_key() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    let key = store_with_a_disabled_key(dir);
    let journal = dir.join("journal");
    let intact = std::fs::read(&journal).unwrap();
    let (start, end) = records(&intact)[0];
    let enabled = &intact[start..end];

    // Appended at the end, the record of the key as created (enabled) does not authenticate
    // there: it is cut off like a torn append, and the key stays disabled.
    let mut appended = intact.clone();
    appended.extend_from_slice(enabled);
    std::fs::write(&journal, &appended).unwrap();
    let kms = try_open(dir).unwrap();
    assert_eq!(state_of(&kms, &key), Some(KeyState::Disabled));
    drop(kms);
    assert_eq!(std::fs::read(&journal).unwrap(), intact);

    // Moved over the record that disabled it, a record followed by others: refused.
    let (disable_start, disable_end) = records(&intact)[2];
    let mut moved = intact[..disable_start].to_vec();
    moved.extend_from_slice(enabled);
    moved.extend_from_slice(&intact[records(&intact)[1].0..records(&intact)[1].1]);
    assert_eq!(disable_end, intact.len());
    std::fs::write(&journal, &moved).unwrap();
    let message = refusal(dir);
    assert!(message.contains("fails authentication"), "{message}");
}

#[test]
fn a_changed_header_and_an_old_or_newer_format_are_refused() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    store_with_a_disabled_key(dir);
    let journal = dir.join("journal");
    let intact = std::fs::read(&journal).unwrap();

    // The account in the header rewritten to the one the caller asks for.
    let at = intact
        .windows(12)
        .position(|window| window == b"111122223333")
        .unwrap();
    assert!(at < records(&intact)[0].0, "the account is in the header");
    let mut changed = intact.clone();
    changed[at..at + 12].copy_from_slice(b"444455556666");
    std::fs::write(&journal, &changed).unwrap();
    let err = LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .account_id("444455556666")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("header fails authentication"),
        "{err}"
    );

    for (version, expected) in [
        (1u8, "format version 1, whose records are not authenticated"),
        (3, "format version 3"),
    ] {
        let mut other = intact.clone();
        other[11] = version;
        std::fs::write(&journal, &other).unwrap();
        let message = refusal(dir);
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains(&journal.display().to_string()),
            "{message}"
        );
    }
    // A version 1 journal holding its (shorter) header only is named as such too.
    let mut old = intact[..64].to_vec();
    old[11] = 1;
    std::fs::write(&journal, &old).unwrap();
    let message = refusal(dir);
    assert!(message.contains("format version 1"), "{message}");
}

#[test]
fn a_store_is_reopened_only_for_its_region_and_account() {
    let scratch = scratch_dir();
    let dir = scratch.path();
    let open = |region: &str, account: &str| {
        LocalKms::builder()
            .path(dir)
            .root_key(SecretBytes::from(&ROOT_KEY))
            .region(region)
            .account_id(account)
            .build()
    };
    let kms = open("eu-west-1", "444455556666").unwrap();
    runtime().block_on(kms.create_symmetric_key("k")).unwrap();
    drop(kms);

    for (region, account) in [("us-east-1", "444455556666"), ("eu-west-1", "111122223333")] {
        let err = open(region, account).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(
                "created for region 'eu-west-1' and account '444455556666'; it cannot be \
                 opened for"
            ),
            "{message}"
        );
        assert!(
            message.contains(&format!("region '{region}' and account '{account}'")),
            "{message}"
        );
    }
    // The default region and account are not the store's either.
    assert!(try_open(dir).is_err());
    assert_eq!(open("eu-west-1", "444455556666").unwrap().key_count(), 1);
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Unix mode bits; Windows has access control lists, which the store does not inspect.
#[cfg(unix)]
#[test]
fn a_directory_or_root_key_others_may_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    if std::env::var_os(kms_local::ROOT_KEY_ENV).is_some() {
        panic!("unset {} to run this test", kms_local::ROOT_KEY_ENV);
    }
    let scratch = scratch_dir();
    let dir = scratch.path().join("store");
    let open = || LocalKms::builder().path(&dir).build();
    runtime()
        .block_on(open().unwrap().create_symmetric_key("k"))
        .unwrap();
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );

    chmod(&dir, 0o750);
    let message = open().unwrap_err().to_string();
    assert!(
        message.contains(&format!("chmod 700 {}", dir.display())),
        "{message}"
    );
    assert!(message.contains("mode 750"), "{message}");
    chmod(&dir, 0o700);

    let root_key = dir.join("root.key");
    for mode in [0o640, 0o604, 0o620] {
        chmod(&root_key, mode);
        let message = open().unwrap_err().to_string();
        assert!(
            message.contains(&format!("chmod 600 {}", root_key.display())),
            "{message}"
        );
    }
    chmod(&root_key, 0o600);
    assert_eq!(open().unwrap().key_count(), 1);
}

#[test]
fn the_root_key_can_live_apart_from_the_journal() {
    let scratch = scratch_dir();
    let store = scratch.path().join("store");
    let keys = scratch.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let root_key: PathBuf = keys.join("store.key");
    let open = |key_file: &Path| {
        LocalKms::builder()
            .path(&store)
            .root_key_file(key_file)
            .build()
    };

    runtime()
        .block_on(open(&root_key).unwrap().create_symmetric_key("apart"))
        .unwrap();
    assert!(
        !store.join("root.key").exists(),
        "no key beside the journal"
    );
    let metadata = std::fs::metadata(&root_key).unwrap();
    assert_eq!(metadata.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(open(&root_key).unwrap().key_count(), 1);

    // The directory alone (or with another key) does not open.
    let message = open(&keys.join("other.key")).unwrap_err().to_string();
    assert!(message.contains("another root key"), "{message}");
    let message = LocalKms::builder()
        .path(&store)
        .root_key(SecretBytes::from(&ROOT_KEY))
        .build()
        .unwrap_err()
        .to_string();
    assert!(message.contains("another root key"), "{message}");

    #[cfg(unix)]
    {
        chmod(&root_key, 0o644);
        let message = open(&root_key).unwrap_err().to_string();
        assert!(
            message.contains(&format!("chmod 600 {}", root_key.display())),
            "{message}"
        );
    }
}
