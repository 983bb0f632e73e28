from __future__ import annotations

import re
from collections import Counter

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.options import identifiers

CONFIGS = identifiers.all_configurations()
IDS = [c.identifier for c in CONFIGS]


def test_count_and_uniqueness() -> None:
    # cibuildwheel 4.3.5 knows 142 Linux identifiers
    assert len(CONFIGS) == 142
    assert len(set(IDS)) == len(IDS)
    assert identifiers.all_identifiers() == tuple(IDS)


def test_every_row_is_well_formed() -> None:
    for c in CONFIGS:
        assert re.fullmatch(
            r"(cp3\d+t?|pp3\d+|gp3\d+_\d+)-(manylinux|musllinux)_[a-z0-9_]+", c.identifier
        )
        assert isinstance(c.arch, Arch)
        assert c.path.startswith("/opt/python/")
        major, minor = c.version.split(".")
        assert major == "3"
        tag_version = re.match(r"[a-z]+(\d+)", c.build_tag)
        assert tag_version is not None
        assert tag_version.group(1) == f"3{minor}"


def test_cpython_on_every_arch_and_libc() -> None:
    for libc in ("manylinux", "musllinux"):
        for arch in Arch:
            for tag in (
                "cp39",
                "cp310",
                "cp311",
                "cp312",
                "cp313",
                "cp314",
                "cp314t",
                "cp315",
                "cp315t",
            ):
                assert f"{tag}-{libc}_{arch.value}" in IDS


def test_cpython_paths() -> None:
    by_id = {c.identifier: c for c in CONFIGS}
    assert by_id["cp313-manylinux_x86_64"].path == "/opt/python/cp313-cp313"
    assert by_id["cp314t-musllinux_aarch64"].path == "/opt/python/cp314-cp314t"
    assert by_id["cp314t-musllinux_aarch64"].free_threaded
    assert by_id["cp314t-musllinux_aarch64"].version == "3.14"


def test_pypy_and_graalpy() -> None:
    pypy = [c for c in CONFIGS if c.implementation == "pp"]
    assert {c.arch for c in pypy} == {Arch.x86_64, Arch.i686, Arch.aarch64}
    assert {c.libc for c in pypy} == {"manylinux"}
    assert Counter(c.build_tag for c in pypy) == {"pp39": 3, "pp310": 3, "pp311": 3, "pp312": 3}
    by_id = {c.identifier: c for c in CONFIGS}
    assert by_id["pp311-manylinux_aarch64"].path == "/opt/python/pp311-pypy311_pp80"
    assert by_id["pp39-manylinux_i686"].path == "/opt/python/pp39-pypy39_pp73"
    graal = [c for c in CONFIGS if c.implementation == "gp"]
    assert {c.identifier for c in graal} == {
        "gp312_250-manylinux_x86_64",
        "gp313_253-manylinux_x86_64",
        "gp312_250-manylinux_aarch64",
        "gp313_253-manylinux_aarch64",
    }
    assert by_id["gp313_253-manylinux_x86_64"].version == "3.13"


def test_build_order_is_file_order() -> None:
    # x86_64 CPython first, then i686, then the x86_64 PyPy/GraalPy; musllinux after manylinux
    assert IDS[0] == "cp39-manylinux_x86_64"
    assert IDS[9] == "cp39-manylinux_i686"
    assert IDS.index("pp39-manylinux_x86_64") == 18
    assert IDS[-1] == "cp315t-musllinux_riscv64"
    assert max(i for i, s in enumerate(IDS) if "manylinux" in s) < min(
        i for i, s in enumerate(IDS) if "musllinux" in s
    )


def test_get_configuration() -> None:
    config = identifiers.get_configuration("cp312-musllinux_s390x")
    assert config is not None
    assert config.arch is Arch.s390x
    assert config.libc == "musllinux"
    assert identifiers.get_configuration("cp38-manylinux_x86_64") is None


def test_cached() -> None:
    assert identifiers.all_configurations() is identifiers.all_configurations()
