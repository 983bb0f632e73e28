"""Files into and out of a container as tar streams: what is sent (owned by root, some paths
left out) and what is accepted back (regular files and directories under one root, nothing
that would land outside it)."""

from __future__ import annotations

import io
import shutil
import tarfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO

from cibuildwheel_like.errors import FatalError

Filler = Callable[[tarfile.TarFile], None]  # writes the members of one stream


def root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """A member as the container's root owns it, whoever owns it on the host."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def excluding(
    source: Path, exclude: Sequence[Path]
) -> Callable[[tarfile.TarInfo], tarfile.TarInfo | None]:
    """The filter of a directory ``source`` sent as ".": ``exclude`` (paths inside it) and what
    they hold are left out; everything else is root-owned."""
    root = source.resolve()
    skipped = {
        f"./{p.resolve().relative_to(root).as_posix()}"
        for p in exclude
        if p.resolve().is_relative_to(root) and p.resolve() != root
    }

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if any(info.name == s or info.name.startswith(f"{s}/") for s in skipped):
            return None
        return root_owned(info)

    return keep


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """One regular file ``name`` holding ``data`` (mode 644, now)."""
    info = root_owned(tarfile.TarInfo(name))
    info.size = len(data)
    info.mode = 0o644
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def safe_member_path(root: Path, name: str) -> Path:
    """Where ``name`` lands under ``root``; refuse absolute paths and ``..`` escapes."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise FatalError(f"refusing archive member {name!r}: it would land outside {root}")
    target = (root / pure).resolve()
    if not target.is_relative_to(root.resolve()):
        raise FatalError(f"refusing archive member {name!r}: it would land outside {root}")
    return target


def extract(stream: IO[bytes], root: Path) -> list[Path]:
    """Extract regular files and directories from a tar stream; refuse links and escapes."""
    written: list[Path] = []
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            target = safe_member_path(root, member.name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover  # regular files always have data
                    continue
                with target.open("wb") as out:
                    shutil.copyfileobj(source, out)
                written.append(target)
            else:
                raise FatalError(
                    f"refusing archive member {member.name!r}: only regular files and"
                    " directories are copied out of the container"
                )
    return written
