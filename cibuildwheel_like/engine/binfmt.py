"""Is there a working binfmt_misc interpreter (QEMU) for a foreign architecture?

Working means: binfmt_misc is mounted and enabled, an entry matches the arch's ELF header, it is
enabled, and it has the ``F`` (fix-binary) flag so the kernel holds the interpreter open and it
also works inside containers whose root filesystem has no QEMU. Entries are matched by their ELF
magic/mask, so registrations made by the distribution, by ``tonistiigi/binfmt`` or by Docker
Desktop are all recognised whatever they are named.
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import BinfmtMissingError

if TYPE_CHECKING:
    from collections.abc import Iterable

BINFMT_ROOT = Path("/proc/sys/fs/binfmt_misc")

# (ELF class: 1=32-bit 2=64-bit, data: 1=little 2=big endian, e_machine)
_ELF_IDENT: dict[Arch, tuple[int, int, int]] = {
    Arch.x86_64: (2, 1, 0x3E),
    Arch.i686: (1, 1, 0x03),
    Arch.aarch64: (2, 1, 0xB7),
    Arch.ppc64le: (2, 1, 0x15),
    Arch.s390x: (2, 2, 0x16),
    Arch.armv7l: (1, 1, 0x28),
    Arch.riscv64: (2, 1, 0xF3),
}
_QEMU_NAME: dict[Arch, str] = {
    Arch.x86_64: "x86_64",
    Arch.i686: "i386",
    Arch.aarch64: "aarch64",
    Arch.ppc64le: "ppc64le",
    Arch.s390x: "s390x",
    Arch.armv7l: "arm",
    Arch.riscv64: "riscv64",
}


def elf_header(arch: Arch) -> bytes:
    """The first 20 bytes of an executable ELF file for ``arch`` (what binfmt magic matches)."""
    elf_class, data, machine = _ELF_IDENT[arch]
    order: str = "little" if data == 1 else "big"
    e_type = (2).to_bytes(2, order)  # type: ignore[arg-type]
    e_machine = machine.to_bytes(2, order)  # type: ignore[arg-type]
    return b"\x7fELF" + bytes([elf_class, data, 1]) + bytes(9) + e_type + e_machine


@dataclasses.dataclass(frozen=True, kw_only=True)
class BinfmtEntry:
    name: str
    enabled: bool
    interpreter: str
    flags: str
    offset: int
    magic: bytes
    mask: bytes | None

    def matches(self, header: bytes) -> bool:
        if self.offset != 0 or not self.magic:
            return False
        chunk = header[: len(self.magic)]
        if len(chunk) < len(self.magic):
            return False
        mask = self.mask or b"\xff" * len(self.magic)
        return all((c & m) == (g & m) for c, g, m in zip(chunk, self.magic, mask, strict=False))


def parse_entry(name: str, text: str) -> BinfmtEntry | None:
    """Parse one /proc/sys/fs/binfmt_misc/<name> file; None for extension-type entries."""
    enabled = False
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()  # noqa: PLW2901
        if line in {"enabled", "disabled"}:
            enabled = line == "enabled"
            continue
        key, _, value = line.partition(" ")
        fields[key.rstrip(":")] = value.strip()
    if "magic" not in fields:
        return None
    return BinfmtEntry(
        name=name,
        enabled=enabled,
        interpreter=fields.get("interpreter", ""),
        flags=fields.get("flags", ""),
        offset=int(fields.get("offset", "0") or 0),
        magic=bytes.fromhex(fields["magic"]),
        mask=bytes.fromhex(fields["mask"]) if "mask" in fields else None,
    )


def read_entries(root: Path = BINFMT_ROOT) -> list[BinfmtEntry]:
    entries: list[BinfmtEntry] = []
    for path in sorted(root.iterdir()):
        if path.name in {"register", "status"} or not path.is_file():
            continue
        try:
            entry = parse_entry(path.name, path.read_text())
        except (OSError, ValueError):
            continue
        if entry is not None:
            entries.append(entry)
    return entries


class Status(enum.Enum):
    NATIVE = "native"
    OK = "ok"
    NOT_MOUNTED = "binfmt_misc not mounted"
    GLOBALLY_DISABLED = "binfmt_misc disabled"
    MISSING = "no interpreter registered"
    DISABLED = "interpreter registered but disabled"
    NO_FIX_BINARY = "interpreter registered without the F flag"


@dataclasses.dataclass(frozen=True, kw_only=True)
class BinfmtFinding:
    arch: Arch
    status: Status
    entry: BinfmtEntry | None
    fixes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status in {Status.OK, Status.NATIVE}

    def describe(self) -> str:
        if self.status is Status.NATIVE:
            return f"{self.arch.value}: runs natively, no emulation needed"
        e = self.entry
        detail = f" ({e.name}: {e.interpreter}, flags {e.flags or '-'})" if e else ""
        if self.ok:
            return f"{self.arch.value}: QEMU binfmt interpreter ready{detail}"
        fixes = "\n".join(f"  fix: {fix}" for fix in self.fixes)
        return f"{self.arch.value}: {self.status.value}{detail}\n{fixes}"


def fixes_for(arch: Arch, status: Status) -> tuple[str, ...]:
    qemu = _QEMU_NAME[arch]
    host_fix = (
        "on a Debian/Ubuntu host: apt-get install qemu-user-static, then register it with"
        f" F: `cat /usr/lib/binfmt.d/qemu-{qemu}.conf > {BINFMT_ROOT}/register`"
        " (scripts/bootstrap-host.sh does both)"
    )
    ci_fix = (
        "in CI (or any Docker host): `docker run --privileged --rm tonistiigi/binfmt --install"
        f" {qemu}` (what docker/setup-qemu-action runs)"
    )
    match status:
        case Status.NOT_MOUNTED:
            return (f"mount it: `mount -t binfmt_misc binfmt_misc {BINFMT_ROOT}`", host_fix, ci_fix)
        case Status.GLOBALLY_DISABLED:
            return (f"enable it: `echo 1 > {BINFMT_ROOT}/status`",)
        case Status.DISABLED:
            return (f"enable the entry: `echo 1 > {BINFMT_ROOT}/qemu-{qemu}`",)
        case Status.NO_FIX_BINARY:
            return (
                (
                    f"re-register with the F flag: `echo -1 > {BINFMT_ROOT}/qemu-{qemu}` then"
                    f" `cat /usr/lib/binfmt.d/qemu-{qemu}.conf > {BINFMT_ROOT}/register`"
                ),
                ci_fix,
            )
        case Status.MISSING:
            return (host_fix, ci_fix)
        case Status.OK | Status.NATIVE:
            return ()


def check_arch(arch: Arch, *, host: Arch, root: Path = BINFMT_ROOT) -> BinfmtFinding:
    """Whether containers of ``arch`` can run on this ``host``; never raises."""
    if arch.runs_natively_on(host):
        return BinfmtFinding(arch=arch, status=Status.NATIVE, entry=None, fixes=())

    def finding(status: Status, entry: BinfmtEntry | None = None) -> BinfmtFinding:
        return BinfmtFinding(arch=arch, status=status, entry=entry, fixes=fixes_for(arch, status))

    if not (root / "register").exists():
        return finding(Status.NOT_MOUNTED)
    try:
        if (root / "status").read_text().strip() != "enabled":
            return finding(Status.GLOBALLY_DISABLED)
    except OSError:
        return finding(Status.NOT_MOUNTED)
    header = elf_header(arch)
    candidates = [e for e in read_entries(root) if e.matches(header)]
    if not candidates:
        return finding(Status.MISSING)
    # The kernel tries entries newest-first; any enabled one with F works. Report the best.
    for entry in candidates:
        if entry.enabled and "F" in entry.flags:
            return finding(Status.OK, entry)
    enabled = [e for e in candidates if e.enabled]
    if enabled:
        return finding(Status.NO_FIX_BINARY, enabled[0])
    return finding(Status.DISABLED, candidates[0])


def require(archs: Iterable[Arch], *, host: Arch | None = None, root: Path = BINFMT_ROOT) -> None:
    """Raise one error naming every selected arch that cannot run here, with the fixes."""
    host_arch = host or Arch.native()
    bad = [check_arch(a, host=host_arch, root=root) for a in archs]
    bad = [f for f in bad if not f.ok]
    if bad:
        details = "\n".join(f.describe() for f in bad)
        raise BinfmtMissingError(
            "cannot run containers for the selected foreign architecture(s) on this"
            f" {host_arch.value} host: QEMU user emulation via binfmt_misc is not ready\n{details}"
        )
