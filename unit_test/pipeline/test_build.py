"""Stage "build" through the fake container: build-installer picks what fills the `build`
frontend's isolated environment."""

from __future__ import annotations

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
from cibuildwheel_like.options.model import FrontendConfig
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context

X86 = "cp312-manylinux_x86_64"
MARK = "cibuildwheel-like-uv-probe"
UV = Rule(contains=MARK, stdout=f"{MARK}\npath /opt/uv/bin/uv\n")


def build_exec(tmp_path: Path, *rules: Rule, **changes: Any) -> tuple[Any, Context]:
    engine = FakeEngine(*rules)
    ctx = context(tmp_path)
    plan = plan_of([build_options(X86, **changes)], global_options(tmp_path))
    execute(plan, ctx, containers=engine, preflight=no_preflight)
    (build,) = [e for e in engine.only.execs if e.text.startswith("python -m build ")]
    return build, ctx


def test_auto_fills_the_isolated_environment_with_uv_where_it_runs(tmp_path: Path) -> None:
    build, _ = build_exec(tmp_path, UV)
    assert build.text.endswith(" --installer=uv")
    assert build.env["PATH"].endswith(":/opt/uv/bin")  # appended: build finds it last


@pytest.mark.parametrize(
    "changes",
    [
        {"build_installer": "pip"},
        {"build_frontend": FrontendConfig(name="build", args=("--no-isolation",))},
    ],
)
def test_pip_or_no_isolation_keep_cibuildwheels_command(tmp_path: Path, changes: Any) -> None:
    build, _ = build_exec(tmp_path, UV, **changes)
    assert "--installer" not in build.text


def test_auto_keeps_pip_when_uv_would_ignore_a_pip_setting(tmp_path: Path) -> None:
    rule = Rule(contains=MARK, stdout=f"{MARK}\npath /usr/bin/uv\npipconf /etc/pip.conf\n")
    build, ctx = build_exec(tmp_path, rule)
    assert "--installer" not in build.text
    assert "build requirements installed with pip, not uv: uv would ignore /etc/pip.conf" in (
        console_text(ctx)
    )


def test_uv_refuses_clearly_when_uv_cannot_run(tmp_path: Path) -> None:
    rule = Rule(contains=MARK, stdout=f"{MARK}\nnone the installed uv does not run here\n")
    with pytest.raises(FatalError, match=r"build-installer = 'uv', but uv cannot run in .*'pip'"):
        build_exec(tmp_path, rule, build_installer="uv")
