"""`--keep-going` and `run --retry-failed` end to end with Docker, on GitHub Actions' terms.

Three identifiers (cp313, cp314, cp315: all in the sid image, one container) whose test fails
for cp314 only: with --keep-going the other two wheels are delivered, the run exits 1, and the
report, the summary, the annotations and the job summary name cp314 and its step. Then the same
project with the test fixed, run with `--retry-failed`, builds cp314 alone and leaves the two
wheels alone. Bad reports are refused before any container starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import Run, copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")
FAILING = IDS[1]
SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux* cp315-manylinux*",
    "CIBW_TEST_GROUPS": "",  # no pytest to install: the test is one command
}
# fails on Python 3.14 only
BROKEN_TEST = 'python -c "import sys, sumsq; sys.exit(7 if sys.version_info[:2] == (3, 14) else 0)"'
FIXED_TEST = 'python -c "import sumsq"'


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def builds_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["identifier"]: b for b in report["builds"]}


def built_steps(output: str) -> list[str]:
    """The identifiers whose build step ran (the ✓ line of each finished build step)."""
    return re.findall(r"✓ (\S+): build \(", output)


def test_keep_going_then_retry_failed(tmp_path: Path):
    ensure_image("docker", "sid")
    project = copy_example("c-extension", tmp_path)
    first_report = tmp_path / "first.json"
    summary = tmp_path / "job-summary.md"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    env = {**SID, **github, "CIBW_TEST_COMMAND": BROKEN_TEST}
    first = run_cli(project, env, "--keep-going", "--jobs", "1", "--report", str(first_report))
    check_keep_going(first, first_report, summary)
    check_bad_reports(project, tmp_path, first_report)
    kept = {w.name: (sha256(w), w.stat().st_mtime_ns) for w in first.wheels}
    second_report = tmp_path / "second.json"
    env = {**SID, **github, "CIBW_TEST_COMMAND": FIXED_TEST}
    second = run_cli(
        project, env, "--retry-failed", str(first_report), "--report", str(second_report)
    )
    check_retry(second, first_report, second_report, kept)


def check_keep_going(first: Run, report_path: Path, summary: Path) -> None:
    """One failing identifier: the others are delivered, exit 1, the failure named."""
    assert first.returncode == 1
    names = [w.name for w in first.wheels]
    assert len(names) == 2
    assert not any("-cp314-" in n for n in names)
    report = json.loads(report_path.read_text())
    assert report["exit_code"] == 1
    assert report["totals"] == {**report["totals"], "built": 2, "failed": 1, "not_run": 0}
    builds = builds_of(report)
    assert [builds[i]["status"] for i in IDS] == ["built", "failed", "built"]
    failure = builds[FAILING]["failure"]
    assert failure["step"] == "test"
    assert "sys.exit(7" in failure["command"]
    assert failure["returncode"] == 7
    assert builds[FAILING]["test_outcome"] == "failed"
    assert len({builds[i]["container"] for i in IDS}) == 1  # the container was kept
    # the summary table, the final error, and GitHub's annotations and job summary
    assert f"{FAILING}: step 'test' failed: command `" in first.output
    assert "1 of 3 build(s) failed (keep-going: 2 built)" in first.output
    assert f"::error title={FAILING}%3A test failed::" in first.output
    assert f"--retry-failed {report_path}" in first.output
    job_summary = summary.read_text()
    assert "2 of 3 wheels built, run failed (exit 1)" in job_summary
    assert "step 'test' failed" in job_summary
    assert first.containers() == []


def check_bad_reports(project: Path, tmp_path: Path, report: Path) -> None:
    """Refused before anything starts, naming the file."""
    missing = run_cli(project, SID, "--retry-failed", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert f"--retry-failed: cannot read {tmp_path / 'nope.json'}" in missing.output
    other = run_cli(
        project, {**SID, "CIBW_BUILD": "cp313-manylinux*"}, "--retry-failed", str(report)
    )
    assert other.returncode == 2
    assert f"{report} is not a report of this build" in other.output
    assert f"{IDS[1]}, {IDS[2]}, which the current plan does not build" in other.output


def check_retry(
    second: Run, first_report: Path, report_path: Path, kept: dict[str, tuple[str, int]]
) -> None:
    """The test fixed: --retry-failed builds exactly the failed identifier."""
    assert second.returncode == 0
    assert f"retrying 1 of 3 identifier(s) from {first_report}:" in second.output
    assert built_steps(second.output) == [FAILING]
    report = json.loads(report_path.read_text())
    assert report["retry"] == {
        "from": str(first_report),
        "retried": [FAILING],
        "kept": [IDS[0], IDS[2]],
    }
    builds = builds_of(report)
    assert [builds[i]["status"] for i in IDS] == ["built"] * 3
    assert report["totals"]["built"] == 3
    assert len(second.wheels) == 3
    for wheel in second.wheels:
        if wheel.name in kept:  # left alone: same bytes, not even rewritten
            assert (sha256(wheel), wheel.stat().st_mtime_ns) == kept[wheel.name]
        else:
            assert "-cp314-" in wheel.name
            assert builds[FAILING]["wheel"]["sha256"] == sha256(wheel)
    assert second.containers() == []
