from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options import image_choice as images
from cibuildwheel_like.options.image_choice import (
    LibcVersion,
    Policy,
    debian_suite_glibc,
    describe_image,
    image_option_defaults,
    image_option_name,
    image_option_names,
    image_options_for,
    parse_policy,
    pinned_images,
    policy_libc,
    resolve_image,
)

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import PythonConfiguration

DIGEST_REF = re.compile(
    r"quay\.io/pypa/(?P<policy>manylinux2014|manylinux_\d+_\d+|musllinux_\d+_\d+)"
    r"_(?P<arch>[a-z0-9_]+)@sha256:[0-9a-f]{64}"
)


def config(identifier: str) -> PythonConfiguration:
    found = identifiers.get_configuration(identifier)
    assert found is not None, identifier
    return found


# --- data ---------------------------------------------------------------------------------


def test_pinned_sections_and_policies() -> None:
    pinned = pinned_images()
    assert set(pinned) == {
        "x86_64",
        "i686",
        "aarch64",
        "ppc64le",
        "s390x",
        "pypy_x86_64",
        "pypy_i686",
        "pypy_aarch64",
        "armv7l",
        "riscv64",
    }
    for arch in ("x86_64", "i686", "aarch64", "ppc64le", "s390x"):
        assert set(pinned[arch]) == {
            "manylinux2014",
            "manylinux_2_28",
            "manylinux_2_34",
            "musllinux_1_2",
        }
    for arch in ("x86_64", "i686", "aarch64"):
        assert set(pinned[f"pypy_{arch}"]) == {"manylinux2014", "manylinux_2_28", "manylinux_2_34"}
        assert pinned[f"pypy_{arch}"]["manylinux_2_28"] == pinned[arch]["manylinux_2_28"]
    assert set(pinned["armv7l"]) == {"manylinux_2_31", "manylinux_2_35", "musllinux_1_2"}
    assert set(pinned["riscv64"]) == {"manylinux_2_39", "musllinux_1_2"}


def test_every_pinned_image_is_a_digest_of_the_right_policy_and_arch() -> None:
    for section, table in pinned_images().items():
        for short_name, reference in table.items():
            m = DIGEST_REF.fullmatch(reference)
            assert m is not None, reference
            assert m["policy"] == short_name
            assert m["arch"] == section.removeprefix("pypy_")


def test_defaults() -> None:
    defaults = image_option_defaults()
    assert len(defaults) == 17
    assert defaults["manylinux-x86_64-image"] == "manylinux_2_28"
    assert defaults["manylinux-pypy_aarch64-image"] == "manylinux_2_28"
    assert defaults["manylinux-armv7l-image"] == "manylinux_2_31"
    assert defaults["manylinux-riscv64-image"] == "manylinux_2_39"
    assert {v for k, v in defaults.items() if k.startswith("musllinux-")} == {"musllinux_1_2"}
    assert image_option_names()[:3] == (
        "manylinux-x86_64-image",
        "manylinux-i686-image",
        "manylinux-aarch64-image",
    )


def test_every_identifier_has_an_option_and_a_default_image() -> None:
    names = set(image_option_names())
    used = set()
    for c in identifiers.all_configurations():
        option = image_option_name(c)
        assert option in names
        used.add(option)
        reference = resolve_image("", config=c, option=option)
        m = DIGEST_REF.fullmatch(reference)
        assert m is not None
        assert m["arch"] == c.arch.value
        assert m["policy"].startswith(c.libc)
    assert used == names


# --- option names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "option"),
    [
        ("cp313-manylinux_x86_64", "manylinux-x86_64-image"),
        ("cp314t-manylinux_riscv64", "manylinux-riscv64-image"),
        ("pp311-manylinux_aarch64", "manylinux-pypy_aarch64-image"),
        ("pp39-manylinux_i686", "manylinux-pypy_i686-image"),
        ("pp312-manylinux_x86_64", "manylinux-pypy_x86_64-image"),
        ("gp312_250-manylinux_x86_64", "manylinux-x86_64-image"),
        ("cp39-musllinux_i686", "musllinux-i686-image"),
        ("cp315-musllinux_armv7l", "musllinux-armv7l-image"),
    ],
)
def test_image_option_name(identifier: str, option: str) -> None:
    assert image_option_name(config(identifier)) == option


# --- resolving ----------------------------------------------------------------------------


