#!/usr/bin/env bash
# Shared set-up for the two README commands: host bootstrap, then the project's virtualenv.
# Sourced, not run: it leaves VENV set. Idempotent, so a second run costs seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CIBWL_VENV:-$ROOT/.venv}"

bash "$ROOT/scripts/bootstrap-host.sh"

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "dev-env: installing python3-venv" >&2
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e "$ROOT[test,docs]"
export VENV ROOT
