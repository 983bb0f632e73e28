"""`--jobs`, `--no-cache`, `run --clean-cache` and the lanes in `plan` (no engine reached)."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli import app as cli

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "x"\nversion = "1"\n'
THREE = "cp313-manylinux_x86_64 cp314-manylinux_x86_64 cp315-manylinux_x86_64"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("CIBW_", "CIBWL_", "GITHUB_")) or key == "CI":
            monkeypatch.delenv(key)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("CIBW_CACHE_PATH", str(tmp_path / "cache"))
    monkeypatch.setenv("CIBW_ARCHS", "x86_64")
    (tmp_path / "pyproject.toml").write_text(PROJECT)


def run_cli(args: list[str], cwd: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out + err


def test_clean_cache_empties_the_cache_and_exits_0(tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    (cache / "pip").mkdir(parents=True)
    (cache / "pip" / "entry").write_text("x")
    code, text = run_cli(["run", "--clean-cache"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert not (cache / "pip").exists()
    assert "cache" in text
    assert not (tmp_path / "wheelhouse").exists()  # nothing else happened


def test_plan_json_shows_lanes_and_each_builds_slot(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CIBW_BUILD", THREE)
    code, text = run_cli(["plan", "--json", "--jobs", "2"], tmp_path, monkeypatch, capsys)
    assert code == 0
    data = json.loads(text)
    assert data["jobs"] == 2
    assert data["overlaps_tests"] is True  # lane 0 tests one identifier beside the next build
    lanes = [[c["identifiers"] for c in lane["containers"]] for lane in data["lanes"]]
    assert lanes == [[THREE.split()[:2]], [THREE.split()[2:]]]
    slots = [(b["lane"], b["container"], b["group_part"]) for b in data["builds"]]
    assert slots == [(0, 0, 0), (0, 0, 0), (1, 0, 1)]
    options = data["builds"][0]["options"]
    assert options["jobs"] == {"value": "2", "source": "command line"}
    assert options["cache"] == {"value": "true", "source": "default"}
    assert options["test-installer"] == {"value": "auto", "source": "default"}


def test_plan_listing_shows_the_lanes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CIBW_BUILD", THREE)
    monkeypatch.setenv("CIBWL_JOBS", "1")
    code, text = run_cli(["plan", "--no-cache"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "1 lane (" in text
    assert "tested while the next one builds" not in text  # one lane: strictly sequential
    assert "cache = 'false'  [command line]" in text
    assert f"    group 0: {THREE}" in text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--jobs", "0"], "--jobs = '0' is not valid"),
        (["-j", "two"], "use auto (one container per CPU) or a positive integer"),
    ],
)
def test_bad_jobs_exit_2(tmp_path, monkeypatch, capsys, args, fragment):
    code, text = run_cli(["plan", *args], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert fragment in text


@pytest.mark.parametrize(("setting", "overlaps"), [("", True), ("CIBWL_KEEP_GOING", False)])
def test_keep_going_plans_sequential_lanes(tmp_path, monkeypatch, capsys, setting, overlaps):
    monkeypatch.setenv("CIBW_BUILD", THREE)
    if setting:
        monkeypatch.setenv(setting, "1")
    code, text = run_cli(["plan", "--jobs", "2"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert ("tested while the next one builds" in text) is overlaps
