"""The one output module: the only place that imports rich, prints fold groups and summaries.

OWNED BY: output helper (issue 6) after the initial interface. Everything else reports through
an ``Output`` instance carried on the run context, never by printing directly.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table

from cibuildwheel_like.results import BuildResult


class Output:
    def __init__(
        self, *, verbosity: int = 0, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.verbosity = verbosity
        no_color = bool(os.environ.get("NO_COLOR"))
        self._out = Console(file=stdout or sys.stdout, no_color=no_color, highlight=False)
        self._err = Console(file=stderr or sys.stderr, no_color=no_color, highlight=False)

    # -- plain messages ---------------------------------------------------------------------
    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._out.print(message, markup=False)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            self._out.print(message, style="dim", markup=False)

    def warning(self, message: str) -> None:
        self._err.print(f"cibuildwheel-like: warning: {message}", style="yellow", markup=False)

    def error(self, message: str) -> None:
        self._err.print(f"cibuildwheel-like: error: {message}", style="bold red", markup=False)

    def print_raw(self, text: str) -> None:
        """Machine-readable output (identifiers, JSON): no styling, no wrapping."""
        self._out.file.write(text if text.endswith("\n") else text + "\n")
        self._out.file.flush()

    def stream_line(self, line: str) -> None:
        """A line of container output."""
        if self.verbosity >= 0:
            self._out.print(line.rstrip("\n"), style="dim", markup=False, soft_wrap=True)

    # -- structure --------------------------------------------------------------------------
    @contextlib.contextmanager
    def step(self, identifier: str, name: str) -> Iterator[None]:
        start = time.monotonic()
        self.info(f"▶ {identifier}: {name}")
        ok = False
        try:
            yield
            ok = True
        finally:
            mark = "✓" if ok else "✕"
            self.info(f"{mark} {identifier}: {name} ({time.monotonic() - start:.1f}s)")

    def summary(self, results: Sequence[BuildResult]) -> None:
        table = Table(title="Build summary")
        for column in ("identifier", "wheel", "size", "time", "tests", "sha256"):
            table.add_column(column)
        for r in results:
            table.add_row(
                r.identifier,
                r.wheel.name if r.wheel else r.status,
                f"{r.size / 1024:.0f} KiB" if r.size is not None else "",
                f"{r.build_seconds:.0f}s",
                r.test_outcome,
                (r.sha256 or "")[:12],
            )
        self._out.print(table)
