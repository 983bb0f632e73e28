"""Fresh test environments made by uv or by venv + pip (`test-installer`), in the sid image.

Each identifier's tests run in a new venv that holds only the wheel and the test requirements:
``six``, installed into the build environment by before-build, must not be importable there.
The two runs of a test share one cache directory (CIBW_CACHE_PATH under tmp_path), so the uv
binary is downloaded by the host's pip once and copied into each container from the cache.
Per-build test-step times come from the build report and are printed (-s shows them); they are
measured, never asserted.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import Run, copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux*",
    "CIBW_BEFORE_BUILD": (
        "python -m pip install six && python -c 'import six; print(\"SIX-BUILT\")'"
    ),
    "CIBW_BEFORE_TEST": "python -c 'import sys; print(\"BEFORE-TEST-PREFIX\", sys.prefix)'",
    "CIBW_TEST_COMMAND": (
        "pytest {package}/tests -v && ! python -c 'import six' 2>/dev/null && echo TEST-ENV-FRESH"
    ),
}
IDENTIFIERS = ["cp313-manylinux_x86_64", "cp314-manylinux_x86_64"]


def _run(
    tmp_path: Path, name: str, installer: str, **extra: str
) -> tuple[Run, list[dict[str, Any]]]:
    ensure_image("docker", "sid")
    project = copy_example("c-extension", tmp_path / name)
    report = tmp_path / f"{name}-report.json"
    env = {
        **SID,
        "CIBWL_TEST_INSTALLER": installer,
        "CIBW_CACHE_PATH": str(tmp_path / "cache"),
        **extra,
    }
    # one lane: both builds share a container (and its uv), and the timings are not contended
    run = run_cli(project, env, "--report", str(report), "--jobs", "1")
    assert run.returncode == 0, run.output[-3000:]
    assert [w.name.split("-")[2] for w in run.wheels] == ["cp313", "cp314"]
    assert run.containers() == []
    builds = json.loads(report.read_text())["builds"]
    assert [b["identifier"] for b in builds] == IDENTIFIERS
    for build in builds:
        assert build["test_outcome"] == "passed"
        seconds = next(s["seconds"] for s in build["steps"] if s["name"] == "test")
        print(  # the measurement this test exists for
            f"TEST-STEP {installer} {name} {build['identifier']} {seconds:.2f} s,"
            f" downloads {build['cache']['downloads']}"
        )
    return run, builds


def _assert_fresh(run: Run) -> None:
    lines = run.output.splitlines()
    assert lines.count("SIX-BUILT") == 2  # six is in each build environment...
    assert lines.count("TEST-ENV-FRESH") == 2  # ...and in neither test environment
    assert len(re.findall(r"\b4 passed\b", run.output)) == 2
    prefixes = re.findall(r"^BEFORE-TEST-PREFIX (\S+)$", run.output, re.MULTILINE)
    assert len(prefixes) == 2
    assert all(re.fullmatch(r"/tmp/cibwl-test\.\w+/venv", p) for p in prefixes), prefixes


def test_uv_makes_the_test_environments(tmp_path: Path):
    cold, builds = _run(tmp_path, "cold", "uv")
    _assert_fresh(cold)
    # uv from the host cache, for the identifier's own interpreter, seeded with pip
    assert (tmp_path / "cache" / "tools" / "uv" / "manylinux_x86_64" / "uv").is_file()
    for tag in ("cp313-cp313", "cp314-cp314"):
        assert re.search(
            rf"/uv venv /tmp/cibwl-test\.\w+/venv --python /opt/python/{tag}/bin/python --seed",
            cold.output,
        )
    assert re.search(r"/uv pip install --python /tmp/cibwl-test\.\w+/venv/bin/python", cold.output)
    assert "python -m venv /tmp/cibwl-test." not in cold.output
    assert cold.output.count("copied uv ") == 1  # once per container
    # cp314 installs what cp313 fetched into the container's uv cache: nothing downloaded
    assert builds[0]["cache"]["downloads"] >= 1
    assert builds[1]["cache"]["downloads"] == 0

    warm, warm_builds = _run(tmp_path, "warm", "uv")
    _assert_fresh(warm)
    assert "copied uv " in warm.output  # again from the host cache, no download
    assert "installed uv" not in warm.output
    # minutes after the cold run asked the index: the seed and the installs come from uv's cache
    offline = r"/uv (venv \S+ --python \S+ --seed|pip install .*'pytest>=8') --offline$"
    assert len(re.findall(offline, warm.output, re.MULTILINE)) == 4
    assert "not all in uv's cache" not in warm.output
    assert [b["cache"]["downloads"] for b in warm_builds] == [0, 0]
    # the `build` frontend's isolated environment is made by uv too (build-installer = auto)
    assert warm.output.count("--outdir=/tmp/cibuildwheel-like/built_wheel --installer=uv") == 2


def test_pip_makes_the_test_environments(tmp_path: Path):
    run, builds = _run(tmp_path, "pip", "pip", CIBWL_BUILD_INSTALLER="pip")
    _assert_fresh(run)
    assert run.output.count("python -m venv /tmp/cibwl-test.") == 2
    assert "uv venv" not in run.output
    assert "uv pip install" not in run.output
    assert re.search(r"\+ python -m pip install /tmp/cibuildwheel-like/wheels/", run.output)
    # build-installer = pip: cibuildwheel's `python -m build` (venv + pip)
    assert "--installer=uv" not in run.output
    assert all(b["cache"]["downloads"] is not None for b in builds)
