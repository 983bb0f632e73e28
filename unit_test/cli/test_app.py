"""The command line end to end, in-process, with no engine: identifiers, plan, errors."""

from __future__ import annotations

import io
import json
import os
import tarfile
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli import app as cli

if TYPE_CHECKING:
    from pathlib import Path

CLEAN_ENV = ("CIBW_", "CIBWL_", "GITHUB_ACTIONS", "CI")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(CLEAN_ENV):
            monkeypatch.delenv(key)


def run_cli(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write_project(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(body)
    return root


def test_print_build_identifiers(tmp_path, monkeypatch, capsys):
    write_project(
        tmp_path,
        '[project]\nname = "x"\nrequires-python = ">=3.13"\n'
        '[tool.cibuildwheel]\nskip = ["*musllinux*", "*t-*"]\n',
    )
    code, out, _ = run_cli(
        ["run", "--print-build-identifiers", "--platform", "linux", "--archs", "x86_64"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert out.split() == [
        "cp313-manylinux_x86_64",
        "cp314-manylinux_x86_64",
        "cp315-manylinux_x86_64",
    ]


def test_plan_json_groups_and_sources(tmp_path, monkeypatch, capsys):
    write_project(
        tmp_path,
        '[tool.cibuildwheel]\nbuild = "cp312-* cp313-*"\ntest-command = "pytest"\n'
        "[[tool.cibuildwheel.overrides]]\n"
        'select = "cp313-*"\nbefore-all = "echo special"\n',
    )
    monkeypatch.setenv("CIBW_MANYLINUX_X86_64_IMAGE", "debian-bookworm")
    code, out, _ = run_cli(
        ["plan", "--json", "--platform", "linux", "--archs", "x86_64"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == 1
    groups = {tuple(g["identifiers"]): g for g in data["groups"]}
    # cp313 has its own before-all, so it gets its own container group.
    assert set(groups) == {
        ("cp312-manylinux_x86_64",),
        ("cp313-manylinux_x86_64",),
        ("cp312-musllinux_x86_64",),
        ("cp313-musllinux_x86_64",),  # the override's select matches musllinux too
    }
    assert (
        groups[("cp312-manylinux_x86_64",)]["image"] == "cibuildwheel-like/debian-bookworm:x86_64"
    )
    assert groups[("cp313-manylinux_x86_64",)]["before_all"] == "echo special"
    by_id = {b["identifier"]: b for b in data["builds"]}
    opts = by_id["cp313-manylinux_x86_64"]["options"]
    assert opts["before-all"] == {"value": "echo special", "source": "override #1"}
    assert opts["manylinux-x86_64-image"]["source"] == "env CIBW_MANYLINUX_X86_64_IMAGE"
    assert opts["test-command"]["source"] == "pyproject"
    assert by_id["cp312-manylinux_x86_64"]["test"] is True


def test_plan_text(tmp_path, monkeypatch, capsys):
    write_project(tmp_path, '[tool.cibuildwheel]\nbuild = "cp312-manylinux*"\n')
    code, out, _ = run_cli(["plan", "--platform", "linux"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "container group 0: manylinux_x86_64 · docker" in out
    assert "build = 'cp312-manylinux*'  [pyproject]" in out


@pytest.mark.parametrize(
    ("body", "args", "code", "needle"),
    [
        ("[tool.cibuildwheel\n", [], 2, "pyproject.toml"),
        ('[tool.cibuildwheel]\nbuidl = "*"\n', [], 2, "build"),
        ('[tool.cibuildwheel]\nbuild-verbosity = "loud"\n', [], 2, "build-verbosity"),
        ("", ["--archs", "sparc"], 2, "sparc"),
        ('[tool.cibuildwheel]\nbuild = "cpython3-*"\n', [], 2, "cpython3-*"),
        ('[tool.cibuildwheel]\nmanylinux-x86_64-image = "manylinux1"\n', [], 4, "manylinux1"),
        ('[tool.cibuildwheel]\nskip = "*"\n', [], 3, "--allow-empty"),
    ],
)
def test_bad_input_exit_codes(tmp_path, monkeypatch, capsys, body, args, code, needle):
    write_project(tmp_path, body)
    got, out, err = run_cli(["run", "--platform", "linux", *args], tmp_path, monkeypatch, capsys)
    assert got == code, err
    assert needle in err
    assert "Traceback" not in err + out


def test_allow_empty(tmp_path, monkeypatch, capsys):
    write_project(tmp_path, '[tool.cibuildwheel]\nskip = "*"\n')
    code, _, _ = run_cli(
        ["run", "--platform", "linux", "--allow-empty"], tmp_path, monkeypatch, capsys
    )
    assert code == 0


@pytest.mark.parametrize("platform", ["macos", "windows", "pyodide", "ios", "android"])
def test_other_platforms_refused(tmp_path, monkeypatch, capsys, platform):
    write_project(tmp_path, "")
    code, _, err = run_cli(["run", "--platform", platform], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert "Linux" in err


def test_only_conflicts_with_archs(tmp_path, monkeypatch, capsys):
    write_project(tmp_path, "")
    code, _, err = run_cli(
        ["run", "--only", "cp313-manylinux_x86_64", "--archs", "x86_64"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 2
    assert "--archs" in err


def test_package_outside_cwd_refused(tmp_path, monkeypatch, capsys):
    write_project(tmp_path / "elsewhere", "")
    (tmp_path / "cwd").mkdir()
    code, _, err = run_cli(
        ["run", "../elsewhere", "--platform", "linux"], tmp_path / "cwd", monkeypatch, capsys
    )
    assert code == 2
    assert "outside the working directory" in err


def test_sdist_config_is_read_from_the_sdist(tmp_path, monkeypatch, capsys):
    src = write_project(
        tmp_path / "src" / "pkg-1.0", '[tool.cibuildwheel]\nbuild = "cp314-manylinux_x86_64"\n'
    )
    sdist = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(src, arcname="pkg-1.0")
    code, out, _ = run_cli(
        ["run", str(sdist), "--print-build-identifiers", "--platform", "linux"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert out.split() == ["cp314-manylinux_x86_64"]


def test_debug_traceback(tmp_path, monkeypatch, capsys):
    write_project(tmp_path, "[tool.cibuildwheel\n")
    code, _, err = run_cli(
        ["run", "--platform", "linux", "--debug-traceback"], tmp_path, monkeypatch, capsys
    )
    assert code == 2
    assert "Traceback" in err


def test_broken_pipe_is_quiet(tmp_path, monkeypatch):
    write_project(tmp_path, "")

    class Closed(io.StringIO):
        def write(self, _text: str) -> int:
            raise BrokenPipeError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdout", Closed())
    assert cli.main(["run", "--print-build-identifiers", "--platform", "linux"]) == 0


def test_identifiers_print_in_selection_order_not_container_order(tmp_path, monkeypatch, capsys):
    write_project(tmp_path, '[tool.cibuildwheel]\nbuild = "cp312-manylinux*"\n')
    code, out, _ = run_cli(
        ["run", "--print-build-identifiers", "--platform", "linux", "--archs", "x86_64,i686"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0
    # x86_64 and i686 run in different containers; the listing keeps cibuildwheel's order.
    assert out.split() == ["cp312-manylinux_x86_64", "cp312-manylinux_i686"]


def test_package_without_project_files(tmp_path, monkeypatch, capsys):
    (tmp_path / "README.md").write_text("not a project")
    code, _, err = run_cli(
        ["run", "--print-build-identifiers", "--platform", "linux"], tmp_path, monkeypatch, capsys
    )
    assert code == 2
    assert "pyproject.toml, setup.cfg, setup.py" in err
