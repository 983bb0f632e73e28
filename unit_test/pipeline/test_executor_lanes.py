"""The concurrent executor: lanes in threads, a failure or Ctrl-C stopping every lane, abi3 reuse
across the containers of a split group, exactly one result per identifier (fake containers)."""

from __future__ import annotations

import signal
import threading
import time
from typing import TYPE_CHECKING

import pytest
from fakes import (
    FakeContainer,
    FakeEngine,
    Rule,
    build_options,
    console_text,
    context,
    global_options,
    no_preflight,
    plan_of,
    wheel_for,
)

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import AlreadyBuiltWheelError, BuildStepError, HostCommandError
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
MUSL = "cp311-musllinux_x86_64"
ABI3 = "spam-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"
WHEELS = "/tmp/cibuildwheel-like/wheels"
TESTED = {"test_command": "pytest {project}/tests"}


def make_plan(tmp_path: Path, identifiers=IDS, *, jobs: int, **changes) -> Plan:
    builds = [build_options(i, **changes) for i in identifiers]
    return plan_of(builds, global_options(tmp_path, jobs=jobs), host=Arch.x86_64)


class Recorder:
    """An on_result that notes the thread of every call and whether two calls overlapped."""

    def __init__(self) -> None:
        self.results: list[BuildResult] = []
        self.threads: set[str] = set()
        self._busy = threading.Lock()
        self.overlapped = False

    def __call__(self, result: BuildResult) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlapped = True
            self._busy.acquire()
        try:
            self.results.append(result)
            self.threads.add(threading.current_thread().name)
        finally:
            self._busy.release()


def run(plan: Plan, engine: FakeEngine, tmp_path: Path) -> tuple[list[BuildResult], Recorder]:
    seen = Recorder()
    results = execute(
        plan, context(tmp_path), on_result=seen, containers=engine, preflight=no_preflight
    )
    return results, seen


def run_failing(
    plan: Plan, engine: FakeEngine, tmp_path: Path, error: type[BaseException]
) -> tuple[BaseException, Recorder]:
    seen = Recorder()
    with pytest.raises(error) as info:
        execute(plan, context(tmp_path), on_result=seen, containers=engine, preflight=no_preflight)
    return info.value, seen


def delivered(tmp_path: Path) -> list[str]:
    output_dir = tmp_path / "wheelhouse"
    return sorted(p.name for p in output_dir.iterdir()) if output_dir.exists() else []


def one_each(seen: Recorder, identifiers) -> dict[str, BuildResult]:
    """Exactly one result per identifier, never two on_result calls at once."""
    assert sorted(r.identifier for r in seen.results) == sorted(identifiers)
    assert not seen.overlapped
    return {r.identifier: r for r in seen.results}


def built_by(engine: FakeEngine) -> dict[str, list[str]]:
    """Container name -> identifiers whose wheel it built."""
    return {
        c.name: [e.identifier for e in c.execs if e.text.startswith("python -m build")]
        for c in engine.containers
    }


# -- jobs = 1 is the sequential run -----------------------------------------------------------
def test_one_job_runs_every_group_in_plan_order_in_the_calling_thread(tmp_path):
    engine = FakeEngine()
    plan = make_plan(tmp_path, (*IDS, MUSL), jobs=1, **TESTED)
    assert [len(lane.containers) for lane in plan.lanes] == [2]
    results, seen = run(plan, engine, tmp_path)
    assert [r.identifier for r in results] == [*IDS, MUSL]
    assert [r.identifier for r in seen.results] == [*IDS, MUSL]  # decided in plan order
    assert seen.threads == {threading.current_thread().name}
    assert [c.image for c in engine.containers] == [plan.groups[0].image, plan.groups[1].image]
    assert all(c.removed for c in engine.containers)
    assert {r.lane for r in results} == {0}
    assert [r.container for r in results] == ["fake-0"] * 3 + ["fake-1"]


# -- two lanes ---------------------------------------------------------------------------------
def test_two_lanes_split_a_group_and_deliver_every_wheel_once(tmp_path):
    engine = FakeEngine()
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    results, seen = run(plan, engine, tmp_path)
    by_id = one_each(seen, IDS)
    assert [r.identifier for r in results] == list(IDS)  # returned in plan order
    assert all(r.status == "built" and r.test_outcome == "passed" for r in results)
    assert delivered(tmp_path) == sorted(wheel_for(i) for i in IDS)
    assert len(engine.containers) == 2
    assert all(c.removed for c in engine.containers)
    # each container built its own part; the first wheel is not abi3, so nothing is shared
    assert sorted(built_by(engine).values()) == [[IDS[0], IDS[1]], [IDS[2]]]
    assert {by_id[i].lane for i in IDS[:2]} == {0}
    assert by_id[IDS[2]].lane == 1
    assert by_id[IDS[2]].container != by_id[IDS[0]].container
    assert len(seen.threads) == 2
    assert threading.current_thread().name not in seen.threads


