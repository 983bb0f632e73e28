"""Stage "test": a fresh venv per identifier, holding only the wheel and the test requirements;
full tests, or smoke/skip when emulated.

The venv is new for every identifier whatever makes it. ``test-installer`` picks the tool:

- ``pip``: as cibuildwheel, `python -m venv` (seeded with this Python's pip) and the venv's pip;
  with a uv frontend, `uv venv` and `uv pip`, as cibuildwheel does there.
- ``uv``: `uv venv --seed` for the identifier's interpreter and `uv pip install`, uv from the
  image, the host cache or PyPI (see uv_tools); an error when no uv runs in the container.
- ``auto`` (the default): ``uv`` when a uv runs in the container, else ``pip``; the installs
  still use the venv's pip when the test environment has pip settings uv would ignore.

Every counted install adds the packages it fetched from an index to the build's cache stats.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline import caches, early_venv, uv_tools
from cibuildwheel_like.pipeline.argv import (
    MAKE_VENV,
    count_downloads,
    display,
    prepare_command,
    shell,
    uv_venv_argv,
    venv_install_argv,
)
from cibuildwheel_like.pipeline.prepare import executor_for

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.engine.container import ExecResult
    from cibuildwheel_like.pipeline.argv import Installer
    from cibuildwheel_like.pipeline.state import BuildRun
GUARD_NAME = "test_cibuildwheel_like_cwd.py"
# The guard's first sentence is cibuildwheel's wording (its tests and users' logs grep for it).
GUARD = '''"""Placed by cibuildwheel-like in the directory tests run from."""
import unittest


class WrongDirectory(unittest.TestCase):
    def test_wrong_directory(self):
        self.fail(
            "Please specify a path to your tests when invoking pytest using the {project}"
            " placeholder, e.g. `pytest {project}/tests`. Tests run from an empty temporary"
            " directory so that only the installed wheel is imported, never the project's"
            " sources; or list your tests in `test-sources` to have them copied here."
        )
'''

# Imports every top-level module or package the wheel installs (emulated-tests = "smoke").
SMOKE = r"""
import importlib, sys, zipfile
names = set()
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for entry in wheel.namelist():
        top, _, rest = entry.partition("/")
        if top.endswith((".dist-info", ".data")):
            continue
        name = top if rest else top.split(".", 1)[0]
        if (rest or top.endswith((".py", ".so"))) and name.isidentifier():
            names.add(name)
if not names:
    sys.exit(f"no importable top-level module in {sys.argv[1]}")
for name in sorted(names):
    importlib.import_module(name)
    print(f"smoke test: imported {name}")
"""


# Removes a test step's folder in the background: the next step need not wait for it (the
# container's removal ends it, if it is still running then).
_REMOVE_LATER = 'rm -rf -- "$1" </dev/null >/dev/null 2>&1 &'


@dataclasses.dataclass(frozen=True, kw_only=True)
class FreshVenv:
    """One identifier's fresh test venv and how to install into it."""

    venv: PurePosixPath
    env: dict[str, str]  # venv first on PATH, then test-environment evaluated
    tool: Installer
    uv: str = "uv"  # the uv that made the venv (tool "uv")


def test_wheel(build: BuildRun) -> None:
    options = build.options
    run = build.run
    if not options.test_command.strip():
        return
    if options.test_skipped:
        run.ctx.output.info(f"{build.identifier}: tests skipped (test-skip)")
        build.test_outcome = "skipped"
        return
    mode = options.emulated_tests if run.emulated else "full"
    if mode == "skip":
        run.ctx.output.info(
            f"{build.identifier}: tests skipped: {build.options.arch.value} runs under QEMU and"
            " emulated-tests = 'skip'"
        )
        build.test_outcome = "skipped"
        return
    with build.step("test" if mode == "full" else "smoke-test"):
        tmp = build.test_folder()
        test_env = make_test_env(build, tmp / "venv")
        if mode == "smoke":
            _smoke(build, test_env)
            build.test_outcome = "smoke"
        else:
            _full(build, test_env, tmp / "test_cwd")
            build.test_outcome = "passed"
        build.capture(["sh", "-c", _REMOVE_LATER, "sh", str(tmp)])


