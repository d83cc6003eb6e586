//! Any bytes as an HTTP request to `kms serve` (request line, headers incl. `X-Amz-Target`,
//! `Content-Type`, `Content-Length` and `Authorization`, then the body): the server answers
//! with an AWS error and never panics, and only bodies kms-wire decodes reach the backend
//! (see `kms_server::fuzzing`).
#![no_main]

use std::sync::{Arc, OnceLock};

use kms_fuzz::runtime;
use kms_server::fuzzing::ServerHarness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<ServerHarness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| ServerHarness::new(Arc::new(kms_local::LocalKms::new())));
    runtime().block_on(harness.check(data));
});
