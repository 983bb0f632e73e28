"""Containers of dead runs are removed by ``doctor`` (as by the next run); a container of a run
that is still alive, or of another host, is kept. Real docker containers; no build."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest
from test_pipeline_support import REPO, TEST_LABEL, ensure_image

from cibuildwheel_like.engine import ownership

pytestmark = pytest.mark.engine


def create(image: str, name: str, token: str, owner: ownership.RunOwner) -> None:
    labels = {ownership.BUILD_LABEL: "1", TEST_LABEL: token, **owner.labels()}
    argv = ["docker", "create", f"--name={name}", "--pull=never"]
    argv += [f"--label={k}={v}" for k, v in labels.items()]
    subprocess.run([*argv, image, "true"], check=True, capture_output=True)


def present(token: str) -> set[str]:
    done = subprocess.run(
        ["docker", "ps", "-a", "--filter", f"label={TEST_LABEL}={token}", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_doctor_removes_only_the_containers_of_dead_runs_on_this_host():
    image = ensure_image("docker", "bookworm")
    token = uuid.uuid4().hex
    dead = subprocess.Popen(["sleep", "60"])
    dead_start = ownership.process_start(dead.pid)
    dead.kill()
    dead.wait()
    host = socket.gethostname()
    owners = {
        "dead": ownership.RunOwner(pid=dead.pid, start=dead_start or "x", host=host),
        "alive": ownership.RunOwner.current(),
        "elsewhere": ownership.RunOwner(pid=dead.pid, start=dead_start or "x", host="other"),
    }
    names = {kind: f"cibuildwheel-like-test-{kind}-{token[:8]}" for kind in owners}
    try:
        for kind, owner in owners.items():
            create(image, names[kind], token, owner)
        done = subprocess.run(
            [sys.executable, "-m", "cibuildwheel_like", "doctor", "--image", image],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
        )
        output = done.stdout + done.stderr
        assert f"{names['dead']} (run pid {dead.pid} on {host})" in output
        assert "left behind by runs that ended without cleaning up" in output
        assert present(token) == {names["alive"], names["elsewhere"]}
    finally:
        subprocess.run(["docker", "rm", "-f", *names.values()], capture_output=True, check=False)
