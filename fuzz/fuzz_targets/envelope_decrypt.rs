//! Any bytes as an AWS Encryption SDK message: decrypting never panics, and the one-shot and
//! streaming decryptors agree (see `kms_envelope::fuzzing`).
#![no_main]

use std::sync::OnceLock;

use kms_envelope::fuzzing::DecryptHarness;
use kms_fuzz::runtime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<DecryptHarness> = OnceLock::new();
    let harness = HARNESS.get_or_init(DecryptHarness::new);
    runtime().block_on(harness.check(data));
});
