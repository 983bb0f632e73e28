"""PEP 735 [dependency-groups]: one reader, names normalised, the model carries requirements."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.dependency_groups import (
    IncludeGroup,
    normalize_group_name,
    parse_dependency_groups,
)
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options

if TYPE_CHECKING:
    from pathlib import Path

X86 = "cp312-manylinux_x86_64"


def requirements(resolver: Resolver, identifier: str = X86) -> tuple[str, ...]:
    config = identifiers.get_configuration(identifier)
    assert config is not None
    return resolver.build_options(config).test_group_requirements


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("Test_Deps", "test-deps"), ("a.-_b", "a-b"), ("TEST", "test"), ("x__y..z", "x-y-z")],
)
def test_names_are_normalised_as_pep_503(name: str, normalized: str) -> None:
    assert normalize_group_name(name) == normalized


def test_group_spelled_differently_resolves_into_the_model(tmp_path: Path) -> None:
    """The defect: validation normalised, the test stage did not, and failed late."""
    text = (
        '[tool.cibuildwheel]\ntest-groups = ["test-deps"]\n'
        '[dependency-groups]\nTest_Deps = ["pytest>=8", {include-group = "Extra.Stuff"}]\n'
        'extra-stuff = ["hypothesis"]\n'
    )
    assert requirements(resolve_pyproject(tmp_path, text)) == ("pytest>=8", "hypothesis")


def test_requirements_are_packaging_canonical_and_in_order(tmp_path: Path) -> None:
    text = (
        '[tool.cibuildwheel]\ntest-groups = "b a"\n'
        '[dependency-groups]\na = ["numpy >= 2", "attrs"]\nb = ["pytest"]\n'
    )
    # as cibuildwheel's dependency-groups library: str(Requirement(...)), groups in given order
    assert requirements(resolve_pyproject(tmp_path, text)) == ("pytest", "numpy>=2", "attrs")


def test_groups_follow_overrides(tmp_path: Path) -> None:
    text = (
        '[tool.cibuildwheel]\ntest-groups = "a"\n'
        '[[tool.cibuildwheel.overrides]]\nselect = "cp311-*"\ntest-groups = "b"\n'
        '[dependency-groups]\na = ["attrs"]\nb = ["pytest"]\n'
    )
    r = resolve_pyproject(tmp_path, text)
    assert requirements(r) == ("attrs",)
    assert requirements(r, "cp311-manylinux_x86_64") == ("pytest",)


def test_no_groups_requested_means_the_table_is_not_read(tmp_path: Path) -> None:
    text = '[dependency-groups]\nbroken = "not a list"\n'
    assert requirements(resolve_pyproject(tmp_path, text)) == ()


def test_diamond_includes_are_not_a_cycle(tmp_path: Path) -> None:
    table = {
        "top": [{"include-group": "left"}, {"include-group": "right"}],
        "left": [{"include-group": "base"}],
        "right": [{"include-group": "base"}],
        "base": ["pytest"],
    }
    groups = parse_dependency_groups(table, path=tmp_path / "pyproject.toml")
    assert groups.requirements(["top"], option="test-groups") == ("pytest", "pytest")
    assert groups.groups["top"] == (IncludeGroup(group="left"), IncludeGroup(group="right"))


@pytest.mark.parametrize(
    ("table", "requested", "fragment"),
    [
        ('a = [{include-group = "A"}]', "a", "include cycle: a -> a"),
        (
            'One = [{include-group = "two"}]\nTwo = [{include-group = "ONE"}]',
            "one",
            "include cycle: One -> Two -> One",
        ),
        ('test = ["pytest"]', "tset", "has no dependency group 'tset'. Did you mean 'test'?"),
        ('a = [{include-group = "missing"}]', "a", "has no dependency group 'missing'"),
        ('Test = ["a"]\ntest = ["b"]', "test", "names the group 'test' twice"),
        ('a = "pytest"', "a", "must be a list"),
        ("a = [3]", "a", "neither a requirement string"),
        ('a = [{include-group = "b", extra = 1}]', "a", "neither a requirement string"),
        ('a = ["pytest >>= 3"]', "a", "is not a valid requirement"),
        # checked as a whole, even the groups not asked for
        ('a = ["pytest"]\nb = [1]', "a", "b: 1 is neither a requirement string"),
    ],
)
def test_errors_name_the_file(tmp_path: Path, table: str, requested: str, fragment: str) -> None:
    text = f'[tool.cibuildwheel]\ntest-groups = "{requested}"\n[dependency-groups]\n{table}\n'
    with pytest.raises(ConfigurationError, match=re.escape(fragment)) as info:
        resolve_pyproject(tmp_path, text)
    assert str(tmp_path / "pyproject.toml") in str(info.value)
    assert info.value.exit_code == 2


def test_groups_come_from_the_package_pyproject_not_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "ci.toml").write_text(
        '[tool.cibuildwheel]\ntest-groups = "t"\n[dependency-groups]\nt = ["from-config"]\n'
    )
    (tmp_path / "pyproject.toml").write_text('[dependency-groups]\nt = ["from-pyproject"]\n')
    r = resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=tmp_path / "ci.toml",
        environ={},
        cli=CliValues(platform="linux"),
    )
    assert requirements(r) == ("from-pyproject",)


def test_missing_pyproject_is_named(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    with pytest.raises(ConfigurationError, match=r"there is no .*pyproject\.toml to read"):
        resolve_options(
            project_dir=tmp_path,
            package_dir=tmp_path,
            config_file=None,
            environ={"CIBW_TEST_GROUPS": "test"},
            cli=CliValues(platform="linux"),
        )


def test_environment_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"test-groups \(from env CIBW_TEST_GROUPS\)"):
        resolve_pyproject(
            tmp_path, '[dependency-groups]\na = ["x"]\n', env={"CIBW_TEST_GROUPS": "b"}
        )


def test_include_chain_too_deep_is_exit_2(tmp_path: Path) -> None:
    table = {f"g{i}": [{"include-group": f"g{i + 1}"}] for i in range(5000)}
    table["g5000"] = ["pytest"]
    groups = parse_dependency_groups(table, path=tmp_path / "pyproject.toml")
    with pytest.raises(ConfigurationError, match="nested too deeply") as info:
        groups.requirements(["g0"], option="test-groups")
    assert info.value.exit_code == 2
