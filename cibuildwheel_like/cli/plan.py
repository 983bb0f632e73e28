"""``plan``: what would be built, where and how, as a readable listing or stable JSON.

The JSON layout is documented in docs/plan-json.md; fields are only ever added.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cibuildwheel_like import __version__
from cibuildwheel_like.cli import github_matrix
from cibuildwheel_like.cli.arguments import (
    add_selection_arguments,
    add_verbosity_arguments,
    selection_from,
)
from cibuildwheel_like.cli.selection import nothing_to_build, planned, shard_of
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.shards import DEFAULT_MAX_JOBS

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.cross_support import CrossDecision
    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.plan import Plan

PLAN_SCHEMA_VERSION = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan", help="show what would be built, where and how", allow_abbrev=False
    )
    add_selection_arguments(parser)
    add_verbosity_arguments(parser, default=None)
    parser.add_argument("--json", action="store_true", help="stable JSON output (see docs)")
    parser.add_argument(
        "--github-matrix",
        action="store_true",
        help="print the shares as a GitHub Actions job matrix (JSON for fromJSON)",
    )
    parser.add_argument(
        "--max-jobs",
        default=str(DEFAULT_MAX_JOBS),
        metavar="N",
        help=f"with --github-matrix: at most N jobs (default {DEFAULT_MAX_JOBS})",
    )
    parser.add_argument(
        "--arm-runner",
        default=None,
        metavar="LABEL",
        help="with --github-matrix: runs-on label of a native arm64 runner for aarch64 shares",
    )
    parser.set_defaults(handler=command)


def _max_jobs(text: str) -> int:
    if text.strip().isdigit() and int(text) >= 1:
        return int(text)
    raise ConfigurationError(f"--max-jobs = {text!r} is not valid; use a positive integer")


def command(args: argparse.Namespace, ctx: Context) -> int:
    as_json = bool(args.json)
    if args.github_matrix:
        return _github_matrix(args, ctx)
    if args.arm_runner is not None or args.max_jobs != str(DEFAULT_MAX_JOBS):
        raise ConfigurationError("--max-jobs and --arm-runner go with --github-matrix")
    with planned(selection_from(args), ctx) as the_plan:
        if as_json:
            ctx.output.print_raw(to_json(the_plan, redact=ctx.output.redact_data))
        else:
            show(the_plan, ctx.output)
        if not the_plan.builds:
            return nothing_to_build(the_plan)
    return 0


def _github_matrix(args: argparse.Namespace, ctx: Context) -> int:
    if args.json:
        raise ConfigurationError("--github-matrix and --json are two outputs; choose one")
    max_jobs = _max_jobs(args.max_jobs)
    arm_runner: str | None = args.arm_runner
    if arm_runner is not None and not arm_runner.strip():
        raise ConfigurationError("--arm-runner: give the runs-on label of the arm64 runner")
    with planned(selection_from(args), ctx, whole=True) as the_plan:
        if shard_of(the_plan) is not None:
            raise ConfigurationError(
                "--github-matrix plans every share: drop --shard (or unset CIBWL_SHARD)"
            )
        ctx.output.print_raw(
            github_matrix.to_json(the_plan, max_jobs=max_jobs, arm_runner=arm_runner)
        )
        if not the_plan.builds:
            return nothing_to_build(the_plan)
    return 0


def to_data(plan: Plan) -> dict[str, Any]:
    g = plan.globals
    groups = []
    builds = []
    for index, group in enumerate(plan.groups):
        groups.append(
            {
                "index": index,
                "platform_tag": group.platform_tag,
                "arch": group.arch.value,
                "image": group.image,
                "engine": {
                    "name": group.engine.name,
                    "create_args": list(group.engine.create_args),
                    "disable_host_mount": group.engine.disable_host_mount,
                },
                "before_all": group.before_all,
                "identifiers": list(group.identifiers),
            }
        )
        for build in group.builds:
            sources = plan.sources_of(build.identifier)
            lane, position, slot = plan.slot_of(build.identifier)
            builds.append(
                {
                    "identifier": build.identifier,
                    "group": index,
                    "lane": lane.index,
                    "container": position,
                    "group_part": slot.part,
                    "image": group.image,
                    "engine": group.engine.name,
                    "interpreter": build.config.path,
                    "test": not build.test_skipped and bool(build.test_command),
                    "test_container": test_container_data(build, group.image),
                    "emulation": emulation_data(plan.cross.get(build.identifier)),
                    "options": {
                        name: {"value": r.value, "source": r.layer} for name, r in sources.items()
                    },
                }
            )
    return {
        "schema_version": PLAN_SCHEMA_VERSION,
        "tool": {"name": "cibuildwheel-like", "version": __version__},
        "package_dir": str(g.package_dir),
        "project_dir": str(g.project_dir),
        "output_dir": str(g.output_dir),
        "config_file": None if g.config_file is None else str(g.config_file),
        "ca_bundle": None if g.ca_bundle is None else str(g.ca_bundle),
        "groups": groups,
        "jobs": plan.jobs,
        "overlaps_tests": plan.overlaps_tests,
        "lanes": [
            {
                "index": lane.index,
                "estimated_cost": round(lane.cost, 2),
                "containers": [
                    {
                        "group": slot.group,
                        "part": slot.part,
                        "parts": slot.parts,
                        "identifiers": list(slot.identifiers),
                        "estimated_cost": round(slot.cost, 2),
                    }
                    for slot in lane.containers
                ],
            }
            for lane in plan.lanes
        ],
        "builds": builds,
        "fingerprint": plan.fingerprint,
        "shard": None if plan.share is None else str(plan.share.shard),
    }


def test_container_data(build: BuildOptions, build_image: str) -> dict[str, Any]:
    """Where the build's tests run: its build container, or a fresh one from ``image``."""
    fresh = build.test_container == "fresh"
    return {
        "mode": build.test_container,
        "image": (build.test_image or build_image) if fresh else None,
    }


