from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import os
from types import SimpleNamespace

import pytest

from cibuildwheel_like.report import build_report
from cibuildwheel_like.report import summary as report
from cibuildwheel_like.report.results import (
    BuildMethod,
    BuildResult,
    CacheStats,
    Provenance,
    StepTiming,
)

WHEEL = "spam-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def built(tmp_path, identifier: str = "cp311-manylinux_x86_64") -> BuildResult:
    wheel = tmp_path / WHEEL
    wheel.write_bytes(b"not really a zip, but bytes to hash")
    return BuildResult(
        identifier=identifier,
        image="cibuildwheel-like/debian-bookworm:x86_64",
        interpreter="/opt/python/cp311-cp311/bin/python",
        status="built",
        wheel=wheel,
        size=wheel.stat().st_size,
        sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(),
        test_outcome="passed",
        steps=(
            StepTiming(name="build", seconds=12.5, ok=True),
            StepTiming(name="repair", seconds=1.25, ok=True),
            StepTiming(name="test", seconds=3.0, ok=True),
        ),
    )


def failed() -> BuildResult:
    return BuildResult(
        identifier="cp312-manylinux_x86_64",
        image="img",
        interpreter="/opt/python/cp312-cp312/bin/python",
        status="failed",
        test_outcome="failed",
        steps=(
            StepTiming(name="build", seconds=2.0, ok=True),
            StepTiming(name="test", seconds=1.0, ok=False),
        ),
        error="cp312-manylinux_x86_64: step 'test' failed: command `pytest` exited with 1\nmore",
    )


def not_run() -> BuildResult:
    return BuildResult(
        identifier="gp312_250-manylinux_x86_64", image="img", interpreter="/x", status="not-run"
    )


def test_report_has_every_documented_field_and_validates(tmp_path):
    results = [built(tmp_path), failed(), not_run()]
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    data = build_report.build_report(
        results, exit_code=1, error="boom", output_dir=tmp_path, created=when
    )
    assert build_report.validate(data) == []
    assert data["created"] == "2026-01-02T03:04:05Z"
    assert data["status"] == "failure"
    assert data["totals"] == {"builds": 3, "built": 1, "failed": 1, "not_run": 1, "seconds": 19.75}
    first = data["builds"][0]
    assert first["wheel"]["filename"] == WHEEL
    assert first["wheel"]["platform_tags"] == ["manylinux2014_x86_64", "manylinux_2_17_x86_64"]
    assert first["wheel"]["python_tags"] == ["cp311"]
    assert first["wheel"]["abi_tags"] == ["cp311"]
    assert first["wheel"]["size"] == (tmp_path / WHEEL).stat().st_size
    assert [s["name"] for s in first["steps"]] == ["build", "repair", "test"]
    assert first["seconds"] == 16.75
    assert data["builds"][1]["wheel"] is None
    assert data["builds"][1]["error"].startswith("cp312-manylinux_x86_64: step 'test'")


def test_success_status_follows_exit_code(tmp_path):
    data = build_report.build_report([built(tmp_path)], exit_code=0)
    assert data["status"] == "success"
    assert data["error"] is None
    assert data["output_dir"] is None
    assert build_report.validate(data) == []


def test_size_and_sha_are_computed_when_the_executor_left_them_out(tmp_path):
    result = built(tmp_path)
    bare = BuildResult(**{**result.__dict__, "size": None, "sha256": None})
    wheel = build_report.build_report([bare], exit_code=0)["builds"][0]["wheel"]
    assert wheel["size"] == result.size
    assert wheel["sha256"] == result.sha256


def test_missing_wheel_file_gives_nulls_not_a_crash(tmp_path):
    gone = BuildResult(
        identifier="cp311-manylinux_x86_64",
        image="i",
        interpreter="/x",
        status="built",
        wheel=tmp_path / WHEEL,
    )
    data = build_report.build_report([gone], exit_code=0)
    assert data["builds"][0]["wheel"]["size"] is None
    assert build_report.validate(data) == []


