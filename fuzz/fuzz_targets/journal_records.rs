//! Any bytes as the payload of a journal frame (the records of one change): decoding and
//! applying never panic, and what applies is recorded again to the same keys and aliases
//! (see `kms_local::fuzzing`).
#![no_main]

use std::sync::OnceLock;

use kms_local::fuzzing::JournalHarness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<JournalHarness> = OnceLock::new();
    HARNESS.get_or_init(JournalHarness::new).check_records(data);
});
