"""Stage "test" through the fake container: which tool makes and fills the fresh venv for each
``test-installer``, the fallbacks, and the packages counted as downloaded."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

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
)

from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.model import FrontendConfig
from cibuildwheel_like.options.resolver import CliValues, resolve_options
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.results import BuildResult

X86 = "cp312-manylinux_x86_64"
IDS = (X86, "cp313-manylinux_x86_64")
VENV = "/tmp/cibwl-test.000001/venv"
WHEEL = "/tmp/cibuildwheel-like/wheels/spam-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
PY = "/opt/python/cp312-cp312/bin/python"
TOOLS_UV = "/tmp/cibuildwheel-like/tools/bin/uv"
MARK = "cibuildwheel-like-uv-probe"
TESTS = {"test_command": "pytest {project}/tests", "test_requires": ("pytest",)}
UV_COLD = (
    "Resolved 5 packages in 425ms\nPrepared 5 packages in 192ms\nInstalled 6 packages in 38ms\n"
)
UV_LOCAL_WHEEL = " + spam==1.0 (from file:///tmp/cibuildwheel-like/wheels/spam-1.0.whl)\n"
PIP_COLD = (
    "Processing /tmp/cibuildwheel-like/wheels/x.whl\nCollecting pytest\n"
    "  Downloading pytest-9.2.0-py3-none-any.whl (411 kB)\n"
    "  Downloading pluggy-1.7.0-py3-none-any.whl (27 kB)\n"
)


def run(
    tmp_path: Path, *rules: Rule, ids: tuple[str, ...] = (X86,), **changes: Any
) -> tuple[FakeEngine, list[BuildResult], Context]:
    engine = FakeEngine(*rules)
    plan = plan_of(
        [build_options(i, **{**TESTS, **changes}) for i in ids], global_options(tmp_path)
    )
    ctx = context(tmp_path)
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    return engine, results, ctx


def probe_answer(*lines: str) -> Rule:
    return Rule(contains=MARK, stdout="\n".join([MARK, *lines, ""]))


def cached_uv(tmp_path: Path) -> Path:
    """uv's binary as the host cache holds it after a download (no host pip in unit tests)."""
    binary = tmp_path / "cache" / "tools" / "uv" / "manylinux_x86_64" / "uv"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"uv")
    return binary


STORE = '\'mkdir -p -- "$2" && mv -- "$1" "$2"/\''
UV_RUNS = Rule(contains="uv --version", stdout="uv 0.13.9 (x86_64-unknown-linux-gnu)\n")


def commands_of_test_step(engine: FakeEngine, identifier: str = X86) -> list[str]:
    """The test step's commands: those after the repaired wheel was stored."""
    texts = engine.only.texts(identifier)
    start = max(n for n, t in enumerate(texts) if t.startswith(f"sh -c {STORE}"))
    return [t for t in texts[start + 1 :] if MARK not in t]  # without the uv probe


def test_pip_installer_is_venv_and_the_venvs_pip(tmp_path: Path) -> None:
    engine, (result,), _ = run(tmp_path, test_installer="pip", build_installer="pip")
    texts = commands_of_test_step(engine)
    assert texts[0].startswith("sh -c ")  # MAKE_VENV: a stdlib venv seeded with this pip
    assert texts[0].endswith(f" sh {VENV}")
    assert texts[1:3] == [f"python -m pip install {WHEEL}", "python -m pip install pytest"]
    assert not any(MARK in t for t in engine.only.texts())  # pip: uv is not even looked for
    assert result.test_outcome == "passed"


def test_uv_installer_uses_the_images_uv_for_the_identifiers_python(tmp_path: Path) -> None:
    engine, (result,), _ = run(
        tmp_path, probe_answer("path /usr/local/bin/uv"), test_installer="uv", test_extras=("t",)
    )
    texts = commands_of_test_step(engine)
    uv_pip = f"/usr/local/bin/uv pip install --python {VENV}/bin/python"
    assert texts[:2] == [  # the wheel and the test requirements: one resolution
        f"/usr/local/bin/uv venv {VENV} --python {PY} --seed",
        f"{uv_pip} '{WHEEL}[t]' pytest",
    ]
    assert result.test_outcome == "passed"


