"""Differential test: cibuildwheel-like against the real cibuildwheel 4.3.5 from PyPI.

cibuildwheel 4.3.5 is installed once per machine into a throwaway virtual environment under the
user cache directory (guarded by a file lock, so reruns and parallel sessions reuse it). Every
case in ``differential_cases.py`` is written into a fresh directory and run through both tools
with the same working directory, environment and arguments. The expected value is always
cibuildwheel's live answer; nothing here states an identifier list.

Neither tool needs a container engine: identifiers are printed with
``--print-build-identifiers``, and the bad-option cases stop before any engine is contacted.
The PATH given to both tools contains no container engine, so a regression that reaches for one
fails loudly instead of starting containers.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import pytest
from differential_cases import (
    BAD_BUILD_CASES,
    BAD_INPUT_CASES,
    EMPTY_RUN_CASES,
    IDENTIFIER_CASES,
    STRICTER_CASES,
    Case,
)
from filelock import FileLock

from cibuildwheel_like import hostcmd

if TYPE_CHECKING:
    from collections.abc import Mapping

CIBUILDWHEEL_VERSION = "4.3.5"
RUN_TIMEOUT = 180
ENGINE_PROGRAMS = ("docker", "podman", "nerdctl")
# Variables that let pip, and any HTTPS client, reach PyPI through this machine's proxy.
PASSTHROUGH_VARS = (
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
)
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True, kw_only=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    @property
    def text(self) -> str:
        return f"{self.stdout}\n{self.stderr}"

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.text

    def describe(self) -> str:
        return (
            f"exit {self.returncode}\n--- stdout ---\n{self.stdout.rstrip()}\n"
            f"--- stderr ---\n{self.stderr.rstrip()[-3000:]}"
        )


# ------------------------------------------------------------------ cibuildwheel installation


def _cibuildwheel_venv() -> Path:
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return (
        platformdirs.user_cache_path("cibuildwheel-like")
        / "differential"
        / f"cibuildwheel-{CIBUILDWHEEL_VERSION}-{tag}"
    )


def _venv_works(venv: Path) -> bool:
    python = venv / "bin" / "python"
    if not python.is_file() or not (venv / "bin" / "cibuildwheel").is_file():
        return False
    probe = hostcmd.run(
        [python, "-c", "import cibuildwheel; print(cibuildwheel.__version__)"],
        capture=True,
        check=False,
    )
    return probe.returncode == 0 and probe.stdout.decode().strip() == CIBUILDWHEEL_VERSION


def install_cibuildwheel() -> Path:
    """Install cibuildwheel==4.3.5 once per machine; return its console script."""
    venv = _cibuildwheel_venv()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(venv.parent / f"{venv.name}.lock", timeout=900):
        if not _venv_works(venv):
            shutil.rmtree(venv, ignore_errors=True)
            hostcmd.run([sys.executable, "-m", "venv", venv], capture=True)
            # The host environment (proxy, certificates, pip configuration) reaches PyPI.
            result = hostcmd.run(
                [
                    venv / "bin" / "python",
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    f"cibuildwheel=={CIBUILDWHEEL_VERSION}",
                ],
                capture=True,
                check=False,
                timeout=900,
            )
            if result.returncode != 0 or not _venv_works(venv):
                shutil.rmtree(venv, ignore_errors=True)
                pytest.fail(
                    f"could not install cibuildwheel=={CIBUILDWHEEL_VERSION} from PyPI:\n"
                    + result.stderr.decode(errors="replace")[-3000:]
                )
    return venv / "bin" / "cibuildwheel"


@pytest.fixture(scope="session")
def cibuildwheel_exe() -> Path:
    return install_cibuildwheel()


# ------------------------------------------------------------------ isolated runs


def _engine_free_path(bin_dir: Path) -> str:
    """PATH for both tools: the host's directories, minus any that hold a container engine."""
    host = os.environ.get("PATH", "").split(os.pathsep)
    keep = [str(bin_dir)] + [
        entry
        for entry in host
        if entry and not any((Path(entry) / name).exists() for name in ENGINE_PROGRAMS)
    ]
    return os.pathsep.join(dict.fromkeys(keep))


