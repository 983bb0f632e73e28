from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest
from packaging.specifiers import SpecifierSet

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.project_files import ProjectFiles
from cibuildwheel_like.options.requires_python import (
    find_requires_python,
    find_requires_python_with_source,
    parse_requires_python,
    resolve_requires_python,
    setup_py_python_requires,
    validate_env_requires_python,
)

if TYPE_CHECKING:
    from pathlib import Path


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_nothing_declared(tmp_path: Path) -> None:
    assert find_requires_python(ProjectFiles(tmp_path)) is None
    assert find_requires_python_with_source(ProjectFiles(tmp_path)) is None


def test_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.10"\n')
    assert find_requires_python(ProjectFiles(tmp_path)) == ">=3.10"
    assert find_requires_python_with_source(ProjectFiles(tmp_path)) == (">=3.10", path)


def test_pyproject_wins_over_setup_cfg_and_setup_py(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nrequires-python = ">=3.12"\n')
    write(tmp_path, "setup.cfg", "[options]\npython_requires = >=3.9\n")
    write(tmp_path, "setup.py", 'from setuptools import setup\nsetup(python_requires=">=3.8")\n')
    assert find_requires_python(ProjectFiles(tmp_path)) == ">=3.12"


def test_pyproject_without_requires_python_falls_through(tmp_path: Path) -> None:
    write(
        tmp_path, "pyproject.toml", '[build-system]\nrequires = ["setuptools"]\n[tool.x]\na = 1\n'
    )
    path = write(
        tmp_path, "setup.cfg", "[metadata]\nname = x\n[options]\npython_requires = >=3.11, <4\n"
    )
    assert find_requires_python_with_source(ProjectFiles(tmp_path)) == (">=3.11, <4", path)


def test_setup_cfg_without_option_falls_to_setup_py(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[options]\npackages = find:\n")
    write(tmp_path, "setup.py", 'import setuptools\nsetuptools.setup(python_requires=">=3.10")\n')
    assert find_requires_python(ProjectFiles(tmp_path)) == ">=3.10"


def test_setup_cfg_percent_is_not_interpolated(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.cfg",
        "[metadata]\ndescription = 100% fast\n[options]\npython_requires = >=3.9\n",
    )
    assert find_requires_python(ProjectFiles(tmp_path)) == ">=3.9"


def test_setup_cfg_malformed(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "python_requires = >=3.9\n")
    with pytest.raises(ConfigurationError, match=r"setup\.cfg: cannot be read"):
        find_requires_python(ProjectFiles(tmp_path))


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write(
        tmp_path,
        "setup.py",
        f"""\
        open({str(marker)!r}, "w").write("yes")
        from setuptools import setup
        setup(name="x", python_requires=">=3.9")
        """,
    )
    assert find_requires_python(ProjectFiles(tmp_path)) == ">=3.9"
    assert not marker.exists()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('setup(python_requires=">=3.9")', ">=3.9"),
        (
            'from setuptools import setup\nsetup(\n  name="a",\n  python_requires="~=3.10",\n)',
            "~=3.10",
        ),
        ('if __name__ == "__main__":\n    setup(python_requires=">=3.11")', ">=3.11"),
        ('if "__main__" == __name__:\n    setup(python_requires=">=3.11")', ">=3.11"),
        # computed values are ignored
        ('V = ">=3.9"\nsetup(python_requires=V)', None),
        ('setup(python_requires=">=" + "3.9")', None),
        # nested calls or assignments are not the top-level call
        ('def main():\n    setup(python_requires=">=3.9")\nmain()', None),
        (
            'if __name__ == "__main__":\n    pass\nelse:\n    setup(python_requires=">=3.12")',
            ">=3.12",
        ),
        # a call directly in a top-level statement counts, as in cibuildwheel
        ('dist = setup(python_requires=">=3.9")', ">=3.9"),
        ('if __name__ == "__main__":\n    d = setup(python_requires=">=3.11")', ">=3.11"),
        ('with setup(python_requires=">=3.9"): pass', None),
        ('print(setup(python_requires=">=3.9"))', None),
        ('setup(**dict(python_requires=">=3.9"))', None),
        ('if True:\n    setup(python_requires=">=3.9")', None),
        # the last literal wins; an empty string means none
        ('setup(python_requires=">=3.9")\nsetup(python_requires=">=3.10")', ">=3.10"),
        ('setup(python_requires="")', None),
        ("this is not python (", None),
    ],
)
def test_setup_py_literal(source: str, expected: str | None) -> None:
    assert setup_py_python_requires(source) == expected


