//! The conformance suite of `kms-core` on the local backend: directly, and through the two
//! smart pointers applications hold it in.

use std::sync::Arc;

use kms_core::Kms;
use kms_core::conformance::{self, Capabilities};
use kms_local::LocalKms;

#[tokio::test]
async fn local_kms_conforms() {
    let kms = LocalKms::new();
    conformance::run_all(&kms, &Capabilities::aws()).await;
}

#[tokio::test]
async fn local_kms_conforms_through_arc_dyn_kms() {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    conformance::run_all(&kms, &Capabilities::aws()).await;
}

#[tokio::test]
async fn local_kms_conforms_through_box_dyn_kms() {
    let kms: Box<dyn Kms> = Box::new(LocalKms::new());
    conformance::run_all(&kms, &Capabilities::aws()).await;
}
