"""Images built by `images build` honour the manylinux contract: checked, inspected, and used.

Needs root and an engine (the conftest bootstraps them). bookworm and sid x86_64 are built once
per machine and reused (trixie and bullseye too, for the apt test); a rebuild is a no-op when the
recipe is unchanged.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

import pytest
from conftest import LocalImage, run_cli

from cibuildwheel_like import elf
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.engine.client import ImageInfo, image_info
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.model import EngineName

pytestmark = pytest.mark.engine

TINY_C = textwrap.dedent(
    """\
    #include <Python.h>
    static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
    static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
    static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "tinyext", NULL, -1, methods};
    PyMODINIT_FUNC PyInit_tinyext(void) { return PyModule_Create(&module); }
    """
)
PYPROJECT = textwrap.dedent(
    """\
    [build-system]
    requires = ["setuptools>=61"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "tinyext"
    version = "0.1"
    """
)
SETUP_PY = (
    "from setuptools import Extension, setup\n"
    'setup(ext_modules=[Extension("tinyext", ["tinyext.c"])])\n'
)


def inspect(ref: str, engine: EngineName = "docker") -> ImageInfo:
    """The image as the pipeline reads it (the one reader of `image inspect`)."""
    info = image_info(engine, ref)
    assert info is not None, f"{ref} is not in {engine}'s store"
    return info


def labels_env(ref: str, engine: EngineName = "docker") -> tuple[dict[str, str], dict[str, str]]:
    info = inspect(ref, engine)
    return dict(info.labels), dict(info.env)


def identifier_for(interpreter: str, arch: str) -> str:
    """cp314-cp314t -> cp314t-manylinux_x86_64; pp311-pypy311_pp73 -> pp311-manylinux_x86_64."""
    python, abi = interpreter.split("-", 1)
    suffix = "t" if abi.endswith("t") and python.startswith("cp") else ""
    return f"{python}{suffix}-manylinux_{arch}"


def glibc_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


@pytest.fixture(scope="module", params=["bookworm", "sid"])
def built(request: pytest.FixtureRequest, local_image: LocalImage) -> tuple[str, str]:
    suite = str(request.param)
    return suite, local_image(suite, "x86_64")


def test_metadata_platform_labels_env(built: tuple[str, str]):
    suite, ref = built
    assert inspect(ref).platform == "linux/amd64"
    labels, env = labels_env(ref)
    prefix = "org.cibuildwheel-like."
    assert labels[prefix + "suite"] == suite
    assert labels[prefix + "recipe"]
    interpreters = labels[prefix + "interpreters"].split(",")
    glibc = glibc_tuple(labels[prefix + "glibc"])
    policy = labels[prefix + "policy"]
    assert env["AUDITWHEEL_POLICY"] == policy
    assert env["AUDITWHEEL_ARCH"] == "x86_64"
    assert env["AUDITWHEEL_PLAT"] == f"{policy}_x86_64"
    assert env["PIP_CERT"] == env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"]
    policy_glibc = tuple(int(x) for x in policy.split("_")[1:3])
    if suite == "bookworm":
        assert interpreters == ["cp311-cp311"]
        assert glibc == (2, 36)
        assert policy == "manylinux_2_36"
    else:
        assert {"cp313-cp313", "cp314-cp314", "cp315-cp315"} <= set(interpreters)
        assert any(i.startswith("pp3") for i in interpreters), interpreters
        assert glibc >= (2, 43)
        assert policy_glibc < glibc  # capped at what auditwheel knows


def test_images_check_passes_for_every_interpreter(built: tuple[str, str]):
    _, ref = built
    labels, _ = labels_env(ref)
    interpreters = labels["org.cibuildwheel-like.interpreters"].split(",")
    identifiers = [identifier_for(i, "x86_64") for i in interpreters]
    result = run_cli("images", "check", ref, "--identifiers", *identifiers, check=True)
    assert "all good" in result.stdout
    for identifier in identifiers:
        assert f"✓ {identifier}" in result.stdout


def test_images_check_lists_every_missing_piece(local_image: LocalImage):
    ref = local_image("bookworm", "x86_64")
    result = run_cli(
        "images",
        "check",
        ref,
        "--identifiers",
        "cp312-manylinux_x86_64",
        "cp313t-manylinux_x86_64",
        "cp311-musllinux_x86_64",
    )
    assert result.returncode == 1
    for missing in ("cp312-manylinux_x86_64", "cp313t-manylinux_x86_64", "cp311-musllinux_x86_64"):
        assert f"✕ {missing}" in result.stdout
    assert "3 problem(s)" in result.stdout


def test_images_check_absent_image_names_the_build_command(engine_ready: None):
    result = run_cli("images", "check", "cibuildwheel-like/debian-nonexistent:x86_64")
    assert result.returncode == 1
    assert "images build" in result.stdout


def test_rebuild_is_skipped_when_recipe_unchanged(local_image: LocalImage):
    local_image("bookworm", "x86_64")
    start = time.monotonic()
    result = run_cli("images", "build", "--suite", "bookworm", "--arch", "x86_64", check=True)
    assert "up to date" in result.stdout
    assert time.monotonic() - start < 60


def test_cross_image_compiles_for_each_target(local_image: LocalImage):
    """What `images build --cross` promises, checked in the image itself (seconds once built,
    about a minute to build): the build image's labels plus the cross ones, and per target a C
    shared object of that target's ELF machine and a C++ one linking the suite's libstdc++,
    made with the suite's own gcc version; `images list` and a second build know it."""
    ref = local_image("bookworm", "x86_64", cross=True)
    info = inspect(ref)
    assert info.platform == "linux/amd64"
    p = "org.cibuildwheel-like."
    assert info.labels[p + "variant"] == "cross"
    assert info.labels[p + "cross-of"] == r.image_name(r.Suite.bookworm, Arch.x86_64)
    assert info.labels[p + "cross-targets"] == "aarch64,ppc64le,s390x"
    assert info.labels[p + "cross-glibc"] == info.labels[p + "glibc"] == "2.36"
    assert info.labels[p + "interpreters"] == "cp311-cp311"  # still a build image
    script = [
        "set -eu; cd /tmp; echo 'int sq(int x) { return x * x; }' > a.c",
        "printf '#include <vector>\\nint n() { return std::vector<int>{1, 2}.size(); }' > b.cc",
        "echo native $(gcc -dumpfullversion)",
    ]
    for t in ("aarch64-linux-gnu", "powerpc64le-linux-gnu", "s390x-linux-gnu"):
        script += [
            f"{t}-gcc -O2 -fPIC -shared a.c -o {t}.so",
            f"{t}-g++ -O2 -fPIC -shared b.cc -o {t}-cxx.so",
            (
                f"echo {t} $({t}-gcc -dumpfullversion)"
                f" $(head -c 20 {t}.so | od -An -tx1 -v | tr -d ' \\n')"
                f" $(head -c 20 {t}-cxx.so | od -An -tx1 -v | tr -d ' \\n')"
            ),
        ]
    done = client.run_in_image("docker", ref, ["sh", "-c", "; ".join(script)])
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    lines = dict(line.split(" ", 1) for line in done.stdout.decode().splitlines())
    native = lines.pop("native")
    expected = {
        "aarch64-linux-gnu": Arch.aarch64,
        "powerpc64le-linux-gnu": Arch.ppc64le,
        "s390x-linux-gnu": Arch.s390x,
    }
    assert sorted(lines) == sorted(expected)
    for triplet, arch in expected.items():
        version, c_header, cxx_header = lines[triplet].split()
        assert version == native, triplet
        assert elf.elf_arch(bytes.fromhex(c_header)) is arch, triplet
        assert elf.elf_arch(bytes.fromhex(cxx_header)) is arch, triplet
    listed = run_cli("images", "list", check=True).stdout
    assert re.search(
        rf"^{re.escape(ref)} +cross +glibc 2\.36, manylinux_2_36,", listed, re.MULTILINE
    )
    assert "cross gcc for aarch64,ppc64le,s390x (glibc 2.36)" in listed
    again = run_cli("images", "build", "--suite", "bookworm", "--cross", check=True)
    assert f"{ref}: up to date" in again.stdout


def test_wheel_repaired_in_image_carries_the_policy(built: tuple[str, str], tmp_path: Path):
    suite, ref = built
    labels, env = labels_env(ref)
    python = next(
        i for i in labels["org.cibuildwheel-like.interpreters"].split(",") if i[:2] == "cp"
    )
    src = tmp_path / "src"
    src.mkdir()
    (src / "tinyext.c").write_text(TINY_C)
    (src / "pyproject.toml").write_text(PYPROJECT)
    (src / "setup.py").write_text(SETUP_PY)
    out = tmp_path / "wheelhouse"
    out.mkdir()
    script = (
        "set -e; cp -r /src /tmp/p;"
        f" /opt/python/{python}/bin/python -m build --wheel -o /tmp/dist /tmp/p;"
        " auditwheel repair -w /out /tmp/dist/*.whl;"
        f" /opt/python/{python}/bin/python -m venv /tmp/t;"
        " /tmp/t/bin/python -m pip install --no-index /out/*.whl;"
        " cd / && /tmp/t/bin/python -c 'import tinyext; assert tinyext.answer() == 42';"
        " chmod -R a+rwX /out"
    )
    result = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "-v",
            f"{src}:/src:ro",
            "-v",
            f"{out}:/out",
            ref,
            "sh",
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    platform_tags = wheel.name.removesuffix(".whl").split("-")[-1].split(".")
    assert env["AUDITWHEEL_PLAT"] in platform_tags
    if suite == "bookworm":
        assert "manylinux_2_36_x86_64" in platform_tags
    else:
        glibc = glibc_tuple(labels["org.cibuildwheel-like.glibc"])
        assert f"manylinux_{glibc[0]}_{glibc[1]}_x86_64" not in platform_tags
    shutil.rmtree(out)


def test_podman_copy_passes_check(local_image: LocalImage):
    ref = local_image("bookworm", "x86_64", "podman")
    assert inspect(ref, "podman").architecture == "amd64"
    result = run_cli(
        "images", "check", ref, "--engine", "podman", "--identifiers", "cp311-manylinux_x86_64"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all good" in result.stdout


def test_doctor_passes_then_names_missing_pieces(local_image: LocalImage):
    ref = local_image("bookworm", "x86_64")
    good = run_cli("doctor", "--archs", "x86_64,aarch64", "--image", ref)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "✓ docker daemon reachable" in good.stdout
    assert "✓ binfmt aarch64" in good.stdout
    assert f"✓ image {ref}" in good.stdout
    missing = r.image_name(r.Suite.trixie, Arch.s390x)
    bad = run_cli("doctor", "--archs", "riscv64", "--image", missing)
    assert bad.returncode == 1
    assert "✕ binfmt riscv64" in bad.stdout
    assert "qemu-user-static" in bad.stdout
    if f"✓ image {missing}" not in bad.stdout:  # not built on this machine: the fix builds it
        assert f"✕ image {missing}" in bad.stdout
        assert "images build --suite trixie --arch s390x --engine docker" in bad.stdout


@pytest.mark.emulated
@pytest.mark.parametrize("arch", ["i686", "aarch64", "ppc64le", "s390x"])
def test_bookworm_other_arches_pass_check(local_image: LocalImage, arch: str):
    """The images the emulation tests use: right OCI platform, runnable, complete."""
    ref = local_image("bookworm", arch)
    oci = {"i686": "386", "aarch64": "arm64", "ppc64le": "ppc64le", "s390x": "s390x"}[arch]
    assert inspect(ref).architecture == oci
    result = run_cli("images", "check", ref, "--identifiers", f"cp311-manylinux_{arch}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"AUDITWHEEL_PLAT: manylinux_2_36_{arch}" in result.stdout


# A system library a `before-all` might install: small, in every suite, not in the image.
APT_PACKAGE, APT_FILE = "libyaml-dev", "/usr/include/yaml.h"


@pytest.mark.parametrize("suite", [s.value for s in r.Suite])
def test_apt_install_works_in_every_suite(local_image: LocalImage, suite: str):
    """apt stays usable in the image, also when the mirror serves a frozen suite whose Release
    file's Valid-Until has passed (sid): what a `before-all` that installs a library does."""
    ref = local_image(suite, "x86_64")
    script = (
        "set -e; export DEBIAN_FRONTEND=noninteractive;"
        f" test ! -e {APT_FILE}; apt-get update;"
        f" apt-get install -y --no-install-recommends {APT_PACKAGE}; test -f {APT_FILE}"
    )
    start = time.monotonic()
    result = subprocess.run(
        ["docker", "run", "--rm", ref, "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "expired" not in result.stdout + result.stderr
    sys.stderr.write(f"\n[apt] {suite}: {time.monotonic() - start:.0f}s\n")
