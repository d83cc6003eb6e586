//! Any bytes as the frames after a journal's header: the frame reader never panics, applies
//! only frames that authenticate, and an error names a byte within them (see
//! `kms_local::fuzzing`).
#![no_main]

use std::sync::OnceLock;

use kms_local::fuzzing::JournalHarness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<JournalHarness> = OnceLock::new();
    HARNESS.get_or_init(JournalHarness::new).check_frames(data);
});
