"""The plan's fingerprint: a stable hash of what a plan builds (its identifiers and their options).

Shards of one plan carry the same fingerprint, whatever machine, share, output directory or job
count runs them, so ``report merge`` can tell the shares of one plan from those of another. The
hash covers every identifier's typed build options (``BuildOptions``: image, engine, frontend,
commands, environment, test settings, ...) in plan order; run-wide settings that do not change a
wheel (output directory, jobs, caches, the shard itself) are not part of it. Host values copied
in by ``environment-pass`` are covered by name only: they may differ from one runner to the next
and may be secrets.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from pathlib import PurePath
from typing import TYPE_CHECKING

from cibuildwheel_like.options.environment import Assignment

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cibuildwheel_like.options.model import BuildOptions

# Bumped when the canonical form changes, so an old and a new fingerprint never match by chance.
FINGERPRINT_VERSION = 1
PREFIX = "sha256:"


def _canonical(value: object) -> object:
    """A JSON-ready form that does not depend on set order, hash seeds or object identity."""
    if isinstance(value, Assignment) and value.literal:
        return {"name": value.name, "literal": True}  # the host's value stays out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare
        }
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (frozenset, set)):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")  # a new option type: add it


def plan_fingerprint(builds: Iterable[BuildOptions]) -> str:
    """``sha256:<hex>`` over the builds' identifiers and options, in the given (plan) order."""
    document = {
        "version": FINGERPRINT_VERSION,
        "builds": [_canonical(b) for b in builds],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()
