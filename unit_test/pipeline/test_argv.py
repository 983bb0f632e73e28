from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from cibuildwheel_like.options.model import FrontendConfig
from cibuildwheel_like.pipeline import argv as commands


def test_prepare_command_replaces_known_placeholders_only():
    out = commands.prepare_command(
        "auditwheel repair -w {dest_dir} {wheel} && echo {other} ${HOME}",
        wheel="/w/x.whl",
        dest_dir=PurePosixPath("/d"),
    )
    assert out == "auditwheel repair -w /d /w/x.whl && echo {other} ${HOME}"


def test_prepare_command_hash_escape_keeps_literal():
    out = commands.prepare_command("echo #{project} {project}", project="/project")
    assert out == "echo {project} /project"


def test_prepare_command_backslashes_survive():
    assert commands.prepare_command("{p}", p="a\\b") == "a\\b"


@pytest.mark.parametrize(
    ("level", "frontend", "flags"),
    [
        (0, "pip", []),
        (1, "pip", ["-v"]),
        (3, "pip", ["-vvv"]),
        (1, "build", []),
        (2, "build", ["-v"]),
        (-2, "build", ["-qq"]),
        (-1, "pip", ["-q"]),
    ],
)
def test_verbosity_flags(level, frontend, flags):
    assert commands.verbosity_flags(level, frontend) == flags


def test_config_settings_flags_substitute_paths():
    flags = commands.config_settings_flags(
        [("cmake.define.X", "{package}/x"), ("--build-option", "--quiet")],
        frontend="build",
        project=PurePosixPath("/project"),
        package=PurePosixPath("/project/pkg"),
    )
    assert flags == ["-Ccmake.define.X=/project/pkg/x", "-C--build-option=--quiet"]


@pytest.mark.parametrize(
    ("frontend", "flag"),
    [
        # build reads -Cjustaword as justaword="" and cibuildwheel passes it so
        ("build", "-Cjustaword"),
        ("build[uv]", "-Cjustaword"),
        # pip ("must be of the form KEY=VAL") and uv ("expected `KEY=VALUE`") refuse a -C
        # without "=": the same setting, spelled so they accept it
        ("pip", "-Cjustaword="),
        ("uv", "-Cjustaword="),
    ],
)
def test_config_settings_bare_key_per_frontend(frontend, flag):
    flags = commands.config_settings_flags(
        [("justaword", None), ("k", "")],
        frontend=frontend,
        project=PurePosixPath("/project"),
        package=PurePosixPath("/project"),
    )
    assert flags == [flag, "-Ck="]


@pytest.mark.parametrize(
    ("name", "expected_start"),
    [
        ("pip", ["python", "-m", "pip", "wheel", "/p", "--wheel-dir=/o", "--no-deps"]),
        ("build", ["python", "-m", "build", "/p", "--wheel", "--outdir=/o"]),
        ("build[uv]", ["python", "-m", "build", "/p", "--wheel", "--outdir=/o", "--installer=uv"]),
        ("uv", ["uv", "build", "--python=/py/bin/python", "/p", "--wheel", "--out-dir=/o"]),
    ],
)
def test_build_argv(name, expected_start):
    argv = commands.build_argv(
        FrontendConfig(name=name, args=("--extra",)),
        package=PurePosixPath("/p"),
        out_dir=PurePosixPath("/o"),
        python=PurePosixPath("/py/bin/python"),
        extra=["-Ck=v"],
    )
    assert argv == [*expected_start, "-Ck=v", "--extra"]


def test_build_uv_without_isolation_has_no_installer():
    argv = commands.build_argv(
        FrontendConfig(name="build[uv]", args=("--no-isolation",)),
        package=PurePosixPath("/p"),
        out_dir=PurePosixPath("/o"),
        python=PurePosixPath("/py"),
        extra=[],
    )
    assert "--installer=uv" not in argv


ABI3 = "demo-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
PY3 = "demo-1.0-py3-none-manylinux_2_36_x86_64.whl"
CP311 = "demo-1.0-cp311-cp311-manylinux_2_36_x86_64.whl"


@pytest.mark.parametrize(
    ("wheels", "identifier", "expected"),
    [
        ([ABI3], "cp312-manylinux_x86_64", ABI3),
        ([ABI3], "cp39-manylinux_x86_64", ABI3),
        ([ABI3], "cp313t-manylinux_x86_64", None),  # free-threaded cannot use abi3
        ([ABI3], "cp312-manylinux_aarch64", None),
        ([ABI3], "cp312-musllinux_x86_64", None),
        ([ABI3], "pp311-manylinux_x86_64", None),
        (["demo-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"], "cp311-manylinux_x86_64", None),
        ([PY3], "pp311-manylinux_x86_64", PY3),
        ([CP311], "cp312-manylinux_x86_64", None),
        (["not a wheel"], "cp312-manylinux_x86_64", None),
    ],
)
def test_compatible_wheel(wheels, identifier, expected):
    assert commands.compatible_wheel(wheels, identifier) == expected


def test_is_pure_wheel():
    assert commands.is_pure_wheel("x-1-py3-none-any.whl")
    assert not commands.is_pure_wheel(CP311)


def test_stale_so_hint(tmp_path: Path):
    assert commands.stale_so_hint(tmp_path) == ""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "ignored.so").write_bytes(b"")
    hint = commands.stale_so_hint(tmp_path)
    assert "pkg/mod.cpython-311-x86_64-linux-gnu.so" in hint
    assert "ignored" not in hint


