"""Time limits on commands in a build container: what ends a command that outlives its time.

``Container.time_limit`` sets a deadline; each ``run`` inside it starts a ``Watchdog``. When the
time is up the watchdog runs ``KILL_ALL`` in the container (``Container.kill_processes``), which
kills the command with every process it left there, and ``run`` raises ExecTimeoutError. The
container's keep-alive carries ``KEEP_ALIVE_MARK`` as its ``$0`` so the script can spare it.
"""

from __future__ import annotations

import subprocess
import threading
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    from collections.abc import Callable

KEEP_ALIVE_MARK = "cibuildwheel-like-keep-alive"  # the keep-alive's $0 (see KILL_ALL)

# Run in the container when a command outlives its time limit: kill every process but PID 1,
# the keep-alive (found by its mark; with the engine's --init, PID 1 carries the mark too) and
# its `sleep`, this script and its children, whatever started them (a daemon that left its
# session, a background job), stopping them first so that none forks meanwhile; a few rounds,
# until none is left. Only in the container's own PID namespace: each marked process must be
# PID 1 or a child of it; otherwise (--pid=host, where other containers' keep-alives show too)
# exit 3 and kill nothing. Shell builtins and `cat` only, so any image can run it. Exit 4: some
# remain.
KILL_ALL = r"""
m=cibuildwheel-like; m="$m-keep-alive"
status() { st=""; pp=""
  while read -r k v rest; do case "$k" in State:) st=$v;; PPid:) pp=$v;; esac
  done 2>/dev/null <"/proc/$1/status"; }
keep=" 1 "; found=""
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  case "$(cat "$d/cmdline" 2>/dev/null)" in
    *"$m"*) found=1; keep="$keep$p "
      if [ "$p" != 1 ]; then status "$p"; [ "$pp" = 1 ] || exit 3; fi;;
  esac
done
[ -n "$found" ] || exit 3
round=0
while [ "$round" -lt 10 ]; do
  round=$((round + 1)); others=""
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    case "$keep$$ " in *" $p "*) continue;; esac
    status "$p"
    case "$st" in ""|Z|X) continue;; esac
    [ "$pp" = "$$" ] && continue
    case "$keep" in
      *" $pp "*) [ "$(cat "$d/cmdline" 2>/dev/null)" = sleep3600 ] && continue;;
    esac
    others="$others $p"
  done
  [ -n "$others" ] || exit 0
  kill -STOP $others 2>/dev/null
  kill -KILL $others 2>/dev/null
  sleep 0.2 2>/dev/null || sleep 1
done
exit 4
"""
KILL_SECONDS = 30  # for the kill itself, and for the engine client to notice the exec ended


class ExecTimeoutError(HostCommandError):
    """A command in the container ran past the time limit set by ``Container.time_limit``; it
    was killed, with every other process it left in the container."""

    def __init__(self, container: str, seconds: float) -> None:
        super().__init__(
            f"a command in container {container} ran past its time limit ({seconds:g} s) and"
            " was killed"
        )
        self.seconds = seconds


class Watchdog:
    """Runs ``kill`` (which kills the container's processes) when a command's time is up, from a
    timer thread; then, if the engine client of a streamed command has not ended, kills it."""

    def __init__(
        self, seconds: float, *, kill: Callable[[], None], proc: subprocess.Popen[bytes] | None
    ) -> None:
        self.fired = False
        self._kill = kill
        self._proc = proc
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.fired = True
        self._kill()
        if self._proc is not None:
            try:
                self._proc.wait(KILL_SECONDS)
            except subprocess.TimeoutExpired:
                self._proc.kill()

    def stop(self) -> None:
        """Cancel the timer, or wait for a kill already under way to finish."""
        self._timer.cancel()
        if self._timer.is_alive():
            self._timer.join()
