//! `aws-sdk-kms` against a `TestServer`: the official client, unchanged, with an endpoint URL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::sync::Arc;

use aws_sdk_kms::operation::RequestId as _;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::KeySpec;
use kms::{KmsConfig, LocalKms};
use kms_server::{Backends, Server, TestServer, UrlBackends};

#[tokio::test]
async fn the_sdk_creates_encrypts_decrypts_and_gets_awss_errors() {
    let server = TestServer::start(LocalKms::new()).await.unwrap();
    let client = common::client(server.endpoint_url(), "us-east-1");

    let created = client
        .create_key()
        .description("through the wire")
        .send()
        .await
        .unwrap();
    assert!(created.request_id().is_some_and(|id| id.len() == 36));
    let metadata = created.key_metadata().unwrap();
    assert_eq!(metadata.description(), Some("through the wire"));
    assert_eq!(metadata.key_spec(), Some(&KeySpec::SymmetricDefault));
    assert!(metadata.creation_date().is_some());
    let key_id = metadata.key_id().to_owned();

    let encrypted = client
        .encrypt()
        .key_id(&key_id)
        .plaintext(Blob::new(b"hello over http".to_vec()))
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        encrypted.key_id(),
        Some(format!("arn:aws:kms:us-east-1:111122223333:key/{key_id}").as_str())
    );
    let decrypted = client
        .decrypt()
        .ciphertext_blob(encrypted.ciphertext_blob().unwrap().clone())
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext().unwrap().as_ref(), b"hello over http");

    let err = client
        .decrypt()
        .ciphertext_blob(encrypted.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_ciphertext_exception(), "{err:?}");
    let err = client
        .describe_key()
        .key_id("alias/missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::message(&err),
        Some("Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found.")
    );
    server.stop().await;
}

#[tokio::test]
async fn the_region_of_the_signature_selects_the_keys() {
    let backends = Backends::per_region(UrlBackends::new(KmsConfig::from_url("local:").unwrap()));
    let server =
        TestServer::start_with(Server::builder(backends).listen(([127, 0, 0, 1], 0).into()))
            .await
            .unwrap();
    let paris = common::client(server.endpoint_url(), "eu-west-3");
    let virginia = common::client(server.endpoint_url(), "us-east-1");
    let key = paris.create_key().send().await.unwrap();
    let arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
    assert!(
        arn.starts_with("arn:aws:kms:eu-west-3:111122223333:key/"),
        "{arn}"
    );
    let listed = virginia.list_keys().send().await.unwrap();
    assert!(listed.keys().is_empty(), "{listed:?}");
    let err = virginia
        .describe_key()
        .key_id(key.key_metadata().unwrap().key_id())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");
    assert_eq!(paris.list_keys().send().await.unwrap().keys().len(), 1);
}

#[tokio::test]
async fn metrics_count_requests_and_errors_per_operation() {
    let kms: Arc<kms::DynKms> = Arc::new(LocalKms::new());
    let server = TestServer::start(kms).await.unwrap();
    let client = common::client(server.endpoint_url(), "us-east-1");
    client.create_key().send().await.unwrap();
    let _ = client.describe_key().key_id("alias/none").send().await;
    let metrics = common::exchange(
        server.local_addr(),
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for line in [
        "kms_requests_total{operation=\"CreateKey\"} 1",
        "kms_requests_total{operation=\"DescribeKey\"} 1",
        "kms_request_errors_total{operation=\"DescribeKey\",code=\"NotFoundException\"} 1",
        "kms_request_duration_seconds_count{operation=\"CreateKey\"} 1",
    ] {
        assert!(
            metrics.body.lines().any(|l| l == line),
            "{line} in\n{}",
            metrics.body
        );
    }
    let health = common::exchange(
        server.local_addr(),
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, "{\"status\":\"ok\"}")
    );
    assert!(health.header("x-amzn-requestid").is_some());
}
