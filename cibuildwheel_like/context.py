"""The run context: state built once in ``cli.main`` and passed down (no import-time globals).

It also owns the one cache setting: ``CIBW_CACHE_PATH`` (cibuildwheel's name), else the user
cache directory from platformdirs. Every cache of ours is a named folder under that root, and
the root is marked with a CACHEDIR.TAG so backup tools skip it. Folders at the top level:
``images`` (root filesystems for ``images build``), ``containers/ARCH`` (pip, uv and ccache
caches mounted into every build container of that arch) and ``tools`` (ccache from PyPI).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import filelock
import platformdirs

from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.output.console import Output

CACHE_PATH_ENV = "CIBW_CACHE_PATH"
IMAGES = "images"  # kept by clean() unless asked: root filesystems take minutes to remake
_LOCK = ".lock"  # the root's own lock (clean); kept inside the root, never removed
_TAG = "CACHEDIR.TAG"
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
        tag = self.root / _TAG
        if not tag.exists():
            # Written aside and renamed: two runs starting at once never see half a tag.
            with tempfile.NamedTemporaryFile(
                "w", dir=self.root, prefix=".tag-", delete=False, encoding="utf-8"
            ) as part:
                part.write(_CACHEDIR_TAG)
            Path(part.name).replace(tag)
        return path

    def size(self) -> int:
        """Bytes in regular files under the root (0 when it does not exist); links not followed."""
        total = 0
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                try:
                    stat = (Path(folder) / name).lstat()
                except OSError:  # removed while we walk (another run's temporary file)
                    continue
                total += stat.st_size
        return total

    def clean(self, *, images: bool = False) -> list[Path]:
        """Empty the root (``run --clean-cache``); return the top-level entries removed.

        The image root filesystems (``images``) are kept unless ``images``: runs never read
        them (they use the engine's images), remaking one takes minutes, and an ``images
        build`` running meanwhile holds its own locks in there. The root lock makes two cleans
        take turns; a run still building keeps working (pip, uv and ccache recreate what they
        miss). Files a rootful engine wrote as root cannot be removed by another user: those
        are listed in the error, with the fix.
        """
        if not self.root.is_dir():
            return []
        removed: list[Path] = []
        failed: list[str] = []
        with filelock.FileLock(str(self.root / _LOCK)):
            for entry in sorted(self.root.iterdir()):
                if entry.name in {_LOCK, _TAG} or (entry.name == IMAGES and not images):
                    continue
                try:
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()
                except OSError as e:
                    failed.append(f"  {entry}: {e.strerror or e}")
                else:
                    removed.append(entry)
        if failed:
            raise HostCommandError(
                f"could not empty the cache directory {self.root}:\n"
                + "\n".join(failed)
                + "\nFiles written by a rootful container engine belong to root: remove them"
                f" as root (`sudo rm -rf {self.root}`), or move the cache with {CACHE_PATH_ENV}."
            )
        return removed


@dataclasses.dataclass(frozen=True, kw_only=True)
class Context:
    output: Output
    environ: Mapping[str, str]  # the host environment as read at start-up
    cwd: Path
    cache: Cache
