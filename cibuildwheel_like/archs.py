"""The closed vocabulary of Linux architectures and how engines and QEMU name them."""

from __future__ import annotations

import enum
import platform


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
    def is_64bit(self) -> bool:
        return self not in {Arch.i686, Arch.armv7l}

    @classmethod
    def native(cls) -> Arch:
        machine = platform.machine().lower()
        aliases = {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "x86": "i686"}
        return cls(aliases.get(machine, machine))

    def runs_natively_on(self, host: Arch) -> bool:
        """True when no QEMU is needed (i686 on x86_64, armv7l on aarch64 hosts)."""
        return self == host or (host, self) in {(Arch.x86_64, Arch.i686), (Arch.aarch64, Arch.armv7l)}