def test_uv_from_the_host_cache_is_copied_in_once_per_container(tmp_path: Path) -> None:
    binary = cached_uv(tmp_path)
    engine, results, ctx = run(tmp_path, probe_answer(), UV_RUNS, ids=IDS, test_installer="uv")
    container = engine.only
    assert [(s, str(d)) for s, d in container.copied_in if s == binary] == [(binary, TOOLS_UV)]
    for number, identifier in enumerate(IDS, 1):  # each test step has its own folder
        python = f"/opt/python/{identifier.split('-')[0]}-{identifier.split('-')[0]}/bin/python"
        venv = f"/tmp/cibwl-test.{number:06d}/venv"
        assert f"{TOOLS_UV} venv {venv} --python {python} --seed" in container.texts(identifier)
    assert not any("-m pip install uv" in t for t in container.texts())  # no PyPI install
    assert "copied uv 0.13.9 from the cache" in console_text(ctx)
    assert [r.test_outcome for r in results] == ["passed", "passed"]


def test_auto_falls_back_to_pip_when_no_uv_can_be_had(tmp_path: Path) -> None:
    """The container remembers that uv could not be installed: the fake answers the probe with
    that memory for the second build, which goes straight to venv + pip."""
    engine, results, ctx = run(
        tmp_path,
        probe_answer("none installing uv failed (no index)"),
        test_installer="auto",
        ids=IDS,
    )
    for number, identifier in enumerate(IDS, 1):
        texts = commands_of_test_step(engine, identifier)
        assert texts[0].endswith(f" sh /tmp/cibwl-test.{number:06d}/venv")  # MAKE_VENV
        assert texts[1].startswith("python -m pip install /tmp/cibuildwheel-like/wheels/")
    assert not any(" venv " in t and "uv" in t.split()[0] for t in engine.only.texts())
    assert "test environment made with venv + pip: installing uv failed (no index)" in (
        console_text(ctx)
    )
    assert [r.test_outcome for r in results] == ["passed", "passed"]


def test_auto_falls_back_when_the_probe_does_not_answer(tmp_path: Path) -> None:
    engine, (result,), _ = run(tmp_path)  # the default: auto; the fake ignores the probe
    assert commands_of_test_step(engine)[1] == f"python -m pip install {WHEEL}"
    assert result.test_outcome == "passed"


def test_a_failed_uv_install_is_remembered_in_the_container(tmp_path: Path) -> None:
    """No host cache (caches off) and the container's pip cannot install uv: marked, pip used."""
    engine = FakeEngine(probe_answer(), Rule(contains="-m pip install uv", returncode=1))
    globals_ = dataclasses.replace(global_options(tmp_path), cache_enabled=False)
    plan = plan_of([build_options(X86, **TESTS)], globals_)
    (result,) = execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    container = engine.only
    marker = next(p for p in container.files if p.name == "no-uv")
    assert container.files[marker].startswith(b"installing uv failed")
    assert f"python -m pip install {WHEEL}" in container.texts(X86)
    assert result.test_outcome == "passed"


def test_uv_installer_refuses_clearly_when_uv_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match=r"test-installer = 'uv', but uv cannot run in .*pip"):
        run(tmp_path, probe_answer("none the installed uv does not run here"), test_installer="uv")


def test_auto_falls_back_when_uv_venv_fails(tmp_path: Path) -> None:
    engine, (result,), ctx = run(
        tmp_path,
        probe_answer("path /usr/bin/uv"),
        Rule(contains="/usr/bin/uv venv", returncode=2),
        test_installer="auto",
    )
    texts = commands_of_test_step(engine)
    assert texts[:2] == [f"/usr/bin/uv venv {VENV} --python {PY} --seed", f"rm -rf -- {VENV}"]
    assert texts[2].endswith(f" sh {VENV}")  # MAKE_VENV
    assert texts[3] == f"python -m pip install {WHEEL}"
    assert "`uv venv` failed" in console_text(ctx)
    assert result.test_outcome == "passed"


def test_auto_installs_with_pip_when_uv_would_ignore_pip_settings(tmp_path: Path) -> None:
    engine, _, ctx = run(
        tmp_path,
        probe_answer("path /usr/bin/uv", "pipconf /etc/pip.conf"),
        test_installer="auto",
    )
    texts = commands_of_test_step(engine)
    assert texts[0] == f"/usr/bin/uv venv {VENV} --python {PY} --seed"  # seeded: has pip
    assert texts[1:3] == [f"python -m pip install {WHEEL}", "python -m pip install pytest"]
    assert "uv would ignore /etc/pip.conf" in console_text(ctx)


def test_uv_frontends_keep_cibuildwheels_unseeded_uv_venv(tmp_path: Path) -> None:
    engine, _, _ = run(tmp_path, build_frontend=FrontendConfig(name="uv"), test_installer="pip")
    texts = commands_of_test_step(engine)
    assert texts[0] == f"uv venv {VENV} --python {PY}"
    assert texts[1] == f"uv pip install --python {VENV}/bin/python {WHEEL} pytest"


