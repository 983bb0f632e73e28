"""Which run owns a build container, and removal of the containers of runs that died.

Every container we create carries the owning run's process id, that process's start time and
the host name as labels. A run killed with SIGKILL (or a host crash, or an OOM kill) cannot
remove its container; the next ``run`` or ``doctor`` on the same host finds containers whose
owner is no longer alive and removes them. A process is "the same run" only when both its pid
and its start time (since this boot) match, so a recycled pid never protects an orphan, and a
run that is still alive is never touched. Containers of another host (a shared remote engine)
and containers kept on purpose (``CIBW_DEBUG_KEEP_CONTAINER``) are left alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cibuildwheel_like.options.model import EngineName
    from cibuildwheel_like.output.console import Output

BUILD_LABEL = "org.cibuildwheel-like.build"  # =1 on every build container (engine.container)
PID_LABEL = "org.cibuildwheel-like.run.pid"
START_LABEL = "org.cibuildwheel-like.run.start"
HOST_LABEL = "org.cibuildwheel-like.run.host"
KEEP_LABEL = "org.cibuildwheel-like.keep"  # CIBW_DEBUG_KEEP_CONTAINER: never an orphan
_PROC = Path("/proc")
_ENGINE_TIMEOUT = 60.0  # seconds for one listing or removal; a hung engine is no reason to hang


def process_start(pid: int, *, proc: Path = _PROC) -> str | None:
    """``<boot id>:<start ticks>`` of process ``pid``, or None when there is no such process
    (or no /proc). The boot id makes a start time from before a reboot never match."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
        boot = (proc / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from its closing ')'.
    fields = stat.rpartition(")")[2].split()
    start_field = 19  # field 22 of proc(5), the 20th after the name
    if len(fields) <= start_field:
        return None
    return f"{boot}:{fields[start_field]}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunOwner:
    """The process that created a container."""

    pid: int
    start: str
    host: str

    @classmethod
    def current(cls) -> RunOwner:
        pid = os.getpid()
        return cls(pid=pid, start=process_start(pid) or "", host=socket.gethostname())

    def labels(self) -> dict[str, str]:
        return {PID_LABEL: str(self.pid), START_LABEL: self.start, HOST_LABEL: self.host}

    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> RunOwner | None:
        """The owner recorded on a container; None when the labels are missing or malformed
        (a container of an older version, or of another tool: never ours to judge)."""
        pid, start, host = (labels.get(k, "") for k in (PID_LABEL, START_LABEL, HOST_LABEL))
        if not (pid.isdigit() and start and host):
            return None
        return cls(pid=int(pid), start=start, host=host)

    def is_dead(self, *, host: str, proc: Path = _PROC) -> bool:
        """True only when this owner ran on ``host`` and no process with its pid and start time
        exists any more. An owner on another host is never called dead (we cannot see it)."""
        if self.host != host:
            return False
        return process_start(self.pid, proc=proc) != self.start


@dataclasses.dataclass(frozen=True, kw_only=True)
class Orphan:
    """A build container whose owning run is gone."""

    id: str
    name: str
    owner: RunOwner

    def describe(self) -> str:
        return f"{self.name} (run pid {self.owner.pid} on {self.owner.host})"


def parse_inspect_line(line: str) -> tuple[str, str, dict[str, str]] | None:
    """One ``<id>\\t<name>\\t<labels as JSON>`` line of our inspect format, or None."""
    parts = line.split("\t", 2)
    if len(parts) != 3:  # noqa: PLR2004  # id, name, labels
        return None
    cid, name, raw = parts
    try:
        labels = json.loads(raw) or {}
    except json.JSONDecodeError:
        return None
    if not isinstance(labels, dict):
        return None
    return cid, name.lstrip("/"), {str(k): str(v) for k, v in labels.items()}


def orphans_of(
    rows: list[tuple[str, str, dict[str, str]]], *, host: str, proc: Path = _PROC
) -> list[Orphan]:
    """The rows (id, name, labels) that are build containers of dead runs on ``host``."""
    found: list[Orphan] = []
    for cid, name, labels in rows:
        if labels.get(BUILD_LABEL) != "1" or labels.get(KEEP_LABEL):
            continue
        owner = RunOwner.from_labels(labels)
        if owner is not None and owner.is_dead(host=host, proc=proc):
            found.append(Orphan(id=cid, name=name, owner=owner))
    return found


def _engine(argv: list[str]) -> subprocess.CompletedProcess[bytes] | None:
    """Run an engine command, bounded in time; None when it cannot be run or does not end."""
    try:
        return hostcmd.run(argv, capture=True, check=False, timeout=_ENGINE_TIMEOUT)
    except (HostCommandError, subprocess.TimeoutExpired):
        return None


def find_orphans(engine: EngineName) -> list[Orphan]:
    """Build containers (running or not) of dead runs of this host. An engine that does not
    answer has none to offer: the run's own engine check says what is wrong with it."""
    listed = _engine([engine, "ps", "--all", "--quiet", "--filter", f"label={BUILD_LABEL}=1"])
    if listed is None or listed.returncode != 0:
        return []
    ids = listed.stdout.decode(errors="replace").split()
    if not ids:
        return []
    fmt = "{{.Id}}\t{{.Name}}\t{{json .Config.Labels}}"
    # A container removed between `ps` and `inspect` makes inspect exit 1; the rest still print.
    inspected = _engine([engine, "inspect", "--format", fmt, *ids])
    if inspected is None:
        return []
    rows = [
        row
        for line in inspected.stdout.decode(errors="replace").splitlines()
        if (row := parse_inspect_line(line)) is not None
    ]
    return orphans_of(rows, host=socket.gethostname())


def remove_orphans(engine: EngineName) -> tuple[list[Orphan], list[Orphan]]:
    """Remove the containers of dead runs; returns (removed, could not remove)."""
    removed: list[Orphan] = []
    failed: list[Orphan] = []
    for orphan in find_orphans(engine):
        done = _engine([engine, "rm", "--force", "--volumes", orphan.id])
        (removed if done is not None and done.returncode == 0 else failed).append(orphan)
    return removed, failed


def cleanup_message(engine: EngineName, removed: list[Orphan], failed: list[Orphan]) -> str:
    """What a run or doctor says after ``remove_orphans`` ("" when there was nothing)."""
    lines: list[str] = []
    if removed:
        lines.append(
            f"removed {len(removed)} {engine} container(s) left behind by runs that ended"
            " without cleaning up (killed?): " + ", ".join(o.describe() for o in removed)
        )
    if failed:
        lines.append(
            f"could not remove {len(failed)} container(s) of ended runs: "
            + ", ".join(o.describe() for o in failed)
            + f"; remove them with `{engine} rm -f NAME`"
        )
    return "\n".join(lines)


def remove_dead_runs_containers(engines: Iterable[EngineName], output: Output) -> None:
    """Before a run starts its containers: remove (and report) those of dead runs."""
    for engine in sorted(set(engines)):
        message = cleanup_message(engine, *remove_orphans(engine))
        if message:
            output.warning(message)
