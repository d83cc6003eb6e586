#!/usr/bin/env bash
# Runs a command with `kms serve` (our AWS KMS endpoint) listening on a free port of 127.0.0.1
# over the in-memory local backend, and stops the server by its PID when the command ends,
# however it ends (success, failure, Ctrl-C). Builds nothing: the binary is
# $CARGO_TARGET_DIR/debug/kms (target/debug/kms by default; `cargo build -p kms-cli` makes
# it), or $KMS_SERVE_BIN when set. The backend is `local:` (in memory), or $KMS_SERVE_URL when
# set (e.g. `local:?seed=/abs/path/seed.toml` for fixture keys).
#
#   scripts/with-kms-serve.sh COMMAND [ARGS...]
#
# The command sees KMS_TEST_SERVE_URL=http://127.0.0.1:PORT, KMS_TEST_SERVE_PID (the server's
# process id, for memory readings) and dummy credentials (AWS_ACCESS_KEY_ID=testing, ...,
# AWS_REGION=us-east-1), so no client reaches for real ones. The server is stopped with
# SIGTERM and must exit with status 0 (a graceful stop). Exits with the command's status, or 1
# when the server does not start, does not stop, or stops with another status; the server's
# log is shown then.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

fail() {
    printf 'with-kms-serve: %s\n' "$*" >&2
    exit 1
}

(($# > 0)) || fail "usage: scripts/with-kms-serve.sh COMMAND [ARGS...]"

kms=${KMS_SERVE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/kms}
[[ -x $kms ]] || fail "the kms binary $kms is missing: build it with \`cargo build -p kms-cli\`"

# How long the server may take to print its listening line, and to stop after SIGTERM.
start_timeout=${KMS_SERVE_START_TIMEOUT:-30}
stop_timeout=${KMS_SERVE_STOP_TIMEOUT:-10}

workdir=$(mktemp -d "${TMPDIR:-/tmp}/kms-serve.XXXXXX")
out=$workdir/stdout
log=$workdir/stderr
server_pid=""

show_log() {
    echo "with-kms-serve: the server's output (stdout, then the last 50 lines of stderr):" >&2
    cat "$out" >&2 || true
    tail -n 50 "$log" >&2 || true
}

# Stops the server with SIGTERM and waits for it; returns 0 only for a clean exit (status 0).
stop_server() {
    local pid=$server_pid status=0
    server_pid=""
    [[ -n $pid ]] || return 0
    if ! kill -TERM "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || status=$?
        echo "with-kms-serve: kms serve (pid $pid) had already exited with status $status" >&2
        return 1
    fi
    local deadline=$((SECONDS + stop_timeout))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "with-kms-serve: kms serve (pid $pid) did not stop within ${stop_timeout}s of SIGTERM; killed" >&2
        return 1
    fi
    wait "$pid" 2>/dev/null || status=$?
    if ((status != 0)); then
        echo "with-kms-serve: kms serve (pid $pid) exited with status $status after SIGTERM, not 0" >&2
        return 1
    fi
    echo "with-kms-serve: stopped kms serve (pid $pid), exit status 0" >&2
}

cleanup() {
    stop_server || show_log
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

: >"$out"
"$kms" serve --url "${KMS_SERVE_URL:-local:}" --listen 127.0.0.1:0 >"$out" 2>"$log" &
server_pid=$!

# The first line on standard output is exactly `listening on http://127.0.0.1:PORT`.
url=""
deadline=$((SECONDS + start_timeout))
while ((SECONDS < deadline)); do
    if [[ $(wc -l <"$out") -ge 1 ]]; then
        first=$(head -n 1 "$out")
        if [[ $first =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]]; then
            url=${BASH_REMATCH[1]}
            break
        fi
        show_log
        fail "kms serve printed '$first' first, not 'listening on http://127.0.0.1:PORT'"
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        status=0
        wait "$server_pid" || status=$?
        server_pid=""
        show_log
        fail "kms serve exited with status $status before listening"
    fi
    sleep 0.05
done
if [[ -z $url ]]; then
    show_log
    fail "kms serve (pid $server_pid) printed no listening line within ${start_timeout}s"
fi
echo "with-kms-serve: kms serve (pid $server_pid) listens at $url" >&2

export KMS_TEST_SERVE_URL=$url
export KMS_TEST_SERVE_PID=$server_pid
# shellcheck source=scripts/dummy-aws-env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/dummy-aws-env.sh"

status=0
"$@" || status=$?
if ! stop_server; then
    show_log
    exit 1
fi
exit "$status"
