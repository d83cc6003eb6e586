//! Any bytes as the JSON body of a KMS request: the first byte picks the operation (see
//! `kms_wire::fuzzing::check_input`), the rest is the body. Decoding never panics, an
//! accepted request round-trips, a refused one is an AWS error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kms_wire::fuzzing::check_input(data);
});
