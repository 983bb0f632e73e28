"""Which container image builds an identifier: image options, policy short names, pinned images.

Each identifier is built in the image named by one option: ``manylinux-<arch>-image``,
``manylinux-pypy_<arch>-image`` (PyPy: cibuildwheel reads this option and then ignores it; we
honour it) or ``musllinux-<arch>-image``. An option's value is either a policy short name
(``manylinux_2_28``, ``manylinux2014``, ``musllinux_1_2``...), resolved to the image pinned by
digest in ``resources/pinned-images.toml``; one of our local Debian images
(``debian-bookworm`` -> ``cibuildwheel-like/debian-bookworm:<arch>``); or any other image
reference, used as is.

Policy names follow packaging's tag naming (``packaging.tags`` / ``packaging._manylinux``):
``manylinux_<glibc major>_<glibc minor>``, ``musllinux_<musl major>_<musl minor>``, and the
legacy aliases packaging maps to glibc versions (``manylinux2014`` is ``manylinux_2_17``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import sys
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from packaging._manylinux import _LEGACY_MANYLINUX_MAP, _GLibCVersion
from packaging._musllinux import _MuslVersion

from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.images import recipe

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.options.model import PythonConfiguration

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DATA_FILE = "pinned-images.toml"
# Our local Debian images and the glibc each suite ships, as the image recipe (their one owner)
# knows them; sid is rolling, so it has no fixed version.
DEBIAN_SUITES: Mapping[str, tuple[int, int] | None] = {
    suite.value: facts.glibc for suite, facts in recipe.SUITES.items()
}

LibcFamily = Literal["glibc", "musl"]
PolicyFamily = Literal["manylinux", "musllinux"]
ImageKind = Literal["pinned", "local", "custom"]

# The legacy manylinux names, from packaging's own table (glibc version -> legacy name).
_LEGACY_NAMES: Mapping[str, _GLibCVersion] = {
    name: version for version, name in _LEGACY_MANYLINUX_MAP.items()
}
_POLICY_RE = re.compile(r"(?P<family>manylinux|musllinux)_(?P<major>[0-9]+)_(?P<minor>[0-9]+)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class LibcVersion:
    family: LibcFamily
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.family} {self.major}.{self.minor}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Policy:
    """A manylinux/musllinux policy: the libc family and the minimum libc version it stands for."""

    family: PolicyFamily
    major: int
    minor: int

    @property
    def name(self) -> str:
        """The canonical (PEP 600 / PEP 656) name, e.g. ``manylinux_2_17``."""
        return f"{self.family}_{self.major}_{self.minor}"

    @property
    def legacy_name(self) -> str | None:
        """packaging's legacy alias, e.g. ``manylinux2014`` for ``manylinux_2_17``."""
        if self.family != "manylinux":
            return None
        return _LEGACY_MANYLINUX_MAP.get(_GLibCVersion(self.major, self.minor))

    @property
    def libc(self) -> LibcVersion:
        if self.family == "manylinux":
            glibc = _GLibCVersion(self.major, self.minor)
            return LibcVersion(family="glibc", major=glibc.major, minor=glibc.minor)
        musl = _MuslVersion(self.major, self.minor)
        return LibcVersion(family="musl", major=musl.major, minor=musl.minor)

    def platform_tags(self, arch: Arch) -> tuple[str, ...]:
        """The wheel platform tags of this policy for ``arch``, as packaging.tags spells them
        (the PEP 600 tag first, then the legacy alias if there is one)."""
        tags = [f"{self.name}_{arch.value}"]
        if self.legacy_name is not None:
            tags.append(f"{self.legacy_name}_{arch.value}")
        return tuple(tags)


