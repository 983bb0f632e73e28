"""``report``: work on build reports. ``report merge`` puts the reports of a plan's shares
back together (report/merge.py): one report, one job summary and SHA256SUMS in a directory that
is not the wheelhouse."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.output import ci
from cibuildwheel_like.report import build_report, summary
from cibuildwheel_like.report import merge as merging

if TYPE_CHECKING:
    import argparse

    from cibuildwheel_like.context import Context


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="work on build reports", allow_abbrev=False)
    sub = parser.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    merge = sub.add_parser(
        "merge",
        help="merge the build reports of a plan's shards: report, job summary, SHA256SUMS",
        allow_abbrev=False,
    )
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="share reports")
    merge.add_argument(
        "--output-dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="where build-report.json, summary.md and SHA256SUMS go (not the wheelhouse)",
    )
    merge.set_defaults(handler=merge_command)


def merge_command(args: argparse.Namespace, ctx: Context) -> int:
    reports = [merging.load_report(ctx.cwd / path) for path in args.reports]
    output_dir: Path = ctx.cwd / args.output_dir
    merging.check_output_dir(output_dir, reports)
    merged = merging.merge(reports)
    markdown = merged_summary(merged)
    output_dir.mkdir(parents=True, exist_ok=True)
    report_path = build_report.write_report(output_dir / merging.REPORT_NAME, merged.report)
    (output_dir / merging.SUMS_NAME).write_text(merged.sums, encoding="utf-8")
    (output_dir / merging.SUMMARY_NAME).write_text(markdown, encoding="utf-8")
    step_summary = ctx.environ.get("GITHUB_STEP_SUMMARY", "").strip()
    if step_summary:
        ci.append_step_summary(Path(step_summary), markdown)
    out = ctx.output
    totals = merged.report["totals"]
    out.info(
        f"merged {len(reports)} report(s) of plan {merged.report['plan']['fingerprint']}:"
        f" {totals['built']} of {totals['builds']} builds built,"
        f" {merged.sums.count(chr(10))} wheel(s) in {merging.SUMS_NAME}"
    )
    for result in merged.results:
        if result.status != "built":
            out.warning(f"{result.identifier}: {result.status} ({result.error or 'no error'})")
    out.info(f"merged report: {report_path}")
    out.info(f"checksums: {output_dir / merging.SUMS_NAME} (check: cd WHEELHOUSE && sha256sum -c)")
    return 0


def merged_summary(merged: merging.Merged) -> str:
    """The job summary of the whole plan: the usual table, then which report gave what."""
    report = merged.report
    rows = summary.summary_rows(merged.results)
    text = ci.markdown_summary(
        rows, title="cibuildwheel-like: merged shards", exit_code=int(report["exit_code"])
    )
    lines = [
        f"Plan `{report['plan']['fingerprint']}`, {len(report['merged'])} report(s):",
        "",
        "| shard | exit | report |",
        "| --- | ---: | --- |",
    ]
    lines += [
        f"| {share['shard'] or 'whole plan'} | {share['exit_code']} | `{share['report']}` |"
        for share in report["merged"]
    ]
    lines += [
        "",
        f"Checksums of the {merged.sums.count(chr(10))} wheel(s): `{merging.SUMS_NAME}`.",
        "",
    ]
    return text + "\n".join(lines) + "\n"
