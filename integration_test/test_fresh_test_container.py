"""test-container = fresh (issue 12, item 2), for real: a wheel that links a system library
installed by before-all passes its tests in the build container whether or not the library was
grafted into it, and in a fresh container only when it was.

The project links libyaml (`libyaml-0.so.2`), which neither the build image nor the runtime
image holds until before-all installs `libyaml-dev` (libzstd and zlib would not do: apt itself
needs them, so every Debian image has them). before-all installs it with dpkg from the image's
own mirror (the one in its sources.list) rather than `apt-get update && apt-get install`:
fetching and parsing the whole suite's index took 40-70 s on the loaded 2-core machine, the two
.deb files take 4 s. Three runs on bookworm x86_64, one identifier each:

1. a repair that only retags the wheel (no grafting), tests in the build container: pass;
2. the same repair, tests in a fresh container from the runtime image: the test fails naming
   the missing shared object, exit 1, no container left;
3. the default auditwheel repair (grafts libyaml), tests in a fresh container from the build
   image: pass.
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import ensure_image, run_cli

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.images import recipe

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

RUNTIME_IMAGE = recipe.runtime_image_name(recipe.Suite.bookworm, Arch.x86_64)
MISSING = "libyaml-0.so.2: cannot open shared object file"

PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "yamlver"
version = "1.0"

[tool.cibuildwheel]
before-all = "python3 {project}/ci/install_libyaml.py"
test-command = "python {project}/ci/check_yamlver.py"
"""
SETUP = """\
from setuptools import Extension, setup

setup(
    ext_modules=[Extension("yamlver", ["yamlver.c"], libraries=["yaml"])],
    packages=[],
    py_modules=[],
)
"""
SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <yaml.h>

static PyObject *version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(yaml_get_version_string());
}

static PyMethodDef methods[] = {{"version", version, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "yamlver", NULL, -1, methods};

PyMODINIT_FUNC PyInit_yamlver(void) { return PyModule_Create(&module); }
"""
# libyaml-dev and its library, from the mirror the image's apt uses (bookworm's 0.2.5-1).
INSTALL = """\
import pathlib, subprocess, urllib.request

sources = pathlib.Path("/etc/apt/sources.list").read_text().split()
mirror = next(word for word in sources if word.startswith("http"))
names = ["libyaml-0-2_0.2.5-1_amd64.deb", "libyaml-dev_0.2.5-1_amd64.deb"]
for name in names:
    urllib.request.urlretrieve(f"{mirror}/pool/main/liby/libyaml/{name}", f"/tmp/{name}")
subprocess.run(["dpkg", "-i", *(f"/tmp/{name}" for name in names)], check=True)
"""
CHECK = """\
import yamlver

print("libyaml version", yamlver.version())
"""
# A repair that only retags: the wheel keeps its dependency on the system's libyaml.
RETAG = """\
import pathlib, shutil, sys

wheel, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dest.mkdir(parents=True, exist_ok=True)
shutil.copy(wheel, dest / wheel.name.replace("-linux_x86_64", "-manylinux_2_36_x86_64"))
"""
BASE_ENV = {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm", "CIBW_BUILD": "cp311-manylinux*"}
RETAGGED = {"CIBW_REPAIR_WHEEL_COMMAND": "python {project}/ci/retag.py {wheel} {dest_dir}"}


def yaml_project(root: Path) -> Path:
    project = root / "yamlver"
    (project / "ci").mkdir(parents=True)
    for name, text in {
        "pyproject.toml": PYPROJECT,
        "setup.py": SETUP,
        "yamlver.c": SOURCE,
        "ci/install_libyaml.py": INSTALL,
        "ci/check_yamlver.py": CHECK,
        "ci/retag.py": RETAG,
    }.items():
        (project / name).write_text(text)
    return project


def members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def test_fresh_test_container_finds_the_missing_library(tmp_path: Path):
    runtime = ensure_image("docker", "bookworm", runtime=True)  # and the build image under it
    assert runtime == RUNTIME_IMAGE

    # 1. tested where it was built: before-all's libyaml is there, the ungrafted wheel passes
    in_build = run_cli(yaml_project(tmp_path / "build"), {**BASE_ENV, **RETAGGED})
    assert in_build.returncode == 0
    assert "libyaml version 0.2" in in_build.output
    (wheel,) = in_build.wheels
    assert wheel.name == "yamlver-1.0-cp311-cp311-manylinux_2_36_x86_64.whl"
    assert not any("libyaml" in name for name in members(wheel))  # nothing grafted
    assert "fresh test container" not in in_build.output

    # 2. the same wheel in a fresh container from the runtime image: the library is missing
    fresh_env = {"CIBWL_TEST_CONTAINER": "fresh", "CIBWL_TEST_IMAGE": "debian-bookworm-runtime"}
    in_fresh = run_cli(yaml_project(tmp_path / "fresh"), {**BASE_ENV, **RETAGGED, **fresh_env})
    assert in_fresh.returncode == 1
    assert f"starting a fresh test container from {RUNTIME_IMAGE}" in in_fresh.output
    assert MISSING in in_fresh.output  # the loader's message, in the test's log
    # and in the error, from ldd on the wheel in the fresh container
    assert (
        "the wheel cannot find libyaml-0.so.2 (needed by yamlver.cpython-311-x86_64-linux-gnu.so)"
    ) in in_fresh.output
    assert "cp311-manylinux_x86_64: step 'test' failed" in in_fresh.output
    assert in_fresh.wheels == []  # a failed test delivers nothing
    assert in_fresh.containers() == []  # the build and the fresh container are both removed

    # 3. auditwheel grafts libyaml into the wheel: it passes in a fresh container
    grafted = run_cli(
        yaml_project(tmp_path / "grafted"), {**BASE_ENV, "CIBWL_TEST_CONTAINER": "fresh"}
    )
    assert grafted.returncode == 0
    assert "starting a fresh test container from cibuildwheel-like/debian-bookworm" in (
        grafted.output
    )
    assert "libyaml version 0.2" in grafted.output
    (wheel,) = grafted.wheels
    assert any(name.startswith("yamlver.libs/libyaml") for name in members(wheel))
    assert grafted.containers() == []


def test_runtime_image_has_the_interpreters_and_no_toolchain():
    """What `images build --runtime` promises, checked in the image itself (seconds)."""
    ensure_image("docker", "bookworm", runtime=True)
    info = client.image_info("docker", RUNTIME_IMAGE)
    assert info is not None
    labels = info.labels
    assert labels["org.cibuildwheel-like.variant"] == "runtime"
    assert labels["org.cibuildwheel-like.runtime-of"] == "cibuildwheel-like/debian-bookworm:x86_64"
    assert labels["org.cibuildwheel-like.suite"] == "bookworm"  # the build image's, inherited
    assert labels["org.cibuildwheel-like.interpreters"] == "cp311-cp311"
    script = (
        "for t in gcc cc c++ make ld auditwheel; do command -v $t && exit 1; done; "
        "dpkg-query -W -f '${Package}\\n' | grep -E -- '-dev$' && exit 2; "
        # a venv, and ensurepip for its pip (installing pip itself is the fresh test's job)
        "/opt/python/cp311-cp311/bin/python -m venv --without-pip /tmp/v"
        " && /tmp/v/bin/python -c 'import ensurepip, sys; print(sys.prefix)'"
    )
    done = client.run_in_image("docker", RUNTIME_IMAGE, ["sh", "-c", script])
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert done.stdout.decode().strip() == "/tmp/v"
