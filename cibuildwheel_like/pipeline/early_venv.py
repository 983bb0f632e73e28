"""A test's venv made while its wheel builds.

When the lanes overlap tests (``Plan.overlaps_tests``) and the test step would make its venv
with uv from uv's cache (``uv venv --seed --offline``, see test.py), that command needs the
identifier's Python and environment but not the wheel: it runs in a thread of its own beside the
build, captured, and the test step shows it as its first command. The venv is still new, in the
test's own folder, and holds nothing but the seed. Everything else (no uv here, pip settings uv
would ignore, an index that must be asked, tests in a fresh container, emulated tests skipped)
is left to the test step as before; so is a failed attempt, whose leftovers the test step
removes before it asks the index.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

from cibuildwheel_like.pipeline import caches, uv_tools
from cibuildwheel_like.pipeline.argv import uv_venv_argv

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.engine.container import ExecResult
    from cibuildwheel_like.pipeline.state import BuildRun


@dataclasses.dataclass(kw_only=True)
class EarlyVenv:
    """One build's venv command, running or done."""

    venv: PurePosixPath
    argv: list[str]
    thread: threading.Thread
    result: ExecResult | None = None  # None: it raised (the container went away)


def seed_key(build: BuildRun) -> str:
    """The index-asked key of a seeded venv for this build's Python (see caches)."""
    return f"seed {build.python_bin / 'python'}"


def _eligible(build: BuildRun) -> bool:
    options = build.options
    if not build.run.overlap_tests or not build.runs_tests or options.test_container == "fresh":
        return False
    if options.test_installer == "pip" or uv_tools.uses_uv(options.build_frontend):
        return False  # venv + pip, or the uv frontends' unseeded venv: made by the test step
    return caches.recently_asked_for(build, seed_key(build))


def start(build: BuildRun, venv: PurePosixPath) -> None:
    """Make ``venv`` beside the build, when the test step would make it from uv's cache."""
    if not _eligible(build):
        return
    uv = uv_tools.find_uv(build).uv
    if uv is None:
        return
    python = build.python_bin / "python"
    argv = [*uv_venv_argv(uv, venv=venv, python=python, seed=True), "--offline"]
    env = uv_tools.uv_environment(build.env)
    run = build.run

    def make() -> None:
        try:
            early.result = run.container.run(argv, env=env, cwd=run.paths.project, capture=True)
        except Exception:  # noqa: BLE001  # the test step makes the venv itself, and reports
            early.result = None

    thread = threading.Thread(target=make, name=f"{build.identifier}-venv", daemon=True)
    early = EarlyVenv(venv=venv, argv=argv, thread=thread)
    build.early_venv = early
    thread.start()


def result_for(build: BuildRun, venv: PurePosixPath) -> tuple[list[str], ExecResult] | None:
    """The early command for ``venv`` and its result, once it ended; None when there was none
    (or it raised)."""
    early = build.early_venv
    if early is None or early.venv != venv:
        return None
    early.thread.join()
    build.early_venv = None
    return None if early.result is None else (early.argv, early.result)
