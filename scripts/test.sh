#!/usr/bin/env bash
# The one command that runs every check of the workspace, from any directory: formatting,
# clippy, docs, every test (doctests included), then the walkthrough example on the embedded
# local backend. It stops at the first failure and exits non-zero.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# The checks are hermetic: a KMS_URL from the caller's shell must not choose their backend.
unset KMS_URL

current=""
trap 'status=$?; echo >&2; echo "FAILED (exit $status): $current" >&2' ERR

step() {
    current="$*"
    printf '\n==> %s\n' "$current"
}

started=$SECONDS

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --features kms-core/conformance"
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --features kms-core/conformance

step "cargo test --workspace"
cargo test --workspace

step "cargo run --example walkthrough (KMS_URL unset: the embedded local backend)"
cargo run --example walkthrough

printf '\n==> all checks passed in %ss\n' "$((SECONDS - started))"
