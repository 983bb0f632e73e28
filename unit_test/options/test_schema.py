from __future__ import annotations

import json

from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.schema import (
    cibuildwheel_like_schema,
    cibuildwheel_schema,
    option_schema,
    pyproject_tool_schema,
    schema_json,
)


def test_schema_is_json_and_has_both_sections() -> None:
    schema = json.loads(schema_json())
    assert schema["$schema"].startswith("http://json-schema.org/")
    assert set(schema["properties"]) == {"cibuildwheel", "cibuildwheel-like"}
    assert schema == pyproject_tool_schema()


def test_every_file_option_is_in_the_schema() -> None:
    props = cibuildwheel_schema()["properties"]
    for spec in reg.CIBW_FILE_OPTIONS:
        assert props[spec.name]["title"] == spec.env_var
        assert props[spec.name]["description"] == spec.help
    assert {"inherit", "overrides", "linux", "macos", "windows"} <= set(props)
    env_only = {s.name for s in reg.OPTIONS if s.env_only}
    assert not env_only & set(props)
    ours = cibuildwheel_like_schema()["properties"]
    assert ours["emulated-tests"]["enum"] == ["full", "smoke", "skip"]
    assert ours["emulated-tests"]["default"] == "full"


def test_overrides_exclude_global_only_and_require_select() -> None:
    items = cibuildwheel_schema()["properties"]["overrides"]["items"]
    assert items["required"] == ["select"]
    for spec in reg.CIBW_FILE_OPTIONS:
        assert (spec.name in items["properties"]) is not spec.global_only


def test_linux_table_excludes_dependency_versions() -> None:
    linux = cibuildwheel_schema()["properties"]["linux"]["properties"]
    assert "dependency-versions" not in linux
    assert "before-all" in linux


def test_inherit_lists_only_mergeable_options() -> None:
    inherit = cibuildwheel_schema()["properties"]["inherit"]["oneOf"][1]["properties"]
    assert "before-build" in inherit
    assert "environment" in inherit
    assert "build-verbosity" not in inherit
    assert "container-engine" not in inherit


def test_kind_specific_schemas() -> None:
    verbosity = option_schema(reg.spec("build-verbosity"))
    assert (verbosity["type"], verbosity["minimum"], verbosity["maximum"]) == ("integer", -3, 3)
    engine = option_schema(reg.spec("container-engine"))
    assert {"enum": ["docker", "podman"]} in engine["oneOf"]
    frontend = option_schema(reg.spec("build-frontend"))
    assert "build[uv]" in frontend["oneOf"][0]["enum"]
    enable = option_schema(reg.spec("enable"))
    assert "pypy" in enable["oneOf"][0]["enum"]
    assert "default" not in option_schema(reg.spec("xbuild-tools"))  # the NUL sentinel
