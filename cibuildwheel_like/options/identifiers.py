"""The Linux build identifiers this tool knows (cibuildwheel 4.3.5's set), read from a data file.

``resources/build-identifiers.toml`` lists every identifier with its Python version and the
interpreter prefix inside the image. File order is build order.
``resources/all-platform-identifiers.txt`` lists the identifiers of every platform (macOS,
Windows, ... too), which selectors are checked against as cibuildwheel does.
"""

from __future__ import annotations

import functools
import sys
from importlib import resources
from typing import Any

from cibuildwheel_like.options.model import PythonConfiguration

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DATA_FILE = "build-identifiers.toml"


def _read_data() -> dict[str, Any]:
    text = (resources.files("cibuildwheel_like") / "resources" / DATA_FILE).read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _row(index: int, row: Any) -> PythonConfiguration:
    fields = ("identifier", "version", "path")
    if not isinstance(row, dict) or sorted(row) != sorted(fields):
        msg = f"resources/{DATA_FILE}: row {index} must have exactly {fields}, got {row!r}"
        raise TypeError(msg)
    if not all(isinstance(row[f], str) for f in fields):
        msg = f"resources/{DATA_FILE}: row {index} has a non-string field: {row!r}"
        raise TypeError(msg)
    return PythonConfiguration(
        identifier=row["identifier"], version=row["version"], path=row["path"]
    )


@functools.cache
def all_configurations() -> tuple[PythonConfiguration, ...]:
    """Every Linux build identifier, in the data file's order (the build order)."""
    rows = _read_data().get("configurations")
    if not isinstance(rows, list):
        msg = f"resources/{DATA_FILE}: `configurations` must be a list of tables"
        raise TypeError(msg)
    return tuple(_row(i, row) for i, row in enumerate(rows))


@functools.cache
def _by_identifier() -> dict[str, PythonConfiguration]:
    return {c.identifier: c for c in all_configurations()}


def all_identifiers() -> tuple[str, ...]:
    """The identifier strings, in build order."""
    return tuple(c.identifier for c in all_configurations())


def get_configuration(identifier: str) -> PythonConfiguration | None:
    """The configuration of one identifier, or None if it is not a known identifier."""
    return _by_identifier().get(identifier)


ALL_PLATFORMS_FILE = "all-platform-identifiers.txt"


@functools.cache
def identifiers_by_platform() -> dict[str, tuple[str, ...]]:
    """Every identifier of every platform cibuildwheel 4.3.5 knows, by platform name.

    Only for checking selectors the way cibuildwheel does (a word naming macOS identifiers is a
    valid selector that selects nothing here); what is built comes from
    ``all_configurations()``.
    """
    path = resources.files("cibuildwheel_like") / "resources" / ALL_PLATFORMS_FILE
    result: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = result.setdefault(line[1:-1], [])
        elif current is None or any(c.isspace() for c in line):
            msg = f"resources/{ALL_PLATFORMS_FILE}: line {number}: unexpected {raw!r}"
            raise ValueError(msg)
        else:
            current.append(line)
    return {name: tuple(ids) for name, ids in result.items()}


@functools.cache
def all_platform_identifiers() -> tuple[str, ...]:
    """Every identifier of every platform (Linux first), for selector validation only."""
    return tuple(i for ids in identifiers_by_platform().values() for i in ids)
