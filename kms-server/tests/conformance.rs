//! The conformance suite over the wire: `AwsKms` (the official SDK) → `kms-server` →
//! `LocalKms`, with AWS's full capabilities: the server may add no deviation.

#![allow(clippy::unwrap_used, reason = "tests fail by panicking")]

mod common;

use kms_aws::AwsKms;
use kms_core::conformance::{self, Capabilities};
use kms_server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_backend_behind_the_server_conforms() {
    let server = TestServer::start(kms::LocalKms::new()).await.unwrap();
    let client = aws_sdk_kms::Client::from_conf(
        common::config(server.endpoint_url(), "us-east-1", "AKIDANY", "any secret").build(),
    );
    let kms = AwsKms::builder().with_client(client).build().await.unwrap();
    conformance::run_all(&kms, &Capabilities::aws()).await;
}
