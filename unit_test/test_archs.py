from __future__ import annotations

import pytest

from cibuildwheel_like.archs import Arch, parse_archs
from cibuildwheel_like.errors import ConfigurationError

# cibuildwheel 4.3.5's Linux "all" (Architecture.all_archs("linux")), written out rather than
# derived from the Arch enum, so a missing or extra enum member fails the "all" case below.
ALL = frozenset(
    {
        Arch.x86_64,
        Arch.i686,
        Arch.aarch64,
        Arch.ppc64le,
        Arch.s390x,
        Arch.armv7l,
        Arch.riscv64,
    }
)


@pytest.mark.parametrize(
    ("value", "host", "expected"),
    [
        # auto/native: the host's own arch only (cibuildwheel 4.x on Linux: no i686 by default)
        ("auto", Arch.x86_64, {Arch.x86_64}),
        ("auto", Arch.aarch64, {Arch.aarch64}),
        ("auto", Arch.i686, {Arch.i686}),
        ("native", Arch.ppc64le, {Arch.ppc64le}),
        ("auto64", Arch.x86_64, {Arch.x86_64}),
        ("auto64", Arch.i686, set()),
        ("auto64", Arch.armv7l, set()),
        ("auto32", Arch.x86_64, {Arch.i686}),
        ("auto32", Arch.i686, {Arch.i686}),
        ("auto32", Arch.s390x, set()),
        ("auto32", Arch.riscv64, set()),
        # armv7l on aarch64 needs a probe of this machine; with an explicit host it is not run
        ("auto32", Arch.aarch64, set()),
        ("auto64 auto32", Arch.x86_64, {Arch.x86_64, Arch.i686}),
        ("all", Arch.x86_64, ALL),
        ("x86_64", Arch.aarch64, {Arch.x86_64}),
        ("x86_64 aarch64", Arch.x86_64, {Arch.x86_64, Arch.aarch64}),
        ("x86_64,aarch64", Arch.x86_64, {Arch.x86_64, Arch.aarch64}),
        ("x86_64, aarch64  ppc64le", Arch.x86_64, {Arch.x86_64, Arch.aarch64, Arch.ppc64le}),
        ("  s390x  ", Arch.x86_64, {Arch.s390x}),
        ("X86_64 RISCV64", Arch.x86_64, {Arch.x86_64, Arch.riscv64}),
        ("auto aarch64", Arch.x86_64, {Arch.x86_64, Arch.aarch64}),
        ("", Arch.s390x, {Arch.s390x}),
        ("armv7l i686", Arch.x86_64, {Arch.armv7l, Arch.i686}),
    ],
)
def test_parse_archs(value: str, host: Arch, expected: set[Arch]) -> None:
    assert parse_archs(value, host=host) == frozenset(expected)


@pytest.mark.parametrize(
    ("machine", "arch"),
    [
        ("x86_64", Arch.x86_64),
        ("AMD64", Arch.x86_64),
        ("aarch64", Arch.aarch64),
        ("arm64", Arch.aarch64),
    ],
)
def test_default_host_is_this_machine(
    monkeypatch: pytest.MonkeyPatch, machine: str, arch: Arch
) -> None:
    monkeypatch.setattr("platform.machine", lambda: machine)
    assert parse_archs("auto") == frozenset({arch})
    assert parse_archs("native") == frozenset({arch})


def test_repeated_and_reordered_words_select_each_arch_once() -> None:
    once = parse_archs("x86_64 aarch64", host=Arch.x86_64)
    assert parse_archs("aarch64,x86_64 X86_64 auto aarch64", host=Arch.x86_64) == once
    assert len(once) == 2


@pytest.mark.parametrize(
    ("value", "bad", "suggestion"),
    [
        ("x86-64", "x86-64", "x86_64"),
        ("aarch65", "aarch65", "aarch64"),
        ("x86_64 ppc64", "ppc64", "ppc64le"),
        ("auto63", "auto63", "auto64"),
        ("armv7", "armv7", "armv7l"),
    ],
)
def test_unknown_arch_did_you_mean(value: str, bad: str, suggestion: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_archs(value, option="CIBW_ARCHS_LINUX", host=Arch.x86_64)
    message = str(info.value)
    assert message.startswith(f"CIBW_ARCHS_LINUX = {value!r}")
    assert f"unknown architecture {bad!r}" in message
    assert f"Did you mean {suggestion!r}?" in message
    assert info.value.exit_code == 2


def test_unknown_arch_without_close_match_lists_valid_values() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_archs("sparc", host=Arch.x86_64)
    message = str(info.value)
    assert message.startswith("archs = 'sparc'")
    assert "Did you mean" not in message
    assert "auto, auto64, auto32, native, all" in message
    assert "riscv64" in message


@pytest.mark.parametrize(
    ("word", "linux_name"),
    [("arm64", "aarch64"), ("AMD64", "x86_64"), ("x86", "i686"), ("arm64_v8a", "aarch64")],
)
def test_other_platform_names_point_to_linux_name(word: str, linux_name: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_archs(word, host=Arch.x86_64)
    assert f"on Linux it is {linux_name!r}" in str(info.value)


def test_runs_natively_on() -> None:
    assert Arch.i686.runs_natively_on(Arch.x86_64)
    assert Arch.armv7l.runs_natively_on(Arch.aarch64)
    assert not Arch.aarch64.runs_natively_on(Arch.x86_64)


def test_unknown_machine_only_matters_for_host_keywords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.machine", lambda: "loongarch64")
    assert parse_archs("x86_64 all") == ALL
    with pytest.raises(ConfigurationError) as info:
        parse_archs("auto")
    assert "this machine's architecture ('loongarch64')" in str(info.value)
    assert info.value.exit_code == 2
