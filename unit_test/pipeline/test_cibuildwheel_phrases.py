"""cibuildwheel's key phrases stay inside our messages: its integration tests and users' log
searches grep for them. Each is produced here by the code path that really emits it."""

from __future__ import annotations

import unittest
from typing import TYPE_CHECKING

import pytest
from fakes import (
    FakeEngine,
    Rule,
    build_options,
    context,
    global_options,
    no_preflight,
    plan_of,
    python_path,
)

from cibuildwheel_like.errors import (
    AlreadyBuiltWheelError,
    BuildStepError,
    FatalError,
    NonPlatformWheelError,
)
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.pipeline import test as test_stage
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")


def fail(tmp_path: Path, engine: FakeEngine, error: type[BaseException], **changes) -> str:
    plan = plan_of([build_options(i, **changes) for i in IDS], global_options(tmp_path))
    with pytest.raises(error) as info:
        execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    return str(info.value)


def test_pure_python_wheel(tmp_path):
    engine = FakeEngine(wheel_name=lambda identifier: "spam-1.0-py3-none-any.whl")
    message = fail(tmp_path, engine, NonPlatformWheelError)
    assert message.startswith("Build failed because a pure Python wheel was generated")
    assert f"{IDS[0]} built spam-1.0-py3-none-any.whl" in message
    assert "CIBW_BUILD_VERBOSITY=1" in message  # our guidance follows the phrase
    assert NonPlatformWheelError(IDS[0], "x.whl").exit_code == 5


def test_duplicate_wheel():
    error = AlreadyBuiltWheelError("spam.whl", first=IDS[0], again=IDS[1])
    assert str(error).startswith(
        "Build failed because a wheel named spam.whl was already generated in the current run"
    )
    assert "Narrow `build`/`skip`" in str(error)
    assert error.exit_code == 6


def test_python_on_path_check(tmp_path):
    moved = parse_environment("PATH=/usr/local/extra:$PATH", option="environment")
    message = fail(tmp_path, FakeEngine(), FatalError, environment=moved)
    assert "python available on PATH doesn't match our installed instance" in message
    assert f"`python` on PATH is /usr/local/extra/python, not {python_path(IDS[0])}" in message
    assert "PATH=$PATH:/extra" in message  # the fix


def test_pip_on_path_check(tmp_path):
    # `python` is found first, but `pip` is somewhere else: the fake answers from PATH's
    # first entry, so a rule stands in for a PATH where only pip is shadowed.
    python = f"{python_path(IDS[0])}/bin/python"
    which = Rule(contains='command -v "$t"', stdout=f"{python}\n/usr/bin/pip\n")
    message = fail(tmp_path, FakeEngine(which), FatalError)
    assert "pip available on PATH doesn't match our installed instance" in message


def test_missing_interpreter_lists_every_missing_one(tmp_path):
    engine = FakeEngine(missing=[python_path(IDS[1]), python_path(IDS[2])])
    message = fail(tmp_path, engine, FatalError)
    image = build_options(IDS[0]).image
    for identifier in IDS[1:]:
        assert (
            f"{identifier}: {python_path(identifier)}/bin/python executable doesn't exist in"
            f" image {image}"
        ) in message
    assert IDS[0] not in message
    assert "Narrow `build`/`skip`" in message


def test_stale_shared_objects_are_named_when_the_build_fails(tmp_path):
    stale = tmp_path / "project" / "src" / "_spam.cpython-311-x86_64-linux-gnu.so"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    engine = FakeEngine(Rule(contains="python -m build", returncode=1))
    message = fail(tmp_path, engine, BuildStepError)
    assert "NOTE: Shared object (.so) files found in this project" in message
    assert "src/_spam.cpython-311-x86_64-linux-gnu.so" in message
    assert "clean checkout" in message


def test_no_shared_object_note_without_shared_objects(tmp_path):
    engine = FakeEngine(Rule(contains="python -m build", returncode=1))
    message = fail(tmp_path, engine, BuildStepError)
    assert "Shared object" not in message


def test_bare_pytest_hint_is_what_the_guard_test_fails_with():
    namespace: dict[str, object] = {}
    exec(compile(test_stage.GUARD, test_stage.GUARD_NAME, "exec"), namespace)  # noqa: S102
    case = namespace["WrongDirectory"]
    assert isinstance(case, type)
    assert issubclass(case, unittest.TestCase)
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    ((_, traceback),) = result.failures
    assert (
        "Please specify a path to your tests when invoking pytest using the {project}"
        " placeholder" in traceback
    )
    assert "test-sources" in traceback  # our guidance follows the phrase


def test_the_guard_is_placed_where_tests_run_without_test_sources(tmp_path):
    engine = FakeEngine()
    plan = plan_of([build_options(IDS[0], test_command="pytest")], global_options(tmp_path))
    execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    guard = f"/tmp/cibwl-test.000001/test_cwd/{test_stage.GUARD_NAME}"
    assert {str(p): d for p, d in engine.only.files.items()}[guard] == test_stage.GUARD.encode()
