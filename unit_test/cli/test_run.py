"""`run` before and after the executor: output directory, report location, error precedence.

No engine is reached: each case stops before the first container, or uses a stand-in for the
executor where the point is what happens around it.
"""

from __future__ import annotations

import io
import json
import os
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli import app as cli
from cibuildwheel_like.cli.arguments import Selection
from cibuildwheel_like.cli.run import execute_and_report
from cibuildwheel_like.cli.selection import planned
from cibuildwheel_like.context import Cache, Context
from cibuildwheel_like.errors import BuildStepError, HostCommandError
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.report import build_report
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "x"\nversion = "1"\n'
ONE = ["--only", "cp313-manylinux_x86_64"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("CIBW_", "CIBWL_", "GITHUB_")) or key == "CI":
            monkeypatch.delenv(key)
    # No engine on PATH: a run that got as far as the engine stops there (exit 1 or 7).
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def run_cli(args: list[str], cwd: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out + err


def project(root: Path, body: str = PROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(body)
    return root


def test_output_dir_that_is_a_file_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    (tmp_path / "out").write_text("a file")
    code, text = run_cli(["run", *ONE, "--output-dir", "out"], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert f"--output-dir: {tmp_path / 'out'} exists and is not a directory" in text
    assert "Traceback" not in text
    assert not (tmp_path / "build-report.json").exists()  # nothing started, nothing reported


def test_output_dir_from_the_environment_is_named_by_its_variable(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    (tmp_path / "out").write_text("a file")
    monkeypatch.setenv("CIBW_OUTPUT_DIR", "out")
    code, text = run_cli(["run", *ONE], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert "output-dir (env CIBW_OUTPUT_DIR)" in text


def test_output_dir_is_created_before_the_first_build(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    code, text = run_cli(["run", *ONE, "--output-dir", "a/b"], tmp_path, monkeypatch, capsys)
    assert code == 7  # no engine on PATH
    assert "container engine docker is not installed" in text
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # wheels only: the report is elsewhere
    report = json.loads((tmp_path / "build-report.json").read_text())
    assert report["exit_code"] == code


def test_report_path_that_is_a_directory_is_refused_up_front(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    (tmp_path / "rep").mkdir()
    code, text = run_cli(["run", *ONE, "--report", "rep"], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert f"--report: {tmp_path / 'rep'} is a directory" in text
    assert not (tmp_path / "wheelhouse").exists()


def test_empty_pyproject_without_setup_files_is_refused(tmp_path, monkeypatch, capsys):
    project(tmp_path, "")
    code, text = run_cli(["run", *ONE], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert f"{tmp_path / 'pyproject.toml'} is empty" in text
    assert "docker" not in text  # refused before the engine check


def test_empty_pyproject_with_setup_py_is_a_project(tmp_path, monkeypatch, capsys):
    project(tmp_path, "")
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    code, text = run_cli(["run", *ONE], tmp_path, monkeypatch, capsys)
    assert code == 7  # got past the project check, stopped at the missing engine
    assert "container engine docker is not installed" in text
    assert "is empty" not in text


def test_empty_config_file_means_the_default(tmp_path, monkeypatch, capsys):
    project(tmp_path, PROJECT + '[tool.cibuildwheel]\nbuild = "cp314-*"\n')
    args = ["run", "--print-build-identifiers", "--platform", "linux", "--archs", "x86_64"]
    code, default = run_cli(args, tmp_path, monkeypatch, capsys)
    assert code == 0
    code, empty = run_cli([*args, "--config-file", ""], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert empty == default
    assert empty.split() == ["cp314-manylinux_x86_64", "cp314-musllinux_x86_64"]


def test_default_report_path_is_never_inside_the_output_dir(tmp_path):
    out = tmp_path / "wheelhouse"
    assert build_report.default_report_path(output_dir=out, cwd=tmp_path) == (
        tmp_path / "build-report.json"
    )
    assert build_report.default_report_path(output_dir=tmp_path, cwd=tmp_path) == (
        tmp_path.parent / "build-report.json"
    )


def _context(tmp_path: Path) -> tuple[Context, io.StringIO]:
    stream = io.StringIO()
    output = Output(verbosity=0, environ={}, stdout=stream, stderr=stream, terminal=False)
    ctx = Context(output=output, environ={}, cwd=tmp_path, cache=Cache(root=tmp_path / "c"))
    return ctx, stream


def _plan(tmp_path: Path, ctx: Context):  # type: ignore[no-untyped-def]
    project(tmp_path / "p")
    selection = Selection(
        package=tmp_path / "p",
        platform=None,
        archs=None,
        enable=(),
        only="cp313-manylinux_x86_64",
        output_dir=tmp_path / "out",
        config_file=None,
        allow_empty=False,
        debug_traceback=False,
        print_build_identifiers=False,
    )
    with planned(selection, ctx) as plan:
        return plan


def test_a_failing_report_never_masks_the_error_in_flight(tmp_path):
    ctx, stream = _context(tmp_path)
    plan = _plan(tmp_path, ctx)
    (tmp_path / "blocked").write_text("a file where a folder should be")

    def failing_execute(plan, ctx, *, on_result):
        on_result(
            BuildResult(identifier="cp313-manylinux_x86_64", image="i", interpreter="p",
                        status="failed", error="boom")
        )  # fmt: skip
        raise BuildStepError(identifier="cp313-manylinux_x86_64", step="build",
                             command="pip wheel", returncode=1)  # fmt: skip

    with pytest.raises(BuildStepError):
        execute_and_report(
            plan, ctx, report_path=tmp_path / "blocked" / "r.json", execute=failing_execute
        )
    assert "could not write the build report" in stream.getvalue()


def test_a_failing_report_after_a_good_run_is_an_error(tmp_path):
    ctx, _ = _context(tmp_path)
    plan = _plan(tmp_path, ctx)
    (tmp_path / "blocked").write_text("a file where a folder should be")
    with pytest.raises(HostCommandError, match="could not write the build report"):
        execute_and_report(
            plan,
            ctx,
            report_path=tmp_path / "blocked" / "r.json",
            execute=lambda plan, ctx, *, on_result: [],
        )
