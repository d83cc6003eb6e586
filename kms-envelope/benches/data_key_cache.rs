//! Messages per second of 1 KiB messages under one KMS keyring on the local backend, with and
//! without the data key cache (maximum age 5 minutes):
//! - `1KiB_messages_kms_keyring/uncached`: one `GenerateDataKey` call per message;
//! - `1KiB_messages_kms_keyring/cached`: a [`CachingMaterialsManager`] over the same keyring,
//!   one `GenerateDataKey` call in all (counted from the backend's audit events and printed).
//!
//! Run with `cargo bench -p kms-envelope --bench data_key_cache`; the ratio of the two rates
//! is the speed-up of the cache.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kms_core::{Kms, KmsExt};
use kms_envelope::{CachingMaterialsManager, Encryptor, KmsKeyring};
use kms_local::LocalKms;
use kms_local::audit::{AuditEvent, AuditSink};

const MESSAGE: usize = 1024;

/// Counts the `GenerateDataKey` calls the backend records.
#[derive(Debug, Clone, Default)]
struct GenerateDataKeyCount(Arc<AtomicU64>);

impl AuditSink for GenerateDataKeyCount {
    fn record(&self, event: &AuditEvent) -> kms_core::Result<()> {
        if event.event_name == "GenerateDataKey" {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn blocks(&self) -> bool {
        false
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let count = GenerateDataKeyCount::default();
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::builder().audit(count.clone()).build().unwrap());
    let key = runtime.block_on(kms.create_symmetric_key("bench")).unwrap();
    let keyring = Arc::new(KmsKeyring::new(
        kms,
        key.arn.unwrap_or_default().parse().unwrap(),
    ));
    let uncached = Encryptor::new(keyring.clone());
    let cache = CachingMaterialsManager::from_keyring(keyring, Duration::from_secs(300))
        .build()
        .unwrap();
    let cached = Encryptor::from_materials_manager(Arc::new(cache));
    let plaintext = vec![0x5a; MESSAGE];
    let mut out = Vec::new();

    let mut group = c.benchmark_group("1KiB_messages_kms_keyring");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("uncached", |b| {
        b.iter(|| {
            runtime
                .block_on(uncached.encrypt_into(&plaintext, &mut out))
                .unwrap();
        });
    });
    let before = count.0.load(Ordering::Relaxed);
    group.bench_function("cached", |b| {
        b.iter(|| {
            runtime
                .block_on(cached.encrypt_into(&plaintext, &mut out))
                .unwrap();
        });
    });
    group.finish();
    eprintln!(
        "GenerateDataKey calls with the cache: {}",
        count.0.load(Ordering::Relaxed) - before
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
