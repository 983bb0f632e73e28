"""Fault trials: real runs of examples/c-extension (3 builds, sid cp313/cp314/cp315, 2 lanes)
broken on purpose, counting the harm each leaves. A measurement, not a test: it prints one line
per run and a table, and exits non-zero only when its own set-up fails.

Run through ``scripts/faults.sh`` (needs root: tmpfs mounts; docker). See docs/reliability.md.

Harm, per run: containers of the run still present once it (and, for SIGKILL and a stopped
daemon, the next ``doctor``) ended; partial files (anything in the output directory that is not
a complete ``*.whl``); lost wheels (a wheel the run said it delivered that is missing or no
longer reads back, or whose bytes differ from the report's sha256); hangs (no exit within
``--hang-timeout`` seconds of the fault); unclear errors (a failed run whose last lines do not
name the cause, or that printed a traceback).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "c-extension"
FAULTS = platformdirs.user_cache_path("cibuildwheel-like") / "faults"
CACHE = FAULTS / "cache"  # CIBW_CACHE_PATH of every run: shared, as runs on one machine share it
# Work directories and mounts; another folder lets two invocations run side by side.
WORK = Path(os.environ.get("CIBWL_FAULTS_DIR") or FAULTS)
TOOL = Path(sys.executable).parent / "cibuildwheel-like"
TRIAL_LABEL = "org.cibuildwheel-like.faults"
IDENTIFIERS = "cp313-manylinux_x86_64 cp314-manylinux_x86_64 cp315-manylinux_x86_64"
CI_VARS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "TRAVIS", "CIRCLECI", "AZURE_HTTP_USER_AGENT")
ALL = (
    "reference",
    "sigint",
    "sigterm",
    "docker-kill",
    "daemon-stop",
    "disk-full",
    "read-only",
    "deleted",
    "concurrent",
    "sigkill",
)


def say(text: str) -> None:
    print(text, flush=True)


# ------------------------------------------------------------------ one run of the tool


@dataclasses.dataclass
class Proc:
    """A run of the tool in its own work directory, its output collected line by line."""

    label: str
    work: Path
    out_dir: Path
    token: str
    popen: subprocess.Popen[bytes]
    started: float
    lines: list[str] = dataclasses.field(default_factory=list)
    reader: threading.Thread | None = None
    returncode: int | None = None
    hung: bool = False
    ended: float | None = None  # when its output closed (it exited, or its children did)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, needle: str, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(needle in line for line in list(self.lines)):
                return True
            if self.popen.poll() is not None:
                return False
            time.sleep(0.2)
        return False

    def finish(self, timeout: float) -> int:
        try:
            self.returncode = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.hung = True
            self.popen.kill()
            self.returncode = self.popen.wait()
        if self.reader is not None:
            self.reader.join(5)
        (self.work / "run.log").write_text(self.text())
        return self.returncode


def project_dir(work: Path) -> Path:
    project = work / "project"
    if not project.exists():
        shutil.copytree(
            EXAMPLE, project, ignore=shutil.ignore_patterns("wheelhouse", "*.so", "build")
        )
    return project


def start(
    label: str,
    *,
    out_dir: Path | None = None,
    cache: Path,
    work: Path | None = None,
    command: str = "run",
) -> Proc:
    work = work or WORK / "runs" / label
    if command == "run" and work.exists() and work.name == label:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    project = project_dir(work)
    out = out_dir or work / "wheelhouse"
    token = uuid.uuid4().hex[:12]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIBW_", "CIBWL_"))} | {
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "CIBW_BUILD": IDENTIFIERS,
        "CIBW_ARCHS": "x86_64",
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
        "CIBW_CACHE_PATH": str(cache),
        "CIBW_CONTAINER_ENGINE": f"docker; create_args: --label={TRIAL_LABEL}={token}",
    }
    for var in CI_VARS:
        env.pop(var, None)
    argv: list[str] = [str(TOOL), command]
    if command == "run":
        argv += ["--platform", "linux", "--output-dir", str(out)]
        argv += ["--report", str(work / f"report-{token}.json")]
    popen = hostcmd.popen(
        argv,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # our signals go to the tool alone, as a CI runner's would
    )
    proc = Proc(
        label=label, work=work, out_dir=out, token=token, popen=popen, started=time.monotonic()
    )

    def read() -> None:
        assert popen.stdout is not None  # noqa: S101
        for raw in popen.stdout:
            proc.lines.append(raw.decode(errors="replace"))
        proc.ended = time.monotonic()

    proc.reader = threading.Thread(target=read, daemon=True)
    proc.reader.start()
    return proc


# ------------------------------------------------------------------ counting harm


def docker(*args: str, check: bool = False, timeout: float = 120) -> str:
    try:
        done = hostcmd.run(["docker", *args], capture=True, check=check, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ""
    return done.stdout.decode(errors="replace").strip()


def containers_of(proc: Proc) -> list[str]:
    listed = docker("ps", "-a", "-q", "--filter", f"label={TRIAL_LABEL}={proc.token}")
    return listed.split()


def wheel_ok(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return False


def partial_files(out_dir: Path) -> list[str]:
    if not out_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in out_dir.iterdir()
        if not (p.name.endswith(".whl") and p.is_file() and not p.is_symlink() and wheel_ok(p))
    )


def delivered(proc: Proc, *, upto: int | None = None) -> list[Path]:
    """The wheels the run said it delivered (its "ID: delivered PATH" lines)."""
    return [
        Path(line.split(": delivered ", 1)[1].strip())
        for line in proc.lines[:upto]
        if ": delivered " in line
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lost_wheels(proc: Proc, *, since: int = 0) -> list[str]:
    lost = {p.name for p in delivered(proc)[since:] if not (p.is_file() and wheel_ok(p))}
    report = next(iter(proc.work.glob(f"report-{proc.token}.json")), None)
    if report is not None:
        for build in json.loads(report.read_text()).get("builds", []):
            wheel = build.get("wheel") or {}
            if build.get("status") != "built" or not wheel:
                continue
            path = Path(wheel["path"])
            if not path.is_file() or sha256(path) != wheel.get("sha256"):
                lost.add(path.name)
    if since:
        gone = {p.name for p in delivered(proc)[:since]}
        lost -= gone
    return sorted(lost)


@dataclasses.dataclass
class Row:
    trial: str
    runs: int = 0
    containers: int = 0
    partial: int = 0
    lost: int = 0
    hangs: int = 0
    unclear: int = 0
    codes: collections.Counter[int] = dataclasses.field(default_factory=collections.Counter)
    notes: list[str] = dataclasses.field(default_factory=list)

    def cells(self) -> list[str]:
        codes = ", ".join(f"{c} x{n}" for c, n in sorted(self.codes.items()))
        return [
            self.trial,
            str(self.runs),
            str(self.containers),
            str(self.partial),
            str(self.lost),
            str(self.hangs),
            str(self.unclear),
            codes,
        ]


HEADERS = [
    "trial",
    "runs",
    "containers left",
    "partial files",
    "lost wheels",
    "hangs",
    "unclear errors",
    "exit codes",
]


def account(
    row: Row,
    proc: Proc,
    *,
    expect: tuple[str, ...] = (),
    lost_since: int = 0,
    containers: list[str] | None = None,
    lost: list[str] | None = None,
    detail: str = "",
) -> None:
    """Count one finished run into ``row``; ``expect``: words one of which a failed run's
    error must contain."""
    left = containers_of(proc) if containers is None else containers
    partial = partial_files(proc.out_dir)
    lost = lost_wheels(proc, since=lost_since) if lost is None else lost
    tail = "".join(proc.lines[-15:])
    unclear = proc.returncode not in (0, None) and (
        "Traceback" in proc.text() or (expect and not any(w in tail for w in expect))
    )
    row.runs += 1
    row.containers += len(left)
    row.partial += len(partial)
    row.lost += len(lost)
    row.hangs += int(proc.hung)
    row.unclear += int(bool(unclear))
    row.codes[proc.returncode if proc.returncode is not None else -1] += 1
    error = next((line.strip() for line in reversed(proc.lines) if "error:" in line), "")
    say(
        f"  {proc.label}: exit {proc.returncode}{' HUNG' if proc.hung else ''}"
        f" {len(delivered(proc))} delivered, containers left {len(left)}, partial {partial},"
        f" lost {lost}{' UNCLEAR' if unclear else ''}{detail}"
        + (f"\n    {error[:300]}" if error else "")
    )
    if left:
        docker("rm", "-f", *left)  # never leave our trial's harm behind for the next trial


# ------------------------------------------------------------------ the trials


class Trials:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)  # noqa: S311  # seeded on purpose: reproducible
        self.cache = CACHE
        self.window = args.window
        self.rows: list[Row] = []

    def n(self, default: int) -> int:
        return min(default, self.args.trials) if self.args.trials else default

    def reference(self) -> None:
        """A complete run: warms the caches, and its duration is the window for signals."""
        proc = start("reference", cache=self.cache)
        proc.finish(self.args.hang_timeout * 10)
        seconds = time.monotonic() - proc.started
        row = Row(trial="reference (no fault)")
        account(row, proc)
        if proc.returncode != 0 or len(delivered(proc)) != 3:  # noqa: PLR2004
            raise HostCommandError(f"the reference run failed; see {proc.work / 'run.log'}")
        self.window = self.window or seconds
        say(f"reference run: {seconds:.1f} s; faults land in [1, {self.window:.0f}] s")
        self.rows.append(row)

    def signal_trial(self, name: str, signum: signal.Signals, count: int) -> None:
        row = Row(trial=f"{signum.name} at a random moment")
        expect = ("interrupted", "terminated")
        for i in range(count):
            moment = self.rng.uniform(1, self.window)
            proc = start(f"{name}-{i}", cache=self.cache)
            time.sleep(max(0.0, moment - (time.monotonic() - proc.started)))
            if proc.popen.poll() is None:
                os.kill(proc.pid, signum)
            proc.finish(self.args.hang_timeout)
            account(row, proc, expect=expect, detail=f" (signal at {moment:.1f} s)")
        self.rows.append(row)

    def docker_kill(self, count: int) -> None:
        row = Row(trial="docker kill of a build container mid-step")
        for i in range(count):
            proc = start(f"docker-kill-{i}", cache=self.cache)
            step = self.rng.choice(["build", "test"])
            proc.wait_for(f": {step}\n", 600)
            time.sleep(self.rng.uniform(0.5, 5))
            victims = docker("ps", "-q", "--filter", f"label={TRIAL_LABEL}={proc.token}").split()
            if victims:
                docker("kill", self.rng.choice(victims))
            proc.finish(self.args.hang_timeout)
            account(
                row,
                proc,
                expect=("stopped while running", "disappeared while"),
                detail=f" (killed during {step})",
            )
        self.rows.append(row)

    def daemon_stop(self, count: int) -> None:
        row = Row(trial="dockerd stopped mid-build, started again")
        for i in range(count):
            proc = start(f"daemon-stop-{i}", cache=self.cache)
            proc.wait_for(": build\n", 600)
            time.sleep(self.rng.uniform(1, 5))
            pids = hostcmd.run(["pidof", "dockerd"], capture=True, check=False).stdout.split()
            stopped_at = time.monotonic()
            for pid in pids:
                os.kill(int(pid), signal.SIGTERM)
            # The engine is shared by everyone on the machine: back as soon as the old daemon
            # is gone (it stops its containers first), whatever the run is doing meanwhile.
            for pid in pids:
                for _ in range(120):
                    if not Path(f"/proc/{int(pid)}").exists():
                        break
                    time.sleep(0.5)
            time.sleep(3)
            for attempt in range(3):
                started = hostcmd.run(
                    ["bash", str(ROOT / "scripts" / "bootstrap-host.sh")], capture=True, check=False
                )
                if started.returncode == 0:
                    break
                say(f"  bootstrap-host.sh failed (attempt {attempt + 1}); trying again")
                time.sleep(5)
            back = time.monotonic() - stopped_at
            proc.finish(max(1.0, self.args.hang_timeout - back))
            took = (proc.ended or time.monotonic()) - stopped_at
            before = containers_of(proc)
            doctor = start(
                f"daemon-stop-{i}-doctor", cache=self.cache, work=proc.work, command="doctor"
            )
            doctor.finish(self.args.hang_timeout)
            account(
                row,
                proc,
                expect=("docker",),
                containers=containers_of(proc),
                detail=f" (dockerd back after {back:.1f} s; the run ended {took:.1f} s after the"
                f" stop; {len(before)} container(s) before the next doctor)",
            )
        self.rows.append(row)

    def _tmpfs(self, name: str, size: str) -> Path:
        mount = WORK / "mnt" / name
        self._umount(mount)
        mount.mkdir(parents=True, exist_ok=True)
        hostcmd.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mount], capture=True)
        return mount

    @staticmethod
    def _umount(mount: Path) -> None:
        if mount.is_mount():
            hostcmd.run(["umount", "-l", mount], capture=True, check=False)

    def disk_full(self) -> None:
        row = Row(trial="output dir on a full tmpfs")
        mount = self._tmpfs("full", "1m")
        try:
            out = mount / "wheelhouse"
            out.mkdir()
            # leave room for about one wheel (each ~11 KiB): the second delivery fills the disk
            free = shutil.disk_usage(mount).free
            filler = mount / "filler"
            with filler.open("wb") as f:
                f.write(b"\0" * (free - 16 * 1024))
            proc = start("disk-full", cache=self.cache, out_dir=out)
            proc.finish(self.args.hang_timeout * 10)
            account(row, proc, expect=("No space left",))
        finally:
            self._umount(mount)
        self.rows.append(row)

    def read_only(self) -> None:
        row = Row(trial="output dir made read-only mid-run")
        mount = self._tmpfs("ro", "64m")
        try:
            out = mount / "wheelhouse"
            proc = start("read-only", cache=self.cache, out_dir=out)
            proc.wait_for(": delivered ", 900)
            hostcmd.run(["mount", "-o", "remount,ro", mount], capture=True)
            proc.finish(self.args.hang_timeout * 10)
            account(row, proc, expect=("Read-only",))
        finally:
            self._umount(mount)
        self.rows.append(row)

    def deleted(self) -> None:
        row = Row(trial="output dir deleted mid-run")
        proc = start("deleted", cache=self.cache)
        proc.wait_for(": delivered ", 900)
        count = len(delivered(proc))
        shutil.rmtree(proc.out_dir, ignore_errors=True)
        proc.finish(self.args.hang_timeout * 10)
        # the wheels delivered before the deletion went with it: only later ones can be lost
        account(row, proc, expect=("was removed",), lost_since=count)
        self.rows.append(row)

    def concurrent(self) -> None:
        row = Row(trial="two runs at once, same output dir and cache")
        out = WORK / "runs" / "concurrent-wheelhouse"
        shutil.rmtree(out, ignore_errors=True)
        first = start("concurrent-a", cache=self.cache, out_dir=out)
        second = start("concurrent-b", cache=self.cache, out_dir=out)
        for proc in (first, second):
            proc.finish(self.args.hang_timeout * 10)
        for proc in (first, second):
            account(row, proc, expect=("in use by another",))
        codes = sorted(p.returncode or 0 for p in (first, second))
        wheels = sorted(p.name for p in out.glob("*.whl"))
        row.notes.append(f"exit codes {codes}, {len(wheels)} wheels in the shared directory")
        self.rows.append(row)

    def sigkill(self, count: int) -> None:
        """Even trials: ``doctor`` removes the orphans, then a new run; odd trials: the new run
        itself removes them (before it starts its own containers)."""
        row = Row(trial="SIGKILL, then doctor or a new run")
        for i in range(count):
            moment = self.rng.uniform(1, self.window)
            proc = start(f"sigkill-{i}", cache=self.cache)
            time.sleep(max(0.0, moment - (time.monotonic() - proc.started)))
            if proc.popen.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.finish(self.args.hang_timeout)
            orphaned = containers_of(proc)
            # before the next run, which replaces the wheels (same names, new bytes) on purpose
            lost = lost_wheels(proc)
            said = ""
            if i % 2 == 0:
                doctor = start(
                    f"sigkill-{i}-doctor", cache=self.cache, work=proc.work, command="doctor"
                )
                doctor.finish(self.args.hang_timeout)
                said = _said(doctor, "containers of ended runs")
            # the next run on the same output directory removes what the killed one left there
            again = start(
                f"sigkill-{i}-next", cache=self.cache, work=proc.work / "next", out_dir=proc.out_dir
            )
            again.finish(self.args.hang_timeout * 10)
            if i % 2 == 1:
                said = _said(again, "left behind by runs") or "nothing to remove"
            account(
                row,
                proc,
                containers=containers_of(proc),
                lost=lost,
                detail=f" (killed at {moment:.1f} s; {len(orphaned)} container(s) orphaned;"
                f" {'doctor' if i % 2 == 0 else 'the next run'} said: {said})",
            )
            account(row, again, expect=())
        self.rows.append(row)


def _said(proc: Proc, needle: str) -> str:
    return next((line.strip() for line in proc.lines if needle in line), "")[:200]


def table(rows: list[Row]) -> str:
    cells = [HEADERS, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/faults.sh", description=__doc__)
    parser.add_argument(
        "--trials",
        type=int,
        default=0,
        help="at most N runs per trial (default: 20 per signal, 5 docker kill,"
        " 3 daemon stop, 3 SIGKILL)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed)")
    parser.add_argument(
        "--only",
        default=",".join(t for t in ALL if t not in {"daemon-stop", "reference"}),
        help=f"comma-separated trials of: {', '.join(ALL)}. daemon-stop stops"
        " the machine's dockerd (every engine user on it notices): only"
        " when asked by name. The reference run also runs whenever --window is not given",
    )
    parser.add_argument(
        "--window",
        type=float,
        default=0.0,
        help="seconds within which signals land (default: a reference run's)",
    )
    parser.add_argument(
        "--hang-timeout",
        type=float,
        default=180.0,
        help="seconds after a fault before a run counts as hung",
    )
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    args.only = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = [t for t in args.only if t not in ALL]
    if unknown:
        parser.error(f"unknown trial(s) {unknown}; choose from {', '.join(ALL)}")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "runs", ignore_errors=True)
    say(
        f"faults: seed {args.seed}; trials {','.join(args.only)}; {os.cpu_count()} CPUs, load"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}; logs under {WORK / 'runs'}"
    )
    hostcmd.run([TOOL, "images", "build", "--suite", "sid", "--arch", "x86_64"], capture=True)
    trials = Trials(args)
    if args.window <= 0 or "reference" in args.only:
        trials.reference()  # the window for the signals, and warm caches for every trial
    plan: dict[str, Callable[[], None]] = {
        "sigint": lambda: trials.signal_trial("sigint", signal.SIGINT, trials.n(20)),
        "sigterm": lambda: trials.signal_trial("sigterm", signal.SIGTERM, trials.n(20)),
        "docker-kill": lambda: trials.docker_kill(trials.n(5)),
        "disk-full": trials.disk_full,
        "read-only": trials.read_only,
        "deleted": trials.deleted,
        "concurrent": trials.concurrent,
        "sigkill": lambda: trials.sigkill(trials.n(3)),
        "daemon-stop": lambda: trials.daemon_stop(trials.n(3)),  # last: it disturbs the most
    }
    started = time.monotonic()
    for name, run in plan.items():
        if name in args.only:
            say(f"trial {name}")
            run()
    say(f"\nfaults: seed {args.seed}, {time.monotonic() - started:.0f} s of trials")
    say(table(trials.rows))
    for row in trials.rows:
        for note in row.notes:
            say(f"  {row.trial}: {note}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except HostCommandError as e:
        print(f"faults: error during set-up: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
