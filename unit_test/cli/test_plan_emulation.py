"""`plan` and `run` with emulation = cross | auto (issue 14): each build's decision in the
listing and the JSON, exit 2 under cross for builds that cannot be cross-compiled (before any
engine), and the info lines of auto's fallbacks; no engine reached."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest
from fakes import build_options, console_text, context, global_options, plan_of

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import app as cli
from cibuildwheel_like.cli.selection import announce_cross

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(
    Arch.native() is not Arch.x86_64, reason="cross toolchains are for x86_64 build machines"
)

PROJECT = (
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "x"\nversion = "1"\n'
    "[tool.cibuildwheel]\n"
    'manylinux-x86_64-image = "debian-bookworm"\nmanylinux-aarch64-image = "debian-bookworm"\n'
    'manylinux-s390x-image = "debian-bookworm"\n'
    "[[tool.cibuildwheel.overrides]]\n"
    'select = "cp312-*s390x"\nbefore-build = "make helper"\n'
)
HELPER = "from setuptools import setup\ncc.link_executable(['gen.o'], 'gen')\nsetup()\n"
ARM = "cp311-manylinux_aarch64"
CROSS_IMAGE = "cibuildwheel-like/debian-bookworm-cross:x86_64"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("CIBW_", "CIBWL_", "GITHUB_")) or key == "CI":
            monkeypatch.delenv(key)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no engine: reaching one would fail differently
    monkeypatch.setenv("CIBW_CACHE_PATH", str(tmp_path / "cache"))
    monkeypatch.setenv("CIBW_ARCHS", "x86_64 aarch64 s390x")
    monkeypatch.setenv("CIBW_BUILD", "cp311-* cp312-*")
    monkeypatch.setenv("CIBW_SKIP", "*musllinux*")
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    monkeypatch.chdir(tmp_path)


def main(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_carries_each_builds_decision(monkeypatch, capsys):
    monkeypatch.setenv("CIBWL_EMULATION", "auto")
    code, out, _ = main(["plan", "--json"], capsys)
    assert code == 0
    emulation = {b["identifier"]: b["emulation"] for b in json.loads(out)["builds"]}
    assert emulation["cp311-manylinux_x86_64"] == {
        "setting": "auto",
        "mode": "native",
        "reasons": [],
        "warnings": [],
        "build_image": None,
    }
    assert emulation[ARM] == {
        "setting": "auto",
        "mode": "cross",
        "reasons": [],
        "warnings": [],
        "build_image": CROSS_IMAGE,
    }
    fallback = emulation["cp312-manylinux_s390x"]
    assert (fallback["mode"], fallback["build_image"]) == ("emulate", None)
    assert [r.split(" (")[0] for r in fallback["reasons"]] == ["before-build is set"]


def test_plan_json_under_the_default_changes_nothing_but_the_new_field(capsys):
    code, out, _ = main(["plan", "--json"], capsys)
    assert code == 0
    modes = {b["identifier"]: b["emulation"]["mode"] for b in json.loads(out)["builds"]}
    assert modes[ARM] == modes["cp312-manylinux_s390x"] == "emulate"
    assert {b["emulation"]["setting"] for b in json.loads(out)["builds"]} == {"emulate"}


def test_plan_listing_shows_cross_and_emulated_with_the_reason(monkeypatch, capsys):
    monkeypatch.setenv("CIBWL_EMULATION", "auto")
    code, out, _ = main(["plan"], capsys)
    assert code == 0
    lines = out.splitlines()
    at = lines.index(f"  {ARM}  (/opt/python/cp311-cp311, no test-command)")
    assert lines[at + 1] == f"      cross (compiled in {CROSS_IMAGE})"
    at = lines.index("  cp312-manylinux_s390x  (/opt/python/cp312-cp312, no test-command)")
    assert lines[at + 1].startswith("      emulated (before-build is set (under cross it runs")
    assert lines[at + 2].startswith("      before-build = 'make helper'")  # its override
    # native builds get no line
    at = lines.index("  cp311-manylinux_x86_64  (/opt/python/cp311-cp311, no test-command)")
    assert not lines[at + 1].startswith("      ")


def test_plan_listing_under_the_default_is_unchanged(capsys):
    code, out, _ = main(["plan"], capsys)
    assert code == 0
    assert "cross (" not in out
    assert "emulated (" not in out


EXIT_2 = (
    "cibuildwheel-like: error: emulation = 'cross' (from env CIBWL_EMULATION): 4 identifiers"
    " cannot be cross-compiled:\n"
    "  cp311-manylinux_aarch64: setup.py: link_executable (the build may compile a program and"
    " run it; on the build machine, x86_64, an aarch64 program does not run)\n"
)
FIX = (
    "Use emulation = 'auto' (cross-compile what can be, emulate the rest) or 'emulate', or set"
    " it per identifier in [[tool.cibuildwheel-like.overrides]]\n"
)


@pytest.mark.parametrize(
    "args", [["plan"], ["plan", "--json"], ["run"], ["run", "--print-build-identifiers"]]
)
def test_cross_with_builds_that_cannot_be_cross_compiled_is_exit_2(
    args, tmp_path, monkeypatch, capsys
):
    (tmp_path / "setup.py").write_text(HELPER)
    monkeypatch.setenv("CIBWL_EMULATION", "cross")
    code, out, err = main(args, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(EXIT_2)
    assert err.endswith(FIX)
    # every foreign build, each on its own line; native builds are not listed
    listed = [line.split(":")[0].strip() for line in err.splitlines()[1:-1]]
    assert listed == [
        "cp311-manylinux_aarch64",
        "cp312-manylinux_aarch64",
        "cp311-manylinux_s390x",
        "cp312-manylinux_s390x",
    ]
    assert not (tmp_path / "wheelhouse").exists()


def test_the_message_names_where_cross_was_set_and_only_the_builds_it_covers(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "setup.py").write_text(HELPER)
    text = (
        PROJECT + '[[tool.cibuildwheel-like.overrides]]\nselect = "*s390x"\nemulation = "cross"\n'
    )
    (tmp_path / "pyproject.toml").write_text(text)
    code, _, err = main(["plan"], capsys)
    assert code == 2
    first, *rest = err.splitlines()
    assert first == (
        "cibuildwheel-like: error: emulation = 'cross' (from override #1 (cibuildwheel-like)):"
        " 2 identifiers cannot be cross-compiled:"
    )
    assert [line.split(":")[0].strip() for line in rest[:-1]] == [
        "cp311-manylinux_s390x",
        "cp312-manylinux_s390x",
    ]


def test_before_build_alone_warns_under_cross_and_the_plan_stands(monkeypatch, capsys):
    monkeypatch.setenv("CIBWL_EMULATION", "cross")
    code, out, _ = main(["plan", "--json"], capsys)
    assert code == 0
    decisions = {b["identifier"]: b["emulation"] for b in json.loads(out)["builds"]}
    s390x = decisions["cp312-manylinux_s390x"]
    assert (s390x["mode"], s390x["reasons"], s390x["build_image"]) == ("cross", [], CROSS_IMAGE)
    assert s390x["warnings"][0].startswith("before-build is set (under cross it runs")


def test_run_announces_autos_fallbacks_and_crosss_warnings(tmp_path):
    ids = ("cp311-manylinux_x86_64", ARM, "cp312-manylinux_s390x")
    builds = [
        build_options(ids[0], emulation="auto"),
        build_options(ids[1], emulation="auto", image="cibuildwheel-like/debian-bookworm:aarch64"),
        build_options(ids[2], emulation="auto", image="quay.io/pypa/manylinux_2_28_s390x"),
    ]
    plan = plan_of(builds, global_options(tmp_path), host=Arch.x86_64)
    ctx = context(tmp_path)
    announce_cross(plan, ctx.output)
    text = console_text(ctx)
    assert text.startswith(
        "cp312-manylinux_s390x: emulated, not cross-compiled (emulation = 'auto'): image"
        " quay.io/pypa/manylinux_2_28_s390x is not one of ours"
    )
    assert text.count("\n") == 1  # the cross and the native builds say nothing
    builds[1] = build_options(
        ARM, emulation="cross", image="cibuildwheel-like/debian-bookworm:aarch64", before_build="x"
    )
    ctx = context(tmp_path)
    announce_cross(plan_of(builds, global_options(tmp_path), host=Arch.x86_64), ctx.output)
    assert (
        "cibuildwheel-like: warning: cp311-manylinux_aarch64: cross-compiled (emulation ="
        " 'cross'), but before-build is set (under cross it runs on the build machine"
    ) in console_text(ctx)
