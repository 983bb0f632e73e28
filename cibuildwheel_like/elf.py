"""ELF headers: which architecture a compiled file is for (pure; no host commands).

The one reader of ELF identification in the project: the cross-compiled wheel check and the
integration tests both ask here. Only the first 20 bytes are read: ``e_ident`` (magic, class,
byte order) and ``e_machine``, which is stored in the file's own byte order.
"""

from __future__ import annotations

import dataclasses
import zipfile
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like.archs import Arch

if TYPE_CHECKING:
    from pathlib import Path

MAGIC = b"\x7fELF"
HEADER_SIZE = 20  # e_ident (16) + e_type (2) + e_machine (2)
_CLASSES = {1: 32, 2: 64}
_ORDERS: dict[int, Literal["little", "big"]] = {1: "little", 2: "big"}

# (e_machine, bits, byte order) -> Arch: the machine alone is not enough, e.g. 21 (EM_PPC64) is
# ppc64le only when little-endian, 40 (EM_ARM) armv7l only as 32-bit.
_ARCHES: dict[tuple[int, int, str], Arch] = {
    (62, 64, "little"): Arch.x86_64,  # EM_X86_64
    (3, 32, "little"): Arch.i686,  # EM_386
    (183, 64, "little"): Arch.aarch64,  # EM_AARCH64
    (21, 64, "little"): Arch.ppc64le,  # EM_PPC64
    (22, 64, "big"): Arch.s390x,  # EM_S390
    (40, 32, "little"): Arch.armv7l,  # EM_ARM
    (243, 64, "little"): Arch.riscv64,  # EM_RISCV
}
_MACHINE_NAMES = {
    62: "x86-64",
    3: "i386",
    183: "AArch64",
    21: "PowerPC64",
    20: "PowerPC",
    22: "S/390",
    40: "ARM",
    243: "RISC-V",
    8: "MIPS",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ElfHeader:
    bits: int  # 32 or 64 (EI_CLASS)
    byte_order: Literal["little", "big"]  # EI_DATA
    machine: int  # e_machine

    @property
    def arch(self) -> Arch | None:
        """The arch this header means, or None for one we do not know (ppc64 big-endian,
        32-bit s390, MIPS...)."""
        return _ARCHES.get((self.machine, self.bits, self.byte_order))

    def describe(self) -> str:
        """``ELF 64-bit big-endian PowerPC64 (machine 21)``, plus the arch when known."""
        name = _MACHINE_NAMES.get(self.machine, "unknown machine")
        text = f"ELF {self.bits}-bit {self.byte_order}-endian {name} (machine {self.machine})"
        arch = self.arch
        return f"{text} = {arch.value}" if arch else f"{text}, not an arch we know"


def parse_header(data: bytes) -> ElfHeader | None:
    """The ELF header at the start of ``data``, or None when it is not ELF (or too short, or
    its class or byte order is invalid)."""
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        return None
    bits = _CLASSES.get(data[4])
    order = _ORDERS.get(data[5])
    if bits is None or order is None:
        return None
    return ElfHeader(bits=bits, byte_order=order, machine=int.from_bytes(data[18:20], order))


def elf_arch(data: bytes) -> Arch | None:
    """The arch of an ELF file's first bytes; None for non-ELF data or an unknown machine."""
    header = parse_header(data)
    return header.arch if header else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ElfMember:
    name: str  # the member's path in the wheel
    header: ElfHeader

    @property
    def arch(self) -> Arch | None:
        return self.header.arch


def wheel_elf_members(wheel: Path) -> list[ElfMember]:
    """Every ELF file in a wheel (a zip), in archive order: extension modules, grafted
    libraries under ``*.libs/`` and executables alike, whatever their names. Reads only each
    member's first bytes."""
    members: list[ElfMember] = []
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            if info.is_dir() or info.file_size < HEADER_SIZE:
                continue
            with zf.open(info) as f:
                header = parse_header(f.read(HEADER_SIZE))
            if header is not None:
                members.append(ElfMember(name=info.filename, header=header))
    return members
