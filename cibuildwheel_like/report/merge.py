"""``report merge``: the build reports of a plan's shares put back together.

Checks first, writes nothing until they pass: every report is of the same plan (fingerprint),
each share is there exactly once (none missing, none twice), no identifier or wheel comes from
two reports, and together the shares build exactly the plan's identifiers. Then one merged
report (the layout of build-report.json, ``shard`` null and ``merged`` listing the shares), one
Markdown job summary and a ``SHA256SUMS`` file in the format ``sha256sum -c`` (and
``actions/attest-build-provenance``'s ``subject-checksums``) reads: ``<hex>  <file name>`` per
wheel, so it verifies the merged wheelhouse from inside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like import __version__
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.report.build_report import SCHEMA_VERSION, totals_of
from cibuildwheel_like.report.results import BuildResult, CacheStats, StepTiming

if TYPE_CHECKING:
    from collections.abc import Sequence

SUMS_NAME = "SHA256SUMS"
REPORT_NAME = "build-report.json"
SUMMARY_NAME = "summary.md"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShareReport:
    """One input report, read and checked for what merging needs."""

    path: Path
    data: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        return str(self.data["plan"]["fingerprint"])

    @property
    def shard(self) -> dict[str, Any] | None:
        shard: dict[str, Any] | None = self.data["shard"]
        return shard

    @property
    def label(self) -> str:
        shard = self.shard
        return f"{self.path} (shard {shard['spec']})" if shard else f"{self.path} (unsharded)"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Merged:
    report: dict[str, Any]
    sums: str  # the SHA256SUMS text
    results: tuple[BuildResult, ...]  # for the summary table, in plan order


def load_report(path: Path) -> ShareReport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigurationError(f"report merge: cannot read {path}: {e.strerror or e}") from None
    except ValueError as e:
        raise ConfigurationError(f"report merge: {path} is not JSON: {e}") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ConfigurationError(
            f"report merge: {path} is not a build report of schema version {SCHEMA_VERSION}"
        )
    plan = data.get("plan")
    if not isinstance(plan, dict) or not isinstance(plan.get("fingerprint"), str):
        raise ConfigurationError(
            f"report merge: {path} records no plan fingerprint (written by an older"
            " cibuildwheel-like?); run the shares again with this version"
        )
    if not isinstance(data.get("builds"), list) or "shard" not in data:
        raise ConfigurationError(f"report merge: {path} has no builds or shard record")
    return ShareReport(path=path, data=data)


def merge(reports: Sequence[ShareReport], *, created: dt.datetime | None = None) -> Merged:
    """The merged report and SHA256SUMS; ConfigurationError naming the reports that conflict."""
    if not reports:
        raise ConfigurationError("report merge: give the reports of every share")
    _check_same_plan(reports)
    ordered = _check_shares(reports)
    plan_identifiers: list[str] = list(ordered[0].data["plan"]["identifiers"])
    entries = _check_builds(ordered, plan_identifiers)
    wheels = _check_wheels(ordered)
    results = tuple(result_from_entry(e) for e in entries)
    exit_codes = [int(r.data.get("exit_code", 1)) for r in ordered]
    exit_code = next((code for code in exit_codes if code != 0), 0)
    errors = [f"{r.label}: {r.data['error']}" for r in ordered if r.data.get("error")]
    when = (created or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    report = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cibuildwheel-like", "version": __version__},
        "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_code": exit_code,
        "status": "success" if exit_code == 0 else "failure",
        "error": "\n".join(errors) or None,
        "output_dir": None,  # the shares' wheelhouses were on other machines
        "totals": totals_of(results),
        "builds": entries,
        "retry": None,
        "plan": ordered[0].data["plan"],
        "shard": None,
        "merged": [
            {
                "report": str(r.path),
                "shard": None if r.shard is None else r.shard["spec"],
                "exit_code": int(r.data.get("exit_code", 1)),
            }
            for r in ordered
        ],
    }
    sums = "".join(f"{sha}  {name}\n" for name, sha in wheels)
    return Merged(report=report, sums=sums, results=results)


def _check_same_plan(reports: Sequence[ShareReport]) -> None:
    plans: dict[str, list[ShareReport]] = {}
    for r in reports:
        plans.setdefault(r.fingerprint, []).append(r)
    if len(plans) > 1:
        described = "; ".join(
            f"{fp[:19]}…: {', '.join(str(r.path) for r in members)}"
            for fp, members in plans.items()
        )
        raise ConfigurationError(
            f"report merge: the reports are of {len(plans)} different plans ({described});"
            " merge only the shares of one plan (same configuration and options)"
        )


def _check_shares(reports: Sequence[ShareReport]) -> list[ShareReport]:
    """Every share exactly once; the reports in shard order."""
    unsharded = [r for r in reports if r.shard is None]
    if unsharded and len(reports) > 1:
        raise ConfigurationError(
            f"report merge: {unsharded[0].path} is of an unsharded run, which already holds the"
            " whole plan; merge either one unsharded report or the reports of every shard"
        )
    if unsharded:
        return list(reports)
    counts = {int(r.shard["count"]) for r in reports if r.shard is not None}
    if len(counts) > 1:
        raise ConfigurationError(
            "report merge: the reports split the plan into different numbers of shares ("
            + ", ".join(r.label for r in reports)
            + "); merge the shares of one split"
        )
    (count,) = counts
    by_index: dict[int, ShareReport] = {}
    for r in reports:
        assert r.shard is not None  # noqa: S101  # checked above
        index = int(r.shard["index"])
        if index in by_index:
            raise ConfigurationError(
                f"report merge: shard {index}/{count} is given twice: {by_index[index].path} and"
                f" {r.path}"
            )
        by_index[index] = r
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise ConfigurationError(
            f"report merge: missing shard{'s' * (len(missing) > 1)} {', '.join(missing)} of"
            f" {count}; give the report of every share"
        )
    return [by_index[i] for i in sorted(by_index)]


def _check_builds(reports: Sequence[ShareReport], plan: Sequence[str]) -> list[dict[str, Any]]:
    """The build entries of every report, each identifier once, exactly the plan's, in plan
    order."""
    seen: dict[str, ShareReport] = {}
    entries: dict[str, dict[str, Any]] = {}
    for r in reports:
        for entry in r.data["builds"]:
            identifier = str(entry["identifier"])
            if identifier in seen:
                raise ConfigurationError(
                    f"report merge: {identifier} is in {seen[identifier].label} and in {r.label}"
                )
            seen[identifier] = r
            entries[identifier] = entry
    missing = [i for i in plan if i not in entries]
    extra = [i for i in entries if i not in set(plan)]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"no report has {', '.join(missing)}")
        if extra:
            problems.append(f"{', '.join(extra)} not in the plan")
        raise ConfigurationError(
            f"report merge: the shares do not add up to the plan: {'; '.join(problems)}"
        )
    return [entries[i] for i in plan]


def _check_wheels(reports: Sequence[ShareReport]) -> list[tuple[str, str]]:
    """``(file name, sha256)`` of every delivered wheel, once each, in report order. A wheel
    several builds of one share use (abi3 built once) is one wheel; the same file name from
    two shares is a duplicate (a family cut across shares, or a share merged twice)."""
    owner: dict[str, ShareReport] = {}
    wheels: dict[str, str] = {}
    for r in reports:
        for entry in r.data["builds"]:
            wheel = entry.get("wheel")
            if entry.get("status") != "built" or not wheel:
                continue
            name = str(wheel["filename"])
            if name in owner and owner[name] is not r:
                raise ConfigurationError(
                    f"report merge: the wheel {name} comes from {owner[name].label} and from"
                    f" {r.label}; each wheel must be built by one share only (a project that"
                    " builds abi3 or py3-none wheels keeps its groups in one share: see"
                    " GitHub Actions, sharding)"
                )
            sha = wheel.get("sha256") or _sha256_of(Path(str(wheel.get("path", ""))))
            if sha is None:
                raise ConfigurationError(
                    f"report merge: {r.path} has no sha256 for {name} and the file is not at"
                    f" {wheel.get('path')}"
                )
            if name in wheels and wheels[name] != sha:
                raise ConfigurationError(
                    f"report merge: {r.path} lists {name} twice with different sha256"
                )
            owner[name] = r
            wheels[name] = sha
    return list(wheels.items())


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def result_from_entry(entry: dict[str, Any]) -> BuildResult:
    """A report's build entry as the ``BuildResult`` the summary table is made from."""
    wheel = entry.get("wheel")
    cache = entry.get("cache") or {}
    return BuildResult(
        identifier=str(entry["identifier"]),
        image=str(entry.get("image", "")),
        interpreter=str(entry.get("interpreter", "")),
        status=entry["status"],
        wheel=Path(wheel["path"]) if wheel else None,
        size=wheel.get("size") if wheel else None,
        sha256=wheel.get("sha256") if wheel else None,
        test_outcome=entry.get("test_outcome", "not-run"),
        steps=tuple(
            StepTiming(name=str(s["name"]), seconds=float(s["seconds"]), ok=bool(s["ok"]))
            for s in entry.get("steps", ())
        ),
        error=entry.get("error"),
        lane=entry.get("lane"),
        container=entry.get("container"),
        cache=CacheStats(
            compiler_hits=cache.get("compiler_hits"),
            compiler_misses=cache.get("compiler_misses"),
            downloads=cache.get("downloads"),
        ),
    )


def check_output_dir(output_dir: Path, reports: Sequence[ShareReport]) -> None:
    """DIR is never a wheelhouse: upload steps publish a wheelhouse whole, wheels only."""
    where = output_dir.resolve()
    for r in reports:
        wheelhouse = r.data.get("output_dir")
        if wheelhouse and Path(wheelhouse).resolve() == where:
            raise ConfigurationError(
                f"report merge --output-dir: {output_dir} is the wheelhouse of {r.label};"
                " a wheelhouse holds wheels only: choose another directory"
            )
    if where.is_dir() and any(where.glob("*.whl")):
        raise ConfigurationError(
            f"report merge --output-dir: {output_dir} holds wheels, so it is a wheelhouse,"
            " which holds wheels only: choose another directory for the report and SHA256SUMS"
        )
    if where.exists() and not where.is_dir():
        raise ConfigurationError(f"report merge --output-dir: {output_dir} is not a directory")
