"""The emulation option (issue 14): values, layers, overrides, bad values refused (exit 2), and
the project's cross blockers read only when some build may be cross-compiled."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.schema import cibuildwheel_like_schema
from cibuildwheel_like.options.values import parse_emulation

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.resolver import Resolver

ARM = "cp311-manylinux_aarch64"
S390X = "cp311-manylinux_s390x"
HELPER = "from setuptools import setup\n# builds gen with cc.link_executable and runs it\nsetup()\n"
RUNS_HELPER = "cc.link_executable(['gen.o'], 'gen')\n"


def emulation(resolver: Resolver, identifier: str = ARM) -> str:
    config = identifiers.get_configuration(identifier)
    assert config is not None
    return resolver.build_options(config).emulation


@pytest.mark.parametrize("value", ["emulate", "cross", "auto"])
def test_parse_emulation_accepts_the_choices(value: str) -> None:
    assert parse_emulation(value) == value


@pytest.mark.parametrize("value", ["", "Cross", "native", "zig"])
def test_parse_emulation_refuses_anything_else_naming_the_option(value: str) -> None:
    with pytest.raises(ConfigurationError) as e:
        parse_emulation(value, option="emulation (from env CIBWL_EMULATION)")
    assert str(e.value).startswith(
        f"emulation (from env CIBWL_EMULATION) = {value!r} is not valid; use one of emulate,"
        " cross, auto"
    )


def test_the_option_is_ours_with_emulate_as_default() -> None:
    spec = reg.spec("emulation")
    assert (spec.toml_table, spec.env_var, spec.default, spec.choices) == (
        reg.OURS_TABLE,
        "CIBWL_EMULATION",
        "emulate",
        ("emulate", "cross", "auto"),
    )
    assert not spec.global_only  # per build, through [[tool.cibuildwheel-like.overrides]]
    assert "images build --suite SUITE --arch x86_64 --cross" in spec.help
    props = cibuildwheel_like_schema()["properties"]
    assert props["emulation"]["enum"] == ["emulate", "cross", "auto"]


def test_default_file_environment_and_overrides(tmp_path: Path) -> None:
    assert emulation(resolve_pyproject(tmp_path)) == "emulate"
    text = (
        '[tool.cibuildwheel-like]\nemulation = "auto"\n'
        '[[tool.cibuildwheel-like.overrides]]\nselect = "*s390x"\nemulation = "cross"\n'
    )
    r = resolve_pyproject(tmp_path, text)
    assert (emulation(r, ARM), emulation(r, S390X)) == ("auto", "cross")
    config = identifiers.get_configuration(S390X)
    assert r.explain(config)["emulation"].layer == "override #1 (cibuildwheel-like)"
    # the environment is above the file's overrides, as for every option
    r = resolve_pyproject(tmp_path, text, {"CIBWL_EMULATION": "emulate"})
    assert (emulation(r, ARM), emulation(r, S390X)) == ("emulate", "emulate")


def test_a_bad_value_is_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"emulation \(from env CIBWL_EMULATION\)"):
        resolve_pyproject(tmp_path, "", {"CIBWL_EMULATION": "qemu"})
    text = '[[tool.cibuildwheel-like.overrides]]\nselect = "*s390x"\nemulation = "yes"\n'
    with pytest.raises(ConfigurationError) as e:
        resolve_pyproject(tmp_path, text)
    assert "[[tool.cibuildwheel-like.overrides]] #1: emulation = a string ('yes')" in str(e.value)


def test_cross_blockers_are_read_only_when_some_build_may_be_cross(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(RUNS_HELPER)
    assert resolve_pyproject(tmp_path).globals.cross_blockers == ()
    for text, env in (
        ('[tool.cibuildwheel-like]\nemulation = "cross"\n', {}),
        ("", {"CIBWL_EMULATION": "auto"}),
        ('[[tool.cibuildwheel-like.overrides]]\nselect = "*s390x"\nemulation = "auto"\n', {}),
    ):
        (blocker,) = resolve_pyproject(tmp_path, text, env).globals.cross_blockers
        assert blocker.startswith("setup.py: link_executable (")
    # an override the environment outranks, or one that says emulate, reads nothing
    override = '[[tool.cibuildwheel-like.overrides]]\nselect = "*"\nemulation = "auto"\n'
    assert (
        resolve_pyproject(tmp_path, override, {"CIBWL_EMULATION": "emulate"}).globals.cross_blockers
        == ()
    )
    override = '[[tool.cibuildwheel-like.overrides]]\nselect = "*"\nemulation = "emulate"\n'
    assert resolve_pyproject(tmp_path, override).globals.cross_blockers == ()


def test_comments_alone_are_no_blockers(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(HELPER)
    env = {"CIBWL_EMULATION": "auto"}
    assert resolve_pyproject(tmp_path, "", env).globals.cross_blockers == ()
