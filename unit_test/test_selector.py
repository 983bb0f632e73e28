from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from cibuildwheel_like import identifiers
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.selector import (
    BuildSelector,
    EnableGroup,
    TestSelector,
    check_build_selector,
    empty_selection_hint,
    gating_group,
    parse_enable,
    python_version_of,
    select,
    selector_matches,
)

CONFIGS = identifiers.all_configurations()
ALL_GROUPS = frozenset(EnableGroup)


def ids(
    *,
    build: str = "*",
    skip: str = "",
    requires_python: str | None = None,
    enable: frozenset[EnableGroup] = frozenset(),
    archs: frozenset[Arch] = frozenset(Arch),
) -> list[str]:
    selector = BuildSelector(
        build=build,
        skip=skip,
        requires_python=None if requires_python is None else SpecifierSet(requires_python),
        enable=enable,
    )
    return [c.identifier for c in select(CONFIGS, archs=archs, build_selector=selector)]


# --- matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "identifier", "expected"),
    [
        ("*", "cp313-manylinux_x86_64", True),
        ("cp313-*", "cp313-manylinux_x86_64", True),
        ("cp313-*", "cp313t-manylinux_x86_64", False),
        ("cp313*", "cp313t-manylinux_x86_64", True),
        ("cp{39,310}-*", "cp310-musllinux_s390x", True),
        ("cp{39,310}-*", "cp311-musllinux_s390x", False),
        ("cp3{10..12}-*", "cp311-manylinux_i686", True),
        ("cp3{10..12}-*", "cp313-manylinux_i686", False),
        ("cp31[01]-*", "cp311-manylinux_i686", True),
        ("*-manylinux_{x86_64,aarch64}", "pp311-manylinux_aarch64", True),
        ("*-musllinux_*", "cp311-manylinux_i686", False),
        ("cp39-* *-musllinux_*", "cp311-musllinux_i686", True),
        ("  cp39-*   ", "cp39-musllinux_i686", True),
        ("", "cp39-musllinux_i686", False),
        ("CP39-*", "cp39-musllinux_i686", False),  # case-sensitive, as fnmatch on POSIX
        ("*t-*", "cp314t-manylinux_x86_64", True),
    ],
)
def test_selector_matches(selector: str, identifier: str, expected: bool) -> None:
    assert selector_matches(selector, identifier) is expected


def test_default_selection_x86_64() -> None:
    # cibuildwheel 4.3.5 with archs=x86_64 and no other configuration: CPython only
    assert ids(archs=frozenset({Arch.x86_64})) == [
        f"{tag}-{libc}_x86_64"
        for libc in ("manylinux", "musllinux")
        for tag in (
            "cp39",
            "cp310",
            "cp311",
            "cp312",
            "cp313",
            "cp314",
            "cp314t",
            "cp315",
            "cp315t",
        )
    ]


def test_build_and_skip() -> None:
    assert ids(
        build="cp312-*", skip="*-musllinux_* *_i686", archs=frozenset({Arch.x86_64, Arch.i686})
    ) == ["cp312-manylinux_x86_64"]
    assert ids(build="cp312-manylinux_x86_64", skip="cp312-*") == []


def test_skip_free_threaded() -> None:
    selected = ids(skip="*t-*", archs=frozenset({Arch.aarch64}))
    assert selected
    assert not any("t-" in s.split("_", 1)[0] for s in selected)
    assert "cp314-manylinux_aarch64" in selected


# --- requires-python --------------------------------------------------------------------


def test_requires_python_lower_bound() -> None:
    selected = ids(requires_python=">=3.11", archs=frozenset({Arch.x86_64}), enable=ALL_GROUPS)
    assert "cp310-manylinux_x86_64" not in selected
    assert "pp310-manylinux_x86_64" not in selected
    assert "cp311-manylinux_x86_64" in selected
    assert "pp311-manylinux_x86_64" in selected
    assert "gp312_250-manylinux_x86_64" in selected


