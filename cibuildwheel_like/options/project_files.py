"""The package's own build files, each read from disk once and pyproject.toml parsed once.

Several readings of the project come before anything is built: the configuration file (when it
is the package's pyproject.toml), requires-python, dependency groups, whether a wheel may be
reused across Pythons (options/wheel_reuse.py), what stands against cross-compiling
(options/cross_support.py) and whether anything says how to build. One ``ProjectFiles`` per run
serves them all, so they cannot disagree about what a file holds or about how a file that cannot
be read is reported.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.config_file import read_toml

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

PYPROJECT = "pyproject.toml"


class ProjectFiles:
    """The files at (and under) ``package_dir``, by their path relative to it."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir
        self._data: dict[str, bytes | None] = {}

    @functools.cached_property
    def pyproject(self) -> Mapping[str, Any] | None:
        """pyproject.toml as a table, or None when there is none; ConfigurationError (naming
        the file) when it cannot be read or is not TOML."""
        path = self.pyproject_path
        return read_toml(path) if path.is_file() else None

    def data(self, name: str) -> bytes | None:
        """The bytes of file ``name``, or None when it is not a file; ConfigurationError naming
        it when it exists but cannot be read (a build would fail on it as well)."""
        if name not in self._data:
            path = self.package_dir / name
            try:
                self._data[name] = path.read_bytes() if path.is_file() else None
            except OSError as e:
                raise ConfigurationError(f"{path}: cannot be read: {e.strerror or e}") from None
        return self._data[name]

    def text(self, name: str) -> str | None:
        """File ``name`` as text for searching (undecodable bytes replaced), or None."""
        data = self.data(name)
        return None if data is None else data.decode("utf-8", errors="replace")

    def strict_text(self, name: str, *, what: str) -> str | None:
        """File ``name`` decoded as UTF-8, as Python reads source files; ConfigurationError
        naming the file and ``what`` was being read from it when it is not UTF-8."""
        data = self.data(name)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigurationError(
                f"{self.package_dir / name}: cannot be read for {what}: not UTF-8 ({e.reason} at"
                f" byte {e.start}); save the file as UTF-8"
            ) from None

    @property
    def pyproject_path(self) -> Path:
        return self.package_dir / PYPROJECT

    def only_an_empty_pyproject(self) -> bool:
        """Whether an empty pyproject.toml is all there is (no setup.py, no setup.cfg): it
        says nothing about how to build the project."""
        if self.data("setup.py") is not None or self.data("setup.cfg") is not None:
            return False
        return self.pyproject is not None and not self.pyproject
