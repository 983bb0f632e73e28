"""After a failed command, a lost engine or container is named instead of the command.

The engine's answers are scripted below the ``hostcmd`` seam; nothing starts an engine."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.engine import container as container_module
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.errors import ContainerLostError, EngineLostError
from cibuildwheel_like.options.model import EngineConfig


def started(monkeypatch: pytest.MonkeyPatch, inspect: Any, *, reachable: bool = True) -> Container:
    def run(argv: list[str], **_kw: Any) -> subprocess.CompletedProcess[bytes]:
        assert argv[1] == "inspect"
        if isinstance(inspect, BaseException):
            raise inspect
        code, out = inspect
        return subprocess.CompletedProcess(argv, code, out, b"")

    version = client.EngineVersion(
        engine="docker",
        client="20.10",
        client_api="1.41",
        server="20.10" if reachable else None,
        api="1.41" if reachable else None,
        error="" if reachable else "Cannot connect to the Docker daemon. Is it running?",
    )
    monkeypatch.setattr(container_module.hostcmd, "run", run)
    monkeypatch.setattr(container_module.client, "engine_version", lambda _e: version)
    c = Container(
        image="img",
        arch=Arch.x86_64,
        engine=EngineConfig(name="docker"),
        output=None,  # type: ignore[arg-type]  # not reached
        host_environ={},
    )
    c._created = True
    return c


def test_a_running_container_means_the_command_itself_failed(monkeypatch):
    started(monkeypatch, (0, b"true\n")).check_alive("`make`")


def test_a_stopped_container_is_named(monkeypatch):
    c = started(monkeypatch, (0, b"false\n"))
    with pytest.raises(ContainerLostError, match=f"container {c.name} stopped while running"):
        c.check_alive("`make`")


def test_a_removed_container_is_named(monkeypatch):
    c = started(monkeypatch, (1, b""))
    with pytest.raises(ContainerLostError, match="disappeared while running `make`"):
        c.check_alive("`make`")


@pytest.mark.parametrize("inspect", [(1, b""), subprocess.TimeoutExpired(["docker"], 30)])
def test_an_engine_that_stopped_answering_is_named(monkeypatch, inspect):
    c = started(monkeypatch, inspect, reachable=False)
    with pytest.raises(EngineLostError) as info:
        c.check_alive("`make`")
    message = str(info.value)
    assert "container engine docker stopped answering while running `make`" in message
    assert "Is it running?" in message
    assert "start the daemon" in message


def test_a_container_the_run_removed_itself_is_not_an_error(monkeypatch):
    c = started(monkeypatch, RuntimeError("no engine call expected"))
    c._aborted = True
    c.check_alive("`make`")


def test_a_long_internal_script_is_shortened_in_the_message(monkeypatch):
    c = started(monkeypatch, (0, b"false\n"))
    with pytest.raises(ContainerLostError) as info:
        c.check_alive("`sh -c 'echo probe\nfor c in x; do\n  true\ndone'`")
    assert "while running `sh -c 'echo probe…`: it was killed" in str(info.value)
