"""What a cross-compiled wheel must be before it is handed to the target container: every ELF
file in it built for the target arch, its extension modules named for the target interpreter,
and its platform tags the target's. A backend that ignored the target's configuration (and
compiled for this machine, or named its modules for this machine's Python) fails here, with
the member and what was found, rather than at the repair or in the tests under QEMU.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from cibuildwheel_like import elf

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.archs import Arch

# An extension module named for some CPython build: name.cpython-311-aarch64-linux-gnu.so
_CPYTHON_SUFFIX = re.compile(r"\.cpython-[^/]+\.so$")


def check_cross_wheel(wheel: Path, *, arch: Arch, ext_suffix: str) -> list[str]:
    """The problems of ``wheel`` (a host copy) as a wheel for ``arch`` whose interpreter's
    extension suffix is ``ext_suffix``; [] when it is one."""
    problems = _tag_problems(wheel.name, arch)
    for member in elf.wheel_elf_members(wheel):
        if member.arch is not arch:
            problems.append(f"{member.name}: ELF for {member.header.describe()}, not {arch.value}")
        problems += _suffix_problems(member.name, ext_suffix)
    return problems


def _suffix_problems(name: str, ext_suffix: str) -> list[str]:
    if ".libs/" in name or not _CPYTHON_SUFFIX.search(name) or name.endswith(ext_suffix):
        return []
    return [f"{name}: an extension module not named for the target interpreter ({ext_suffix})"]


def _tag_problems(name: str, arch: Arch) -> list[str]:
    try:
        _, _, _, tags = parse_wheel_filename(name)
    except InvalidWheelFilename as e:
        return [f"{name}: not a wheel name ({e})"]
    wrong = sorted({t.platform for t in tags if not t.platform.endswith(f"_{arch.value}")})
    if wrong:
        return [f"{name}: platform tag {', '.join(wrong)}, not one for {arch.value}"]
    return []
