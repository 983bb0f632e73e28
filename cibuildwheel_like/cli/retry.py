"""``run --retry-failed REPORT``: the plan narrowed to what the report says failed or did not
run (see ``report.retry`` for the choice), and what the run says about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.plan import Plan, make_plan
from cibuildwheel_like.report import retry

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.retry import RetryChoice


def narrowed(plan: Plan, identifiers: tuple[str, ...]) -> Plan:
    """``plan`` with only ``identifiers``: grouped and laned again, options unchanged."""
    wanted = set(identifiers)
    builds = [b for b in plan.builds if b.identifier in wanted]
    return make_plan(
        globals=plan.globals,
        builds=builds,
        run_options=plan.run_options,
        build_sources={b.identifier: plan.sources_of(b.identifier) for b in builds},
    )


def retry_plan(plan: Plan, report: Path, ctx: Context) -> tuple[Plan, RetryChoice]:
    """Read ``report``, choose what to build again, and say so."""
    data = retry.load(report)
    output_dir = plan.globals.output_dir
    choice = retry.choose(
        data, source=report, plan=[b.identifier for b in plan.builds], output_dir=output_dir
    )
    out = ctx.output
    if choice.retried:
        out.info(
            f"retrying {len(choice.retried)} of {len(choice.order)} identifier(s) from {report}:"
        )
        for identifier in choice.retried:
            out.info(f"  {identifier}: {choice.reasons[identifier]}")
    else:
        out.info(f"nothing to retry: every identifier of {report} is built and its wheel is")
        out.info(f"  unchanged in {output_dir}")
    if choice.kept:
        wheels = sorted({r.wheel.name for r in choice.kept if r.wheel is not None})
        out.info(
            f"keeping {len(choice.kept)} build(s) whose wheels are in {output_dir} as the"
            f" report recorded them (sha256 checked): {', '.join(wheels)}"
        )
    return narrowed(plan, choice.retried), choice
