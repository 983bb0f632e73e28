"""Stage "deliver": each tested wheel reaches the output directory at once, atomically.

The wheel is extracted from the container into a hidden temporary directory inside the output
directory (same filesystem) and renamed into place, so a ``*.whl`` in the output directory is
always complete, and a failure later in the run loses none of the wheels already delivered.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import AlreadyBuiltWheelError, HostCommandError

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.engine.container import Container


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Delivery:
    """Shared by all groups of one run; safe to use from several threads."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._lock = threading.Lock()
        self._delivered: dict[str, str] = {}  # wheel name -> identifier that delivered it

    def claim(self, name: str, identifier: str) -> None:
        """Reserve a wheel name for this run; a second identifier producing it is exit 6."""
        with self._lock:
            if name in self._delivered:
                raise AlreadyBuiltWheelError(name)
            self._delivered[name] = identifier

    def deliver(self, container: Container, wheel: PurePosixPath, identifier: str) -> Path:
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
