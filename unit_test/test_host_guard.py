"""The guard in conftest.py refuses every engine and root-filesystem command, however started.

Each probe names the program by a path that does not exist and runs with an empty PATH, so a
broken guard fails the test with FileNotFoundError (or a shell's 127) instead of reaching a real
engine or replacing this process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from cibuildwheel_like import hostcmd
from cibuildwheel_like.engine import client

NAMES = (
    "docker",
    "podman",
    "debootstrap",
    "mmdebstrap",
    "chroot",
    "unshare",
    "nsenter",
    "mount",
    "umount",
    "sudo",
    "buildah",
    "runc",
)
NOWHERE = "/nonexistent-guard-probe"


@pytest.fixture(autouse=True)
def _empty_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))


def test_the_list_covers_engines_and_root_filesystems(host_guard):
    assert set(NAMES) <= host_guard.programs


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "launch",
    [
        pytest.param(lambda name: subprocess.run([name, "--version"], check=False), id="by-name"),
        pytest.param(
            lambda name: subprocess.run([f"{NOWHERE}/{name}"], check=False), id="absolute-path"
        ),
        pytest.param(
            lambda name: subprocess.run(["true"], executable=f"{NOWHERE}/{name}", check=False),
            id="executable-kwarg",
        ),
        pytest.param(
            lambda name: subprocess.run(f"{name} ps", shell=True, check=False),  # noqa: S602
            id="shell-string",
        ),
        pytest.param(
            lambda name: subprocess.run(["sh", "-c", f"exec {name} ps"], check=False),
            id="sh-c",
        ),
        pytest.param(
            lambda name: subprocess.run(["setarch", "i686", name, "/x"], check=False),
            id="wrapped",
        ),
        pytest.param(
            lambda name: subprocess.run(["cli", f"--engine={name}"], check=False),
            id="option-value",
        ),
        pytest.param(lambda name: hostcmd.run([name, "info"]), id="hostcmd.run"),
        pytest.param(lambda name: hostcmd.popen([f"{NOWHERE}/{name}"]), id="hostcmd.popen"),
        pytest.param(lambda name: os.system(f"{NOWHERE}/{name} ps"), id="os.system"),  # noqa: S605
        pytest.param(lambda name: os.popen(f"{NOWHERE}/{name} ps"), id="os.popen"),  # noqa: S605
        pytest.param(lambda name: os.execv(f"{NOWHERE}/{name}", [name]), id="os.execv"),  # noqa: S606
        pytest.param(
            lambda name: os.execvpe(name, [name], {"PATH": NOWHERE}),  # noqa: S606
            id="os.execvpe",
        ),
        pytest.param(
            lambda name: os.execl(f"{NOWHERE}/sh", "sh", "-c", name),  # noqa: S606
            id="os.execl-args",
        ),
        pytest.param(
            lambda name: os.spawnv(os.P_WAIT, f"{NOWHERE}/{name}", [name]),  # noqa: S606
            id="os.spawnv",
        ),
        pytest.param(
            lambda name: os.spawnlp(os.P_WAIT, name, name),  # noqa: S606
            id="os.spawnlp",
        ),
        pytest.param(
            lambda name: os.posix_spawn(f"{NOWHERE}/{name}", [name], {}), id="os.posix_spawn"
        ),
        pytest.param(lambda name: os.posix_spawnp(name, [name], {}), id="os.posix_spawnp"),
        pytest.param(lambda name: asyncio.run(_asyncio_exec(f"{NOWHERE}/{name}")), id="asyncio"),
    ],
)
def test_every_way_of_starting_a_blocked_program_is_refused(host_guard, name, launch):
    with pytest.raises(host_guard.error, match=f"unit tests may not run {name}"):
        launch(name)


async def _asyncio_exec(program: str) -> None:
    process = await asyncio.create_subprocess_exec(program)
    await process.wait()


def test_the_engine_client_cannot_reach_an_engine(host_guard):
    with pytest.raises(host_guard.error, match="docker"):
        client.image_info("docker", "anything")


@pytest.mark.parametrize(
    "argv",
    [
        ["sh", "-c", "echo mounted; printf '%s' dockerfile"],
        [sys.executable, "-c", "print('ok')"],
        ["sh", "-c", "exit 0", "sh", "/tmp/chroot-like/podman-notes.txt"],
    ],
)
def test_other_commands_still_run(argv, monkeypatch):
    monkeypatch.setenv("PATH", os.defpath)
    assert subprocess.run(argv, check=False, capture_output=True).returncode == 0
