"""build-timeout and test-timeout on a real container: the step outliving its limit is killed
with everything it started (a background job, a `nohup` job, a process that left its session
with `setsid`), the identifier fails naming the step and the limit, and the container is cleaned
up as after any failure."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

# Four processes that would outlive a naive kill of the exec: each sleeps far past the limit.
HANG = (
    "setsid sleep 1000 </dev/null >/dev/null 2>&1 & nohup sleep 999 >/dev/null 2>&1 &"
    ' sh -c "sleep 998" & echo HANGING; sleep 997'
)
# Every process of the container but this probe: "PID: command line".
PROCESSES = (
    'for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = $$ ] && continue;'
    ' c=$(tr "\\0" " " < "$d/cmdline" 2>/dev/null) || continue; [ -n "$c" ] && echo "$p: $c"; done'
)


def test_build_timeout_kills_the_step_and_everything_it_started(tmp_path: Path):
    ensure_image("docker", "bookworm")
    project = copy_example("c-extension", tmp_path)
    report = tmp_path / "report.json"
    env = {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_BEFORE_BUILD": HANG,
        "CIBWL_BUILD_TIMEOUT": "0.1",  # 6 s; the sleeps would take over 16 minutes
        "CIBW_DEBUG_KEEP_CONTAINER": "1",  # to look inside afterwards
    }
    run = run_cli(project, env, "--report", str(report), timeout=600)
    kept = run.containers()
    try:
        assert run.returncode == 1
        assert "HANGING" in run.output  # the step did start
        message = (
            "cp311-manylinux_x86_64: step 'before-build' ran past build-timeout = 0.1 minutes"
            " (6 s) and was stopped"
        )
        assert message in run.output
        assert run.wheels == []
        data = json.loads(report.read_text())
        (build,) = data["builds"]
        assert build["status"] == "failed"
        assert message in build["error"]
        assert [(s["name"], s["ok"]) for s in build["steps"]][-1] == ("before-build", False)
        # nothing of the step is left running: only the keep-alive (PID 1) and its sleep
        assert len(kept) == 1
        probe = subprocess.run(
            ["docker", "exec", kept[0], "sh", "-c", PROCESSES],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        left = sorted(line.split(": ", 1)[1].strip() for line in probe.stdout.splitlines())
        assert len(left) == 2, probe.stdout
        assert left[0].startswith("/bin/sh -c trap"), probe.stdout
        assert left[1] == "sleep 3600", probe.stdout
    finally:
        for name in kept:
            subprocess.run(["docker", "rm", "-f", name], check=False, capture_output=True)
    assert run.containers() == []


def test_test_timeout_stops_a_hanging_test_command(tmp_path: Path):
    """The wheel builds; its test hangs. Where exactly the 30 s run out (the test environment,
    the installs or the command) depends on the machine's load: the step is the same."""
    ensure_image("docker", "bookworm")
    project = copy_example("c-extension", tmp_path)
    env = {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_TEST_GROUPS": "",
        "CIBW_TEST_COMMAND": "echo TESTING; sleep 600",
        "CIBWL_TEST_TIMEOUT": "0.5",
        "CIBWL_BUILD_TIMEOUT": "30",  # a limit that is not reached changes nothing
    }
    run = run_cli(project, env, timeout=600)
    assert run.returncode == 1
    assert "✓ cp311-manylinux_x86_64: build" in run.output
    assert (
        "cp311-manylinux_x86_64: step 'test' ran past test-timeout = 0.5 minutes (30 s) and was"
        " stopped" in run.output
    )
    assert run.wheels == []  # an untested wheel is not delivered
    assert run.containers() == []
