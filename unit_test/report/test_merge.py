"""report/merge.py and `report merge`: share reports made by the report writer from fake
results of real plans (no engine), merged, checked and refused."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from fakes import build_options, global_options, plan_of

from cibuildwheel_like.cli import app as cli
from cibuildwheel_like.report import build_report
from cibuildwheel_like.report.results import BuildResult, StepTiming
from cibuildwheel_like.shards import Shard, select_share

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("CIBW_", "CIBWL_", "GITHUB_")):
            monkeypatch.delenv(key)


def whole_plan(test_command: str = ""):
    builds = [build_options(i, test_command=test_command) for i in IDS]
    return plan_of(builds, global_options(Path("/nowhere"), jobs=1))


def share_report(
    root: Path, index: int, count: int, *, test_command: str = "", abi3: bool = False
) -> Path:
    """Share ``index``/``count``: its wheels written under root/wheels-I-N, its report beside."""
    plan = select_share(whole_plan(test_command), Shard(index=index, count=count))
    wheelhouse = root / f"wheels-{index}-{count}{'-abi3' if abi3 else ''}"
    wheelhouse.mkdir(parents=True)
    results = []
    for build in plan.builds:
        tag = "cp313-abi3" if abi3 else f"{build.config.build_tag}-{build.config.build_tag}"
        wheel = wheelhouse / f"x-1.0-{tag}-manylinux_2_36_x86_64.whl"
        if not wheel.exists():
            wheel.write_bytes(f"wheel of {wheel.name}".encode())
        results.append(
            BuildResult(
                identifier=build.identifier,
                image="img",
                interpreter=build.config.path,
                status="built",
                wheel=wheel,
                test_outcome="passed",
                steps=(StepTiming(name="build", seconds=1.0, ok=True),),
            )
        )
    data = build_report.build_report(results, exit_code=0, output_dir=wheelhouse, plan=plan)
    assert build_report.validate(data) == []
    path = root / f"report-{index}-{count}{'-abi3' if abi3 else ''}.json"
    return build_report.write_report(path, data)


def merge(tmp_path: Path, *reports: Path, output_dir: Path, capsys, env=None) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        for key, value in (env or {}).items():
            os.environ[key] = value
        code = cli.main(["report", "merge", *map(str, reports), "--output-dir", str(output_dir)])
    finally:
        os.chdir(old)
        for key in env or {}:
            del os.environ[key]
    out, err = capsys.readouterr()
    return code, out + err


def test_merge_writes_report_summary_and_checksums(tmp_path, capsys):
    reports = [share_report(tmp_path, i, 3) for i in (3, 1, 2)]
    merged = tmp_path / "merged"
    step = tmp_path / "step.md"
    code, text = merge(
        tmp_path, *reports, output_dir=merged, capsys=capsys, env={"GITHUB_STEP_SUMMARY": str(step)}
    )
    assert code == 0, text
    report = json.loads((merged / "build-report.json").read_text())
    assert build_report.validate(report) == []
    assert [b["identifier"] for b in report["builds"]] == list(IDS)
    assert report["shard"] is None
    assert [m["shard"] for m in report["merged"]] == ["1/3", "2/3", "3/3"]
    assert report["plan"]["fingerprint"] == whole_plan().fingerprint
    assert report["totals"]["built"] == 3
    # SHA256SUMS: what sha256sum -c reads, in a wheelhouse of every share's wheels
    wheelhouse = tmp_path / "all"
    wheelhouse.mkdir()
    for wheel in tmp_path.glob("wheels-*/*.whl"):
        (wheelhouse / wheel.name).write_bytes(wheel.read_bytes())
    sums = (merged / "SHA256SUMS").read_text()
    for line in sums.splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((wheelhouse / name).read_bytes()).hexdigest() == digest
    check = subprocess.run(
        ["sha256sum", "-c", str(merged / "SHA256SUMS")],
        cwd=wheelhouse,
        capture_output=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    summary = (merged / "summary.md").read_text()
    assert step.read_text() == summary
    assert all(i in summary for i in IDS)
    assert "| 2/3 | 0 |" in summary


def test_an_abi3_wheel_used_by_several_builds_is_listed_once(tmp_path, capsys):
    reports = [share_report(tmp_path, 1, 1, abi3=True)]
    code, text = merge(tmp_path, *reports, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 0, text
    (line,) = (tmp_path / "m" / "SHA256SUMS").read_text().splitlines()
    assert line.endswith("  x-1.0-cp313-abi3-manylinux_2_36_x86_64.whl")


def test_a_share_twice_is_refused(tmp_path, capsys):
    one, two = share_report(tmp_path, 1, 2), share_report(tmp_path, 2, 2)
    code, text = merge(tmp_path, one, two, one, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert f"shard 1/2 is given twice: {one} and {one}" in text
    assert not (tmp_path / "m").exists()


def test_missing_shares_are_named(tmp_path, capsys):
    two = share_report(tmp_path, 2, 3)
    code, text = merge(tmp_path, two, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert "missing shards 1/3, 3/3 of 3" in text


def test_a_share_of_another_plan_is_refused(tmp_path, capsys):
    one = share_report(tmp_path, 1, 2)
    other = tmp_path / "other"
    other.mkdir()
    two = share_report(other, 2, 2, test_command="pytest")
    code, text = merge(tmp_path, one, two, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert "2 different plans" in text
    assert str(one) in text
    assert str(two) in text


def test_splits_into_different_counts_are_refused(tmp_path, capsys):
    reports = [share_report(tmp_path, 1, 2), share_report(tmp_path, 2, 3)]
    code, text = merge(tmp_path, *reports, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert "different numbers of shares" in text


def test_the_same_wheel_from_two_shares_is_refused(tmp_path, capsys):
    # an abi3 project sharded as if it were not: both shares built the cp313-abi3 wheel
    reports = [share_report(tmp_path, i, 2, abi3=True) for i in (1, 2)]
    code, text = merge(tmp_path, *reports, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert "the wheel x-1.0-cp313-abi3-manylinux_2_36_x86_64.whl comes from" in text
    assert "(shard 1/2)" in text
    assert "(shard 2/2)" in text


def test_an_unsharded_report_merges_alone_only(tmp_path, capsys):
    plan = whole_plan()
    data = build_report.build_report([], exit_code=0, plan=plan)
    whole = build_report.write_report(tmp_path / "whole.json", data)
    code, text = merge(tmp_path, whole, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2  # its builds are missing
    assert "no report has cp313-manylinux_x86_64" in text
    code, text = merge(
        tmp_path, whole, share_report(tmp_path, 1, 2), output_dir=tmp_path / "m", capsys=capsys
    )
    assert code == 2
    assert "unsharded run" in text


def test_the_wheelhouse_is_refused_as_output_dir(tmp_path, capsys):
    reports = [share_report(tmp_path, 1, 2), share_report(tmp_path, 2, 2)]
    code, text = merge(tmp_path, *reports, output_dir=tmp_path / "wheels-1-2", capsys=capsys)
    assert code == 2
    assert "is the wheelhouse of" in text
    full = tmp_path / "full"
    full.mkdir()
    (full / "a-1.0-py3-none-any.whl").write_bytes(b"")
    code, text = merge(tmp_path, *reports, output_dir=full, capsys=capsys)
    assert code == 2
    assert "holds wheels" in text
    assert sorted(p.name for p in full.iterdir()) == ["a-1.0-py3-none-any.whl"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{", "is not JSON"),
        ('{"schema_version": 2}', "not a build report of schema version 1"),
        ('{"schema_version": 1, "builds": []}', "records no plan fingerprint"),
    ],
)
def test_unreadable_reports_are_named(tmp_path, capsys, content, needle):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, text = merge(tmp_path, bad, output_dir=tmp_path / "m", capsys=capsys)
    assert code == 2
    assert needle in text
    assert str(bad) in text
