"""The command line of shards, in-process, no engine: `--shard` / CIBWL_SHARD on `run` and
`plan`, `plan --github-matrix`, `report merge` and CIBW_LOG_FOLD_MODE."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.cli import app as cli
from cibuildwheel_like.shards import parse_shard

if TYPE_CHECKING:
    from pathlib import Path

CLEAN_ENV = ("CIBW_", "CIBWL_", "GITHUB_", "CI")
THREE = "cp313-manylinux_x86_64 cp314-manylinux_x86_64 cp315-manylinux_x86_64"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(CLEAN_ENV):
            monkeypatch.delenv(key)


@pytest.fixture
def cli_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(tmp_path)
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def project(root: Path, body: str = "") -> None:
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n' + body)


def identifiers(cli_run, *args: str) -> list[str]:
    code, out, err = cli_run("run", "--print-build-identifiers", "--platform", "linux", *args)
    assert code == 0, err
    return out.split()


# -- --shard / CIBWL_SHARD ------------------------------------------------------------------
def test_shards_of_print_build_identifiers_cover_the_plan(tmp_path, cli_run, monkeypatch):
    project(tmp_path)
    whole = identifiers(cli_run, "--archs", "x86_64,aarch64")
    for count in (2, 3, 5):
        parts = [
            identifiers(cli_run, "--archs", "x86_64,aarch64", "--shard", f"{i}/{count}")
            for i in range(1, count + 1)
        ]
        assert sorted(i for p in parts for i in p) == sorted(whole)
        assert all(parts)
    monkeypatch.setenv("CIBWL_SHARD", "2/3")
    by_env = identifiers(cli_run, "--archs", "x86_64,aarch64")
    assert by_env == identifiers(cli_run, "--archs", "x86_64,aarch64", "--shard", "2/3")
    # the command line wins over the environment, as for every option
    assert identifiers(cli_run, "--archs", "x86_64,aarch64", "--shard", "1/1") == whole


@pytest.mark.parametrize("value", ["0/2", "3/2", "x"])
@pytest.mark.parametrize("via", ["flag", "env"])
def test_bad_shard_is_a_configuration_error_naming_the_option(
    tmp_path, cli_run, monkeypatch, value, via
):
    project(tmp_path)
    args = ["run", "--platform", "linux"]
    if via == "flag":
        args += ["--shard", value]
    else:
        monkeypatch.setenv("CIBWL_SHARD", value)
    code, _, err = cli_run(*args)
    assert code == 2
    option = "--shard" if via == "flag" else "CIBWL_SHARD"
    assert f"{option}" in err
    assert repr(value) in err
    assert "use I/N" in err


def test_plan_shows_the_share_and_its_fingerprint(tmp_path, cli_run):
    project(tmp_path, f'[tool.cibuildwheel]\nbuild = "{THREE}"\n')
    code, whole, _ = cli_run("plan", "--platform", "linux", "--json")
    assert code == 0
    data = json.loads(whole)
    assert data["shard"] is None
    code, out, _ = cli_run("plan", "--platform", "linux", "--json", "--shard", "2/3")
    share = json.loads(out)
    assert share["shard"] == "2/3"
    assert share["fingerprint"] == data["fingerprint"]
    assert [b["identifier"] for b in share["builds"]] == ["cp314-manylinux_x86_64"]
    code, text, _ = cli_run("plan", "--platform", "linux", "--shard", "2/3")
    assert f"plan fingerprint: {data['fingerprint']}" in text
    assert "shard 2/3: 1 of the plan's 3 builds" in text


def test_plan_says_when_groups_stay_whole(tmp_path, cli_run):
    project(tmp_path, f'[tool.cibuildwheel]\nbuild = "{THREE}"\n')
    (tmp_path / "setup.py").write_text("setup(options={'bdist_wheel': {'py_limited_api': 'cp39'}})")
    code, text, _ = cli_run("plan", "--platform", "linux")
    assert code == 0
    assert "(setup.py: py_limited_api)" in text
    assert identifiers(cli_run, "--shard", "1/2") == THREE.split()
    assert identifiers(cli_run, "--shard", "2/2") == []


# -- plan --github-matrix -------------------------------------------------------------------
def matrix(cli_run, *args: str) -> dict:
    code, out, err = cli_run("plan", "--platform", "linux", "--github-matrix", *args)
    assert code == 0, err
    assert out.count("\n") == 1  # one line, for $GITHUB_OUTPUT
    data: dict = json.loads(out)
    return data


def test_github_matrix_is_valid_json_in_the_shape_fromjson_takes(tmp_path, cli_run):
    project(tmp_path)
    data = matrix(cli_run, "--archs", "x86_64,aarch64,ppc64le", "--max-jobs", "6")
    assert list(data) == ["include"]
    entries = data["include"]
    assert 1 < len(entries) <= 6
    for n, entry in enumerate(entries, start=1):
        assert set(entry) == {"shard", "name", "archs", "runs-on", "qemu", "builds"}
        assert entry["shard"] == f"{n}/{len(entries)}"
        assert parse_shard(entry["shard"], option="shard").index == n
        assert entry["name"].startswith(f"{n}/{len(entries)} · ")
        assert entry["runs-on"] == "ubuntu-latest"
        assert entry["builds"] > 0
        archs = entry["archs"].split()
        assert entry["qemu"] == any(a not in {"x86_64", "i686"} for a in archs)
    # every build in exactly one entry: the matrix covers the plan
    whole = identifiers(cli_run, "--archs", "x86_64,aarch64,ppc64le")
    assert sum(e["builds"] for e in entries) == len(whole)
    shares = [
        identifiers(cli_run, "--archs", "x86_64,aarch64,ppc64le", "--shard", e["shard"])
        for e in entries
    ]
    assert sorted(i for s in shares for i in s) == sorted(whole)
    for entry, share in zip(entries, shares, strict=True):
        assert {i.split("_", 1)[1] for i in share} == set(entry["archs"].split())


def test_github_matrix_is_stable(tmp_path, cli_run):
    project(tmp_path)
    first = matrix(cli_run, "--archs", "x86_64,aarch64", "--arm-runner", "arm64-box")
    assert matrix(cli_run, "--archs", "x86_64,aarch64", "--arm-runner", "arm64-box") == first


def test_github_matrix_with_an_arm_runner(tmp_path, cli_run):
    project(tmp_path)
    entries = matrix(cli_run, "--archs", "x86_64,aarch64", "--arm-runner", "ubuntu-24.04-arm")[
        "include"
    ]
    arm = [e for e in entries if e["runs-on"] == "ubuntu-24.04-arm"]
    assert arm
    assert all(e["archs"] == "aarch64" and not e["qemu"] for e in arm)
    others = [e for e in entries if e not in arm]
    assert others
    assert all("aarch64" not in e["archs"] and e["runs-on"] == "ubuntu-latest" for e in others)
    assert all(e["shard"].endswith("+arm") for e in entries)
    # balanced: natively, aarch64 costs what x86_64 does, so it gets as many shares
    assert abs(len(arm) - len(others)) <= 1
    whole = identifiers(cli_run, "--archs", "x86_64,aarch64")
    got = [
        i
        for e in entries
        for i in identifiers(cli_run, "--archs", "x86_64,aarch64", "--shard", e["shard"])
    ]
    assert sorted(got) == sorted(whole)
    # without aarch64 builds the arm runner changes nothing
    plain = matrix(cli_run, "--archs", "x86_64", "--arm-runner", "ubuntu-24.04-arm")
    assert plain == matrix(cli_run, "--archs", "x86_64")


def test_github_matrix_respects_max_jobs(tmp_path, cli_run):
    project(tmp_path)
    for jobs in (1, 2, 3):
        entries = matrix(cli_run, "--archs", "x86_64,aarch64,ppc64le", "--max-jobs", str(jobs))
        assert len(entries["include"]) == jobs


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--github-matrix", "--max-jobs", "0"], "--max-jobs = '0'"),
        (["--github-matrix", "--json"], "choose one"),
        (["--github-matrix", "--shard", "1/2"], "drop --shard"),
        (["--github-matrix", "--arm-runner", " "], "--arm-runner"),
        (["--max-jobs", "3"], "go with --github-matrix"),
    ],
)
def test_github_matrix_errors(tmp_path, cli_run, args, needle):
    project(tmp_path)
    code, _, err = cli_run("plan", "--platform", "linux", *args)
    assert code == 2
    assert needle in err


# -- CIBW_LOG_FOLD_MODE ---------------------------------------------------------------------
def test_bad_fold_mode_is_a_configuration_error(tmp_path, cli_run, monkeypatch):
    project(tmp_path)
    monkeypatch.setenv("CIBW_LOG_FOLD_MODE", "fancy")
    code, _, err = cli_run("plan", "--platform", "linux")
    assert code == 2
    assert "CIBW_LOG_FOLD_MODE = 'fancy' is not valid" in err
    assert "github, azure, travis, disabled" in err
