//! Any bytes as a ciphertext blob of the local backend: Decrypt and ReEncrypt never panic and
//! never succeed on bytes that are not one of its blobs.
#![no_main]

use std::sync::OnceLock;

use kms_core::{DecryptRequest, Kms, KmsExt};
use kms_local::LocalKms;
use libfuzzer_sys::fuzz_target;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    kms: LocalKms,
    /// A blob the key made, for the fuzzer to start from.
    blob: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let kms = LocalKms::new();
        let blob = runtime.block_on(async {
            let key = kms.create_symmetric_key("fuzz").await.expect("a key");
            kms.encrypt_bytes(&key.key_id, b"fuzz", &Default::default())
                .await
                .expect("a blob")
        });
        Fixture { runtime, kms, blob }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    fixture.runtime.block_on(async {
        // The fuzzer's bytes alone, and spliced into a real blob's header.
        let mut spliced = fixture.blob.clone();
        let at = usize::from(data.first().copied().unwrap_or(0)) % (spliced.len() + 1);
        spliced.truncate(at);
        spliced.extend_from_slice(data.get(1..).unwrap_or_default());
        for blob in [data.to_vec(), spliced] {
            let result = fixture.kms.decrypt(DecryptRequest::new(blob.clone())).await;
            if result.is_ok() {
                assert_eq!(blob, fixture.blob, "a blob that was never made decrypted");
            }
        }
    });
});
