#!/usr/bin/env bash
# Runs a command with a moto_server (an AWS KMS emulator from the project's virtualenv)
# listening on a free port of 127.0.0.1, and stops the server by its PID when the command
# ends, however it ends (success, failure, Ctrl-C).
#
#   scripts/with-moto.sh COMMAND [ARGS...]
#
# The command sees KMS_TEST_MOTO_URL=http://127.0.0.1:PORT (read by the kms-aws moto tests
# and bench), KMS_TEST_MOTO_PID (the server's process id, for memory readings) and the dummy credentials moto accepts (AWS_ACCESS_KEY_ID=testing, ...,
# AWS_REGION=us-east-1). Exits with the command's status; fails with a message saying so if
# moto cannot be installed or does not start.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

fail() {
    printf 'with-moto: %s\n' "$*" >&2
    exit 1
}

(($# > 0)) || fail "usage: scripts/with-moto.sh COMMAND [ARGS...]"

venv=$("$root/scripts/peers-venv.sh") || fail "moto could not be installed (see the message above)"
[[ -x $venv/bin/moto_server ]] \
    || fail "moto_server is missing from $venv: check scripts/requirements-peers.txt"

# How long moto may take to answer its first request.
start_timeout=${MOTO_START_TIMEOUT:-60}

log=$(mktemp "${TMPDIR:-/tmp}/moto-server.XXXXXX.log")
moto_pid=""

stop_moto() {
    if [[ -n $moto_pid ]] && kill -0 "$moto_pid" 2>/dev/null; then
        kill "$moto_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$moto_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$moto_pid" 2>/dev/null; then
            kill -9 "$moto_pid" 2>/dev/null || true
        fi
        wait "$moto_pid" 2>/dev/null || true
        echo "with-moto: stopped moto_server (pid $moto_pid)" >&2
    fi
    moto_pid=""
    rm -f "$log"
}
trap stop_moto EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port the kernel says is free; another process could take it before moto binds it, so a
# server that dies at once is retried on a new port.
free_port() {
    "$venv/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Whether moto answers HTTP on its port (any status means it is up).
answers() {
    "$venv/bin/python" - "$1" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=2)
except urllib.error.HTTPError:
    pass
PY
}

url=""
for attempt in 1 2 3; do
    port=$(free_port) || fail "could not find a free port on 127.0.0.1"
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    moto_pid=$!
    deadline=$((SECONDS + start_timeout))
    while kill -0 "$moto_pid" 2>/dev/null && ((SECONDS < deadline)); do
        if answers "http://127.0.0.1:$port"; then
            url="http://127.0.0.1:$port"
            break 2
        fi
        sleep 0.2
    done
    if kill -0 "$moto_pid" 2>/dev/null; then
        cat "$log" >&2
        fail "moto_server (pid $moto_pid) did not answer on 127.0.0.1:$port within ${start_timeout}s"
    fi
    wait "$moto_pid" 2>/dev/null || true
    moto_pid=""
    echo "with-moto: moto_server exited at start (attempt $attempt, port $port):" >&2
    cat "$log" >&2
done
[[ -n $url ]] || fail "moto_server could not be started"
echo "with-moto: moto_server (pid $moto_pid) answers at $url" >&2

export KMS_TEST_MOTO_URL=$url
export KMS_TEST_MOTO_PID=$moto_pid
# shellcheck source=scripts/dummy-aws-env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/dummy-aws-env.sh"

status=0
"$@" || status=$?
exit "$status"
