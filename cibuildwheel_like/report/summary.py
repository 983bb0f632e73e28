"""The per-build summary rows shown to people (terminal table, CI step summary) and their
formatting of sizes, durations and errors.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cibuildwheel_like.report.installability import check_wheel

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.options.cascade import Resolved
    from cibuildwheel_like.report.results import BuildResult, CacheStats

_KIB = 1024
_MINUTE = 60


# -- rows for people (terminal table, GitHub step summary) ------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True)
class SummaryRow:
    identifier: str
    status: str  # built / failed / not-run
    wheel: str  # file name, or "" when there is none
    size: str  # "123.4 KiB" or ""
    build_time: str  # "1m 05s"
    tests: str  # passed / skipped / smoke / failed / not-run
    sha256: str  # first 12 hex digits or ""
    error: str  # first line of the error or ""
    compiler_cache: str = ""  # "3 hit / 1 miss", or "" when not measured
    installs: str = ""  # "pip 19.3+, glibc 2.17+" (report.installability), "" without a wheel

    @property
    def error_line(self) -> str:
        """The error, led by the identifier (once)."""
        if not self.error or self.error.startswith(self.identifier):
            return self.error
        return f"{self.identifier}: {self.error}"

    @property
    def cells(self) -> tuple[str, ...]:
        """The values under ``SUMMARY_COLUMNS``."""
        wheel = self.wheel or f"({self.status})"
        return (self.identifier, wheel, self.size, self.build_time, self.tests, self.sha256)

    def cells_for(self, columns: Sequence[str]) -> tuple[str, ...]:
        """The values under ``columns`` (as given by ``columns_of``)."""
        cache = (self.compiler_cache,) if CACHE_COLUMN in columns else ()
        return (*self.cells, *cache)


SUMMARY_COLUMNS = ("identifier", "wheel", "size", "build time", "tests", "sha256")
CACHE_COLUMN = "compiler cache"


def columns_of(rows: Sequence[SummaryRow]) -> tuple[str, ...]:
    """``SUMMARY_COLUMNS``, plus the compiler-cache column when any row measured it (a run
    without the cache keeps the table it always had)."""
    if any(r.compiler_cache for r in rows):
        return (*SUMMARY_COLUMNS, CACHE_COLUMN)
    return SUMMARY_COLUMNS


def installs_lines(rows: Sequence[SummaryRow]) -> list[str]:
    """Under the table, the installer check (report.installability) grouped by verdict: one
    line per verdict with its identifiers, so a terminal's table keeps its width."""
    groups: dict[str, list[str]] = {}
    for r in rows:
        if r.installs:
            groups.setdefault(r.installs, []).append(r.identifier)
    if not groups:
        return []
    lines = ["Installs with (see docs/installability.md):"]
    lines += [f"  {verdict}: {', '.join(ids)}" for verdict, ids in groups.items()]
    return lines


def built_by_lines(results: Sequence[BuildResult]) -> list[str]:
    """Under the table, when a run cross-compiled (emulation = cross | auto): which wheels were
    cross-compiled, and which were emulated after their cross build failed, with why."""
    crossed: list[str] = []
    fallbacks: list[str] = []
    for r in results:
        method = r.provenance.method if r.provenance is not None else None
        if method is None:
            continue
        if method.built_by == "cross":
            crossed.append(r.identifier)
        elif method.cross_fallback is not None:
            fallbacks.append(
                f"  emulated after its cross build failed: {r.identifier} ({method.cross_fallback})"
            )
    if not crossed and not fallbacks:
        return []
    lines = [f"Cross-compiled on this machine, tested under QEMU: {', '.join(crossed) or 'none'}"]
    return lines + fallbacks


def in_plan_order(results: Sequence[BuildResult], order: Sequence[str]) -> list[BuildResult]:
    """``results`` in the plan's order (lanes finish in any order); identifiers the plan does
    not list keep their arrival order, after the planned ones."""
    rank = {identifier: i for i, identifier in enumerate(order)}
    return sorted(results, key=lambda r: rank.get(r.identifier, len(rank)))


def format_compiler_cache(cache: CacheStats) -> str:
    """``"3 hit / 1 miss"``; empty when the compiler cache was not measured."""
    if cache.compiler_hits is None and cache.compiler_misses is None:
        return ""
    return f"{cache.compiler_hits or 0} hit / {cache.compiler_misses or 0} miss"


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < _KIB or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= _KIB
    raise AssertionError  # pragma: no cover  # the loop always returns


def format_seconds(seconds: float) -> str:
    if seconds < _MINUTE:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < _MINUTE:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _first_line(text: str | None, limit: int = 120) -> str:
    lines = (text or "").strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def format_clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``, for live displays."""
    minutes, secs = divmod(int(seconds), _MINUTE)
    hours, minutes = divmod(minutes, _MINUTE)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def failure_line(result: BuildResult) -> str:
    """``identifier: step 'S' failed: ...``: the error's first line, naming the step that
    failed when the error does not already."""
    lines = (result.error or result.status).strip().splitlines()
    error = (lines[0] if lines else result.status).removeprefix(f"{result.identifier}: ")
    failure = result.failure
    if failure is not None and f"step '{failure.step}'" not in error:
        error = f"step '{failure.step}' failed: {error}"
    return f"{result.identifier}: {error}"


def summary_rows(results: Sequence[BuildResult]) -> list[SummaryRow]:
    return [
        SummaryRow(
            identifier=r.identifier,
            status=r.status,
            wheel=r.wheel.name if r.wheel else "",
            size=format_size(r.size),
            build_time=format_seconds(r.build_seconds),
            tests=r.test_outcome,
            sha256=(r.sha256 or "")[:12],
            error=_first_line(failure_line(r) if r.failure is not None else r.error),
            compiler_cache=format_compiler_cache(r.cache),
            installs=check_wheel(r.wheel.name).summary if r.wheel else "",
        )
        for r in results
    ]


def plain_table(rows: Sequence[SummaryRow]) -> list[str]:
    """The summary as aligned plain-text lines, for logs."""
    columns = columns_of(rows)
    cells = [columns, *(r.cells_for(columns) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]
    lines = ["Build summary"]
    for i, line in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"  {r.error_line}" for r in rows if r.error]
    return lines + installs_lines(rows)


def non_default_options(explained: Mapping[str, Resolved]) -> list[tuple[str, str, str]]:
    """``(name, value, set by)`` for each option not at its default (the plan's run options)."""
    return [(name, r.value, r.layer) for name, r in explained.items() if r.layer != "default"]
