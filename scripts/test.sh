#!/usr/bin/env bash
# The one command that runs every check of the workspace, from any directory: formatting,
# clippy, docs, every test (doctests included), the walkthrough example on the embedded local
# backend; then the peer suites: `kms encrypt-file` / `decrypt-file` against the official
# Python AWS Encryption SDK (raw AES keyring), kms-aws against moto_server (an AWS KMS
# emulator), the walkthrough on it, and the envelope interop with the SDK's KMS keyring
# through moto; both peers are installed into the project's virtualenv .venv. The official
# JavaScript AWS Encryption SDK (raw AES keyring, both ways) is installed with npm into
# scripts/interop/js/node_modules. Then real clients against `kms serve` (our endpoint, on the
# in-memory store): the AWS CLI v1 tutorial, boto3, Python's cryptography on every key kind
# (also against moto), the JavaScript SDK v3 (npm, into
# scripts/peers/js/node_modules) and the Python SDK's KMS keyring with our envelope CLI, a
# smoke run of the load benchmark, and a short run of the soak (scripts/soak/run.sh); last,
# the Windows build and tests under Wine (scripts/windows/test.sh). It stops at the first failure and exits non-zero; a peer
# that cannot be installed or started is a failure.
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

step "scripts/bench/check_figures.py (every figure of the README is written by scripts/bench/figures.py and names a bench that exists)"
python3 scripts/bench/check_figures.py

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# Each supported feature combination of the facade builds on its own (default, only `local`,
# only `aws`); `cargo check` of the one crate keeps this quick.
for features in "" "--no-default-features --features local" "--no-default-features --features aws"; do
    step "cargo check -p kms --all-targets ${features:-(default features)}"
    # shellcheck disable=SC2086 # the flags are meant to split into words
    cargo check -p kms --all-targets $features
done

step "RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --features kms-core/conformance"
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --features kms-core/conformance

step "cargo test --workspace"
cargo test --workspace

step "cargo run --example walkthrough and --example envelope (KMS_URL unset: the embedded local backend)"
cargo run --example walkthrough
cargo run --example envelope

# The peer suites. Nothing above needs Python or a server; everything below does.
step "scripts/peers-venv.sh (the virtualenv .venv with the pinned peers of scripts/requirements-peers.txt)"
scripts/peers-venv.sh >/dev/null

step "cargo build -p kms-cli -p kms-loadgen (target/debug/kms, the binary the interop drives and kms serve; the load generator)"
cargo build -p kms-cli -p kms-loadgen

step "envelope interop with the Python AWS Encryption SDK, raw AES keyring: scripts/interop/esdk_interop.py raw"
.venv/bin/python scripts/interop/esdk_interop.py raw --kms "${CARGO_TARGET_DIR:-target}/debug/kms"

step "envelope interop with the Python AWS Encryption SDK, raw ECDH keyrings (static, ephemeral, discovery; P-256/384/521): scripts/interop/esdk_interop.py raw-ecdh"
.venv/bin/python scripts/interop/esdk_interop.py raw-ecdh --kms "${CARGO_TARGET_DIR:-target}/debug/kms"

step "envelope interop with the JavaScript AWS Encryption SDK, raw AES keyring: scripts/interop/esdk_interop_js.sh (npm ci of the pinned @aws-crypto/client-node into scripts/interop/js)"
scripts/interop/esdk_interop_js.sh --kms "${CARGO_TARGET_DIR:-target}/debug/kms"

step "scripts/bench/file_throughput.py on 4 MiB (the speed comparison's script still runs and both sides decrypt to the input)"
.venv/bin/python scripts/bench/file_throughput.py --kms "${CARGO_TARGET_DIR:-target}/debug/kms" --size-mib 4 --runs 1

step "cargo clippy -p kms-aws --all-targets --features moto-tests -- -D warnings"
cargo clippy -p kms-aws --all-targets --features moto-tests -- -D warnings

step "against moto_server: cargo test -p kms-aws --features moto-tests, the walkthrough and envelope examples with KMS_URL=aws+http://127.0.0.1:PORT, and scripts/interop/esdk_interop.py kms"
# with-moto.sh starts moto_server on a free port of 127.0.0.1 with dummy credentials, runs
# the command with KMS_TEST_MOTO_URL set, and stops moto by its PID however the command ends.
scripts/with-moto.sh bash -c '
    set -euo pipefail
    cargo test -p kms-aws --features moto-tests
    KMS_URL="aws+${KMS_TEST_MOTO_URL}" cargo run --example walkthrough
    KMS_URL="aws+${KMS_TEST_MOTO_URL}" cargo run --example envelope
    .venv/bin/python scripts/interop/esdk_interop.py kms --endpoint "$KMS_TEST_MOTO_URL" \
        --kms "${CARGO_TARGET_DIR:-target}/debug/kms"
