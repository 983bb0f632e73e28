"""options/cross_support.py: which builds are cross-compiled (``decide``, rules 0-6, S1, S2)
and what in a project's build files stands against it (``project_blockers``, rules 7-11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import build_options

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import cross_support
from cibuildwheel_like.options.cross_support import CrossDecision, decide, project_blockers
from cibuildwheel_like.options.environment import Assignment, ParsedEnvironment
from cibuildwheel_like.options.model import FrontendConfig
from cibuildwheel_like.options.project_files import ProjectFiles

if TYPE_CHECKING:
    from pathlib import Path

ARM = "cp311-manylinux_aarch64"
OURS = "cibuildwheel-like/debian-bookworm:aarch64"
CROSS_IMAGE = "cibuildwheel-like/debian-bookworm-cross:x86_64"
X86 = Arch.x86_64


def build(identifier: str = ARM, *, emulation: str = "cross", **changes):
    changes.setdefault("image", OURS)
    return build_options(identifier, emulation=emulation, **changes)


def reasons(identifier: str = ARM, *, host: Arch = X86, blockers=(), **changes) -> list[str]:
    d = decide(build(identifier, **changes), blockers=blockers, host=host)
    assert d.mode == ("emulate" if d.reasons else "cross")
    return list(d.reasons)


# -- decide -----------------------------------------------------------------------------------
def test_a_buildable_foreign_build_is_cross_compiled_in_the_suites_cross_image() -> None:
    for arch in ("aarch64", "ppc64le", "s390x"):
        b = build_options(
            f"cp311-manylinux_{arch}",
            emulation="auto",
            image=f"cibuildwheel-like/debian-trixie:{arch}",
        )
        assert decide(b, blockers=(), host=X86) == CrossDecision(
            setting="auto", mode="cross", build_image="cibuildwheel-like/debian-trixie-cross:x86_64"
        )


@pytest.mark.parametrize("setting", ["emulate", "cross", "auto"])
def test_rule_0_a_native_arch_is_native_whatever_the_setting(setting: str) -> None:
    for identifier, host in (
        ("cp311-manylinux_x86_64", X86),
        ("cp311-manylinux_i686", X86),
        (ARM, Arch.aarch64),
    ):
        d = decide(build(identifier, emulation=setting), blockers=("setup.py: x",), host=host)
        assert d == CrossDecision(setting=setting, mode="native")  # type: ignore[arg-type]


def test_emulate_is_emulated_with_no_reasons_whatever_stands_against_cross() -> None:
    b = build(emulation="emulate", before_all="yum install x", before_build="make")
    assert decide(b, blockers=("setup.py: link_executable",), host=X86) == CrossDecision(
        setting="emulate", mode="emulate"
    )


def test_rule_1_only_x86_64_build_machines() -> None:
    (reason,) = reasons("cp311-manylinux_s390x", host=Arch.aarch64)
    assert reason == (
        "this machine is aarch64: cross toolchains are set up for x86_64 build machines only"
    )


def test_rule_2_only_the_arches_of_the_cross_images() -> None:
    (reason,) = reasons("cp311-manylinux_riscv64")
    assert reason == "no cross toolchain for riscv64 in our images (only aarch64, ppc64le, s390x)"
    # armv7l is native on an aarch64 host but foreign here
    assert reasons("cp311-manylinux_armv7l")[0].startswith("no cross toolchain for armv7l")


def test_rule_3_only_our_debian_images() -> None:
    pypa = "quay.io/pypa/manylinux_2_28_aarch64"
    (reason,) = reasons(image=pypa)
    assert reason.startswith(f"image {pypa} is not one of ours: cross builds need our Debian")
    for not_ours in (CROSS_IMAGE, "cibuildwheel-like/debian-bookworm-runtime:aarch64"):
        assert reasons(image=not_ours)[0].startswith(f"image {not_ours} is not one of ours")
    musl = build_options("cp311-musllinux_aarch64", emulation="cross", image=OURS)
    d = decide(musl, blockers=(), host=X86)
    assert (d.mode, d.reasons) == (
        "emulate",
        ("musllinux: cross builds need our Debian images (glibc)",),
    )


@pytest.mark.parametrize(("tag", "name"), [("pp311", "PyPy"), ("gp311", "GraalPy")])
def test_rule_4_only_cpython(tag: str, name: str) -> None:
    assert reasons(f"{tag}-manylinux_aarch64") == [f"{name}: only CPython is cross-compiled"]


def test_rule_5_before_all() -> None:
    (reason,) = reasons(before_all="apt-get install -y libfoo-dev")
    assert reason.startswith("before-all is set (it prepares the emulated target container")


def test_rule_6_build_frontend_args() -> None:
    frontend = FrontendConfig(name="build", args=("--no-isolation",))
    assert reasons(build_frontend=frontend) == [
        "build-frontend has args (--no-isolation): they cannot be passed to the cross build driver"
    ]


def test_every_reason_is_listed_in_rule_order_then_the_project_blockers() -> None:
    found = reasons(
        "pp310-manylinux_aarch64",
        image="quay.io/pypa/manylinux_2_28_aarch64",
        before_all="x",
        build_frontend=FrontendConfig(args=("-v",)),
        blockers=("setup.py: link_executable (on the build machine, {host}, {arch} program)",),
    )
    assert [r.split(" ")[0] for r in found] == [
        "image",
        "PyPy:",
        "before-all",
        "build-frontend",
        "setup.py:",
    ]


@pytest.mark.parametrize(
    ("identifier", "article"),
    [
        (ARM, "an aarch64"),
        ("cp311-manylinux_ppc64le", "a ppc64le"),
        ("cp311-manylinux_s390x", "an s390x"),
    ],
)
def test_blockers_name_the_build_machine_and_the_target(identifier: str, article: str) -> None:
    text = "setup.py: link_executable (on the build machine, {host}, {arch} program does not run)"
    assert reasons(identifier, blockers=(text,)) == [
        f"setup.py: link_executable (on the build machine, x86_64, {article} program does not run)"
    ]


ENV_COMMANDS = ParsedEnvironment(
    assignments=(
        Assignment(name="PLAIN", value="1"),
        Assignment(name="VERSION", value="$(git describe)"),
        Assignment(name="OLD", value="`uname -m`"),
        Assignment(name="PASSED", value="$(not evaluated)", literal=True),  # environment-pass
    )
)


def test_s1_s2_fall_back_under_auto() -> None:
    d = decide(build(emulation="auto", before_build="make helper"), blockers=(), host=X86)
    assert d.mode == "emulate"
    assert d.reasons == (
        (
            "before-build is set (under cross it runs on the build machine, x86_64, with the cross"
            " toolchain: a program it compiles for aarch64 does not run there)"
        ),
    )
    d = decide(build(emulation="auto", environment=ENV_COMMANDS), blockers=(), host=X86)
    assert d.reasons == (
        (
            "environment runs commands (VERSION, OLD): under cross they run on the build machine,"
            " x86_64, not in the aarch64 container"
        ),
    )


def test_s1_s2_are_warnings_under_cross_and_the_build_stays_cross() -> None:
    b = build(emulation="cross", before_build="make", environment=ENV_COMMANDS)
    d = decide(b, blockers=(), host=X86)
    assert (d.mode, d.reasons, d.build_image) == ("cross", (), CROSS_IMAGE)
    assert [w.split(" ")[0] for w in d.warnings] == ["before-build", "environment"]
    # a plain environment (no commands) is neither
    plain = ParsedEnvironment(assignments=(Assignment(name="CFLAGS", value="-O3 $CFLAGS"),))
    assert decide(build(environment=plain), blockers=(), host=X86).warnings == ()


def test_under_cross_a_hard_reason_still_refuses_with_only_the_hard_reasons() -> None:
    d = decide(build(before_all="x", before_build="y"), blockers=(), host=X86)
    assert (d.mode, d.warnings) == ("emulate", ())
    assert [r.split(" ")[0] for r in d.reasons] == ["before-all"]


# -- project_blockers -------------------------------------------------------------------------
def project(tmp_path: Path, files: dict[str, str]) -> tuple[str, ...]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return project_blockers(ProjectFiles(tmp_path))


def pyproject(backend: str | None = None, requires: str = '"setuptools"') -> str:
    text = f"[build-system]\nrequires = [{requires}]\n"
    return text + (f'build-backend = "{backend}"\n' if backend is not None else "")


@pytest.mark.parametrize(
    "backend",
    [None, "setuptools.build_meta", "setuptools.build_meta:__legacy__", "scikit_build_core.build"],
)
def test_rule_7_known_backends_and_plain_projects_have_no_blockers(tmp_path, backend) -> None:
    assert project(tmp_path, {"pyproject.toml": pyproject(backend), "setup.py": "setup()"}) == ()


def test_no_files_no_blockers(tmp_path) -> None:
    assert project_blockers(ProjectFiles(tmp_path)) == ()


def test_rule_7_meson_python_and_other_backends(tmp_path) -> None:
    assert project(tmp_path, {"pyproject.toml": pyproject("mesonpy")}) == (
        (
            "pyproject.toml: build-backend = 'mesonpy' (meson-python is not yet cross-compiled:"
            " emulated)"
        ),
    )
    (tmp_path / "pyproject.toml").write_text(pyproject("hatchling.build"))
    (reason,) = project_blockers(ProjectFiles(tmp_path))
    assert reason.startswith(
        "pyproject.toml: build-backend = 'hatchling.build' (this build backend is not known"
    )


def test_an_unreadable_pyproject_is_the_one_readers_error(tmp_path) -> None:
    # the same ConfigurationError (exit 2) as for requires-python or the configuration
    with pytest.raises(ConfigurationError, match=r"pyproject.toml: invalid TOML"):
        project(tmp_path, {"pyproject.toml": "[build-system\n"})


def test_rule_8_rust(tmp_path) -> None:
    assert project(tmp_path, {"Cargo.toml": "[package]\n"})[0].startswith(
        "Cargo.toml: a Rust extension: use maturin's own cross-compilation"
    )


@pytest.mark.parametrize("requirement", ['"setuptools-rust>=1"', '"Setuptools_Rust"'])
def test_rule_8_rust_requirements(tmp_path, requirement) -> None:
    found = project(tmp_path, {"pyproject.toml": pyproject(None, f'"setuptools", {requirement}')})
    assert found == (
        (
            "pyproject.toml: build-system requires setuptools-rust (a Rust extension: use maturin's"
            " own cross-compilation (maturin build --zig) or native runners; the cross toolchain"
            " here is for C, C++ and Fortran)"
        ),
    )


def test_rule_8_maturin_backend_gives_both_reasons(tmp_path) -> None:
    found = project(tmp_path, {"pyproject.toml": pyproject("maturin", '"maturin>=1,<2"')})
    assert [r.split(" (")[0] for r in found] == [
        "pyproject.toml: build-backend = 'maturin'",
        "pyproject.toml: build-system requires maturin",
    ]


@pytest.mark.parametrize("word", ["link_executable", "try_run", "numpy.distutils"])
def test_rule_9_setup_py(tmp_path, word) -> None:
    assert project(tmp_path, {"setup.py": f"import x\nx.{word}(1)\n"}) == (
        (
            f"setup.py: {word} (the build may compile a program and run it; on the build machine,"
            " {host}, {arch} program does not run)"
        ),
    )


def test_rule_9_names_every_word_once_and_skips_comments(tmp_path) -> None:
    text = (
        "# link_executable is not used here\n"
        "    # try_run neither\n"
        "cc.try_run(a)\ncc.link_executable(b)\ncc.try_run(c)\n"
    )
    assert project(tmp_path, {"setup.py": text})[0].startswith(
        "setup.py: try_run, link_executable ("
    )


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("try_run(RES COMPILE src.c)", "try_run"),
        ("TRY_RUN(RES COMPILE src.c)", "TRY_RUN"),
        ('check_c_source_runs("int main(){}" OK)', "check_c_source_runs"),
        ('check_cxx_source_runs ("..." OK)', "check_cxx_source_runs"),
        (
            "add_executable(gen gen.c)\nadd_custom_command(OUTPUT x COMMAND gen)",
            "add_executable with add_custom_command",
        ),
        (
            "add_executable(gen gen.c)\nadd_custom_target(t ALL COMMAND gen)",
            "add_executable with add_custom_target",
        ),
    ],
)
def test_rule_10_cmake(tmp_path, text, what) -> None:
    assert project(tmp_path, {"CMakeLists.txt": text}) == (
        (
            f"CMakeLists.txt: {what} (the build may compile a program and run it; on the build"
            " machine, {host}, {arch} program does not run)"
        ),
    )


def test_rule_10_an_executable_alone_or_a_custom_command_alone_is_fine(tmp_path) -> None:
    assert project(tmp_path, {"CMakeLists.txt": "add_executable(tool tool.c)\n"}) == ()
    assert (
        project(tmp_path, {"CMakeLists.txt": "add_custom_command(OUTPUT x COMMAND python)\n"}) == ()
    )


def test_rule_10_reads_cmake_modules_together_with_the_lists_file(tmp_path) -> None:
    found = project(
        tmp_path,
        {
            "CMakeLists.txt": "include(cmake/gen.cmake)\nadd_custom_command(OUTPUT x COMMAND g)\n",
            "cmake/gen.cmake": "add_executable(gen gen.c)\n",
            "cmake/other.txt": "try_run(X)\n",  # not a .cmake file
        },
    )
    assert [r.split(" (")[0] for r in found] == [
        "cmake/gen.cmake: add_executable with add_custom_command"
    ]


@pytest.mark.parametrize(
    "text",
    ["nanobind_add_stub(mod_stub MODULE mod)", "execute_process(COMMAND pybind11-stubgen mod)"],
)
def test_rule_10_stub_generation(tmp_path, text) -> None:
    (reason,) = project(tmp_path, {"CMakeLists.txt": text})
    assert "(stub generation imports the module just built;" in reason


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("cc = meson.get_compiler('c')\nr = cc.run('int main(){}')", ".run"),
        (
            "g = executable('gen', 'gen.c')\ncustom_target('x', command: [g])",
            "executable with custom_target",
        ),
        (
            "g = executable('gen', 'gen.c')\ngen = generator(g, output: 'x')",
            "executable with generator",
        ),
    ],
)
def test_rule_11_meson(tmp_path, text, what) -> None:
    (reason,) = project(tmp_path, {"meson.build": text})
    assert reason.startswith(f"meson.build: {what} (the build may compile a program and run it")


def test_meson_run_command_is_a_build_machine_program(tmp_path) -> None:
    assert project(tmp_path, {"meson.build": "run_command('python3', '-c', '1')\n"}) == ()


def test_reading_is_capped(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cross_support, "MAX_BYTES", 100)
    text = "x = 1\n" * 30 + "cc.link_executable(y)\n"  # the word lies beyond the first 100 bytes
    assert project(tmp_path, {"setup.py": text}) == ()
    monkeypatch.setattr(cross_support, "MAX_BYTES", 10_000)
    monkeypatch.setattr(cross_support, "MAX_FILES", 1)
    (tmp_path / "setup.py").write_text("setup()\n")
    # setup.py is the only file read: CMakeLists.txt is not
    assert project(tmp_path, {"CMakeLists.txt": "try_run(X)\n"}) == ()