def test_stale_so_hint_skips_a_folder_that_vanishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Another lane's delivery folder in a wheelhouse inside the project comes and goes."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.so").write_bytes(b"")
    (tmp_path / "wheelhouse" / ".cibwl-incoming-1").mkdir(parents=True)
    scandir = os.scandir

    def vanishing(path: Any) -> Any:
        if str(path).endswith(".cibwl-incoming-1"):
            raise FileNotFoundError(path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", vanishing)
    assert "pkg/mod.so" in commands.stale_so_hint(tmp_path)


def test_display():
    assert commands.display(["sh", "-c", "echo hi"]) == "echo hi"
    assert commands.display(["python", "-m", "pip", "install", "a b"]) == (
        "python -m pip install 'a b'"
    )


# -- test environments --------------------------------------------------------------------------
VENV = PurePosixPath("/tmp/cibwl-test.1/venv")
PY = PurePosixPath("/opt/python/cp313-cp313/bin/python")


def test_uv_venv_uses_the_identifiers_interpreter():
    argv = commands.uv_venv_argv("/t/bin/uv", venv=VENV, python=PY, seed=True)
    assert argv == ["/t/bin/uv", "venv", str(VENV), "--python", str(PY), "--seed"]
    unseeded = commands.uv_venv_argv("uv", venv=VENV, python=PY, seed=False)
    assert unseeded == ["uv", "venv", str(VENV), "--python", str(PY)]


def test_uv_installs_target_the_test_venv_explicitly():
    argv = commands.venv_install_argv("uv", "/w/x.whl[test]", "pytest", uv="/u/uv", venv=VENV)
    assert argv == [
        "/u/uv",
        "pip",
        "install",
        "--python",
        f"{VENV}/bin/python",
        "/w/x.whl[test]",
        "pytest",
    ]


def test_pip_installs_use_the_venv_pip_first_on_path():
    argv = commands.venv_install_argv("pip", "/w/x.whl", venv=VENV)
    assert argv == ["python", "-m", "pip", "install", "/w/x.whl"]


# Real output, pip 26.3 and uv 0.13.9 in the debian-sid image, `install pytest` into fresh venvs.
PIP_COLD = """\
Processing /tmp/cibuildwheel-like/wheels/spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl
Collecting pytest
  Downloading pytest-9.2.0-py3-none-any.whl (411 kB)
Collecting iniconfig>=2 (from pytest)
  Downloading iniconfig-2.3.1-py3-none-any.whl (7.6 kB)
Collecting packaging>=24 (from pytest)
  Downloading packaging-26.4-py3-none-any.whl (140 kB)
Collecting pluggy<2,>=1.6 (from pytest)
  Downloading pluggy-1.7.0-py3-none-any.whl (27 kB)
Collecting pygments>=2.15 (from pytest)
  Downloading pygments-2.21.0-py3-none-any.whl (1.3 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1.3/1.3 MB 90.2 MB/s  0:00:00
Installing collected packages: pygments, pluggy, packaging, iniconfig, pytest

Successfully installed iniconfig-2.3.1 packaging-26.4 pluggy-1.7.0 pygments-2.21.0 pytest-9.2.0
"""
PIP_WARM = """\
Collecting pytest
  Using cached pytest-9.2.0-py3-none-any.whl.metadata (7.7 kB)
  Using cached pytest-9.2.0-py3-none-any.whl (411 kB)
Collecting iniconfig>=2 (from pytest)
  Downloading iniconfig-2.3.1-py3-none-any.whl.metadata (2.5 kB)
  Using cached iniconfig-2.3.1-py3-none-any.whl (7.6 kB)
Installing collected packages: iniconfig, pytest
Successfully installed iniconfig-2.3.1 pytest-9.2.0
"""
UV_COLD = """\
Using Python 3.13.18 environment at: /tmp/u1
Resolved 5 packages in 425ms
Downloading pygments (1.2MiB)
 Downloaded pygments
Prepared 5 packages in 192ms
Installed 5 packages in 38ms
 + iniconfig==2.3.1
 + packaging==26.4
 + pluggy==1.7.0
 + pygments==2.21.0
 + pytest==9.2.0
"""
UV_WARM = """\
Using Python 3.13.18 environment at: /tmp/u2
Resolved 5 packages in 358ms
Installed 5 packages in 31ms
 + iniconfig==2.3.1
 + packaging==26.4
 + pluggy==1.7.0
 + pygments==2.21.0
 + pytest==9.2.0
"""


@pytest.mark.parametrize(
    ("output", "downloads"),
    [
        (PIP_COLD, 5),
        (PIP_WARM, 0),
        (UV_COLD, 5),
        (UV_WARM, 0),
        ("Using Python 3.13.18 environment at: /v\nPrepared 1 package in 7ms\n", 1),
        ("", 0),
        ("  Downloading https://files.pythonhosted.org/p/s/six-1.17.0-py2.py3-none-any.whl\n", 1),
        ("  Downloading spam-1.0.tar.gz (3 kB)\nDownloading numpy (15.3MiB)\n", 1),
    ],
)
def test_downloads_are_counted_from_pip_and_uv_output(output, downloads):
    assert commands.count_downloads(output) == downloads
