#!/usr/bin/env bash
# Benchmark: cibuildwheel 4.3.5 (from PyPI, in its own venv) against cibuildwheel-like on the
# same images and configuration, alternating; prints one line per round, then medians and the
# ratio ours/cibuildwheel. A benchmark, not a test: it never judges a figure and exits non-zero
# only when a build (or the set-up it needs) fails. Documented in docs/performance.md.
#
#   bash scripts/bench.sh [--rounds N] [--only a,b,c,d,e,o] [--keep-images]
#   (default a,b,c,d,o; e, the emulated matrix with emulation = cross, on request)
#
# Idempotent: the host bootstrap and the virtualenv are made only when missing (as
# scripts/dev-env.sh does), images only when missing or out of date, cibuildwheel's venv once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CIBWL_VENV:-$ROOT/.venv}"

if ! docker info >/dev/null 2>&1 || [[ ! -x "$VENV/bin/cibuildwheel-like" ]]; then
    # first run on this machine: engine, QEMU binfmt and the editable install
    source "$ROOT/scripts/dev-env.sh"
elif [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    bash "$ROOT/scripts/bootstrap-host.sh"  # scenario (c) runs aarch64 under QEMU
fi
cd "$ROOT"
exec "$VENV/bin/python" "$ROOT/scripts/bench.py" "$@"
