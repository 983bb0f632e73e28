"""cli/images.py: `images build|check|list` arguments become typed values; the --cross
refusals; the `images list` lines."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import fakes
import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import images as cli
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import cross as cross_image
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.images import runtime as runtime_image
from cibuildwheel_like.options.model import ENGINE_NAMES
from cibuildwheel_like.options.values import parse_engine_name

if TYPE_CHECKING:
    from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cibuildwheel-like")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    return parser


def test_register_adds_images_build_check_and_list():
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
    assert parser.parse_args(["images", "list"]).handler is cli.list_command
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


def _build(*argv: str, tmp_path: Path) -> int:
    args = _parser().parse_args(["images", "build", *argv])
    return int(args.handler(args, fakes.context(tmp_path)))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--cross", "--arch", "aarch64"],
            "--arch aarch64 --cross: a cross image runs on the build machine (x86_64)",
        ),
        (["--cross", "--arch", "x86_64,s390x"], "--arch s390x --cross: a cross image runs on"),
        (["--cross", "--tag", "me/cross:1"], "--tag me/cross:1 cannot be used with --cross"),
        (
            ["--cross", "--runtime"],
            "--cross and --runtime make different images from the same build image",
        ),
    ],
)
def test_images_build_cross_refusals(argv: list[str], message: str, tmp_path: Path) -> None:
    """Refused before anything is built (the unit-test guard would stop an engine call)."""
    if Arch.native() is not Arch.x86_64:
        pytest.skip("the messages name the x86_64 build machine")
    with pytest.raises(ConfigurationError) as info:
        _build(*argv, tmp_path=tmp_path)
    assert str(info.value).startswith(message)


def test_images_build_cross_is_a_flag() -> None:
    args = _parser().parse_args(["images", "build", "--suite", "bookworm", "--cross"])
    assert args.cross is True
    assert args.runtime is False
    assert _parser().parse_args(["images", "build"]).cross is False


def test_images_list_lines() -> None:
    p = r.LABEL_PREFIX
    common = {
        f"{p}.glibc": "2.36",
        f"{p}.policy": "manylinux_2_36",
        f"{p}.interpreters": "cp311-cp311",
        f"{p}.recipe-version": r.RECIPE_VERSION,
    }
    images = [
        (
            "cibuildwheel-like/debian-bookworm-cross:x86_64",
            {
                **common,
                f"{p}.variant": "cross",
                f"{p}.cross-targets": "aarch64,ppc64le,s390x",
                f"{p}.cross-glibc": "2.36",
                f"{p}.cross-recipe-version": cross_image.CROSS_RECIPE_VERSION,
            },
        ),
        ("cibuildwheel-like/debian-bookworm:x86_64", common),
        (
            "cibuildwheel-like/debian-bookworm-runtime:x86_64",
            {**common, f"{p}.runtime-recipe-version": runtime_image.RUNTIME_RECIPE_VERSION},
        ),
        ("cibuildwheel-like/debian-bullseye:aarch64", {**common, f"{p}.recipe-version": "2"}),
        ("debian:bookworm", {}),  # not ours: left out
    ]
    lines = cli.list_lines(images, engine="docker")
    assert lines == [
        (
            "cibuildwheel-like/debian-bookworm-cross:x86_64    cross    glibc 2.36, manylinux_2_36,"
            " cp311-cp311, cross gcc for aarch64,ppc64le,s390x (glibc 2.36)"
        ),
        (
            "cibuildwheel-like/debian-bookworm-runtime:x86_64  runtime  glibc 2.36, manylinux_2_36,"
            " cp311-cp311, no compiler"
        ),
        (
            "cibuildwheel-like/debian-bookworm:x86_64          build    glibc 2.36, manylinux_2_36,"
            " cp311-cp311"
        ),
        (
            "cibuildwheel-like/debian-bullseye:aarch64         build    glibc 2.36, manylinux_2_36,"
            f" cp311-cp311, outdated (recipe-version 2, current {r.RECIPE_VERSION}): rebuild with"
            " `cibuildwheel-like images build --suite bullseye --arch aarch64 --engine docker`"
        ),
    ]


def test_images_list_marks_a_cross_image_of_an_old_cross_recipe() -> None:
    p = r.LABEL_PREFIX
    (line,) = cli.list_lines(
        [
            (
                "cibuildwheel-like/debian-sid-cross:x86_64",
                {f"{p}.recipe-version": r.RECIPE_VERSION, f"{p}.variant": "cross"},
            )
        ],
        engine="podman",
    )
    assert "cross gcc for ? (glibc ?)" in line
    assert line.endswith(
        "outdated (cross-recipe-version missing, current"
        f" {cross_image.CROSS_RECIPE_VERSION}): rebuild"
        " with `cibuildwheel-like images build --suite sid --arch x86_64 --cross --engine podman`"
    )
