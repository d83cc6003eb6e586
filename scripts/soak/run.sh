#!/usr/bin/env bash
# Soak test of `kms serve` on a durable store: mixed load (CreateKey, Encrypt, Decrypt,
# RotateKeyOnDemand, alias moves, DescribeKey) from many connections for a set time, with the
# server's resident memory sampled and bounded after a warm-up; then the server killed with
# SIGKILL under that load N times and restarted on the same store; every acknowledged key,
# ciphertext, rotation and alias checked after each restart and at the end. See soak.py for
# what exactly is checked and the memory bound.
#
#   scripts/soak/run.sh [--minutes M | --seconds S] [--kills N] [--connections C]
#                       [--rss-growth-mib MIB] [--json-out FILE] [--keep] [--seed N]
#
# Defaults: 10 minutes, 50 kills, 16 connections, 32 MiB. Builds `kms` first (a debug build:
# it is the build every other check runs, with debug assertions and overflow checks on, which
# is what a soak should exercise; the figures are not a benchmark). The driver is Python with
# boto3, from the project's virtualenv .venv (scripts/peers-venv.sh makes it). Exits non-zero
# on any lost or damaged acknowledged change, unexpected error or memory past the bound.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)

args=()
while (($# > 0)); do
    case $1 in
    --minutes)
        [[ ${2-} =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak: --minutes takes a number" >&2; exit 2; }
        args+=(--seconds "$(python3 -c "print(float('$2') * 60)")")
        shift 2
        ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done

python=$root/.venv/bin/python
[[ -x $python ]] || { echo "soak: $python is missing: run scripts/peers-venv.sh" >&2; exit 1; }

(cd "$root" && cargo build -p kms-cli)
kms=${CARGO_TARGET_DIR:-$root/target}/debug/kms
exec "$python" "$root/scripts/soak/soak.py" --kms "$kms" "${args[@]}"
