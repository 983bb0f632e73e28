"""Where the package to build comes from: a directory inside the cwd, or an sdist.

As cibuildwheel: with a directory, the working directory is the project copied into the
container and the package is a path inside it; with an sdist, it is extracted to a temporary
directory that becomes both project and package (``--config-file`` and ``--output-dir`` stay
relative to the invoking cwd).
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclasses.dataclass(frozen=True, kw_only=True)
class PackageSource:
    project_dir: Path  # copied to /project in the container
    package_dir: Path  # the package to build, inside project_dir
    from_sdist: bool


def _is_sdist(path: Path) -> bool:
    return path.is_file() or path.name.endswith((".tar.gz", ".tgz"))


@contextlib.contextmanager
def open_package(package: Path, *, cwd: Path) -> Iterator[PackageSource]:
    path = (cwd / package).resolve()
    if not _is_sdist(path):
        if not path.is_dir():
            raise ConfigurationError(
                f"PACKAGE: {package} does not exist; give a directory inside the working"
                " directory or an sdist (.tar.gz)"
            )
        if not path.is_relative_to(cwd.resolve()):
            raise ConfigurationError(
                f"PACKAGE: {package} is outside the working directory {cwd}; the working"
                " directory is what is copied into the container, so run from a directory"
                " that contains the package"
            )
        yield PackageSource(project_dir=cwd.resolve(), package_dir=path, from_sdist=False)
        return
    if not path.exists():
        raise ConfigurationError(f"PACKAGE: sdist {package} does not exist")
    tmp = Path(tempfile.mkdtemp(prefix="cibwl-sdist-"))
    try:
        try:
            with tarfile.open(path) as tar:
                # The "data" filter refuses absolute paths, links out of the tree and devices.
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as e:
            raise ConfigurationError(f"PACKAGE: cannot extract sdist {package}: {e}") from e
        entries = list(tmp.iterdir())
        if len(entries) != 1 or not entries[0].is_dir():
            raise ConfigurationError(
                f"PACKAGE: sdist {package} must contain exactly one top-level directory"
                f" (found {len(entries)} entries)"
            )
        root = entries[0].resolve()
        yield PackageSource(project_dir=root, package_dir=root, from_sdist=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