def emulation_data(decision: CrossDecision | None) -> dict[str, Any] | None:
    """How the build is made (``emulation``): natively, under QEMU or cross-compiled, and why."""
    if decision is None:
        return None
    return {
        "setting": decision.setting,
        "mode": decision.mode,
        "reasons": list(decision.reasons),
        "warnings": list(decision.warnings),
        "build_image": decision.build_image,
    }


def emulation_line(decision: CrossDecision | None) -> str | None:
    """The text view's line for a foreign-arch build whose emulation is cross or auto."""
    if decision is None or decision.setting == "emulate":
        return None
    match decision.mode:
        case "native":
            return None
        case "emulate":
            return f"emulated ({'; '.join(decision.reasons)})"
        case "cross":
            warnings = "".join(f"; warning: {w}" for w in decision.warnings)
            return f"cross (compiled in {decision.build_image}{warnings})"


def to_json(plan: Plan, *, redact: Callable[[Any], Any] | None = None) -> str:
    """``redact``: masks the secrets in the document (Output.redact_data)."""
    data = to_data(plan)
    return json.dumps(data if redact is None else redact(data), indent=2, sort_keys=False)


def show(plan: Plan, output: Output) -> None:
    """The readable listing; printed whatever -q says: it is what `plan` was asked for."""
    g = plan.globals
    output.print_raw(f"output dir: {g.output_dir}")
    output.print_raw(f"config file: {g.config_file or '(none)'}")
    output.print_raw(f"plan fingerprint: {plan.fingerprint}")
    if plan.share is not None:
        output.print_raw(
            f"shard {plan.share.shard}: {len(plan.builds)} of the plan's"
            f" {len(plan.share.plan_identifiers)} builds (~{plan.share.estimated_cost:.2f})"
        )
    if g.wheel_reuse_hint is not None:
        output.print_raw(
            f"may build a wheel later Pythons reuse ({g.wheel_reuse_hint}):"
            " shards keep each container group whole"
        )
    run_wide = plan.run_options
    output.print_raw("options not at their default (value [set by]):")
    for name, r in run_wide.items():
        if r.layer != "default":
            output.print_raw(f"  {name} = {r.value!r}  [{r.layer}]")
    for index, group in enumerate(plan.groups):
        output.print_raw("")
        output.print_raw(
            f"container group {index}: {group.platform_tag} · {group.engine.name} · {group.image}"
        )
        if group.before_all:
            output.print_raw(f"  before-all: {group.before_all}")
        for build in group.builds:
            if build.test_skipped:
                tests = "tests skipped by test-skip"
            elif not build.test_command:
                tests = "no test-command"
            elif build.test_container == "fresh":
                tests = f"tested in a fresh container from {build.test_image or group.image}"
            else:
                tests = "tested"
            output.print_raw(f"  {build.identifier}  ({build.config.path}, {tests})")
            how = emulation_line(plan.cross.get(build.identifier))
            if how is not None:
                output.print_raw(f"      {how}")
            # Only what an override or identifier-specific layer changed is shown again here.
            for name, r in plan.sources_of(build.identifier).items():
                if r != run_wide.get(name):
                    output.print_raw(f"      {name} = {r.value!r}  [{r.layer}]")
    show_lanes(plan, output)


def show_lanes(plan: Plan, output: Output) -> None:
    """Which containers run side by side (docs/plan-json.md explains the estimate)."""
    if not plan.lanes:
        return
    output.print_raw("")
    jobs = plan.jobs
    output.print_raw(
        f"{jobs} lane{'s' if jobs != 1 else ''} (containers in a lane run one after another;"
        " lanes run side by side; cost in native builds):"
    )
    if plan.overlaps_tests:
        output.print_raw("  (in each container an identifier is tested while the next one builds)")
    for lane in plan.lanes:
        output.print_raw(f"  lane {lane.index}  (~{lane.cost:.2f})")
        for slot in lane.containers:
            part = f" part {slot.part + 1}/{slot.parts}" if slot.parts > 1 else ""
            first = plan.groups[slot.group].identifiers[0]
            waits = f"  (reuses {first}'s wheel if compatible)" if slot.part > 0 else ""
            output.print_raw(
                f"    group {slot.group}{part}: {' '.join(slot.identifiers)}"
                f"  (~{slot.cost:.2f}){waits}"
            )
