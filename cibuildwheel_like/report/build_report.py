"""The build report (``build-report.json``): one JSON document per run, for machines.

The JSON layout is a documented, stable contract: ``resources/build-report.schema.json`` (JSON
Schema 2020-12) describes it and ``docs/build-report.md`` explains it. Within one
``schema_version`` fields are only ever added. ``validate`` is a small checker of our own for the
subset of JSON Schema that file uses, so the report can be checked without extra dependencies.

The report never lives in the output directory: that folder holds wheels and nothing else, so
``twine upload wheelhouse/*`` and publishing actions work on it as on cibuildwheel's.
"""

from __future__ import annotations

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
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.report.installability import check_wheel
from cibuildwheel_like.report.summary import in_plan_order

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

SCHEMA_VERSION = 1
SCHEMA_RESOURCE = "build-report.schema.json"
DEFAULT_REPORT_NAME = "build-report.json"

RunStatus = Literal["success", "failure"]


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
        "installability": check_wheel(result.wheel.name).as_json(),
    }


def _provenance_entry(result: BuildResult) -> dict[str, Any] | None:
    found = result.provenance
    if found is None:
        return None
    return {
        "image": found.image,
        "image_id": found.image_id,
        "repo_digests": list(found.repo_digests),
        "auditwheel_version": found.auditwheel_version,
        "auditwheel_policy": found.auditwheel_policy,
        "source_date_epoch": found.source_date_epoch,
        "built_by": found.method.built_by,
        "build_image": found.method.build_image,
        "toolchain": found.method.toolchain,
        "cross_fallback": found.method.cross_fallback,
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
        "lane": result.lane,
        "container": result.container,
        "cache": {
            "compiler_hits": result.cache.compiler_hits,
            "compiler_misses": result.cache.compiler_misses,
            "downloads": result.cache.downloads,
        },
        "failure": _failure_entry(result),
        "provenance": _provenance_entry(result),
    }


def _failure_entry(result: BuildResult) -> dict[str, Any] | None:
    failure = result.failure
    if failure is None:
        return None
    return {"step": failure.step, "command": failure.command, "returncode": failure.returncode}


def build_report(
    results: Sequence[BuildResult],
    *,
    exit_code: int,
    error: str | None = None,
    output_dir: Path | None = None,
    created: dt.datetime | None = None,
    order: Sequence[str] = (),
    retry: Mapping[str, Any] | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict; it always validates against the shipped schema.

    ``order``: the plan's identifiers; builds are listed in that order, whatever order the
    lanes finished in (see ``summary.in_plan_order``). ``retry``: for ``run --retry-failed``,
    the report it read and which identifiers were retried or kept (``report.retry``). ``plan``:
    the run's plan, for the ``plan`` and ``shard`` records (which plan, which share of it).
    """
    results = in_plan_order(results, order)
    when = (created or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    status: RunStatus = "success" if exit_code == 0 else "failure"
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cibuildwheel-like", "version": __version__},
        "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_code": exit_code,
        "status": status,
        "error": error,
        "output_dir": str(output_dir) if output_dir is not None else None,
        "totals": totals_of(results),
        "builds": [_build_entry(r) for r in results],
        "retry": dict(retry) if retry is not None else None,
        "plan": None,
        "shard": None,
        "merged": None,
    }
    if plan is not None:
        report.update(plan_records(plan))
    return report


def totals_of(results: Sequence[BuildResult]) -> dict[str, Any]:
    """The report's ``totals``: how many builds, by status, and their summed time."""
    return {
        "builds": len(results),
        "built": sum(r.status == "built" for r in results),
        "failed": sum(r.status == "failed" for r in results),
        "not_run": sum(r.status == "not-run" for r in results),
        "seconds": round(sum(max(r.build_seconds, 0.0) for r in results), 3),
    }


def plan_records(plan: Plan) -> dict[str, Any]:
    """The report's ``plan`` (the whole plan: fingerprint, identifiers) and ``shard`` (this
    run's share of it, or null) records."""
    share = plan.share
    return {
        "plan": {"fingerprint": plan.fingerprint, "identifiers": list(plan.plan_identifiers)},
        "shard": None
        if share is None
        else {
            "spec": str(share.shard),
            "index": share.shard.index,
            "count": share.shard.count,
            "identifiers": [b.identifier for b in plan.builds],
            "estimated_cost": share.estimated_cost,
        },
    }


def default_report_path(*, output_dir: Path, cwd: Path) -> Path:
    """``build-report.json`` in the working directory; beside the output directory when the
    working directory is the output directory (which holds wheels only)."""
    if cwd.resolve() == output_dir.resolve():
        return output_dir.resolve().parent / DEFAULT_REPORT_NAME
    return cwd / DEFAULT_REPORT_NAME


def check_report_path(path: Path, *, option: str) -> None:
    """Before anything runs: the report can be written there (or its folder created)."""
    if path.is_dir():
        raise ConfigurationError(
            f"{option}: {path} is a directory; give the path of the JSON file to write"
        )
    parent = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigurationError(
            f"{option}: cannot create {path} ({parent} is not a writable directory); choose a"
            " writable location"
        )


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