def test_invalid_specifier_names_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", '[project]\nrequires-python = ">=3.8,<"\n')
    with pytest.raises(ConfigurationError) as info:
        find_requires_python(ProjectFiles(tmp_path))
    message = str(info.value)
    assert message.startswith(f"{path}: [project].requires-python: '>=3.8,<' is not a valid")
    assert "'>=3.10'" in message
    assert info.value.exit_code == 2


def test_invalid_specifier_names_setup_cfg(tmp_path: Path) -> None:
    path = write(tmp_path, "setup.cfg", "[options]\npython_requires = 3.9+\n")
    with pytest.raises(
        ConfigurationError, match=rf"^{path}: \[options\] python_requires: '3\.9\+'"
    ):
        find_requires_python(ProjectFiles(tmp_path))


def test_invalid_specifier_names_setup_py(tmp_path: Path) -> None:
    path = write(tmp_path, "setup.py", 'setup(python_requires="python3")\n')
    with pytest.raises(ConfigurationError, match=rf"^{path}: python_requires: 'python3'"):
        find_requires_python(ProjectFiles(tmp_path))


def test_non_string_requires_python(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nrequires-python = 3.9\n")
    with pytest.raises(ConfigurationError, match=r"requires-python must be a string"):
        find_requires_python(ProjectFiles(tmp_path))


def test_invalid_toml(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project\n")
    with pytest.raises(ConfigurationError, match=r"pyproject\.toml: invalid TOML: .*line 1"):
        find_requires_python(ProjectFiles(tmp_path))


def test_parse_and_env_validation() -> None:
    assert parse_requires_python(">=3.9, <3.14", source="x") == SpecifierSet(">=3.9,<3.14")
    assert validate_env_requires_python(">=3.11") == SpecifierSet(">=3.11")
    with pytest.raises(ConfigurationError) as info:
        validate_env_requires_python(">=3.1O")
    assert str(info.value).startswith("CIBW_PROJECT_REQUIRES_PYTHON: '>=3.1O' is not a valid")
    assert info.value.exit_code == 2


def test_resolve_requires_python(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nrequires-python = ">=3.12"\n')
    assert resolve_requires_python(ProjectFiles(tmp_path), {}) == SpecifierSet(">=3.12")
    # the environment variable overrides the project; empty means unset
    assert resolve_requires_python(
        ProjectFiles(tmp_path), {"CIBW_PROJECT_REQUIRES_PYTHON": ">=3.10"}
    ) == SpecifierSet(">=3.10")
    assert resolve_requires_python(
        ProjectFiles(tmp_path), {"CIBW_PROJECT_REQUIRES_PYTHON": ""}
    ) == SpecifierSet(">=3.12")
    assert resolve_requires_python(ProjectFiles(tmp_path / "missing"), {}) is None


@pytest.mark.parametrize(
    "content", [b'[project]\nrequires-python = ">=3.9\xff"\n', ("a = " + "[" * 5000).encode()]
)
def test_unreadable_pyproject_is_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=rf"^{path}: invalid TOML") as info:
        find_requires_python(ProjectFiles(tmp_path))
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "-" * 100000 + "1\n",  # the parser runs out of memory
        "x = " + "+".join(["1"] * 100000) + "\n",  # ... or of recursion
        "x = " + "[" * 5000 + "]" * 5000 + "\n",  # "too many nested parentheses"
    ],
)
def test_setup_py_too_deep_to_parse_is_ignored(tmp_path: Path, source: str) -> None:
    """As cibuildwheel, which ignores any setup.py it cannot parse."""
    write(tmp_path, "setup.py", source)
    assert find_requires_python(ProjectFiles(tmp_path)) is None


def test_non_utf8_setup_files_are_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "setup.cfg"
    path.write_bytes(b"[options]\npython_requires = >=3.9 \xff\n")
    with pytest.raises(ConfigurationError, match=rf"^{path}: cannot be read"):
        find_requires_python(ProjectFiles(tmp_path))
    path.unlink()
    path = tmp_path / "setup.py"
    path.write_bytes(b'setup(python_requires=">=3.9")  # \xff\n')
    with pytest.raises(ConfigurationError, match=rf"^{path}: cannot be read"):
        find_requires_python(ProjectFiles(tmp_path))
