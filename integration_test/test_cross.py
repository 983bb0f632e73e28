"""Cross-compilation (``emulation = cross | auto``): bookworm images, cp311, on an x86_64 host.

Runs, all started at once by the session fixture ``cross_runs`` (with the emulated C extension
run of conftest.py; the machine's two cores are shared between them, most of their time is QEMU
work and waiting, so side by side beats one after another):

- the C extension, the Cython and the C++ (scikit-build-core) examples, each cross-compiled for
  aarch64, ppc64le and s390x in one run (``CIBWL_EMULATION=cross``) with full tests under QEMU.
  Checked per wheel: every ELF member is for the wheel's arch (``elf.wheel_elf_members``: the
  extension modules and anything auditwheel grafted), the report's provenance says
  ``built_by == "cross"`` with the cross image and a toolchain for the arch's triplet, and the
  tests passed in the emulated target container.
- tags equal to the same build done under emulation, compared as whole wheel file names (they
  hold every tag auditwheel chose from the symbols the binaries use). The C extension is compared
  on all three arches with the emulated run test_emulation.py makes anyway (the session fixture
  ``emulated_c_wheels``: no extra cost when the whole suite runs). The C++ example is compared on
  s390x only, with an emulated reference build made here with tests skipped: its compiler,
  libstdc++ and CMake path are the ones the C extension does not cover, and its tags come from
  libstdc++'s symbol versions (manylinux_2_34 here); s390x, the big-endian target. Not compared,
  for the budget (about five minutes for this module on an idle 2-core machine): C++ on aarch64
  and ppc64le, and Cython on any arch. Compiling the pybind11 module under QEMU takes about two
  minutes of one core per arch (aarch64 and s390x alike), Cython's generated C about one, and
  Cython goes through the same setuptools and gcc path as the C extension, which is compared on
  all three arches. The C++ and Cython cross builds still run on all three arches, with full
  tests.
- a project whose setup.py compiles a generator with ``link_executable`` and runs it: under
  ``auto`` the plan emulates it and names setup.py as the reason; under ``cross`` ``run`` exits 2
  before any container starts (no container, so done in the test itself).
- the same project with the call hidden from the static rules (``getattr(cc, "link_" +
  "executable")``), for aarch64: under ``auto`` the cross build fails at run time, the identifier
  is built under emulation instead and the report says so (``cross_fallback``); under ``cross``
  the run fails and the message says a program compiled for the target cannot run here.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import (
    Run,
    Started,
    cli_env,
    copy_example,
    ensure_image,
    images_env,
    start_cli,
    wheel_platforms,
)

from cibuildwheel_like import elf
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.images import recipe

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [pytest.mark.engine, pytest.mark.emulated]

CROSS_ARCHS = ("aarch64", "ppc64le", "s390x")
EXAMPLES = ("c-extension", "cython", "cpp-scikit-build")
# The arches each example's cross-compiled wheel names are compared on (see the docstring).
COMPARED = {"c-extension": CROSS_ARCHS, "cpp-scikit-build": ("s390x",)}
CROSS_IMAGE = recipe.cross_image_name(recipe.parse_suite("bookworm"), Arch.x86_64)
TIMEOUT = 3600  # a busy machine: most of it is QEMU

# -- the project that compiles a helper and runs it during its build ----------------------------

HELPER_PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "cibwl-generated-value"
version = "1.0.0"
requires-python = ">=3.9"
"""

# Compiles gen.c for the machine it builds for and runs it to write generated.h, which the
# extension includes: a cross build makes an aarch64 program that cannot run on x86_64.
HELPER_SETUP = """\
import os
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class GenerateThenBuild(build_ext):
    def build_extensions(self):
        cc = self.compiler
        objects = cc.compile(["gen.c"], output_dir=self.build_temp)
        program = os.path.abspath(os.path.join(self.build_temp, "gen"))
        {link}(objects, program)
        header = os.path.join(self.build_temp, "generated.h")
        subprocess.run([program, header], check=True)
        cc.add_include_dir(self.build_temp)
        super().build_extensions()


setup(
    ext_modules=[Extension("genvalue", ["genvalue.c"])],
    cmdclass={{"build_ext": GenerateThenBuild}},
)
"""