def test_requires_python_upper_bound_includes_free_threaded() -> None:
    selected = ids(requires_python="<3.14", archs=frozenset({Arch.x86_64}))
    assert "cp313-manylinux_x86_64" in selected
    assert "cp314-manylinux_x86_64" not in selected
    assert "cp314t-manylinux_x86_64" not in selected


def test_requires_python_patch_versions_match_as_x_y_99() -> None:
    # 3.14.99 is checked, so a patch-level lower bound still admits 3.14
    assert "cp314-manylinux_x86_64" in ids(
        requires_python=">=3.14.2", archs=frozenset({Arch.x86_64})
    )
    assert "cp314-manylinux_x86_64" not in ids(
        requires_python="<3.14.5", archs=frozenset({Arch.x86_64})
    )
    assert ids(requires_python="==3.12.*", archs=frozenset({Arch.x86_64}), enable=ALL_GROUPS) == [
        "cp312-manylinux_x86_64",
        "pp312-manylinux_x86_64",
        "gp312_250-manylinux_x86_64",
        "cp312-musllinux_x86_64",
    ]


def test_python_version_of() -> None:
    assert str(python_version_of("cp313t-manylinux_x86_64")) == "3.13.99"
    assert str(python_version_of("cp39-manylinux_x86_64")) == "3.9.99"
    assert str(python_version_of("gp313_253-manylinux_x86_64")) == "3.13.99"
    assert str(python_version_of("pp310-manylinux_i686")) == "3.10.99"
    with pytest.raises(ValueError, match="not a build identifier"):
        python_version_of("foo")


# --- enable groups ----------------------------------------------------------------------


def test_enable_group_values_are_cibuildwheel_435s() -> None:
    assert {g.value for g in EnableGroup} == {
        "cpython-prerelease",
        "graalpy",
        "pypy",
        "pypy-eol",
        "pyodide-eol",
        "pyodide-prerelease",
    }


@pytest.mark.parametrize(
    ("identifier", "group"),
    [
        ("cp39-manylinux_x86_64", None),
        ("cp315-manylinux_x86_64", None),
        ("cp315t-manylinux_x86_64", None),
        ("cp316-manylinux_x86_64", EnableGroup.CPYTHON_PRERELEASE),
        ("pp39-manylinux_x86_64", EnableGroup.PYPY_EOL),
        ("pp310-manylinux_x86_64", EnableGroup.PYPY_EOL),
        ("pp311-manylinux_x86_64", EnableGroup.PYPY),
        ("pp312-manylinux_aarch64", EnableGroup.PYPY),
        ("gp312_250-manylinux_x86_64", EnableGroup.GRAALPY),
        ("cp312-pyodide_wasm32", EnableGroup.PYODIDE_EOL),
    ],
)
def test_gating_group(identifier: str, group: EnableGroup | None) -> None:
    assert gating_group(identifier) is group


def test_enable_pypy_only_current_pypy() -> None:
    selected = ids(
        build="pp*", enable=frozenset({EnableGroup.PYPY}), archs=frozenset({Arch.x86_64})
    )
    assert selected == ["pp311-manylinux_x86_64", "pp312-manylinux_x86_64"]
    selected = ids(
        build="pp*", enable=frozenset({EnableGroup.PYPY_EOL}), archs=frozenset({Arch.x86_64})
    )
    assert selected == ["pp39-manylinux_x86_64", "pp310-manylinux_x86_64"]


def test_graalpy_needs_enable() -> None:
    assert ids(build="gp*") == []
    assert len(ids(build="gp*", enable=frozenset({EnableGroup.GRAALPY}))) == 4


def test_enable_all_builds_everything() -> None:
    assert len(ids(enable=ALL_GROUPS)) == len(CONFIGS)


def test_parse_enable() -> None:
    assert parse_enable("") == frozenset()
    assert parse_enable("pypy graalpy") == {EnableGroup.PYPY, EnableGroup.GRAALPY}
    assert parse_enable("  pypy-eol\tcpython-prerelease ") == {
        EnableGroup.PYPY_EOL,
        EnableGroup.CPYTHON_PRERELEASE,
    }
    assert parse_enable("all") == ALL_GROUPS
    assert parse_enable("pypy all") == ALL_GROUPS
    assert parse_enable("pyodide-eol pyodide-prerelease") == {
        EnableGroup.PYODIDE_EOL,
        EnableGroup.PYODIDE_PRERELEASE,
    }


