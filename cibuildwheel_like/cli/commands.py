"""The `run` and `plan` subcommands: resolve options, make the plan, then print or execute it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.cli import plan_view
from cibuildwheel_like.errors import ConfigurationError, NothingToDoError
from cibuildwheel_like.options.package_source import open_package
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options
from cibuildwheel_like.plan import Plan, make_plan

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.model import PythonConfiguration


def _cli_values(args: argparse.Namespace, package_dir: Path) -> CliValues:
    return CliValues(
        platform=args.platform,
        archs=args.archs,
        output_dir=args.output_dir,
        config_file=None if args.config_file is None else Path(args.config_file),
        package_dir=package_dir,
        only=args.only,
        enable=tuple(args.enable),
        allow_empty=bool(args.allow_empty),
        debug_traceback=bool(args.debug_traceback),
        print_build_identifiers=bool(getattr(args, "print_build_identifiers", False)),
    )


PACKAGE_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _check_package_files(package_dir: Path) -> None:
    if not any((package_dir / name).exists() for name in PACKAGE_FILES):
        raise ConfigurationError(
            f"PACKAGE: {package_dir} has none of {', '.join(PACKAGE_FILES)} at its root; point"
            " PACKAGE (or the working directory) at the project to build"
        )


@contextlib.contextmanager
def _resolved(
    args: argparse.Namespace, ctx: Context
) -> Iterator[tuple[Resolver, list[PythonConfiguration], Plan]]:
    """Everything answered before any engine is touched: options, identifiers, images."""
    # Output and config paths stay relative to the invoking directory, even for an sdist.
    if args.output_dir is not None:
        args.output_dir = (ctx.cwd / args.output_dir).resolve()
    with open_package(args.package, cwd=ctx.cwd) as source:
        config_file = None
        if args.config_file:
            config_file = Path(args.config_file.replace("{package}", str(source.package_dir)))
            config_file = (ctx.cwd / config_file).resolve()
        _check_package_files(source.package_dir)
        resolver = resolve_options(
            project_dir=source.project_dir,
            package_dir=source.package_dir,
            config_file=config_file,
            environ=ctx.environ,
            cli=_cli_values(args, source.package_dir),
        )
        configs = resolver.selected_configurations()
        plan = make_plan(resolver.build_options(c) for c in configs)
        yield resolver, configs, plan


def _nothing_to_build(resolver: Resolver) -> int:
    if resolver.globals.allow_empty:
        return 0
    raise NothingToDoError(
        "no build identifiers selected: build="
        f"{resolver.globals.build_selector!r} skip={resolver.globals.skip_selector!r}"
        f" archs={','.join(sorted(a.value for a in resolver.globals.archs))}."
        " Check `build`, `skip`, `archs` and requires-python, or pass --allow-empty"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    with _resolved(args, ctx) as (resolver, configs, plan):
        if args.print_build_identifiers:
            # In selection order, as cibuildwheel prints them (the plan orders by container).
            for config in configs:
                ctx.output.print_raw(config.identifier)
            return 0
        if not plan.builds:
            return _nothing_to_build(resolver)
        from cibuildwheel_like import pipeline  # noqa: PLC0415  # engine code, lazily
        from cibuildwheel_like.cli import finish as run_report  # noqa: PLC0415  # engine code, lazily

        return run_report.run_and_report(
            plan=plan,
            resolver=resolver,
            ctx=ctx,
            report_path=args.report,
            execute=pipeline.execute,
        )


def plan(args: argparse.Namespace, ctx: Context) -> int:
    with _resolved(args, ctx) as (resolver, _configs, the_plan):
        if args.json:
            ctx.output.print_raw(plan_view.to_json(the_plan, resolver))
        else:
            plan_view.show(the_plan, resolver, ctx.output)
        if not the_plan.builds:
            return _nothing_to_build(resolver)
    return 0
