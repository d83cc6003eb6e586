//! Any bytes as a ciphertext blob of the local backend: Decrypt never panics and never
//! succeeds on bytes that are not one of its blobs (see `kms_local::fuzzing`).
#![no_main]

use std::sync::OnceLock;

use kms_fuzz::runtime;
use kms_local::fuzzing::DecryptHarness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<DecryptHarness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| {
        runtime()
            .block_on(DecryptHarness::new())
            .expect("a key and a blob")
    });
    runtime().block_on(harness.check(data));
});