'

# Real clients against `kms serve`: scripts/with-kms-serve.sh starts target/debug/kms serve
# on a free port of 127.0.0.1 (in-memory store), runs the command with KMS_TEST_SERVE_URL set,
# and stops the server with SIGTERM, failing unless it exits 0. One server per client.
step "against kms serve: the AWS CLI v1 tutorial, scripts/peers/awscli_tutorial.sh"
scripts/with-kms-serve.sh bash -c 'scripts/peers/awscli_tutorial.sh "$KMS_TEST_SERVE_URL"'

step "against kms serve: boto3, scripts/peers/boto3_client.py"
scripts/with-kms-serve.sh bash -c '.venv/bin/python scripts/peers/boto3_client.py "$KMS_TEST_SERVE_URL"'

# Every key kind checked by Python's `cryptography`: kms serve on the fixture keys of
# scripts/peers/asymmetric_peer_seed.toml (the peer reads their material too), then moto for
# what moto implements (the peer prints each check it skips there, and why).
step "against kms serve with fixture keys: Python's cryptography, scripts/peers/asymmetric_peer.py (public keys, signatures, OAEP, ECDH, ML-KEM, HMAC and data key pairs of every key kind)"
KMS_SERVE_URL="local:?seed=$PWD/scripts/peers/asymmetric_peer_seed.toml" \
    scripts/with-kms-serve.sh bash -c '.venv/bin/python scripts/peers/asymmetric_peer.py \
        "$KMS_TEST_SERVE_URL" --seed scripts/peers/asymmetric_peer_seed.toml'

step "against kms serve: Python's cryptography wraps key material for ImportKeyMaterial, scripts/peers/import_peer.py (every wrapping algorithm, symmetric, HMAC, ECC and RSA material)"
scripts/with-kms-serve.sh bash -c '.venv/bin/python scripts/peers/import_peer.py "$KMS_TEST_SERVE_URL"'

step "against moto_server: Python's cryptography, scripts/peers/asymmetric_peer.py --skip-unsupported-by-moto"
scripts/with-moto.sh bash -c '.venv/bin/python scripts/peers/asymmetric_peer.py \
    "$KMS_TEST_MOTO_URL" --skip-unsupported-by-moto'

step "against kms serve: the JavaScript SDK v3, scripts/peers/js_client.sh (npm ci of the pinned @aws-sdk/client-kms into scripts/peers/js)"
scripts/with-kms-serve.sh bash -c 'scripts/peers/js_client.sh "$KMS_TEST_SERVE_URL"'

step "against kms serve: the Python AWS Encryption SDK's KMS keyring with kms encrypt-file / decrypt-file, scripts/interop/esdk_interop.py kms"
scripts/with-kms-serve.sh bash -c '.venv/bin/python scripts/interop/esdk_interop.py kms \
    --endpoint "$KMS_TEST_SERVE_URL" --kms "${CARGO_TARGET_DIR:-target}/debug/kms"'

# moto has neither DeriveSharedSecret nor RSA decryption for the keyrings, and its multi-Region
# key IDs are hyphenated UUIDs that our key IDs refuse: kms serve only.
step "against kms serve: the Python AWS Encryption SDK's AWS KMS RSA keyring, AWS KMS ECDH keyrings and AWS KMS MRK keyrings (us-east-1 and us-west-2 of one world) with kms encrypt-file / decrypt-file, scripts/interop/esdk_interop.py kms-rsa, kms-ecdh and mrk"
scripts/with-kms-serve.sh bash -c '
    set -euo pipefail
    for mode in kms-rsa kms-ecdh mrk; do
        .venv/bin/python scripts/interop/esdk_interop.py "$mode" \
            --endpoint "$KMS_TEST_SERVE_URL" --kms "${CARGO_TARGET_DIR:-target}/debug/kms"
    done
'

step "scripts/bench/serve_load.sh --smoke (the load benchmark's machinery, kms serve and moto, well under a second per run)"
scripts/bench/serve_load.sh --smoke

step "scripts/soak/run.sh --seconds 20 --kills 3 (the soak's machinery: kms serve on a durable store under mixed load, memory readings, SIGKILL and restart, every acknowledged change checked)"
scripts/soak/run.sh --seconds 20 --kills 3 --rss-interval 1 --connections 8

step "scripts/windows/test.sh (every crate checked for x86_64-pc-windows-gnu; the tests of kms-core, kms-local, kms-envelope, kms and kms-cli run as Windows programs under Wine; installs the MinGW cross compiler and Wine when missing)"
scripts/windows/test.sh

printf '\n==> all checks passed in %ss\n' "$((SECONDS - started))"
