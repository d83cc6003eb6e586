//! Messages per second of 1 KiB messages under one KMS keyring on the local backend, with and
//! without the data key cache (maximum age 5 minutes):
//! - `1KiB_messages_kms_keyring/uncached`: one `GenerateDataKey` call per message;
//! - `1KiB_messages_kms_keyring/cached`: a [`CachingMaterialsManager`] over the same keyring,
//!   one `GenerateDataKey` call in all (counted from the backend's audit events and printed).
//!
//! Run with `cargo bench -p kms-envelope --bench data_key_cache`; the ratio of the two rates
//! is the speed-up of the cache. `kms-aws`'s bench of the same name measures the same loop
//! with the backend reached over HTTP.
//!
//! [`CachingMaterialsManager`]: kms_envelope::CachingMaterialsManager
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/cached_messages.rs"]
mod cached_messages;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use kms_core::{Kms, KmsExt};
use kms_envelope::KmsKeyring;
use kms_local::LocalKms;
use kms_local::audit::{AuditEvent, AuditSink};

/// Counts the `GenerateDataKey` calls the backend records.
#[derive(Debug, Clone, Default)]
struct GenerateDataKeyCount(Arc<AtomicUsize>);

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
    cached_messages::cached_against_uncached(
        c,
        "1KiB_messages_kms_keyring",
        &runtime,
        keyring,
        || count.0.load(Ordering::Relaxed),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
