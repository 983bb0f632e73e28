"""The executor and its stages, driven through a fake container (no engine)."""

from __future__ import annotations

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
    python_path,
    wheel_bytes,
    wheel_for,
)

from cibuildwheel_like.errors import (
    AlreadyBuiltWheelError,
    BuildStepError,
    FatalError,
    HostCommandError,
    RepairProducedNoWheelError,
)
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
ABI3 = "spam-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"
WHEELS = "/tmp/cibuildwheel-like/wheels"
FULL = {
    "before_build": "echo before-build",
    "repair_wheel_command": "auditwheel repair -w {dest_dir} {wheel}",
    "test_command": "pytest {project}/tests",
}


def make_plan(tmp_path: Path, identifiers=IDS, **changes) -> Plan:
    builds = [build_options(i, **changes) for i in identifiers]
    return plan_of(builds, global_options(tmp_path))


def run(plan: Plan, engine: FakeEngine, tmp_path: Path, **kw):
    """execute() with the fake; returns (results, on_result calls, context)."""
    seen: list[BuildResult] = []
    ctx = context(tmp_path)
    results = execute(
        plan, ctx, on_result=seen.append, containers=engine, preflight=no_preflight, **kw
    )
    return results, seen, ctx


def run_failing(plan: Plan, engine: FakeEngine, tmp_path: Path, error: type[BaseException]):
    seen: list[BuildResult] = []
    ctx = context(tmp_path)
    with pytest.raises(error) as info:
        execute(plan, ctx, on_result=seen.append, containers=engine, preflight=no_preflight)
    return info.value, seen, ctx


def statuses(results) -> list[tuple[str, str]]:
    return [(r.identifier, r.status) for r in results]


def delivered(tmp_path: Path) -> list[str]:
    """The output directory's files (the CLI creates it up front; execute() on its own may not)."""
    output_dir = tmp_path / "wheelhouse"
    return sorted(p.name for p in output_dir.iterdir()) if output_dir.exists() else []


# -- a clean run ------------------------------------------------------------------------------
def test_every_stage_runs_in_order_for_each_identifier(tmp_path):
    engine = FakeEngine()
    results, seen, _ = run(make_plan(tmp_path, **FULL), engine, tmp_path)
    assert seen == results
    assert statuses(results) == [(i, "built") for i in IDS]
    assert [r.test_outcome for r in results] == ["passed"] * 3
    assert delivered(tmp_path) == sorted(wheel_for(i) for i in IDS)
    for result in results:
        assert result.wheel == tmp_path / "wheelhouse" / wheel_for(result.identifier)
        assert result.size == len(wheel_bytes(wheel_for(result.identifier)))
        assert [s.name for s in result.steps if s.name != "prepare"] == [
            "before-build",
            "build",
            "repair",
            "test",
            "deliver",
        ]
    container = engine.only
    assert container.removed
    assert container.exit_exception is None
    texts = container.texts(IDS[1])
    order = [
        "echo before-build",
        "python -m build /project --wheel --outdir=/tmp/cibuildwheel-like/built_wheel",
        (
            "auditwheel repair -w /tmp/cibuildwheel-like/repaired_wheel"
            f" /tmp/cibuildwheel-like/built_wheel/{wheel_for(IDS[1])}"
        ),
        f"python -m pip install {WHEELS}/{wheel_for(IDS[1])}",
        "pytest /project/tests",
    ]
    positions = [next(n for n, t in enumerate(texts) if t.startswith(c)) for c in order]
    assert positions == sorted(positions)
    (test_run,) = [
        e for e in container.execs if e.identifier == IDS[1] and e.text == "pytest /project/tests"
    ]
    assert test_run.cwd == "/tmp/cibwl-test.000002/test_cwd"  # the container's second test
    assert test_run.env["PATH"].startswith("/tmp/cibwl-test.000002/venv/bin:")
    assert test_run.env["PATH"].split(":")[1] == f"{python_path(IDS[1])}/bin"
    assert [str(p) for p in container.copied_out] == [f"{WHEELS}/{wheel_for(i)}" for i in IDS]


def test_abi3_wheel_is_built_once_then_reused_and_tested_on_later_pythons(tmp_path):
    engine = FakeEngine(wheel_name=lambda identifier: ABI3)
    plan = make_plan(tmp_path, test_command="pytest {project}/tests")
    results, seen, ctx = run(plan, engine, tmp_path)
    container = engine.only
    builds = [e for e in container.execs if e.text.startswith("python -m build")]
    assert [e.identifier for e in builds] == [IDS[0]]
    tests = [e.identifier for e in container.execs if e.text == "pytest /project/tests"]
    assert tests == list(IDS)
    installs = [e for e in container.execs if e.text.startswith("python -m pip install")]
    assert {e.text for e in installs} == {f"python -m pip install {WHEELS}/{ABI3}"}
    assert [str(p) for p in container.copied_out] == [f"{WHEELS}/{ABI3}"]
    assert delivered(tmp_path) == [ABI3]
    assert seen == results
    assert statuses(results) == [(i, "built") for i in IDS]
    assert {r.wheel for r in results} == {tmp_path / "wheelhouse" / ABI3}
    assert [r.test_outcome for r in results] == ["passed"] * 3
    assert [s.name for s in results[1].steps] == ["prepare", "test"]  # no build, no deliver
    assert f"{IDS[1]}: reusing {ABI3}" in console_text(ctx)


