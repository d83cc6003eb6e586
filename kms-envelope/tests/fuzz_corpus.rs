//! The corpus replay of the fuzz target `envelope_decrypt`: every input of its corpus, and
//! every input that made it fail once, through the same entry point on stable Rust.

#[path = "../../fuzz/replay.rs"]
mod replay;

use kms_envelope::fuzzing::DecryptHarness;

#[tokio::test]
async fn the_envelope_decrypt_corpus_holds_its_properties() {
    let harness = DecryptHarness::new();
    let mut decrypted = 0;
    for (path, input) in replay::inputs("envelope_decrypt") {
        eprintln!("{}", path.display());
        if harness.check(&input).await {
            decrypted += 1;
        }
    }
    assert!(decrypted > 0, "no input of the corpus decrypts");
}
