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

/// Writes inputs for the journal targets into `$KMS_FUZZ_RECORD/journal_frames/` and
/// `$KMS_FUZZ_RECORD/journal_records/` (the frames of a journal holding the keys of each
/// seed file of the `seed_file` corpus, and each frame's payload), and for `local_decrypt`
/// into `$KMS_FUZZ_RECORD/local_decrypt/` (a blob, whole and cut at a few offsets).
/// `fuzz/seeds.sh` runs it.
#[tokio::test]
#[ignore = "writes corpus inputs; fuzz/seeds.sh runs it"]
async fn write_inputs() {
    let out = std::path::PathBuf::from(
        std::env::var_os("KMS_FUZZ_RECORD").expect("KMS_FUZZ_RECORD names the output directory"),
    );
    let harness = JournalHarness::new();
    for dir in ["journal_frames", "journal_records", "local_decrypt"] {
        std::fs::create_dir_all(out.join(dir)).unwrap();
    }
    for (path, input) in replay::inputs("seed_file") {
        let Ok(seed) = std::str::from_utf8(&input)
            .map_err(|_| ())
            .and_then(|text| kms_local::SeedFile::from_toml(text).map_err(|_| ()))
        else {
            continue;
        };
        let Ok((frames, payloads)) = harness.journal_of(&seed) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::write(out.join("journal_frames").join(&name), frames).unwrap();
        for (index, payload) in payloads.iter().enumerate() {
            let file = out.join("journal_records").join(format!("{name}-{index}"));
            std::fs::write(file, payload).unwrap();
        }
    }
    let blob = DecryptHarness::new().await.unwrap().blob().to_vec();
    for at in [0u8, 1, 8, 40, 80] {
        let mut input = vec![at];
        input.extend_from_slice(blob.get(usize::from(at)..).unwrap_or_default());
        std::fs::write(
            out.join("local_decrypt").join(format!("blob-at-{at}")),
            input,
        )
        .unwrap();
    }
}