def parse_policy(name: str) -> Policy | None:
    """The policy a short name stands for, or None if ``name`` is not a policy name."""
    if (legacy := _LEGACY_NAMES.get(name)) is not None:
        return Policy(family="manylinux", major=legacy.major, minor=legacy.minor)
    if (m := _POLICY_RE.fullmatch(name)) is not None:
        family: PolicyFamily = "manylinux" if m["family"] == "manylinux" else "musllinux"
        return Policy(family=family, major=int(m["major"]), minor=int(m["minor"]))
    return None


def policy_libc(name: str) -> LibcVersion:
    """The glibc or musl version a policy name stands for: ``manylinux2014`` -> glibc 2.17,
    ``manylinux_2_28`` -> glibc 2.28, ``musllinux_1_2`` -> musl 1.2."""
    policy = parse_policy(name)
    if policy is None:
        known = [*_LEGACY_NAMES, *_known_policy_names()]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigurationError(
            f"{name!r} is not a manylinux/musllinux policy name.{hint}"
            " Policy names look like manylinux_2_28, manylinux2014 or musllinux_1_2."
        )
    return policy.libc


# Removed policies: cibuildwheel 4.x refuses these names (exit 4), and so do we, including
# their other spellings (manylinux_2_5 is manylinux1, manylinux_2_12 is manylinux2010).
_REMOVED = {
    Policy(family="manylinux", major=2, minor=5): "manylinux_2_28",
    Policy(family="manylinux", major=2, minor=12): "manylinux_2_28",
    Policy(family="manylinux", major=2, minor=24): "manylinux_2_28",
    Policy(family="musllinux", major=1, minor=1): "musllinux_1_2",
}


def check_not_removed(value: str, *, option: str) -> None:
    """A removed policy name is a DeprecationError (exit 4), in any image option: cibuildwheel
    4.3.5 checks every image option when a run starts, for built archs and the others alike."""
    text = value.strip()
    policy = parse_policy(text)
    if policy is None or (replacement := _REMOVED.get(policy)) is None:
        return
    raise DeprecationError(
        f"{option} = {text!r}: the {text} image is no longer supported (cibuildwheel 4.x"
        f" removed it). Use {replacement!r}, or pin the old image by its full reference"
        " (e.g. 'quay.io/pypa/<name>_<arch>:<tag>' or '...@sha256:<digest>') if you must."
    )


@functools.cache
def _data() -> dict[str, Any]:
    text = (resources.files("cibuildwheel_like") / "resources" / DATA_FILE).read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


def image_option_defaults() -> Mapping[str, str]:
    """Every image option name (cibuildwheel's order) and its default value."""
    defaults: dict[str, str] = _data()["defaults"]
    return defaults


def image_option_names() -> tuple[str, ...]:
    return tuple(image_option_defaults())


def pinned_images() -> Mapping[str, Mapping[str, str]]:
    """Section (arch, or ``pypy_<arch>``) -> policy short name -> pinned image reference."""
    pinned: dict[str, dict[str, str]] = _data()["pinned"]
    return pinned


@functools.cache
def _known_policy_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for table in pinned_images().values() for name in table))


def image_option_name(config: PythonConfiguration) -> str:
    """The option that names ``config``'s image, e.g. ``manylinux-pypy_aarch64-image``."""
    arch = config.arch.value
    if config.libc == "manylinux" and config.implementation == "pp":
        return f"manylinux-pypy_{arch}-image"
    return f"{config.libc}-{arch}-image"


def image_options_for(config: PythonConfiguration) -> tuple[str, ...]:
    """The image options that may name ``config``'s image, most specific first.

    For PyPy this is ``manylinux-pypy_<arch>-image`` then ``manylinux-<arch>-image``:
    cibuildwheel builds PyPy in the ``manylinux-<arch>-image`` image, so a resolver that wants
    that project's PyPy builds unchanged can fall back to the second when the user did not set
    the first. For every other identifier it is just ``(image_option_name(config),)``.
    """
    own = image_option_name(config)
    if config.libc == "manylinux" and config.implementation == "pp":
        return (own, f"manylinux-{config.arch.value}-image")
    return (own,)


