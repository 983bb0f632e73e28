"""What a terminal shows through rich: the live area (a row per running build with its step
and how long it has run, the builds that finished below them, an overall progress bar), and the
header and summary tables.

``Progress`` is changed only under ``Output``'s lock. Rich redraws from its own refresh thread,
so ``render`` never takes that lock: it reads the immutable snapshots that ``publish`` replaces
with one attribute assignment each.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from cibuildwheel_like.report import summary as rows_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildStatus

FINISHED_SHOWN = 8  # the most recent finished builds listed under the running ones
_MARKS: dict[str, tuple[str, str]] = {
    "built": ("✓", "green"),
    "failed": ("✕", "bold red"),
    "not-run": ("○", "dim"),
}


@dataclasses.dataclass(kw_only=True)
class Row:
    """A running build (or work reported under an identifier the plan does not list)."""

    identifier: str
    started: float
    is_build: bool
    steps: list[tuple[str, float]] = dataclasses.field(default_factory=list)  # (name, start)
    spinner: Spinner = dataclasses.field(default_factory=lambda: Spinner("dots", style="cyan"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Finished:
    identifier: str
    status: BuildStatus
    seconds: float


class Progress:
    """Which builds run, which finished, and the counts behind the progress bar."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.planned: frozenset[str] | None = None  # None: no header, count what shows up
        self.total = 0
        self.done = 0
        self.failed = 0
        self.finished: list[Finished] = []  # in completion order
        self.started = time.monotonic()
        self._running_view: tuple[tuple[Row, str, float], ...] = ()  # row, step, step start
        self._finished_view: tuple[Finished, ...] = ()

    def plan(self, identifiers: Iterable[str]) -> None:
        self.planned = frozenset(identifiers)
        self.total = len(self.planned)
        self.started = time.monotonic()

    def row(self, identifier: str) -> Row:
        row = self.rows.get(identifier)
        if row is None:
            is_build = self.planned is None or identifier in self.planned
            row = Row(identifier=identifier, started=time.monotonic(), is_build=is_build)
            self.rows[identifier] = row
            if is_build and self.planned is None:
                self.total += 1
            self.publish()
        return row

    def finish(self, identifier: str, *, status: BuildStatus, seconds: float) -> None:
        """A build is over; counted once, however often it is reported."""
        row = self.rows.pop(identifier, None)
        is_build = row.is_build if row else (self.planned is None or identifier in self.planned)
        counted = {f.identifier for f in self.finished}
        if is_build and identifier not in counted:
            self.finished.append(Finished(identifier=identifier, status=status, seconds=seconds))
            self.done += 1
            self.failed += status == "failed"
        self.publish()

    def publish(self) -> None:
        """Replace the snapshots the refresh thread reads."""
        self._running_view = tuple(
            (row, *(row.steps[-1] if row.steps else ("", row.started)))
            for row in self.rows.values()
        )
        self._finished_view = tuple(self.finished[-FINISHED_SHOWN:])

    def render(self) -> RenderableType:
        now = time.monotonic()
        clock = rows_of.format_clock
        running = Table.grid(padding=(0, 1))
        for row, step, step_start in self._running_view:
            running.add_row(
                row.spinner,
                Text(row.identifier, style="bold"),
                Text(step, style="cyan"),
                Text(f"{clock(now - step_start)} (build {clock(now - row.started)})", style="dim"),
            )
        finished = Table.grid(padding=(0, 1))
        done = self.done
        earlier = done - len(self._finished_view)
        if earlier > 0:
            finished.add_row(Text(""), Text(f"… {earlier} earlier", style="dim"))
        for f in self._finished_view:
            mark, style = _MARKS.get(f.status, ("?", ""))
            finished.add_row(
                Text(mark, style=style),
                Text(f.identifier),
                Text(f.status, style=style),
                Text(clock(f.seconds), style="dim"),
            )
        total = max(self.total, done)
        failed = f" · {self.failed} failed" if self.failed else ""
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=max(total, 1), completed=done, width=40),
            Text(f"{done}/{total} builds{failed} · {clock(now - self.started)}"),
        )
        return Group(running, finished, bar)


def summary_table(rows: Sequence[rows_of.SummaryRow]) -> Table:
    """The summary as a rich table (the compiler-cache column only when it was measured)."""
    table = Table(title="Build summary", title_justify="left")
    columns = rows_of.columns_of(rows)
    for column in columns:
        right = column in {"size", "build time", rows_of.CACHE_COLUMN}
        table.add_column(column, justify="right" if right else "left", overflow="fold")
    for row in rows:
        style = {"built": "", "failed": "red", "not-run": "dim"}.get(row.status, "")
        table.add_row(*row.cells_for(columns), style=style)
    return table


def plan_table(plan: Plan) -> Table:
    """The header's table: every identifier with its image and engine."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for column in ("identifier", "image", "engine"):
        table.add_column(column, overflow="fold")
    for g in plan.groups:
        for b in g.builds:
            table.add_row(b.identifier, g.image, g.engine.name)
    return table
