"""``plan --github-matrix``: the shares of a plan as a GitHub Actions job matrix.

The printed object goes into ``strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}``;
each ``include`` entry is one job: ``shard`` (the value for the action's ``shard`` input or
``--shard``), a readable ``name``, the ``archs`` it builds, the ``runs-on`` label, whether it
needs ``qemu``, and how many ``builds`` it holds. docs/github-actions.md shows the workflow.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.shards import Runner, Shard, partition, share_count

if TYPE_CHECKING:
    from cibuildwheel_like.plan import Plan

DEFAULT_RUNNER = "ubuntu-latest"


def matrix(plan: Plan, *, max_jobs: int, arm_runner: str | None = None) -> dict[str, Any]:
    """``{"include": [...]}``: one entry per share, in shard order (an empty plan: no entry)."""
    native_arm = arm_runner is not None and any(g.arch is Arch.aarch64 for g in plan.groups)
    if not plan.builds:
        return {"include": []}
    count = share_count(plan, max_jobs=max_jobs, native_arm=native_arm)
    include = []
    for index, pieces in enumerate(partition(plan, count, native_arm=native_arm), start=1):
        shard = Shard(index=index, count=count, native_arm=native_arm)
        arm = any(p.runner is Runner.arm for p in pieces)
        host = Arch.aarch64 if arm else Arch.x86_64
        archs = sorted(
            {plan.groups[p.group].arch for p in pieces}, key=lambda a: list(Arch).index(a)
        )
        builds = sum(len(p.builds) for p in pieces)
        arch_text = " ".join(a.value for a in archs)
        include.append(
            {
                "shard": str(shard),
                "name": f"{shard.fraction} · {arch_text} · {builds} build{'s' * (builds != 1)}",
                "archs": arch_text,
                "runs-on": arm_runner if arm and arm_runner is not None else DEFAULT_RUNNER,
                "qemu": any(not a.runs_natively_on(host) for a in archs),
                "builds": builds,
            }
        )
    return {"include": include}


def to_json(plan: Plan, *, max_jobs: int, arm_runner: str | None = None) -> str:
    """One line: what ``echo "matrix=..." >> "$GITHUB_OUTPUT"`` needs."""
    return json.dumps(matrix(plan, max_jobs=max_jobs, arm_runner=arm_runner), ensure_ascii=False)
