"""The installer check: the tag table, per-wheel verdicts, and the docs that cite the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from cibuildwheel_like.report.installability import (
    TAG_FAMILIES,
    check_tag,
    check_wheel,
    pip_table_markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    ("platform", "pip", "promise", "pypi"),
    [
        ("manylinux1_x86_64", "8.1", "glibc 2.5+", True),
        ("manylinux2010_i686", "19.0", "glibc 2.12+", True),
        ("manylinux2014_aarch64", "19.3", "glibc 2.17+", True),
        ("manylinux2014_riscv64", "19.3", "glibc 2.17+", False),  # PyPI: not with that spelling
        ("manylinux_2_17_x86_64", "20.3", "glibc 2.17+", True),
        ("manylinux_2_39_riscv64", "20.3", "glibc 2.39+", True),
        ("manylinux_2_28_ppc64", "20.3", "glibc 2.28+", True),
        ("manylinux_2_28_mips64", "20.3", "glibc 2.28+", False),
        ("musllinux_1_2_x86_64", "21.2", "musl 1.2+", True),
        ("musllinux_1_2_ppc64", "21.2", "musl 1.2+", False),
        ("linux_x86_64", "1.4", "no libc promise", False),
        ("linux_armv7l", "1.4", "no libc promise", True),  # PyPI's exception for small boards
    ],
)
def test_each_tag(platform: str, pip: str, promise: str, pypi: bool) -> None:
    checked = check_tag(platform)
    assert checked.oldest_pip == Version(pip)
    assert checked.promise == promise
    assert checked.pypi_accepts is pypi
    assert bool(checked.pypi_reason) is not pypi


def test_unknown_platform_has_no_verdict() -> None:
    checked = check_tag("macosx_11_0_arm64")
    assert checked.oldest_pip is None
    assert not checked.pypi_accepts
    assert checked.promise == "unknown platform"


def test_a_dual_tagged_wheel_installs_by_its_legacy_alias() -> None:
    checked = check_wheel("spam-1.0-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert [t.platform for t in checked.tags] == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
    assert checked.oldest_pip == Version("19.3")
    assert checked.deciding_tag is not None
    assert checked.deciding_tag.platform == "manylinux2014_x86_64"
    assert checked.promise == "glibc 2.17+"
    assert checked.pypi_accepts
    assert checked.summary == "pip 19.3+, glibc 2.17+"
    assert checked.as_json()["libc_version"] == "2.17"


def test_perennial_and_musllinux_wheels() -> None:
    assert check_wheel("a-1-cp312-cp312-manylinux_2_36_x86_64.whl").summary == (
        "pip 20.3+, glibc 2.36+"
    )
    musl = check_wheel("a-1-cp312-cp312-musllinux_1_2_aarch64.whl")
    assert musl.summary == "pip 21.2+, musl 1.2+"
    assert musl.as_json()["libc"] == "musl"


def test_a_linux_wheel_is_refused_by_pypi_and_named() -> None:
    checked = check_wheel("a-1-cp312-cp312-linux_x86_64.whl")
    assert checked.linux_tags == ("linux_x86_64",)
    assert not checked.pypi_accepts
    assert checked.summary == "pip 1.4+, no libc promise, not on PyPI"
    assert "PyPI refuses linux_x86_64" in checked.pypi_refusals[0]
    as_json = checked.as_json()
    assert as_json["libc"] is None
    assert as_json["pypi_accepts"] is False


def test_one_refused_tag_refuses_the_upload() -> None:
    checked = check_wheel("a-1-cp312-cp312-manylinux_2_17_riscv64.manylinux2014_riscv64.whl")
    assert not checked.pypi_accepts
    (refusal,) = checked.pypi_refusals
    assert refusal == (
        "PyPI refuses manylinux2014_riscv64: it takes manylinux2014_ARCH only for x86_64, i686,"
        " aarch64, armv7l, ppc64, ppc64le, s390x"
    )


def test_not_a_wheel_name() -> None:
    checked = check_wheel("notawheel.txt")
    assert checked.tags == ()
    assert checked.oldest_pip is None
    assert not checked.pypi_accepts


def test_the_docs_show_the_table_of_this_module() -> None:
    """One owner: docs/images.md and docs/installability.md carry the generated table."""
    table = pip_table_markdown()
    for page in ("images.md", "installability.md"):
        assert table in (DOCS / page).read_text(), f"regenerate the table in docs/{page}"
    assert len(table.splitlines()) == 2 + sum(f.name != "any" for f in TAG_FAMILIES)


def test_the_build_report_records_provenance_and_installability(tmp_path: Path) -> None:
    from cibuildwheel_like.report import build_report  # noqa: PLC0415
    from cibuildwheel_like.report.results import BuildResult, Provenance  # noqa: PLC0415

    wheel = tmp_path / "spam-1.0-cp311-cp311-linux_x86_64.whl"
    wheel.write_bytes(b"wheel")
    provenance = Provenance(
        image="img:tag",
        image_id="sha256:" + "a" * 64,
        auditwheel_version=None,
        source_date_epoch="1700000000",
    )
    result = BuildResult(
        identifier="cp311-manylinux_x86_64",
        image="img:tag",
        interpreter="/opt/python/cp311-cp311",
        status="built",
        wheel=wheel,
        provenance=provenance,
    )
    report = build_report.build_report([result], exit_code=0)
    assert build_report.validate(report) == []
    entry = report["builds"][0]
    assert entry["provenance"] == {
        "image": "img:tag",
        "image_id": "sha256:" + "a" * 64,
        "repo_digests": [],
        "auditwheel_version": None,
        "auditwheel_policy": None,
        "source_date_epoch": "1700000000",
        "built_by": "native",
        "build_image": None,
        "toolchain": None,
        "cross_fallback": None,
    }
    checked = entry["wheel"]["installability"]
    assert checked["pypi_accepts"] is False
    assert checked["oldest_pip"] == "1.4"
    assert checked["tags"][0]["platform"] == "linux_x86_64"
    failed = BuildResult(
        identifier="cp312-manylinux_x86_64", image="i", interpreter="/x", status="failed"
    )
    assert build_report.validate(build_report.build_report([failed], exit_code=1)) == []
