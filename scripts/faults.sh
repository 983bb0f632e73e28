#!/usr/bin/env bash
# Fault trials: real runs of examples/c-extension (3 builds) interrupted, killed, starved of
# disk, run twice at once...; prints one line per run and a table of the harm left (containers,
# partial files, lost wheels, hangs, unclear errors, exit codes). A measurement, not a test: it
# never judges a figure and exits non-zero only when its set-up fails. Needs root (tmpfs
# mounts). Too slow for CI (about an hour with the default counts). Documented in
# docs/reliability.md.
#
#   bash scripts/faults.sh [--trials N] [--seed S] [--only sigint,sigterm,...] [--window SEC]
#   (CIBWL_FAULTS_DIR=DIR: work folders there, so that two invocations can run side by side)
#
# The daemon-stop trial stops and restarts this machine's dockerd: it runs only when named in
# --only (e.g. --only daemon-stop), never by default.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CIBWL_VENV:-$ROOT/.venv}"

if ! docker info >/dev/null 2>&1 || [[ ! -x "$VENV/bin/cibuildwheel-like" ]]; then
    source "$ROOT/scripts/dev-env.sh"  # first run on this machine: engine and editable install
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "faults.sh: must run as root (the disk trials mount tmpfs file systems)" >&2
    exit 1
fi
cd "$ROOT"
exec "$VENV/bin/python" "$ROOT/scripts/faults.py" "$@"
