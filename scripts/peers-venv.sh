#!/usr/bin/env bash
# Creates the project-local Python virtualenv `.venv` (ignored by git) if it is missing, and
# installs the peers pinned in scripts/requirements-peers.txt into it, only when that file (or
# the Python version) changed since the last successful install. Prints the virtualenv's
# directory on success; exits non-zero with a message saying what failed otherwise.
#
#   scripts/peers-venv.sh            # create or update .venv
#   PYTHON=python3.12 scripts/peers-venv.sh
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
requirements="$root/scripts/requirements-peers.txt"
stamp="$venv/.requirements-peers.sha256"
python=${PYTHON:-python3}

fail() {
    printf 'peers-venv: %s\n' "$*" >&2
    exit 1
}

command -v "$python" >/dev/null 2>&1 \
    || fail "'$python' was not found: the peer tests need Python 3 (set PYTHON to use another)"
[[ -f $requirements ]] || fail "$requirements is missing"

if [[ ! -x $venv/bin/python ]]; then
    echo "peers-venv: creating the virtualenv $venv" >&2
    "$python" -m venv "$venv" \
        || fail "'$python -m venv $venv' failed (on Debian, install the python3-venv package)"
fi

# The stamp covers the requirements and the interpreter, so either changing reinstalls.
wanted=$({ cat "$requirements"; "$venv/bin/python" --version 2>&1; } | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(<"$stamp") == "$wanted" ]]; then
    echo "$venv"
    exit 0
fi

echo "peers-venv: installing the peers of $requirements into $venv" >&2
rm -f "$stamp"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements" >&2 \
    || fail "'pip install -r $requirements' failed: the peers could not be installed (is PyPI reachable?)"
echo "$wanted" >"$stamp"
echo "$venv"
