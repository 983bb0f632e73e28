"""From a ``Selection`` to a ``Plan``: the project, its options, its identifiers and images.

Everything here is answered before any engine is touched.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError, NothingToDoError
from cibuildwheel_like.options.cascade import COMMAND_LINE
from cibuildwheel_like.options.package_source import open_package
from cibuildwheel_like.options.resolver import CliValues, resolve_options
from cibuildwheel_like.output import secrets
from cibuildwheel_like.plan import Plan, make_plan
from cibuildwheel_like.shards import Shard, parse_shard, select_share

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from cibuildwheel_like.cli.arguments import Selection
    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.model import GlobalOptions
    from cibuildwheel_like.output.console import Output

PACKAGE_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def check_package_files(package_dir: Path) -> None:
    present = [name for name in PACKAGE_FILES if (package_dir / name).exists()]
    if not present:
        raise ConfigurationError(
            f"PACKAGE: {package_dir} has none of {', '.join(PACKAGE_FILES)} at its root; point"
            " PACKAGE (or the working directory) at the project to build"
        )


def check_buildable(globals: GlobalOptions) -> None:  # noqa: A002  # cibuildwheel's name
    """Before a real build: an empty pyproject.toml alone says nothing about how to build.

    Listing identifiers or showing the plan needs no build backend, so only `run` asks this.
    """
    if globals.only_an_empty_pyproject:
        raise ConfigurationError(
            f"{globals.package_dir / 'pyproject.toml'} is empty and there is no setup.py or"
            " setup.cfg: nothing says how to build this project. Add a [build-system] (and"
            " [project]) table, or point PACKAGE at the project to build"
        )


def _cli_values(selection: Selection, package_dir: Path, output_dir: Path | None) -> CliValues:
    return CliValues(
        platform=selection.platform,
        archs=selection.archs,
        output_dir=output_dir,
        package_dir=package_dir,
        only=selection.only,
        enable=selection.enable,
        allow_empty=selection.allow_empty,
        debug_traceback=selection.debug_traceback,
        print_build_identifiers=selection.print_build_identifiers,
        jobs=selection.jobs,
        no_cache=selection.no_cache,
        keep_going=selection.keep_going,
        shard=selection.shard,
    )


@contextlib.contextmanager
def planned(selection: Selection, ctx: Context, *, whole: bool = False) -> Iterator[Plan]:
    """The plan, valid while the package is open (an sdist is extracted until then): one share
    of it when --shard / CIBWL_SHARD says so, unless ``whole``."""
    # Output and config paths stay relative to the invoking directory, even for an sdist.
    output_dir = None if selection.output_dir is None else (ctx.cwd / selection.output_dir)
    with open_package(selection.package, cwd=ctx.cwd) as source:
        config_file = None
        if selection.config_file is not None:
            text = selection.config_file.replace("{package}", str(source.package_dir))
            config_file = (ctx.cwd / text).resolve()
        check_package_files(source.package_dir)
        resolver = resolve_options(
            project_dir=source.project_dir,
            package_dir=source.package_dir,
            config_file=config_file,
            environ=ctx.environ,
            cli=_cli_values(selection, source.package_dir, output_dir),
        )
        configs = resolver.selected_configurations()
        plan = make_plan(
            globals=resolver.globals,
            builds=[resolver.build_options(c) for c in configs],
            run_options=resolver.explain(None),
            build_sources={c.identifier: resolver.explain(c) for c in configs},
        )
        # environment-pass values and literal secrets of the options: masked from here on
        ctx.output.protect(secrets.from_plan(plan, ctx.environ))
        check_cross(plan)
        shard = shard_of(plan)
        yield plan if shard is None or whole else select_share(plan, shard)


def shard_of(plan: Plan) -> Shard | None:
    """The shard --shard / CIBWL_SHARD asks for (checked), or None."""
    resolved = plan.run_options.get("shard")
    if resolved is None or not resolved.value.strip():
        return None
    option = "--shard" if resolved.layer == COMMAND_LINE else f"shard ({resolved.layer})"
    return parse_shard(resolved.value, option=option)


def nothing_to_build(plan: Plan) -> int:
    g = plan.globals
    if g.allow_empty:
        return 0
    raise NothingToDoError(
        f"no build identifiers selected: build={g.build_selector!r} skip={g.skip_selector!r}"
        f" archs={','.join(sorted(a.value for a in g.archs))}."
        " Check `build`, `skip`, `archs` and requires-python, or pass --allow-empty"
    )


def check_cross(plan: Plan) -> None:
    """``emulation = cross`` for a build that cannot be cross-compiled is a configuration error
    (exit 2), for every command and every share, before any container: the whole plan's builds,
    each with its reasons, and the fix."""
    refused = {i: d for i, d in plan.cross.items() if d.setting == "cross" and d.reasons}
    if not refused:
        return
    layers = dict.fromkeys(
        source.layer
        for i in refused
        if (source := plan.build_sources.get(i, {}).get("emulation")) is not None
    )
    where = f" (from {', '.join(layers)})" if layers else ""
    count = f"{len(refused)} identifier{'s' if len(refused) != 1 else ''}"
    lines = [f"emulation = 'cross'{where}: {count} cannot be cross-compiled:"]
    lines += [f"  {i}: {'; '.join(d.reasons)}" for i, d in refused.items()]
    lines.append(
        "Use emulation = 'auto' (cross-compile what can be, emulate the rest) or 'emulate', or"
        " set it per identifier in [[tool.cibuildwheel-like.overrides]]"
    )
    raise ConfigurationError("\n".join(lines))


def announce_cross(plan: Plan, output: Output) -> None:
    """Before a run: which builds ``auto`` emulates instead of cross-compiling, and why (one
    info line each), and what may not be ready for a cross build (a warning per build)."""
    for identifier, d in plan.cross.items():
        if d.mode == "emulate" and d.setting == "auto" and d.reasons:
            output.info(
                f"{identifier}: emulated, not cross-compiled (emulation = 'auto'):"
                f" {'; '.join(d.reasons)}"
            )
        elif d.mode == "cross" and d.warnings:
            output.warning(
                f"{identifier}: cross-compiled (emulation = '{d.setting}'), but"
                f" {'; '.join(d.warnings)}"
            )
