"""Stage "deliver": each tested wheel reaches the output directory at once, atomically.

The wheel is extracted from the container into a hidden temporary directory inside the output
directory (same filesystem) and renamed into place, so a ``*.whl`` in the output directory is
always complete, and a failure later in the run loses none of the wheels already delivered.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import AlreadyBuiltWheelError, ConfigurationError, HostCommandError

if TYPE_CHECKING:
    from pathlib import PurePosixPath

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


class Delivery:
    """Shared by all groups of one run; safe to use from several threads."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._lock = threading.Lock()
        self._delivered: dict[str, str] = {}  # wheel name -> identifier that delivered it

    def claim(self, name: str, identifier: str) -> None:
        """Reserve a wheel name for this run; a second identifier producing it is exit 6."""
        with self._lock:
            first = self._delivered.get(name)
            if first is not None:
                raise AlreadyBuiltWheelError(name, first=first, again=identifier)
            self._delivered[name] = identifier

    def deliver(self, container: BuildContainer, wheel: PurePosixPath, identifier: str) -> Path:
        self.claim(wheel.name, identifier)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        incoming = Path(tempfile.mkdtemp(prefix=".cibwl-incoming-", dir=self.output_dir))
        try:
            files = container.copy_out(wheel, incoming)
            if len(files) != 1 or files[0].name != wheel.name:
                raise HostCommandError(
                    f"copying {wheel} out of the container gave {[f.name for f in files]}"
                )
            final = self.output_dir / wheel.name
            files[0].replace(final)  # atomic: same filesystem
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        return final
