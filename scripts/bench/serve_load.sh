#!/usr/bin/env bash
# The load figures of `kms serve` next to moto's server, in one run on this machine:
# `Encrypt` of 32 bytes and `GenerateDataKey` (AES_256) driven by kms-loadgen (keep-alive
# HTTP/1.1 connections, one worker thread) against `kms serve` on the in-memory store and
# against moto_server, then `kms serve` again at half its peak rate for the latency, then 1,000
# idle connections held open while the server's resident memory is read.
#
#   scripts/bench/serve_load.sh              # release build, 10 s per run; prints the figures
#   scripts/bench/serve_load.sh --strict     # the same, and exits 1 when a target is missed
#   scripts/bench/serve_load.sh --smoke      # debug binaries (already built), well under a
#                                            # second per run: the machinery works, no figures
#
# Targets (issue 11): at least 100x moto's requests per second, at least 15,000 Encrypt/s,
# p99 under 5 ms at half the peak rate, resident memory under 64 MiB with 1,000 connections.
# Options: --seconds N (measured window, default 10), --connections N (default 16).
# Any failed request fails the run. The machine's other load skews the figures: the load
# average is printed first.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

fail() {
    printf 'serve_load: %s\n' "$*" >&2
    exit 1
}

# The second stage: run by the first under scripts/with-kms-serve.sh and scripts/with-moto.sh,
# with $loadgen, $results and the plan in the environment.
if [[ ${1:-} == --under-servers ]]; then
    load() {
        local name=$1 endpoint=$2
        shift 2
        echo "serve_load: $name" >&2
        "$loadgen" --json load --endpoint "$endpoint" --seconds "$LOAD_SECONDS" \
            --warmup-seconds "$LOAD_WARMUP" --connections "$LOAD_CONNECTIONS" "$@" \
            >"$results/$name.json"
    }
    for operation in $LOAD_OPERATIONS; do
        load "moto-$operation" "$KMS_TEST_MOTO_URL" --operation "$operation"
        load "serve-$operation" "$KMS_TEST_SERVE_URL" --operation "$operation"
        peak=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["requests_per_second"])' \
            "$results/serve-$operation.json")
        load "serve-$operation-half" "$KMS_TEST_SERVE_URL" --operation "$operation" \
            --rate "$(python3 -c 'import sys; print(max(1.0, float(sys.argv[1]) / 2))' "$peak")"
    done
    echo "serve_load: $IDLE_CONNECTIONS idle connections" >&2
    "$loadgen" --json idle --endpoint "$KMS_TEST_SERVE_URL" --connections "$IDLE_CONNECTIONS" \
        --hold-seconds "$IDLE_HOLD" --server-pid "$KMS_TEST_SERVE_PID" >"$results/idle.json"
    exit 0
fi

smoke=false
strict=false
seconds=10
connections=16
while (($# > 0)); do
    case $1 in
        --smoke) smoke=true ;;
        --strict) strict=true ;;
        --seconds) seconds=${2:?--seconds needs a value}; shift ;;
        --connections) connections=${2:?--connections needs a value}; shift ;;
        *) fail "unknown argument '$1' (see the comment at the top of $0)" ;;
    esac
    shift
done

if $smoke; then
    profile=debug
    export LOAD_SECONDS=0.5 LOAD_WARMUP=0.1 LOAD_CONNECTIONS=4 LOAD_OPERATIONS=encrypt
    export IDLE_CONNECTIONS=50 IDLE_HOLD=0.2
else
    profile=release
    echo "serve_load: cargo build --release -p kms-cli -p kms-loadgen" >&2
    (cd "$root" && cargo build --release -p kms-cli -p kms-loadgen)
    export LOAD_SECONDS=$seconds LOAD_WARMUP=1 LOAD_CONNECTIONS=$connections
    export LOAD_OPERATIONS="encrypt generate-data-key" IDLE_CONNECTIONS=1000 IDLE_HOLD=2
fi
export loadgen=$target_dir/$profile/kms-loadgen
[[ -x $loadgen ]] || fail "$loadgen is missing: build it with \`cargo build -p kms-loadgen\`"
[[ -x $target_dir/$profile/kms ]] || fail "$target_dir/$profile/kms is missing: build it with \`cargo build -p kms-cli\`"
# 1,000 client sockets here and 1,000 in the server, plus their other files.
ulimit -n 4096 2>/dev/null || true

results=$(mktemp -d "${TMPDIR:-/tmp}/serve-load.XXXXXX")
trap 'rm -rf "$results"' EXIT
export results

echo "serve_load: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $profile binaries" >&2
KMS_SERVE_BIN=$target_dir/$profile/kms "$root/scripts/with-kms-serve.sh" \
    "$root/scripts/with-moto.sh" "$0" --under-servers

python3 - "$results" "$smoke" "$strict" <<'PY'
import json, os, sys

results, smoke, strict = sys.argv[1], sys.argv[2] == "true", sys.argv[3] == "true"
def read(name):
    with open(os.path.join(results, name + ".json")) as file:
        return json.load(file)

operations = ["encrypt"] if smoke else ["encrypt", "generate-data-key"]
checks = []
print(f"{'run':<46} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'conns':>6} {'opened':>7}")
for operation in operations:
    runs = {
        "moto": read(f"moto-{operation}"),
        "kms serve": read(f"serve-{operation}"),
        "kms serve, half the peak rate": read(f"serve-{operation}-half"),
    }
    for label, run in runs.items():
        print(f"{run['operation'] + ', ' + label:<46} {run['requests_per_second']:>10.0f} "
              f"{run['p50_ms']:>8.3f} {run['p99_ms']:>8.3f} {run['max_ms']:>8.3f} "
              f"{run['connections']:>6} {run['connections_opened']:>7}")
    name = runs["moto"]["operation"]
    ratio = runs["kms serve"]["requests_per_second"] / max(runs["moto"]["requests_per_second"], 1e-9)
    print(f"{name}: kms serve / moto = {ratio:.0f}x")
    checks.append((f"{name}: at least 100x moto's requests per second", ratio >= 100, f"{ratio:.0f}x"))
    if name == "Encrypt":
        peak = runs["kms serve"]["requests_per_second"]
        checks.append(("Encrypt: at least 15,000 requests per second", peak >= 15000, f"{peak:.0f}/s"))
    p99 = runs["kms serve, half the peak rate"]["p99_ms"]
    checks.append((f"{name}: p99 under 5 ms at half the peak rate", p99 < 5, f"{p99:.3f} ms"))

idle = read("idle")
print(f"{idle['connections']} idle connections: server RSS {idle['rss_mib']} MiB "
      f"(before {idle['rss_before_mib']} MiB, peak {idle['peak_rss_mib']} MiB); "
      f"{idle['still_answering']} still answered afterwards")
checks.append((f"resident memory under 64 MiB with {idle['connections']} open connections",
               idle["rss_mib"] < 64, f"{idle['rss_mib']} MiB"))

if smoke:
    print("smoke run: the figures above are from debug binaries and mean nothing")
    sys.exit(0)
missed = 0
for label, met, value in checks:
    print(f"{'MET   ' if met else 'MISSED'} {label}: {value}")
    missed += not met
sys.exit(1 if strict and missed else 0)
PY
