"""Issue 10, readable concurrent output, for real: three builds in two lanes (`--jobs 2`) on
GitHub Actions give one fold per build holding all of that build's lines and nothing of another
build's, and a build report in plan order that records each build's lane and container."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

from cibuildwheel_like.report import build_report

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")
ENV = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux* cp315-manylinux*",
    "GITHUB_ACTIONS": "true",
}


def marks_of(identifier: str) -> tuple[str, ...]:
    """Strings that only a line of this build's own work contains."""
    tag = identifier.split("-", maxsplit=1)[0]
    return (f"{identifier}:", f"/opt/python/{tag}-{tag}")


def test_two_lanes_fold_each_build_whole_and_report_lanes(tmp_path: Path):
    ensure_image("docker", "sid")
    summary = tmp_path / "step-summary.md"
    project = copy_example("c-extension", tmp_path)
    run = run_cli(project, {**ENV, "GITHUB_STEP_SUMMARY": str(summary)}, "--jobs", "2")
    assert run.returncode == 0
    assert len(run.wheels) == 3
    lines = run.output.splitlines()

    opened = [i for i, line in enumerate(lines) if line.startswith("::group::")]
    assert len(opened) == lines.count("::endgroup::") == len(IDS)  # one fold per build
    folds: dict[str, tuple[int, int]] = {}
    for start in opened:
        title = lines[start]
        match = re.fullmatch(r"::group::✓ (\S+): built in .+ \(lane (\d)\)", title)
        assert match, title
        end = lines.index("::endgroup::", start)
        folds[match.group(1)] = (start, end)
    assert sorted(folds) == list(IDS)

    for identifier, (start, end) in folds.items():
        inside = lines[start + 1 : end]
        others = [m for other in IDS if other != identifier for m in marks_of(other)]
        assert not [line for line in inside if any(m in line for m in others)], identifier
        for step in ("prepare", "build", "repair", "test", "deliver"):
            assert f"▶ {identifier}: {step}" in inside
        assert any("PASSED" in line and "test_" in line for line in inside)  # pytest's output
    # every step line of a build is inside that build's fold: nothing leaked or interleaved
    for n, line in enumerate(lines):
        for identifier in IDS:
            if line.startswith((f"▶ {identifier}:", f"✓ {identifier}:")):
                start, end = folds[identifier]
                assert start < n < end, line
    assert not any(line.startswith("::error") for line in lines)

    data = json.loads((project / "build-report.json").read_text())
    assert build_report.validate(data) == []
    builds = data["builds"]
    assert [b["identifier"] for b in builds] == list(IDS)  # plan order, not completion order
    assert {b["lane"] for b in builds} == {0, 1}
    for b in builds:
        assert b["container"].startswith("cibuildwheel-like-")
        assert set(b["cache"]) == {"compiler_hits", "compiler_misses", "downloads"}
        title = lines[folds[b["identifier"]][0]]
        assert title.endswith(f"(lane {b['lane']})")
    markdown = summary.read_text()
    assert [markdown.index(f"`{i}`") for i in IDS] == sorted(markdown.index(f"`{i}`") for i in IDS)
    assert run.containers() == []
