"""The closed vocabulary of Linux architectures and how engines and QEMU name them."""

from __future__ import annotations

import difflib
import enum
import functools
import platform
import re
import shutil
import sys
from typing import Literal

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import ConfigurationError, HostCommandError


class Arch(enum.Enum):
    x86_64 = "x86_64"
    i686 = "i686"
    aarch64 = "aarch64"
    ppc64le = "ppc64le"
    s390x = "s390x"
    armv7l = "armv7l"
    riscv64 = "riscv64"

    @property
    def oci_platform(self) -> str:
        """The engine's ``--platform`` value for this arch."""
        match self:
            case Arch.x86_64:
                return "linux/amd64"
            case Arch.i686:
                return "linux/386"
            case Arch.aarch64:
                return "linux/arm64"
            case Arch.ppc64le:
                return "linux/ppc64le"
            case Arch.s390x:
                return "linux/s390x"
            case Arch.armv7l:
                return "linux/arm/v7"
            case Arch.riscv64:
                return "linux/riscv64"

    @property
    def debian_arch(self) -> str:
        match self:
            case Arch.x86_64:
                return "amd64"
            case Arch.i686:
                return "i386"
            case Arch.aarch64:
                return "arm64"
            case Arch.ppc64le:
                return "ppc64el"
            case Arch.s390x:
                return "s390x"
            case Arch.armv7l:
                return "armhf"
            case Arch.riscv64:
                return "riscv64"

    @property
    def gnu_triplet(self) -> str:
        """Debian's multiarch triplet: the cross compilers' prefix (``aarch64-linux-gnu-gcc``)
        and the directory of the arch's headers and libraries (``/usr/lib/aarch64-linux-gnu``)."""
        match self:
            case Arch.x86_64:
                return "x86_64-linux-gnu"
            case Arch.i686:
                return "i386-linux-gnu"
            case Arch.aarch64:
                return "aarch64-linux-gnu"
            case Arch.ppc64le:
                return "powerpc64le-linux-gnu"
            case Arch.s390x:
                return "s390x-linux-gnu"
            case Arch.armv7l:
                return "arm-linux-gnueabihf"
            case Arch.riscv64:
                return "riscv64-linux-gnu"

    @property
    def is_64bit(self) -> bool:
        return self not in {Arch.i686, Arch.armv7l}

    @classmethod
    def native(cls) -> Arch:
        machine = platform.machine().lower()
        aliases = {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "x86": "i686"}
        return cls(aliases.get(machine, machine))

    def runs_natively_on(self, host: Arch) -> bool:
        """True when no QEMU is needed (i686 on x86_64, armv7l on aarch64 hosts)."""
        return self == host or (host, self) in {
            (Arch.x86_64, Arch.i686),
            (Arch.aarch64, Arch.armv7l),
        }


# Architecture names cibuildwheel accepts for other platforms, and what they mean on Linux.
_OTHER_PLATFORM_SYNONYMS = {
    "amd64": Arch.x86_64,
    "arm64": Arch.aarch64,
    "arm64_v8a": Arch.aarch64,
    "x86": Arch.i686,
}
_KEYWORDS = ("auto", "auto64", "auto32", "native", "all")
# The 32-bit arch each 64-bit host can run without emulation (as cibuildwheel's auto32).
_NATIVE_32BIT = {Arch.x86_64: Arch.i686, Arch.aarch64: Arch.armv7l}


@functools.cache
def _host_runs_aarch32() -> bool:
    """True on an aarch64 machine whose kernel runs 32-bit ARM code (``linux32 uname -m``)."""
    if not sys.platform.startswith("linux") or platform.machine() != "aarch64":
        return False
    linux32 = shutil.which("linux32")
    if linux32 is None:
        return False
    try:
        result = hostcmd.run([linux32, "uname", "-m"], capture=True, check=False)
    except HostCommandError:
        return False
    return result.returncode == 0 and result.stdout.decode(errors="replace").startswith("armv")


def _bitness_archs(host: Arch, *, bits: Literal[32, 64], probe: bool) -> set[Arch]:
    if bits == 64:  # noqa: PLR2004
        return {host} if host.is_64bit else set()
    if not host.is_64bit:
        return {host}
    companion = _NATIVE_32BIT.get(host)
    if companion is None:
        return set()
    if companion is Arch.armv7l and not (probe and _host_runs_aarch32()):
        return set()
    return {companion}


def _this_machine(*, option: str, value: str) -> Arch:
    try:
        return Arch.native()
    except ValueError:
        raise ConfigurationError(
            f"{option} = {value!r}: this machine's architecture ({platform.machine()!r}) is not"
            f" one cibuildwheel-like builds for; name the architectures explicitly"
            f" (any of {', '.join(a.value for a in Arch)})."
        ) from None


def _parse_arch_name(word: str, *, option: str, value: str) -> Arch:
    lowered = word.lower()
    for arch in Arch:
        if arch.value.lower() == lowered:
            return arch
    if (synonym := _OTHER_PLATFORM_SYNONYMS.get(lowered)) is not None:
        raise ConfigurationError(
            f"{option} = {value!r}: {word!r} is how another platform names this architecture;"
            f" on Linux it is {synonym.value!r}."
        )
    valid = [a.value for a in Arch]
    close = difflib.get_close_matches(lowered, [*valid, *_KEYWORDS], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigurationError(
        f"{option} = {value!r}: unknown architecture {word!r}.{hint}"
        f" Valid values: {', '.join(_KEYWORDS)} or any of {', '.join(valid)}"
        " (separated by spaces or commas)."
    )


def parse_archs(value: str, *, option: str = "archs", host: Arch | None = None) -> frozenset[Arch]:
    """The architectures an ``archs`` value selects on Linux, as cibuildwheel 4.3.5 reads them.

    ``auto`` and ``native`` are the host's own arch; ``auto64`` is the host's arch if 64-bit;
    ``auto32`` is the 32-bit arch the host runs without emulation (i686 on x86_64; armv7l on
    aarch64 only when the kernel runs 32-bit code); ``all`` is every Linux arch. Names are
    case-insensitive and separated by spaces or commas. An empty value means ``auto`` (an
    empty option falls back to the default). ``host`` defaults to this machine.
    """
    probe = host is None
    words = [w for w in re.split(r"[\s,]+", value.strip()) if w]
    if not words:
        words = ["auto"]
    result: set[Arch] = set()
    for word in words:
        match word:
            case "auto" | "native":
                result.add(host or _this_machine(option=option, value=value))
            case "auto64":
                native = host or _this_machine(option=option, value=value)
                result |= _bitness_archs(native, bits=64, probe=probe)
            case "auto32":
                native = host or _this_machine(option=option, value=value)
                result |= _bitness_archs(native, bits=32, probe=probe)
            case "all":
                result |= set(Arch)
            case _:
                result.add(_parse_arch_name(word, option=option, value=value))
    return frozenset(result)
