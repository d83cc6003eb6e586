//! The corpus replay of the fuzz targets `server_request` and `sigv4`: every input of their
//! corpus, and every input that made them fail once, through the same entry points on
//! stable Rust.

#[path = "../../fuzz/replay.rs"]
mod replay;

use std::sync::Arc;

use kms_server::fuzzing::{ServerHarness, Sigv4Harness};

#[tokio::test]
async fn the_server_request_corpus_holds_its_properties() {
    let harness = ServerHarness::new(Arc::new(kms::LocalKms::new()));
    let mut reached_the_backend = 0;
    for (path, input) in replay::inputs("server_request") {
        eprintln!("{}", path.display());
        if harness.check(&input).await.as_deref() == Some("KMSInternalException") {
            reached_the_backend += 1;
        }
    }
    assert!(
        reached_the_backend > 0,
        "no input of the corpus gets past decoding to the backend"
    );
}

#[test]
fn the_sigv4_corpus_holds_its_properties() {
    let harness = Sigv4Harness::new();
    let mut verified = 0;
    for (path, input) in replay::inputs("sigv4") {
        eprintln!("{}", path.display());
        if harness.check(&input) == Some(true) {
            verified += 1;
        }
    }
    assert!(
        verified > 0,
        "no input of the corpus is a request that verifies"
    );
}
