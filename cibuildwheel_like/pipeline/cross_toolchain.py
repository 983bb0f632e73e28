"""What a cross build gives the compilers and the build backend (``emulation = cross``): pure
values, no engine.

The target interpreter's build configuration (``TargetPython``, read once under QEMU with
``TARGET_PROBE``) and the toolchain for the target arch (``Toolchain``): the environment
before-build and the PEP 517 hooks see, the CMake toolchain file, and what only the hooks see
(``hook_environment``: the target's sysconfig and platform).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.pipeline.state import WORK

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.archs import Arch

CROSS_DIR = WORK / "cross"  # in the build container: the driver, toolchain files, sysconfig
COMPILER_VARIABLES = ("CC", "CXX")

# Run by the target interpreter under QEMU: its build configuration, as one JSON line.
TARGET_PROBE = r"""
import json, os, sys, sysconfig
name = sysconfig._get_sysconfigdata_name()
module = __import__(name)
multiarch = sysconfig.get_config_var("MULTIARCH") or ""
header = "/usr/include/%s/python%s%s/pyconfig.h" % (
    multiarch, sysconfig.get_python_version(), sys.abiflags)
print(json.dumps({
    "version": "%d.%d" % sys.version_info[:2],
    "name": name,
    "sysconfigdata": open(os.path.realpath(module.__file__), encoding="utf-8").read(),
    "platform": sysconfig.get_platform(),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
    "multiarch": multiarch,
    "pyconfig_path": header,
    "pyconfig": open(header, encoding="utf-8").read() if os.path.exists(header) else None,
}))
"""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TargetPython:
    """What a build for the target needs of its interpreter (``TARGET_PROBE``)."""

    version: str  # "3.11"
    sysconfigdata_name: str  # "_sysconfigdata__aarch64-linux-gnu"
    sysconfigdata: str  # that module's source
    platform: str  # "linux-aarch64"
    ext_suffix: str  # ".cpython-311-aarch64-linux-gnu.so"
    multiarch: str  # "aarch64-linux-gnu"
    pyconfig_path: PurePosixPath  # /usr/include/aarch64-linux-gnu/python3.11/pyconfig.h
    pyconfig: str | None  # None: not Debian's multiarch layout

    @classmethod
    def parse(cls, text: str) -> TargetPython:
        data = json.loads(text.strip().splitlines()[-1])
        return cls(
            version=str(data["version"]),
            sysconfigdata_name=str(data["name"]),
            sysconfigdata=str(data["sysconfigdata"]),
            platform=str(data["platform"]),
            ext_suffix=str(data["ext_suffix"]),
            multiarch=str(data["multiarch"]),
            pyconfig_path=PurePosixPath(data["pyconfig_path"]),
            pyconfig=None if data["pyconfig"] is None else str(data["pyconfig"]),
        )


def compilers(arch: Arch) -> tuple[str, str]:
    """The suite's cross C and C++ compilers for ``arch`` (in the cross image)."""
    return f"{arch.gnu_triplet}-gcc", f"{arch.gnu_triplet}-g++"


def sysconfig_dir(target: TargetPython) -> PurePosixPath:
    """Where the target's sysconfig module is staged in the build container."""
    return CROSS_DIR / f"sysconfig-{target.multiarch}-{target.version}"


def hook_environment(target: TargetPython) -> dict[str, str]:
    """What only the PEP 517 hooks get: the target's sysconfig (by name, found on PYTHONPATH
    before 3.13 and by _PYTHON_SYSCONFIGDATA_PATH since) and platform."""
    folder = str(sysconfig_dir(target))
    return {
        "_PYTHON_HOST_PLATFORM": target.platform,
        "_PYTHON_SYSCONFIGDATA_NAME": target.sysconfigdata_name,
        "_PYTHON_SYSCONFIGDATA_PATH": folder,
        "PYTHONPATH": folder,
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class Toolchain:
    """The cross compilers of one build: ours (``T-gcc``, ``T-g++``, with the compiler cache
    in front when it is wired: ``launcher``), or the user's CC/CXX from ``environment``
    (``chosen``), kept as they are."""

    arch: Arch
    launcher: str | None = None  # the compiler cache's binary, in front of our compilers
    chosen: Mapping[str, str] = dataclasses.field(default_factory=dict)  # the user's CC/CXX

    @property
    def cc(self) -> str:
        return self.chosen.get("CC") or self._ours(compilers(self.arch)[0])

    @property
    def cxx(self) -> str:
        return self.chosen.get("CXX") or self._ours(compilers(self.arch)[1])

    @property
    def users(self) -> bool:
        """The user chose the compilers: CMake takes them from CC/CXX."""
        return bool(self.chosen)

    def _ours(self, compiler: str) -> str:
        return f"{self.launcher} {compiler}" if self.launcher else compiler

    @property
    def cmake_file(self) -> PurePosixPath:
        return CROSS_DIR / f"{self.arch.value}.cmake"

    def environment(self) -> dict[str, str]:
        """What before-build and the build hooks get to compile for the target: the
        compilers, pkg-config reading the target's libraries only, the CMake toolchain file
        (CMake >= 3.21 reads it from the environment), and the arch, for projects to test."""
        triplet = self.arch.gnu_triplet
        return {
            "CC": self.cc,
            "CXX": self.cxx,
            "FC": f"{triplet}-gfortran",
            "PKG_CONFIG_LIBDIR": f"/usr/lib/{triplet}/pkgconfig:/usr/share/pkgconfig",
            "CMAKE_TOOLCHAIN_FILE": str(self.cmake_file),
            "CIBUILDWHEEL_LIKE_CROSS": self.arch.value,
        }

    def cmake_toolchain(self) -> str:
        """The CMake toolchain file. The compilers and binutils are named (CMake would take
        a compiler cache in CC for the compiler and the host's strip); no find-root path, so
        CMake packages installed in the build environment (pybind11) are still found."""
        triplet = self.arch.gnu_triplet
        lines = [
            "# Written by cibuildwheel-like for a cross build (emulation = cross).",
            "set(CMAKE_SYSTEM_NAME Linux)",
            f"set(CMAKE_SYSTEM_PROCESSOR {self.arch.value})",
            f"set(CMAKE_LIBRARY_ARCHITECTURE {triplet})",
        ]
        if not self.users:  # the user's CC/CXX reach CMake from the environment
            lines += [
                f"set(CMAKE_C_COMPILER {triplet}-gcc)",
                f"set(CMAKE_CXX_COMPILER {triplet}-g++)",
                f"set(CMAKE_Fortran_COMPILER {triplet}-gfortran)",
            ]
        lines += [
            f'set(CMAKE_AR {triplet}-gcc-ar CACHE FILEPATH "")',
            f'set(CMAKE_RANLIB {triplet}-gcc-ranlib CACHE FILEPATH "")',
            f'set(CMAKE_STRIP {triplet}-strip CACHE FILEPATH "")',
        ]
        if self.launcher:
            lines += [
                f"set(CMAKE_C_COMPILER_LAUNCHER {self.launcher})",
                f"set(CMAKE_CXX_COMPILER_LAUNCHER {self.launcher})",
            ]
        return "\n".join(lines) + "\n"