HELPER_GEN_C = """\
#include <stdio.h>

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "w");
    if (f == NULL) return 1;
    fprintf(f, "#define GENERATED_VALUE %d\\n", 6 * 7);
    return fclose(f) != 0;
}
"""

HELPER_EXTENSION_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "generated.h"

static PyObject *value(PyObject *self, PyObject *args) {
    return PyLong_FromLong(GENERATED_VALUE);
}

static PyMethodDef methods[] = {{"value", value, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "genvalue", NULL, -1, methods};

PyMODINIT_FUNC PyInit_genvalue(void) { return PyModule_Create(&module); }
"""


def helper_project(where: Path, *, hidden: bool) -> Path:
    """The generator project; ``hidden``: its link_executable call is out of the static
    rules' sight, so only the run itself finds out."""
    project = where / ("hidden-helper" if hidden else "helper")
    project.mkdir(parents=True)
    link = 'getattr(cc, "link_" + "executable")' if hidden else "cc.link_executable"
    (project / "pyproject.toml").write_text(HELPER_PYPROJECT)
    (project / "setup.py").write_text(HELPER_SETUP.format(link=link))
    (project / "gen.c").write_text(HELPER_GEN_C)
    (project / "genvalue.c").write_text(HELPER_EXTENSION_C)
    return project


# -- the runs -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Runs:
    """The background runs by name; ``get`` waits for one (once) and gives its result."""

    started: dict[str, Started]
    done: dict[str, Run] = dataclasses.field(default_factory=dict)

    def get(self, name: str) -> Run:
        if name not in self.done:
            self.done[name] = self.started[name].wait(TIMEOUT)
        return self.done[name]


@pytest.fixture(scope="session")
def cross_runs(
    tmp_path_factory: pytest.TempPathFactory, emulated_c_started: Started
) -> Iterator[Runs]:
    """Every run of this module that starts containers, all started before the first test
    waits, together with the emulated C extension run (``emulated_c_started``, asked for only
    to start it now)."""
    for arch in CROSS_ARCHS:
        ensure_image("docker", "bookworm", arch)
    ensure_image("docker", "bookworm", "x86_64", cross=True)
    base = tmp_path_factory.mktemp("cross")
    cross_env = {**images_env(CROSS_ARCHS), "CIBWL_EMULATION": "cross"}
    hidden_env = images_env(("aarch64",))
    plans = [(f"cross-{e}", copy_example(e, base / "cross"), cross_env) for e in EXAMPLES]
    for example, archs in COMPARED.items():
        if example != "c-extension":  # its reference is emulated_c_wheels
            project = copy_example(example, base / "emulated")
            env = {**images_env(archs), "CIBWL_EMULATED_TESTS": "skip"}
            plans.append((f"emulated-{example}", project, env))
    for setting in ("auto", "cross"):
        project = helper_project(base / setting, hidden=True)
        plans.append((f"hidden-{setting}", project, {**hidden_env, "CIBWL_EMULATION": setting}))
    runs = Runs(started={})
    try:
        for name, project, env in plans:
            runs.started[name] = start_cli(project, env)
        yield runs
    finally:
        for started in runs.started.values():
            started.stop()


def report_builds(run: Run) -> dict[str, dict[str, Any]]:
    report = json.loads((run.wheelhouse.parent / "build-report.json").read_text())
    return {build["identifier"]: build for build in report["builds"]}


def wheel_arch(wheel: Path) -> str:
    """The arch all of a wheel's platform tags end with."""
    arches = {a for a in CROSS_ARCHS for p in wheel_platforms(wheel) if p.endswith(f"_{a}")}
    assert len(arches) == 1, wheel.name
    return arches.pop()


def names_by_arch(run: Run) -> dict[str, str]:
    return {wheel_arch(w): w.name for w in run.wheels if not w.name.endswith("_i686.whl")}


def plan_json(project: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cibuildwheel_like", "plan", "--platform", "linux", "--json"],
        cwd=project,
        env=cli_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


# -- cross-compiled examples --------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_cross_compiled_for_each_arch_and_tested_under_qemu(example: str, cross_runs: Runs):
    run = cross_runs.get(f"cross-{example}")
    assert run.returncode == 0
    wheels = {wheel_arch(w): w for w in run.wheels}
    assert sorted(wheels) == sorted(CROSS_ARCHS), [w.name for w in run.wheels]
    for arch, wheel in wheels.items():
        members = elf.wheel_elf_members(wheel)
        assert members, wheel.name
        for member in members:
            assert member.arch == Arch(arch), (
                f"{wheel.name}: {member.name}: {member.header.describe()}"
            )
    builds = report_builds(run)
    for arch in CROSS_ARCHS:
        build = builds[f"cp311-manylinux_{arch}"]
        assert build["status"] == "built"
        assert build["test_outcome"] == "passed"  # full tests, in the emulated target container
        provenance = build["provenance"]
        assert provenance["built_by"] == "cross"
        assert provenance["build_image"] == CROSS_IMAGE
        assert provenance["toolchain"].startswith(f"{Arch(arch).gnu_triplet}-"), provenance
        assert provenance["cross_fallback"] is None
        assert provenance["image"] == f"cibuildwheel-like/debian-bookworm:{arch}"
    assert run.containers() == []


@pytest.mark.parametrize("example", sorted(COMPARED))
def test_wheel_names_equal_to_the_emulated_builds(
    example: str, cross_runs: Runs, request: pytest.FixtureRequest
):
    cross = cross_runs.get(f"cross-{example}")
    if example == "c-extension":
        reference: Run = request.getfixturevalue("emulated_c_wheels")
    else:
        reference = cross_runs.get(f"emulated-{example}")
        for build in report_builds(reference).values():
            assert build["provenance"]["built_by"] == "emulated"
    assert reference.returncode == 0
    assert cross.returncode == 0
    emulated, crossed = names_by_arch(reference), names_by_arch(cross)
    for arch in COMPARED[example]:
        assert crossed[arch] == emulated[arch]


# -- a build that runs a program it compiled ------------------------------------------------------


def test_helper_seen_by_static_rules_auto_emulates_cross_refuses(tmp_path: Path):
    project = helper_project(tmp_path, hidden=False)
    env = images_env(("aarch64",))
    (build,) = plan_json(project, {**env, "CIBWL_EMULATION": "auto"})["builds"]
    emulation = build["emulation"]
    assert (emulation["setting"], emulation["mode"]) == ("auto", "emulate")
    assert any("setup.py" in r and "link_executable" in r for r in emulation["reasons"]), emulation

    started = start_cli(project, {**env, "CIBWL_EMULATION": "cross"})
    run = started.wait(300)
    assert run.returncode == 2
    assert "cannot be cross-compiled" in run.output
    assert "cp311-manylinux_aarch64: setup.py" in run.output
    assert "link_executable" in run.output
    assert "starting a container" not in run.output
    assert run.containers() == []
    assert run.wheels == []


def test_hidden_helper_is_planned_cross(tmp_path: Path):
    """The runtime fallback below is the one tested: the static rules miss the hidden call."""
    project = helper_project(tmp_path, hidden=True)
    env = {**images_env(("aarch64",)), "CIBWL_EMULATION": "auto"}
    (build,) = plan_json(project, env)["builds"]
    assert build["emulation"]["mode"] == "cross", build["emulation"]


def test_hidden_helper_falls_back_to_emulation_under_auto(cross_runs: Runs):
    run = cross_runs.get("hidden-auto")
    assert run.returncode == 0
    (wheel,) = run.wheels
    assert {m.arch for m in elf.wheel_elf_members(wheel)} == {Arch.aarch64}
    build = report_builds(run)["cp311-manylinux_aarch64"]
    provenance = build["provenance"]
    assert provenance["built_by"] == "emulated"
    assert provenance["cross_fallback"].startswith("cross build failed"), provenance
    assert "cp311-manylinux_aarch64: built under emulation instead (emulation = 'auto')" in (
        run.output
    )
    assert run.containers() == []


def test_hidden_helper_fails_clearly_under_cross(cross_runs: Runs):
    run = cross_runs.get("hidden-cross")
    assert run.returncode == 1
    assert "cannot be cross-compiled" in run.output
    assert "emulation = 'emulate' or 'auto'" in run.output
    assert "compiled for aarch64" in run.output
    assert run.wheels == []
    assert run.containers() == []
