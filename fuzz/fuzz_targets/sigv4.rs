//! Any bytes as a SigV4-signed request: parsing the `Authorization` header and its credential
//! scope and verifying the signature never panic, a parsed header written again parses the
//! same, and only what verifies names a caller (see `kms_server::fuzzing`).
#![no_main]

use std::sync::OnceLock;

use kms_server::fuzzing::Sigv4Harness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HARNESS: OnceLock<Sigv4Harness> = OnceLock::new();
    HARNESS.get_or_init(Sigv4Harness::new).check(data);
});
