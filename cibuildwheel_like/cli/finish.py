"""Run a plan and always finish the same way: summary table, CI summary and build report.

The report and summary are written whether the run succeeded, failed or was interrupted, so a
failure late in a long run still leaves a readable account of every wheel already delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.report import summary as report
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.model import GlobalOptions
    from cibuildwheel_like.options.resolver import Resolver
    from cibuildwheel_like.plan import Plan

Execute = Callable[..., list[BuildResult]]


def run_and_report(
    *,
    plan: Plan,
    resolver: Resolver,
    ctx: Context,
    report_path: Path | None,
    execute: Execute,
) -> int:
    out = ctx.output
    options: GlobalOptions = resolver.globals
    results: list[BuildResult] = []
    exit_code = 130  # until execute returns or raises a FatalError: an interrupt
    error: str | None = "interrupted"
    out.header(plan)

    def on_result(result: BuildResult) -> None:
        results.append(result)
        out.build_finished(result)  # advances the progress bar, reused abi3 wheels included

    try:
        execute(plan, options, ctx, on_result=on_result)
        exit_code, error = 0, None
    except FatalError as e:
        exit_code, error = e.exit_code, str(e)
        raise
    finally:
        out.summary(
            results,
            options=report.non_default_options(resolver.explain(None)),
            exit_code=exit_code,
        )
        path = report_path or options.output_dir / "build-report.json"
        out.report(path, results, exit_code=exit_code, error=error, output_dir=options.output_dir)
        out.close()
    return exit_code
