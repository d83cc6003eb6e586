//! Messages per second of 1 KiB messages under one KMS keyring whose KMS is the local backend
//! served over HTTP on 127.0.0.1 (`AwsKms` → `kms_server::TestServer` → `LocalKms`), as an
//! application reaches AWS KMS: every `GenerateDataKey` a network round trip. With and
//! without the data key cache (maximum age 5 minutes):
//! - `1KiB_messages_kms_keyring_over_http/uncached`: one `GenerateDataKey` call per message;
//! - `1KiB_messages_kms_keyring_over_http/cached`: a `CachingMaterialsManager` over the same
//!   keyring, one `GenerateDataKey` call in all (counted from the backend's audit log and
//!   printed).
//!
//! ```text
//! cargo bench -p kms-aws --bench data_key_cache
//! ```
//!
//! `kms-envelope`'s bench of the same name measures the same loop with the local backend in
//! the process, where a `GenerateDataKey` costs a few microseconds.

#![allow(
    clippy::expect_used,
    reason = "a benchmark stops at the first failure, saying what failed"
)]

#[path = "../../kms-envelope/benches/common/cached_messages.rs"]
mod cached_messages;

use std::sync::Arc;

use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use criterion::{Criterion, criterion_group, criterion_main};
use kms_aws::AwsKms;
use kms_core::{Kms, KmsExt};
use kms_envelope::KmsKeyring;
use kms_local::LocalKms;
use kms_local::audit::MemoryAuditLog;
use kms_server::TestServer;

/// The `GenerateDataKey` calls in `log`.
fn generate_data_key_calls(log: &MemoryAuditLog) -> usize {
    log.events()
        .iter()
        .filter(|event| event.event_name == "GenerateDataKey")
        .count()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let log = MemoryAuditLog::new();
    let local = LocalKms::builder()
        .audit(log.clone())
        .build()
        .expect("a local backend");
    let (server, kms) = runtime.block_on(async {
        let server = TestServer::start(local).await.expect("a local server");
        let config = aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDBENCH", "bench", None, None, "bench"))
            .endpoint_url(server.endpoint_url())
            .build();
        let kms = AwsKms::builder()
            .with_client(aws_sdk_kms::Client::from_conf(config))
            .build()
            .await
            .expect("AwsKms over the local server");
        (server, kms)
    });
    let kms: Arc<dyn Kms> = Arc::new(kms);
    let key = runtime
        .block_on(kms.create_symmetric_key("bench"))
        .expect("a key");
    let arn = key.arn.expect("CreateKey names the key's ARN");
    let keyring = Arc::new(KmsKeyring::new(kms, arn.parse().expect("an ARN")));
    cached_messages::cached_against_uncached(
        c,
        "1KiB_messages_kms_keyring_over_http",
        &runtime,
        keyring,
        || generate_data_key_calls(&log),
    );
    runtime.block_on(server.stop());
}

criterion_group!(benches, bench);
criterion_main!(benches);
