#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets from real inputs, into fuzz/corpus/<target>/:
#
#   envelope_decrypt  messages the `kms` command encrypts under the target's raw AES key
#                     (both suites, several sizes and frame lengths), each prefixed with the
#                     byte that sets the streaming read size
#   wire_request,     every request the AWS SDK sends in kms-wire's conformance test (its
#   server_request    in-process client records them under KMS_FUZZ_RECORD)
#   sigv4             the SigV4 test suite's signed requests (kms-server/tests/sigv4-vectors)
#                     and the SDK's signed requests
#   seed_file         the repository's seed files, whole and one key each
#   journal_frames,   journals of those seed files and their frames' payloads, written under
#   journal_records   the harness's root key; and blobs for local_decrypt
#
# Then minimise them (cargo fuzz cmin, nightly): fuzz/seeds.sh --cmin
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

record=$(mktemp -d)
trap 'rm -rf "$record"' EXIT
corpus=fuzz/corpus
mkdir -p "$corpus"/{envelope_decrypt,wire_request,server_request,sigv4,seed_file}

# envelope_decrypt
cargo build -p kms-cli --quiet
kms="${CARGO_TARGET_DIR:-target}/debug/kms"
printf '\x07%.0s' $(seq 32) > "$record/key"
for suite in 0x0478 0x0578; do
    for size in 0 1 100 5000; do
        for frame in 1 64 4096; do
            [ "$frame" = 1 ] && [ "$size" -gt 100 ] && continue
            head -c "$size" /dev/urandom > "$record/plain"
            "$kms" encrypt-file --raw-aes-key-file "$record/key" --key-namespace fuzz \
                --key-name key --suite "$suite" --frame-length "$frame" \
                --context purpose=fuzz "$record/plain" "$record/message"
            { printf '\x11'; cat "$record/message"; } > "$corpus/envelope_decrypt/$suite-$size-$frame"
        done
    done
done

# wire_request, server_request, and the SDK's signed requests for sigv4
KMS_FUZZ_RECORD="$record" cargo test -p kms-wire --test conformance --quiet
cp "$record"/wire_request/* "$corpus/wire_request/"
cp "$record"/server_request/* "$corpus/server_request/"
cp "$record"/server_request/* "$corpus/sigv4/"
for vector in kms-server/tests/sigv4-vectors/*/; do
    cp "$vector/header-signed-request.txt" "$corpus/sigv4/vector-$(basename "$vector")"
done

# seed_file: whole files, then each [[keys]] block of them alone
for file in kms-local/tests/fixtures/keys.toml scripts/peers/asymmetric_peer_seed.toml; do
    name=$(basename "$file" .toml)
    cp "$file" "$corpus/seed_file/$name"
    awk -v out="$corpus/seed_file/$name-key-" '
        /^\[\[keys\]\]/ { n++ } n > 0 { print > (out n) }' "$file"
done
cat > "$corpus/seed_file/symmetric-rotated" <<'TOML'
[[keys]]
key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
description = "orders fixture"
material = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
rotations = ["Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="]
state = "Disabled"
aliases = ["alias/orders", "alias/orders-2"]
tags = { team = "payments", env = "test" }
TOML

# journal_frames, journal_records, local_decrypt
cargo run -p kms-local --example fuzz_seeds --quiet -- "$record"
for target in journal_frames journal_records local_decrypt; do
    mkdir -p "$corpus/$target"
    cp "$record/$target"/* "$corpus/$target/"
done

if [ "${1:-}" = --cmin ]; then
    cd fuzz
    export CARGO_TARGET_DIR="$PWD/target"
    for target in $(cargo +nightly fuzz list); do
        nice -n 10 cargo +nightly fuzz cmin --sanitizer none "$target" "corpus/$target" \
            -- -max_len=16384
    done
    cd ..
fi
for target in "$corpus"/*/; do
    echo "$(ls "$target" | wc -l) inputs in $target"
done