def test_short_names_resolve_to_pinned_digests() -> None:
    cp = config("cp312-manylinux_aarch64")
    option = "manylinux-aarch64-image"
    assert (
        resolve_image("manylinux2014", config=cp, option=option)
        == pinned_images()["aarch64"]["manylinux2014"]
    )
    assert resolve_image("manylinux_2_34", config=cp, option=option).startswith(
        "quay.io/pypa/manylinux_2_34_aarch64@sha256:"
    )
    # packaging's alias: manylinux_2_17 is manylinux2014
    assert (
        resolve_image("manylinux_2_17", config=cp, option=option)
        == pinned_images()["aarch64"]["manylinux2014"]
    )
    assert (
        resolve_image("  manylinux_2_28 ", config=cp, option=option)
        == pinned_images()["aarch64"]["manylinux_2_28"]
    )


def test_pypy_option_is_honoured() -> None:
    pp = config("pp311-manylinux_x86_64")
    option = image_option_name(pp)
    assert resolve_image("manylinux2014", config=pp, option=option).startswith(
        "quay.io/pypa/manylinux2014_x86_64@sha256:"
    )
    assert resolve_image("ghcr.io/me/pypy:1", config=pp, option=option) == "ghcr.io/me/pypy:1"


def test_armv7l_and_riscv64_policies() -> None:
    arm = config("cp312-manylinux_armv7l")
    assert resolve_image("manylinux_2_35", config=arm, option="manylinux-armv7l-image").startswith(
        "quay.io/pypa/manylinux_2_35_armv7l@sha256:"
    )
    rv = config("cp312-musllinux_riscv64")
    assert resolve_image("musllinux_1_2", config=rv, option="musllinux-riscv64-image").startswith(
        "quay.io/pypa/musllinux_1_2_riscv64@sha256:"
    )


def test_custom_references_are_taken_as_is() -> None:
    cp = config("cp312-manylinux_x86_64")
    for value in (
        "quay.io/pypa/manylinux_2_28_x86_64:2024.01.01-1",
        "myregistry.example.com:5000/build/image@sha256:" + "0" * 64,
        "ubuntu:24.04",
        "local-image",
        "debian",
    ):
        described = describe_image(value, config=cp, option="manylinux-x86_64-image")
        assert described.reference == value
        assert described.kind == "custom"


@pytest.mark.parametrize("suite", ["bullseye", "bookworm", "trixie", "sid"])
@pytest.mark.parametrize(
    "identifier", ["cp313-manylinux_x86_64", "cp313-manylinux_aarch64", "pp311-manylinux_i686"]
)
def test_local_debian_images(suite: str, identifier: str) -> None:
    c = config(identifier)
    described = describe_image(f"debian-{suite}", config=c, option=image_option_name(c))
    assert described.reference == f"cibuildwheel-like/debian-{suite}:{c.arch.value}"
    assert described.kind == "local"
    assert described.debian_suite == suite


def test_unknown_debian_suite() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_image(
            "debian-bokworm",
            config=config("cp313-manylinux_x86_64"),
            option="manylinux-x86_64-image",
        )
    message = str(info.value)
    assert message.startswith("manylinux-x86_64-image = 'debian-bokworm': unknown local image.")
    assert "Did you mean 'debian-bookworm'?" in message


def test_debian_image_for_musllinux_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="can only build manylinux wheels"):
        resolve_image(
            "debian-bookworm",
            config=config("cp313-musllinux_x86_64"),
            option="musllinux-x86_64-image",
        )


@pytest.mark.parametrize(
    ("value", "identifier", "option", "replacement"),
    [
        ("manylinux1", "cp39-manylinux_x86_64", "manylinux-x86_64-image", "manylinux_2_28"),
        ("manylinux2010", "cp39-manylinux_i686", "CIBW_MANYLINUX_I686_IMAGE", "manylinux_2_28"),
        ("manylinux_2_24", "cp39-manylinux_aarch64", "manylinux-aarch64-image", "manylinux_2_28"),
        (
            "manylinux_2_5",
            "pp311-manylinux_x86_64",
            "manylinux-pypy_x86_64-image",
            "manylinux_2_28",
        ),
        ("musllinux_1_1", "cp39-musllinux_x86_64", "musllinux-x86_64-image", "musllinux_1_2"),
    ],
)
def test_removed_policies(value: str, identifier: str, option: str, replacement: str) -> None:
    with pytest.raises(DeprecationError) as info:
        resolve_image(value, config=config(identifier), option=option)
    message = str(info.value)
    assert message.startswith(f"{option} = {value!r}: the {value} image is no longer supported")
    assert f"Use {replacement!r}" in message
    assert info.value.exit_code == 4


