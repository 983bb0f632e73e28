"""Run ownership: which containers belong to dead runs (no engine: labels and /proc only)."""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import ownership
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.options.model import EngineConfig

if TYPE_CHECKING:
    from pathlib import Path

HOST = "builder"


def fake_proc(root: Path, processes: dict[int, str]) -> Path:
    """A /proc with a boot id and, per pid, a stat line whose field 22 is the given start."""
    (root / "sys" / "kernel" / "random").mkdir(parents=True)
    (root / "sys" / "kernel" / "random" / "boot_id").write_text("boot-1\n")
    for pid, start in processes.items():
        (root / str(pid)).mkdir()
        rest = " ".join(["S", *["0"] * 18, start, "0"])
        # a command name with spaces and parentheses, as (python (x)) may be
        (root / str(pid) / "stat").write_text(f"{pid} (my (odd) name) {rest}\n")
    return root


def row(name: str, *, pid: int, start: str, host: str = HOST, **extra: str):
    labels = {
        ownership.BUILD_LABEL: "1",
        ownership.PID_LABEL: str(pid),
        ownership.START_LABEL: start,
        ownership.HOST_LABEL: host,
        **extra,
    }
    return (f"id-{name}", name, labels)


def test_process_start_reads_field_22_after_the_command_name(tmp_path):
    proc = fake_proc(tmp_path, {42: "12345"})
    assert ownership.process_start(42, proc=proc) == "boot-1:12345"
    assert ownership.process_start(43, proc=proc) is None


def test_the_current_process_has_a_start_time():
    owner = ownership.RunOwner.current()
    assert owner.pid == os.getpid()
    assert owner.host == socket.gethostname()
    assert owner.start  # Linux: /proc is there
    assert not owner.is_dead(host=owner.host)


def test_only_containers_of_dead_runs_on_this_host_are_orphans(tmp_path):
    proc = fake_proc(tmp_path, {100: "500", 200: "700"})
    rows = [
        row("alive", pid=100, start="boot-1:500"),
        row("pid-gone", pid=101, start="boot-1:500"),
        row("pid-reused", pid=200, start="boot-1:600"),  # same pid, another process now
        row("before-reboot", pid=100, start="boot-0:500"),
        row("other-host", pid=101, start="boot-1:500", host="elsewhere"),
        row("kept", pid=101, start="boot-1:500", **{ownership.KEEP_LABEL: "1"}),
        ("id-old", "old-version", {ownership.BUILD_LABEL: "1"}),  # no owner labels
        ("id-foreign", "foreign", {ownership.PID_LABEL: "101"}),  # not a build container
    ]
    found = ownership.orphans_of(rows, host=HOST, proc=proc)
    assert [o.name for o in found] == ["pid-gone", "pid-reused", "before-reboot"]
    assert found[0].describe() == "pid-gone (run pid 101 on builder)"


def test_inspect_lines_are_parsed_and_bad_ones_skipped():
    labels = {ownership.BUILD_LABEL: "1"}
    line = f"abc\t/cibuildwheel-like-1\t{json.dumps(labels)}"
    assert ownership.parse_inspect_line(line) == ("abc", "cibuildwheel-like-1", labels)
    assert ownership.parse_inspect_line("abc\tname") is None
    assert ownership.parse_inspect_line("abc\tname\t{not json") is None
    assert ownership.parse_inspect_line("abc\tname\tnull") == ("abc", "name", {})


def test_cleanup_message_names_every_container_and_the_fix():
    owner = ownership.RunOwner(pid=7, start="b:1", host=HOST)
    gone = ownership.Orphan(id="1", name="c1", owner=owner)
    stuck = ownership.Orphan(id="2", name="c2", owner=owner)
    text = ownership.cleanup_message("docker", [gone], [stuck])
    assert "removed 1 docker container(s)" in text
    assert "c1 (run pid 7 on builder)" in text
    assert "docker rm -f NAME" in text
    assert ownership.cleanup_message("docker", [], []) == ""


def test_created_containers_carry_the_owner_and_kept_ones_say_so():
    def argv(keep: bool) -> list[str]:
        container = Container(
            image="img",
            arch=Arch.x86_64,
            engine=EngineConfig(name="docker"),
            output=None,  # type: ignore[arg-type]  # not reached: nothing runs
            host_environ={},
            keep=keep,
        )
        return container.create_argv("linux/amd64")

    plain = argv(keep=False)
    assert f"--label={ownership.PID_LABEL}={os.getpid()}" in plain
    assert f"--label={ownership.HOST_LABEL}={socket.gethostname()}" in plain
    assert any(a.startswith(f"--label={ownership.START_LABEL}=") for a in plain)
    assert f"--label={ownership.KEEP_LABEL}=1" not in plain
    assert f"--label={ownership.KEEP_LABEL}=1" in argv(keep=True)
