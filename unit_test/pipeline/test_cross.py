"""Cross builds through the fake engine: the wheel is compiled in a build container of this
machine's arch from the cross image, checked, handed to the target container, and repaired and
tested there; a failing cross build is emulated under ``auto`` and an error under ``cross``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest
from fakes import (
    FakeEngine,
    Rule,
    build_options,
    console_text,
    context,
    global_options,
    no_preflight,
    plan_of,
)

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline import cross
from cibuildwheel_like.pipeline.cross_toolchain import Toolchain
from cibuildwheel_like.pipeline.executor import execute
from cibuildwheel_like.pipeline.wheel_check import check_cross_wheel

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.results import BuildResult

ARM = "cp311-manylinux_aarch64"
TARGET_IMAGE = "cibuildwheel-like/debian-bookworm:aarch64"
CROSS_IMAGE = "cibuildwheel-like/debian-bookworm-cross:x86_64"
SYSCONFIG = "build_time_vars = {'EXT_SUFFIX': '.cpython-311-aarch64-linux-gnu.so'}\n"
PROBE = json.dumps(
    {
        "version": "3.11",
        "name": "_sysconfigdata__aarch64-linux-gnu",
        "sysconfigdata": SYSCONFIG,
        "platform": "linux-aarch64",
        "ext_suffix": ".cpython-311-aarch64-linux-gnu.so",
        "multiarch": "aarch64-linux-gnu",
        "pyconfig_path": "/usr/include/aarch64-linux-gnu/python3.11/pyconfig.h",
        "pyconfig": "#define SIZEOF_LONG 8\n",
    }
)
RULES = (
    Rule(contains="_get_sysconfigdata_name", stdout=PROBE),
    Rule(contains="-dumpfullversion", stdout="12.2.0\n"),
)
REQUEST = PurePosixPath(f"/tmp/cibuildwheel-like/cross/{ARM}.json")

pytestmark = pytest.mark.skipif(
    Arch.native() is not Arch.x86_64, reason="cross images are made for x86_64 build machines"
)


def run(
    tmp_path: Path,
    *rules: Rule,
    emulation: str = "cross",
    ids: tuple[str, ...] = (ARM,),
    engine: FakeEngine | None = None,
    **changes: Any,
) -> tuple[FakeEngine, list[BuildResult], Context]:
    engine = engine or FakeEngine()
    engine.rules += [*rules, *RULES]
    builds = [
        build_options(
            identifier,
            image=TARGET_IMAGE,
            emulation=emulation,
            repair_wheel_command="auditwheel repair -w {dest_dir} {wheel}",
            **changes,
        )
        for identifier in ids
    ]
    plan = plan_of(builds, global_options(tmp_path), host=Arch.x86_64)
    ctx = context(tmp_path)
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    return engine, results, ctx


def test_the_wheel_is_compiled_on_this_machine_and_repaired_in_the_target(tmp_path: Path) -> None:
    engine, (result,), _ = run(tmp_path)
    target, builder = engine.containers
    assert (target.image, target.arch) == (TARGET_IMAGE, Arch.aarch64)
    assert (builder.image, builder.arch) == (CROSS_IMAGE, Arch.x86_64)
    # the driver ran in the build container, with the target's configuration for the hooks
    assert any("cross_build.py" in t for t in builder.texts())
    assert not any("python -m build" in t or "cross_build.py" in t for t in target.texts())
    hooks = json.loads(builder.files[REQUEST])["hooks"]
    assert hooks["_PYTHON_HOST_PLATFORM"] == "linux-aarch64"
    assert hooks["_PYTHON_SYSCONFIGDATA_NAME"] == "_sysconfigdata__aarch64-linux-gnu"
    assert hooks["CC"].endswith("aarch64-linux-gnu-gcc")
    assert hooks["CIBUILDWHEEL_LIKE_CROSS"] == "aarch64"
    staged = builder.files[
        PurePosixPath(
            "/tmp/cibuildwheel-like/cross/sysconfig-aarch64-linux-gnu-3.11"
            "/_sysconfigdata__aarch64-linux-gnu.py"
        )
    ]
    assert staged.decode() == SYSCONFIG
    header = PurePosixPath("/usr/include/aarch64-linux-gnu/python3.11/pyconfig.h")
    assert builder.files[header] == b"#define SIZEOF_LONG 8\n"
    # handed over: out of the build container, into the target's built-wheel folder, repaired
    (built,) = builder.copied_out
    built_wheel = PurePosixPath("/tmp/cibuildwheel-like/built_wheel")
    assert built_wheel / built.name in [dest for _, dest in target.copied_in]
    assert any(t.startswith("auditwheel repair") for t in target.texts())
    assert result.status == "built"
    assert result.provenance is not None
    method = result.provenance.method
    assert (method.built_by, method.build_image) == ("cross", CROSS_IMAGE)
    assert method.toolchain == "aarch64-linux-gnu-gcc 12.2.0"
    assert builder.removed
    assert target.removed


def test_a_reused_abi3_wheel_keeps_the_cross_build_in_its_provenance(tmp_path: Path) -> None:
    abi3 = FakeEngine(wheel_name=lambda _: "spam-1.0-cp311-abi3-manylinux_2_17_aarch64.whl")
    _, results, _ = run(tmp_path, ids=(ARM, "cp312-manylinux_aarch64"), engine=abi3)
    _, builder = abi3.containers
    assert sum("cross_build.py" in t for t in builder.texts()) == 1  # cp312 reused cp311's
    first, second = results
    assert second.provenance is not None
    assert first.provenance is not None
    assert second.provenance.method == first.provenance.method
    assert second.provenance.method.built_by == "cross"


def test_the_compiler_cache_wraps_the_cross_compilers_and_its_counts_reach_the_result(
    tmp_path: Path,
) -> None:
    probe = "cibuildwheel-like-probe\nccache\t/usr/bin/ccache\tccache version 4.8.3\n"
    stats = "# a.c\ncache_miss\n# b.c\ndirect_cache_hit\n"
    engine = FakeEngine(
        Rule(contains="cibuildwheel-like-probe", stdout=probe), compiler_stats=stats
    )
    _, (result,), _ = run(tmp_path, engine=engine)
    _, builder = engine.containers
    hooks = json.loads(builder.files[REQUEST])["hooks"]
    assert hooks["CC"] == "/usr/bin/ccache aarch64-linux-gnu-gcc"
    cmake = builder.files[PurePosixPath("/tmp/cibuildwheel-like/cross/aarch64.cmake")].decode()
    assert "set(CMAKE_C_COMPILER_LAUNCHER /usr/bin/ccache)" in cmake
    assert (result.cache.compiler_hits, result.cache.compiler_misses) == (1, 1)


def test_requirements_are_installed_without_the_cross_compilers(tmp_path: Path) -> None:
    engine, _, _ = run(tmp_path)
    _, builder = engine.containers
    (driver,) = [e for e in builder.execs if "cross_build.py" in e.text]
    assert "CC" not in driver.env  # sdists among the build requirements compile for x86_64
    assert "_PYTHON_HOST_PLATFORM" not in driver.env  # else pip picks aarch64 wheels


def test_a_failing_cross_build_is_emulated_under_auto(tmp_path: Path) -> None:
    failing = Rule(contains="cross_build.py", returncode=1)
    engine, (result,), ctx = run(tmp_path, failing, emulation="auto")
    target, _ = engine.containers
    assert any("python -m build" in t for t in target.texts(ARM))
    assert result.status == "built"
    assert result.provenance is not None
    method = result.provenance.method
    assert method.built_by == "emulated"
    assert method.cross_fallback is not None
    assert method.cross_fallback.startswith("cross build failed in step 'build'")
    assert "built under emulation instead (emulation = 'auto')" in console_text(ctx)


def test_a_failing_cross_build_fails_under_cross_with_the_hint(tmp_path: Path) -> None:
    failing = Rule(contains="cross_build.py", returncode=1)
    with pytest.raises(BuildStepError) as caught:
        run(tmp_path, failing)
    assert "it cannot be cross-compiled" in str(caught.value)
    assert "emulation = 'emulate' or 'auto'" in str(caught.value)


def test_a_target_without_multiarch_headers_is_refused(tmp_path: Path) -> None:
    probe = json.loads(PROBE) | {"pyconfig": None}
    rule = Rule(contains="_get_sysconfigdata_name", stdout=json.dumps(probe))
    with pytest.raises(FatalError, match="multiarch layout"):
        run(tmp_path, rule)


def test_a_missing_cross_image_is_an_error_under_cross_and_emulated_under_auto(
    tmp_path: Path,
) -> None:
    ctx = context(tmp_path)
    for setting in ("cross", "auto"):
        options = build_options(ARM, image=TARGET_IMAGE, emulation=setting)
        plan = plan_of([options], global_options(tmp_path), host=Arch.x86_64)
        if setting == "cross":
            with pytest.raises(FatalError, match="--cross"):
                cross.check_images(plan, ctx.output, exists=lambda _e, _i: False)
            continue
        decisions = cross.check_images(plan, ctx.output, exists=lambda _e, _i: False)
        assert decisions[ARM].mode == "emulate"
        assert "not in docker's store" in decisions[ARM].reasons[0]
    assert "emulated, not cross-compiled (emulation = 'auto')" in console_text(ctx)


def test_the_toolchain_names_the_cross_compilers_and_the_compiler_cache() -> None:
    toolchain = Toolchain(arch=Arch.aarch64, launcher="/usr/bin/ccache")
    text = toolchain.cmake_toolchain()
    assert "set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)" in text
    assert "set(CMAKE_CXX_COMPILER_LAUNCHER /usr/bin/ccache)" in text
    assert 'set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "")' in text
    env = toolchain.environment()
    assert env["CC"] == "/usr/bin/ccache aarch64-linux-gnu-gcc"
    assert env["PKG_CONFIG_LIBDIR"].startswith("/usr/lib/aarch64-linux-gnu/pkgconfig")
    bare = Toolchain(arch=Arch.s390x)
    assert (bare.cc, bare.launcher) == ("s390x-linux-gnu-gcc", None)
    users = Toolchain(arch=Arch.s390x, chosen={"CC": "clang"})
    assert users.cc == "clang"
    assert "CMAKE_C_COMPILER " not in users.cmake_toolchain()  # CMake reads CC itself


def _wheel(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    path.write_bytes(buf.getvalue())
    return path


def _elf(machine: int, *, big: bool = False) -> bytes:
    order = "big" if big else "little"
    return (
        b"\x7fELF\x02"
        + (b"\x02" if big else b"\x01")
        + b"\x01"
        + bytes(9)
        + ((3).to_bytes(2, order) + machine.to_bytes(2, order))
    )


def test_the_wheel_check_names_members_built_for_another_machine(tmp_path: Path) -> None:
    suffix = ".cpython-311-aarch64-linux-gnu.so"
    good = _wheel(
        tmp_path,
        "spam-1.0-cp311-cp311-linux_aarch64.whl",
        {f"spam/_a{suffix}": _elf(183), "spam.libs/libz.so.1": _elf(183), "spam/x.py": b""},
    )
    assert check_cross_wheel(good, arch=Arch.aarch64, ext_suffix=suffix) == []
    bad = _wheel(
        tmp_path,
        "spam-1.0-cp311-cp311-linux_x86_64.whl",
        {
            "spam/_a.cpython-311-x86_64-linux-gnu.so": _elf(62),
            "spam/tool": _elf(22, big=True),
        },
    )
    problems = check_cross_wheel(bad, arch=Arch.aarch64, ext_suffix=suffix)
    assert problems[0].startswith(
        "spam-1.0-cp311-cp311-linux_x86_64.whl: platform tag linux_x86_64"
    )
    assert any(p.startswith("spam/_a.cpython-311-x86_64-linux-gnu.so: ELF for") for p in problems)
    assert any("not named for the target interpreter" in p for p in problems)
    assert any(p.startswith("spam/tool: ELF for") for p in problems)
