from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt
from cibuildwheel_like.errors import BinfmtMissingError

if TYPE_CHECKING:
    from pathlib import Path

AARCH64 = """enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: POF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
"""
S390X_NO_F = """enabled
interpreter /usr/bin/qemu-s390x-static
flags: P
offset 0
magic 7f454c4602020100000000000000000000020016
mask fffffffffffffffcfffffffffffffffffffeffff
"""
PPC_DISABLED = """disabled
interpreter /usr/bin/qemu-ppc64le-static
flags: F
offset 0
magic 7f454c4602010100000000000000000002001500
mask fffffffffffffffcfffffffffffffffffeffff00
"""
EXTENSION = """enabled
interpreter /usr/bin/wine
flags:
extension .exe
"""


def _root(tmp_path: Path, entries: dict[str, str], *, status: str = "enabled") -> Path:
    (tmp_path / "register").write_text("")
    (tmp_path / "status").write_text(status + "\n")
    for name, text in entries.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_elf_header_matches_real_registration():
    entry = binfmt.parse_entry("qemu-aarch64", AARCH64)
    assert entry is not None
    assert entry.enabled
    assert entry.flags == "POF"
    assert entry.matches(binfmt.elf_header(Arch.aarch64))
    assert not entry.matches(binfmt.elf_header(Arch.ppc64le))
    assert not entry.matches(binfmt.elf_header(Arch.x86_64))


def test_extension_entries_are_ignored():
    assert binfmt.parse_entry("wine", EXTENSION) is None


def test_native_needs_nothing(tmp_path: Path):
    finding = binfmt.check_arch(Arch.i686, host=Arch.x86_64, root=tmp_path / "absent")
    assert finding.ok
    assert finding.status is binfmt.Status.NATIVE


def test_not_mounted(tmp_path: Path):
    finding = binfmt.check_arch(Arch.aarch64, host=Arch.x86_64, root=tmp_path)
    assert finding.status is binfmt.Status.NOT_MOUNTED
    assert any("mount -t binfmt_misc" in f for f in finding.fixes)


def test_ok_matched_by_magic_whatever_the_name(tmp_path: Path):
    root = _root(tmp_path, {"some-other-name": AARCH64})
    finding = binfmt.check_arch(Arch.aarch64, host=Arch.x86_64, root=root)
    assert finding.ok
    assert finding.entry is not None
    assert finding.entry.name == "some-other-name"
    assert "ready" in finding.describe()


@pytest.mark.parametrize(
    ("arch", "status"),
    [
        (Arch.s390x, binfmt.Status.NO_FIX_BINARY),
        (Arch.ppc64le, binfmt.Status.DISABLED),
        (Arch.riscv64, binfmt.Status.MISSING),
        (Arch.armv7l, binfmt.Status.MISSING),
    ],
)
def test_problems(tmp_path: Path, arch: Arch, status: binfmt.Status):
    root = _root(
        tmp_path, {"qemu-aarch64": AARCH64, "qemu-s390x": S390X_NO_F, "qemu-ppc64le": PPC_DISABLED}
    )
    finding = binfmt.check_arch(arch, host=Arch.x86_64, root=root)
    assert finding.status is status
    assert not finding.ok
    assert finding.fixes
    assert arch.value in finding.describe()


def test_globally_disabled(tmp_path: Path):
    root = _root(tmp_path, {"qemu-aarch64": AARCH64}, status="disabled")
    finding = binfmt.check_arch(Arch.aarch64, host=Arch.x86_64, root=root)
    assert finding.status is binfmt.Status.GLOBALLY_DISABLED


def test_require_lists_every_missing_arch(tmp_path: Path):
    root = _root(tmp_path, {"qemu-aarch64": AARCH64})
    binfmt.require([Arch.aarch64, Arch.i686], host=Arch.x86_64, root=root)
    with pytest.raises(BinfmtMissingError) as info:
        binfmt.require([Arch.aarch64, Arch.riscv64, Arch.s390x], host=Arch.x86_64, root=root)
    message = str(info.value)
    assert "riscv64" in message
    assert "s390x" in message
    assert "aarch64" not in message.split("\n", 1)[1]
    assert "qemu-user-static" in message
    assert "tonistiigi/binfmt" in message
