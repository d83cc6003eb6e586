#!/usr/bin/env bash
# The AWS SDK for JavaScript v3 against a KMS endpoint: the pinned @aws-sdk/client-kms of
# scripts/peers/js (installed by scripts/run-node.sh) runs scripts/peers/js/kms_client.mjs with
# the arguments given (the endpoint URL; default $KMS_TEST_SERVE_URL). Fails when node or npm is
# missing, when the install fails, or when a step fails.
set -euo pipefail
here="$(dirname -- "${BASH_SOURCE[0]}")"
exec "$here/../run-node.sh" "$here/js" kms_client.mjs "$@"
