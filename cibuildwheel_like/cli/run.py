"""``run``: plan, execute, and always finish the same way (summary, CI summary, build report).

The summary and the report are written whether the run succeeded, failed or was interrupted, so
a failure late in a long run still leaves an account of every wheel already delivered; a failure
while reporting never replaces the error that stopped the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.cli.arguments import (
    add_selection_arguments,
    add_verbosity_arguments,
    selection_from,
)
from cibuildwheel_like.cli.selection import (
    announce_cross,
    check_buildable,
    nothing_to_build,
    planned,
)
from cibuildwheel_like.errors import FatalError, HostCommandError
from cibuildwheel_like.options.cascade import COMMAND_LINE
from cibuildwheel_like.report import build_report, summary

if TYPE_CHECKING:
    import argparse

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult
    from cibuildwheel_like.report.retry import RetryChoice


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="build, repair and test wheels", allow_abbrev=False)
    add_selection_arguments(parser)
    add_verbosity_arguments(parser, default=None)
    parser.add_argument(
        "--print-build-identifiers",
        action="store_true",
        help="print the identifiers that would be built, and exit",
    )
    parser.add_argument(
        "--clean-cache",
        action="store_true",
        help="empty the cache directory (CIBW_CACHE_PATH or the user cache) and exit",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        help="build report JSON path (default: build-report.json in the working directory)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        default=False,
        help="a failure ends that identifier only; every other one still builds (exit 1 at"
        " the end); env CIBWL_KEEP_GOING",
    )
    parser.add_argument(
        "--retry-failed",
        type=Path,
        default=None,
        metavar="REPORT",
        help="build again only the identifiers that failed or did not run in REPORT (a build"
        " report of this configuration), and those whose wheel is missing or changed",
    )
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace, ctx: Context) -> int:
    if args.clean_cache:
        # As cibuildwheel's flag: nothing else happens, whatever the project says.
        ctx.cache.clean()
        ctx.output.info(f"cache emptied: {ctx.cache.root}")
        return 0
    selection = selection_from(args)
    report_arg: Path | None = args.report
    retry_arg: Path | None = args.retry_failed
    with planned(selection, ctx) as full_plan:
        plan = full_plan
        if selection.print_build_identifiers:
            # In selection order, as cibuildwheel prints them (the plan orders by container).
            for identifier in plan.selected:
                ctx.output.print_raw(identifier)
            return 0
        if not plan.builds and not _empty_share(plan, ctx):
            return nothing_to_build(plan)
        check_buildable(plan.globals)
        report_path = _report_path(report_arg, plan, ctx)
        retry: RetryChoice | None = None
        if retry_arg is not None:
            from cibuildwheel_like.cli.retry import retry_plan  # noqa: PLC0415

            plan, retry = retry_plan(full_plan, (ctx.cwd / retry_arg).resolve(), ctx)
        announce_cross(plan, ctx.output)
        from cibuildwheel_like import pipeline  # noqa: PLC0415  # engine code, loaded lazily
        from cibuildwheel_like.pipeline.deliver import prepare_output_dir  # noqa: PLC0415
        from cibuildwheel_like.pipeline.output_lock import output_dir_lock  # noqa: PLC0415

        output_dir = plan.globals.output_dir
        prepare_output_dir(output_dir, option=_output_dir_option(plan))
        with output_dir_lock(output_dir, cache=ctx.cache, output=ctx.output):
            return execute_and_report(
                plan, ctx, report_path=report_path, execute=pipeline.execute, retry=retry
            )


def _empty_share(plan: Plan, ctx: Context) -> bool:
    """A share of a plan that has builds, but none in this share (more shares than pieces):
    the run still writes its report, so that merging the shares sees every one of them."""
    if plan.share is None or not plan.share.plan_identifiers:
        return False
    ctx.output.warning(
        f"shard {plan.share.shard} holds no build of this plan (it has fewer pieces than"
        f" {plan.share.shard.count} shares); writing an empty report for it"
    )
    return True


def _output_dir_option(plan: Plan) -> str:
    source = plan.run_options.get("output-dir")
    layer = source.layer if source is not None else "default"
    return "--output-dir" if layer == COMMAND_LINE else f"output-dir ({layer})"


def _report_path(report_arg: Path | None, plan: Plan, ctx: Context) -> Path:
    if report_arg is not None:
        path = (ctx.cwd / report_arg).resolve()
        option = "--report"
    else:
        path = build_report.default_report_path(output_dir=plan.globals.output_dir, cwd=ctx.cwd)
        option = "build report (default path; set another with --report)"
    build_report.check_report_path(path, option=option)
    return path


def execute_and_report(
    plan: Plan,
    ctx: Context,
    *,
    report_path: Path,
    execute: Any,
    retry: RetryChoice | None = None,
) -> int:
    """Run ``execute(plan, ctx, on_result=...)``; then summary, CI summary and report.

    ``retry``: ``plan`` is what ``run --retry-failed`` builds again; the kept builds are
    handed to ``execute`` (their wheels may be reused) and join the summary and the report."""
    out = ctx.output
    results: list[BuildResult] = []
    exit_code = 130  # until execute returns or raises a FatalError: an interrupt
    error: str | None = "interrupted"
    out.header(plan)

    def on_result(result: BuildResult) -> None:
        results.append(result)
        out.build_finished(result)  # the one completion signal, reused abi3 wheels included

    try:
        extra = {} if retry is None else {"kept": retry.kept}
        execute(plan, ctx, on_result=on_result, **extra)
        exit_code, error = 0, None
    except FatalError as e:
        exit_code, error = e.exit_code, str(e)
        raise
    finally:
        _finish(
            plan,
            ctx,
            results,
            report_path=report_path,
            exit_code=exit_code,
            error=error,
            retry=retry,
        )
    return exit_code


def _finish(
    plan: Plan,
    ctx: Context,
    results: list[BuildResult],
    *,
    report_path: Path,
    exit_code: int,
    error: str | None,
    retry: RetryChoice | None = None,
) -> None:
    """Summary and report. When an error is already in flight, a reporting failure is only a
    warning (the original error is what the user must see); otherwise it fails the run."""
    out = ctx.output
    # Lanes decide builds in any order; the summary and the report list them in plan order.
    order = [b.identifier for b in plan.builds] if retry is None else retry.order
    if retry is not None:
        results = [*retry.kept, *results]
    results = summary.in_plan_order(results, order)
    try:
        out.summary(
            results,
            options=summary.non_default_options(plan.run_options),
            exit_code=exit_code,
            order=order,
        )
        data = build_report.build_report(
            results,
            exit_code=exit_code,
            error=error,
            output_dir=plan.globals.output_dir,
            retry=None if retry is None else retry.report_entry(),
            plan=plan,
        )
        written = build_report.write_report(report_path, out.redact_data(data))
        out.info(f"build report: {written}")
        if any(r.status != "built" for r in results):
            out.info(
                "to build only what failed or did not run, once fixed:"
                f" cibuildwheel-like run --retry-failed {written}"
            )
    except (OSError, FatalError) as e:
        message = f"could not write the build report to {report_path}: {e}"
        if error is not None:
            out.warning(message)
        else:
            raise HostCommandError(message) from e
    finally:
        out.close()
