"""Foreign architectures: aarch64, ppc64le, s390x under QEMU and i686 natively (bookworm images).

One run builds and fully tests the C extension for all four arches (one Python each: the session
fixture ``emulated_c_wheels`` in conftest.py, which test_cross.py compares its cross-compiled wheels
with); two short runs check emulated-tests = smoke / skip; the missing-binfmt error needs no image
at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_pipeline_support import (
    EMULATED_C_ARCHS,
    Run,
    copy_example,
    elf_machine,
    ensure_image,
    extension_modules,
    images_env,
    run_cli,
    wheel_platforms,
)

pytestmark = [pytest.mark.engine, pytest.mark.emulated]

ARCHS = EMULATED_C_ARCHS
BINFMT = Path("/proc/sys/fs/binfmt_misc")


def wheel_arch(wheel: Path) -> str:
    """The arch all of a wheel's platform tags end with (e.g. manylinux_2_17_aarch64)."""
    arches = {a for a in ARCHS for p in wheel_platforms(wheel) if p.endswith(f"_{a}")}
    assert len(arches) == 1, wheel.name
    return arches.pop()


def test_four_wheels_with_right_tags(emulated_c_wheels: Run):
    assert emulated_c_wheels.returncode == 0
    by_arch = {wheel_arch(w): w for w in emulated_c_wheels.wheels}
    assert sorted(by_arch) == sorted(ARCHS), [w.name for w in emulated_c_wheels.wheels]
    for arch, wheel in by_arch.items():
        assert all(p.endswith(f"_{arch}") for p in wheel_platforms(wheel)), wheel.name
        assert "manylinux_2_36" in wheel.name


def test_extension_machine_matches_tag(emulated_c_wheels: Run):
    for wheel in emulated_c_wheels.wheels:
        arch = wheel_arch(wheel)
        modules = extension_modules(wheel)
        assert modules, wheel.name
        for name, data in modules.items():
            assert elf_machine(data) == arch, f"{wheel.name}: {name}"


def test_each_arch_was_tested_fully(emulated_c_wheels: Run):
    # The example's own test checks platform.machine() and the compiled-in arch.
    assert len(re.findall(r"\b4 passed\b", emulated_c_wheels.output)) == len(ARCHS)
    assert emulated_c_wheels.containers() == []


@pytest.mark.parametrize("mode", ["smoke", "skip"])
def test_emulated_tests_modes(mode: str, tmp_path: Path):
    ensure_image("docker", "bookworm", "aarch64")
    env = {**images_env(("aarch64",)), "CIBWL_EMULATED_TESTS": mode}
    run = run_cli(copy_example("c-extension", tmp_path), env, timeout=1800)
    assert run.returncode == 0
    assert len(run.wheels) == 1
    assert "passed" not in run.output  # pytest never ran
    if mode == "smoke":
        assert "smoke test: imported sumsq" in run.output
        assert "Collecting pytest" not in run.output
    else:
        assert "emulated-tests = 'skip'" in run.output
        assert "smoke test" not in run.output


@pytest.mark.parametrize("arch", ["riscv64", "armv7l"])
def test_missing_binfmt_fails_before_any_build(arch: str, tmp_path: Path):
    qemu = {"riscv64": "qemu-riscv64", "armv7l": "qemu-arm"}[arch]
    if (BINFMT / qemu).exists():
        pytest.skip(f"{qemu} is registered on this host")
    env = {"CIBW_BUILD": "cp311-manylinux*", "CIBW_ARCHS": arch}
    run = run_cli(copy_example("c-extension", tmp_path), env, timeout=300)
    assert run.returncode != 0
    assert arch in run.output
    assert "qemu-user-static" in run.output
    assert "binfmt" in run.output
    assert "starting a container" not in run.output
    assert run.wheels == []
    assert run.containers() == []
