"""Shards end to end with Docker: `run --shard I/N` and `report merge`, real builds.

One unsharded run of the c-extension example (sid: cp313, cp314, cp315 natively), then every
share of a 2- and a 3-way split, one after another: together they deliver exactly the unsharded
run's wheels (names and file lists), each wheel from one share, every report records its share
and the same plan fingerprint. `report merge` of the shares writes a SHA256SUMS that
`sha256sum -c` accepts inside the merged wheelhouse, and refuses a share given twice, a missing
share, a share of another plan and a wheelhouse as its output directory. The abi3 example, split
in two, is one family: one share builds its wheel once and tests it on all three Pythons, the
other share is empty. No timings are asserted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import (
    TEST_LABEL,
    Run,
    cli_env,
    copy_example,
    ensure_image,
    our_containers,
    run_cli,
)

from cibuildwheel_like.report import build_report

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64", "cp315-manylinux_x86_64")
TOKEN = uuid.uuid4().hex  # one container label for every run: create-args are part of the plan
SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux* cp315-manylinux*",
    "CIBW_CONTAINER_ENGINE": f"docker; create_args: --label={TEST_LABEL}={TOKEN}",
}


def contents(wheels: list[Path]) -> dict[str, list[str]]:
    """Each wheel's name -> the sorted names of the files inside it."""
    result = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            result[wheel.name] = sorted(zf.namelist())
    return result


class Share:
    def __init__(self, root: Path, run: Run) -> None:
        self.root = root
        self.run = run
        self.report_path = root / "build-report.json"

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.report_path.read_text())
        return data


def build(example: str, base: Path, name: str, *args: str, env: dict[str, str] | None = None):
    root = base / name
    root.mkdir()
    project = copy_example(example, root)
    report = root / "build-report.json"
    run = run_cli(project, {**SID, **(env or {})}, "--jobs", "1", "--report", str(report), *args)
    return Share(root, run)


