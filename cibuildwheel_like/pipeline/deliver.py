"""Stage "deliver": each tested wheel reaches the output directory at once, atomically.

The wheel is extracted from the container into a hidden temporary directory inside the output
directory (same filesystem) and renamed into place, so a ``*.whl`` in the output directory is
always complete, and a failure later in the run loses none of the wheels already delivered.
Only the one wheel file is copied (the container's tar stream is refused if it holds a link,
a device or a path outside the temporary directory), and it is checked before the rename: a
name that does not parse as a wheel's, or a zip that does not read back, is never delivered.
A full disk, a read-only or vanished output directory end the run with an error naming the
directory and the wheels delivered before (left as they are); the temporary directory goes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import uuid
import weakref
import zipfile
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from cibuildwheel_like.errors import (
    AlreadyBuiltWheelError,
    ConfigurationError,
    DeliveryError,
    HostCommandError,
    InvalidWheelError,
)

if TYPE_CHECKING:
    from pathlib import Path, PurePosixPath

    from cibuildwheel_like.pipeline.state import BuildContainer


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_output_dir(path: Path, *, option: str) -> None:
    """Before the first build: the output directory exists and we can write into it.

    As cibuildwheel, it is created up front, so scripts find it (empty) even after a failed run;
    a regular file or an unwritable folder there stops the run before any container starts.
    """
    if path.exists() and not path.is_dir():
        raise ConfigurationError(
            f"{option}: {path} exists and is not a directory; remove it or choose another"
            " output directory"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigurationError(
            f"{option}: cannot create the output directory {path}: {e.strerror or e}"
        ) from e
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigurationError(
            f"{option}: the output directory {path} is not writable; choose another or fix its"
            " permissions"
        )


INCOMING_PREFIX = ".cibwl-incoming-"


def check_wheel_name(name: str) -> None:
    """Refuse a file name that does not parse as a wheel's (PEP 427)."""
    try:
        parse_wheel_filename(name)
    except InvalidWheelFilename as e:
        raise InvalidWheelError(
            f"refusing {name!r}: not a valid wheel file name ({e}); a wheel is named"
            " NAME-VERSION(-BUILD)?-PYTHON-ABI-PLATFORM.whl. Check the build backend or"
            " repair-wheel-command that wrote it."
        ) from e


def check_wheel_file(path: Path, name: str) -> None:
    """Refuse a wheel whose zip does not read back whole (bad CRC, truncated, not a zip) or
    that has no ``*.dist-info/WHEEL`` metadata."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise InvalidWheelError(
            f"refusing {name}: it is not a readable zip archive ({e}); the build or the"
            " repair-wheel-command produced a broken file, so it is not delivered"
        ) from e
    if bad is not None:
        raise InvalidWheelError(
            f"refusing {name}: member {bad!r} of its zip is corrupt (CRC mismatch); it is not"
            " delivered"
        )
    if not any(n.count("/") == 1 and n.endswith(".dist-info/WHEEL") for n in names):
        raise InvalidWheelError(
            f"refusing {name}: the archive has no .dist-info/WHEEL metadata, so it is not a"
            " wheel; it is not delivered"
        )


def remove_stale_incoming(output_dir: Path) -> list[Path]:
    """Temporary directories of runs that were killed mid-delivery (SIGKILL). Only called
    while holding the output directory's lock (``output_lock``): no other run is using them."""
    removed: list[Path] = []
    if not output_dir.is_dir():
        return removed
    for entry in output_dir.iterdir():
        if entry.name.startswith(INCOMING_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _open_dir(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


def _same_dir(fd: int, path: Path) -> bool:
    """``path`` is still the directory ``fd`` was opened on (not removed, not replaced by
    another of the same name, whose inode number may well be the same one reused)."""
    held = os.fstat(fd)
    try:
        now = path.stat()
    except OSError:
        return False
    return held.st_nlink > 0 and (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


class Delivery:
    """Shared by all groups of one run; safe to use from several threads."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._lock = threading.Lock()
        self._delivered: dict[str, str] = {}  # wheel name -> identifier that delivered it
        self._done: list[str] = []  # the wheels renamed into place, in order
        # `run` makes the directory before the first build (prepare_output_dir): if it is gone
        # later, someone removed it. Only a caller that did not make it has it made here.
        self._made_before = output_dir.is_dir()
        # Held open for the run: a removed directory shows no links through it.
        self._fd = _open_dir(output_dir) if self._made_before else None
        if self._fd is not None:
            weakref.finalize(self, os.close, self._fd)

    def claim(self, name: str, identifier: str) -> None:
        """Reserve a wheel name for this run; a second identifier producing it is exit 6."""
        with self._lock:
            first = self._delivered.get(name)
            if first is not None:
                raise AlreadyBuiltWheelError(name, first=first, again=identifier)
            self._delivered[name] = identifier

    def delivered(self) -> list[str]:
        with self._lock:
            return sorted(self._done)

    def deliver(self, container: BuildContainer, wheel: PurePosixPath, identifier: str) -> Path:
        check_wheel_name(wheel.name)
        self.claim(wheel.name, identifier)
        if not self._made_before and not self._done:
            try:
                self.output_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise self._io_error(wheel.name, e) from e
        if not self.output_dir.is_dir() or (
            self._fd is not None and not _same_dir(self._fd, self.output_dir)
        ):
            # Never recreated: whoever removed it may be collecting or cleaning it right now.
            raise DeliveryError(
                f"the output directory {self.output_dir} was removed (or replaced) during the"
                f" run, so {wheel.name} cannot be delivered; {self._before()} Keep the output"
                " directory in place while a run is going, then run again."
            )
        final = self.output_dir / wheel.name
        # Named before it is made, so an interrupt at any point still removes it below.
        incoming = self.output_dir / f"{INCOMING_PREFIX}{uuid.uuid4().hex[:12]}"
        try:
            incoming.mkdir(mode=0o700)
            files = container.copy_out(wheel, incoming)
            if len(files) != 1 or files[0].name != wheel.name or not files[0].is_file():
                raise HostCommandError(
                    f"copying {wheel} out of the container gave {[f.name for f in files]};"
                    " only the one wheel file is delivered"
                )
            check_wheel_file(files[0], wheel.name)
            files[0].replace(final)  # atomic: same filesystem
        except OSError as e:
            raise self._io_error(wheel.name, e) from e
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        with self._lock:
            self._done.append(wheel.name)
        return final

    def _before(self) -> str:
        done = self.delivered()
        if not done:
            return "no wheel was delivered before it."
        return (
            f"the {len(done)} wheel(s) delivered before are left as they were: {', '.join(done)}."
        )

    def _io_error(self, name: str, error: OSError) -> DeliveryError:
        reason = error.strerror or str(error)
        return DeliveryError(
            f"could not deliver {name} into the output directory {self.output_dir}: {reason}"
            f" (nothing partial is left there); {self._before()} Free space or make the"
            " directory writable, then run again."
        )
