"""`plan` records where each build is tested (test-container, test-image); no engine reached."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli import app as cli

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = (
    '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "x"\nversion = "1"\n'
    '[tool.cibuildwheel]\ntest-command = "python -c 1"\n'
    'manylinux-x86_64-image = "debian-bookworm"\nmanylinux-aarch64-image = "debian-bookworm"\n'
    '[tool.cibuildwheel-like]\ntest-container = "fresh"\n'
    "[[tool.cibuildwheel-like.overrides]]\n"
    'select = "*aarch64"\ntest-image = "debian-bookworm-runtime"\n'
    "[[tool.cibuildwheel-like.overrides]]\n"
    'select = "cp313-*x86_64"\ntest-container = "build"\n'
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("CIBW_", "CIBWL_", "GITHUB_")) or key == "CI":
            monkeypatch.delenv(key)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("CIBW_CACHE_PATH", str(tmp_path / "cache"))
    monkeypatch.setenv("CIBW_ARCHS", "x86_64 aarch64")
    monkeypatch.setenv("CIBW_BUILD", "cp311-* cp313-*")
    monkeypatch.setenv("CIBW_SKIP", "*musllinux*")
    (tmp_path / "pyproject.toml").write_text(PROJECT)


def plan(args: list[str], cwd: Path, monkeypatch, capsys) -> str:
    monkeypatch.chdir(cwd)
    assert cli.main(["plan", *args]) == 0
    out, err = capsys.readouterr()
    return out + err


def test_plan_json_shows_each_builds_test_container(tmp_path, monkeypatch, capsys):
    data = json.loads(plan(["--json"], tmp_path, monkeypatch, capsys))
    where = {b["identifier"]: b["test_container"] for b in data["builds"]}
    assert where == {
        "cp311-manylinux_x86_64": {
            "mode": "fresh",
            "image": "cibuildwheel-like/debian-bookworm:x86_64",
        },
        "cp313-manylinux_x86_64": {"mode": "build", "image": None},
        "cp311-manylinux_aarch64": {
            "mode": "fresh",
            "image": "cibuildwheel-like/debian-bookworm-runtime:aarch64",
        },
        "cp313-manylinux_aarch64": {
            "mode": "fresh",
            "image": "cibuildwheel-like/debian-bookworm-runtime:aarch64",
        },
    }
    options = data["builds"][0]["options"]
    assert options["test-container"] == {"value": "fresh", "source": "pyproject"}


def test_plan_listing_names_the_fresh_test_image(tmp_path, monkeypatch, capsys):
    text = plan([], tmp_path, monkeypatch, capsys)
    assert (
        "cp311-manylinux_aarch64  (/opt/python/cp311-cp311, tested in a fresh container from"
        " cibuildwheel-like/debian-bookworm-runtime:aarch64)"
    ) in text
    assert "cp313-manylinux_x86_64  (/opt/python/cp313-cp313, tested)" in text
