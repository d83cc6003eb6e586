//! The conformance suite of `kms-core`, with AWS's full capabilities, through the official
//! SDK and `kms_wire::dispatch` onto the local backend: `AwsKms` → `aws_sdk_kms` serializers →
//! JSON 1.1 → `dispatch` → `LocalKms` and back through the SDK's deserializers. The shapes may
//! add no deviation.

#![allow(clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use std::sync::Arc;

use kms_core::conformance::{self, Capabilities};
use kms_local::LocalKms;

#[tokio::test]
async fn the_local_backend_conforms_over_the_wire() {
    let kms = common::aws_kms(Arc::new(LocalKms::new())).await;
    conformance::run_all(&kms, &Capabilities::aws()).await;
}
