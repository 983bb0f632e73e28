"""dependency-versions: every form parsed once into the typed value the model carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.dependency_versions import (
    LATEST,
    PINNED,
    ConstraintPackages,
    ConstraintsFile,
    constraints_for,
    parse_dependency_versions,
)
from cibuildwheel_like.options.resolver import CliValues, resolve_options

if TYPE_CHECKING:
    from pathlib import Path


def parse(text: str, base_dir: Path) -> object:
    return parse_dependency_versions(text, option="dependency-versions", base_dir=base_dir)


def test_simple_forms(tmp_path: Path) -> None:
    assert parse("pinned", tmp_path) == PINNED
    assert parse("latest", tmp_path) == LATEST
    assert parse("", tmp_path) == LATEST  # as cibuildwheel
    assert parse("packages: pip==24 'build>=1'", tmp_path) == ConstraintPackages(
        packages=("pip==24", "build>=1")
    )
    assert parse("packages:", tmp_path) == LATEST  # no packages: cibuildwheel's latest()


@pytest.mark.parametrize(
    "text", ["file:c.txt", "file: c.txt", "file:'c.txt'", "c.txt", "./c.txt", "sub/../c.txt"]
)
def test_file_forms_give_the_absolute_path(tmp_path: Path, text: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "c.txt").write_text("")
    assert parse(text, tmp_path) == ConstraintsFile(path=(tmp_path / "c.txt").resolve())


def test_bare_path_is_literal(tmp_path: Path) -> None:
    """Not starting with file:/packages:, a path keeps its ':' and spaces (as cibuildwheel)."""
    (tmp_path / "my constraints:v2.txt").write_text("")
    expected = ConstraintsFile(path=(tmp_path / "my constraints:v2.txt").resolve())
    assert parse("my constraints:v2.txt", tmp_path) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("missing.txt", "constraints file 'missing.txt' not found"),
        ("file: missing.txt", "constraints file 'missing.txt' not found"),
        ("file: a b", "only one file"),
        ("file: c.txt; packages: pip", "not both"),
        ("file: c.txt; colour: red", "unknown field 'colour'"),
    ],
)
def test_errors(tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "c.txt").write_text("")
    with pytest.raises(ConfigurationError, match=fragment) as info:
        parse(text, tmp_path)
    assert info.value.exit_code == 2
    assert "dependency-versions" in str(info.value)


def test_relative_to_the_project_not_the_package(tmp_path: Path) -> None:
    """cibuildwheel opens the path from its working directory, which is the project."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "pyproject.toml").write_text(
        '[tool.cibuildwheel]\ndependency-versions = { file = "ci/constraints.txt" }\n'
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "constraints.txt").write_text("pip==24\n")
    resolver = resolve_options(
        project_dir=tmp_path,
        package_dir=package,
        config_file=None,
        environ={},
        cli=CliValues(platform="linux"),
    )
    config = identifiers.get_configuration("cp312-manylinux_x86_64")
    assert config is not None
    value = resolver.build_options(config).dependency_versions
    assert value == ConstraintsFile(path=(tmp_path / "ci" / "constraints.txt").resolve())


def test_constraints_for(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_bytes(b"a==1\n")
    (tmp_path / "c-python313.txt").write_bytes(b"a==2\n")
    value = ConstraintsFile(path=tmp_path / "c.txt")
    assert constraints_for(value, python_version="3.12") == b"a==1\n"
    assert constraints_for(value, python_version="3.13") == b"a==2\n"
    assert constraints_for(PINNED, python_version="3.12") is None
    assert constraints_for(LATEST, python_version="3.12") is None
    packages = ConstraintPackages(packages=("a==1", "b"))
    assert constraints_for(packages, python_version="3.12") == b"a==1\nb\n"
    (tmp_path / "c.txt").unlink()
    with pytest.raises(ConfigurationError, match="cannot read the constraints file"):
        constraints_for(value, python_version="3.12")
