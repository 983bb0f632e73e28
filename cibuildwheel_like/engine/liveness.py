"""After a command in a build container failed: was it the command, or the engine or the
container under it?

A ``docker exec`` ends with an error both when its command fails and when the container was
killed from outside (``docker kill``, the OOM killer), removed, or the engine's daemon stopped.
Blaming the command in the last three cases sends the user looking in the wrong place, so the
container's state and the engine are asked (each question bounded in time) and a lost container
or engine gets its own error, naming it and the fix.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from cibuildwheel_like import hostcmd
from cibuildwheel_like.engine import client
from cibuildwheel_like.errors import ContainerLostError, EngineLostError, FatalError

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import EngineName

PROBE_TIMEOUT = 30.0
_SHOWN_COMMAND = 100  # characters of a command named in an error
_DELIVERED = "Wheels delivered before are complete in the output directory"


def shorten(what: str) -> str:
    """A multi-line internal script is named by the start of its first line."""
    lines = what.splitlines() or [""]
    if len(lines) > 1 or len(lines[0]) > _SHOWN_COMMAND:
        return lines[0][:_SHOWN_COMMAND] + "…`"
    return what


def running(engine: EngineName, name: str) -> bool | None:
    """Whether container ``name`` runs; None when the engine does not say (no such
    container, or no answer)."""
    argv = [engine, "inspect", "--format", "{{.State.Running}}", name]
    try:
        state = hostcmd.run(argv, capture=True, check=False, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    if state.returncode != 0:
        return None
    return state.stdout.decode(errors="replace").strip() == "true"


def loss(engine: EngineName, name: str, what: str) -> FatalError | None:
    """The error to raise instead of the failed command's, or None when the container still
    runs (the command itself failed). ``what``: the command, for the message."""
    what = shorten(what)
    state = running(engine, name)
    if state:
        return None
    if state is False:
        return ContainerLostError(
            f"container {name} stopped while running {what}: it was killed from outside"
            f" (`{engine} kill`/`stop`), ran out of memory, or {engine} restarted."
            f" {_DELIVERED}; run again."
        )
    version = client.engine_version(engine)
    if not version.reachable:
        said = version.error.splitlines()[-1] if version.error else "no answer"
        return EngineLostError(
            f"container engine {engine} stopped answering while running {what} ({said})."
            f" {_DELIVERED}. Fix: {client.start_fix(engine)}, then run again."
        )
    return ContainerLostError(
        f"container {name} disappeared while running {what}: it was removed from outside"
        f" (`{engine} rm -f`). {_DELIVERED}; run again."
    )