@pytest.fixture(scope="session")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A minimal environment: no CIBW_*/CIBWL_*, no CI variables, a throwaway HOME."""
    root = tmp_path_factory.mktemp("differential-env")
    (root / "home").mkdir()
    (root / "bin").mkdir()
    env = {
        "PATH": _engine_free_path(root / "bin"),
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "COLUMNS": "200",
    }
    env.update({name: os.environ[name] for name in PASSTHROUGH_VARS if name in os.environ})
    return env


def write_project(case: Case, directory: Path) -> Path:
    directory.mkdir(parents=True)
    for relative, text in case.files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    if case.sdist is not None:
        name, members = case.sdist
        with tarfile.open(directory / name, "w:gz") as tar:
            for member_name, text in members.items():
                data = text.encode()
                info = tarfile.TarInfo(member_name)
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    return directory


def run_tool(argv: list[str], *, cwd: Path, env: Mapping[str, str]) -> Outcome:
    result = hostcmd.run(argv, capture=True, check=False, cwd=cwd, env=env, timeout=RUN_TIMEOUT)
    return Outcome(
        returncode=result.returncode,
        stdout=result.stdout.decode(errors="replace"),
        stderr=result.stderr.decode(errors="replace"),
    )


class Runner:
    """Runs a case through either tool, each in its own fresh copy of the project."""

    def __init__(self, *, cibuildwheel: Path, env: Mapping[str, str], root: Path) -> None:
        self.cibuildwheel = cibuildwheel
        self.env = env
        self.root = root
        self._cibuildwheel_outcomes: dict[tuple[str, bool], Outcome] = {}

    def _env(self, case: Case) -> dict[str, str]:
        return {**self.env, **case.env}

    def _argv(self, case: Case, *, print_identifiers: bool, workdir: Path) -> list[str]:
        argv = case.argv(print_identifiers=print_identifiers)
        if not print_identifiers:
            # a real run: keep anything it might write inside the case directory
            argv += ["--output-dir", str(workdir / "wheelhouse")]
        return argv

    def cibuildwheel_outcome(self, case: Case, *, print_identifiers: bool = True) -> Outcome:
        key = (case.id, print_identifiers)
        if key not in self._cibuildwheel_outcomes:
            workdir = self.root / f"{case.id}-{'print' if print_identifiers else 'run'}-cibw"
            project = write_project(case, workdir / "project")
            argv = self._argv(case, print_identifiers=print_identifiers, workdir=workdir)
            self._cibuildwheel_outcomes[key] = run_tool(
                [str(self.cibuildwheel), *argv], cwd=project, env=self._env(case)
            )
        return self._cibuildwheel_outcomes[key]

    def our_outcome(self, case: Case, *, print_identifiers: bool = True) -> Outcome:
        workdir = self.root / f"{case.id}-{'print' if print_identifiers else 'run'}-ours"
        shutil.rmtree(workdir, ignore_errors=True)
        project = write_project(case, workdir / "project")
        argv = self._argv(case, print_identifiers=print_identifiers, workdir=workdir)
        # -P: the project directory must not shadow modules on sys.path (as with a console script)
        command = [sys.executable, "-P", "-m", "cibuildwheel_like", "run", *argv]
        return run_tool(command, cwd=project, env=self._env(case))


@pytest.fixture(scope="session")
def diff_runner(
    cibuildwheel_exe: Path, base_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Runner:
    return Runner(
        cibuildwheel=cibuildwheel_exe,
        env=base_env,
        root=tmp_path_factory.mktemp("differential-cases"),
    )


def _ids(cases: tuple[Case, ...]) -> list[str]:
    return [case.id for case in cases]


def _report(case: Case, *, ours: Outcome, theirs: Outcome, print_identifiers: bool = True) -> str:
    return (
        f"case {case.id!r}\nreproduction:\n{case.reproduction(print_identifiers=print_identifiers)}"
        f"\n=== cibuildwheel {CIBUILDWHEEL_VERSION} ===\n{theirs.describe()}"
        f"\n=== cibuildwheel-like ===\n{ours.describe()}"
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def _assert_names_culprit(case: Case, ours: Outcome, report: str) -> None:
    assert not ours.traceback, f"cibuildwheel-like printed a traceback\n{report}"
    missing = [c for c in case.culprit if _squash(c) not in _squash(ours.text)]
    assert not missing, f"cibuildwheel-like's message does not name {missing}\n{report}"


# ------------------------------------------------------------------ the tables are meaningful


def test_tables_are_large_and_unique() -> None:
    assert len(IDENTIFIER_CASES) >= 40
    all_ids = _ids(
        (*IDENTIFIER_CASES, *BAD_INPUT_CASES, *BAD_BUILD_CASES, *STRICTER_CASES, *EMPTY_RUN_CASES)
    )
    assert len(all_ids) == len(set(all_ids))
    for case in (*BAD_INPUT_CASES, *BAD_BUILD_CASES, *STRICTER_CASES):
        assert case.culprit, f"{case.id}: a bad input must name what our message should contain"
    for case in STRICTER_CASES:
        assert case.expected_exit is not None, case.id


@pytest.mark.parametrize("case", IDENTIFIER_CASES, ids=_ids(IDENTIFIER_CASES))
def test_cibuildwheel_accepts_identifier_case(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case)
    assert theirs.returncode == 0, f"bad case: cibuildwheel rejects it\n{theirs.describe()}"
    assert not theirs.traceback, theirs.describe()
    assert theirs.lines or case.empty_ok, "bad case: cibuildwheel selects nothing"
    assert not (theirs.lines and case.empty_ok), "bad case: marked empty but selects identifiers"


@pytest.mark.parametrize("case", BAD_INPUT_CASES, ids=_ids(BAD_INPUT_CASES))
def test_cibuildwheel_rejects_bad_input_cleanly(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case)
    assert theirs.returncode not in {0, 1}, f"bad case: not a clean rejection\n{theirs.describe()}"
    assert not theirs.traceback, f"bad case: cibuildwheel crashes\n{theirs.describe()}"
    assert not theirs.lines, theirs.describe()


@pytest.mark.parametrize("case", BAD_BUILD_CASES, ids=_ids(BAD_BUILD_CASES))
def test_cibuildwheel_rejects_bad_build_option_cleanly(diff_runner: Runner, case: Case) -> None:
    # with --print-build-identifiers cibuildwheel does not look at per-build options ...
    assert diff_runner.cibuildwheel_outcome(case).returncode == 0
    # ... but a real run rejects them before it reaches for a container engine
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=False)
    assert theirs.returncode not in {0, 1}, f"bad case: not a clean rejection\n{theirs.describe()}"
    assert not theirs.traceback, f"bad case: cibuildwheel crashes\n{theirs.describe()}"


@pytest.mark.parametrize("case", STRICTER_CASES, ids=_ids(STRICTER_CASES))
def test_cibuildwheel_does_not_answer_stricter_case_cleanly(
    diff_runner: Runner, case: Case
) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=not case.full_run)
    clean = theirs.returncode == case.expected_exit and not theirs.traceback
    assert not clean, (
        f"cibuildwheel answers this cleanly: move it to BAD_*_CASES\n{theirs.describe()}"
    )


@pytest.mark.parametrize("case", EMPTY_RUN_CASES, ids=_ids(EMPTY_RUN_CASES))
def test_cibuildwheel_allows_empty_run(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=False)
    assert theirs.returncode == 0, f"bad case\n{theirs.describe()}"
    assert not theirs.traceback, theirs.describe()
    assert "docker" not in theirs.stderr, f"bad case: reaches for an engine\n{theirs.describe()}"


# ------------------------------------------------------------------ the comparison


@pytest.mark.parametrize("case", IDENTIFIER_CASES, ids=_ids(IDENTIFIER_CASES))
def test_identifiers_match_cibuildwheel(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case)
    ours = diff_runner.our_outcome(case)
    report = _report(case, ours=ours, theirs=theirs)
    assert (ours.returncode, ours.lines) == (theirs.returncode, theirs.lines), report


@pytest.mark.parametrize("case", BAD_INPUT_CASES, ids=_ids(BAD_INPUT_CASES))
def test_bad_input_exit_code_matches_cibuildwheel(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case)
    ours = diff_runner.our_outcome(case)
    report = _report(case, ours=ours, theirs=theirs)
    assert ours.returncode == theirs.returncode, report
    _assert_names_culprit(case, ours, report)


@pytest.mark.parametrize("case", BAD_BUILD_CASES, ids=_ids(BAD_BUILD_CASES))
def test_bad_build_option_exit_code_matches_cibuildwheel(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=False)
    ours = diff_runner.our_outcome(case, print_identifiers=False)
    report = _report(case, ours=ours, theirs=theirs, print_identifiers=False)
    assert ours.returncode == theirs.returncode, report
    _assert_names_culprit(case, ours, report)


@pytest.mark.parametrize("case", STRICTER_CASES, ids=_ids(STRICTER_CASES))
def test_stricter_case_rejected_as_the_issue_requires(diff_runner: Runner, case: Case) -> None:
    print_identifiers = not case.full_run
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=print_identifiers)
    ours = diff_runner.our_outcome(case, print_identifiers=print_identifiers)
    report = _report(case, ours=ours, theirs=theirs, print_identifiers=print_identifiers)
    assert ours.returncode == case.expected_exit, report
    _assert_names_culprit(case, ours, report)


@pytest.mark.parametrize("case", EMPTY_RUN_CASES, ids=_ids(EMPTY_RUN_CASES))
def test_empty_run_allowed_like_cibuildwheel(diff_runner: Runner, case: Case) -> None:
    theirs = diff_runner.cibuildwheel_outcome(case, print_identifiers=False)
    ours = diff_runner.our_outcome(case, print_identifiers=False)
    report = _report(case, ours=ours, theirs=theirs, print_identifiers=False)
    assert ours.returncode == theirs.returncode, report
    assert not ours.traceback, report
