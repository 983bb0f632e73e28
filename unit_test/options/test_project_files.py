"""options/project_files.py: the package's build files, read once for every reader."""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli.selection import check_buildable
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import config_file, project_files
from cibuildwheel_like.options.project_files import ProjectFiles
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options

if TYPE_CHECKING:
    from pathlib import Path

PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "x"
version = "1"
requires-python = ">=3.11"
[dependency-groups]
test = ["pytest"]
[tool.cibuildwheel]
build = "cp311-*"
test-groups = ["test"]
[tool.cibuildwheel-like]
emulation = "auto"
"""


def resolve(package: Path, *, config_file: Path | None = None) -> Resolver:
    return resolve_options(
        project_dir=package,
        package_dir=package,
        config_file=config_file,
        environ={},
        cli=CliValues(platform="linux"),
    )


def test_every_reader_shares_one_parse_of_pyproject(tmp_path: Path, monkeypatch) -> None:
    """The configuration, requires-python, dependency groups, the cross-compile blockers and
    the empty-project check all read the package's pyproject.toml: it is parsed once."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(py_limited_api=True)\n")
    parsed: list[Path] = []
    real = config_file.read_toml

    def counting(path: Path) -> dict[str, object]:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(config_file, "read_toml", counting)
    monkeypatch.setattr(project_files, "read_toml", counting)
    resolver = resolve(tmp_path)
    configs = resolver.selected_configurations()
    builds = [resolver.build_options(c) for c in configs]
    g = resolver.globals
    assert {c.identifier[:5] for c in configs} == {"cp311"}  # build and requires-python read
    assert builds[0].test_group_requirements == ("pytest",)  # the dependency group read
    assert g.wheel_reuse_hint == "setup.py: py_limited_api"
    assert g.cross_blockers == ()  # setuptools: nothing against it (the backend was read)
    assert not g.only_an_empty_pyproject
    assert parsed == [tmp_path / "pyproject.toml"]


def test_a_config_file_elsewhere_is_read_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = ">=3.13"\n')
    other = tmp_path / "ci.toml"
    other.write_text('[tool.cibuildwheel]\nbuild = "cp31*"\n')
    resolver = resolve(tmp_path, config_file=other)
    assert resolver.value("build") == "cp31*"
    assert str(resolver.requires_python) == ">=3.13"


def test_each_file_is_read_once_and_absent_files_are_none(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_bytes(b"# caf\xe9\nsetup()\n")
    (tmp_path / "cmake").mkdir()
    files = ProjectFiles(tmp_path)
    assert files.data("setup.py") == b"# caf\xe9\nsetup()\n"
    (tmp_path / "setup.py").write_text("changed")
    assert files.text("setup.py") == "# caf\ufffd\nsetup()\n"  # the first reading, kept
    assert files.data("setup.cfg") is None
    assert files.data("cmake") is None  # a folder is not a file
    assert files.pyproject is None


def test_strict_text_names_the_file_and_the_reading(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_bytes(b"# caf\xe9\n")
    with pytest.raises(ConfigurationError) as info:
        ProjectFiles(tmp_path).strict_text("setup.py", what="python_requires")
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'setup.py'}: cannot be read for python_requires")
    assert "save the file as UTF-8" in message
    assert info.value.exit_code == 2


def test_a_file_that_cannot_be_read_is_exit_2(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "setup.cfg").write_text("[options]\n")

    def denied(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    # what a read-protected file gives (mode 0 does not stop root, and CI runs as root)
    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    with pytest.raises(ConfigurationError) as info:
        ProjectFiles(tmp_path).data("setup.cfg")
    assert str(info.value) == f"{tmp_path / 'setup.cfg'}: cannot be read: Permission denied"


@pytest.mark.parametrize(
    ("files", "empty"),
    [
        ({"pyproject.toml": ""}, True),
        ({"pyproject.toml": "# only a comment\n"}, True),
        ({"pyproject.toml": "", "setup.py": "setup()"}, False),
        ({"pyproject.toml": "", "setup.cfg": "[metadata]\n"}, False),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, False),
        ({"setup.py": "setup()"}, False),
    ],
)
def test_only_an_empty_pyproject_stops_a_run(
    tmp_path: Path, files: dict[str, str], empty: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    resolver = resolve(tmp_path)
    g = resolver.globals
    assert g.only_an_empty_pyproject is empty
    if not empty:
        check_buildable(g)
        return
    with pytest.raises(ConfigurationError, match=r"is empty and there is no setup\.py") as info:
        check_buildable(g)
    assert info.value.exit_code == 2
