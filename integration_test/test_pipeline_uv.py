"""The uv frontends end to end: build-frontend = "uv" and "build[uv]" in the bookworm image.

Our Debian images ship no uv (manylinux images do), so the pipeline installs uv from PyPI once
per container into a tools venv; an image or before-all that provides uv is used as is. Tests
install with `uv pip` into a `uv venv`, as cibuildwheel does with these frontends.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import Run, copy_example, ensure_image, run_cli, wheel_platforms

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

BOOKWORM = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
    "CIBW_BUILD": "cp311-manylinux_x86_64",
}
PYTHON = "/opt/python/cp311-cp311/bin/python"
# uv comes from the host cache (a wheel downloaded once per arch), else from PyPI in the container
INSTALLED = re.compile(
    r"the image has no `uv` on PATH; "
    r"(installed uv \d+\.\d+\S* from PyPI|copied uv \S+ from the cache)"
)
BUILD_COMMAND = {
    "uv": f"uv build --python={PYTHON} /project --wheel",
    "build[uv]": "python -m build /project --wheel --outdir=/tmp/cibuildwheel-like/built_wheel"
    " --installer=uv",
}


def build_with(frontend: str, tmp_path: Path, **extra: str) -> Run:
    ensure_image("docker", "bookworm")
    project = copy_example("c-extension", tmp_path)
    env = {
        **BOOKWORM,
        "CIBW_BUILD_FRONTEND": frontend,
        "CIBW_BEFORE_TEST": 'echo "UV-AT $(command -v uv)"',
        **extra,
    }
    return run_cli(project, env)


def assert_built_and_tested(run: Run, frontend: str) -> None:
    assert run.returncode == 0
    assert len(run.wheels) == 1, run.wheels
    wheel = run.wheels[0]
    assert wheel.name.startswith("cibwl_example_sumsq-1.0.0-cp311-cp311-")
    assert any(p.startswith("manylinux_") for p in wheel_platforms(wheel)), wheel.name
    assert BUILD_COMMAND[frontend] in run.output
    # tests: a uv venv, the wheel and the test group installed with `uv pip`, pytest passed
    assert re.search(r"uv venv /tmp/cibwl-test\.\w+/venv --python \S+", run.output)
    wheel_install = r"uv pip install --python \S+ (--no-deps )?/tmp/cibuildwheel-like/wheels/cibwl_"
    assert re.search(wheel_install, run.output)
    assert re.search(r"uv pip install --python \S+ .*'pytest>=8'", run.output)
    assert not re.search(r"\+ python -m pip install", run.output)  # the test venv has no pip
    assert re.search(r"\b4 passed\b", run.output)
    assert run.containers() == []


@pytest.mark.parametrize("frontend", ["uv", "build[uv]"])
def test_uv_installed_once_when_the_image_has_none(frontend: str, tmp_path: Path):
    run = build_with(frontend, tmp_path)
    assert_built_and_tested(run, frontend)
    assert len(INSTALLED.findall(run.output)) == 1
    assert re.findall(r"^UV-AT (\S+)", run.output, flags=re.MULTILINE) == [
        "/tmp/cibuildwheel-like/tools/bin/uv"
    ]


def test_uv_from_the_image_is_used_as_is(tmp_path: Path):
    # A before-all that installs uv into the group's Python stands in for an image with uv.
    run = build_with("uv", tmp_path, CIBW_BEFORE_ALL="python -m pip install uv")
    assert_built_and_tested(run, "uv")
    assert not INSTALLED.search(run.output)
    assert re.findall(r"^UV-AT (\S+)", run.output, flags=re.MULTILINE) == [
        "/opt/python/cp311-cp311/bin/uv"
    ]


def test_uv_installed_once_for_several_pythons_in_one_container(tmp_path: Path):
    ensure_image("docker", "sid")
    env = {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
        "CIBW_BUILD": "cp313-manylinux* cp314-manylinux*",
        "CIBW_BUILD_FRONTEND": "uv",
        "CIBWL_JOBS": "1",  # one container for both Pythons: that is what this test is about
    }
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 0
    assert [w.name.split("-")[2] for w in run.wheels] == ["cp313", "cp314"]
    assert len(INSTALLED.findall(run.output)) == 1
    for tag in ("cp313-cp313", "cp314-cp314"):
        assert f"uv build --python=/opt/python/{tag}/bin/python /project" in run.output
    assert len(re.findall(r"\b4 passed\b", run.output)) == 2
    assert run.containers() == []
