"""One run at a time per output directory.

Two runs delivering into one directory could each replace a wheel the other just delivered
(same name, different bytes), and a run's cleanup of half-delivered files must not touch the
other's. A run therefore holds an exclusive lock on the output directory itself (``flock`` on
the directory, so it needs no file in a directory that holds wheels only, and the kernel
releases it when the process dies, even by SIGKILL). A second run does not wait for a run that
may take an hour: it stops at once, naming the run that holds the directory (recorded, best
effort, in the cache) and the two ways out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import socket
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import OutputDirBusyError
from cibuildwheel_like.pipeline.deliver import remove_stale_incoming

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.output.console import Output

_OWNERS = "runs"  # cache folder: who holds which output directory (for the message only)


def _owner_file(cache: Cache, output_dir: Path) -> Path:
    key = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:16]
    return cache.root / _OWNERS / f"output-{key}.txt"


@contextlib.contextmanager
def output_dir_lock(output_dir: Path, *, cache: Cache, output: Output) -> Iterator[None]:
    """Hold ``output_dir`` for this run (it exists: ``prepare_output_dir`` ran); on entry,
    remove temporary files that killed runs left in it."""
    fd = os.open(output_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            with contextlib.suppress(OSError):
                holder = f" ({_owner_file(cache, output_dir).read_text().strip()})"
            raise OutputDirBusyError(
                f"the output directory {output_dir} is in use by another cibuildwheel-like"
                f" run{holder}; two runs delivering into one directory could overwrite each"
                " other's wheels. Wait for that run to end, or give this one another"
                " --output-dir (output-dir)."
            ) from None
        owner = _owner_file(cache, output_dir)
        with contextlib.suppress(OSError):
            cache.directory(_OWNERS)
            started = dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S UTC")
            owner.write_text(f"pid {os.getpid()} on {socket.gethostname()}, started {started}\n")
        for stale in remove_stale_incoming(output_dir):
            output.info(f"removed {stale.name} from {output_dir}: left by a run that was killed")
        yield
    finally:
        os.close(fd)  # releases the lock
