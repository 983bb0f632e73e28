"""The one guard: unit tests never reach a container engine or touch a root filesystem.

Production code has no test switch; instead every way this process can start a program is
wrapped for the duration of each test (``subprocess.Popen``, which ``subprocess.run``,
``os.popen`` and asyncio use, and the ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*`` and
``os.system`` calls). A command is refused when any of its words names a blocked program, by
name or by absolute path, so wrappers (``sudo docker``, ``setarch i686 chroot``, ``env podman``)
and shell strings (``sh -c "docker ps"``) are refused too. Tests that need the guard's error or
the list of names use the ``host_guard`` fixture.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Programs that drive a container engine, build or enter a root filesystem, or change mounts,
# namespaces or privileges. The words are compared with each argument's last path component.
BLOCKED_PROGRAMS = frozenset(
    {
        # container engines, their daemons and runtimes
        "docker",
        "dockerd",
        "podman",
        "buildah",
        "skopeo",
        "nerdctl",
        "containerd",
        "ctr",
        "runc",
        "crun",
        "systemd-nspawn",
        # root filesystems (images/rootfs.py) and what they need
        "debootstrap",
        "mmdebstrap",
        "cdebootstrap",
        "chroot",
        "unshare",
        "nsenter",
        "mount",
        "umount",
        # privilege escalation, which could do any of the above
        "sudo",
        "doas",
        "pkexec",
        # QEMU binfmt registrations are host-wide kernel state
        "update-binfmts",
    }
)

# Shell punctuation, quotes and "=" split a shell string (or an option like --engine=docker) into
# the words a shell would run, closely enough to find a blocked program in them.
_WORD_SEPARATORS = re.compile(r"""[\s;&|()<>`$'"{}=\\]+""")


class HostCommandBlockedError(RuntimeError):
    """A unit test tried to run an engine, root-filesystem or privileged command."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class HostGuard:
    error: type[HostCommandBlockedError]
    programs: frozenset[str]


def _words(value: object) -> Iterator[str]:
    """Every word in a command argument, flattening argv lists and skipping env mappings."""
    if isinstance(value, (Mapping, int, float)) or value is None:
        return
    if isinstance(value, (str, bytes, os.PathLike)):
        text = os.fsdecode(value)
        yield from (word for word in _WORD_SEPARATORS.split(text) if word)
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _words(item)


def blocked_program(*parts: object) -> str | None:
    """The first blocked program named anywhere in a command's parts, or None."""
    for word in (w for part in parts for w in _words(part)):
        name = word.rstrip("/").rsplit("/", 1)[-1]
        if name in BLOCKED_PROGRAMS:
            return name
    return None


def _refuse(how: str, parts: tuple[object, ...]) -> None:
    program = blocked_program(*parts)
    if program is not None:
        message = f"unit tests may not run {program} (via {how}): {parts!r}"
        raise HostCommandBlockedError(message)


def _guarded(how: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # The env= mapping is skipped by _words; argv, the path and executable= are checked.
        _refuse(how, (*args, kwargs.get("executable"), kwargs.get("args")))
        return real(*args, **kwargs)

    return guarded


_OS_LAUNCHERS = (
    "system",
    "popen",
    "execl",
    "execle",
    "execlp",
    "execlpe",
    "execv",
    "execve",
    "execvp",
    "execvpe",
    "spawnl",
    "spawnle",
    "spawnlp",
    "spawnlpe",
    "spawnv",
    "spawnve",
    "spawnvp",
    "spawnvpe",
    "posix_spawn",
    "posix_spawnp",
)


@pytest.fixture(autouse=True)
def _no_engine_or_root_filesystem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undone by monkeypatch after each test."""
    real_init = subprocess.Popen.__init__

    def popen_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        _refuse("subprocess.Popen", (args, kwargs.get("executable")))
        real_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", popen_init)
    for name in _OS_LAUNCHERS:
        real = getattr(os, name, None)
        if real is not None:
            monkeypatch.setattr(os, name, _guarded(f"os.{name}", real))


@pytest.fixture
def host_guard() -> HostGuard:
    """The guard's error class and blocked names, for tests that check the guard itself."""
    return HostGuard(error=HostCommandBlockedError, programs=BLOCKED_PROGRAMS)
