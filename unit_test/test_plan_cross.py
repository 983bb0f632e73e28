"""plan.py and shards.py with emulation = cross | auto: Plan.cross for every build, the cost of a
cross-compiled build, and shares that keep the decisions of their builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import build_options, global_options, plan_of

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.options.cross_support import CrossDecision
from cibuildwheel_like.plan import (
    BUILD_COST,
    CONTAINER_COST,
    CROSS_FACTOR,
    EMULATION_FACTOR,
    container_cost,
    make_plan,
)
from cibuildwheel_like.shards import Shard, partition, select_share

X86 = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64")
ARM = ("cp311-manylinux_aarch64", "cp312-manylinux_aarch64")
S390X = "cp311-manylinux_s390x"
CROSS_IMAGE = "cibuildwheel-like/debian-bookworm-cross:x86_64"


def builds(identifiers, **changes):
    out = []
    for i in identifiers:
        arch = i.rsplit("_", 1)[1] if "x86_64" not in i else "x86_64"
        out.append(build_options(i, image=f"cibuildwheel-like/debian-bookworm:{arch}", **changes))
    return out


def make(identifiers, *, host=Arch.x86_64, jobs=1, blockers=(), **changes):
    globals_ = global_options(Path("/nowhere"), jobs=jobs, cross_blockers=blockers)
    return plan_of(builds(identifiers, **changes), globals_, host=host)


def test_every_build_has_a_decision() -> None:
    plan = make([*X86, *ARM, S390X], emulation="auto")
    assert list(plan.cross) == [b.identifier for b in plan.builds]
    assert plan.cross[X86[0]] == CrossDecision(setting="auto", mode="native")
    assert plan.cross[ARM[0]] == CrossDecision(
        setting="auto", mode="cross", build_image=CROSS_IMAGE
    )
    # the default: emulated, as cibuildwheel
    plan = make([*X86, *ARM])
    assert {d.mode for i, d in plan.cross.items() if "aarch64" in i} == {"emulate"}


def test_the_host_decides_what_is_native() -> None:
    plan = make([*X86, *ARM], emulation="auto", host=Arch.aarch64)
    assert plan.cross[ARM[0]].mode == "native"
    reasons = plan.cross[X86[0]].reasons  # x86_64 on an arm machine: no cross toolchain
    assert reasons[0].startswith("this machine is aarch64: cross toolchains are set up for x86")
    assert reasons[1].startswith("no cross toolchain for x86_64")


def test_the_projects_blockers_come_from_the_run_wide_options() -> None:
    blocker = "setup.py: try_run (on the build machine, {host}, {arch} program does not run)"
    plan = make([*ARM], emulation="auto", blockers=(blocker,))
    assert plan.cross[ARM[0]].reasons == (
        "setup.py: try_run (on the build machine, x86_64, an aarch64 program does not run)",
    )


def test_a_cross_build_costs_cross_factor_plus_the_build_containers_start() -> None:
    plan = make(ARM, emulation="cross")
    (group,) = plan.groups
    emulated = container_cost(group, 2, host=Arch.x86_64)
    assert emulated == (CONTAINER_COST + 2 * BUILD_COST) * EMULATION_FACTOR
    cross = container_cost(group, 2, host=Arch.x86_64, cross=2)
    assert cross == CONTAINER_COST * EMULATION_FACTOR + CONTAINER_COST + 2 * CROSS_FACTOR
    mixed = container_cost(group, 2, host=Arch.x86_64, cross=1)
    assert mixed == (CONTAINER_COST + BUILD_COST) * EMULATION_FACTOR + CONTAINER_COST + CROSS_FACTOR
    assert emulated > mixed > cross
    # natively nothing changes
    assert container_cost(group, 2, host=Arch.aarch64, cross=2) == CONTAINER_COST + 2 * BUILD_COST
    (lane,) = plan.lanes
    assert lane.cost == pytest.approx(cross)


def test_lanes_follow_the_cheaper_cross_builds() -> None:
    # both groups are split, one part of each per lane; an aarch64 part costs 7.5 emulated,
    # 5.75 cross-compiled, an x86_64 part 1.25
    emulated = make([*X86, *ARM], jobs=2)
    crossed = make([*X86, *ARM], jobs=2, emulation="cross")
    assert [lane.cost for lane in emulated.lanes] == [7.5 + 1.25, 7.5 + 1.25]
    part = CONTAINER_COST * EMULATION_FACTOR + CONTAINER_COST + CROSS_FACTOR
    assert [lane.cost for lane in crossed.lanes] == [part + 1.25, part + 1.25]


def test_a_share_keeps_the_decisions_of_its_builds() -> None:
    plan = make([*X86, *ARM], emulation="auto", jobs=2)
    shares = partition(plan, 2)
    share = select_share(plan, Shard(index=1, count=2), cpus=2, host=Arch.x86_64)
    wanted = {b.identifier for p in shares[0] for b in p.builds}
    assert set(share.cross) == wanted == {b.identifier for b in share.builds}
    assert all(share.cross[i] == plan.cross[i] for i in wanted)


def test_shares_cost_cross_builds_for_the_runner_not_this_machine() -> None:
    ids = [*X86, *ARM, S390X]
    here = make(ids, emulation="cross", host=Arch.x86_64, jobs=2)
    there = make(ids, emulation="cross", host=Arch.aarch64, jobs=16)
    for count in (1, 2, 3):
        costs = [[p.cost for p in share] for share in partition(here, count)]
        assert costs == [[p.cost for p in share] for share in partition(there, count)]
    (whole,) = partition(here, 1)
    cross_cost = CONTAINER_COST * EMULATION_FACTOR + CONTAINER_COST
    assert sum(p.cost for p in whole) == pytest.approx(
        (CONTAINER_COST + 2) + (cross_cost + 2 * CROSS_FACTOR) + (cross_cost + CROSS_FACTOR)
    )


def test_make_plan_is_pure_the_same_decisions_every_time() -> None:
    ids = [*X86, *ARM, S390X]
    first = make(ids, emulation="auto", before_build="make")
    again = make_plan(
        globals=first.globals,
        builds=first.builds,
        run_options={},
        build_sources={i: {} for i in first.selected},
        cpus=2,
        host=Arch.x86_64,
    )
    assert dict(first.cross) == dict(again.cross)
