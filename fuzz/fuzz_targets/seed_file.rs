//! Any text as a seed file of the local backend: reading and applying it never panics, and
//! what it adds exports to a seed file that reads back the same (see `kms_local::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A seed file is read as UTF-8 text; other bytes are refused before parsing.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kms_local::fuzzing::check_seed_file(text);
    }
});
