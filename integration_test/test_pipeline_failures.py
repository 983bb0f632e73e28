"""How the pipeline fails: clear messages, the right exit codes, and no container left behind.

All on the bookworm image with Docker; each run stops early, so these are quick.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import (
    cli_env,
    copy_example,
    ensure_image,
    our_containers,
    run_cli,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

BOOKWORM = {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm", "CIBW_BUILD": "cp311-manylinux*"}


@pytest.fixture(autouse=True)
def _bookworm() -> None:
    ensure_image("docker", "bookworm")


def test_build_failure_names_step_command_and_stale_so(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    source = project / "src" / "sumsq" / "_sumsq.c"
    source.write_text(source.read_text() + "\nthis is not C;\n")
    (project / "src" / "sumsq" / "_sumsq.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 1
    assert "cp311-manylinux_x86_64: step 'build' failed: command `python -m build" in run.output
    assert "exited with 1" in run.output
    assert "Shared object (.so) files found in this project" in run.output
    assert "src/sumsq/_sumsq.cpython-311-x86_64-linux-gnu.so" in run.output
    assert run.containers() == []


def test_missing_interpreters_listed_at_once(tmp_path: Path):
    env = {**BOOKWORM, "CIBW_BUILD": "cp312-manylinux* cp313-manylinux*"}
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 1
    assert "cp312-manylinux_x86_64: /opt/python/cp312-cp312/bin/python" in run.output
    assert "cp313-manylinux_x86_64: /opt/python/cp313-cp313/bin/python" in run.output
    assert run.containers() == []


def test_pure_python_wheel_is_exit_5(tmp_path: Path):
    project = tmp_path / "pure"
    (project / "purepkg").mkdir(parents=True)
    (project / "purepkg" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=69"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "purepkg"\nversion = "1"\n'
    )
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 5
    assert "Build failed because a pure Python wheel was generated" in run.output
    assert run.containers() == []


def test_keep_container_prints_shell_command(tmp_path: Path):
    env = {**BOOKWORM, "CIBW_BEFORE_ALL": "exit 3", "CIBW_DEBUG_KEEP_CONTAINER": "1"}
    run = run_cli(copy_example("c-extension", tmp_path), env)
    kept = run.containers()
    try:
        assert run.returncode == 1
        assert "step 'before-all' failed: command `exit 3` exited with 3" in run.output
        assert len(kept) == 1
        assert f"docker exec -it {kept[0]} /bin/sh" in run.output
    finally:
        for name in kept:
            subprocess.run(["docker", "rm", "-f", name], check=False, capture_output=True)


def test_ctrl_c_removes_the_container(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    token = uuid.uuid4().hex
    env = cli_env(
        {**BOOKWORM, "CIBW_BEFORE_ALL": "echo READY-TO-INTERRUPT; sleep 300"}, token=token
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "cibuildwheel_like", "run", "--platform", "linux"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 120
    for raw in proc.stdout:
        seen.append(raw.decode(errors="replace"))
        if seen[-1].startswith("READY-TO-INTERRUPT") or time.monotonic() > deadline:
            break
    assert our_containers("docker", token), "".join(seen)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + rest.decode(errors="replace")
    assert our_containers("docker", token) == []


def test_image_of_wrong_platform_is_refused(tmp_path: Path):
    env = {
        "CIBW_ARCHS": "aarch64",
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_MANYLINUX_AARCH64_IMAGE": "cibuildwheel-like/debian-bookworm:x86_64",
    }
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 1
    assert "is for linux/amd64, but aarch64 builds need linux/arm64" in run.output
    assert run.containers() == []


def test_unreachable_registry_is_reported_after_retries(tmp_path: Path):
    env = {
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_MANYLINUX_X86_64_IMAGE": "quay.io/pypa/manylinux_2_28_x86_64:not-here",
    }
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 1
    assert run.output.count("pulling quay.io/pypa/manylinux_2_28_x86_64:not-here") == 3
    assert "cibuildwheel-like images build" in run.output
    assert run.containers() == []


def test_64_bit_image_refused_for_i686(tmp_path: Path):
    env = {
        "CIBW_ARCHS": "i686",
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_MANYLINUX_I686_IMAGE": "cibuildwheel-like/debian-bookworm:x86_64",
    }
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 1
    assert "has a 64-bit userland, so it cannot build i686 wheels" in run.output
    assert run.containers() == []


def test_disable_host_mount(tmp_path: Path):
    env = {
        **BOOKWORM,
        "CIBW_BEFORE_ALL": "grep -q ' /host ' /proc/mounts && echo HOST-MOUNTED"
        " || echo HOST-NOT-MOUNTED; exit 3",
    }
    run = run_cli(
        copy_example("c-extension", tmp_path), env, engine_extra="; disable_host_mount: true"
    )
    assert run.returncode == 1
    assert "\nHOST-NOT-MOUNTED" in run.output
    assert run.containers() == []