def make_test_env(build: BuildRun, venv: PurePosixPath) -> FreshVenv:
    options = build.options
    python = build.python_bin / "python"
    setting = options.test_installer
    frontend_uv = uv_tools.uses_uv(options.build_frontend)
    uv: str | None = None
    pip_configs: tuple[str, ...] = ()
    if frontend_uv:
        uv = "uv"  # on PATH for the uv frontends (prepare put it there), as in cibuildwheel
    elif setting != "pip":
        found = uv_tools.find_uv(build)
        if found.uv is None and setting == "uv":
            raise build.fail(
                f"test-installer = 'uv', but uv cannot run in {build.run.group.image}"
                f" ({options.arch.value}): {found.reason}. Use test-installer = 'auto' (uv"
                " where it runs, else venv + pip) or 'pip'."
            )
        if found.uv is None:
            build.run.ctx.output.info(
                f"{build.identifier}: test environment made with venv + pip: {found.reason}"
            )
        uv = None if found.uv is None else str(found.uv)
        pip_configs = found.pip_config_files
    made_by_uv = uv is not None and _uv_venv(build, uv, venv, python, seed=not frontend_uv)
    if not made_by_uv:
        shown = f"python -m venv {venv} (seeded with this Python's pip)"
        build.call(["sh", "-c", MAKE_VENV, "sh", str(venv)], shown=shown)
    env = dict(build.env)
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env.pop("PYTHONHOME", None)
    env = options.test_environment.evaluate(env, executor_for(build, "test-environment"))
    if not made_by_uv or uv is None:
        return FreshVenv(venv=venv, env=env, tool="pip")
    ignored = [*uv_tools.pip_settings_uv_ignores(env), *pip_configs]
    if ignored and setting == "auto" and not frontend_uv:
        build.run.ctx.output.info(
            f"{build.identifier}: installing into the test venv with its pip, not uv: uv would"
            f" ignore {', '.join(ignored)}"
        )
        return FreshVenv(venv=venv, env=env, tool="pip")
    if ignored:
        chosen = (
            f"build-frontend = '{options.build_frontend.name}'"
            if frontend_uv
            else f"test-installer = '{setting}'"
        )
        build.run.ctx.output.warning(
            f"{build.identifier}: the test installs use uv ({chosen}), which ignores"
            f" {', '.join(ignored)}; set the matching UV_* variables in `environment` instead"
        )
    return FreshVenv(venv=venv, env=env, tool="uv", uv=uv)


def _uv_venv(
    build: BuildRun, uv: str, venv: PurePosixPath, python: PurePosixPath, *, seed: bool
) -> bool:
    """`uv venv`; False when it failed and test-installer = auto may fall back to venv + pip."""
    argv = uv_venv_argv(uv, venv=venv, python=python, seed=seed)
    env = uv_tools.uv_environment(build.env)
    key = early_venv.seed_key(build)
    attempt = early_venv.result_for(build, venv)  # made offline beside the build: shown now
    note = " (made while the wheel built)"
    if attempt is None and seed and caches.recently_asked_for(build, key):
        offline = [*argv, "--offline"]
        run = build.run
        attempt = offline, run.container.run(offline, env=env, cwd=run.paths.project, capture=True)
        note = ""
    if attempt is not None:
        if _show(build, *attempt, note=note) == 0:
            return True
        build.capture(["rm", "-rf", "--", str(venv)])  # what the failed attempt left
    fallback = build.options.test_installer == "auto" and seed
    if not fallback:
        build.call(argv, env=env)
        if seed:
            caches.mark_asked_for(build, key)
        return True
    result = build.run.container.run(argv, env=env, cwd=build.run.paths.project)
    if result.returncode == 0:
        caches.mark_asked_for(build, key)
        return True
    build.run.ctx.output.info(
        f"{build.identifier}: `uv venv` failed for {python} (exit code {result.returncode});"
        " making the test environment with venv + pip instead"
    )
    build.capture(["rm", "-rf", "--", str(venv)])
    return False


