from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.selector import (
    BuildSelector,
    EnableGroup,
    TestSelector,
    check_build_selector,
    empty_selection_hint,
    expand_selector,
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


# --- the build selector must match something, word by word -----------------------------


NO_GROUPS: frozenset[EnableGroup] = frozenset()


@pytest.mark.parametrize(
    "build",
    [
        "*",
        "cp3{9,10}-*",
        "cp3{8,9}-*",  # one of the expansions matches: the word is valid
        "*-musllinux_riscv64",
        "cp311-* cp312-manylinux_*",
        "cp311-macosx_*",  # valid on macOS: nothing to build here (exit 3), not exit 2
        "*-win_amd64 cp39-*",
        "cp313-ios_arm64_iphoneos",
        "cp314t-*",
    ],
)
def test_check_build_selector_accepts_words_matching_some_platform(build: str) -> None:
    check_build_selector(build, enable=NO_GROUPS)


def test_every_linux_identifier_is_among_all_platform_identifiers() -> None:
    by_platform = identifiers.identifiers_by_platform()
    assert list(by_platform) == ["linux", "macos", "windows", "pyodide", "android", "ios"]
    assert by_platform["linux"] == identifiers.all_identifiers()
    assert "cp311-macosx_arm64" in by_platform["macos"]
    assert "cp312-win_amd64" in by_platform["windows"]
    assert len(set(identifiers.all_platform_identifiers())) == len(
        identifiers.all_platform_identifiers()
    )


@pytest.mark.parametrize(
    ("build", "word", "series"),
    [
        ("cp38-*", "cp38-*", "3.x"),
        ("cp312-* cp38-*", "cp38-*", "3.x"),
        ("cp313t-*", "cp313t-*", "3.x"),
        ("pp37-* cp311-*", "pp37-*", "2.x"),
        ("cp27-*", "cp27-*", "1.x"),
        ("cp35-manylinux_x86_64", "cp35-manylinux_x86_64", "1.x"),
    ],
)
def test_retired_python_in_build_is_exit_4(build: str, word: str, series: str) -> None:
    with pytest.raises(DeprecationError) as info:
        check_build_selector(build, enable=ALL_GROUPS, option="CIBW_BUILD")
    message = str(info.value)
    assert info.value.exit_code == 4
    assert message.startswith("CIBW_BUILD")
    assert repr(word) in message
    assert f"cibuildwheel {series}" in message


def test_one_word_matching_nothing_is_exit_2_even_if_another_matches() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("cp311-* cpython3-*", enable=NO_GROUPS)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert message.startswith("build = 'cp311-* cpython3-*': 'cpython3-*' matches no build")
    assert "Did you mean 'cp3" in message
    assert "cp39, cp310" in message


def test_word_needing_an_enable_group_is_exit_2_naming_the_group() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("pp311-*", enable=NO_GROUPS)
    assert info.value.exit_code == 2
    assert "'pypy'" in str(info.value)
    assert "--enable pypy" in str(info.value)
    check_build_selector("pp311-*", enable=frozenset({EnableGroup.PYPY}))
    with pytest.raises(ConfigurationError, match="'graalpy'"):
        check_build_selector("cp312-* gp*", enable=frozenset({EnableGroup.PYPY}))
    # a group that exists only on other platforms counts too
    with pytest.raises(ConfigurationError, match="'pyodide-eol'"):
        check_build_selector("cp312-pyodide_*", enable=NO_GROUPS)


def test_check_build_selector_names_option_and_platform_typo() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("*-manylinux_amd64", enable=NO_GROUPS, option="CIBW_BUILD")
    assert str(info.value).startswith("CIBW_BUILD: '*-manylinux_amd64' matches no build")
    assert "'*-manylinux_" in str(info.value)


def test_check_build_selector_empty_string() -> None:
    with pytest.raises(ConfigurationError, match="build = '' is empty"):
        check_build_selector("", enable=NO_GROUPS)


def test_whole_selector_only_when_printing_identifiers() -> None:
    # --print-build-identifiers: cibuildwheel checks nothing; we only refuse a selector that can
    # select nothing anywhere (with the answer a real run gives)
    for build in ("cp311-* cpython3-*", "cp312-* cp38-*", "pp311-*", "cp311-macosx_*"):
        check_build_selector(build, enable=NO_GROUPS, each_word=False)
    with pytest.raises(ConfigurationError) as info:
        check_build_selector("cpython3-*", enable=NO_GROUPS, each_word=False)
    assert info.value.exit_code == 2
    with pytest.raises(DeprecationError):
        check_build_selector("cp38-* cp37-*", enable=NO_GROUPS, each_word=False)


def test_known_identifiers_can_be_given() -> None:
    known = ["cp311-manylinux_x86_64"]
    check_build_selector("cp311-*", enable=NO_GROUPS, known=known)
    with pytest.raises(ConfigurationError):
        check_build_selector("cp312-*", enable=NO_GROUPS, known=known)


def test_empty_selection_hints() -> None:
    x86 = frozenset({Arch.x86_64})

    def hint(**kwargs: object) -> str:
        return empty_selection_hint(CONFIGS, archs=x86, build_selector=BuildSelector(**kwargs))  # type: ignore[arg-type]

    assert hint(build="cp311-macosx_*") == "build = 'cp311-macosx_*' matches no Linux identifier"
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


def test_expand_selector_within_and_past_the_limit() -> None:
    assert expand_selector("cp3{11,12}-* *-musllinux_*") == ["cp311-*", "cp312-*", "*-musllinux_*"]
    assert len(expand_selector("{" + ",".join(str(i) for i in range(1000)) + "}")) == 1000
    too_many = "cp{" + ",".join(str(i) for i in range(1001)) + "}-*"
    with pytest.raises(ConfigurationError, match=r"^CIBW_SKIP: the pattern 'cp\{0,1,") as info:
        expand_selector(f"cp312-* {too_many}", option="CIBW_SKIP")
    assert "more than 1000 patterns, the brace-expansion limit" in str(info.value)
    assert info.value.exit_code == 2
    with pytest.raises(ConfigurationError, match="brace-expansion limit"):
        selector_matches(too_many, "cp312-manylinux_x86_64")
