"""The composite GitHub Action: its interface, and its shell steps run for real in bash."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"]}

# Make a tiny stand-in for a program: it appends its arguments, one per line, to $ARGV_LOG.
RECORDER = """#!/bin/sh
for a in "$0" "$@"; do printf '%s\\n' "$a" >> "$ARGV_LOG"; done
printf -- '--\\n' >> "$ARGV_LOG"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
"""


def test_inputs_are_cibuildwheels():
    inputs = ACTION["inputs"]
    assert {name: spec["default"] for name, spec in inputs.items()} == {
        "package-dir": ".",
        "output-dir": "wheelhouse",
        "config-file": "",
        "only": "",
        "extras": "",
        "python-path": "",  # cibuildwheel's action has it too
        "shard": "",
        "keep-going": "",
        "github-matrix": "false",
        "max-jobs": "",
        "arm-runner": "",
    }
    assert all(spec["description"] for spec in inputs.values())


def test_outputs_and_composite():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["outputs"]) == {"wheelhouse", "report", "matrix"}
    assert ACTION["outputs"]["report"]["value"] == "${{ steps.paths.outputs.report }}"
    assert ACTION["outputs"]["matrix"]["value"] == "${{ steps.matrix.outputs.matrix }}"


def test_every_action_used_is_pinned_by_commit():
    uses = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert uses
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), use


def test_python_path_input_replaces_setup_python():
    assert STEPS["python"]["if"].startswith("inputs.python-path == ''")
    python = STEPS["install"]["env"]["ACTION_PYTHON"]
    assert python.startswith("${{ inputs.python-path || steps.python.outputs.python-path")


def test_the_build_merges_stderr_into_stdout():
    assert STEPS["run"]["run"].rstrip().endswith('"${args[@]}" 2>&1')
    assert "exec 2>&1" in STEPS["install"]["run"]


def test_inputs_never_reach_script_text():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["id"]
            assert step["shell"] == "bash"
            assert step["run"].startswith("set -euo pipefail\n")


@pytest.mark.parametrize("step_id", [s["id"] for s in ACTION["runs"]["steps"] if "run" in s])
def test_scripts_parse(step_id):
    subprocess.run(["bash", "-n", "-c", STEPS[step_id]["run"]], check=True)


def run_step(step_id: str, env: dict[str, str], cwd: Path) -> dict[str, str]:
    github_output = cwd / "github_output"
    github_output.touch()
    full_env = {
        "PATH": os.environ["PATH"],
        "GITHUB_OUTPUT": str(github_output),
        "RUNNER_TEMP": str(cwd / "runner_temp"),
        "ARGV_LOG": str(cwd / "argv.log"),
        **env,
    }
    (cwd / "runner_temp").mkdir(exist_ok=True)
    subprocess.run(["bash", "-c", STEPS[step_id]["run"]], env=full_env, cwd=cwd, check=True)
    lines = github_output.read_text().splitlines()
    github_output.unlink()
    return dict(line.split("=", 1) for line in lines)


def recorder(tmp_path: Path) -> Path:
    program = tmp_path / "recorder"
    program.write_text(RECORDER)
    program.chmod(0o755)
    return program


def recorded(tmp_path: Path) -> list[list[str]]:
    calls = (tmp_path / "argv.log").read_text().split("--\n")
    return [c.splitlines()[1:] for c in calls if c]


@pytest.mark.parametrize(("extras", "spec_suffix"), [("", ""), ("uv,docs", "[uv,docs]")])
def test_install_step(tmp_path, extras, spec_suffix):
    outputs = run_step(
        "install",
        {
            "ACTION_PYTHON": str(recorder(tmp_path)),
            "ACTION_PATH": "/actions/cibuildwheel-like",
            "ACTION_EXTRAS": extras,
        },
        tmp_path,
    )
    venv = tmp_path / "runner_temp" / "cibuildwheel-like-venv"
    assert outputs == {"program": f"{venv}/bin/cibuildwheel-like"}
    assert recorded(tmp_path) == [
        ["-m", "venv", str(venv)],
        [
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            f"/actions/cibuildwheel-like{spec_suffix}",
        ],
    ]


def test_paths_step_makes_absolute_outputs(tmp_path):
    outputs = run_step("paths", {"ACTION_OUTPUT_DIR": "dist/wheel house"}, tmp_path)
    wheelhouse = tmp_path / "dist" / "wheel house"
    assert wheelhouse.is_dir()
    # The report is not in the wheelhouse: that folder holds wheels only (twine upload dir/*).
    assert outputs == {
        "wheelhouse": str(wheelhouse),
        "report": str(tmp_path / "build-report.json"),
    }


def test_paths_step_keeps_the_report_out_of_a_wheelhouse_that_is_the_cwd(tmp_path):
    outputs = run_step("paths", {"ACTION_OUTPUT_DIR": "."}, tmp_path)
    assert outputs == {
        "wheelhouse": str(tmp_path),
        "report": str(tmp_path.parent / "build-report.json"),
    }


@pytest.mark.parametrize(
    ("config_file", "only", "extra_args"),
    [
        ("", "", []),
        ("ci/cibw.toml", "", ["--config-file", "ci/cibw.toml"]),
        ("", "cp312-manylinux_x86_64", ["--only", "cp312-manylinux_x86_64"]),
        (
            "a b.toml",
            "cp39-musllinux_i686",
            ["--config-file", "a b.toml", "--only", "cp39-musllinux_i686"],
        ),
    ],
)
def test_run_step_arguments(tmp_path, config_file, only, extra_args):
    run_step(
        "run",
        {
            "ACTION_PROGRAM": str(recorder(tmp_path)),
            "ACTION_PACKAGE_DIR": "my pkg",
            "ACTION_OUTPUT_DIR": "/abs/wheelhouse",
            "ACTION_REPORT": "/abs/build-report.json",
            "ACTION_CONFIG_FILE": config_file,
            "ACTION_ONLY": only,
            "ACTION_SHARD": "",
            "ACTION_KEEP_GOING": "",
        },
        tmp_path,
    )
    assert recorded(tmp_path) == [
        [
            "run",
            "my pkg",
            "--output-dir",
            "/abs/wheelhouse",
            "--report",
            "/abs/build-report.json",
            *extra_args,
        ]
    ]


@pytest.mark.parametrize(
    ("shard", "keep_going", "extra_args", "keep_going_env"),
    [
        ("", "", [], None),
        ("2/3", "", ["--shard", "2/3"], None),
        ("1/2+arm", "true", ["--shard", "1/2+arm"], "true"),
    ],
)
def test_run_step_shard_and_keep_going(tmp_path, shard, keep_going, extra_args, keep_going_env):
    # the recorder also notes CIBWL_KEEP_GOING, which the step passes through unchanged
    program = tmp_path / "recorder"
    program.write_text(
        RECORDER.replace(
            "for a in", 'echo "KG=${CIBWL_KEEP_GOING-unset}" >> "$ARGV_LOG"\nfor a in', 1
        )
    )
    program.chmod(0o755)
    run_step(
        "run",
        {
            "ACTION_PROGRAM": str(program),
            "ACTION_PACKAGE_DIR": ".",
            "ACTION_OUTPUT_DIR": "/abs/wheelhouse",
            "ACTION_REPORT": "/abs/build-report.json",
            "ACTION_CONFIG_FILE": "",
            "ACTION_ONLY": "",
            "ACTION_SHARD": shard,
            "ACTION_KEEP_GOING": keep_going,
        },
        tmp_path,
    )
    log = (tmp_path / "argv.log").read_text().splitlines()
    assert log[0] == f"KG={keep_going_env or 'unset'}"
    assert log[2:-1] == [
        "run", ".", "--output-dir", "/abs/wheelhouse", "--report", "/abs/build-report.json",
        *extra_args,
    ]  # fmt: skip


def test_matrix_step_sets_the_output_from_the_plans_json(tmp_path):
    program = tmp_path / "planner"
    program.write_text(
        '#!/bin/sh\nprintf \'%s\\n\' "$@" > "$ARGV_LOG"\necho \'{"include": [{"shard": "1/1"}]}\'\n'
    )
    program.chmod(0o755)
    outputs = run_step(
        "matrix",
        {
            "ACTION_PROGRAM": str(program),
            "ACTION_PACKAGE_DIR": "pkg",
            "ACTION_CONFIG_FILE": "",
            "ACTION_MAX_JOBS": "4",
            "ACTION_ARM_RUNNER": "ubuntu-24.04-arm",
        },
        tmp_path,
    )
    assert outputs == {"matrix": '{"include": [{"shard": "1/1"}]}'}
    assert (tmp_path / "argv.log").read_text().splitlines() == [
        "plan", "pkg", "--github-matrix", "--max-jobs", "4", "--arm-runner", "ubuntu-24.04-arm",
    ]  # fmt: skip