def _install(build: BuildRun, test_env: FreshVenv, *requirements: str) -> None:
    """An install into the test venv. Captured (then shown) so the packages it downloaded can
    be counted."""
    argv = venv_install_argv(test_env.tool, *requirements, uv=test_env.uv, venv=test_env.venv)
    if test_env.tool == "pip":
        _counted(build, argv, test_env.env)
        return
    env = uv_tools.uv_environment(test_env.env)
    key = " ".join(requirements)
    if not (
        caches.recently_asked_for(build, key) and _shown_run(build, [*argv, "--offline"], env) == 0
    ):
        _counted(build, argv, env)
        caches.mark_asked_for(build, key)


def _shown_run(build: BuildRun, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``argv`` captured, show it and its output, count what it fetched; its exit code.
    A failed ``--offline`` attempt is only mentioned: the same command then asks the index."""
    run = build.run
    return _show(build, argv, run.container.run(argv, env=env, cwd=run.paths.project, capture=True))


def _show(build: BuildRun, argv: Sequence[str], result: ExecResult, *, note: str = "") -> int:
    """Show a captured command and its output, count what it fetched; its exit code."""
    output = build.run.ctx.output
    if "--offline" in argv and result.returncode != 0:
        output.info(f"    (not all in uv's cache: {display(argv[:3])} asks the index)")
        return result.returncode
    output.info(f"    + {display(argv)}{note}")
    for line in [*result.stdout.splitlines(), *result.stderr.splitlines()]:
        output.stream_line(line)
    fetched = count_downloads(f"{result.stdout}\n{result.stderr}")
    build.cache = dataclasses.replace(build.cache, downloads=(build.cache.downloads or 0) + fetched)
    return result.returncode


def _counted(build: BuildRun, argv: Sequence[str], env: Mapping[str, str]) -> None:
    returncode = _shown_run(build, argv, env)
    if returncode != 0:
        raise BuildStepError(
            identifier=build.identifier,
            step=build.current_step,
            command=display(argv),
            returncode=returncode,
        )


def _install_wheel(build: BuildRun, test_env: FreshVenv, *requirements: str) -> None:
    """The wheel (with its extras) and ``requirements``: pip in two steps as cibuildwheel; uv
    in one resolution."""
    extras = build.options.test_extras
    wheel = f"{build.wheel}[{','.join(extras)}]" if extras else str(build.wheel)
    if test_env.tool == "pip":
        _install(build, test_env, wheel)
        if requirements:
            _install(build, test_env, *requirements)
        return
    _install(build, test_env, wheel, *requirements)


def _smoke(build: BuildRun, test_env: FreshVenv) -> None:
    _install_wheel(build, test_env)
    build.call(["python", "-c", SMOKE, str(build.wheel)], env=test_env.env)


def _full(build: BuildRun, test_env: FreshVenv, test_cwd: PurePosixPath) -> None:
    options = build.options
    paths = build.run.paths
    env = test_env.env
    if options.before_test.strip():
        before = prepare_command(options.before_test, project=paths.project, package=paths.package)
        build.call(shell(before), env=env)
    _install_wheel(build, test_env, *options.test_requires, *options.test_group_requirements)
    _place_test_sources(build, test_cwd)
    command = prepare_command(
        options.test_command, project=paths.project, package=paths.package, wheel=str(build.wheel)
    )
    build.call(shell(command), env=env, cwd=test_cwd)


def _place_test_sources(build: BuildRun, test_cwd: PurePosixPath) -> None:
    project_dir = build.run.globals.project_dir
    if not build.options.test_sources:
        build.run.container.write_file(test_cwd / GUARD_NAME, GUARD.encode())
        return
    for relative in build.options.test_sources:
        source = project_dir / relative
        if not source.exists():
            raise FatalError(
                f"{build.identifier}: test-sources entry {relative!r} does not exist in"
                f" {project_dir}; paths are relative to the project directory"
            )
        build.run.container.copy_in(source, test_cwd / PurePosixPath(relative).as_posix())
