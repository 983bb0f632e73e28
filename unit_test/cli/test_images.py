from __future__ import annotations

import argparse

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import images as cli
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import recipe as r


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cibuildwheel-like")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    return parser


def test_register_adds_the_three_commands():
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
    doctor = parser.parse_args(["doctor", "--archs", "x86_64,aarch64"])
    assert doctor.handler is cli.doctor_command


def test_parse_suites_and_archs():
    assert cli._parse_suites(None) == [r.Suite.bookworm]
    assert cli._parse_suites(["sid,bookworm", "sid"]) == [r.Suite.sid, r.Suite.bookworm]
    assert cli._parse_archs(["aarch64,s390x", "i686"]) == [Arch.aarch64, Arch.s390x, Arch.i686]
    assert cli._parse_archs(None) == [Arch.native()]
    with pytest.raises(ConfigurationError, match="buster"):
        cli._parse_suites(["buster"])
    with pytest.raises(ConfigurationError, match="riscv64"):
        cli._parse_archs(["riscv64"])