def test_write_report_is_atomic_json(tmp_path):
    data = build_report.build_report([built(tmp_path)], exit_code=0)
    path = build_report.write_report(tmp_path / "out" / "build-report.json", data)
    assert json.loads(path.read_text()) == data
    assert sorted(p.name for p in path.parent.iterdir()) == ["build-report.json"]


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d.pop("exit_code"), "missing required key 'exit_code'"),
        (lambda d: d.update(exit_code=True), "$.exit_code: expected integer"),
        (lambda d: d.__setitem__("exit_code", -1), "below the minimum"),
        (lambda d: d.__setitem__("status", "ok"), "is not one of"),
        (lambda d: d.__setitem__("schema_version", 2), "$.schema_version: expected 1"),
        (lambda d: d.__setitem__("surprise", 1), "unexpected key 'surprise'"),
        (lambda d: d["builds"][0]["wheel"].__setitem__("sha256", "xyz"), "sha256: 'xyz'"),
        (lambda d: d["builds"][0].__setitem__("wheel", 3), "matches 0 of the oneOf"),
        (lambda d: d["builds"][0]["wheel"].__setitem__("filename", "a.tar.gz"), "does not match"),
        (lambda d: d["builds"][0]["wheel"].__setitem__("platform_tags", []), "fewer than 1"),
        (lambda d: d["builds"][0].__setitem__("identifier", "cp311"), "$.builds[0].identifier"),
        (lambda d: d["builds"][0]["steps"][0].__setitem__("ok", "yes"), "expected boolean"),
        (lambda d: d["builds"][0].__setitem__("test_outcome", "green"), "is not one of"),
        (lambda d: d.__setitem__("created", "yesterday"), "$.created"),
    ],
)
def test_validator_catches_violations(tmp_path, mutate, problem):
    data = copy.deepcopy(build_report.build_report([built(tmp_path)], exit_code=0))
    mutate(data)
    errors = build_report.validate(data)
    assert any(problem in e for e in errors), errors


def test_validator_refuses_keywords_it_does_not_implement():
    with pytest.raises(ValueError, match="not supported"):
        build_report.validate({}, {"type": "object", "patternProperties": {}})


def test_shipped_schema_is_json_schema_2020_12_and_closed():
    schema = build_report.load_schema()
    assert schema["$schema"].endswith("/2020-12/schema")
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    for definition in schema["$defs"].values():
        assert set(definition["required"]) == set(definition["properties"])


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, ""), (512, "512 B"), (2048, "2.0 KiB"), (5 * 1024 * 1024, "5.0 MiB")],
)
def test_format_size(size, text):
    assert report.format_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.04, "0.0s"), (9.96, "10.0s"), (65, "1m 05s"), (3725, "1h 02m")]
)
def test_format_seconds(seconds, text):
    assert report.format_seconds(seconds) == text


def test_summary_rows_and_plain_table(tmp_path):
    rows = report.summary_rows([built(tmp_path), failed()])
    assert rows[0].wheel == WHEEL
    assert rows[0].sha256 == built(tmp_path).sha256[:12]
    assert rows[0].build_time == "16.8s"
    assert (
        rows[1].error
        == "cp312-manylinux_x86_64: step 'test' failed: command `pytest` exited with 1"
    )
    lines = report.plain_table(rows)
    assert lines[0] == "Build summary"
    assert lines[1].split() == ["identifier", "wheel", "size", "build", "time", "tests", "sha256"]
    # columns are aligned: the wheel column starts at the same offset on every row
    offset = lines[1].index("wheel")
    assert lines[3][offset:].startswith(WHEEL)
    assert lines[4][offset:].startswith("(failed)")
    assert lines[5] == f"  {rows[1].error}"  # errors under the table, identifier once


def test_summary_error_is_one_short_line():
    long = BuildResult(
        identifier="cp311-manylinux_x86_64",
        image="i",
        interpreter="/x",
        status="failed",
        error="x" * 500 + "\nsecond line",
    )
    (row,) = report.summary_rows([long])
    assert len(row.error) == 120
    assert row.error.endswith("…")


