from __future__ import annotations

from pathlib import Path, PurePosixPath

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


def test_display():
    assert commands.display(["sh", "-c", "echo hi"]) == "echo hi"
    assert commands.display(["python", "-m", "pip", "install", "a b"]) == (
        "python -m pip install 'a b'"
    )
