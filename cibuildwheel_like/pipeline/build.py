"""Stage "build": one wheel from the configured frontend, or exit 10 / exit 5."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import NonPlatformWheelError, NoWheelBuiltError
from cibuildwheel_like.pipeline import caches, uv_tools
from cibuildwheel_like.pipeline.argv import (
    build_argv,
    config_settings_flags,
    is_pure_wheel,
    stale_so_hint,
    verbosity_flags,
)

if TYPE_CHECKING:
    from cibuildwheel_like.pipeline.state import BuildRun

# After the build, in one command: the compiler cache's stats log of this build ($2, when it
# keeps one), a separator line ($3), then the wheels in the output folder ($1).
AFTER_BUILD = (
    '[ -z "$2" ] || cat -- "$2" 2>/dev/null; echo "$3"\n'
    'for f in "$1"/*.whl; do [ -e "$f" ] && echo "$f"; done; true'
)
WHEELS_SEPARATOR = "--- cibuildwheel-like: wheels ---"
FRESH_DIRS = 'rm -rf -- "$@" && mkdir -p -- "$@"'


def fresh_dirs(build: BuildRun, *directories: PurePosixPath) -> None:
    """Empty (or make) ``directories``, in one command."""
    build.capture(["sh", "-c", FRESH_DIRS, "sh", *map(str, directories)])


def _after_build(build: BuildRun, directory: PurePosixPath) -> list[PurePosixPath]:
    """Records the compiler cache's hits and misses; returns the wheels in ``directory``."""
    log = caches.compiler_stats_log(build)
    argv = ["sh", "-c", AFTER_BUILD, "sh", str(directory), str(log or ""), WHEELS_SEPARATOR]
    stats, _, found = build.capture(argv).partition(f"{WHEELS_SEPARATOR}\n")
    if log is not None:
        caches.record_compiler_stats(build, stats)
    return [PurePosixPath(line) for line in found.splitlines() if line.strip()]


def build_wheel(build: BuildRun) -> PurePosixPath:
    """Build into an empty directory; return the one wheel it produced."""
    options = build.options
    paths = build.run.paths
    with build.step("build"):
        fresh_dirs(build, paths.built, paths.repaired)  # the repair step's too: one command
        extra = [
            *config_settings_flags(
                options.config_settings,
                frontend=options.build_frontend.name,
                project=paths.project,
                package=paths.package,
            ),
            *verbosity_flags(options.build_verbosity, options.build_frontend.name),
        ]
        uv = uv_tools.uv_for_build_env(build, [*extra, *options.build_frontend.args])
        argv = build_argv(
            options.build_frontend,
            package=paths.package,
            out_dir=paths.built,
            python=build.python_bin / "python",
            extra=extra,
            uv_installer=uv is not None,
        )
        env = None if uv is None else uv_tools.build_environment(build.env, uv)
        build.call(argv, env=env, hint=lambda: stale_so_hint(build.run.globals.package_dir))
        return collect_wheel(build)


def collect_wheel(build: BuildRun) -> PurePosixPath:
    """The one platform wheel the build made (exit 10 for none or several, 5 for a pure one)."""
    built = build.run.paths.built
    wheels = _after_build(build, built)
    if len(wheels) != 1:
        names = ", ".join(w.name for w in wheels) or "none"
        raise NoWheelBuiltError(
            f"{build.identifier}: the build step should produce exactly one wheel in"
            f" {built}, found {names}. Check that the build backend builds a wheel"
            " (and only one) for this package."
        )
    if is_pure_wheel(wheels[0].name):
        raise NonPlatformWheelError(build.identifier, wheels[0].name)
    return wheels[0]
