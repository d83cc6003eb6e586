#!/usr/bin/env bash
# Interop with the official JavaScript AWS Encryption SDK: installs the pinned
# @aws-crypto/client-node (exactly as scripts/interop/js/package-lock.json records it, with
# `npm ci`, into scripts/interop/js/node_modules, which git ignores), then runs
# scripts/interop/js/esdk_interop.mjs with the arguments given (e.g. --kms target/debug/kms).
# Fails when node or npm is missing, when the install fails, or when any case fails.
set -euo pipefail

js_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/js" && pwd)"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool is not installed: the JavaScript interop needs Node.js 18 or later" >&2
        exit 1
    fi
done

# Lifecycle scripts are not needed by the SDK, and are not run.
npm ci --prefix "$js_dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2

exec node "$js_dir/esdk_interop.mjs" "$@"
