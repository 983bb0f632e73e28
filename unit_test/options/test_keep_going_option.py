"""Our keep-going switch (issue 11): from every layer, the layer recorded, a typo refused."""

from __future__ import annotations

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.schema import cibuildwheel_like_schema

ON = "[tool.cibuildwheel-like]\nkeep-going = true\n"


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
    r = resolve_pyproject(tmp_path, text, env, **cli)
    assert r.globals.keep_going is on
    assert r.explain(None)["keep-going"].layer.startswith(layer)


def test_a_typo_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(ConfigurationError, match="CIBWL_KEEP_GOING") as info:
        _ = resolve_pyproject(tmp_path, env={"CIBWL_KEEP_GOING": "maybe"}).globals
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
