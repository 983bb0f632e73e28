from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.cli import doctor

if TYPE_CHECKING:
    from pathlib import Path

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


def test_disk_checks(tmp_path: Path):
    (check,) = doctor.disk_checks([tmp_path / "not" / "there"])
    assert check.level in {doctor.Level.OK, doctor.Level.WARN, doctor.Level.FAIL}
    assert "GiB free" in check.detail


def test_check_line_format():
    ok = doctor.Check(name="a", level=doctor.Level.OK, detail="fine", fix="ignored")
    assert ok.line() == "✓ a: fine"
    bad = doctor.Check(name="b", level=doctor.Level.FAIL, detail="broken", fix="do x")
    assert bad.line() == "✕ b: broken — fix: do x"
