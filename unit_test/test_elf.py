"""elf.py: ELF headers to arches, and the ELF members of a wheel (built in memory)."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like import elf
from cibuildwheel_like.archs import Arch

if TYPE_CHECKING:
    from pathlib import Path


def header(*, bits: int, order: str, machine: int, e_type: int = 3) -> bytes:
    """The first 20 bytes of an ELF file as a linker writes them (e_type 3: a shared object),
    followed by some padding as in a real file."""
    byteorder = "little" if order == "little" else "big"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if order == "little" else 2, 1])
    ident = ident.ljust(16, b"\0")
    return (
        ident
        + e_type.to_bytes(2, byteorder)  # type: ignore[arg-type]
        + machine.to_bytes(2, byteorder)  # type: ignore[arg-type]
        + b"\0" * 44
    )


@pytest.mark.parametrize(
    ("bits", "order", "machine", "arch"),
    [
        (64, "little", 62, Arch.x86_64),
        (64, "little", 183, Arch.aarch64),
        (64, "little", 21, Arch.ppc64le),
        (64, "big", 22, Arch.s390x),
        (64, "little", 243, Arch.riscv64),
        (32, "little", 3, Arch.i686),
        (32, "little", 40, Arch.armv7l),
    ],
)
def test_known_arches(bits: int, order: str, machine: int, arch: Arch) -> None:
    data = header(bits=bits, order=order, machine=machine)
    parsed = elf.parse_header(data)
    assert parsed == elf.ElfHeader(bits=bits, byte_order=order, machine=machine)  # type: ignore[arg-type]
    assert parsed.arch is arch
    assert elf.elf_arch(data) is arch
    assert parsed.describe().endswith(f"= {arch.value}")


def test_machine_is_read_in_the_files_byte_order() -> None:
    # s390x's machine 22 written big-endian reads 0x1600 if taken as little-endian
    data = header(bits=64, order="big", machine=22)
    assert data[18:20] == b"\x00\x16"
    assert elf.parse_header(data) == elf.ElfHeader(bits=64, byte_order="big", machine=22)


@pytest.mark.parametrize(
    ("bits", "order", "machine", "text"),
    [
        # EM_PPC64 big-endian is ppc64 (no manylinux target of ours), not ppc64le
        (64, "big", 21, "ELF 64-bit big-endian PowerPC64 (machine 21), not an arch we know"),
        # s390x must be big-endian; a little-endian S/390 header is nothing real
        (64, "little", 22, "ELF 64-bit little-endian S/390 (machine 22), not an arch we know"),
        # the right machine in the wrong class: a 32-bit AArch64 (ILP32) object
        (32, "little", 183, "ELF 32-bit little-endian AArch64 (machine 183), not an arch we know"),
        (64, "little", 62, "ELF 64-bit little-endian x86-64 (machine 62) = x86_64"),
        (32, "big", 8, "ELF 32-bit big-endian MIPS (machine 8), not an arch we know"),
    ],
)
def test_byte_order_and_class_mismatches_are_no_arch(
    bits: int, order: str, machine: int, text: str
) -> None:
    data = header(bits=bits, order=order, machine=machine)
    parsed = elf.parse_header(data)
    assert parsed is not None
    assert parsed.describe() == text
    assert (parsed.arch is None) is text.endswith("not an arch we know")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x7fELF",  # too short for e_machine
        b"PK\x03\x04" + b"\0" * 40,  # a zip
        b"#!/bin/sh\necho not a binary\n",
        b"\x7fELF\x03\x01" + b"\0" * 30,  # invalid class
        b"\x7fELF\x02\x00" + b"\0" * 30,  # invalid byte order
    ],
)
def test_non_elf(data: bytes) -> None:
    assert elf.parse_header(data) is None
    assert elf.elf_arch(data) is None


def test_wheel_elf_members(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-cp311-cp311-linux_aarch64.whl"
    aarch64 = header(bits=64, order="little", machine=183)
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("demo/__init__.py", "")
        zf.writestr("demo/_ext.cpython-311-aarch64-linux-gnu.so", aarch64)
        zf.writestr("demo.libs/libfoo-1a2b3c4d.so.1.2", aarch64)  # grafted: not a plain .so
        zf.writestr("demo/bin/helper", header(bits=64, order="little", machine=62, e_type=2))
        zf.writestr("demo/data.so", b"not ELF at all, despite the name")
        zf.writestr("demo/", "")
        zf.writestr("demo-1.0.dist-info/RECORD", "")
    found = {m.name: m.arch for m in elf.wheel_elf_members(wheel)}
    assert found == {
        "demo/_ext.cpython-311-aarch64-linux-gnu.so": Arch.aarch64,
        "demo.libs/libfoo-1a2b3c4d.so.1.2": Arch.aarch64,
        "demo/bin/helper": Arch.x86_64,
    }
