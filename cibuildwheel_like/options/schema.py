"""A JSON schema for ``[tool.cibuildwheel]`` and ``[tool.cibuildwheel-like]``, from the registry.

``pyproject_tool_schema()`` describes the ``[tool]`` table (both sections); the section
schemas are available on their own for editors that validate one table at a time.
"""

from __future__ import annotations

import json
from typing import Any

from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.model import ENGINE_NAMES
from cibuildwheel_like.options.selector import EnableGroup
from cibuildwheel_like.options.values import FRONTEND_NAMES

DRAFT = "http://json-schema.org/draft-07/schema#"
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_STRING_OR_LIST: dict[str, Any] = {"oneOf": [{"type": "string"}, _STRINGS]}
_INHERIT_RULE: dict[str, Any] = {
    "enum": ["none", "prepend", "append"],
    "default": "none",
    "description": "How to combine with the value below.",
}


def _structured(spec: reg.OptionSpec) -> dict[str, Any]:
    match spec.name:
        case "build-frontend":
            names = [*FRONTEND_NAMES, "default"]
            return {
                "oneOf": [
                    {"enum": names},
                    {"type": "string", "pattern": r"^(pip|build|build\[uv\]|uv); ?args:"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {"name": {"enum": list(FRONTEND_NAMES)}, "args": _STRINGS},
                    },
                ]
            }
        case "container-engine":
            return {
                "oneOf": [
                    {"enum": list(ENGINE_NAMES)},
                    {
                        "type": "string",
                        "pattern": r"^(docker|podman); ?(create_args|create-args|"
                        r"disable_host_mount|disable-host-mount):",
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {
                            "name": {"enum": list(ENGINE_NAMES)},
                            "create-args": _STRINGS,
                            "create_args": _STRINGS,
                            "disable-host-mount": {"type": "boolean"},
                            "disable_host_mount": {"type": "boolean"},
                        },
                    },
                ]
            }
        case "dependency-versions":
            return {
                "oneOf": [
                    {"enum": ["pinned", "latest"]},
                    {"type": "string", "not": {"enum": ["pinned", "latest"]}},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"file": {"type": "string"}},
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"packages": _STRINGS},
                    },
                ]
            }
        case "test-runtime":
            return {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"args": _STRINGS},
                    },
                ]
            }
    return {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "additionalProperties": {"oneOf": [{"type": "string"}, _STRINGS]},
            },
        ]
    }


def option_schema(spec: reg.OptionSpec) -> dict[str, Any]:
    body: dict[str, Any]
    match spec.kind:
        case "words" | "quoted-words" | "comma-list" | "command":
            if spec.name == "enable":
                groups = {"enum": [*(g.value for g in EnableGroup), "all"]}
                body = {"oneOf": [groups, {"type": "array", "items": groups}]}
            else:
                body = dict(_STRING_OR_LIST)
        case "environment":
            body = {
                "oneOf": [
                    {"type": "string"},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ]
            }
        case "key-value":
            body = {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": {"oneOf": [{"type": "string"}, _STRINGS]},
                    },
                ]
            }
        case "structured":
            body = _structured(spec)
        case "string":
            body = {"type": "string"}
        case "int":
            body = {"type": "integer"}
            if spec.int_range is not None:
                body["minimum"], body["maximum"] = spec.int_range
        case "bool":
            body = {"type": "boolean"}
        case "choice":
            body = {"enum": list(spec.choices)}
        case "jobs":
            body = {
                "oneOf": [
                    {"const": "auto"},
                    {"type": "integer", "minimum": 1},
                    {"type": "string", "pattern": "^[0-9]*[1-9][0-9]*$"},
                ]
            }
        case "minutes":
            body = {
                "oneOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {"type": "string", "pattern": r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)?\s*$"},
                ]
            }
    schema: dict[str, Any] = {"title": spec.env_var, "description": spec.help, **body}
    if spec.default != ["\u0000"]:
        schema["default"] = spec.default
    return schema


def _inherit_schema(names: list[str]) -> dict[str, Any]:
    return {
        "description": "How options at this level combine with the value below: none"
        " (replace, the default), append or prepend.",
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {n: dict(_INHERIT_RULE) for n in names},
            },
        ],
    }


def cibuildwheel_schema() -> dict[str, Any]:
    """The ``[tool.cibuildwheel]`` table (Linux-relevant validation, every key accepted)."""
    specs = reg.CIBW_FILE_OPTIONS
    mergeable = [s.name for s in specs if s.mergeable]
    inherit = _inherit_schema(mergeable)
    properties: dict[str, Any] = {s.name: option_schema(s) for s in specs}
    properties["inherit"] = inherit
    linux_props = {s.name: option_schema(s) for s in specs if not s.not_in_linux_table}
    linux_props["inherit"] = inherit
    properties["linux"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": linux_props,
    }
    for other in reg.PLATFORM_TABLES:
        if other != "linux":
            properties[other] = {
                "type": "object",
                "description": f"Options for {other}; cibuildwheel-like builds Linux wheels"
                " and ignores this table.",
            }
    override_props = {s.name: option_schema(s) for s in specs if not s.global_only}
    override_props["select"] = {
        "description": "Identifiers this override applies to (patterns as for build).",
        **_STRING_OR_LIST,
    }
    override_props["inherit"] = inherit
    properties["overrides"] = {
        "description": "Per-identifier overrides, applied in file order when select matches.",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["select"],
            "minProperties": 2,
            "additionalProperties": False,
            "properties": override_props,
        },
    }
    return {
        "type": "object",
        "description": "cibuildwheel's settings, as cibuildwheel-like reads them.",
        "additionalProperties": False,
        "properties": properties,
    }


def cibuildwheel_like_schema() -> dict[str, Any]:
    """The ``[tool.cibuildwheel-like]`` table: options only cibuildwheel-like has."""
    return {
        "type": "object",
        "description": "cibuildwheel-like's own settings (cibuildwheel ignores this table).",
        "additionalProperties": False,
        "properties": {
            **{s.name: option_schema(s) for s in reg.OURS_FILE_OPTIONS},
            "overrides": {
                "description": "Per-identifier values of cibuildwheel-like's per-build options,"
                " applied in file order when select matches (as [[tool.cibuildwheel.overrides]]).",
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["select"],
                    "minProperties": 2,
                    "additionalProperties": False,
                    "properties": {
                        **{
                            s.name: option_schema(s)
                            for s in reg.OURS_FILE_OPTIONS
                            if not s.global_only
                        },
                        "select": {
                            "description": "Identifiers this override applies to.",
                            **_STRING_OR_LIST,
                        },
                    },
                },
            },
        },
    }


def pyproject_tool_schema() -> dict[str, Any]:
    """A schema for pyproject.toml's ``[tool]`` table with both sections."""
    return {
        "$schema": DRAFT,
        "$id": "https://cibuildwheel-like.invalid/schema/pyproject-tool.json",
        "type": "object",
        "properties": {
            "cibuildwheel": cibuildwheel_schema(),
            "cibuildwheel-like": cibuildwheel_like_schema(),
        },
    }


def schema_json() -> str:
    return json.dumps(pyproject_tool_schema(), indent=2, ensure_ascii=False) + "\n"
