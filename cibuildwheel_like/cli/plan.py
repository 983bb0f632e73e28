"""``plan``: what would be built, where and how, as a readable listing or stable JSON.

The JSON layout is documented in docs/plan-json.md; fields are only ever added.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cibuildwheel_like import __version__
from cibuildwheel_like.cli.arguments import (
    add_selection_arguments,
    add_verbosity_arguments,
    selection_from,
)
from cibuildwheel_like.cli.selection import nothing_to_build, planned

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from cibuildwheel_like.context import Context
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
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace, ctx: Context) -> int:
    as_json = bool(args.json)
    with planned(selection_from(args), ctx) as the_plan:
        if as_json:
            ctx.output.print_raw(to_json(the_plan, redact=ctx.output.redact_data))
        else:
            show(the_plan, ctx.output)
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
    }


def to_json(plan: Plan, *, redact: Callable[[Any], Any] | None = None) -> str:
    """``redact``: masks the secrets in the document (Output.redact_data)."""
    data = to_data(plan)
    return json.dumps(data if redact is None else redact(data), indent=2, sort_keys=False)


def show(plan: Plan, output: Output) -> None:
    """The readable listing; printed whatever -q says: it is what `plan` was asked for."""
    g = plan.globals
    output.print_raw(f"output dir: {g.output_dir}")
    output.print_raw(f"config file: {g.config_file or '(none)'}")
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
            else:
                tests = "tested"
            output.print_raw(f"  {build.identifier}  ({build.config.path}, {tests})")
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
