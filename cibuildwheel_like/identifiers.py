"""The Linux build identifiers this tool knows (cibuildwheel 4.3.5's set), read from a data file.

``resources/build-identifiers.toml`` lists every identifier with its Python version and the
interpreter prefix inside the image. File order is build order.
"""

from __future__ import annotations

import functools
import sys
from importlib import resources
from typing import Any

from cibuildwheel_like.build_options import PythonConfiguration

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
