"""``run --retry-failed REPORT``: read an earlier build report and choose what to build again.

An identifier is retried when the report says it failed or did not run, or when its wheel is
no longer in the output directory as the report recorded it (missing, or another sha256).
Every other identifier is kept: its wheel is left alone, and its entry is carried into the new
report, so that the new report again describes the whole output directory.

The report must be of the same plan: its identifiers and the current plan's are the same set
(a report of another project or configuration is refused, naming what differs). Reports
written by an older version of the tool lack keys added since; they are read all the same
(within a ``schema_version`` keys are only ever added).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.pipeline.deliver import sha256_of
from cibuildwheel_like.report import build_report
from cibuildwheel_like.report.results import BuildResult, CacheStats, StepTiming

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

OPTION = "--retry-failed"
_FIX = (
    "pass the build report (JSON) that `cibuildwheel-like run` wrote (build-report.json, or"
    " where --report PATH said)"
)
_SHOWN = 5  # identifiers named in a message before "and N more"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetryChoice:
    """What ``run --retry-failed`` builds again, and what it keeps."""

    source: Path  # the report read
    order: tuple[str, ...]  # the whole plan's identifiers, retried and kept
    retried: tuple[str, ...]  # in plan order
    reasons: Mapping[str, str]  # identifier -> why it is retried
    kept: tuple[BuildResult, ...]  # delivered builds, their wheels checked in the output dir

    def report_entry(self) -> dict[str, Any]:
        """The new report's ``retry`` object."""
        return {
            "from": str(self.source),
            "retried": list(self.retried),
            "kept": [r.identifier for r in self.kept],
        }


def load(path: Path) -> dict[str, Any]:
    """The report at ``path``, checked against the report schema; ConfigurationError (exit 2)
    naming the file and the fix when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigurationError(f"{OPTION}: cannot read {path}: {e.strerror or e}; {_FIX}") from e
    except UnicodeDecodeError as e:
        raise ConfigurationError(f"{OPTION}: {path} is not a text file; {_FIX}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigurationError(
            f"{OPTION}: {path} is not JSON (line {e.lineno}, column {e.colno}: {e.msg}); {_FIX}"
        ) from e
    if not isinstance(data, dict) or not _written_by_us(data.get("tool")):
        raise ConfigurationError(
            f"{OPTION}: {path} is not a cibuildwheel-like build report; {_FIX}"
        )
    version = data.get("schema_version")
    if version != build_report.SCHEMA_VERSION:
        raise ConfigurationError(
            f"{OPTION}: {path} has schema_version {version!r}; this version of"
            f" cibuildwheel-like reads version {build_report.SCHEMA_VERSION}. Rerun the whole"
            " build (without --retry-failed) to get a report it can read"
        )
    # keys added since the report was written are missing from it, and that is fine
    problems = [e for e in build_report.validate(data) if ": missing required key " not in e]
    if problems:
        shown = "; ".join(problems[:3])
        raise ConfigurationError(
            f"{OPTION}: {path} is not a valid build report ({shown}); {_FIX}, unedited"
        )
    return data


def _written_by_us(tool: object) -> bool:
    return isinstance(tool, dict) and tool.get("name") == "cibuildwheel-like"


def choose(
    report: Mapping[str, Any], *, source: Path, plan: Sequence[str], output_dir: Path
) -> RetryChoice:
    """Which of the ``plan``'s identifiers to build again; the report must be of this plan."""
    entries: dict[str, Mapping[str, Any]] = {}
    for entry in report["builds"]:
        entries.setdefault(entry["identifier"], entry)
    _check_same_plan(source, set(entries), plan)
    retried: list[str] = []
    reasons: dict[str, str] = {}
    kept: list[BuildResult] = []
    for identifier in plan:
        entry = entries[identifier]
        reason = _retry_reason(entry, output_dir)
        if reason is None:
            kept.append(kept_result(entry, output_dir))
        else:
            retried.append(identifier)
            reasons[identifier] = reason
    return RetryChoice(
        source=source,
        order=tuple(plan),
        retried=tuple(retried),
        reasons=reasons,
        kept=tuple(kept),
    )


def _named(identifiers: Sequence[str]) -> str:
    shown = ", ".join(identifiers[:_SHOWN])
    more = len(identifiers) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _check_same_plan(source: Path, reported: set[str], plan: Sequence[str]) -> None:
    unknown = sorted(reported - set(plan))
    missing = [i for i in plan if i not in reported]
    if not unknown and not missing:
        return
    problems = []
    if unknown:
        problems.append(f"it lists {_named(unknown)}, which the current plan does not build")
    if missing:
        problems.append(f"the current plan builds {_named(missing)}, which it does not list")
    raise ConfigurationError(
        f"{OPTION}: {source} is not a report of this build: {'; and '.join(problems)}. It was"
        " written for another project or configuration. Retry from the same project with"
        " the configuration that wrote it (pyproject.toml, CIBW_*/CIBWL_* variables,"
        " --archs, --only), or run the whole build again without --retry-failed"
    )


def _retry_reason(entry: Mapping[str, Any], output_dir: Path) -> str | None:
    status = entry["status"]
    if status == "failed":
        failure = entry.get("failure") or {}
        return f"failed at step '{failure['step']}'" if failure.get("step") else "failed"
    if status != "built":
        return "not run"
    wheel = entry["wheel"]
    if wheel is None:
        return "no wheel recorded"
    path = output_dir / wheel["filename"]
    if not path.is_file():
        return f"{wheel['filename']} is not in {output_dir}"
    if wheel["sha256"] is None or sha256_of(path) != wheel["sha256"]:
        return f"{wheel['filename']} changed since the report (sha256 differs)"
    return None


def kept_result(entry: Mapping[str, Any], output_dir: Path) -> BuildResult:
    """A kept build as a result of this run: as the report recorded it, its wheel in
    ``output_dir`` (checked by ``choose``)."""
    wheel = entry["wheel"]
    cache = entry.get("cache") or {}
    return BuildResult(
        identifier=entry["identifier"],
        image=entry["image"],
        interpreter=entry["interpreter"],
        status="built",
        wheel=output_dir / wheel["filename"],
        size=wheel["size"],
        sha256=wheel["sha256"],
        test_outcome=entry["test_outcome"],
        steps=tuple(
            StepTiming(name=s["name"], seconds=s["seconds"], ok=s["ok"]) for s in entry["steps"]
        ),
        lane=entry.get("lane"),
        container=entry.get("container"),
        cache=CacheStats(
            compiler_hits=cache.get("compiler_hits"),
            compiler_misses=cache.get("compiler_misses"),
            downloads=cache.get("downloads"),
        ),
    )
