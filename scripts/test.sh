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
# The images the integration tests use, built from Debian once per machine (each command is a
# no-op when the image is current). Two at a time: debootstrap is I/O- and network-bound, and
# foreign-arch provisioning runs under QEMU; only bookworm is used for emulated arches.
"$VENV/bin/cibuildwheel-like" images build --suite bookworm,sid,trixie,bullseye --arch x86_64 --jobs 2
# bookworm's runtime image (no compiler, no -dev packages) for the fresh-test-container test:
# one engine build on top of the build image, ~15 s.
"$VENV/bin/cibuildwheel-like" images build --suite bookworm --arch x86_64 --runtime
# bookworm's cross image (Debian's cross gcc for aarch64, ppc64le and s390x) for emulation =
# 'cross': one native engine build on top of the build image, ~1 min (apt from the mirror).
"$VENV/bin/cibuildwheel-like" images build --suite bookworm --arch x86_64 --cross
"$VENV/bin/cibuildwheel-like" images build --suite bookworm --arch x86_64 --engine podman
"$VENV/bin/cibuildwheel-like" images build --suite bookworm --arch i686,aarch64,ppc64le,s390x --jobs 2
"$VENV/bin/python" -m pytest integration_test -v -p no:cacheprovider --timeout=1800 "$@"
