//! The corpus replay of the fuzz targets `seed_file`, `journal_records`, `journal_frames` and
//! `local_decrypt`: every input of their corpus, and every input that made them fail once,
//! through the same entry points on stable Rust.

#[path = "../../fuzz/replay.rs"]
mod replay;

use kms_local::fuzzing::{DecryptHarness, JournalHarness, check_seed_file};

#[test]
fn the_seed_file_corpus_holds_its_properties() {
    let mut applied = 0;
    for (path, input) in replay::inputs("seed_file") {
        eprintln!("{}", path.display());
        if let Ok(text) = std::str::from_utf8(&input)
            && check_seed_file(text).is_ok_and(|keys| keys > 0)
        {
            applied += 1;
        }
    }
    assert!(
        applied > 0,
        "no input of the corpus is a seed file that adds keys"
    );
}

#[test]
fn the_journal_records_corpus_holds_its_properties() {
    let harness = JournalHarness::new();
    let mut applied = 0;
    for (path, input) in replay::inputs("journal_records") {
        eprintln!("{}", path.display());
        if harness.check_records(&input) {
            applied += 1;
        }
    }
    assert!(applied > 0, "no input of the corpus is records that apply");
}

#[test]
fn the_journal_frames_corpus_holds_its_properties() {
    let harness = JournalHarness::new();
    let mut applied = 0;
    for (path, input) in replay::inputs("journal_frames") {
        eprintln!("{}", path.display());
        if harness.check_frames(&input) > 0 {
            applied += 1;
        }
    }
    assert!(
        applied > 0,
        "no input of the corpus holds a frame that authenticates"
    );
}

#[tokio::test]
async fn the_local_decrypt_corpus_holds_its_properties() {
    let harness = DecryptHarness::new().await.unwrap();
    for (path, input) in replay::inputs("local_decrypt") {
        eprintln!("{}", path.display());
        harness.check(&input).await;
    }
}
