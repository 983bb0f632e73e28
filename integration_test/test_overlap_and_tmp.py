"""Speed mechanisms with real containers: a lane tests one identifier while it builds the next,
a warm run makes the test venvs beside the builds, and /tmp is a tmpfs unless
`container-tmp = disk`. Image: sid (x86_64). Nothing here is timed: the overlap is proven by
cause, a test that waits for the next build's before-build to have run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import Run, copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

FIRST, SECOND = "cp313-manylinux_x86_64", "cp314-manylinux_x86_64"
# before-build leaves a mark per identifier and says what /tmp is
BEFORE_BUILD = (
    'touch "/tmp/started-$CIBUILDWHEEL_BUILD_IDENTIFIER";'
    ' echo "TMP-FS=$(awk \'$2 == "/tmp" {print $3}\' /proc/mounts)"'
)
# the first identifier's test goes on only once the second one's before-build has run in the
# same container (lane 0 holds both): sequentially it would wait in vain and fail
WAIT_FOR_SECOND = (
    f'if [ "$CIBUILDWHEEL_BUILD_IDENTIFIER" = {FIRST} ]; then i=0;'
    f" while [ ! -e /tmp/started-{SECOND} ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done;"
    f' [ -e /tmp/started-{SECOND} ] && echo "OVERLAP-$(echo SEEN)"; fi'
)
SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux* cp315-manylinux*",
    "CIBW_BEFORE_BUILD": BEFORE_BUILD,
    "CIBW_TEST_COMMAND": f"{WAIT_FOR_SECOND} && pytest {{project}}/tests",
}


def _run(tmp_path: Path, name: str, cache: Path, **env: str) -> Run:
    project = copy_example("c-extension", tmp_path / name)
    report = tmp_path / f"{name}.json"
    run = run_cli(
        project,
        {**SID, "CIBW_CACHE_PATH": str(cache), **env},
        "--jobs",
        "2",
        "--report",
        str(report),
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.containers() == []
    builds = {b["identifier"]: b for b in json.loads(report.read_text())["builds"]}
    assert builds[FIRST]["container"] == builds[SECOND]["container"]  # one lane, one container
    assert {b["test_outcome"] for b in builds.values()} == {"passed"}
    return run


def test_a_lane_tests_one_identifier_while_it_builds_the_next(tmp_path: Path) -> None:
    ensure_image("docker", "sid")
    cache = tmp_path / "cache"
    cold = _run(tmp_path, "cold", cache)
    assert "OVERLAP-SEEN" in cold.output
    assert cold.output.count("TMP-FS=tmpfs") == 3  # container-tmp = memory, the default
    # warm: the test venvs come from uv's cache, made while each wheel builds
    warm = _run(tmp_path, "warm", cache)
    assert "OVERLAP-SEEN" in warm.output
    assert warm.output.count("(made while the wheel built)") == 3


def test_container_tmp_disk_keeps_the_images_tmp(tmp_path: Path) -> None:
    ensure_image("docker", "sid")
    project = copy_example("c-extension", tmp_path / "disk")
    env = {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
        "CIBW_BUILD": "cp313-manylinux*",
        "CIBW_BEFORE_BUILD": BEFORE_BUILD,
        "CIBWL_CONTAINER_TMP": "disk",
        "CIBW_CACHE_PATH": str(tmp_path / "cache"),
    }
    run = run_cli(project, env)
    assert run.returncode == 0, run.output[-3000:]
    assert "TMP-FS=" in run.output
    assert "TMP-FS=tmpfs" not in run.output
    assert len(run.wheels) == 1
