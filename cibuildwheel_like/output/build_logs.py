"""One log file per build, for plain output when several builds run at once.

Lines of two concurrent builds must never interleave in a log (a CI log cannot be untangled
afterwards), so while builds run side by side each one's output goes to its own file in a
temporary folder of the run, and ``Output`` prints it whole, inside one fold, when the build
ends. Files rather than memory: a verbose build can write a great deal. Not thread-safe on its
own; ``Output`` calls it under its lock.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Sized
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.report import summary as rows_of

if TYPE_CHECKING:
    from typing import TextIO

    from cibuildwheel_like.plan import Plan
    from cibuildwheel_like.report.results import BuildResult

_BLOCK_MARKS = {"built": "✓", "failed": "✕", "not-run": "○"}


def lane_count(plan: Plan) -> int:
    """How many builds of ``plan`` can run at once (1 for a plan without lanes)."""
    lanes: object = getattr(plan, "lanes", ())
    if isinstance(lanes, int):
        return max(lanes, 1)
    return max(len(lanes), 1) if isinstance(lanes, Sized) else 1


def block_title(result: BuildResult) -> str:
    """The fold title of a finished build's log: outcome, time and lane at a glance."""
    seconds = rows_of.format_seconds(result.build_seconds)
    outcome = {
        "built": f"built in {seconds}",
        "failed": f"failed after {seconds}",
        "not-run": "not run",
    }[result.status]
    lane = f" (lane {result.lane})" if result.lane is not None else ""
    return f"{_BLOCK_MARKS[result.status]} {result.identifier}: {outcome}{lane}"


@dataclasses.dataclass(kw_only=True)
class BuildLog:
    identifier: str
    path: Path
    file: TextIO
    # stderr lines (warnings, annotations): printed after the block, outside the fold, so a
    # collapsed fold never hides them and stdout/stderr stay apart
    deferred: list[str] = dataclasses.field(default_factory=list)

    def copy_to(self, stream: TextIO) -> None:
        """Write the whole log to ``stream``, then close and delete the file."""
        self.file.flush()
        self.file.seek(0)
        shutil.copyfileobj(self.file, stream)
        self.file.close()
        self.path.unlink(missing_ok=True)


class BuildLogs:
    def __init__(self, *, prefix: str = "cibuildwheel-like-logs-") -> None:
        self._prefix = prefix
        self._folder: Path | None = None
        self._open: dict[str, BuildLog] = {}
        self._done: set[str] = set()

    @property
    def folder(self) -> Path | None:
        """The run's log folder, once a build has written to it."""
        return self._folder

    def accepts(self, identifier: str) -> bool:
        """False once the build's block was printed: later lines go straight to the console."""
        return identifier not in self._done

    def pending(self) -> tuple[str, ...]:
        """Builds with a log not printed yet, in the order they started."""
        return tuple(self._open)

    def _log(self, identifier: str) -> BuildLog:
        log = self._open.get(identifier)
        if log is None:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix=self._prefix))
            path = self._folder / f"{identifier}.log"
            file = path.open("w+", encoding="utf-8", errors="replace", newline="\n")
            log = self._open[identifier] = BuildLog(identifier=identifier, path=path, file=file)
        return log

    def write(self, identifier: str, text: str) -> None:
        self._log(identifier).file.write(text if text.endswith("\n") else text + "\n")

    def defer(self, identifier: str, text: str) -> None:
        self._log(identifier).deferred.append(text)

    def take(self, identifier: str) -> BuildLog | None:
        """The build's log, to print now; afterwards the build accepts no more lines."""
        self._done.add(identifier)
        return self._open.pop(identifier, None)

    def remove(self) -> None:
        """Close every file and delete the folder (after the blocks were printed)."""
        for log in self._open.values():
            log.file.close()
        self._open.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
