"""The argparse pieces `run` and `plan` share, and the typed ``Selection`` they turn into.

``argparse.Namespace`` stops in this package: each subcommand converts its arguments into a
``Selection`` (or another frozen value) before calling into the domain.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True, kw_only=True)
class Selection:
    """What `run` and `plan` were asked to build; None / () / False mean "not given"."""

    package: Path
    platform: str | None
    archs: str | None
    enable: tuple[str, ...]
    only: str | None
    output_dir: Path | None
    config_file: str | None  # may hold {package}; "" (cibuildwheel: "the default") is None
    allow_empty: bool
    debug_traceback: bool
    print_build_identifiers: bool
    jobs: str | None = None  # --jobs N: checked with the option (options.values.parse_jobs)
    no_cache: bool = False
    keep_going: bool = False
    shard: str | None = None  # --shard I/N: checked by shards.parse_shard


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments `run` shares with `plan`, with cibuildwheel's meanings."""
    parser.add_argument(
        "package",
        metavar="PACKAGE",
        nargs="?",
        default=Path(),
        type=Path,
        help="directory inside the working directory, or an sdist (default: the working dir)",
    )
    parser.add_argument(
        "--platform",
        default=None,
        help="auto or linux (this tool builds Linux wheels only); env CIBW_PLATFORM",
    )
    parser.add_argument(
        "--archs",
        default=None,
        help="comma-separated: auto, auto64, auto32, native, all, or arch names",
    )
    parser.add_argument(
        "--enable", action="append", default=[], metavar="GROUP", help="enable a build group"
    )
    parser.add_argument("--only", default=None, metavar="IDENTIFIER", help="build one identifier")
    parser.add_argument("--output-dir", type=Path, default=None, help="default: wheelhouse")
    parser.add_argument(
        "--config-file",
        default=None,
        help="default (also with an empty value): {package}/pyproject.toml",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        default=None,
        metavar="N",
        help="containers run at once: auto (the CPU count, the default) or a number;"
        " env CIBWL_JOBS",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=False,
        help="no persistent caches (pip, uv, compiler) for this run; env CIBWL_CACHE=false",
    )
    parser.add_argument(
        "--shard",
        default=None,
        metavar="I/N",
        help="only the I-th of N shares of the plan (see `plan --github-matrix`); env CIBWL_SHARD",
    )
    parser.add_argument("--allow-empty", action="store_true", default=None)
    parser.add_argument("--debug-traceback", action="store_true", default=None)


def add_verbosity_arguments(parser: argparse.ArgumentParser, *, default: int | None) -> None:
    """-q/-v are accepted before and after the subcommand; the subcommand's copy leaves the
    top-level value alone unless given (argparse.SUPPRESS)."""
    suppress = argparse.SUPPRESS if default is None else None
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=suppress or False,
        help="summary and errors only",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=suppress or default,
        help="more output (repeat for more)",
    )


def selection_from(args: argparse.Namespace) -> Selection:
    return Selection(
        package=args.package,
        platform=args.platform,
        archs=args.archs,
        enable=tuple(args.enable),
        only=args.only,
        output_dir=args.output_dir,
        config_file=args.config_file or None,
        allow_empty=bool(args.allow_empty),
        debug_traceback=bool(args.debug_traceback),
        print_build_identifiers=bool(getattr(args, "print_build_identifiers", False)),
        jobs=args.jobs,
        no_cache=bool(args.no_cache),
        keep_going=bool(getattr(args, "keep_going", False)),
        shard=args.shard,
    )
