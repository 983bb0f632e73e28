"""`plan`'s two views of a Plan: a readable listing and stable JSON (docs/plan-json.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cibuildwheel_like import __version__

if TYPE_CHECKING:
    from cibuildwheel_like.options.resolver import Resolver
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.plan import Plan

PLAN_SCHEMA_VERSION = 1


def to_data(plan: Plan, resolver: Resolver) -> dict[str, Any]:
    g = resolver.globals
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
            explained = resolver.explain(build.config)
            builds.append(
                {
                    "identifier": build.identifier,
                    "group": index,
                    "image": group.image,
                    "engine": group.engine.name,
                    "interpreter": build.config.path,
                    "test": not build.test_skipped and bool(build.test_command),
                    "options": {
                        name: {"value": r.value, "source": r.layer} for name, r in explained.items()
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
        "groups": groups,
        "builds": builds,
    }


def to_json(plan: Plan, resolver: Resolver) -> str:
    return json.dumps(to_data(plan, resolver), indent=2, sort_keys=False)


def show(plan: Plan, resolver: Resolver, output: Output) -> None:
    """The readable listing; printed whatever -q says: it is what `plan` was asked for."""
    g = resolver.globals
    output.print_raw(f"output dir: {g.output_dir}")
    output.print_raw(f"config file: {g.config_file or '(none)'}")
    run_wide = resolver.explain(None)
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
            for name, r in resolver.explain(build.config).items():
                if r != run_wide.get(name):
                    output.print_raw(f"      {name} = {r.value!r}  [{r.layer}]")
