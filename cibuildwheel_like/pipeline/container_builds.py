"""The builds of one container, in plan order, each failure recorded once (``guarded``).

Sequentially (jobs = 1, keep-going, a kept container: exactly cibuildwheel's order), or with
each identifier's test beside the next identifier's build (``overlap``). Either way every
identifier gets one result: built, failed, or not-run when the run stopped around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.pipeline import keep_going, overlap, stages
from cibuildwheel_like.pipeline.state import BuildRun, Stopped

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.pipeline.executor import RunShared
    from cibuildwheel_like.pipeline.state import GroupRun, RunControl
    from cibuildwheel_like.plan import ContainerGroup

# A failure in one lane that comes with Ctrl-C (the terminal's SIGINT also ends the lane's
# `docker exec`) is the interrupt, not a build failure: the lane waits this long for the main
# thread to report the KeyboardInterrupt before it calls its failure the first one.
INTERRUPT_GRACE_SECONDS = 0.5


def run_sequential(
    first: BuildRun,
    group: ContainerGroup,
    run: GroupRun,
    shared: RunShared,
    *,
    carried: dict[str, str],
) -> tuple[BuildOptions, ...]:
    """``group``'s builds one after another (jobs = 1, keep-going, a kept container); returns
    those left for a fresh container after a keep-going failure, else ()."""
    output = shared.ctx.output
    for index, options in enumerate(group.builds):
        current = first if index == 0 else BuildRun(run=run, options=options)
        if shared.control.stopped:
            raise Stopped
        blocked = keep_going.blocked_by(run, options.identifier)
        if blocked is not None:
            output.info(f"{options.identifier}: {blocked}")
            keep_going.settle_first_wheel(current)
            shared.sink(stages.result_of(current, status="not-run", error=blocked))
            continue
        try:
            guarded(current, stages.build_one, shared)
        except keep_going.IdentifierFailed as e:
            keep_going.forget_failed_wheel(current)
            keep_going.settle_first_wheel(current)
            if e.keep_container or index + 1 == len(group.builds):
                continue
            output.info(
                f"{options.identifier}: step '{e.failure.step}' failed and may have"
                " left the container changed; the group's remaining builds get a"
                " fresh one"
            )
            carried.update(run.built_wheels)  # delivered, so in the output dir
            return group.builds[index + 1 :]
        keep_going.settle_first_wheel(current)
        shared.sink(stages.result_of(current, status="built"))
    return ()


def run_overlapped(
    first: BuildRun, group: ContainerGroup, run: GroupRun, shared: RunShared
) -> None:
    """``group``'s builds, each one's test beside the next one's build (see ``overlap``)."""

    def finish(current: BuildRun) -> None:
        guarded(current, stages.finish, shared)
        shared.sink(stages.result_of(current, status="built"))

    worker = overlap.TestOverlap(run.container, finish)
    try:
        for index, options in enumerate(group.builds):
            current = first if index == 0 else BuildRun(run=run, options=options)
            if shared.control.stopped:
                raise Stopped
            guarded(current, stages.produce, shared)
            keep_going.settle_first_wheel(current)  # a reused wheel: the waiting parts go on
            worker.submit(current)
        worker.wait()
    finally:
        worker.join()


def guarded(build_run: BuildRun, action: Callable[[BuildRun], None], shared: RunShared) -> None:
    """Run ``action``; on failure record the identifier's result, then re-raise.

    An interrupt is not the build's fault: the identifier is "not-run" (with the steps it got
    through), never "failed"; nor is an error in a lane another lane's failure stopped (its
    container was removed under it). Anything else, including an unexpected exception, is
    "failed", and stops the other lanes.
    """
    control = shared.control
    try:
        action(build_run)
    except KeyboardInterrupt:
        shared.sink(stages.result_of(build_run, status="not-run", error="interrupted"))
        control.stop(KeyboardInterrupt(), own=build_run.run.container)
        raise
    except BaseException as e:
        if isinstance(e, Stopped) or _stopped_meanwhile(shared):
            shared.sink(stages.result_of(build_run, status="not-run", error=_stop_reason(control)))
            raise Stopped from e
        if build_run.current_step in {"test", "smoke-test"}:
            build_run.test_outcome = "failed"
        failure = keep_going.failure_of(build_run.current_step, e)
        error = str(e) or e.__class__.__name__
        shared.sink(stages.result_of(build_run, status="failed", error=error, failure=failure))
        # keep-going goes on after our errors; anything else is a bug and still stops the run
        if build_run.run.globals.keep_going and isinstance(e, FatalError):
            keep = keep_going.keeps_container(failure, e)
            raise keep_going.IdentifierFailed(e, failure=failure, keep_container=keep) from e
        if not control.stop(e, own=build_run.run.container):  # another lane failed first
            raise Stopped from e
        raise


def _stopped_meanwhile(shared: RunShared) -> bool:
    if shared.control.stopped:
        return True
    return shared.threaded and shared.control.wait_stopped(INTERRUPT_GRACE_SECONDS)


def _stop_reason(control: RunControl) -> str:
    if isinstance(control.error, KeyboardInterrupt):
        return "interrupted"
    return f"stopped: another build failed ({control.error})" if control.error else "stopped"
