//! The conformance suite over the wire: `AwsKms` (the official SDK) → `kms-server` →
//! `LocalKms`, with AWS's full capabilities: the server may add no deviation. The local
//! backend's audit log still names the right operation and key for each call.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use aws_sdk_kms::primitives::Blob;
use kms::kms_local::audit::MemoryAuditLog;
use kms_aws::AwsKms;
use kms_core::conformance::{self, Capabilities};
use kms_server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_backend_behind_the_server_conforms() {
    let audit = MemoryAuditLog::new();
    let local = kms::LocalKms::builder()
        .audit(audit.clone())
        .build()
        .unwrap();
    let server = TestServer::start(local).await.unwrap();
    let client = aws_sdk_kms::Client::from_conf(
        common::config(server.endpoint_url(), "us-east-1", "AKIDANY", "any secret").build(),
    );
    let kms = AwsKms::builder().with_client(client).build().await.unwrap();
    conformance::run_all(&kms, &Capabilities::aws()).await;

    let events = audit.events();
    assert!(events.len() > 100, "{} events", events.len());
    let served = kms_wire::operation_names();
    for event in &events {
        assert!(served.contains(&event.event_name), "{event:?}");
    }
}

#[tokio::test]
async fn each_call_over_the_wire_is_audited_with_its_operation_and_key() {
    let audit = MemoryAuditLog::new();
    let local = kms::LocalKms::builder()
        .audit(audit.clone())
        .build()
        .unwrap();
    let server = TestServer::start(local).await.unwrap();
    let client = common::client(server.endpoint_url(), "us-east-1");
    let key = client.create_key().send().await.unwrap();
    let arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
    let encrypted = client
        .encrypt()
        .key_id(&arn)
        .plaintext(Blob::new(b"audited".to_vec()))
        .send()
        .await
        .unwrap();
    client
        .decrypt()
        .ciphertext_blob(encrypted.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap();
    let _ = client.describe_key().key_id("alias/missing").send().await;

    let events = audit.events();
    let names: Vec<&str> = events.iter().map(|event| event.event_name).collect();
    assert_eq!(names, ["CreateKey", "Encrypt", "Decrypt", "DescribeKey"]);
    for event in &events[..3] {
        assert_eq!(event.resources.len(), 1, "{event:?}");
        assert_eq!(event.resources[0].arn, arn, "{event:?}");
        assert_eq!(event.error_code, None);
    }
    assert_eq!(events[3].error_code.as_deref(), Some("NotFoundException"));
}
