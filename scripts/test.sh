#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine (root) to passing tests:
# engine, QEMU binfmt and images included (images are built once and reused afterwards).
set -euo pipefail
source "$(dirname "$0")/dev-env.sh"
cd "$ROOT"

"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
# Unit tests first: seconds, and they cannot reach an engine. Then everything real.
"$VENV/bin/python" -m pytest unit_test -q -p no:cacheprovider
"$VENV/bin/python" -m pytest integration_test -v -p no:cacheprovider --timeout=1800 "$@"