def test_abi3_wheel_is_not_reused_by_an_older_python(tmp_path):
    cp312_abi3 = ABI3.replace("cp311-abi3", "cp312-abi3")
    names = {IDS[0]: wheel_for(IDS[0]), IDS[1]: cp312_abi3}
    engine = FakeEngine(wheel_name=names.__getitem__)
    plan = make_plan(tmp_path, identifiers=(IDS[1], IDS[0]))
    results, _, _ = run(plan, engine, tmp_path)
    builds = [e.identifier for e in engine.only.execs if e.text.startswith("python -m build")]
    assert builds == [IDS[1], IDS[0]]
    assert delivered(tmp_path) == sorted(names.values())
    assert statuses(results) == [(IDS[1], "built"), (IDS[0], "built")]


def test_tests_skipped_by_test_skip_are_reported_as_skipped(tmp_path):
    engine = FakeEngine()
    builds = [
        build_options(IDS[0], test_command="pytest", test_skipped=True),
        build_options(IDS[1], test_command="pytest"),
    ]
    results, _, _ = run(plan_of(builds, global_options(tmp_path)), engine, tmp_path)
    assert [r.test_outcome for r in results] == ["skipped", "passed"]
    assert [e.identifier for e in engine.only.execs if e.text == "pytest"] == [IDS[1]]


# -- failures ---------------------------------------------------------------------------------
# stage -> (rule failing IDS[1] there, error class, exit code, test outcome of IDS[1])
STAGE_FAILURES = {
    "before-build": (
        Rule(contains="echo before-build", identifier=IDS[1], returncode=3),
        BuildStepError,
        1,
        "not-run",
    ),
    "build": (
        Rule(contains="python -m build", identifier=IDS[1], returncode=1),
        BuildStepError,
        1,
        "not-run",
    ),
    "repair": (
        Rule(contains="auditwheel repair", identifier=IDS[1], returncode=2),
        BuildStepError,
        1,
        "not-run",
    ),
    "repair-no-wheel": (
        Rule(contains="auditwheel repair", identifier=IDS[1]),  # succeeds, leaves nothing
        RepairProducedNoWheelError,
        8,
        "not-run",
    ),
    "test": (
        Rule(contains="pytest /project/tests", identifier=IDS[1], returncode=1),
        BuildStepError,
        1,
        "failed",
    ),
    "test-install": (
        Rule(contains="pip install", identifier=IDS[1], returncode=1),
        BuildStepError,
        1,
        "failed",
    ),
    "deliver": (
        Rule(contains=f"copy-out {WHEELS}/{wheel_for(IDS[1])}", returncode=1),
        HostCommandError,
        1,
        "passed",
    ),
}


@pytest.mark.parametrize("stage", STAGE_FAILURES)
def test_failure_in_a_stage(tmp_path, stage):
    rule, error, exit_code, test_outcome = STAGE_FAILURES[stage]
    step = {"repair-no-wheel": "repair", "test-install": "test"}.get(stage, stage)
    engine = FakeEngine(rule)
    raised, seen, _ = run_failing(make_plan(tmp_path, **FULL), engine, tmp_path, error)
    assert raised.exit_code == exit_code
    assert statuses(seen) == [(IDS[0], "built"), (IDS[1], "failed"), (IDS[2], "not-run")]
    failed = seen[1]
    assert failed.error == str(raised)
    assert failed.test_outcome == test_outcome
    assert failed.wheel is None
    assert (failed.steps[-1].name, failed.steps[-1].ok) == (step, False)
    assert seen[2].steps == ()
    if isinstance(raised, BuildStepError):
        assert raised.identifier == IDS[1]
        assert raised.step == step
        assert f"{IDS[1]}: step '{raised.step}' failed" in str(raised)
    container = engine.only
    assert container.removed
    assert container.exit_exception is raised
    assert container.texts(IDS[2]) == []  # nothing ran after the failure
    assert delivered(tmp_path) == [wheel_for(IDS[0])]


def test_before_all_failure_is_the_first_identifiers_and_the_rest_do_not_run(tmp_path):
    engine = FakeEngine(Rule(contains="yum install", returncode=4))
    plan = make_plan(tmp_path, before_all="yum install -y libffi-devel")
    raised, seen, _ = run_failing(plan, engine, tmp_path, BuildStepError)
    assert raised.step == "before-all"
    assert raised.returncode == 4
    assert statuses(seen) == [(IDS[0], "failed"), (IDS[1], "not-run"), (IDS[2], "not-run")]
    assert [s.name for s in seen[0].steps] == ["before-all"]
    assert engine.only.removed
    assert delivered(tmp_path) == []