def test_before_test_runs_inside_the_fresh_venv(tmp_path: Path) -> None:
    engine, _, _ = run(
        tmp_path, probe_answer("path /usr/bin/uv"), test_installer="uv", before_test="pip list"
    )
    (before,) = [e for e in engine.only.execs if e.text == "pip list"]
    assert before.env["PATH"].startswith(f"{VENV}/bin:")
    assert before.env["VIRTUAL_ENV"] == VENV


@pytest.mark.parametrize(
    ("installer", "rules", "output", "expected"),
    [
        ("pip", (), PIP_COLD, 2 + 2),  # two counted installs: the wheel, then pytest
        ("uv", (probe_answer("path /usr/bin/uv"),), UV_COLD, 5),
        # uv prepares the local wheel under test too: it was not fetched
        ("uv", (probe_answer("path /usr/bin/uv"),), UV_COLD + UV_LOCAL_WHEEL, 4),
        ("uv", (probe_answer("path /usr/bin/uv"),), "Resolved 5 packages in 9ms\n", 0),
    ],
)
def test_downloads_are_counted_into_the_build_result(
    tmp_path: Path, installer: str, rules: tuple[Rule, ...], output: str, expected: int
) -> None:
    install = Rule(contains="pip install", stdout=output)
    _, (result,), ctx = run(tmp_path, *rules, install, test_installer=installer)
    assert result.cache.downloads == expected
    assert output.splitlines()[0] in console_text(ctx)  # captured output is still shown


def test_group_requirements_are_installed_without_reading_pyproject(tmp_path: Path) -> None:
    """The defect: `test-groups = ["test-deps"]` with the group spelled `Test_Deps` passed
    validation, then the test stage re-read pyproject.toml without normalising and failed."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cibuildwheel]\ntest-command = "pytest"\ntest-requires = "attrs"\n'
        'test-groups = ["test-deps"]\n'
        '[dependency-groups]\nTest_Deps = ["pytest>=8", {include-group = "more"}]\n'
        'more = ["hypothesis"]\n'
    )
    resolver = resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=None,
        environ={},
        cli=CliValues(platform="linux"),
    )
    config = identifiers.get_configuration(X86)
    assert config is not None
    options = dataclasses.replace(resolver.build_options(config), test_installer="pip", image="img")
    (tmp_path / "pyproject.toml").unlink()  # the pipeline must never need it
    engine = FakeEngine()
    plan = plan_of([options], global_options(tmp_path))
    execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
    installs = [t for t in engine.only.texts() if t.startswith("python -m pip install")]
    assert installs[1] == "python -m pip install attrs 'pytest>=8' hypothesis"


def test_recent_installs_come_from_uvs_cache_first(tmp_path: Path) -> None:
    """The second identifier's seed and the same requirements are asked --offline first; a miss
    there falls back to the index, and nothing is counted for the failed attempt."""
    uv = probe_answer("path /usr/bin/uv")
    miss = Rule(contains="pytest --offline", returncode=1, stdout="Prepared 9 packages in 1ms\n")
    engine, results, ctx = run(tmp_path, uv, miss, ids=IDS, test_installer="uv")
    first, second = (commands_of_test_step(engine, i) for i in IDS)
    assert not any("--offline" in t for t in first)
    assert second[0].endswith(" --seed")  # another Python: its seed was never asked
    assert not any("--offline" in t for t in second)  # the wheel differs: a new key
    _, (again,), ctx = run(tmp_path, uv, miss, test_installer="uv")  # the same cache, X86 again
    texts = commands_of_test_step(_, X86)
    assert texts[0] == f"/usr/bin/uv venv {VENV} --python {PY} --seed --offline"
    install = f"/usr/bin/uv pip install --python {VENV}/bin/python {WHEEL} pytest"
    assert texts[1:3] == [f"{install} --offline", install]  # missed, then the index
    assert "not all in uv's cache" in console_text(ctx)
    assert again.cache.downloads == 0
    assert [r.test_outcome for r in (*results, again)] == ["passed"] * 3


def test_caches_off_never_go_offline(tmp_path: Path) -> None:
    globals_ = dataclasses.replace(global_options(tmp_path), cache_enabled=False)
    for _ in range(2):
        engine = FakeEngine(probe_answer("path /usr/bin/uv"))
        plan = plan_of([build_options(X86, test_installer="uv", **TESTS)], globals_)
        execute(plan, context(tmp_path), containers=engine, preflight=no_preflight)
        assert not any("--offline" in t for t in engine.only.texts())
