"""keep-going in the executor: a failure ends its identifier only; the container is kept or
replaced by the step that failed; abi3 wheels that failed are never reused; wheels kept by
`run --retry-failed` are reused, never rebuilt (fake containers)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from typing import TYPE_CHECKING

import pytest
from fakes import (
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
from cibuildwheel_like.context import Cache, Context
from cibuildwheel_like.errors import (
    BuildStepError,
    HostCommandError,
    SomeBuildsFailedError,
)
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.pipeline.executor import execute
from cibuildwheel_like.report import summary
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from cibuildwheel_like.plan import Plan

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
MUSL = "cp311-musllinux_x86_64"
ABI3 = "spam-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"
WHEELS = "/tmp/cibuildwheel-like/wheels"
FULL = {
    "before_build": "echo before-build",
    "repair_wheel_command": "auditwheel repair -w {dest_dir} {wheel}",
    "test_command": "pytest {project}/tests",
}


def make_plan(tmp_path: Path, identifiers=IDS, *, jobs: int = 1, **changes) -> Plan:
    builds = [build_options(i, **changes) for i in identifiers]
    globals_ = global_options(tmp_path, keep_going=True, jobs=jobs)
    return plan_of(builds, globals_, host=Arch.x86_64)


def run(
    plan: Plan, engine, tmp_path: Path, *, kept=(), fails: bool = True
) -> tuple[dict[str, BuildResult], str]:
    """execute() under keep-going: the results by identifier and the final error ("" if none)."""
    seen: list[BuildResult] = []
    message = ""
    try:
        execute(
            plan,
            context(tmp_path),
            on_result=seen.append,
            containers=engine,
            preflight=no_preflight,
            kept=kept,
        )
    except SomeBuildsFailedError as e:
        message = str(e)
    assert bool(message) == fails
    assert sorted(r.identifier for r in seen) == sorted(b.identifier for b in plan.builds)
    return {r.identifier: r for r in seen}, message


def delivered(tmp_path: Path) -> list[str]:
    output_dir = tmp_path / "wheelhouse"
    return sorted(p.name for p in output_dir.iterdir()) if output_dir.exists() else []


def built(engine: FakeEngine) -> list[str]:
    return [
        e.identifier
        for c in engine.containers
        for e in c.execs
        if e.text.startswith("python -m") and " build " in f"{e.text} "
    ]


# stage -> (rule failing IDS[1] there, the failure's step, containers used)
FAILURES = {
    "before-build": (Rule(contains="echo before-build", identifier=IDS[1], returncode=3), 2),
    "build": (Rule(contains="python -m build", identifier=IDS[1], returncode=1), 1),
    "repair": (Rule(contains="auditwheel repair", identifier=IDS[1], returncode=2), 1),
    "test": (Rule(contains="pytest /project/tests", identifier=IDS[1], returncode=1), 1),
}


@pytest.mark.parametrize("stage", FAILURES)
def test_a_failure_ends_its_identifier_only(tmp_path, stage):
    rule, containers = FAILURES[stage]
    engine = FakeEngine(rule)
    results, message = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert [results[i].status for i in IDS] == ["built", "failed", "built"]
    assert delivered(tmp_path) == sorted([wheel_for(IDS[0]), wheel_for(IDS[2])])
    failure = results[IDS[1]].failure
    assert failure is not None
    assert failure.step == stage
    assert failure.command == rule.contains or rule.contains in (failure.command or "")
    assert failure.returncode == rule.returncode
    assert len(engine.containers) == containers  # before-build may leave it dirty: replaced
    assert all(c.removed for c in engine.containers)
    assert message.startswith("1 of 3 build(s) failed (keep-going: 2 built):")
    assert f"{IDS[1]}: step '{stage}' failed: command `" in message
    if containers == 2:  # the fresh container runs the rest of the group, prepared again
        assert engine.containers[1].texts(IDS[2])
        assert not engine.containers[1].texts(IDS[0])


def test_every_failure_is_listed_and_other_groups_still_build(tmp_path):
    engine = FakeEngine(
        Rule(contains="pytest /project/tests", identifier=IDS[0], returncode=1),
        Rule(contains="python -m build", identifier=IDS[2], returncode=2),
    )
    results, message = run(make_plan(tmp_path, (*IDS, MUSL), **FULL), engine, tmp_path)
    assert [results[i].status for i in (*IDS, MUSL)] == ["failed", "built", "failed", "built"]
    assert f"{IDS[0]}: step 'test' failed" in message
    assert f"{IDS[2]}: step 'build' failed" in message
    assert message.startswith("2 of 4 build(s) failed (keep-going: 2 built):")


def test_without_keep_going_the_first_failure_still_stops_the_run(tmp_path):
    engine = FakeEngine(Rule(contains="pytest", identifier=IDS[0], returncode=1))
    plan = plan_of([build_options(i, **FULL) for i in IDS], global_options(tmp_path))
    seen: list[BuildResult] = []
    with pytest.raises(BuildStepError):
        execute(
            plan, context(tmp_path), on_result=seen.append, containers=engine,
            preflight=no_preflight,
        )  # fmt: skip
    assert [r.status for r in seen] == ["failed", "not-run", "not-run"]
    assert seen[0].failure is not None
    assert seen[0].failure.step == "test"


def test_an_engine_error_replaces_the_container(tmp_path):
    engine = FakeEngine(Rule(contains="pytest", identifier=IDS[0], raises=HostCommandError("gone")))
    results, _ = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert [results[i].status for i in IDS] == ["failed", "built", "built"]
    assert results[IDS[0]].failure is not None
    assert results[IDS[0]].failure.step == "test"
    assert results[IDS[0]].failure.command is None
    assert len(engine.containers) == 2


def test_before_all_failure_leaves_its_group_not_run_and_others_build(tmp_path):
    engine = FakeEngine(Rule(contains="yum install", returncode=4))
    plan = plan_of(
        [build_options(i, before_all="yum install -y x") for i in IDS] + [build_options(MUSL)],
        global_options(tmp_path, keep_going=True),
    )
    results, message = run(plan, engine, tmp_path)
    assert [results[i].status for i in (*IDS, MUSL)] == ["failed", "not-run", "not-run", "built"]
    assert results[IDS[0]].failure is not None
    assert results[IDS[0]].failure.step == "before-all"
    assert results[IDS[1]].error == "not run: its container could not be prepared (before-all)"
    assert len(engine.containers) == 2  # no second try of before-all
    assert "1 of 4 build(s) failed (keep-going: 1 built, 2 not run)" in message


def test_a_container_that_does_not_start_fails_its_builds_only(tmp_path):
    engine = FakeEngine()

    @contextlib.contextmanager
    def refuse(**kw) -> Iterator[object]:
        raise HostCommandError("image not found")
        yield  # pragma: no cover

    def containers(**kw):
        return (
            refuse(**kw) if "musllinux" in kw["image"] or "alpine" in kw["image"] else engine(**kw)
        )

    results, message = run(make_plan(tmp_path, (IDS[0], MUSL)), containers, tmp_path)
    assert results[IDS[0]].status == "built"
    assert results[MUSL].status == "failed"
    assert results[MUSL].failure is not None
    assert results[MUSL].failure.step == "container"
    assert f"{MUSL}: step 'container' failed: image not found" in message


# -- abi3 ---------------------------------------------------------------------------------------
def test_an_abi3_wheel_that_failed_its_test_is_not_reused(tmp_path):
    engine = FakeEngine(
        Rule(contains="pytest", identifier=IDS[0], returncode=1), wheel_name=lambda i: ABI3
    )
    results, message = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert [results[i].status for i in IDS] == ["failed", "not-run", "not-run"]
    assert built(engine) == [IDS[0]]  # not built again
    assert delivered(tmp_path) == []
    reason = results[IDS[1]].error or ""
    assert reason.startswith(f"not run: it would reuse {ABI3}, which failed for {IDS[0]}")
    assert "2 not run" in message


def test_an_abi3_wheel_that_was_never_built_is_built_by_the_next_python(tmp_path):
    engine = FakeEngine(
        Rule(contains="python -m build", identifier=IDS[0], returncode=1),
        wheel_name=lambda i: ABI3,
    )
    results, _ = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert [results[i].status for i in IDS] == ["failed", "built", "built"]
    assert built(engine) == [IDS[0], IDS[1]]  # cp313 reuses cp312's
    assert delivered(tmp_path) == [ABI3]


def test_a_replaced_container_gets_the_delivered_abi3_wheel(tmp_path):
    engine = FakeEngine(
        Rule(contains="pytest", identifier=IDS[1], raises=HostCommandError("container died")),
        wheel_name=lambda i: ABI3,
    )
    results, _ = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert [results[i].status for i in IDS] == ["built", "failed", "built"]
    assert built(engine) == [IDS[0]]
    fresh = engine.containers[1]
    assert (tmp_path / "wheelhouse" / ABI3, f"{WHEELS}/{ABI3}") in [
        (s, str(d)) for s, d in fresh.copied_in
    ]
    assert results[IDS[2]].wheel == tmp_path / "wheelhouse" / ABI3


def test_split_group_parts_do_not_reuse_an_abi3_wheel_that_failed(tmp_path):
    engine = FakeEngine(
        Rule(contains="pytest", identifier=IDS[0], returncode=1), wheel_name=lambda i: ABI3
    )
    plan = make_plan(tmp_path, jobs=2, **FULL)
    assert any(s.parts > 1 for lane in plan.lanes for s in lane.containers)
    results, _ = run(plan, engine, tmp_path)
    assert [results[i].status for i in IDS] == ["failed", "not-run", "not-run"]
    assert built(engine) == [IDS[0]]


def test_split_group_parts_reuse_the_abi3_wheel_once_it_passed(tmp_path):
    engine = FakeEngine(wheel_name=lambda i: ABI3)
    plan = make_plan(tmp_path, jobs=2, **FULL)
    results, _ = run(plan, engine, tmp_path, fails=False)
    assert [results[i].status for i in IDS] == ["built"] * 3
    assert built(engine) == [IDS[0]]
    assert delivered(tmp_path) == [ABI3]


# -- wheels kept by --retry-failed --------------------------------------------------------------
def kept_result(tmp_path: Path, identifier: str, name: str) -> BuildResult:
    wheel = tmp_path / "wheelhouse" / name
    wheel.parent.mkdir(parents=True, exist_ok=True)
    wheel.write_bytes(b"kept " + name.encode())
    return BuildResult(
        identifier=identifier, image="i", interpreter="p", status="built", wheel=wheel
    )


def test_a_kept_abi3_wheel_is_reused_not_rebuilt(tmp_path):
    engine = FakeEngine(wheel_name=lambda i: ABI3)
    # cp311 built it, cp313 reused it; cp312 failed and is retried (kept in plan order)
    kept = [kept_result(tmp_path, IDS[0], ABI3), kept_result(tmp_path, IDS[2], ABI3)]
    plan = make_plan(tmp_path, IDS[1:2], **FULL)
    seen: list[BuildResult] = []
    ctx = context(tmp_path)
    execute(plan, ctx, on_result=seen.append, containers=engine, preflight=no_preflight, kept=kept)
    assert [(r.identifier, r.status) for r in seen] == [(IDS[1], "built")]
    assert seen[0].wheel == tmp_path / "wheelhouse" / ABI3
    assert built(engine) == []
    assert (tmp_path / "wheelhouse" / ABI3).read_bytes() == b"kept " + ABI3.encode()
    tests = [e.identifier for e in engine.only.execs if e.text.startswith("pytest")]
    assert tests == [IDS[1]]
    assert f"{ABI3}, delivered earlier for {IDS[0]}, copied in for reuse" in console_text(ctx)


def test_a_kept_wheel_is_never_overwritten(tmp_path):
    same = wheel_for(IDS[1])
    engine = FakeEngine(wheel_name=lambda i: same)
    kept = [kept_result(tmp_path, IDS[0], same)]
    plan = make_plan(tmp_path, IDS[1:2])
    results, message = run(plan, engine, tmp_path, kept=kept)
    assert results[IDS[1]].status == "failed"
    assert "already generated" in message
    assert (tmp_path / "wheelhouse" / same).read_bytes() == b"kept " + same.encode()


def test_a_kept_wheel_of_another_platform_is_not_copied_in(tmp_path):
    engine = FakeEngine()
    musl = wheel_for(MUSL).replace("cp311-cp311", "cp311-abi3")
    kept = [kept_result(tmp_path, MUSL, musl)]
    results, _ = run(make_plan(tmp_path, IDS[1:2]), engine, tmp_path, kept=kept, fails=False)
    assert results[IDS[1]].status == "built"
    assert not [d for _, d in engine.only.copied_in if str(d).endswith(".whl")]
    assert dataclasses.asdict(results[IDS[1]])["failure"] is None


def test_every_failure_is_annotated_on_github_actions_with_its_step(tmp_path):
    stdout, stderr = io.StringIO(), io.StringIO()
    output = Output(
        stdout=stdout, stderr=stderr, environ={"GITHUB_ACTIONS": "true"}, terminal=False
    )
    ctx = Context(output=output, environ={}, cwd=tmp_path, cache=Cache(root=tmp_path / "c"))
    engine = FakeEngine(
        Rule(contains="pytest", identifier=IDS[0], returncode=1),
        Rule(contains="python -m build", identifier=IDS[2], returncode=2),
    )
    plan = make_plan(tmp_path, **FULL)
    seen: list[BuildResult] = []
    output.header(plan)

    def on_result(result: BuildResult) -> None:
        seen.append(result)
        output.build_finished(result)

    with pytest.raises(SomeBuildsFailedError):
        execute(plan, ctx, on_result=on_result, containers=engine, preflight=no_preflight)
    output.summary(summary.in_plan_order(seen, IDS), exit_code=1)
    text = stdout.getvalue() + stderr.getvalue()
    assert f"::error title={IDS[0]}%3A test failed::{IDS[0]}: step 'test' failed" in text
    assert f"::error title={IDS[2]}%3A build failed::{IDS[2]}: step 'build' failed" in text
    assert f"  {IDS[0]}: step 'test' failed: command `pytest /project/tests` exited" in text
    assert "1 of 3 wheel(s) built" in text
