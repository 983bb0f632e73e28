"""The test venv made beside the build (early_venv): only where the lanes overlap tests and uv's
cache can make it; the test step shows it, and redoes it from the index when it failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakes import (
    FakeEngine,
    Rule,
    build_options,
    console_text,
    context,
    global_options,
    no_preflight,
    plan_of,
)

from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.results import BuildResult

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
MARK = "cibuildwheel-like-uv-probe"
UV = Rule(contains=MARK, stdout=f"{MARK}\npath /usr/bin/uv\n")
TESTS = {"test_command": "pytest {project}/tests", "test_installer": "uv"}
EARLY = "(made while the wheel built)"


def run(
    tmp_path: Path, *rules: Rule, jobs: int, **changes: Any
) -> tuple[FakeEngine, list[BuildResult], Context]:
    engine = FakeEngine(UV, *rules)
    builds = [build_options(i, **{**TESTS, **changes}) for i in IDS]
    ctx = context(tmp_path)  # the same cache folder on every call: the second run is warm
    plan = plan_of(builds, global_options(tmp_path, jobs=jobs))
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    return engine, results, ctx


def venv_commands(engine: FakeEngine) -> list[str]:
    return [t for c in engine.containers for t in c.texts() if t.startswith("/usr/bin/uv venv")]


def test_a_warm_overlapped_run_makes_each_venv_beside_its_build(tmp_path: Path) -> None:
    _, _, cold = run(tmp_path, jobs=2)
    assert EARLY not in console_text(cold)  # the index was never asked: the test step asks it
    engine, results, ctx = run(tmp_path, jobs=2)
    text = console_text(ctx)
    assert text.count(EARLY) == len(IDS)
    made = venv_commands(engine)
    assert len(made) == len(IDS)  # made once each, never again by the test step
    assert all(t.endswith(" --seed --offline") for t in made)
    for container in engine.containers:  # each test in its own folder
        folders = [t.split()[2] for t in container.texts() if t.startswith("/usr/bin/uv venv")]
        assert len(set(folders)) == len(folders)
    assert len(engine.containers) == 2  # so one container made two venvs
    assert [r.test_outcome for r in results] == ["passed"] * len(IDS)


def test_a_failed_early_venv_is_removed_and_made_from_the_index(tmp_path: Path) -> None:
    run(tmp_path, jobs=2)
    miss = Rule(contains="--seed --offline", returncode=1, stdout="no cached pip\n")
    engine, results, ctx = run(tmp_path, miss, jobs=2)
    made = venv_commands(engine)
    assert sum(t.endswith(" --seed --offline") for t in made) == len(IDS)
    assert sum(t.endswith(" --seed") for t in made) == len(IDS)  # then online, by the step
    assert EARLY not in console_text(ctx)
    removed = [t for c in engine.containers for t in c.texts() if t.startswith("rm -rf -- ")]
    assert len(removed) == len(IDS)
    assert [r.test_outcome for r in results] == ["passed"] * len(IDS)


def test_a_sequential_run_makes_the_venv_in_the_test_step(tmp_path: Path) -> None:
    run(tmp_path, jobs=1)
    engine, _, ctx = run(tmp_path, jobs=1)
    assert EARLY not in console_text(ctx)
    texts = engine.only.texts()
    build = max(n for n, t in enumerate(texts) if t.startswith("python -m build"))
    last_venv = max(n for n, t in enumerate(texts) if t.startswith("/usr/bin/uv venv"))
    assert last_venv > build  # after the last build: made by its test step


def test_pip_test_installs_are_never_made_early(tmp_path: Path) -> None:
    run(tmp_path, jobs=2, test_installer="pip")
    _, _, ctx = run(tmp_path, jobs=2, test_installer="pip")
    assert EARLY not in console_text(ctx)
