"""The build report (``build-report.json``) and the per-build summary rows shown to people.

The JSON layout is a documented, stable contract: ``resources/build-report.schema.json`` (JSON
Schema 2020-12) describes it and ``docs/build-report.md`` explains it. Within one
``schema_version`` fields are only ever added. ``validate`` is a small checker of our own for the
subset of JSON Schema that file uses, so the report can be checked without extra dependencies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from cibuildwheel_like import __version__

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.report.results import BuildResult

SCHEMA_VERSION = 1
SCHEMA_RESOURCE = "build-report.schema.json"
DEFAULT_REPORT_NAME = "build-report.json"
_KIB = 1024
_MINUTE = 60

RunStatus = Literal["success", "failure"]


# -- rows for people (terminal table, GitHub step summary) ------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True)
class SummaryRow:
    identifier: str
    status: str  # built / failed / not-run
    wheel: str  # file name, or "" when there is none
    size: str  # "123.4 KiB" or ""
    build_time: str  # "1m 05s"
    tests: str  # passed / skipped / smoke / failed / not-run
    sha256: str  # first 12 hex digits or ""
    error: str  # first line of the error or ""

    @property
    def error_line(self) -> str:
        """The error, led by the identifier (once)."""
        if not self.error or self.error.startswith(self.identifier):
            return self.error
        return f"{self.identifier}: {self.error}"

    @property
    def cells(self) -> tuple[str, ...]:
        """The values under ``SUMMARY_COLUMNS``."""
        wheel = self.wheel or f"({self.status})"
        return (self.identifier, wheel, self.size, self.build_time, self.tests, self.sha256)


SUMMARY_COLUMNS = ("identifier", "wheel", "size", "build time", "tests", "sha256")


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < _KIB or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= _KIB
    raise AssertionError  # pragma: no cover  # the loop always returns


def format_seconds(seconds: float) -> str:
    if seconds < _MINUTE:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < _MINUTE:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _first_line(text: str | None, limit: int = 120) -> str:
    lines = (text or "").strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def format_clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``, for live displays."""
    minutes, secs = divmod(int(seconds), _MINUTE)
    hours, minutes = divmod(minutes, _MINUTE)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def summary_rows(results: Sequence[BuildResult]) -> list[SummaryRow]:
    return [
        SummaryRow(
            identifier=r.identifier,
            status=r.status,
            wheel=r.wheel.name if r.wheel else "",
            size=format_size(r.size),
            build_time=format_seconds(r.build_seconds),
            tests=r.test_outcome,
            sha256=(r.sha256 or "")[:12],
            error=_first_line(r.error),
        )
        for r in results
    ]


def plain_table(rows: Sequence[SummaryRow]) -> list[str]:
    """The summary as aligned plain-text lines, for logs."""
    cells = [SUMMARY_COLUMNS, *(r.cells for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(SUMMARY_COLUMNS))]
    lines = ["Build summary"]
    for i, line in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"  {r.error_line}" for r in rows if r.error]
    return lines


def non_default_options(explained: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, value, set by)`` for each option not at its default, from ``Resolver.explain``.

    Values are anything with ``.value`` and ``.layer`` (the layer ``"default"`` is left out).
    """
    rows = []
    for name, resolved in explained.items():
        layer = str(getattr(resolved, "layer", "default"))
        if layer != "default":
            rows.append((name, str(getattr(resolved, "value", resolved)), layer))
    return rows


# -- the JSON report --------------------------------------------------------------------------
def _file_facts(wheel: Path) -> tuple[int | None, str | None]:
    try:
        data = wheel.read_bytes()
    except OSError:
        return None, None
    return len(data), hashlib.sha256(data).hexdigest()


def _wheel_entry(result: BuildResult) -> dict[str, Any] | None:
    if result.wheel is None:
        return None
    size, sha256 = result.size, result.sha256
    if size is None or sha256 is None:
        file_size, file_sha = _file_facts(result.wheel)
        size = file_size if size is None else size
        sha256 = file_sha if sha256 is None else sha256
    try:
        _, _, _, tags = parse_wheel_filename(result.wheel.name)
    except InvalidWheelFilename:
        tags = frozenset()
    return {
        "filename": result.wheel.name,
        "path": str(result.wheel),
        "python_tags": sorted({t.interpreter for t in tags}) or ["unknown"],
        "abi_tags": sorted({t.abi for t in tags}) or ["unknown"],
        "platform_tags": sorted({t.platform for t in tags}) or ["unknown"],
        "size": size,
        "sha256": sha256,
    }


def _build_entry(result: BuildResult) -> dict[str, Any]:
    return {
        "identifier": result.identifier,
        "status": result.status,
        "image": result.image,
        "interpreter": result.interpreter,
        "wheel": _wheel_entry(result),
        "test_outcome": result.test_outcome,
        "steps": [
            {"name": s.name, "seconds": round(max(s.seconds, 0.0), 3), "ok": s.ok}
            for s in result.steps
        ],
        "seconds": round(max(result.build_seconds, 0.0), 3),
        "error": result.error,
    }


def build_report(
    results: Sequence[BuildResult],
    *,
    exit_code: int,
    error: str | None = None,
    output_dir: Path | None = None,
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict; it always validates against the shipped schema."""
    when = (created or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    status: RunStatus = "success" if exit_code == 0 else "failure"
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cibuildwheel-like", "version": __version__},
        "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_code": exit_code,
        "status": status,
        "error": error,
        "output_dir": str(output_dir) if output_dir is not None else None,
        "totals": {
            "builds": len(results),
            "built": sum(r.status == "built" for r in results),
            "failed": sum(r.status == "failed" for r in results),
            "not_run": sum(r.status == "not-run" for r in results),
            "seconds": round(sum(max(r.build_seconds, 0.0) for r in results), 3),
        },
        "builds": [_build_entry(r) for r in results],
    }