def merge(
    *reports: Path, output_dir: Path, step_summary: Path | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "cibuildwheel_like", "report", "merge"]
    argv += [str(r) for r in reports]
    env = cli_env({})
    env.pop("GITHUB_STEP_SUMMARY", None)
    if step_summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(step_summary)
    done = subprocess.run(
        [*argv, "--output-dir", str(output_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    print(done.stdout, done.stderr)
    return done


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Share]:
    ensure_image("docker", "sid")
    base = tmp_path_factory.mktemp("shards")
    result = {"whole": build("c-extension", base, "whole")}
    for count in (2, 3):
        for index in range(1, count + 1):
            if (index, count) == (2, 3):  # the environment variable, as the action may set it
                share = build("c-extension", base, "c2of3", env={"CIBWL_SHARD": "2/3"})
            else:
                share = build(
                    "c-extension", base, f"c{index}of{count}", "--shard", f"{index}/{count}"
                )
            result[f"{index}/{count}"] = share
    for index in (1, 2):
        result[f"abi3 {index}/2"] = build("abi3", base, f"abi3-{index}of2", "--shard", f"{index}/2")
    return result


def test_every_split_builds_exactly_the_unsharded_wheels(runs: dict[str, Share]) -> None:
    for name, share in runs.items():
        assert share.run.returncode == 0, name
        assert our_containers("docker", TOKEN) == [], name
    whole = contents(runs["whole"].run.wheels)
    assert len(whole) == 3
    for count in (2, 3):
        shares = [runs[f"{i}/{count}"] for i in range(1, count + 1)]
        names = [w.name for s in shares for w in s.run.wheels]
        assert len(names) == len(set(names)), names  # no wheel from two shares
        assert contents([w for s in shares for w in s.run.wheels]) == whole
        assert all(s.run.wheels for s in shares)  # the split is balanced: no share idle


def test_share_reports_record_the_share_and_the_plan(runs: dict[str, Share]) -> None:
    whole = runs["whole"].report
    assert whole["shard"] is None
    assert whole["plan"]["identifiers"] == list(IDS)
    fingerprint = whole["plan"]["fingerprint"]
    for count in (2, 3):
        covered: list[str] = []
        for index in range(1, count + 1):
            report = runs[f"{index}/{count}"].report
            assert build_report.validate(report) == []
            assert report["plan"] == whole["plan"]  # same fingerprint, same identifiers
            assert report["shard"]["spec"] == f"{index}/{count}"
            assert (report["shard"]["index"], report["shard"]["count"]) == (index, count)
            assert report["shard"]["identifiers"] == [b["identifier"] for b in report["builds"]]
            covered += report["shard"]["identifiers"]
        assert sorted(covered) == sorted(IDS)
    assert fingerprint.startswith("sha256:")
    assert "shard 2/3 of plan" in runs["2/3"].run.output


def test_merge_gives_checksums_sha256sum_accepts(runs: dict[str, Share], tmp_path: Path) -> None:
    reports = [runs[f"{i}/3"].report_path for i in (1, 2, 3)]
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    for i in (1, 2, 3):
        for wheel in runs[f"{i}/3"].run.wheels:
            shutil.copy2(wheel, wheelhouse / wheel.name)
    merged = tmp_path / "merged"
    step_summary = tmp_path / "step-summary.md"
    done = merge(*reversed(reports), output_dir=merged, step_summary=step_summary)  # any order
    assert done.returncode == 0, done.stderr
    sums = (merged / "SHA256SUMS").read_text().splitlines()
    assert sorted(line.split("  ", 1)[1] for line in sums) == sorted(
        w.name for w in runs["whole"].run.wheels
    )
    check = subprocess.run(
        ["sha256sum", "-c", str(merged / "SHA256SUMS")],
        cwd=wheelhouse,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 3
    report = json.loads((merged / "build-report.json").read_text())
    assert build_report.validate(report) == []
    assert [b["identifier"] for b in report["builds"]] == list(IDS)  # plan order
    assert report["shard"] is None
    assert [m["shard"] for m in report["merged"]] == ["1/3", "2/3", "3/3"]
    assert report["totals"]["built"] == 3
    summary = (merged / "summary.md").read_text()
    assert all(i in summary for i in IDS)
    assert (tmp_path / "step-summary.md").read_text() == summary  # GITHUB_STEP_SUMMARY

    # the 2-way split merges too, to checksums of the same wheels (names: builds are not
    # bit-for-bit reproducible without SOURCE_DATE_EPOCH)
    two = merge(*(runs[f"{i}/2"].report_path for i in (1, 2)), output_dir=tmp_path / "merged2")
    assert two.returncode == 0, two.stderr
    sums2 = (tmp_path / "merged2" / "SHA256SUMS").read_text().splitlines()
    assert sorted(line.split("  ", 1)[1] for line in sums2) == sorted(
        line.split("  ", 1)[1] for line in sums
    )

    # a wheelhouse is never the output directory
    refused = merge(*reports, output_dir=wheelhouse)
    assert refused.returncode == 2
    assert "holds wheels" in refused.stderr
    assert sorted(p.suffix for p in wheelhouse.iterdir()) == [".whl"] * 3  # untouched


def test_merge_refuses_twice_missing_and_another_plan(
    runs: dict[str, Share], tmp_path: Path
) -> None:
    one, two, three = (runs[f"{i}/3"].report_path for i in (1, 2, 3))
    twice = merge(one, two, three, two, output_dir=tmp_path / "twice")
    assert twice.returncode == 2
    assert "shard 2/3 is given twice" in twice.stderr
    assert str(two) in twice.stderr
    missing = merge(one, three, output_dir=tmp_path / "missing")
    assert missing.returncode == 2
    assert "missing shard 2/3" in missing.stderr
    other = merge(runs["1/2"].report_path, runs["abi3 2/2"].report_path, output_dir=tmp_path / "o")
    assert other.returncode == 2
    assert "different plans" in other.stderr
    assert str(runs["abi3 2/2"].report_path) in other.stderr
    for name in ("twice", "missing", "o"):
        assert not (tmp_path / name).exists()  # nothing written when refused


def test_an_abi3_family_stays_in_one_share_and_is_built_once(
    runs: dict[str, Share], tmp_path: Path
) -> None:
    first, second = runs["abi3 1/2"], runs["abi3 2/2"]
    assert first.report["shard"]["identifiers"] == list(IDS)
    assert second.report["shard"]["identifiers"] == []
    assert second.report["builds"] == []
    assert second.run.wheels == []
    (wheel,) = first.run.wheels
    assert "-abi3-" in wheel.name
    builds = first.report["builds"]
    assert [b["status"] for b in builds] == ["built"] * 3
    assert {b["wheel"]["filename"] for b in builds} == {wheel.name}
    assert [b["test_outcome"] for b in builds] == ["passed"] * 3  # tested on every Python
    assert first.run.output.count(f"reusing {wheel.name}") == 2
    done = merge(first.report_path, second.report_path, output_dir=tmp_path / "merged")
    assert done.returncode == 0, done.stderr
    sums = (tmp_path / "merged" / "SHA256SUMS").read_text().splitlines()
    assert sums == [f"{builds[0]['wheel']['sha256']}  {wheel.name}"]