def test_abi3_wheel_is_built_once_and_reused_in_the_other_container(tmp_path):
    engine = FakeEngine(wheel_name=lambda identifier: ABI3)
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    seen = Recorder()
    ctx = context(tmp_path)
    results = execute(plan, ctx, on_result=seen, containers=engine, preflight=no_preflight)
    one_each(seen, IDS)
    assert all(r.status == "built" for r in results)
    assert delivered(tmp_path) == [ABI3]
    # the other container built meanwhile instead of idling, then set its own wheel aside
    assert sorted(built_by(engine).values()) == [[IDS[0]], [IDS[2]]]
    assert "the one built here is set aside" in console_text(ctx)
    (second,) = [c for c in engine.containers if IDS[2] in {e.identifier for e in c.execs}]
    assert [str(d) for _, d in second.copied_in if str(d).endswith(".whl")] == [f"{WHEELS}/{ABI3}"]
    assert not [e for e in second.execs if "auditwheel repair" in e.text]  # only built
    tests = [
        e.identifier for c in engine.containers for e in c.execs if e.text.startswith("pytest")
    ]
    assert sorted(tests) == sorted(IDS)  # tested on every Python, in its own container
    assert [s.name for s in results[2].steps] == ["prepare", "build", "test"]  # no deliver
    assert {r.wheel for r in results} == {tmp_path / "wheelhouse" / ABI3}


def test_a_failed_speculative_build_is_set_aside_when_the_first_wheel_serves(tmp_path):
    # cibuildwheel never builds a Python an earlier abi3 wheel serves: neither may its failure
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=IDS[2], returncode=1),
        wheel_name=lambda identifier: ABI3,
    )
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    ctx = context(tmp_path)
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    assert all(r.status == "built" and r.test_outcome == "passed" for r in results)
    assert delivered(tmp_path) == [ABI3]
    assert "its own build failed" in console_text(ctx)


def test_a_failed_speculative_build_fails_when_the_first_wheel_does_not_serve(tmp_path):
    engine = FakeEngine(Rule(contains="python -m build", identifier=IDS[2], returncode=1))
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert IDS[2] in str(error)
    assert one_each(seen, IDS)[IDS[2]].status == "failed"


def test_a_failure_in_one_lane_stops_the_other_and_removes_every_container(tmp_path):
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=IDS[0], block_until_aborted=True),
        Rule(contains="python -m build", identifier=MUSL, returncode=1, after_busy=True),
    )
    plan = make_plan(tmp_path, (IDS[0], MUSL), jobs=2)
    assert [lane.containers[0].identifiers for lane in plan.lanes] == [(IDS[0],), (MUSL,)]
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert MUSL in str(error)
    by_id = one_each(seen, (IDS[0], MUSL))
    assert by_id[MUSL].status == "failed"
    assert by_id[IDS[0]].status == "not-run"
    assert "another build failed" in (by_id[IDS[0]].error or "")
    assert [s.name for s in by_id[IDS[0]].steps][-1] == "build"  # it was stopped mid-build
    (busy,) = [c for c in engine.containers if c.image == plan.groups[0].image]
    assert engine.aborted == [busy.name]  # the failing lane's own container is not aborted
    assert all(c.removed for c in engine.containers)
    assert delivered(tmp_path) == []


def test_later_containers_of_a_lane_never_start_after_a_failure(tmp_path):
    i686 = "cp311-manylinux_i686"
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=MUSL, block_until_aborted=True),
        Rule(contains="python -m build", identifier=IDS[0], returncode=1, after_busy=True),
    )
    plan = make_plan(tmp_path, (IDS[0], MUSL, i686), jobs=2)
    lanes = [[slot.identifiers for slot in lane.containers] for lane in plan.lanes]
    assert lanes == [[(IDS[0],), (i686,)], [(MUSL,)]]
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert IDS[0] in str(error)
    by_id = one_each(seen, plan.selected)
    assert [by_id[i].status for i in (IDS[0], MUSL, i686)] == ["failed", "not-run", "not-run"]
    assert by_id[i686].steps == ()  # its container never started
    assert len(engine.containers) == 2
    assert all(c.removed for c in engine.containers)


def test_a_waiting_part_stops_when_the_first_wheel_fails(tmp_path):
    # part 1 (cp313) builds, then waits for cp311's wheel; cp311 fails: the wait ends, nothing
    # hangs, and cp313 goes no further than its build
    engine = FakeEngine(Rule(contains="python -m build", identifier=IDS[0], returncode=1))
    plan = make_plan(tmp_path, jobs=2)
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert IDS[0] in str(error)
    by_id = one_each(seen, IDS)
    assert [by_id[i].status for i in IDS] == ["failed", "not-run", "not-run"]
    assert all(c.removed for c in engine.containers)
    assert "repair" not in [s.name for s in by_id[IDS[2]].steps]