def write_report(path: Path, report: Mapping[str, Any]) -> Path:
    """Write atomically (temporary file + rename): a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        # mkstemp creates 0600; the report is as readable as the wheels next to it.
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_schema() -> dict[str, Any]:
    resource = resources.files("cibuildwheel_like") / "resources" / SCHEMA_RESOURCE
    text = resource.read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# -- a small JSON Schema checker (the subset build-report.schema.json uses) -------------------
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
_SUPPORTED = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "type", "const", "enum", "properties"}
    | {"required", "additionalProperties", "items", "minItems", "minLength", "minimum"}
    | {"pattern", "oneOf", "$ref"}
)


def _is_type(value: object, name: str) -> bool:
    if isinstance(value, bool) and name in {"integer", "number"}:
        return False
    return isinstance(value, _TYPES[name])


def validate(instance: object, schema: Mapping[str, Any] | None = None) -> list[str]:
    """Every violation as ``"<json path>: <problem>"``; an empty list means valid."""
    root = schema if schema is not None else load_schema()
    errors: list[str] = []
    _check(instance, root, root, "$", errors)
    return errors


def _check(
    value: object, schema: Mapping[str, Any], root: Mapping[str, Any], where: str, errors: list[str]
) -> None:
    unknown = set(schema) - _SUPPORTED
    if unknown:
        raise ValueError(f"schema keyword(s) {sorted(unknown)} at {where} are not supported")
    if "$ref" in schema:
        ref: str = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only local #/$defs/ references are supported, got {ref!r}")
        _check(value, root["$defs"][ref.removeprefix("#/$defs/")], root, where, errors)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            errors.append(f"{where}: expected {' or '.join(names)}, got {json.dumps(value)}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: expected {json.dumps(schema['const'])}, got {json.dumps(value)}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {json.dumps(value)} is not one of {schema['enum']}")
    if "oneOf" in schema:
        outcomes = [_errors_of(value, s, root, where) for s in schema["oneOf"]]
        matching = sum(not found for found in outcomes)
        # explain a miss through the alternative of the right type, if there is one
        typed = [f for f in outcomes if f and not f[0].startswith(f"{where}: expected ")]
        if matching == 0 and typed:
            best: list[str] = min(typed, key=len)
            errors.extend(best)
        elif matching != 1:
            errors.append(f"{where}: matches {matching} of the oneOf alternatives, not 1")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: shorter than {schema['minLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']!r}")
    if _is_type(value, "number") and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: {value} is below the minimum {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{where}[{i}]", errors)
    if isinstance(value, dict):
        props: Mapping[str, Any] = schema.get("properties", {})
        errors.extend(
            f"{where}: missing required key {key!r}"
            for key in schema.get("required", ())
            if key not in value
        )
        for key, item in value.items():
            if key in props:
                _check(item, props[key], root, f"{where}.{key}", errors)
            elif schema.get("additionalProperties", True) is False:
                errors.append(f"{where}: unexpected key {key!r}")


def _errors_of(
    value: object, schema: Mapping[str, Any], root: Mapping[str, Any], where: str
) -> list[str]:
    found: list[str] = []
    _check(value, schema, root, where, found)
    return found
