"""cli/images.py: `images build|check` arguments become typed values."""

from __future__ import annotations

import argparse

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import images as cli
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.options.model import ENGINE_NAMES
from cibuildwheel_like.options.values import parse_engine_name


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cibuildwheel-like")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    return parser


def test_register_adds_images_build_and_check_only():
    parser = _parser()
    build = parser.parse_args(
        ["images", "build", "--suite", "sid,bookworm", "--arch", "aarch64", "--jobs", "2"]
    )
    assert build.handler is cli.build_command
    assert build.engine == "docker"
    check = parser.parse_args(
        ["images", "check", "img", "--identifiers", "cp311-manylinux_x86_64", "--engine", "podman"]
    )
    assert check.handler is cli.check_command
    assert check.identifiers == ["cp311-manylinux_x86_64"]
    with pytest.raises(SystemExit):
        parser.parse_args(["doctor"])  # cli/doctor.py registers its own subcommand


def test_engine_choices_are_the_one_vocabulary():
    parser = _parser()
    assert ENGINE_NAMES == ("docker", "podman")
    for name in ENGINE_NAMES:
        assert parser.parse_args(["images", "check", "img", "--engine", name]).engine == name
    with pytest.raises(SystemExit):
        parser.parse_args(["images", "check", "img", "--engine", "nerdctl"])


def test_engine_name_parser_names_the_option():
    assert parse_engine_name("podman", option="--engine") == "podman"
    with pytest.raises(ConfigurationError) as info:
        parse_engine_name("nerdctl", option="--engine")
    assert (
        str(info.value) == "--engine: unknown container engine 'nerdctl'; use 'docker' or 'podman'"
    )


def test_parse_suites_and_archs():
    assert cli.parse_suites(None) == [r.DEFAULT_SUITE]
    assert cli.parse_suites(["sid,bookworm", "sid"]) == [r.Suite.sid, r.Suite.bookworm]
    assert cli.parse_suites(["bullseye trixie"]) == [r.Suite.bullseye, r.Suite.trixie]
    assert cli.parse_archs(["aarch64,s390x", "i686"]) == [Arch.aarch64, Arch.s390x, Arch.i686]
    assert cli.parse_archs(None) == [Arch.native()]
    with pytest.raises(ConfigurationError, match="--suite: unknown suite 'buster'"):
        cli.parse_suites(["buster"])
    with pytest.raises(ConfigurationError, match="--arch: unknown or unbuildable arch 'riscv64'"):
        cli.parse_archs(["riscv64"])


def test_suite_and_arch_choices_come_from_the_recipe():
    assert tuple(s.value for s in r.Suite) == cli.SUITE_CHOICES
    assert tuple(a.value for a in r.BUILD_ARCHS) == cli.ARCH_CHOICES
