"""The command line: parses arguments, builds the run context, catches errors once."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like import __version__
from cibuildwheel_like.cli.arguments import add_verbosity_arguments
from cibuildwheel_like.context import Cache, Context
from cibuildwheel_like.errors import FatalError, Terminated
from cibuildwheel_like.options import values as option_values
from cibuildwheel_like.output import ci, secrets
from cibuildwheel_like.output.console import Output

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import FrameType


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cibuildwheel-like",
        description="Build repaired, tested Linux wheels in real containers.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_verbosity_arguments(parser, default=0)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    # Imported here, not at the top: `--version` and `--help` stay fast.
    from cibuildwheel_like.cli import doctor, images, plan, report, run  # noqa: PLC0415

    run.register(sub)
    plan.register(sub)
    images.register(sub)
    doctor.register(sub)
    report.register(sub)
    return parser


def _wants_traceback(args: argparse.Namespace, environ: dict[str, str]) -> bool:
    if getattr(args, "debug_traceback", None):
        return True
    # The same truth words as every other boolean option (GlobalOptions.debug_traceback).
    return option_values.parse_bool(environ.get("CIBW_DEBUG_TRACEBACK", ""))


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """SIGTERM stops a run as Ctrl-C does (containers removed, nothing partial delivered), and
    only the first SIGINT/SIGTERM interrupts: a second one while the run cleans up (CI services
    send SIGINT then SIGTERM) is announced and otherwise ignored, so the cleanup completes.
    Its steps are bounded in time; SIGKILL remains the way to stop at once (the next run or
    ``doctor`` then removes what was left)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            # Not through `output`: a handler must not wait for a lock its thread may hold.
            os.write(2, b"cibuildwheel-like: already stopping: removing containers, please wait\n")
            return
        stopping = True
        if signum == signal.SIGTERM:
            raise Terminated
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def main(argv: Sequence[str] | None = None) -> int:
    # Our output and the container's must not interleave out of order when piped into a CI log.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    parser = build_parser()
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    level = -1 if args.quiet else args.verbose
    output = Output(verbosity=level, environ=environ)
    output.protect(secrets.from_environment(environ))  # before anything is printed
    cwd = Path.cwd()
    ctx = Context(
        output=output, environ=environ, cwd=cwd, cache=Cache.from_environ(environ, cwd=cwd)
    )
    try:
        ci.check_fold_mode(environ)
        with _stop_signals():
            return int(args.handler(args, ctx))
    except FatalError as e:
        if _wants_traceback(args, environ):
            traceback.print_exc()
        output.error(str(e))
        return e.exit_code
    except Terminated:
        output.error("terminated (SIGTERM)")
        return 143
    except KeyboardInterrupt:
        output.error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours; silence the final flush.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123  # must outlive this frame
        return 0
