//! The corpus replay of the fuzz target `wire_request`: every input of its corpus, and every
//! input that made it fail once, through the same entry point on stable Rust.

#[path = "../../fuzz/replay.rs"]
mod replay;

#[test]
fn the_wire_request_corpus_holds_its_properties() {
    let mut accepted = 0;
    for (path, input) in replay::inputs("wire_request") {
        eprintln!("{}", path.display());
        if kms_wire::fuzzing::check_input(&input).is_ok() {
            accepted += 1;
        }
    }
    assert!(accepted > 0, "no input of the corpus is a valid request");
}
