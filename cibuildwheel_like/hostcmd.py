"""The one seam for commands run on the host.

Every host command is an argument list (never a shell string), can be echoed, is checked, and
is interrupt-safe: on Ctrl-C the child is terminated before the KeyboardInterrupt propagates.
(Unit tests refuse engine and root-filesystem commands below this seam, in unit_test/conftest.py,
so production code carries no test switch.)
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING

from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from pathlib import Path

Echo = Callable[[str], None]


def quote(args: Sequence[str | os.PathLike[str]]) -> str:
    return shlex.join(os.fspath(a) for a in args)


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    capture: bool = False,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdin: IO[bytes] | int | None = None,
    input_bytes: bytes | None = None,
    stdout: IO[bytes] | int | None = None,
    echo: Echo | None = None,
    timeout: float | None = None,
    log: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``args`` on the host. ``capture`` collects stdout/stderr; otherwise they stream.

    ``log``: stderr goes where stdout goes (see ``run_logged``)."""
    argv = [os.fspath(a) for a in args]
    if echo is not None:
        echo(f"+ {quote(argv)}")
    out: IO[bytes] | int | None = subprocess.PIPE if capture else stdout
    err: int | None = subprocess.PIPE if capture else (subprocess.STDOUT if log else None)
    try:
        with subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if input_bytes is not None else stdin,
            stdout=out,
            stderr=err,
            env=None if env is None else dict(env),
            cwd=cwd,
        ) as proc:
            try:
                stdout_data, stderr_data = proc.communicate(input_bytes, timeout=timeout)
            except BaseException:
                # Ctrl-C or timeout: never leave the child running behind us.
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                raise
    except FileNotFoundError as e:
        raise HostCommandError(f"`{argv[0]}` was not found on PATH (running: {quote(argv)})") from e
    result = subprocess.CompletedProcess(argv, proc.returncode, stdout_data, stderr_data)
    if check and result.returncode != 0:
        detail = ""
        if capture and stderr_data:
            detail = "\n" + stderr_data.decode(errors="replace").strip()[-2000:]
        raise HostCommandError(
            f"command failed with exit code {result.returncode}: {quote(argv)}{detail}"
        )
    return result


def run_logged(
    args: Sequence[str | os.PathLike[str]],
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    tail_lines: int = 15,
) -> tuple[int, str]:
    """Run with stdout and stderr appended to ``log`` (after a ``$ command`` line).

    Returns the exit code and, when it is non-zero, the log's last ``tail_lines`` lines, so the
    caller can raise its own error naming the step and the log. Interrupt-safe like ``run``.
    """
    with log.open("ab") as out:
        out.write(f"\n$ {quote(args)}\n".encode())
        out.flush()
        result = run(args, check=False, env=env, stdin=subprocess.DEVNULL, stdout=out, log=True)
    if result.returncode == 0:
        return 0, ""
    tail = log.read_text(errors="replace").splitlines()[-tail_lines:]
    return result.returncode, "\n".join(tail)


def stream(
    args: Sequence[str | os.PathLike[str]],
    on_line: Callable[[str], None],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> int:
    """Run with stdout and stderr merged, handing each line to ``on_line`` as it comes (so a
    host step's output is folded with the build's like a container's); the exit code.
    Interrupt-safe like ``run``."""
    argv = [os.fspath(a) for a in args]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=None if env is None else dict(env),
            cwd=cwd,
        )
    except FileNotFoundError as e:
        raise HostCommandError(f"`{argv[0]}` was not found on PATH (running: {quote(argv)})") from e
    with proc:
        try:
            assert proc.stdout is not None  # noqa: S101  # PIPE above
            for raw in proc.stdout:
                on_line(raw.decode(errors="replace").rstrip("\n"))
            return proc.wait()
        except BaseException:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise


def popen(
    args: Sequence[str | os.PathLike[str]],
    **kwargs: object,
) -> subprocess.Popen[bytes]:
    """Start a long-lived host process (e.g. ``docker exec -i`` for streaming). Caller owns it."""
    argv = [os.fspath(a) for a in args]
    try:
        return subprocess.Popen(argv, **kwargs)  # type: ignore[call-overload,no-any-return]
    except FileNotFoundError as e:
        raise HostCommandError(f"`{argv[0]}` was not found on PATH (running: {quote(argv)})") from e


def output(args: Sequence[str | os.PathLike[str]], **kwargs: object) -> str:
    """Run and return stdout as text (checked)."""
    result = run(args, capture=True, **kwargs)  # type: ignore[arg-type]
    return result.stdout.decode(errors="replace")
