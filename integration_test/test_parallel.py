"""`--jobs 2` end to end with Docker: lanes in real containers.

The same wheels (names and file lists) as `--jobs 1`, every test run; an abi3 wheel built once
and reused in the other lane's container; a failure in one lane removes every container and
keeps the wheels already delivered; Ctrl-C mid-run leaves no container. Image: `cibuildwheel-like
images build --suite sid` (x86_64). No timings are asserted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import (
    Run,
    cli_env,
    copy_example,
    ensure_image,
    our_containers,
    run_cli,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")
SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux* cp315-manylinux*",
}


def report_of(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text())
    return {b["identifier"]: b for b in data["builds"]}


def contents(run: Run) -> dict[str, list[str]]:
    """Each wheel's name -> the sorted names of the files inside it."""
    result = {}
    for wheel in run.wheels:
        with zipfile.ZipFile(wheel) as zf:
            result[wheel.name] = sorted(zf.namelist())
    return result


def jobs_run(example: str, tmp_path: Path, jobs: int, env: dict[str, str] | None = None) -> Run:
    root = tmp_path / f"jobs{jobs}"
    root.mkdir()
    project = copy_example(example, root)
    return run_cli(
        project, {**SID, **(env or {})}, "--jobs", str(jobs), "--report", str(root / "report.json")
    )


@pytest.fixture(scope="module")
def c_extension(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, Path]:
    ensure_image("docker", "sid")
    base = tmp_path_factory.mktemp("parallel")
    return jobs_run("c-extension", base, 1), jobs_run("c-extension", base, 2), base


def test_two_jobs_give_the_same_wheels_as_one(c_extension: tuple[Run, Run, Path]):
    one, two, _ = c_extension
    assert one.returncode == 0
    assert two.returncode == 0
    assert len(one.wheels) == 3
    assert contents(two) == contents(one)
    assert one.containers() == []
    assert two.containers() == []


def test_two_jobs_run_every_test_in_two_lanes(c_extension: tuple[Run, Run, Path]):
    _, two, base = c_extension
    builds = report_of(base / "jobs2" / "report.json")
    assert list(builds) == list(IDS)  # plan order, whatever order the lanes finished in
    assert {b["status"] for b in builds.values()} == {"built"}
    assert {b["test_outcome"] for b in builds.values()} == {"passed"}
    assert two.output.count("4 passed") == 3
    assert {b["lane"] for b in builds.values()} == {0, 1}
    assert len({b["container"] for b in builds.values()}) == 2
    one = report_of(base / "jobs1" / "report.json")
    assert {b["lane"] for b in one.values()} == {0}
    assert len({b["container"] for b in one.values()}) == 1


def test_abi3_is_built_once_and_reused_across_lanes(tmp_path: Path):
    ensure_image("docker", "sid")
    run = jobs_run("abi3", tmp_path, 2)
    assert run.returncode == 0
    assert [w.name.split("-")[2:4] for w in run.wheels] == [["cp39", "abi3"]]
    builds = report_of(tmp_path / "jobs2" / "report.json")
    assert {b["status"] for b in builds.values()} == {"built"}
    assert {b["test_outcome"] for b in builds.values()} == {"passed"}
    # cp313 builds it in lane 0; cp315 builds meanwhile in lane 1's container, then sets its own
    # wheel aside and reuses cp313's there: one wheel delivered, tested on every Python
    assert builds[IDS[0]]["lane"] != builds[IDS[2]]["lane"]
    assert builds[IDS[0]]["container"] != builds[IDS[2]]["container"]
    assert f"{IDS[2]}: reusing cibwl_example_abi3-1.0.0-cp39-abi3-" in run.output
    assert f"built earlier for {IDS[0]}" in run.output
    assert f"{IDS[2]}: built cibwl_example_abi3-1.0.0-cp39-abi3-" in run.output
    assert "the one built here is set aside" in run.output
    steps = [s["name"] for s in builds[IDS[2]]["steps"]]
    assert "repair" not in steps
    assert "deliver" not in steps
    assert "test" in steps
    assert run.containers() == []


def test_a_failure_in_one_lane_removes_every_container_and_keeps_delivered_wheels(
    tmp_path: Path,
):
    ensure_image("docker", "sid")
    env = {"CIBW_TEST_ENVIRONMENT": f"FAIL_ON={IDS[1]}"}
    run = jobs_run("failing-test", tmp_path, 2, env)
    assert run.returncode == 1
    builds = report_of(tmp_path / "jobs2" / "report.json")
    assert builds[IDS[1]]["status"] == "failed"
    assert builds[IDS[1]]["test_outcome"] == "failed"
    # cp313 runs before cp314 in lane 0: its wheel was delivered and stays
    assert builds[IDS[0]]["status"] == "built"
    tags = [w.name.split("-")[2] for w in run.wheels]
    assert "cp313" in tags
    assert "cp314" not in tags
    # the other lane either finished first or was stopped; never a second failure
    assert builds[IDS[2]]["status"] in {"built", "not-run"}
    assert ("cp315" in tags) == (builds[IDS[2]]["status"] == "built")
    assert f"{IDS[1]}: step 'test' failed" in run.output
    assert run.containers() == []


def test_ctrl_c_mid_run_leaves_no_container(tmp_path: Path):
    ensure_image("docker", "sid")
    project = copy_example("c-extension", tmp_path)
    token = uuid.uuid4().hex
    argv = [sys.executable, "-m", "cibuildwheel_like", "run", "--platform", "linux", "--jobs", "2"]
    proc = subprocess.Popen(
        argv,
        cwd=project,
        env=cli_env(SID, token=token),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a shell job: Ctrl-C reaches all
    )
    try:
        # Mid-run: both lanes have a container (polled; no timing is asserted).
        while len(our_containers("docker", token)) < 2 and proc.poll() is None:
            subprocess.run(["sleep", "0.5"], check=True)
        assert proc.poll() is None, "the run ended before both lanes started"
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = output.decode(errors="replace")
    print(text[-20000:])
    assert proc.returncode == 130
    assert "interrupted" in text
    assert our_containers("docker", token) == []
