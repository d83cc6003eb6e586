//! The loop both data key cache benches measure (this crate's, with the KMS in the process,
//! and kms-aws's, with the KMS over HTTP): 1 KiB messages under one KMS keyring, without the
//! cache (one `GenerateDataKey` per message) and with it (maximum age 5 minutes), in the
//! criterion group `group`; then prints how many `GenerateDataKey` calls the cached runs made.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use kms_envelope::{CachingMaterialsManager, Encryptor, KmsKeyring};
use tokio::runtime::Runtime;

const MESSAGE: usize = 1024;

/// Measures `uncached` and `cached` in `group`; `generate_data_key_calls` reads the count
/// of calls the backend has answered.
pub(crate) fn cached_against_uncached(
    c: &mut Criterion,
    group: &str,
    runtime: &Runtime,
    keyring: Arc<KmsKeyring>,
    generate_data_key_calls: impl Fn() -> usize,
) {
    let uncached = Encryptor::new(keyring.clone());
    let cache = CachingMaterialsManager::from_keyring(keyring, Duration::from_secs(300))
        .build()
        .expect("a cache");
    let cached = Encryptor::from_materials_manager(Arc::new(cache));
    let plaintext = vec![0x5a; MESSAGE];
    let mut out = Vec::new();

    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("uncached", |b| {
        b.iter(|| {
            runtime
                .block_on(uncached.encrypt_into(&plaintext, &mut out))
                .expect("an uncached encryption");
        });
    });
    let before = generate_data_key_calls();
    group.bench_function("cached", |b| {
        b.iter(|| {
            runtime
                .block_on(cached.encrypt_into(&plaintext, &mut out))
                .expect("a cached encryption");
        });
    });
    group.finish();
    eprintln!(
        "GenerateDataKey calls with the cache: {}",
        generate_data_key_calls() - before
    );
}
