"""cli/doctor.py: its own subcommand, typed needs, one line per check with its fix."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

import fakes
import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import doctor
from cibuildwheel_like.context import Cache
from cibuildwheel_like.engine import client
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import recipe as r

AARCH64 = """enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: POF
offset 0
magic 7f454c460201010000000000000000000200b700
mask fffffffffffffffcfffffffffffffffffeffffff
"""


def test_binfmt_checks_one_line_each_with_fix(tmp_path: Path):
    (tmp_path / "register").write_text("")
    (tmp_path / "status").write_text("enabled\n")
    (tmp_path / "qemu-aarch64").write_text(AARCH64)
    checks = doctor.binfmt_checks(
        [Arch.x86_64, Arch.i686, Arch.aarch64, Arch.s390x], host=Arch.x86_64, root=tmp_path
    )
    levels = {c.name: c.level for c in checks}
    assert levels == {
        "binfmt x86_64": doctor.Level.OK,
        "binfmt i686": doctor.Level.OK,
        "binfmt aarch64": doctor.Level.OK,
        "binfmt s390x": doctor.Level.FAIL,
    }
    s390x = checks[-1].line()
    assert s390x.startswith("✕ binfmt s390x")
    assert "qemu-user-static" in s390x
    assert "\n" not in s390x


def test_image_fix_names_our_build_command():
    fix = doctor.image_fix("cibuildwheel-like/debian-sid:aarch64", "podman")
    assert fix == "cibuildwheel-like images build --suite sid --arch aarch64 --engine podman"
    assert "pull" in doctor.image_fix("quay.io/pypa/manylinux_2_28_x86_64", "docker")


def test_image_fix_for_a_name_the_recipe_cannot_build():
    """An unknown suite or an unbuildable arch gets the default suite's command, not a made-up
    one that `images build` would refuse."""
    for ref in ("cibuildwheel-like/debian-buster:x86_64", "cibuildwheel-like/debian-sid:riscv64"):
        fix = doctor.image_fix(ref, "docker")
        assert f"`docker pull {ref}`" in fix
        assert f"images build --suite {r.DEFAULT_SUITE.value} --arch ARCH" in fix


@pytest.mark.parametrize(
    ("free_gib", "level"),
    [(50, doctor.Level.OK), (5, doctor.Level.WARN), (1, doctor.Level.FAIL)],
)
def test_disk_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free_gib: int, level: doctor.Level
):
    seen: list[Path] = []

    def usage(path: Path) -> Any:
        seen.append(Path(path))
        return shutil._ntuple_diskusage(100 * doctor.GIB, 0, free_gib * doctor.GIB)  # type: ignore[attr-defined]

    monkeypatch.setattr(doctor.shutil, "disk_usage", usage)
    (check,) = doctor.disk_checks([tmp_path / "not" / "there"])
    assert check.level is level
    assert check.detail == f"{free_gib:.1f} GiB free"
    assert seen == [tmp_path]  # the nearest existing parent is measured


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cibuildwheel-like")
    sub = parser.add_subparsers(dest="command", required=True)
    doctor.register(sub)
    return parser


def test_register_and_command_give_typed_values(monkeypatch: pytest.MonkeyPatch):
    args = _parser().parse_args(
        ["doctor", "--engine", "podman", "--archs", "x86_64,aarch64", "--image", "a", "proj"]
    )
    assert args.handler is doctor.command
    seen: list[doctor.DoctorRequest] = []
    monkeypatch.setattr(doctor, "run", lambda request, _ctx: seen.append(request) or 0)
    assert doctor.command(args, ctx=None) == 0  # type: ignore[arg-type]
    assert seen == [
        doctor.DoctorRequest(
            package=Path("proj"), engine="podman", archs="x86_64,aarch64", images=("a",)
        )
    ]
    plain = _parser().parse_args(["doctor"])
    doctor.command(plain, ctx=None)  # type: ignore[arg-type]
    assert seen[-1] == doctor.DoctorRequest(package=Path(), engine=None, archs=None, images=())


def test_explicit_needs_default_to_the_recipe_default_image():
    request = doctor.DoctorRequest(package=Path(), engine=None, archs="x86_64,i686", images=())
    needs = doctor._explicit_needs(request)
    assert needs.engine == "docker"
    assert needs.archs == (Arch.x86_64, Arch.i686)
    assert needs.images == (
        r.image_name(r.DEFAULT_SUITE, Arch.x86_64),
        r.image_name(r.DEFAULT_SUITE, Arch.i686),
    )
    bad = doctor.DoctorRequest(package=Path(), engine=None, archs="x86_64,sparc", images=())
    with pytest.raises(ConfigurationError, match="--archs: unknown arch 'sparc'"):
        doctor._explicit_needs(bad)


def _engine(monkeypatch: pytest.MonkeyPatch, *, found: bool, version_json: str, rc: int = 0):
    monkeypatch.setattr(client, "engine_found", lambda e: f"/usr/bin/{e}" if found else None)

    def version(engine: client.EngineName) -> client.EngineVersion:
        parsed = client.parse_version_json(engine, version_json, "daemon down")
        return (
            parsed
            if rc == 0
            else client.EngineVersion(
                engine=engine, client="?", client_api=None, server=None, api=None, error="down"
            )
        )

    monkeypatch.setattr(client, "engine_version", version)


def test_engine_checks_share_the_gate_rules_and_fixes(monkeypatch: pytest.MonkeyPatch):
    new = json.dumps(
        {
            "Client": {"Version": "28", "ApiVersion": "1.41"},
            "Server": {"Version": "20.10", "ApiVersion": "1.41"},
        }
    )
    _engine(monkeypatch, found=True, version_json=new)
    assert [c.level for c in doctor.engine_checks("docker")] == [doctor.Level.OK] * 3

    _engine(monkeypatch, found=False, version_json=new)
    (missing,) = doctor.engine_checks("podman")
    assert missing.level is doctor.Level.FAIL
    assert missing.fix == client.install_fix("podman")

    _engine(monkeypatch, found=True, version_json=new, rc=1)
    found, down = doctor.engine_checks("docker")
    assert (found.level, down.level) == (doctor.Level.OK, doctor.Level.FAIL)
    assert down.fix == client.start_fix("docker")

    old = json.dumps({"Client": {"Version": "2.1.0"}})
    _engine(monkeypatch, found=True, version_json=old)
    version = doctor.engine_checks("podman")[-1]
    assert version.level is doctor.Level.FAIL
    assert version.detail == client.parse_version_json("podman", old).too_old()
    assert version.fix == client.upgrade_fix("podman")


def test_check_line_format():
    ok = doctor.Check(name="a", level=doctor.Level.OK, detail="fine", fix="ignored")
    assert ok.line() == "✓ a: fine"
    bad = doctor.Check(name="b", level=doctor.Level.FAIL, detail="broken", fix="do x")
    assert bad.line() == "✕ b: broken — fix: do x"


def test_cache_check_shows_where_and_how_big(tmp_path: Path):
    cache = Cache(root=tmp_path / "cache")
    check = doctor.cache_check(cache)
    assert check.level is doctor.Level.OK
    assert check.detail.startswith(f"{tmp_path / 'cache'} (not created yet;")
    (cache.directory("containers", "x86_64") / "blob").write_bytes(b"x" * (3 * doctor.MIB))
    line = doctor.cache_check(cache).line()
    assert line.startswith(f"✓ cache directory: {tmp_path / 'cache'} (3.0 MiB;")
    assert "CIBW_CACHE_PATH" in line
    assert "--clean-cache" in line


def test_image_fix_for_runtime_and_cross_images():
    fix = doctor.image_fix("cibuildwheel-like/debian-bookworm-cross:x86_64", "docker")
    assert fix == (
        "cibuildwheel-like images build --suite bookworm --arch x86_64 --cross --engine docker"
    )
    fix = doctor.image_fix("cibuildwheel-like/debian-sid-runtime:s390x", "podman")
    assert (
        fix == "cibuildwheel-like images build --suite sid --arch s390x --runtime --engine podman"
    )


@pytest.mark.skipif(Arch.native() is not Arch.x86_64, reason="cross images are for x86_64 hosts")
@pytest.mark.parametrize(("setting", "required"), [("cross", True), ("auto", False)])
def test_doctor_checks_the_cross_image_a_cross_plan_needs(
    setting: str, required: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cross = "cibuildwheel-like/debian-bookworm-cross:x86_64"
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "x"\nversion = "1"\n[tool.cibuildwheel]\nbuild = "cp311-*"\n'
        'skip = "*musllinux*"\narchs = "x86_64 aarch64"\n'
        'manylinux-x86_64-image = "debian-bookworm"\nmanylinux-aarch64-image = "debian-bookworm"\n'
        f'[tool.cibuildwheel-like]\nemulation = "{setting}"\n'
    )
    for key in [k for k in os.environ if k.startswith(("CIBW_", "CIBWL_"))]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    ctx = fakes.context(tmp_path)
    request = doctor.DoctorRequest(package=Path(), engine=None, archs=None, images=())
    needs = doctor.needs_from_project(request, ctx)
    ours = (
        r.image_name(r.Suite("bookworm"), Arch.x86_64),
        r.image_name(r.Suite("bookworm"), Arch.aarch64),
    )
    assert needs.images == ((*ours, cross) if required else ours)
    assert needs.optional_images == (() if required else (cross,))

    monkeypatch.setattr(client, "image_info", lambda engine, ref: None)
    [check] = [
        c
        for c in doctor.image_checks("docker", needs.images, optional=needs.optional_images)
        if cross in c.name
    ]
    assert check.level is (doctor.Level.FAIL if required else doctor.Level.WARN)
    assert check.fix.endswith("--arch x86_64 --cross --engine docker")
    assert ("builds these identifiers under emulation" in check.detail) is not required
