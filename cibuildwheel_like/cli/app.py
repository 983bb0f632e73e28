"""The command line: parses arguments, builds the run context, catches errors once."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like import __version__
from cibuildwheel_like.context import Cache, Context
from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.options import values as option_values
from cibuildwheel_like.output.console import Output

if TYPE_CHECKING:
    from collections.abc import Sequence

PLATFORM_CHOICES = ("auto", "linux", "macos", "windows", "pyodide", "android", "ios")


def _add_selection_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--config-file", default=None, help="default: {package}/pyproject.toml")
    parser.add_argument("--allow-empty", action="store_true", default=None)
    parser.add_argument("--debug-traceback", action="store_true", default=None)


def _add_verbosity_arguments(parser: argparse.ArgumentParser, *, default: int | None) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cibuildwheel-like",
        description="Build repaired, tested Linux wheels in real containers.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_verbosity_arguments(parser, default=0)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from cibuildwheel_like.cli import commands  # noqa: PLC0415  # keeps --help fast

    run = sub.add_parser("run", help="build, repair and test wheels", allow_abbrev=False)
    _add_selection_arguments(run)
    _add_verbosity_arguments(run, default=None)
    run.add_argument(
        "--print-build-identifiers",
        action="store_true",
        help="print the identifiers that would be built, and exit",
    )
    run.add_argument("--report", type=Path, default=None, help="build report JSON path")
    run.set_defaults(handler=commands.run)

    plan = sub.add_parser(
        "plan", help="show what would be built, where and how", allow_abbrev=False
    )
    _add_selection_arguments(plan)
    _add_verbosity_arguments(plan, default=None)
    plan.add_argument("--json", action="store_true", help="stable JSON output (see docs)")
    plan.set_defaults(handler=commands.plan)

    try:
        from cibuildwheel_like.cli import images as images_cli  # noqa: PLC0415
    except ImportError:  # pragma: no cover  # only while the images package is absent
        pass
    else:
        images_cli.register(sub)
    return parser


def _wants_traceback(args: argparse.Namespace, environ: dict[str, str]) -> bool:
    if getattr(args, "debug_traceback", None):
        return True
    # The same truth words as every other boolean option (GlobalOptions.debug_traceback).
    return option_values.parse_bool(environ.get("CIBW_DEBUG_TRACEBACK", ""))


def main(argv: Sequence[str] | None = None) -> int:
    # Our output and the container's must not interleave out of order when piped into a CI log.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    parser = build_parser()
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    level = -1 if args.quiet else args.verbose
    output = Output(verbosity=level, environ=environ)
    cwd = Path.cwd()
    ctx = Context(
        output=output, environ=environ, cwd=cwd, cache=Cache.from_environ(environ, cwd=cwd)
    )
    try:
        return int(args.handler(args, ctx))
    except FatalError as e:
        if _wants_traceback(args, environ):
            traceback.print_exc()
        output.error(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        output.error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours; silence the final flush.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123  # must outlive this frame
        return 0