def test_non_default_options_skips_defaults():
    explained = {
        "build": SimpleNamespace(value="cp311-*", layer="pyproject"),
        "skip": SimpleNamespace(value="", layer="default"),
        "archs": SimpleNamespace(value="x86_64", layer="command line"),
    }
    assert report.non_default_options(explained) == [
        ("build", "cp311-*", "pyproject"),
        ("archs", "x86_64", "command line"),
    ]


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (65.9, "1:05"), (3725, "1:02:05")])
def test_format_clock(seconds, text):
    assert report.format_clock(seconds) == text


def test_written_report_is_readable_like_the_wheels(tmp_path):
    umask = os.umask(0o022)
    try:
        path = build_report.write_report(tmp_path / "build-report.json", {"schema_version": 1})
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_report_lists_builds_in_plan_order_with_lane_container_and_cache(tmp_path):
    first = dataclasses.replace(
        built(tmp_path),
        lane=1,
        container="cibuildwheel-like-0123456789ab",
        cache=CacheStats(compiler_hits=4, compiler_misses=0, downloads=0),
    )
    order = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "gp312_250-manylinux_x86_64")
    data = build_report.build_report([not_run(), failed(), first], exit_code=1, order=order)
    assert build_report.validate(data) == []
    assert [b["identifier"] for b in data["builds"]] == list(order)
    entry = data["builds"][0]
    assert (entry["lane"], entry["container"]) == (1, "cibuildwheel-like-0123456789ab")
    assert entry["cache"] == {"compiler_hits": 4, "compiler_misses": 0, "downloads": 0}
    unmeasured = data["builds"][2]
    assert (unmeasured["lane"], unmeasured["container"]) == (None, None)
    assert unmeasured["cache"] == {
        "compiler_hits": None,
        "compiler_misses": None,
        "downloads": None,
    }


def test_report_keeps_arrival_order_without_a_plan_order(tmp_path):
    data = build_report.build_report([failed(), built(tmp_path)], exit_code=1)
    assert [b["identifier"] for b in data["builds"]] == [
        "cp312-manylinux_x86_64",
        "cp311-manylinux_x86_64",
    ]


def test_in_plan_order_puts_unplanned_identifiers_last_in_arrival_order(tmp_path):
    results = [not_run(), failed(), built(tmp_path)]
    ordered = report.in_plan_order(results, ["cp311-manylinux_x86_64"])
    assert [r.identifier for r in ordered] == [
        "cp311-manylinux_x86_64",
        "gp312_250-manylinux_x86_64",
        "cp312-manylinux_x86_64",
    ]


def test_compiler_cache_column_only_when_measured(tmp_path):
    plain = report.summary_rows([built(tmp_path)])
    assert report.columns_of(plain) == report.SUMMARY_COLUMNS
    assert "compiler cache" not in report.plain_table(plain)[1]
    cached = dataclasses.replace(built(tmp_path), cache=CacheStats(compiler_hits=3))
    rows = report.summary_rows([cached, failed()])
    assert rows[0].compiler_cache == "3 hit / 0 miss"
    assert rows[1].compiler_cache == ""
    lines = report.plain_table(rows)
    assert lines[1].endswith("compiler cache")
    assert lines[3].endswith("3 hit / 0 miss")
    assert report.format_compiler_cache(CacheStats(downloads=2)) == ""


def test_built_by_lines_name_cross_builds_and_their_fallbacks(tmp_path):
    def made(identifier: str, method: BuildMethod) -> BuildResult:
        provenance = Provenance(image="img", method=method)
        return dataclasses.replace(built(tmp_path, identifier), provenance=provenance)

    native = made("cp311-manylinux_x86_64", BuildMethod(built_by="native"))
    assert report.built_by_lines([native]) == []  # nothing to say without cross builds
    crossed = made(
        "cp311-manylinux_aarch64", BuildMethod(built_by="cross", build_image="img-cross")
    )
    fallback = made(
        "cp311-manylinux_s390x",
        BuildMethod(built_by="emulated", cross_fallback="cross build failed in step 'build'"),
    )
    assert report.built_by_lines([native, crossed, fallback]) == [
        "Cross-compiled on this machine, tested under QEMU: cp311-manylinux_aarch64",
        (
            "  emulated after its cross build failed: cp311-manylinux_s390x"
            " (cross build failed in step 'build')"
        ),
    ]
