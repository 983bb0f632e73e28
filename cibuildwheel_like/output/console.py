"""The one output module: the only place that imports rich, prints fold groups and summaries.

Two modes. On a terminal (and without ``NO_COLOR``): colour, a live line per running build and an
overall progress bar, container output dimmed above them. Otherwise: plain lines, one per event,
in order, each flushed at once, with the CI service's folds and annotations (see ``ci.py``).
Verbosity: -1 (``-q``) shows only errors and the summary, 0 the steps and container output, 1
(``-v``) also debug messages. Everything else reports through an ``Output`` on the run context.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from cibuildwheel_like import __version__
from cibuildwheel_like.output import ci
from cibuildwheel_like.report import summary as rows_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from typing_extensions import Self

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

_TAIL_LINES = 60  # container lines replayed on failure in quiet mode


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclasses.dataclass(kw_only=True)
class _Lane:
    """A running build (or group-level work such as before-all) shown on the live display."""

    identifier: str
    started: float
    is_build: bool
    steps: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    spinner: Spinner = dataclasses.field(default_factory=lambda: Spinner("dots", style="cyan"))


class Output:
    def __init__(
        self,
        *,
        verbosity: int = 0,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        terminal: bool | None = None,
    ) -> None:
        """``terminal``: treat stdout as a terminal (None: ask it); ``environ``: os.environ."""
        env = os.environ if environ is None else environ
        self.verbosity = verbosity
        self.ci = ci.detect_ci(env)
        self.no_color = bool(env.get("NO_COLOR"))
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        is_terminal = _isatty(self._stdout) if terminal is None else terminal
        self.fancy = is_terminal and not self.no_color and env.get("TERM") != "dumb"
        self._summary_path = ci.step_summary_path(self.ci, env)
        self._out = Console(
            file=self._stdout, force_terminal=self.fancy, no_color=not self.fancy, highlight=False
        )
        self._err = Console(
            file=self._stderr, force_terminal=self.fancy, no_color=not self.fancy, highlight=False
        )
        self._lock = threading.RLock()
        self._live: Live | None = None
        self._lanes: dict[str, _Lane] = {}
        self._lane_view: tuple[tuple[_Lane, str, float], ...] = ()  # lane, step, step start
        self._planned: frozenset[str] | None = None
        self._total = 0
        self._done = 0
        self._failed = 0
        self._finished: set[str] = set()
        self._started = time.monotonic()
        self._group: str | None = None
        self._annotated: set[str] = set()
        self._tail: deque[str] = deque(maxlen=_TAIL_LINES)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing (every line is written whole and flushed, under one lock) -------------------
    def _write(self, text: str, *, style: str | None = None, err: bool = False) -> None:
        with self._lock:
            if self.fancy:
                console = self._out if (self._live is not None or not err) else self._err
                console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
                console.file.flush()
                return
            (self._stdout if err else self._stderr).flush()  # keep the two streams in order
            stream = self._stderr if err else self._stdout
            stream.write(text if text.endswith("\n") else text + "\n")
            stream.flush()

    # -- plain messages ---------------------------------------------------------------------
    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._write(message)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            self._write(message, style="dim")

    def warning(self, message: str) -> None:
        self._diagnostic("warning", message, style="yellow")

    def error(self, message: str) -> None:
        self._diagnostic("error", message, style="bold red")

    def _diagnostic(self, level: ci.Level, message: str, *, style: str, title: str = "") -> None:
        message = message.strip()
        with self._lock:
            line = None
            if message not in self._annotated:
                line = ci.annotation(self.ci, level, message, title=title or None)
            if line is not None:
                self._annotated.add(message)
                self._write(line, err=True)
            else:
                self._write(f"cibuildwheel-like: {level}: {message}", style=style, err=True)

    def print_raw(self, text: str) -> None:
        """Machine-readable output (identifiers, JSON): no styling, no wrapping."""
        with self._lock:
            self._stdout.write(text if text.endswith("\n") else text + "\n")
            self._stdout.flush()

    def stream_line(self, line: str) -> None:
        """A line of container output: dimmed on a terminal, as is (minus colour) elsewhere."""
        line = line.rstrip("\r\n")
        with self._lock:
            self._tail.append(line)
            if self.verbosity < 0:
                return
            if self.fancy:
                self._out.print(Text.from_ansi(line, style="dim"), soft_wrap=True)
                self._out.file.flush()
            else:
                self._write(ci.strip_ansi(line))

    # -- structure --------------------------------------------------------------------------
    def header(self, plan: Plan, *, version: str = __version__) -> None:
        """Version, engine and every selected identifier with its image; starts the live view."""
        builds = plan.builds
        with self._lock:
            self._planned = frozenset(b.identifier for b in builds)
            self._total = len(builds)
            self._started = time.monotonic()
        if self.verbosity < 0:
            return
        engines = sorted({g.engine.name for g in plan.groups})
        where = f" on {self.ci.display_name}" if self.ci else ""
        self._write(f"cibuildwheel-like {version}{where}", style="bold")
        self._write(
            f"engine: {', '.join(engines) or '-'} · {len(builds)} build(s)"
            f" in {len(plan.groups)} container(s)"
        )
        if self.fancy:
            table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
            for column in ("identifier", "image", "engine"):
                table.add_column(column, overflow="fold")
            for g in plan.groups:
                for b in g.builds:
                    table.add_row(b.identifier, g.image, g.engine.name)
            with self._lock:
                self._out.print(table)
            self._start_live()
        else:
            width = max((len(b.identifier) for b in builds), default=0)
            for g in plan.groups:
                for b in g.builds:
                    self._write(f"  {b.identifier:<{width}}  {g.image}")

    def _start_live(self) -> None:
        with self._lock:
            if self._live is None and self.fancy and self.verbosity >= 0:
                self._live = Live(
                    console=self._out,
                    get_renderable=self._render,
                    refresh_per_second=4,
                    transient=True,
                    redirect_stdout=False,
                    redirect_stderr=False,
                )
                self._live.start()

    def _stop_live(self) -> None:
        with self._lock:
            live, self._live = self._live, None
        if live is not None:
            live.stop()

    def _render(self) -> RenderableType:
        # Runs on rich's refresh thread: reads immutable snapshots only, never takes our lock.
        now = time.monotonic()
        clock = rows_of.format_clock
        rows = Table.grid(padding=(0, 1))
        for lane, step, step_start in self._lane_view:
            timing = f"{clock(now - step_start)} (build {clock(now - lane.started)})"
            rows.add_row(
                lane.spinner,
                Text(lane.identifier, style="bold"),
                Text(step, style="cyan"),
                Text(timing, style="dim"),
            )
        total = max(self._total, self._done)
        failed = f" · {self._failed} failed" if self._failed else ""
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=max(total, 1), completed=self._done, width=40),
            Text(f"{self._done}/{total} builds{failed} · {clock(now - self._started)}"),
        )
        return Group(rows, bar)

    def _publish(self) -> None:
        """Replace the snapshot the refresh thread reads (one atomic attribute assignment)."""
        self._lane_view = tuple(
            (lane, *(lane.steps[-1] if lane.steps else ("", lane.started)))
            for lane in self._lanes.values()
        )

    def _lane(self, identifier: str) -> _Lane:
        lane = self._lanes.get(identifier)
        if lane is None:
            is_build = self._planned is None or identifier in self._planned
            lane = _Lane(identifier=identifier, started=time.monotonic(), is_build=is_build)
            self._lanes[identifier] = lane
            if is_build and self._planned is None:
                self._total += 1
            self._publish()
        return lane

    def _finish(self, identifier: str, *, ok: bool) -> None:
        lane = self._lanes.pop(identifier, None)
        self._publish()
        is_build = lane.is_build if lane else (self._planned is None or identifier in self._planned)
        if is_build and identifier not in self._finished:
            self._finished.add(identifier)
            self._done += 1
            self._failed += not ok

    def build_finished(self, result: BuildResult) -> None:
        """The one completion signal: a build (built, failed, reused or not run) is over."""
        with self._lock:
            self._finish(result.identifier, ok=result.status != "failed")

    @contextlib.contextmanager
    def step(self, identifier: str, name: str) -> Iterator[None]:
        title = f"{identifier}: {name}"
        start = time.monotonic()
        with self._lock:
            if self.fancy:
                self._start_live()
            lane = self._lane(identifier)
            lane.steps.append((name, start))
            self._publish()
            self._tail.clear()
            opened = self._open_group(title)
            if not opened and (not self.fancy or self.verbosity > 0) and self.verbosity >= 0:
                self._write(f"▶ {title}", style="dim")
        ok = False
        problem = ""
        try:
            yield
            ok = True
        except BaseException as exc:
            problem = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc).strip()
            problem = problem or type(exc).__name__
            raise
        finally:
            self._end_step(lane, title, start, opened=opened, ok=ok, problem=problem)

    def _open_group(self, title: str) -> bool:
        if self.fancy or self.verbosity < 0 or self._group is not None:
            return False
        line = ci.group_start(self.ci, title, now=time.time())
        if line is None:
            return False
        self._group = title
        self._write(line)
        return True

    def _end_step(
        self,
        lane: _Lane,
        title: str,
        start: float,
        *,
        opened: bool,
        ok: bool,
        problem: str,
    ) -> None:
        elapsed = rows_of.format_seconds(time.monotonic() - start)
        with self._lock:
            if lane.steps:
                lane.steps.pop()
            self._publish()
            if opened and self._group == title:
                end = ci.group_end(self.ci, title, now=time.time())
                self._group = None
                if end is not None:
                    self._write(end)
            if ok:
                if self.verbosity >= 0:
                    self._write(f"✓ {title} ({elapsed})", style="green")
                return
            if self.verbosity < 0 and self._tail:
                self._write(f"last output of {title}:", style="dim", err=True)
                for tail_line in self._tail:
                    self._write(ci.strip_ansi(tail_line), style="dim", err=True)
            self._write(
                f"✕ {title} failed after {elapsed}", style="bold red", err=self.verbosity < 0
            )
            note = ci.annotation(self.ci, "error", problem, title=f"{title} failed")
            if note is not None and problem not in self._annotated and problem != "interrupted":
                self._annotated.add(problem)
                self._write(note, err=True)

    # -- the end ----------------------------------------------------------------------------
    def summary(
        self,
        results: Sequence[BuildResult],
        *,
        options: Iterable[tuple[str, str, str]] = (),
        exit_code: int | None = None,
    ) -> None:
        """The final table, failure annotations, and on GitHub Actions the job summary.

        ``options``: ``(name, value, set by)`` for options not at their default (see
        ``report.summary.non_default_options``); they appear in the GitHub job summary only.
        """
        self._stop_live()
        rows = rows_of.summary_rows(results)
        with self._lock:
            for r in results:  # annotate failures the steps did not (plain logs have the table)
                message = (r.error or f"{r.identifier}: build failed").strip()
                note = ci.annotation(self.ci, "error", message, title=r.identifier)
                if r.status == "failed" and note is not None and message not in self._annotated:
                    self._annotated.add(message)
                    self._write(note, err=True)
            if self.fancy:
                self._rich_table(rows)
            else:
                for line in rows_of.plain_table(rows):
                    self._write(line)
            built = sum(r.status == "built" for r in results)
            elapsed = rows_of.format_seconds(time.monotonic() - self._started)
            style = "green" if built == len(results) and exit_code in (None, 0) else "yellow"
            self._write(f"{built} of {len(results)} wheel(s) built in {elapsed}", style=style)
        if self._summary_path is not None:
            markdown = ci.markdown_summary(rows, options=list(options), exit_code=exit_code)
            try:
                ci.append_step_summary(self._summary_path, markdown)
            except OSError as exc:
                self.warning(f"could not write the job summary to {self._summary_path}: {exc}")

    def _rich_table(self, rows: Sequence[rows_of.SummaryRow]) -> None:
        table = Table(title="Build summary", title_justify="left")
        for column in rows_of.SUMMARY_COLUMNS:
            right = column in {"size", "build time"}
            table.add_column(column, justify="right" if right else "left", overflow="fold")
        for row in rows:
            style = {"built": "", "failed": "red", "not-run": "dim"}.get(row.status, "")
            table.add_row(*row.cells, style=style)
        self._out.print(table)
        for row in rows:
            if row.error:
                self._out.print(f"  {row.error_line}", style="red", markup=False)

    def close(self) -> None:
        """Stop the live display and close an open log group; safe to call more than once."""
        self._stop_live()
        with self._lock:
            if self._group is not None:
                end = ci.group_end(self.ci, self._group, now=time.time())
                self._group = None
                if end is not None:
                    self._write(end)
