#!/usr/bin/env bash
# Writes the seed corpus of envelope_decrypt: messages the `kms` command encrypts under the
# fuzz targets' raw AES key, both suites, several sizes and frame lengths, each prefixed with
# the byte that sets the fuzz target's read size. Run from anywhere:
#     fuzz/seeds.sh && cd fuzz && cargo +nightly fuzz run envelope_decrypt corpus/envelope_decrypt
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

cargo build -p kms-cli --quiet
kms="${CARGO_TARGET_DIR:-target}/debug/kms"
corpus=fuzz/corpus/envelope_decrypt
mkdir -p "$corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '\x07%.0s' $(seq 32) > "$work/key"
for suite in 0x0478 0x0578; do
    for size in 0 1 100 5000; do
        for frame in 1 64 4096; do
            [ "$frame" = 1 ] && [ "$size" -gt 100 ] && continue
            head -c "$size" /dev/urandom > "$work/plain"
            "$kms" encrypt-file --raw-aes-key-file "$work/key" --key-namespace fuzz \
                --key-name key --suite "$suite" --frame-length "$frame" \
                --context purpose=fuzz "$work/plain" "$work/message"
            { printf '\x11'; cat "$work/message"; } > "$corpus/$suite-$size-$frame"
        done
    done
done
echo "$(ls "$corpus" | wc -l) seeds in $corpus"
