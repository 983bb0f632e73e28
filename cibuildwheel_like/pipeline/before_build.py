"""Stage "before-build": the compiler cache wired in, then the user's command, once per
identifier that builds a wheel (a reused abi3 wheel compiles nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.pipeline import caches
from cibuildwheel_like.pipeline.argv import prepare_command, shell
from cibuildwheel_like.pipeline.uv_tools import uses_uv

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.pipeline.state import BuildRun


def before_build(build: BuildRun) -> None:
    # Here rather than in "prepare": what before-build compiles is cached too, and an
    # identifier that reuses an abi3 wheel never pays for the probe.
    caches.wire_compiler_cache(build)
    run_before_build(build)


def run_before_build(build: BuildRun, *, extra_env: Mapping[str, str] | None = None) -> None:
    """The user's command, if any; ``extra_env`` over the build's environment (a cross build's
    toolchain)."""
    command = build.options.before_build
    if not command.strip():
        return
    with build.step("before-build"):
        paths = build.run.paths
        env = {**build.env, **(extra_env or {})}
        if uses_uv(build.options.build_frontend):
            # No venv on Linux: let `uv pip install` in before-build target this Python.
            env["UV_PYTHON"] = str(build.python_bin / "python")
        build.call(
            shell(prepare_command(command, project=paths.project, package=paths.package)), env=env
        )
