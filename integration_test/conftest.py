"""Shared integration fixtures: a running engine and local images built by our own CLI.

- ``engine_ready`` (session): docker answers ``docker info``; when it does not and we are root,
  ``scripts/bootstrap-host.sh`` is run once (installs what is missing, starts dockerd, registers
  QEMU binfmt, sets podman's ulimits).
- ``local_image`` (session): ``local_image(suite, arch, engine="docker") -> str`` returns
  ``cibuildwheel-like/debian-<suite>:<arch>`` after running ``cibuildwheel-like images build`` for
  it (a no-op when an image with the same recipe exists; a fresh machine builds it once);
  ``local_image(suite, cross=True)`` the suite's cross image ``debian-<suite>-cross:x86_64``.
- ``emulated_c_wheels`` (session): the C extension built and fully tested for aarch64, ppc64le,
  s390x (under QEMU) and i686 in one run (started by ``emulated_c_started``); test_emulation
  checks it, test_cross compares the names of its cross-compiled wheels with these.
- ``run_cli(*args)``: run ``python -m cibuildwheel_like`` and return the completed process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_pipeline_support import (
    EMULATED_C_ARCHS,
    Run,
    Started,
    copy_example,
    ensure_image,
    images_env,
    start_cli,
)

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
    """``local_image(suite, arch, engine="docker", cross=False)``: our image, built through the
    CLI if needed; ``cross=True``: the suite's cross image for this machine (``arch`` is the
    build machine's, x86_64), made on top of the build image by ``images build --cross``."""
    ensured: dict[tuple[str, str, str, bool], str] = {}

    def get(
        suite: str = "bookworm",
        arch: str = "x86_64",
        engine: str = "docker",
        *,
        cross: bool = False,
    ) -> str:
        key = (suite, arch, engine, cross)
        if key not in ensured:
            if engine == "podman" and not _engine_answers("podman"):
                pytest.fail("podman does not answer: run scripts/bootstrap-host.sh")
            start = time.monotonic()
            args = ["images", "build", "--suite", suite, "--arch", arch, "--engine", engine]
            args += ["--cross"] if cross else []
            result = run_cli(*args, timeout=IMAGE_BUILD_TIMEOUT, check=True)
            seconds = time.monotonic() - start
            if any(line.startswith("built ") for line in result.stdout.splitlines()):
                kind = "/cross" if cross else ""
                sys.stderr.write(
                    f"\n[local_image] built {suite}/{arch}{kind}/{engine} in {seconds:.0f}s\n"
                )
            name = recipe.cross_image_name if cross else recipe.image_name
            ensured[key] = name(recipe.parse_suite(suite), Arch(arch))
        return ensured[key]

    return get


@pytest.fixture(scope="session")
def emulated_c_started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """examples/c-extension, cp311, bookworm, under emulation (the default): one run, all of
    EMULATED_C_ARCHS, tests in full; started in the background (test_cross starts it with its
    own runs, so they overlap)."""
    for arch in EMULATED_C_ARCHS:
        ensure_image("docker", "bookworm", arch)
    project = copy_example("c-extension", tmp_path_factory.mktemp("emulated"))
    started = start_cli(project, images_env(EMULATED_C_ARCHS))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def emulated_c_wheels(emulated_c_started: Started) -> Run:
    """The finished run of ``emulated_c_started``."""
    return emulated_c_started.wait(3600)
