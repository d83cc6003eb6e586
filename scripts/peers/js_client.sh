#!/usr/bin/env bash
# The AWS SDK for JavaScript v3 against a KMS endpoint: installs the pinned
# @aws-sdk/client-kms (exactly as scripts/peers/js/package-lock.json records it, with `npm ci`,
# into scripts/peers/js/node_modules, which git ignores), then runs
# scripts/peers/js/kms_client.mjs with the arguments given (the endpoint URL; default
# $KMS_TEST_SERVE_URL). Fails when node or npm is missing, when the install fails, or when a
# step fails.
set -euo pipefail

js_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/js" && pwd)"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool is not installed: the JavaScript SDK run needs Node.js 20 or later" >&2
        exit 1
    fi
done

# Lifecycle scripts are not needed by the SDK, and are not run.
npm ci --prefix "$js_dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2

exec node "$js_dir/kms_client.mjs" "$@"
