"""An identifier's test and delivery overlap the next identifier's build in the same container.

With more than one lane (``Plan.overlaps_tests``) a lane does not wait for a test before it
builds the next identifier: ``stages.produce`` runs in the lane's thread and ``stages.finish``
(test, deliver, the result) in one worker thread per container, strictly one after another and
in plan order. The test still runs in its own fresh venv, and the wheels, results and their
order are those of a sequential run. Where the two could disagree, the sequential run wins:

- a test that fails ends the build running beside it at once (the container is removed, the
  build is reported not-run), as it would never have started;
- a build that fails lets the test running beside it finish (its wheel is delivered), as it
  would have finished first.

``keep-going`` and ``CIBW_DEBUG_KEEP_CONTAINER`` run sequentially: a failure there must leave
the container as the failing step left it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.pipeline.state import BuildContainer, BuildRun


class TestOverlap:
    """The finishing worker of one container."""

    def __init__(self, container: BuildContainer, finish: Callable[[BuildRun], None]) -> None:
        self._container = container
        self._finish = finish
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, build: BuildRun) -> None:
        """Finish ``build`` in the worker, once the previous one has finished; raises what the
        previous one failed with."""
        self.wait()
        self._thread = threading.Thread(
            target=self._main,
            args=(build,),
            name=f"{threading.current_thread().name}-test",
            daemon=True,
        )
        self._thread.start()

    def wait(self) -> None:
        """Until the submitted build is finished; raises what it failed with."""
        self.join()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def join(self) -> None:
        """Until the worker is idle, whatever it ended with (the lane is already failing)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _main(self, build: BuildRun) -> None:
        try:
            self._finish(build)
        except BaseException as e:  # noqa: BLE001  # raised in the lane's thread by wait()
            self._error = e
            # the next identifier's build must not go on: sequentially it would never have
            # started. Removing the container ends its running command at once.
            self._container.abort()
