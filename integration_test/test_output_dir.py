"""The output directory holds wheels and nothing else, exists from the start, and upload tools
accept it as it is (real twine), as cibuildwheel's does."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

from cibuildwheel_like.report import build_report

if TYPE_CHECKING:
    from pathlib import Path

BOOKWORM = {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm", "CIBW_BUILD": "cp311-manylinux*"}


@pytest.fixture(autouse=True)
def _bookworm() -> None:
    ensure_image("docker", "bookworm")


def test_wheelhouse_holds_only_wheels_and_twine_accepts_it(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 0
    assert [p.suffix for p in run.wheelhouse.iterdir()] == [".whl"]
    report = project / "build-report.json"  # the default: the working directory
    assert build_report.validate(json.loads(report.read_text())) == []
    assert f"build report: {report}" in run.output
    files = [str(p) for p in run.wheelhouse.iterdir()]
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout


def test_wheelhouse_exists_after_a_failed_run(tmp_path: Path):
    project = copy_example("failing-test", tmp_path)
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 1
    assert run.wheelhouse.is_dir()
    assert list(run.wheelhouse.iterdir()) == []
    data = json.loads((project / "build-report.json").read_text())
    assert data["exit_code"] == 1


def test_output_dir_that_is_a_file_stops_before_any_container(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    (project / "wheelhouse").write_text("not a folder")
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 2
    assert "exists and is not a directory" in run.output
    assert "starting a container" not in run.output
    assert "Traceback" not in run.output
    assert run.containers() == []
