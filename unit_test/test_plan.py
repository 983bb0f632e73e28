"""The lane heuristic of plan.py: which containers run side by side, and when a group splits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import build_options, global_options, plan_of

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.plan import (
    BEFORE_ALL_COST,
    BUILD_COST,
    CONTAINER_COST,
    EMULATION_FACTOR,
    container_cost,
    make_plan,
)

X86 = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")
ARM = "cp39-manylinux_aarch64"
MUSL = "cp313-musllinux_x86_64"


def lanes_of(identifiers, *, jobs, host=Arch.x86_64, **changes) -> list[list[tuple[str, ...]]]:
    builds = [build_options(i, **changes) for i in identifiers]
    plan = plan_of(builds, global_options(Path("/nowhere"), jobs=jobs), host=host)
    return [[slot.identifiers for slot in lane.containers] for lane in plan.lanes]


def test_one_job_is_one_lane_in_plan_order() -> None:
    assert lanes_of((*X86, MUSL), jobs=1) == [[X86, (MUSL,)]]


def test_a_group_is_split_when_that_shortens_the_run() -> None:
    assert lanes_of(X86, jobs=2) == [[X86[:2]], [X86[2:]]]
    assert lanes_of(X86, jobs=3) == [[(X86[0],)], [(X86[1],)], [(X86[2],)]]


def test_never_more_lanes_than_builds() -> None:
    assert lanes_of(X86, jobs=16) == [[(i,)] for i in X86]
    assert lanes_of(X86[:1], jobs=4) == [[X86[:1]]]


def test_an_emulated_group_runs_beside_the_native_one_which_stays_whole() -> None:
    # aarch64 under QEMU (one build ~ 6 native ones) dominates: splitting x86_64 gains nothing
    assert lanes_of((*X86, ARM), jobs=2) == [[(ARM,)], [X86]]


def test_an_emulated_group_is_split_on_an_arm_host_instead() -> None:
    arm = ("cp313-manylinux_aarch64", "cp314-manylinux_aarch64")
    # on an aarch64 host those are native and the x86_64 ones are emulated
    lanes = lanes_of((*arm, *X86), jobs=2, host=Arch.aarch64)
    assert lanes == [[X86[:2]], [arm, X86[2:]]]  # part 0s first in a lane


def test_before_all_is_weighed_it_runs_again_in_every_container() -> None:
    # 2 builds with a before-all: whole 0.25+1+2 = 3.25; split 2.25 per part, still better
    assert lanes_of(X86[:2], jobs=2, before_all="make deps") == [[X86[:1]], [X86[1:2]]]
    # beside a long emulated lane the split would only pay before-all twice
    assert lanes_of((*X86[:2], ARM), jobs=2, before_all="make deps") == [[(ARM,)], [X86[:2]]]


def test_first_parts_come_first_in_every_lane() -> None:
    # 3 lanes, two split groups: no later part may precede a first part in its lane
    builds = [*X86, "cp313-musllinux_x86_64", "cp314-musllinux_x86_64"]
    plan = plan_of(
        [build_options(i) for i in builds],
        global_options(Path("/nowhere"), jobs=3),
        host=Arch.x86_64,
    )
    for lane in plan.lanes:
        parts = [slot.part for slot in lane.containers]
        assert parts == sorted(parts, key=lambda p: p > 0)
    every = [i for lane in plan.lanes for slot in lane.containers for i in slot.identifiers]
    assert sorted(every) == sorted(builds)  # every build in exactly one container


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_slot_of_finds_every_build(jobs: int) -> None:
    plan = plan_of(
        [build_options(i) for i in (*X86, MUSL)],
        global_options(Path("/nowhere"), jobs=jobs),
        host=Arch.x86_64,
    )
    assert plan.jobs == min(jobs, 4)
    for build in plan.builds:
        lane, position, slot = plan.slot_of(build.identifier)
        assert lane.containers[position] is slot
        assert build.identifier in slot.identifiers


def test_auto_jobs_is_the_cpu_count() -> None:
    builds = [build_options(i) for i in X86]
    plan = make_plan(
        globals=global_options(Path("/nowhere"), jobs=None),
        builds=builds,
        run_options={},
        build_sources={b.identifier: {} for b in builds},
        cpus=2,
        host=Arch.x86_64,
    )
    assert plan.jobs == 2


def test_cost_model() -> None:
    group = plan_of([build_options(X86[0], before_all="x")], global_options(Path("/n"))).groups[0]
    native = CONTAINER_COST + BEFORE_ALL_COST + 2 * BUILD_COST
    assert container_cost(group, 2, host=Arch.x86_64) == native
    assert container_cost(group, 2, host=Arch.aarch64) == native * EMULATION_FACTOR


def test_no_builds_no_lanes() -> None:
    assert plan_of([], global_options(Path("/nowhere"))).lanes == ()
