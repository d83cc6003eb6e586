#!/usr/bin/env bash
# Runs a Node.js program of the scripts with its pinned packages: `run-node.sh DIR PROGRAM
# [ARGS...]` installs DIR's packages exactly as DIR/package-lock.json records them (`npm ci`,
# into DIR/node_modules, which git ignores), then runs `node DIR/PROGRAM ARGS...`. Fails when
# node or npm is missing or the install fails.
set -euo pipefail

dir="$(cd -- "$1" && pwd)"
program=$2
shift 2

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool is not installed: $program needs Node.js 20 or later" >&2
        exit 1
    fi
done

# Lifecycle scripts are not needed by the SDKs, and are not run.
npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2

exec node "$dir/$program" "$@"
