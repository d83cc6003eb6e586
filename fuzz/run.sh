#!/usr/bin/env bash
# Runs the fuzz targets on the nightly toolchain with cargo-fuzz (installed, pinned, when
# missing): every target, or those named, for a given time each; new corpus entries are kept
# in fuzz/corpus/<target>/, findings in fuzz/artifacts/<target>/.
#
#     fuzz/run.sh SECONDS [TARGET...]       e.g. fuzz/run.sh 300 (5 minutes per target)
#
# Environment: FUZZ_RUNS=N runs each target for N inputs instead of a time (SECONDS is then
# an upper bound); FUZZ_SANITIZER (default: address; `none` runs about twice as fast);
# FUZZ_JOBS (default 1); FUZZ_MAX_LEN (default 16384 bytes); FUZZ_MAX_CORPUS (default 300:
# a larger corpus is minimised after the run). Prints, per target: inputs run, time, executions per second, corpus
# size, findings. Exits non-zero if any target found something.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")"

CARGO_FUZZ_VERSION=0.13.1
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "SECONDS must be a positive integer" >&2; exit 2; }
sanitizer=${FUZZ_SANITIZER:-address}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
# The longest input tried; corpus files stay far below the 64 KiB the repository allows.
max_len=${FUZZ_MAX_LEN:-16384}
# A corpus that grows past this many files is minimised (cargo fuzz cmin) after the run.
max_corpus=${FUZZ_MAX_CORPUS:-300}

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

# The fuzz crate builds apart from the workspace's target directory.
export CARGO_TARGET_DIR="$PWD/target"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus" "artifacts/$target"
    before=$(ls "$corpus" | wc -l)
    findings_before=$(ls "artifacts/$target" | wc -l)
    log=$(mktemp)
    args=(-max_total_time="$seconds" -print_final_stats=1 -max_len="$max_len")
    [ -n "$runs" ] && args+=(-runs="$runs")
    [ "$jobs" -gt 1 ] && args+=(-jobs="$jobs" -workers="$jobs")
    echo "== $target: ${runs:+$runs inputs, at most }${seconds}s, sanitizer $sanitizer"
    started=$(date +%s)
    set +e
    nice -n 10 cargo +nightly fuzz run --sanitizer "$sanitizer" --debug-assertions "$target" \
        "$corpus" -- "${args[@]}" >"$log" 2>&1
    status=$?
    set -e
    grep -E '^#[0-9]+ +(INITED|DONE)|^SUMMARY|panicked at|^Failing input' "$log" || true
    elapsed=$(( $(date +%s) - started ))
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    if [ "$status" -eq 0 ] && [ "$(ls "$corpus" | wc -l)" -gt "$max_corpus" ]; then
        echo "minimising $corpus"
        nice -n 10 cargo +nightly fuzz cmin --sanitizer "$sanitizer" --debug-assertions \
            "$target" "$corpus" -- -max_len="$max_len" >>"$log" 2>&1 || status=$?
    fi
    after=$(ls "$corpus" | wc -l)
    findings=$(( $(ls "artifacts/$target" | wc -l) - findings_before ))
    if [ "$status" -ne 0 ] || [ "$findings" -gt 0 ]; then failed=1; fi
    summary+=("$(printf '%-18s %12s inputs %7ss %9s exec/s  corpus %5s (+%s)  findings %s' \
        "$target" "${execs:-?}" "$elapsed" "${speed:-?}" "$after" "$((after - before))" \
        "$([ "$status" -ne 0 ] && echo "$findings, target failed: see $log" || echo "$findings")")")
    [ "$status" -eq 0 ] && rm -f "$log"
done
printf '%s\n' "${summary[@]}"
exit "$failed"
