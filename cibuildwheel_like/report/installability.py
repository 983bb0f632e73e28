"""Will this wheel install? Pure logic on a wheel's platform tags, no network.

For each platform tag of a wheel: the oldest pip that recognises it, the oldest C library it
promises (glibc for manylinux, musl for musllinux; a ``linux_*`` tag promises nothing), and
whether PyPI takes it. ``TAG_FAMILIES`` is the one table of these facts: the summary, the build
report, ``require-installable-by`` and the documentation (docs/installability.md, docs/images.md
cite it) all read it.

Sources of the facts: PEP 513 / 571 / 599 / 600 / 656 and the pip releases that implemented them
(manylinux1 pip 8.1, manylinux2010 pip 19.0, manylinux2014 pip 19.3, perennial ``manylinux_x_y``
pip 20.3, ``musllinux_x_y`` pip 21.2); PyPI's upload check (warehouse ``forklift/legacy.py``)
for the platform tags and architectures it accepts.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import Version

Libc = Literal["glibc", "musl"]
FamilyName = Literal[
    "manylinux1", "manylinux2010", "manylinux2014", "manylinux", "musllinux", "linux", "any"
]

# What PyPI accepts for the PEP 600 / PEP 656 spellings (warehouse's "jointlinux" set; ppc64,
# big-endian, for manylinux only).
_JOINT_ARCHS = ("x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TagFamily:
    """One spelling of Linux platform tags and what the installers and PyPI make of it."""

    name: FamilyName
    pattern: str  # as written in docs: "manylinux2014_ARCH"
    standard: str  # the PEP that defines it
    pip: Version  # the oldest pip that installs a wheel with this tag
    libc: Libc | None  # what the tag promises; None: nothing
    pypi_archs: tuple[str, ...]  # architectures PyPI accepts with this spelling
    legacy_glibc: tuple[int, int] | None = None  # the glibc a legacy alias stands for

    @property
    def pip_text(self) -> str:
        return f"pip {self.pip}"


TAG_FAMILIES: tuple[TagFamily, ...] = (
    TagFamily(
        name="manylinux1",
        pattern="manylinux1_ARCH",
        standard="PEP 513",
        pip=Version("8.1"),
        libc="glibc",
        legacy_glibc=(2, 5),
        pypi_archs=("x86_64", "i686"),
    ),
    TagFamily(
        name="manylinux2010",
        pattern="manylinux2010_ARCH",
        standard="PEP 571",
        pip=Version("19.0"),
        libc="glibc",
        legacy_glibc=(2, 12),
        pypi_archs=("x86_64", "i686"),
    ),
    TagFamily(
        name="manylinux2014",
        pattern="manylinux2014_ARCH",
        standard="PEP 599",
        pip=Version("19.3"),
        libc="glibc",
        legacy_glibc=(2, 17),
        pypi_archs=("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"),
    ),
    TagFamily(
        name="manylinux",
        pattern="manylinux_X_Y_ARCH",
        standard="PEP 600",
        pip=Version("20.3"),
        libc="glibc",
        pypi_archs=(*_JOINT_ARCHS, "ppc64"),
    ),
    TagFamily(
        name="musllinux",
        pattern="musllinux_X_Y_ARCH",
        standard="PEP 656",
        pip=Version("21.2"),
        libc="musl",
        pypi_archs=_JOINT_ARCHS,
    ),
    TagFamily(
        name="linux",
        pattern="linux_ARCH",
        standard="PEP 425",
        pip=Version("1.4"),  # the first pip that installs wheels at all
        libc=None,
        # PyPI takes these two for Raspberry Pi style boards; every other linux_* is refused
        pypi_archs=("armv6l", "armv7l"),
    ),
    TagFamily(
        name="any",
        pattern="any",
        standard="PEP 425",
        pip=Version("1.4"),
        libc=None,
        pypi_archs=("",),
    ),
)
FAMILIES: dict[FamilyName, TagFamily] = {f.name: f for f in TAG_FAMILIES}

_LEGACY = re.compile(r"^(?P<family>manylinux1|manylinux2010|manylinux2014)_(?P<arch>.+)$")
_PERENNIAL = re.compile(
    r"^(?P<family>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>.+)$"
)
_LINUX = re.compile(r"^linux_(?P<arch>.+)$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TagCheck:
    """What one platform tag means to installers and to PyPI."""

    platform: str  # e.g. "manylinux_2_17_x86_64"
    family: TagFamily | None  # None: not a Linux tag we know (PyPI and pip verdicts unknown)
    arch: str
    libc_version: tuple[int, int] | None  # glibc 2.17 -> (2, 17); musl 1.2 -> (1, 2)

    @property
    def oldest_pip(self) -> Version | None:
        return None if self.family is None else self.family.pip

    @property
    def libc(self) -> Libc | None:
        return None if self.family is None else self.family.libc

    @property
    def pypi_accepts(self) -> bool:
        return self.family is not None and self.arch in self.family.pypi_archs

    @property
    def promise(self) -> str:
        """``glibc 2.17+``, ``musl 1.2+``, or why there is none."""
        if self.libc is None or self.libc_version is None:
            return "no libc promise" if self.family is not None else "unknown platform"
        return f"{self.libc} {self.libc_version[0]}.{self.libc_version[1]}+"

    @property
    def pypi_reason(self) -> str:
        """Why PyPI refuses the tag ("" when it accepts it)."""
        if self.pypi_accepts:
            return ""
        if self.family is None:
            return f"{self.platform} is not a platform tag PyPI knows"
        if self.family.name == "linux":
            return f"PyPI refuses {self.platform}: a linux_* tag promises nothing about the system"
        return (
            f"PyPI refuses {self.platform}: it takes {self.family.pattern} only for"
            f" {', '.join(self.family.pypi_archs)}"
        )


def check_tag(platform: str) -> TagCheck:
    if platform == "any":
        return TagCheck(platform=platform, family=FAMILIES["any"], arch="", libc_version=None)
    if m := _LEGACY.match(platform):
        family = FAMILIES[m["family"]]  # type: ignore[index]  # the regex allows only these
        return TagCheck(
            platform=platform, family=family, arch=m["arch"], libc_version=family.legacy_glibc
        )
    if m := _PERENNIAL.match(platform):
        return TagCheck(
            platform=platform,
            family=FAMILIES[m["family"]],  # type: ignore[index]
            arch=m["arch"],
            libc_version=(int(m["major"]), int(m["minor"])),
        )
    if m := _LINUX.match(platform):
        return TagCheck(
            platform=platform, family=FAMILIES["linux"], arch=m["arch"], libc_version=None
        )
    return TagCheck(platform=platform, family=None, arch="", libc_version=None)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Installability:
    """The check of one wheel, from its file name."""

    wheel: str
    tags: tuple[TagCheck, ...]  # one per platform tag, in file-name order

    @property
    def oldest_pip(self) -> Version | None:
        """pip installs the wheel when it recognises any one of its platform tags."""
        known = [t.oldest_pip for t in self.tags if t.oldest_pip is not None]
        return min(known) if known else None

    @property
    def deciding_tag(self) -> TagCheck | None:
        """The tag the oldest pip installs the wheel by."""
        known = [t for t in self.tags if t.oldest_pip is not None]
        return min(known, key=lambda t: t.oldest_pip or Version("0")) if known else None

    @property
    def promise(self) -> str:
        """The oldest C library the wheel promises to run on (its tags are aliases of one
        promise, so the lowest version is the promise)."""
        promised = [t for t in self.tags if t.libc_version is not None]
        if not promised:
            return self.tags[0].promise if self.tags else "unknown platform"
        return min(promised, key=lambda t: t.libc_version or (0, 0)).promise

    @property
    def pypi_accepts(self) -> bool:
        """PyPI checks every platform tag of the file name; one refused tag refuses the upload."""
        return bool(self.tags) and all(t.pypi_accepts for t in self.tags)

    @property
    def pypi_refusals(self) -> tuple[str, ...]:
        return tuple(t.pypi_reason for t in self.tags if not t.pypi_accepts)

    @property
    def linux_tags(self) -> tuple[str, ...]:
        """The ``linux_*`` tags: a wheel that was not repaired (or not retagged)."""
        return tuple(t.platform for t in self.tags if t.family is FAMILIES["linux"])

    @property
    def summary(self) -> str:
        """One line for the summary table: ``pip 19.3+, glibc 2.17+`` (``, not on PyPI``)."""
        pip = self.oldest_pip
        parts = [f"pip {pip}+" if pip is not None else "pip: unknown", self.promise]
        if not self.pypi_accepts:
            parts.append("not on PyPI")
        return ", ".join(parts)

    def as_json(self) -> dict[str, object]:
        pip = self.oldest_pip
        best = min(
            (t for t in self.tags if t.libc_version is not None),
            key=lambda t: t.libc_version or (0, 0),
            default=None,
        )
        return {
            "oldest_pip": None if pip is None else str(pip),
            "libc": None if best is None else best.libc,
            "libc_version": None
            if best is None or best.libc_version is None
            else f"{best.libc_version[0]}.{best.libc_version[1]}",
            "pypi_accepts": self.pypi_accepts,
            "pypi_refusals": list(self.pypi_refusals),
            "tags": [
                {
                    "platform": t.platform,
                    "standard": None if t.family is None else t.family.standard,
                    "oldest_pip": None if t.oldest_pip is None else str(t.oldest_pip),
                    "promise": t.promise,
                    "pypi_accepts": t.pypi_accepts,
                }
                for t in self.tags
            ],
        }


def check_wheel(filename: str) -> Installability:
    """The check of a wheel file name; a name that is not a wheel's has no tags."""
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return Installability(wheel=filename, tags=())
    # the file name's order ("manylinux_2_17_x86_64.manylinux2014_x86_64"), not the set's
    platforms = filename.removesuffix(".whl").rsplit("-", 1)[-1].split(".")
    known = {t.platform for t in tags}
    return Installability(wheel=filename, tags=tuple(check_tag(p) for p in platforms if p in known))


def pip_table_markdown() -> str:
    """The "which pip installs which tag" table, for the docs (generated from TAG_FAMILIES)."""
    lines = [
        "| tag | defined by | oldest pip | promises | PyPI accepts it for |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in TAG_FAMILIES:
        if f.name == "any":
            continue
        if f.legacy_glibc is not None:
            promise = f"glibc {f.legacy_glibc[0]}.{f.legacy_glibc[1]}+"
        elif f.libc is not None:
            promise = f"{f.libc} X.Y+"
        else:
            promise = "nothing (the build machine's system only)"
        archs = ", ".join(f"`{a}`" for a in f.pypi_archs)
        if f.name == "linux":
            archs += " only"
        lines.append(f"| `{f.pattern}` | {f.standard} | {f.pip} | {promise} | {archs} |")
    return "\n".join(lines)
