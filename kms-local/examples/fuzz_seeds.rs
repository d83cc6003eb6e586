//! Writes seed inputs of the fuzz targets that need a store to make them, into the directory
//! named by the first argument: `journal_frames/` and `journal_records/` (the frames of a
//! journal holding the keys of each seed file of the `seed_file` corpus, and each frame's
//! payload, under the fuzz harness's root key), and `local_decrypt/` (a ciphertext blob,
//! whole and cut at a few offsets). `fuzz/seeds.sh` runs it:
//!
//! ```text
//! cargo run -p kms-local --example fuzz_seeds -- OUT_DIR
//! ```

#[path = "../../fuzz/replay.rs"]
mod replay;

use std::error::Error;
use std::path::{Path, PathBuf};

use kms_local::SeedFile;
use kms_local::fuzzing::{DecryptHarness, JournalHarness};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: fuzz_seeds OUT_DIR")?;
    for dir in ["journal_frames", "journal_records", "local_decrypt"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    write_journals(&out)?;
    write_blobs(&out).await
}

/// The journal of each seed file of the `seed_file` corpus that applies, and its payloads.
fn write_journals(out: &Path) -> Result<(), Box<dyn Error>> {
    let harness = JournalHarness::new();
    for (path, input) in replay::inputs("seed_file") {
        let Some(seed) = std::str::from_utf8(&input)
            .ok()
            .and_then(|text| SeedFile::from_toml(text).ok())
        else {
            continue;
        };
        let Ok((frames, payloads)) = harness.journal_of(&seed) else {
            continue;
        };
        let name = path
            .file_name()
            .ok_or("a corpus file without a name")?
            .to_string_lossy()
            .into_owned();
        std::fs::write(out.join("journal_frames").join(&name), frames)?;
        for (index, payload) in payloads.iter().enumerate() {
            let file = out.join("journal_records").join(format!("{name}-{index}"));
            std::fs::write(file, payload)?;
        }
    }
    Ok(())
}

/// A blob of the decrypt harness, each input led by the byte the target reads as an offset.
async fn write_blobs(out: &Path) -> Result<(), Box<dyn Error>> {
    let blob = DecryptHarness::new().await?.blob().to_vec();
    for at in [0u8, 1, 8, 40, 80] {
        let mut input = vec![at];
        input.extend_from_slice(blob.get(usize::from(at)..).unwrap_or_default());
        std::fs::write(
            out.join("local_decrypt").join(format!("blob-at-{at}")),
            input,
        )?;
    }
    Ok(())
}
