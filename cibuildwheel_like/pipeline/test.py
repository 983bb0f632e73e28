"""Stage "test": a fresh venv per identifier (stdlib venv, or `uv venv` + `uv pip` with a uv
frontend, as cibuildwheel); full tests, or smoke/skip when emulated."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.pipeline.argv import MAKE_VENV, prepare_command, shell
from cibuildwheel_like.pipeline.prepare import executor_for
from cibuildwheel_like.pipeline.uv_tools import install_argv, uses_uv

if TYPE_CHECKING:
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
        made = build.capture(["mktemp", "-d", "/tmp/cibwl-test.XXXXXX"])  # noqa: S108
        tmp = PurePosixPath(made.strip())
        venv_env = _make_venv(build, tmp / "venv")
        if mode == "smoke":
            _smoke(build, venv_env)
            build.test_outcome = "smoke"
        else:
            _full(build, venv_env, tmp / "test_cwd")
            build.test_outcome = "passed"
        build.capture(["rm", "-rf", "--", str(tmp)])


def _make_venv(build: BuildRun, venv: PurePosixPath) -> dict[str, str]:
    """With a uv frontend, `uv venv` (no pip inside, installs use `uv pip`), as cibuildwheel."""
    if uses_uv(build.options.build_frontend):
        build.call(["uv", "venv", str(venv), "--python", str(build.python_bin / "python")])
    else:
        shown = f"python -m venv {venv} (seeded with this Python's pip)"
        build.call(["sh", "-c", MAKE_VENV, "sh", str(venv)], shown=shown)
    env = dict(build.env)
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env.pop("PYTHONHOME", None)
    return build.options.test_environment.evaluate(env, executor_for(build, "test-environment"))


def _smoke(build: BuildRun, env: dict[str, str]) -> None:
    wheel = str(build.wheel)
    build.call(install_argv(build.options.build_frontend, wheel), env=env)
    build.call(["python", "-c", SMOKE, wheel], env=env)


def _full(build: BuildRun, env: dict[str, str], test_cwd: PurePosixPath) -> None:
    options = build.options
    paths = build.run.paths
    if options.before_test.strip():
        before = prepare_command(options.before_test, project=paths.project, package=paths.package)
        build.call(shell(before), env=env)
    extras = f"[{','.join(options.test_extras)}]" if options.test_extras else ""
    frontend = options.build_frontend
    build.call(install_argv(frontend, f"{build.wheel}{extras}"), env=env)
    requirements = [*options.test_requires, *options.test_group_requirements]
    if requirements:
        build.call(install_argv(frontend, *requirements), env=env)
    build.capture(["mkdir", "-p", str(test_cwd)])
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