@pytest.mark.parametrize(
    ("value", "identifier", "option", "available"),
    [
        ("manylinux2014", "cp312-manylinux_riscv64", "manylinux-riscv64-image", "manylinux_2_39"),
        (
            "manylinux_2_28",
            "cp312-manylinux_armv7l",
            "manylinux-armv7l-image",
            "manylinux_2_31, manylinux_2_35",
        ),
        (
            "manylinux_2_99",
            "cp312-manylinux_x86_64",
            "manylinux-x86_64-image",
            "manylinux2014, manylinux_2_28",
        ),
        ("musllinux_1_2", "pp311-manylinux_x86_64", "manylinux-pypy_x86_64-image", "manylinux2014"),
    ],
)
def test_policy_not_available_for_arch(
    value: str, identifier: str, option: str, available: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_image(value, config=config(identifier), option=option)
    message = str(info.value)
    assert message.startswith(f"{option} = {value!r}:")
    assert available in message
    assert info.value.exit_code == 2


def test_wrong_libc_family() -> None:
    with pytest.raises(
        ConfigurationError, match="a musllinux policy cannot build manylinux wheels"
    ):
        resolve_image(
            "musllinux_1_2",
            config=config("cp312-manylinux_x86_64"),
            option="manylinux-x86_64-image",
        )
    with pytest.raises(
        ConfigurationError,
        match=r"a manylinux policy cannot build musllinux wheels\. Use one of musllinux_1_2, or",
    ):
        resolve_image(
            "manylinux_2_28",
            config=config("cp312-musllinux_x86_64"),
            option="musllinux-x86_64-image",
        )


# --- policies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family", "major", "minor"),
    [
        ("manylinux2014", "glibc", 2, 17),
        ("manylinux_2_17", "glibc", 2, 17),
        ("manylinux2010", "glibc", 2, 12),
        ("manylinux1", "glibc", 2, 5),
        ("manylinux_2_28", "glibc", 2, 28),
        ("manylinux_2_39", "glibc", 2, 39),
        ("musllinux_1_2", "musl", 1, 2),
        ("musllinux_1_1", "musl", 1, 1),
    ],
)
def test_policy_libc(name: str, family: str, major: int, minor: int) -> None:
    assert policy_libc(name) == LibcVersion(family=family, major=major, minor=minor)  # type: ignore[arg-type]


def test_policy_libc_unknown() -> None:
    with pytest.raises(ConfigurationError) as info:
        policy_libc("manylinux2015")
    assert "Did you mean 'manylinux2014'?" in str(info.value)
    assert str(LibcVersion(family="glibc", major=2, minor=28)) == "glibc 2.28"


def test_policy_names_and_tags() -> None:
    legacy = parse_policy("manylinux2014")
    assert legacy == Policy(family="manylinux", major=2, minor=17)
    assert legacy.name == "manylinux_2_17"
    assert legacy.legacy_name == "manylinux2014"
    assert legacy.platform_tags(Arch.x86_64) == ("manylinux_2_17_x86_64", "manylinux2014_x86_64")
    modern = parse_policy("manylinux_2_28")
    assert modern is not None
    assert modern.legacy_name is None
    assert modern.platform_tags(Arch.aarch64) == ("manylinux_2_28_aarch64",)
    musl = parse_policy("musllinux_1_2")
    assert musl is not None
    assert musl.platform_tags(Arch.s390x) == ("musllinux_1_2_s390x",)
    assert parse_policy("quay.io/pypa/manylinux_2_28_x86_64") is None
    assert parse_policy("manylinux_2_28_x86_64") is None


def test_debian_suite_glibc() -> None:
    assert debian_suite_glibc("bookworm") == LibcVersion(family="glibc", major=2, minor=36)
    assert debian_suite_glibc("bullseye") == LibcVersion(family="glibc", major=2, minor=31)
    assert debian_suite_glibc("sid") is None
    assert set(images.DEBIAN_SUITES) == {"bullseye", "bookworm", "trixie", "sid"}


def test_image_options_for() -> None:
    assert image_options_for(config("pp311-manylinux_i686")) == (
        "manylinux-pypy_i686-image",
        "manylinux-i686-image",
    )
    assert image_options_for(config("cp311-musllinux_i686")) == ("musllinux-i686-image",)
    assert image_options_for(config("gp313_253-manylinux_aarch64")) == ("manylinux-aarch64-image",)


@pytest.mark.parametrize(
    "value", ["manylinux1", "manylinux_2_5", " manylinux2010 ", "manylinux_2_24", "musllinux_1_1"]
)
def test_check_not_removed_refuses_every_spelling(value: str) -> None:
    with pytest.raises(DeprecationError, match=r"^musllinux-ppc64le-image = ") as info:
        images.check_not_removed(value, option="musllinux-ppc64le-image")
    assert info.value.exit_code == 4


@pytest.mark.parametrize(
    "value", ["", "manylinux2014", "manylinux_2_28", "musllinux_1_2", "debian-trixie", "x/y:1"]
)
def test_check_not_removed_accepts_the_rest(value: str) -> None:
    images.check_not_removed(value, option="manylinux-x86_64-image")
