"""test-container = fresh through the fake engine: the test step runs in a second container that
never ran before-all or before-build, holds the repaired wheel at its build path, and is removed
on success, failure and Ctrl-C; build keeps testing in place."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest
from fakes import (
    IMAGE,
    FakeEngine,
    Rule,
    build_options,
    console_text,
    context,
    global_options,
    no_preflight,
    plan_of,
    wheel_bytes,
    wheel_for,
)

from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline import fresh_test
from cibuildwheel_like.pipeline.executor import execute
from cibuildwheel_like.pipeline.fresh_test import STEP

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.results import BuildResult

X86 = "cp312-manylinux_x86_64"
WHEELS = PurePosixPath("/tmp/cibuildwheel-like/wheels")
WHEEL = WHEELS / wheel_for(X86)
RUNTIME = "cibuildwheel-like/debian-bookworm-runtime:x86_64"
FRESH = {
    "test_command": "python {project}/check.py {wheel}",
    "before_all": "apt-get install -y libyaml-dev",
    "before_build": "echo before-build",
    "before_test": "echo before-test",
    "test_requires": ("pytest",),
    "test_installer": "pip",
    "test_container": "fresh",
}


def run(
    tmp_path: Path, *rules: Rule, ids: tuple[str, ...] = (X86,), **changes: Any
) -> tuple[FakeEngine, list[BuildResult], Context]:
    engine = FakeEngine(*rules)
    plan = plan_of(
        [build_options(i, **{**FRESH, **changes}) for i in ids], global_options(tmp_path)
    )
    ctx = context(tmp_path)
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    return engine, results, ctx


def test_fresh_runs_the_test_step_in_a_new_container_without_before_all(tmp_path: Path) -> None:
    engine, (result,), ctx = run(tmp_path)
    build, fresh = engine.containers
    assert build.image == fresh.image == IMAGE  # no test-image: the build image
    # before-all and before-build ran in the build container only; the tests in the fresh one
    assert "apt-get install -y libyaml-dev" in build.texts()
    assert "echo before-build" in build.texts()
    assert not any("before-test" in t or "check.py" in t for t in build.texts())
    assert not any("libyaml" in t or "before-build" in t for t in fresh.texts())
    assert "echo before-test" in fresh.texts(X86)
    assert f"python /project/check.py {WHEEL}" in fresh.texts(X86)
    assert f"python -m pip install {WHEEL}" in fresh.texts(X86)
    # the repaired wheel travels from the build container to the same path in the fresh one
    assert build.copied_out == [WHEEL, WHEEL]  # for the fresh container, then delivered
    assert fresh.files[WHEEL] == wheel_bytes(wheel_for(X86))
    # the project is copied in, the caches are mounted as in the build container
    assert any(str(dest) == "/project" for _, dest in fresh.copied_in)
    assert fresh.mounts == build.mounts
    assert fresh.removed
    assert build.removed
    assert result.status == "built"
    assert result.test_outcome == "passed"
    names = [s.name for s in result.steps]
    assert names[-3:] == [STEP, "test", "deliver"]
    assert f"{X86}: starting a fresh test container from {IMAGE}" in console_text(ctx)


def test_test_image_is_the_fresh_containers_image(tmp_path: Path) -> None:
    engine, (result,), _ = run(tmp_path, test_image=RUNTIME)
    build, fresh = engine.containers
    assert (build.image, fresh.image) == (IMAGE, RUNTIME)
    assert result.test_outcome == "passed"


def test_a_failing_test_fails_the_build_and_removes_the_fresh_container(tmp_path: Path) -> None:
    engine = FakeEngine(Rule(contains="check.py", returncode=1))
    plan = plan_of([build_options(X86, **FRESH)], global_options(tmp_path))
    results: list[BuildResult] = []
    with pytest.raises(BuildStepError, match=r"step 'test' failed: command `python /project/che"):
        execute(plan, context(tmp_path), containers=engine, preflight=no_preflight,
                on_result=results.append)  # fmt: skip
    (result,) = results
    assert (result.status, result.test_outcome) == ("failed", "failed")
    build, fresh = engine.containers
    assert fresh.removed
    assert isinstance(fresh.exit_exception, BuildStepError)
    assert build.removed
    assert not (tmp_path / "wheelhouse" / wheel_for(X86)).exists()


def test_ctrl_c_in_the_fresh_container_removes_it(tmp_path: Path) -> None:
    engine = FakeEngine(Rule(contains="check.py", raises=KeyboardInterrupt()))
    plan = plan_of([build_options(X86, **FRESH)], global_options(tmp_path))
    results: list[BuildResult] = []
    with pytest.raises(KeyboardInterrupt):
        execute(plan, context(tmp_path), containers=engine, preflight=no_preflight,
                on_result=results.append)  # fmt: skip
    build, fresh = engine.containers
    assert fresh.removed
    assert isinstance(fresh.exit_exception, KeyboardInterrupt)
    assert build.removed
    assert [(r.status, r.error) for r in results] == [("not-run", "interrupted")]


def test_debug_keep_container_keeps_the_fresh_container_too(tmp_path: Path) -> None:
    engine = FakeEngine()
    options = build_options(X86, **FRESH)
    plan = plan_of([options], global_options(tmp_path, debug_keep_container=True))
    execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    assert [c.keep for c in engine.containers] == [True, True]
    assert not any(c.removed for c in engine.containers)


@pytest.mark.parametrize(
    "changes",
    [
        {"test_skipped": True},  # test-skip
        {"test_command": ""},  # nothing to test
    ],
)
def test_no_container_for_builds_without_tests(tmp_path: Path, changes: dict[str, Any]) -> None:
    engine, (result,), _ = run(tmp_path, **changes)
    assert len(engine.containers) == 1
    assert STEP not in [s.name for s in result.steps]


def test_emulated_skip_starts_no_container(tmp_path: Path) -> None:
    aarch64 = "cp312-manylinux_aarch64"
    engine = FakeEngine()
    options = build_options(aarch64, **FRESH, emulated_tests="skip")
    plan = plan_of([options], global_options(tmp_path))
    (result,) = execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    assert len(engine.containers) == 1
    assert result.test_outcome == "skipped"


def test_build_mode_tests_in_the_build_container(tmp_path: Path) -> None:
    engine, (result,), _ = run(tmp_path, test_container="build")
    container = engine.only
    assert f"python /project/check.py {WHEEL}" in container.texts(X86)
    assert container.copied_out == [WHEEL]  # delivered only
    assert result.test_outcome == "passed"
    assert STEP not in [s.name for s in result.steps]


def test_a_reused_abi3_wheel_is_tested_in_a_fresh_container_of_the_later_python(
    tmp_path: Path,
) -> None:
    ids = ("cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
    abi3 = "spam-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"
    engine = FakeEngine(wheel_name=lambda _identifier: abi3)
    plan = plan_of([build_options(i, **FRESH) for i in ids], global_options(tmp_path))
    results = execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    build, first, second = engine.containers
    for fresh, identifier in ((first, ids[0]), (second, ids[1])):
        assert f"python /project/check.py {WHEELS}/{abi3}" in fresh.texts(identifier)
        assert fresh.files[WHEELS / abi3] == wheel_bytes(abi3)
        assert fresh.removed
    assert [r.test_outcome for r in results] == ["passed", "passed"]
    assert build.copied_out == [WHEELS / abi3] * 3  # two fresh containers, one delivery


def test_a_test_image_without_the_interpreter_names_test_image(tmp_path: Path) -> None:
    """The fake engine's interpreter check is shared by its containers, so the build container
    has the interpreter and the test image lacks it only through the test image's rule."""
    missing = Rule(contains='[ -x "$p/bin/python" ]', stdout="/opt/python/cp312-cp312\n")
    engine = FakeEngine()
    options = build_options(X86, **FRESH, test_image="my/runtime:1")
    plan = plan_of([options], global_options(tmp_path))
    calls = {"n": 0}

    def factory(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the fresh container: its image lacks cp312
            engine.rules.append(missing)
        return engine(**kwargs)

    with pytest.raises(
        FatalError, match=r"(?s)lacks the interpreters.*test-image = 'my/runtime:1'"
    ):
        execute(plan, context(tmp_path), containers=factory, preflight=no_preflight)
    assert engine.containers[1].removed


def test_a_failed_test_names_the_library_the_wheel_lacks(tmp_path: Path) -> None:
    engine = FakeEngine(
        Rule(contains="check.py", returncode=1),
        Rule(contains="wheel.extractall", stdout="yamlver.so\tlibyaml-0.so.2\n"),
    )
    plan = plan_of([build_options(X86, **FRESH, test_image=RUNTIME)], global_options(tmp_path))
    with pytest.raises(BuildStepError) as caught:
        execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    message = str(caught.value)
    assert message.startswith(f"{X86}: step 'test' failed: command `python /project/check.py")
    assert (
        f"In the fresh test container ({RUNTIME}) the wheel cannot find libyaml-0.so.2 (needed"
        " by yamlver.so)"
    ) in message
    assert "auditwheel repair" in message
    _, fresh = engine.containers
    probe = next(e for e in fresh.execs if "wheel.extractall" in e.text)
    assert probe.argv[0] == "/opt/python/cp312-cp312/bin/python"
    assert probe.argv[-1] == str(WHEEL)
    assert fresh.removed


def test_missing_runtime_test_images_stop_the_run_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, str]] = []

    def image_exists(engine: str, ref: str) -> bool:
        asked.append((engine, ref))
        return ref != RUNTIME

    monkeypatch.setattr(fresh_test.client, "image_exists", image_exists)
    builds = [
        build_options(X86, **FRESH, test_image=RUNTIME),
        build_options("cp313-manylinux_x86_64", **FRESH, test_image=RUNTIME),
        build_options(
            "cp312-manylinux_aarch64", **FRESH, test_image=RUNTIME.replace("x86_64", "aarch64")
        ),
        build_options("cp312-manylinux_i686", **FRESH, test_image="ghcr.io/me/runtime:1"),
        build_options("cp313-manylinux_aarch64", test_image=""),
    ]
    plan = plan_of(builds, global_options(tmp_path))
    with pytest.raises(FatalError) as caught:
        fresh_test.check_test_images(plan)
    assert str(caught.value).endswith(
        f"\n  {RUNTIME}: cibuildwheel-like images build --suite bookworm --arch x86_64"
        " --engine docker --runtime"
    )
    # each runtime image asked once; other references are left to the engine (pulled)
    assert asked == [("docker", RUNTIME), ("docker", RUNTIME.replace("x86_64", "aarch64"))]
    monkeypatch.setattr(fresh_test.client, "image_exists", lambda _engine, _ref: True)
    fresh_test.check_test_images(plan)
