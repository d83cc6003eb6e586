#!/usr/bin/env bash
# Interop with the official JavaScript AWS Encryption SDK: the pinned @aws-crypto/client-node
# of scripts/interop/js (installed by scripts/run-node.sh) runs
# scripts/interop/js/esdk_interop.mjs with the arguments given (e.g. --kms target/debug/kms).
# Fails when node or npm is missing, when the install fails, or when any case fails.
set -euo pipefail
here="$(dirname -- "${BASH_SOURCE[0]}")"
exec "$here/../run-node.sh" "$here/js" esdk_interop.mjs "$@"
