//! The conformance suite on a durable store that is closed and reopened around every single
//! operation, so every answer comes from what was written to disk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt;
use std::path::PathBuf;

use async_trait::async_trait;
use kms_core::conformance::{self, Capabilities};
use kms_core::{Kms, Result, SecretBytes};
use kms_local::LocalKms;

/// A `Kms` that opens the store in `dir` afresh for each call.
#[derive(Debug)]
struct ReopeningKms {
    dir: PathBuf,
}

impl ReopeningKms {
    async fn open(&self) -> Result<LocalKms> {
        LocalKms::builder()
            .path(&self.dir)
            .root_key(SecretBytes::from(&[3u8; 32]))
            .build_async()
            .await
    }
}

impl fmt::Display for ReopeningKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReopeningKms({})", self.dir.display())
    }
}

/// Implements every operation as "open the store, call it, close it".
macro_rules! reopen_for_each {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl Kms for ReopeningKms {
            $(
                async fn $op(&self, request: $request) -> Result<$response> {
                    self.open().await?.$op(request).await
                }
            )+
        }
    };
}

kms_core::for_each_operation!(reopen_for_each {});

#[tokio::test]
async fn a_store_reopened_around_every_operation_conforms() {
    let scratch = tempfile::tempdir().unwrap();
    let kms = ReopeningKms {
        dir: scratch.path().join("store"),
    };
    conformance::run_all(&kms, &Capabilities::aws()).await;
}

#[tokio::test]
async fn one_durable_store_conforms() {
    let scratch = tempfile::tempdir().unwrap();
    let kms = LocalKms::builder()
        .path(scratch.path().join("store"))
        .root_key(SecretBytes::from(&[4u8; 32]))
        .build_async()
        .await
        .unwrap();
    conformance::run_all(&kms, &Capabilities::aws()).await;
}
