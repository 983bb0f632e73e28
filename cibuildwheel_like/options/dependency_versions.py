"""``dependency-versions``: parsed once into a typed value that the model carries.

The forms are cibuildwheel 4.3.5's: ``pinned``, ``latest`` (also the empty string), a table
``{file = PATH}`` / ``{packages = [...]}`` (in string form ``file: PATH`` / ``packages: a b``) or,
for strings that start with neither key, a bare constraints-file path (kept literally, so old
configurations with ``:`` or spaces in the path still work). A relative path is taken relative to
the project directory (cibuildwheel resolves it against its working directory, which is the
project; for an sdist, the extracted project) and must exist when the options are resolved.

What the constraints apply to follows 4.3.5 on Linux: only the tools cibuildwheel installs by
itself (there: ``pip install virtualenv`` for the test venv; here: uv, when an image has none).
They never reach the project's build requirements (cibuildwheel stopped that in its #2583), the
``before-build``/``before-test`` commands, or the test installs. ``pinned`` and ``latest`` both
mean "what the image ships" for us, since we install no pinned tool of our own.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.values import parse_fields

if TYPE_CHECKING:
    from pathlib import Path


@dataclasses.dataclass(frozen=True, kw_only=True)
class ToolVersions:
    """``pinned`` or ``latest``: no constraints file."""

    mode: Literal["pinned", "latest"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConstraintPackages:
    """``packages: a==1 b==2``: the requirements become a constraints file."""

    packages: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConstraintsFile:
    """``file: PATH`` or a bare path; ``path`` is absolute and existed when resolved."""

    path: Path

    def for_python(self, version: str) -> Path:
        """``constraints-python313.txt`` beside ``constraints.txt`` wins for Python 3.13, as in
        cibuildwheel."""
        major, minor = version.split(".")[:2]
        specific = self.path.with_name(f"{self.path.stem}-python{major}{minor}{self.path.suffix}")
        return specific if specific.is_file() else self.path


DependencyVersions = ToolVersions | ConstraintPackages | ConstraintsFile

PINNED = ToolVersions(mode="pinned")
LATEST = ToolVersions(mode="latest")


def parse_dependency_versions(text: str, *, option: str, base_dir: Path) -> DependencyVersions:
    """The typed value of a resolved ``dependency-versions`` string; ConfigurationError naming
    ``option`` for two forms at once, several files or a file that does not exist."""
    if text == "pinned":
        return PINNED
    if text in {"", "latest"}:
        return LATEST
    if not text.startswith(("file:", "packages:")):
        return ConstraintsFile(path=_existing(text, option=option, base_dir=base_dir))
    fields = parse_fields(text, option=option, positional=[], keywords=["file", "packages"])
    files, packages = fields.get("file", []), fields.get("packages", [])
    if files and packages:
        raise ConfigurationError(f"{option} = {text!r}: give either file: or packages:, not both")
    if len(files) > 1:
        raise ConfigurationError(
            f"{option} = {text!r}: only one file can be given; quote a path that has spaces"
        )
    if files:
        return ConstraintsFile(path=_existing(files[0], option=option, base_dir=base_dir))
    # an empty list is cibuildwheel's "latest" (its value then compares equal to latest())
    return ConstraintPackages(packages=tuple(packages)) if packages else LATEST


def _existing(text: str, *, option: str, base_dir: Path) -> Path:
    path = base_dir / text
    if not path.is_file():
        raise ConfigurationError(
            f"{option}: constraints file {text!r} not found (relative to the project directory"
            f" {base_dir}); give an existing file, 'pinned', 'latest' or 'packages: NAME==VER ...'"
        )
    return path.resolve()


def constraints_for(value: DependencyVersions, *, python_version: str) -> bytes | None:
    """The constraints file's content for an interpreter of ``python_version`` (bytes, copied
    as is), or None when ``value`` asks for none."""
    match value:
        case ToolVersions():
            return None
        case ConstraintPackages(packages=packages):
            return "".join(f"{p}\n" for p in packages).encode()
        case ConstraintsFile():
            path = value.for_python(python_version)
            try:
                return path.read_bytes()
            except OSError as exc:
                raise ConfigurationError(
                    f"dependency-versions: cannot read the constraints file {path}: {exc.strerror}"
                ) from None
