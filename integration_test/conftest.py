"""Shared integration fixtures: a running engine and local images built by our own CLI.

- ``engine_ready`` (session): docker answers ``docker info``; when it does not and we are root,
  ``scripts/bootstrap-host.sh`` is run once (installs what is missing, starts dockerd, registers
  QEMU binfmt, sets podman's ulimits).
- ``local_image`` (session): ``local_image(suite, arch, engine="docker") -> str`` returns
  ``cibuildwheel-like/debian-<suite>:<arch>`` after running ``cibuildwheel-like images build`` for
  it (a no-op when an image with the same recipe exists; a fresh machine builds it once).
- ``run_cli(*args)``: run ``python -m cibuildwheel_like`` and return the completed process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.images import recipe

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "scripts" / "bootstrap-host.sh"
# debootstrap + provisioning: ~3 min native, ~10 min under QEMU on 2 cores
IMAGE_BUILD_TIMEOUT = float(os.environ.get("CIBWL_IMAGE_BUILD_TIMEOUT", "2400"))

LocalImage = Callable[..., str]


def run_cli(
    *args: str, timeout: float = 600, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Our CLI as a user runs it; stdout and stderr captured as text."""
    result = subprocess.run(
        [sys.executable, "-m", "cibuildwheel_like", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"cibuildwheel-like {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def _engine_answers(engine: str) -> bool:
    if shutil.which(engine) is None:
        return False
    probe = [engine, "info"] if engine == "docker" else [engine, "version"]
    return subprocess.run(probe, capture_output=True, check=False, timeout=60).returncode == 0


@pytest.fixture(scope="session")
def engine_ready() -> None:
    """Docker answers (bootstrapping the host once if needed and possible)."""
    if _engine_answers("docker"):
        return
    if os.geteuid() != 0:
        pytest.fail(
            "no docker daemon answers and we are not root: run `sudo scripts/bootstrap-host.sh`"
        )
    result = subprocess.run(
        ["bash", str(BOOTSTRAP)], capture_output=True, text=True, check=False, timeout=1200
    )
    if result.returncode != 0 or not _engine_answers("docker"):
        pytest.fail(f"scripts/bootstrap-host.sh failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture
def engine() -> str:
    """The engine a test uses; parametrize ``engine`` to cover podman too."""
    return "docker"


def image_name(suite: str, arch: str) -> str:
    return recipe.image_name(recipe.parse_suite(suite), Arch(arch))


@pytest.fixture(scope="session")
def local_image(engine_ready: None) -> LocalImage:
    """``local_image(suite, arch, engine="docker")``: our image, built through the CLI if needed."""
    ensured: dict[tuple[str, str, str], str] = {}

    def get(suite: str = "bookworm", arch: str = "x86_64", engine: str = "docker") -> str:
        key = (suite, arch, engine)
        if key not in ensured:
            if engine == "podman" and not _engine_answers("podman"):
                pytest.fail("podman does not answer: run scripts/bootstrap-host.sh")
            start = time.monotonic()
            args = ["images", "build", "--suite", suite, "--arch", arch, "--engine", engine]
            result = run_cli(*args, timeout=IMAGE_BUILD_TIMEOUT, check=True)
            seconds = time.monotonic() - start
            if "up to date" not in result.stdout:
                sys.stderr.write(
                    f"\n[local_image] built {suite}/{arch}/{engine} in {seconds:.0f}s\n"
                )
            ensured[key] = image_name(suite, arch)
        return ensured[key]

    return get