def _option_family_and_section(option_name: str) -> tuple[PolicyFamily, str]:
    family: PolicyFamily = "manylinux" if option_name.startswith("manylinux-") else "musllinux"
    section = option_name.removeprefix(f"{family}-").removesuffix("-image")
    return family, section


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolvedImage:
    reference: str  # what the engine pulls/runs
    kind: ImageKind
    policy: Policy | None = None  # for pinned images
    debian_suite: str | None = None  # for local images


def _available(section: str, family: PolicyFamily) -> list[str]:
    return [
        name
        for name in pinned_images().get(section, {})
        if (policy := parse_policy(name)) is not None and policy.family == family
    ]


def _resolve_policy(
    policy: Policy, *, text: str, option: str, family: PolicyFamily, section: str
) -> ResolvedImage:
    check_not_removed(text, option=option)
    available = _available(section, family)
    if policy.family != family:
        raise ConfigurationError(
            f"{option} = {text!r}: a {policy.family} policy cannot build {family} wheels."
            f" Use one of {', '.join(available)}, or an image reference."
        )
    table = pinned_images().get(section, {})
    for short_name, reference in table.items():
        if parse_policy(short_name) == policy:
            return ResolvedImage(reference=reference, kind="pinned", policy=policy)
    arch = section.removeprefix("pypy_")
    raise ConfigurationError(
        f"{option} = {text!r}: there is no {text} image for {arch}."
        f" Available for this option: {', '.join(available)}, or an image reference."
    )


def _resolve_local(suite: str, *, text: str, option: str, family: PolicyFamily, arch: Arch) -> str:
    if suite not in DEBIAN_SUITES:
        close = difflib.get_close_matches(suite, list(DEBIAN_SUITES), n=1)
        hint = f" Did you mean 'debian-{close[0]}'?" if close else ""
        names = ", ".join(f"debian-{s}" for s in DEBIAN_SUITES)
        raise ConfigurationError(
            f"{option} = {text!r}: unknown local image.{hint} Local images: {names}."
        )
    if family != "manylinux":
        raise ConfigurationError(
            f"{option} = {text!r}: the Debian images use glibc, so they can only build"
            " manylinux wheels. Use 'musllinux_1_2' or a musl-based image reference."
        )
    return recipe.image_name(recipe.Suite(suite), arch)


def describe_image(value: str, *, config: PythonConfiguration, option: str) -> ResolvedImage:
    """Resolve an image option value for ``config``; ``option`` names the setting in messages."""
    family, section = _option_family_and_section(image_option_name(config))
    text = value.strip() or image_option_defaults()[image_option_name(config)]
    policy = parse_policy(text)
    if policy is not None:
        return _resolve_policy(policy, text=text, option=option, family=family, section=section)
    if (m := re.fullmatch(r"debian-(?P<suite>[a-z]+)", text)) is not None:
        suite = m["suite"]
        reference = _resolve_local(suite, text=text, option=option, family=family, arch=config.arch)
        return ResolvedImage(reference=reference, kind="local", debian_suite=suite)
    return ResolvedImage(reference=text, kind="custom")


def resolve_image(value: str, *, config: PythonConfiguration, option: str) -> str:
    """The image reference that builds ``config`` for an image option ``value``.

    ``""`` means the option's default. Policy short names give the pinned quay.io image (by
    digest); ``debian-<suite>`` gives our local ``cibuildwheel-like/debian-<suite>:<arch>``;
    anything else is an image reference, returned as is. Removed policies raise
    DeprecationError (exit 4); a policy with no image for the arch, or of the other libc,
    raises ConfigurationError (exit 2).
    """
    return describe_image(value, config=config, option=option).reference


def debian_suite_glibc(suite: str) -> LibcVersion | None:
    """The glibc version of a local Debian suite (None for sid, which is rolling)."""
    version = DEBIAN_SUITES[suite]
    if version is None:
        return None
    return LibcVersion(family="glibc", major=version[0], minor=version[1])
