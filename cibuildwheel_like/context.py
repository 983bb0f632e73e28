"""The run context: state built once in ``cli.main`` and passed down (no import-time globals).

It also owns the one cache setting: ``CIBW_CACHE_PATH`` (cibuildwheel's name), else the user
cache directory from platformdirs. Every cache of ours is a named folder under that root, and
the root is marked with a CACHEDIR.TAG so backup tools skip it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.output.console import Output

CACHE_PATH_ENV = "CIBW_CACHE_PATH"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file marks a cache directory of cibuildwheel-like; it can be deleted at any time.\n"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Cache:
    """Where every cache of ours lives; created and tagged on first use, not at start-up."""

    root: Path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, cwd: Path) -> Cache:
        value = environ.get(CACHE_PATH_ENV, "").strip()
        if value:
            return cls(root=(cwd / Path(value).expanduser()).resolve())
        return cls(root=platformdirs.user_cache_path("cibuildwheel-like"))

    def directory(self, *parts: str) -> Path:
        """``root/parts...``, created, with the root tagged as a cache directory."""
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(_CACHEDIR_TAG, encoding="utf-8")
        return path


@dataclasses.dataclass(frozen=True, kw_only=True)
class Context:
    output: Output
    environ: Mapping[str, str]  # the host environment as read at start-up
    cwd: Path
    cache: Cache
