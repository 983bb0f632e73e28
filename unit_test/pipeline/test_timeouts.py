"""build-timeout / test-timeout: the step-level hook, through the fake container (no engine)."""

from __future__ import annotations

import pytest
from fakes import FakeEngine, Rule, build_options, context, global_options, no_preflight, plan_of

from cibuildwheel_like.engine.exec_limit import ExecTimeoutError
from cibuildwheel_like.errors import StepTimeoutError
from cibuildwheel_like.pipeline import timeouts
from cibuildwheel_like.pipeline.executor import execute

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64")
FULL = {
    "before_all": "yum install -y x",
    "before_build": "echo before-build",
    "repair_wheel_command": "auditwheel repair -w {dest_dir} {wheel}",
    "test_command": "pytest {project}/tests",
}


def test_each_step_is_limited_by_its_option():
    options = build_options(IDS[0], build_timeout=2.5, test_timeout=0.1)
    for step in ("before-all", "before-build", "build", "repair"):
        assert timeouts.limit_of(options, step) == ("build-timeout", 2.5)
    for step in ("test", "smoke-test"):
        assert timeouts.limit_of(options, step) == ("test-timeout", 0.1)
    for step in ("prepare", "deliver"):
        assert timeouts.limit_of(options, step) is None
    assert timeouts.limit_of(build_options(IDS[0]), "build") is None  # default: no limit


def test_limits_reach_the_container_in_seconds_per_step(tmp_path):
    engine = FakeEngine()
    builds = [build_options(i, build_timeout=0.5, test_timeout=2, **FULL) for i in IDS]
    execute(
        plan_of(builds, global_options(tmp_path)),
        context(tmp_path),
        containers=engine,
        preflight=no_preflight,
    )
    # before-all once; then per identifier before-build, build, repair (30 s), test (120 s)
    assert engine.only.time_limits == [30.0, *[30.0, 30.0, 30.0, 120.0] * 2]


@pytest.mark.parametrize(
    ("contains", "step", "option", "minutes"),
    [
        ("python -m build", "build", "build-timeout", 0.5),
        ("pytest", "test", "test-timeout", 0.1),
    ],
)
def test_a_step_past_its_limit_fails_the_identifier_naming_step_and_limit(
    tmp_path, contains, step, option, minutes
):
    engine = FakeEngine(
        Rule(contains=contains, identifier=IDS[0], raises=ExecTimeoutError("c", minutes * 60))
    )
    builds = [build_options(i, build_timeout=0.5, test_timeout=0.1, **FULL) for i in IDS]
    seen = []
    with pytest.raises(StepTimeoutError) as info:
        execute(
            plan_of(builds, global_options(tmp_path)),
            context(tmp_path),
            on_result=seen.append,
            containers=engine,
            preflight=no_preflight,
        )
    error = info.value
    assert error.exit_code == 1
    assert (error.identifier, error.step, error.option, error.minutes) == (
        IDS[0],
        step,
        option,
        minutes,
    )
    assert f"{IDS[0]}: step '{step}' ran past {option} = {minutes:g} minutes" in str(error)
    assert [(r.identifier, r.status) for r in seen] == [(IDS[0], "failed"), (IDS[1], "not-run")]
    assert seen[0].error == str(error)
    assert (seen[0].steps[-1].name, seen[0].steps[-1].ok) == (step, False)
    assert engine.only.removed  # cleanup as for any failure
