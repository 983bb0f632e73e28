"""Issue 6's "done when", for real: examples built in a real container with GITHUB_ACTIONS=true
give grouped logs, an error annotation for the failing example, a job summary naming every wheel,
and a build report that validates against its documented schema."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

from cibuildwheel_like.report import build_report

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

BOOKWORM = {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm", "CIBW_BUILD": "cp311-manylinux*"}


@pytest.fixture(autouse=True)
def _bookworm() -> None:
    ensure_image("docker", "bookworm")


def github_env(summary: Path) -> dict[str, str]:
    return {**BOOKWORM, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}


def test_passing_example_grouped_summarised_reported(tmp_path: Path):
    summary = tmp_path / "step-summary.md"
    run = run_cli(copy_example("c-extension", tmp_path), github_env(summary))
    assert run.returncode == 0
    lines = run.output.splitlines()
    groups = [line for line in lines if line.startswith("::group::")]
    assert any("cp311-manylinux_x86_64" in g and "build" in g for g in groups)
    assert any("test" in g for g in groups)
    assert lines.count("::endgroup::") == len(groups)
    assert not any(line.startswith("::error") for line in lines)
    (wheel,) = run.wheels
    markdown = summary.read_text()
    assert wheel.name in markdown
    assert "| `cp311-manylinux_x86_64` |" in markdown
    data = json.loads((run.wheelhouse.parent / "build-report.json").read_text())
    assert build_report.validate(data) == []
    (build,) = data["builds"]
    assert build["wheel"]["filename"] == wheel.name
    assert build["test_outcome"] == "passed"
    assert data["exit_code"] == 0


def test_failing_example_is_annotated(tmp_path: Path):
    summary = tmp_path / "step-summary.md"
    run = run_cli(copy_example("failing-test", tmp_path), github_env(summary))
    assert run.returncode == 1
    errors = [line for line in run.output.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, errors
    assert "cp311-manylinux_x86_64" in errors[0]
    assert "test" in errors[0]
    markdown = summary.read_text()
    assert "cp311-manylinux_x86_64" in markdown
    assert "failed" in markdown
    data = json.loads((run.wheelhouse.parent / "build-report.json").read_text())
    assert build_report.validate(data) == []
    assert data["exit_code"] == 1
    assert data["builds"][0]["test_outcome"] == "failed"
    assert run.containers() == []
