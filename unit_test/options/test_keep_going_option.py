"""Our keep-going switch (issue 11): from every layer, the layer recorded, a typo refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options
from cibuildwheel_like.options.schema import cibuildwheel_like_schema

if TYPE_CHECKING:
    from pathlib import Path

ON = "[tool.cibuildwheel-like]\nkeep-going = true\n"


def resolve(
    tmp_path: Path, text: str = "", env: dict[str, str] | None = None, **cli: object
) -> Resolver:
    (tmp_path / "pyproject.toml").write_text(text)
    return resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=None,
        environ=env or {},
        cli=CliValues(platform="linux", **cli),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("text", "env", "cli", "on", "layer"),
    [
        ("", {}, {}, False, "default"),
        (ON, {}, {}, True, "pyproject"),
        (ON, {"CIBWL_KEEP_GOING": "0"}, {}, False, "env"),
        ("", {"CIBWL_KEEP_GOING": "yes"}, {}, True, "env"),
        ("", {"CIBWL_KEEP_GOING": "0"}, {"keep_going": True}, True, "command line"),
    ],
)  # fmt: skip
def test_keep_going_switch(tmp_path, text, env, cli, on, layer):
    r = resolve(tmp_path, text, env, **cli)
    assert r.globals.keep_going is on
    assert r.explain(None)["keep-going"].layer.startswith(layer)


def test_a_typo_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(ConfigurationError, match="CIBWL_KEEP_GOING") as info:
        _ = resolve(tmp_path, env={"CIBWL_KEEP_GOING": "maybe"}).globals
    assert "'maybe' is not valid; use true or false" in str(info.value)


def test_keep_going_is_run_wide_and_in_the_schema():
    spec = reg.spec("keep-going")
    assert (spec.toml_table, spec.env_var, spec.default) == (
        reg.OURS_TABLE,
        "CIBWL_KEEP_GOING",
        False,
    )
    assert spec.global_only
    props = cibuildwheel_like_schema()["properties"]
    assert "keep-going" in props
