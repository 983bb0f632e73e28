"""Container.time_limit, the engine seam of build-timeout / test-timeout, without an engine:
the limit's bookkeeping, and the kill script (parsed by the host's shell, never run here)."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import Any

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import exec_limit
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.engine.exec_limit import KEEP_ALIVE_MARK, ExecTimeoutError
from cibuildwheel_like.options.model import EngineConfig


def _container(**kw: Any) -> Container:
    return Container(
        image="img",
        arch=Arch.x86_64,
        engine=EngineConfig(name="docker"),
        output=None,  # type: ignore[arg-type]  # not reached: nothing runs
        host_environ={},
        **kw,
    )


def test_a_command_started_after_the_limit_is_refused_without_running():
    c = _container()
    with c.time_limit(0.01):
        time.sleep(0.05)
        with pytest.raises(ExecTimeoutError) as info:
            c.run(["true"], env={}, cwd="/")  # would need an engine if it started
    assert info.value.seconds == pytest.approx(0.01)
    assert "ran past its time limit" in str(info.value)


def test_limits_nest_and_end_with_their_block():
    c = _container()
    assert c._remaining() is None
    with c.time_limit(600):
        outer = c._remaining()
        assert outer is not None
        assert 590 < outer <= 600
        with c.time_limit(None):  # None: the enclosing limit stays
            assert c._remaining() is not None
        with c.time_limit(5):
            inner = c._remaining()
            assert inner is not None
            assert inner <= 5
        remaining = c._remaining()
        assert remaining is not None
        assert remaining > 5
    assert c._remaining() is None


def test_the_keep_alive_carries_the_mark_the_kill_script_looks_for():
    argv = _container().create_argv("linux/amd64")
    assert argv[-1] == KEEP_ALIVE_MARK
    # the script builds the mark at run time, so its own command line never matches it
    assert KEEP_ALIVE_MARK not in exec_limit.KILL_ALL


@pytest.mark.parametrize("shell", ["sh", "dash", "bash", "busybox"])
def test_the_kill_script_parses_in_every_shell_an_image_may_have(shell: str):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    argv = [shell, "sh"] if shell == "busybox" else [shell]
    checked = subprocess.run(
        [*argv, "-n", "-c", exec_limit.KILL_ALL], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_the_kill_script_builds_the_keep_alive_mark():
    first_line = exec_limit.KILL_ALL.strip().splitlines()[0]
    built = subprocess.run(
        ["sh", "-c", f'{first_line}; printf %s "$m"'], capture_output=True, text=True, check=True
    )
    assert built.stdout == KEEP_ALIVE_MARK
