"""The console: the one writer of the run's output (``output/`` alone imports rich).

Two modes. On a terminal (and without ``NO_COLOR``): colour, a live row per running build with
the finished ones below and an overall progress bar (``live.py``), container output dimmed
above them. Otherwise: plain lines, one per event, each flushed at once, with the CI service's
folds and annotations (see ``ci.py``). Verbosity: -1 (``-q``) shows only errors and the summary,
0 the steps and container output, 1 (``-v``) also debug messages. Everything else reports
through an ``Output`` on the run context.

Several lanes (threads) may build at once. Output is routed by thread: ``step(identifier, ...)``
marks the calling thread's current build, and what that thread then writes belongs to it. With
more than one lane (``concurrent``, from the plan) plain output keeps each build's lines in its
own file (``build_logs.py``) and prints them whole, in one fold, when the build ends; on a
terminal each container line is led by its identifier. With one lane, lines stream as they come.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from cibuildwheel_like import __version__
from cibuildwheel_like.output import ci
from cibuildwheel_like.output.build_logs import BuildLogs, block_title, lane_count
from cibuildwheel_like.output.live import Progress, plan_table, summary_table
from cibuildwheel_like.output.secrets import Secrets
from cibuildwheel_like.report import summary as rows_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from typing_extensions import Self

    from cibuildwheel_like.output.live import Row
    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

_TAIL_LINES = 60  # container lines replayed on failure in quiet mode


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
        self.fold = ci.fold_provider(self.ci, env)  # CIBW_LOG_FOLD_MODE may override the style
        self.no_color = bool(env.get("NO_COLOR"))
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        is_terminal = _isatty(self._stdout) if terminal is None else terminal
        self.fancy = is_terminal and not self.no_color and env.get("TERM") != "dumb"
        # more than one build can run at once (set by ``header`` from the plan's lanes)
        self.concurrent = False
        self._summary_path = ci.step_summary_path(self.ci, env)
        self._out = Console(
            file=self._stdout, force_terminal=self.fancy, no_color=not self.fancy, highlight=False
        )
        self._err = Console(
            file=self._stderr, force_terminal=self.fancy, no_color=not self.fancy, highlight=False
        )
        self._lock = threading.RLock()
        self._thread = threading.local()  # .build: the calling thread's current build
        self._live: Live | None = None
        self.progress = Progress()
        self._order: tuple[str, ...] = ()  # the plan's identifiers, for the summary
        self._started = time.monotonic()
        self._group: str | None = None
        self._annotated: set[str] = set()
        self._tails: dict[str | None, deque[str]] = {}
        self._step_failures: dict[str, tuple[str, str]] = {}  # build -> (problem, title)
        self._logs = BuildLogs()
        self._secrets = Secrets()  # see protect()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def buffered(self) -> bool:
        """Each build's output is held in its own file and printed whole when it ends."""
        return self.concurrent and not self.fancy and self.verbosity >= 0

    def _current(self) -> str | None:
        build: str | None = getattr(self._thread, "build", None)
        return build

    def _tail(self, build: str | None) -> deque[str]:
        return self._tails.setdefault(build, deque(maxlen=_TAIL_LINES))

    # -- writing (every line is written whole and flushed, under one lock) -------------------
    def _write(self, text: str, *, style: str | None = None, err: bool = False) -> None:
        text = self._secrets.redact(text)
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

    def _route(self, text: str | Text, *, style: str | None = None, err: bool = False) -> None:
        """Write a line on behalf of the calling thread's build: into the build's log while
        logs are buffered, led by its identifier on a shared terminal, else as ``_write``."""
        build = self._current()
        if not isinstance(text, Text):
            text = self._secrets.redact(text)
        with self._lock:
            plain = text.plain if isinstance(text, Text) else text
            if self.buffered and build is not None and self._logs.accepts(build):
                if err:
                    self._logs.defer(build, plain)
                else:
                    self._logs.write(build, ci.strip_ansi(plain))
                return
            if self.fancy and (isinstance(text, Text) or (self.concurrent and build)):
                line = text if isinstance(text, Text) else Text(text, style=style or "")
                if self.concurrent and build is not None:
                    line = Text.assemble((f"{build} │ ", "dim cyan"), line)
                console = self._out if (self._live is not None or not err) else self._err
                console.print(line, soft_wrap=True)
                console.file.flush()
                return
            self._write(plain, style=style, err=err)

    # -- plain messages ---------------------------------------------------------------------
    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._route(message)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            self._route(message, style="dim")

    def warning(self, message: str) -> None:
        self._diagnostic("warning", message, style="yellow")

    def error(self, message: str) -> None:
        self._diagnostic("error", message, style="bold red")

    def _diagnostic(self, level: ci.Level, message: str, *, style: str, title: str = "") -> None:
        message = self._secrets.redact(message.strip())  # before any CI escaping
        with self._lock:
            line = None
            if message not in self._annotated:
                line = ci.annotation(self.ci, level, message, title=title or None)
            if line is not None:
                self._annotated.add(message)
                self._route(line, err=True)
            else:
                self._route(f"cibuildwheel-like: {level}: {message}", style=style, err=True)

    def print_raw(self, text: str) -> None:
        """Machine-readable output (identifiers, JSON): no styling, no wrapping."""
        text = self._secrets.redact(text)
        with self._lock:
            self._stdout.write(text if text.endswith("\n") else text + "\n")
            self._stdout.flush()

    # -- secrets ----------------------------------------------------------------------------
    def protect(self, secrets: Secrets) -> None:
        """From now on write ``***`` for each of ``secrets`` (output/secrets.py); on GitHub
        Actions register the new ones with ``::add-mask::`` first."""
        with self._lock:
            new = Secrets(values=tuple(v for v in secrets.values if v not in self._secrets.values))
            if not new:
                return
            if self.ci is ci.CIProvider.github_actions:
                # on stderr, which the runner reads for commands too: stdout stays what was
                # asked for (plan --json); the one place a secret is written
                self._stdout.flush()
                for command in new.github_masks():
                    self._stderr.write(command + "\n")
                self._stderr.flush()
            self._secrets = self._secrets | new

    def redact(self, text: str) -> str:
        return self._secrets.redact(text)

    def redact_data(self, data: Any) -> Any:
        """A JSON-like document with the secrets masked (the build report, plan --json)."""
        return self._secrets.redact_data(data)

    def stream_line(self, line: str) -> None:
        """A line of container output: dimmed on a terminal, as is (minus colour) elsewhere."""
        line = self._secrets.redact(line.rstrip("\r\n"))
        with self._lock:
            self._tail(self._current()).append(line)
            if self.verbosity < 0:
                return
            if self.fancy:
                self._route(Text.from_ansi(line, style="dim"))
            else:
                self._route(ci.strip_ansi(line))

    # -- structure --------------------------------------------------------------------------
    def header(self, plan: Plan, *, version: str = __version__) -> None:
        """Version, engine and every selected identifier with its image; starts the live view."""
        builds = plan.builds
        lanes = lane_count(plan)
        with self._lock:
            self.progress.plan(b.identifier for b in builds)
            self._order = tuple(b.identifier for b in builds)
            self.concurrent = lanes > 1
            self._started = time.monotonic()
        if self.verbosity < 0:
            return
        engines = sorted({g.engine.name for g in plan.groups})
        where = f" on {self.ci.display_name}" if self.ci else ""
        self._write(f"cibuildwheel-like {version}{where}", style="bold")
        self._write(
            f"engine: {', '.join(engines) or '-'} · {len(builds)} build(s)"
            f" in {len(plan.groups)} container(s)" + (f" · {lanes} lanes" if lanes > 1 else "")
        )
        if plan.share is not None:
            self._write(f"shard {plan.share.shard} of plan {plan.fingerprint}")
        if self.fancy:
            with self._lock:
                self._out.print(plan_table(plan))
            self._start_live()
        else:
            width = max((len(b.identifier) for b in builds), default=0)
            for g in plan.groups:
                for b in g.builds:
                    self._write(f"  {b.identifier:<{width}}  {g.image}")
            if self.buffered:
                self._write("builds run side by side: each build's log is printed when it ends")

    def _start_live(self) -> None:
        with self._lock:
            if self._live is None and self.fancy and self.verbosity >= 0:
                self._live = Live(
                    console=self._out,
                    get_renderable=self.progress.render,
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

    def build_finished(self, result: BuildResult) -> None:
        """The one completion signal: a build (built, failed, reused or not run) is over.

        With buffered logs this prints the build's whole log, in one fold."""
        identifier = result.identifier
        with self._lock:
            self.progress.finish(identifier, status=result.status, seconds=result.build_seconds)
            self._tails.pop(identifier, None)
            failure = self._step_failures.pop(identifier, None)
            if failure is not None and result.status == "failed":
                self._annotate_step_failure(identifier, *failure)
            if self._current() == identifier:
                self._thread.build = None  # what this thread writes next is not this build's
            self._print_block(identifier, block_title(result))

    def _annotate_step_failure(self, identifier: str, problem: str, title: str) -> None:
        problem = self._secrets.redact(problem)
        note = ci.annotation(self.ci, "error", problem, title=title)
        if note is None or problem in self._annotated:
            return
        self._annotated.add(problem)
        if self.buffered and self._logs.accepts(identifier):
            self._logs.defer(identifier, note)  # after the build's block, like its warnings
        else:
            self._write(note, err=True)

    def _print_block(self, identifier: str, title: str) -> None:
        log = self._logs.take(identifier)
        if log is None:
            return
        opening = ci.group_start(self.fold, title, now=time.time())
        self._write(opening if opening is not None else f"── {title}")
        self._stderr.flush()
        log.copy_to(self._stdout)
        self._stdout.flush()
        closing = ci.group_end(self.fold, title, now=time.time())
        if closing is not None:
            self._write(closing)
        for line in log.deferred:
            self._write(line, err=True)

    def _print_pending_blocks(self) -> None:
        """Logs of builds that never reported an end (an interrupt), so nothing is lost."""
        with self._lock:
            rank = {identifier: i for i, identifier in enumerate(self._order)}
            for identifier in sorted(self._logs.pending(), key=lambda i: rank.get(i, len(rank))):
                self._print_block(identifier, f"{identifier}: unfinished")

    @contextlib.contextmanager
    def step(self, identifier: str, name: str) -> Iterator[None]:
        """One stage of ``identifier``; marks it as the calling thread's current build."""
        title = f"{identifier}: {name}"
        start = time.monotonic()
        self._thread.build = identifier
        with self._lock:
            if self.fancy:
                self._start_live()
            row = self.progress.row(identifier)
            row.steps.append((name, start))
            self.progress.publish()
            self._tail(identifier).clear()
            opened = self._open_group(title)
            if not opened and (not self.fancy or self.verbosity > 0) and self.verbosity >= 0:
                self._route(f"▶ {title}", style="dim")
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
            self._end_step(row, title, start, opened=opened, ok=ok, problem=problem)

    def _open_group(self, title: str) -> bool:
        if self.fancy or self.buffered or self.verbosity < 0 or self._group is not None:
            return False  # buffered builds get one fold for their whole log instead
        line = ci.group_start(self.fold, title, now=time.time())
        if line is None:
            return False
        self._group = title
        self._write(line)
        return True

    def _end_step(
        self, row: Row, title: str, start: float, *, opened: bool, ok: bool, problem: str
    ) -> None:
        elapsed = rows_of.format_seconds(time.monotonic() - start)
        with self._lock:
            if row.steps:
                row.steps.pop()
            self.progress.publish()
            if opened and self._group == title:
                end = ci.group_end(self.fold, title, now=time.time())
                self._group = None
                if end is not None:
                    self._write(end)
            if ok:
                if self.verbosity >= 0:
                    self._route(f"✓ {title} ({elapsed})", style="green")
                return
            tail = self._tail(row.identifier)
            if self.verbosity < 0 and tail:
                self._write(f"last output of {title}:", style="dim", err=True)
                for tail_line in tail:
                    self._write(ci.strip_ansi(tail_line), style="dim", err=True)
            message = f"✕ {title} failed after {elapsed}"
            if self.verbosity < 0:
                self._write(message, style="bold red", err=True)
            else:
                self._route(message, style="bold red")
            if problem != "interrupted":
                # annotated once the build's result says it failed: a lane stopped because
                # another failed ends "not-run", and must not add an error of its own
                self._step_failures.setdefault(row.identifier, (problem, f"{title} failed"))

    # -- the end ----------------------------------------------------------------------------
    def summary(
        self,
        results: Sequence[BuildResult],
        *,
        options: Iterable[tuple[str, str, str]] = (),
        exit_code: int | None = None,
        order: Sequence[str] | None = None,
    ) -> None:
        """The final table (in plan order), failure annotations, and on GitHub Actions the job
        summary.

        ``options``: ``(name, value, set by)`` for options not at their default (see
        ``report.summary.non_default_options``); they appear in the GitHub job summary only.
        ``order``: the identifiers' order when it is not the header's plan (``--retry-failed``
        lists the kept builds too).
        """
        self._stop_live()
        self._print_pending_blocks()
        self._thread.build = None  # the summary belongs to the run, not to a build
        results = rows_of.in_plan_order(results, self._order if order is None else order)
        if self._secrets:  # the table is drawn from the rows, not through _write
            results = [
                dataclasses.replace(r, error=None if r.error is None else self.redact(r.error))
                for r in results
            ]
            options = [(n, self.redact(v), by) for n, v, by in options]
        rows = rows_of.summary_rows(results)
        with self._lock:
            for r in results:  # annotate failures the steps did not (plain logs have the table)
                message = (r.error or f"{r.identifier}: build failed").strip()
                note = ci.annotation(self.ci, "error", message, title=r.identifier)
                if r.status == "failed" and note is not None and message not in self._annotated:
                    self._annotated.add(message)
                    self._write(note, err=True)
            if self.fancy:
                self._out.print(summary_table(rows))
                for row in rows:
                    if row.error:
                        self._out.print(f"  {row.error_line}", style="red", markup=False)
                for line in rows_of.installs_lines(rows):
                    self._out.print(line, markup=False, highlight=False)
            else:
                for line in rows_of.plain_table(rows):
                    self._write(line)
            for line in rows_of.built_by_lines(results):
                self._write(line)
            built = sum(r.status == "built" for r in results)
            elapsed = rows_of.format_seconds(time.monotonic() - self._started)
            style = "green" if built == len(results) and exit_code in (None, 0) else "yellow"
            self._write(f"{built} of {len(results)} wheel(s) built in {elapsed}", style=style)
        if self._summary_path is not None:
            markdown = self.redact(
                ci.markdown_summary(rows, options=list(options), exit_code=exit_code)
            )
            try:
                ci.append_step_summary(self._summary_path, markdown)
            except OSError as exc:
                self.warning(f"could not write the job summary to {self._summary_path}: {exc}")

    def close(self) -> None:
        """Stop the live display, print logs still held, close an open log group, remove the
        run's log folder; safe to call more than once."""
        self._stop_live()
        self._print_pending_blocks()
        with self._lock:
            self._logs.remove()
            if self._group is not None:
                end = ci.group_end(self.fold, self._group, now=time.time())
                self._group = None
                if end is not None:
                    self._write(end)