def test_parse_enable_unknown_group_did_you_mean() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_enable("pypy grallpy", option="CIBW_ENABLE")
    message = str(info.value)
    assert message.startswith("CIBW_ENABLE: unknown enable group 'grallpy'.")
    assert "Did you mean 'graalpy'?" in message
    assert "Valid groups: cpython-prerelease, graalpy, pypy, pypy-eol" in message
    assert info.value.exit_code == 2


def test_parse_enable_comma_is_not_a_separator() -> None:
    with pytest.raises(ConfigurationError, match="unknown enable group 'pypy,graalpy'"):
        parse_enable("pypy,graalpy")


@pytest.mark.parametrize("name", ["cpython-freethreading", "cpython-experimental-riscv64"])
def test_parse_enable_retired_groups(name: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_enable(name)
    assert f"the enable group {name!r} no longer exists" in str(info.value)
    assert info.value.exit_code == 2


# --- test-skip --------------------------------------------------------------------------


def test_test_selector() -> None:
    selector = TestSelector(skip="*-musllinux_* cp3{9,10}-*")
    assert selector("cp311-manylinux_x86_64")
    assert not selector("cp311-musllinux_x86_64")
    assert not selector("cp310-manylinux_x86_64")
    assert TestSelector(skip="")("cp39-manylinux_x86_64")
    assert not TestSelector(skip="*")("cp39-manylinux_x86_64")


# --- the build selector must match something ------------------------------------------


@pytest.mark.parametrize(
    "build", ["*", "cp3{9,10}-*", "pp39-*", "gp*", "*-musllinux_riscv64", "cp38-* cp39-*"]
)
def test_check_build_selector_accepts_known(build: str) -> None:
    check_build_selector(build, CONFIGS)


def test_check_build_selector_refuses_unmatchable() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("cp38-*", CONFIGS)
    message = str(info.value)
    assert message.startswith("build = 'cp38-*' matches no build identifier.")
    assert "Did you mean 'cp39-*'" in message
    assert "cp39, cp310" in message
    assert info.value.exit_code == 2


def test_check_build_selector_names_option_and_platform_typo() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("*-manylinux_amd64", CONFIGS, option="CIBW_BUILD")
    assert str(info.value).startswith(
        "CIBW_BUILD = '*-manylinux_amd64' matches no build identifier."
    )
    assert "'*-manylinux_" in str(info.value)


def test_check_build_selector_empty_string() -> None:
    with pytest.raises(ConfigurationError, match="build = '' matches no build identifier"):
        check_build_selector("", CONFIGS)


def test_empty_selection_hints() -> None:
    x86 = frozenset({Arch.x86_64})

    def hint(**kwargs: object) -> str:
        return empty_selection_hint(CONFIGS, archs=x86, build_selector=BuildSelector(**kwargs))  # type: ignore[arg-type]

    assert hint(build="cp38-*") == "build = 'cp38-*' matches no identifier"
    assert (
        hint(build="*-manylinux_s390x")
        == "archs selects x86_64, but build matches only s390x identifiers"
    )
    assert (
        hint(build="gp*")
        == "build matches 2 identifier(s) for these archs, but some need enable = 'graalpy'"
    )
    assert (
        hint(build="cp39-*", requires_python=SpecifierSet(">=3.10"))
        == "build matches 2 identifier(s) for these archs, but requires-python '>=3.10'"
        " excludes some"
    )
    assert (
        hint(build="cp39-*", skip="*")
        == "build matches 2 identifier(s) for these archs, but skip = '*' removes some"
    )
    mixed = hint(build="pp39-* cp39-*", skip="cp*")
    assert "some need enable = 'pypy-eol'" in mixed
    assert "skip = 'cp*' removes some" in mixed
