"""test-container and test-image (issue 12): layers, overrides, the test image resolved per
identifier (runtime images by arch), and bad values refused (exit 2) naming the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.schema import cibuildwheel_like_schema

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.options.resolver import Resolver

X86 = "cp311-manylinux_x86_64"
AARCH64 = "cp311-manylinux_aarch64"
MUSL = "cp311-musllinux_x86_64"


def options(resolver: Resolver, identifier: str = X86) -> BuildOptions:
    config = identifiers.get_configuration(identifier)
    assert config is not None
    return resolver.build_options(config)


def test_defaults_are_cibuildwheels_behaviour(tmp_path: Path) -> None:
    b = options(resolve_pyproject(tmp_path))
    assert (b.test_container, b.test_image) == ("build", "")


def test_fresh_from_the_file_and_the_environment(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel-like]\ntest-container = "fresh"\n'
    r = resolve_pyproject(tmp_path, text)
    assert options(r).test_container == "fresh"
    config = identifiers.get_configuration(X86)
    assert r.explain(config)["test-container"].layer == "pyproject"
    env = {"CIBWL_TEST_CONTAINER": "build"}
    assert options(resolve_pyproject(tmp_path, text, env)).test_container == "build"


def test_runtime_test_image_follows_the_arch(tmp_path: Path) -> None:
    env = {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": "debian-bookworm-runtime"}
    r = resolve_pyproject(tmp_path, "", env)
    assert options(r, X86).test_image == "cibuildwheel-like/debian-bookworm-runtime:x86_64"
    assert options(r, AARCH64).test_image == "cibuildwheel-like/debian-bookworm-runtime:aarch64"


@pytest.mark.parametrize(
    ("value", "image"),
    [
        ("debian-trixie", "cibuildwheel-like/debian-trixie:x86_64"),
        ("ghcr.io/me/runtime:1", "ghcr.io/me/runtime:1"),
        ("  ", ""),
    ],
)
def test_other_test_images(tmp_path: Path, value: str, image: str) -> None:
    env = {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": value}
    assert options(resolve_pyproject(tmp_path, "", env)).test_image == image


def test_policy_name_as_test_image_is_the_pinned_image(tmp_path: Path) -> None:
    env = {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": "manylinux_2_28"}
    image = options(resolve_pyproject(tmp_path, "", env)).test_image
    assert image.startswith("quay.io/pypa/manylinux_2_28_x86_64@sha256:")


def test_per_build_with_overrides(tmp_path: Path) -> None:
    text = (
        '[tool.cibuildwheel-like]\ntest-container = "fresh"\n'
        "[[tool.cibuildwheel-like.overrides]]\n"
        'select = "*aarch64"\ntest-container = "build"\n'
    )
    r = resolve_pyproject(tmp_path, text)
    assert options(r, X86).test_container == "fresh"
    assert options(r, AARCH64).test_container == "build"


@pytest.mark.parametrize(
    ("text", "env", "identifier", "message"),
    [
        ('[tool.cibuildwheel-like]\ntest-container = "new"\n', {}, X86, '"build" or "fresh"'),
        ("", {"CIBWL_TEST_CONTAINER": "clean"}, X86, "use one of build, fresh"),
        (
            "",
            {"CIBWL_TEST_IMAGE": "debian-bookworm-runtime"},
            X86,
            "only used with test-container = 'fresh'",
        ),
        (
            "",
            {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": "debian-bookwrm-runtime"},
            X86,
            "Did you mean 'debian-bookworm-runtime'",
        ),
        (
            "",
            {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": "debian-bookworm-runtime"},
            MUSL,
            "cannot test cp311-musllinux_x86_64",
        ),
    ],
)
def test_bad_values_are_exit_2(
    tmp_path: Path, text: str, env: dict[str, str], identifier: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        options(resolve_pyproject(tmp_path, text, env), identifier)


def test_schema_knows_both_options() -> None:
    props = cibuildwheel_like_schema()["properties"]
    assert props["test-container"]["enum"] == ["build", "fresh"]
    assert props["test-container"]["default"] == "build"
    assert props["test-image"]["type"] == "string"
    override = props["overrides"]["items"]["properties"]
    assert {"test-container", "test-image"} <= set(override)
