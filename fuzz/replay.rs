//! The inputs of a fuzz target's corpus, for the corpus replay tests of the crates that own
//! the targets' entry points (each includes this file): every file of
//! `fuzz/corpus/<target>/` and of `fuzz/artifacts-fixed/<target>/` (inputs that made a
//! target fail once, kept after the fix so that it stays fixed).

#![allow(clippy::panic, reason = "a replay fails by panicking")]

use std::path::{Path, PathBuf};

/// The inputs of `target`, with their paths, in file name order.
///
/// # Panics
///
/// If the corpus directory is missing or empty, or a file cannot be read: a replay that
/// replays nothing must not pass.
pub(crate) fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = files(&fuzz.join("corpus").join(target));
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{target} is missing or empty: the replay would replay nothing"
    );
    let fixed = files(&fuzz.join("artifacts-fixed").join(target));
    corpus
        .into_iter()
        .chain(fixed)
        .map(|path| {
            let bytes =
                std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            (path, bytes)
        })
        .collect()
}

/// The files of `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}