def test_ctrl_c_in_a_lane_stops_every_lane(tmp_path):
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=IDS[0], block_until_aborted=True),
        Rule(
            contains="python -m build",
            identifier=MUSL,
            raises=KeyboardInterrupt(),
            after_busy=True,
        ),
    )
    plan = make_plan(tmp_path, (IDS[0], MUSL), jobs=2)
    _, seen = run_failing(plan, engine, tmp_path, KeyboardInterrupt)
    by_id = one_each(seen, (IDS[0], MUSL))
    assert {r.status for r in by_id.values()} == {"not-run"}
    assert {r.error for r in by_id.values()} == {"interrupted"}
    assert all(c.removed for c in engine.containers)


def test_ctrl_c_while_a_lane_starts_its_container_waits_until_it_is_removed(tmp_path):
    # Seen on CI: Ctrl-C reaches the run while a lane's `docker start` is under way. The engine
    # client dies of it, and the lane's `rm --force` of a container the engine is still
    # starting takes a while. The run must not end before that removal has: on Python < 3.13 a
    # KeyboardInterrupt inside Thread.join marks the joined thread as ended (CPython 90882).
    def ctrl_c_while_starting(container: FakeContainer) -> None:
        if container.image != plan.groups[0].image:
            return
        time.sleep(0.2)  # the main thread is waiting for the lanes by now
        main = threading.main_thread().ident
        assert main is not None
        signal.pthread_kill(main, signal.SIGINT)  # the terminal's Ctrl-C reaches the run...
        time.sleep(0.5)  # ...and this lane's removal is still under way when it has
        container.removed = True
        raise HostCommandError("command failed with exit code 1: docker start (interrupted)")

    engine = FakeEngine(
        Rule(contains="python -m build", identifier=MUSL, block_until_aborted=True),
        on_enter=ctrl_c_while_starting,
    )
    plan = make_plan(tmp_path, (IDS[0], MUSL), jobs=2)
    _, seen = run_failing(plan, engine, tmp_path, KeyboardInterrupt)
    assert [c.removed for c in engine.containers] == [True, True]
    assert {r.status for r in one_each(seen, (IDS[0], MUSL)).values()} == {"not-run"}


def test_the_same_wheel_name_from_two_lanes_is_exit_6(tmp_path):
    same = wheel_for(IDS[0])
    engine = FakeEngine(wheel_name=lambda identifier: same)
    plan = make_plan(tmp_path, (IDS[0], MUSL), jobs=2)
    error, seen = run_failing(plan, engine, tmp_path, AlreadyBuiltWheelError)
    assert error.exit_code == 6
    by_id = one_each(seen, (IDS[0], MUSL))
    assert sorted(r.status for r in by_id.values()) == ["built", "failed"]
    assert delivered(tmp_path) == [same]  # the first claim's wheel stays
    assert all(c.removed for c in engine.containers)


# -- a test beside the next build (overlap) ----------------------------------------------------
def test_a_build_failing_beside_a_test_lets_that_test_finish_and_deliver(tmp_path):
    # lane 0 holds IDS[0] and IDS[1]: IDS[1]'s build fails while IDS[0] is tested beside it
    engine = FakeEngine(Rule(contains="python -m build", identifier=IDS[1], returncode=1))
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    assert plan.overlaps_tests
    assert plan.lanes[0].containers[0].identifiers == IDS[:2]
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert IDS[1] in str(error)
    by_id = one_each(seen, IDS)
    assert (by_id[IDS[0]].status, by_id[IDS[0]].test_outcome) == ("built", "passed")
    assert wheel_for(IDS[0]) in delivered(tmp_path)  # as if it had finished first, as it would
    assert by_id[IDS[1]].status == "failed"
    assert all(c.removed for c in engine.containers)


def test_a_test_failing_beside_a_build_stops_that_build(tmp_path):
    # IDS[1]'s build runs until its container goes away; IDS[0]'s test fails meanwhile
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=IDS[1], block_until_aborted=True),
        Rule(contains="pytest", identifier=IDS[0], returncode=1, after_busy=True),
    )
    plan = make_plan(tmp_path, jobs=2, **TESTED)
    error, seen = run_failing(plan, engine, tmp_path, BuildStepError)
    assert IDS[0] in str(error)
    by_id = one_each(seen, IDS)
    assert (by_id[IDS[0]].status, by_id[IDS[0]].test_outcome) == ("failed", "failed")
    assert by_id[IDS[1]].status == "not-run"  # sequentially it would never have started
    assert "another build failed" in (by_id[IDS[1]].error or "")
    (lane0,) = [c for c in engine.containers if IDS[0] in {e.identifier for e in c.execs}]
    assert lane0.name in engine.aborted  # removed under the build, which ended at once
    assert wheel_for(IDS[0]) not in delivered(tmp_path)
    assert all(c.removed for c in engine.containers)