def test_a_failed_group_leaves_later_groups_not_run_and_never_started(tmp_path):
    identifiers = (IDS[0], "cp311-musllinux_x86_64")
    engine = FakeEngine(Rule(contains="python -m build", identifier=IDS[0], returncode=1))
    raised, seen, _ = run_failing(
        make_plan(tmp_path, identifiers), engine, tmp_path, BuildStepError
    )
    assert raised.identifier == IDS[0]
    assert statuses(seen) == [(IDS[0], "failed"), (identifiers[1], "not-run")]
    assert [c.image for c in engine.containers] == [seen[0].image]  # the second never started
    assert engine.only.removed


def test_an_unexpected_exception_still_fails_the_identifier_and_removes_the_container(tmp_path):
    engine = FakeEngine(Rule(contains="python -m build", identifier=IDS[0], raises=OSError("x")))
    _, seen, _ = run_failing(make_plan(tmp_path), engine, tmp_path, OSError)
    assert statuses(seen) == [(IDS[0], "failed"), (IDS[1], "not-run"), (IDS[2], "not-run")]
    assert seen[0].error == "x"
    assert engine.only.removed


def test_ctrl_c_gives_not_run_results_and_removes_the_container(tmp_path):
    interrupt = Rule(contains="python -m build", identifier=IDS[1], raises=KeyboardInterrupt())
    engine = FakeEngine(interrupt)
    _, seen, _ = run_failing(make_plan(tmp_path), engine, tmp_path, KeyboardInterrupt)
    assert statuses(seen) == [(IDS[0], "built"), (IDS[1], "not-run"), (IDS[2], "not-run")]
    assert seen[1].error == "interrupted"
    assert [s.name for s in seen[1].steps] == ["prepare", "build"]
    assert seen[1].steps[-1].ok is False
    container = engine.only
    assert container.removed
    assert isinstance(container.exit_exception, KeyboardInterrupt)
    assert container.texts(IDS[2]) == []


def test_ctrl_c_before_any_container_gives_every_identifier_not_run(tmp_path):
    def interrupted(plan: Plan) -> None:
        raise KeyboardInterrupt

    engine = FakeEngine()
    seen: list[BuildResult] = []
    with pytest.raises(KeyboardInterrupt):
        execute(
            make_plan(tmp_path),
            context(tmp_path),
            on_result=seen.append,
            containers=engine,
            preflight=interrupted,
        )
    assert statuses(seen) == [(i, "not-run") for i in IDS]
    assert engine.containers == []


def test_failing_preflight_starts_no_container(tmp_path):
    def too_old(plan: Plan) -> None:
        raise FatalError("docker too old")

    engine = FakeEngine()
    seen: list[BuildResult] = []
    with pytest.raises(FatalError, match="docker too old"):
        execute(
            make_plan(tmp_path),
            context(tmp_path),
            on_result=seen.append,
            containers=engine,
            preflight=too_old,
        )
    assert statuses(seen) == [(i, "not-run") for i in IDS]
    assert engine.containers == []


def test_same_wheel_from_two_groups_is_exit_6_and_delivered_once(tmp_path):
    identifiers = ("cp311-manylinux_x86_64", "cp311-musllinux_x86_64")
    same = "spam-1.0-cp311-cp311-linux_x86_64.whl"
    engine = FakeEngine(wheel_name=lambda identifier: same)
    raised, seen, _ = run_failing(
        make_plan(tmp_path, identifiers, allow_linux_tag=True),
        engine,
        tmp_path,
        AlreadyBuiltWheelError,
    )
    assert raised.exit_code == 6
    message = str(raised)
    assert f"Build failed because a wheel named {same} was already generated" in message
    assert f"by {identifiers[0]}, and again by {identifiers[1]}" in message
    assert statuses(seen) == [(identifiers[0], "built"), (identifiers[1], "failed")]
    assert [s.name for s in seen[1].steps][-1] == "deliver"
    assert delivered(tmp_path) == [same]
    assert [c.removed for c in engine.containers] == [True, True]


def test_same_wheel_twice_in_one_container_is_exit_6_at_repair(tmp_path):
    same = wheel_for(IDS[0])  # a cp311-cp311 wheel: not reusable by cp312
    engine = FakeEngine(wheel_name=lambda identifier: same)
    raised, seen, _ = run_failing(
        make_plan(tmp_path, IDS[:2]), engine, tmp_path, AlreadyBuiltWheelError
    )
    assert f"by {IDS[0]}, and again by {IDS[1]}" in str(raised)
    assert statuses(seen) == [(IDS[0], "built"), (IDS[1], "failed")]
    assert seen[1].steps[-1].name == "repair"
    assert delivered(tmp_path) == [same]


def test_kept_container_is_not_removed(tmp_path):
    engine = FakeEngine(Rule(contains="python -m build", returncode=1))
    plan = plan_of([build_options(IDS[0])], global_options(tmp_path, debug_keep_container=True))
    run_failing(plan, engine, tmp_path, BuildStepError)
    assert engine.only.keep
    assert not engine.only.removed
