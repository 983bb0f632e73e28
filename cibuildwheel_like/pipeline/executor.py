"""The executor: plan lanes -> containers -> per-identifier stages -> results.

The plan's lanes run side by side, one thread each (a single lane runs in the calling thread,
exactly as a sequential run), and each lane runs its containers one after another. Order per
container: prepare (interpreters, project copy, before-all) then, per identifier: environment,
before-build, build, repair (or reuse of an earlier abi3/py3 wheel), test, deliver (``stages``).
Containers are self-contained (their own ``GroupRun``; wheel names are claimed through the
shared, locked ``Delivery``); what they share is the ``RunControl`` (the first failure, or
Ctrl-C, aborts every other container so its running command ends) and, for a group split across
containers, the ``FirstWheel``: the group's first identifier's wheel, reused by a later
compatible Python in any of its containers instead of being built again.

Containers come from a ``ContainerFactory`` (the real ``Container`` class by default) and the
host checks from a ``Preflight``, so unit tests drive every stage with a fake container.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt, ownership
from cibuildwheel_like.engine.client import check_engine, image_exists
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.errors import AlreadyBuiltWheelError, FatalError, SomeBuildsFailedError
from cibuildwheel_like.pipeline import (
    audit,
    container_builds,
    cross,
    fresh_test,
    keep_going,
    prepare,
    stages,
)
from cibuildwheel_like.pipeline.deliver import Delivery
from cibuildwheel_like.pipeline.state import (
    BuildRun,
    ContainerPaths,
    FirstWheel,
    GroupRun,
    RunControl,
    Stopped,
)
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.engine.container import Mount
    from cibuildwheel_like.engine.tmpfs import Tmpfs
    from cibuildwheel_like.options.cross_support import CrossDecision
    from cibuildwheel_like.options.model import BuildOptions, EngineConfig
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.pipeline.state import BuildContainer
    from cibuildwheel_like.plan import ContainerGroup, ContainerSlot, Lane, Plan

ResultSink = Callable[[BuildResult], None]


class ContainerFactory(Protocol):
    """Makes the one container of a group; entering it starts it, leaving it removes it."""

    def __call__(
        self,
        *,
        image: str,
        arch: Arch,
        engine: EngineConfig,
        output: Output,
        host_environ: Mapping[str, str],
        keep: bool,
        mounts: Sequence[Mount | Tmpfs],
    ) -> AbstractContextManager[BuildContainer]: ...


Preflight = Callable[["Plan"], None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunShared:
    """What every lane of one run shares."""

    plan: Plan
    ctx: Context
    delivery: Delivery
    sink: ResultSink
    control: RunControl
    containers: ContainerFactory
    first_wheels: Mapping[int, FirstWheel]  # by group index, for split groups only
    threaded: bool
    kept: tuple[BuildResult, ...] = ()  # run --retry-failed: delivered before, reusable here
    # per identifier, how it is built: the plan's decisions, less cross images found missing
    decisions: Mapping[str, CrossDecision]
    audit: audit.AuditEnvironments  # the host venvs of audit-requires, made on first use


def execute(
    plan: Plan,
    ctx: Context,
    *,
    on_result: ResultSink | None = None,
    containers: ContainerFactory = Container,
    preflight: Preflight | None = None,
    kept: Sequence[BuildResult] = (),
) -> list[BuildResult]:
    """Build, repair, test and deliver every identifier of ``plan``.

    Every identifier gets exactly one result, passed to ``on_result`` as soon as it is decided
    (from the lane's thread; calls are serialised): built, failed, or not-run (after a failure
    in any lane, or interrupted by Ctrl-C). Raises the first failure (a FatalError subclass, or
    KeyboardInterrupt) once every lane has ended and every container is removed. Returns the
    results in plan order. ``preflight`` defaults to ``check_host``.

    With ``keep-going`` a failure ends its identifier only (see ``keep_going``); the run ends
    with a ``SomeBuildsFailedError`` listing every failure. ``kept``: builds of an earlier run
    whose wheels are in the output directory (``run --retry-failed``); their wheels are reused
    where a Python of the plan can (abi3 / py3-none), and never overwritten.
    """
    delivery = Delivery(plan.globals.output_dir)
    for earlier in kept:
        if earlier.wheel is not None:
            with contextlib.suppress(AlreadyBuiltWheelError):  # an abi3 wheel of several
                delivery.claim(earlier.wheel.name, earlier.identifier)
    results: dict[str, BuildResult] = {}
    lock = threading.Lock()

    def sink(result: BuildResult) -> None:
        with lock:
            if result.identifier in results:  # never two results for one identifier
                return
            results[result.identifier] = result
            if on_result is not None:
                on_result(result)

    audit_envs = audit.AuditEnvironments(ctx.cache if plan.globals.cache_enabled else None)
    try:
        (check_host if preflight is None else preflight)(plan)
        decisions = plan.cross
        if preflight is None:  # a real engine: remove what killed runs left in it
            decisions = cross.check_images(plan, ctx.output, exists=image_exists)
            ownership.remove_dead_runs_containers({g.engine.name for g in plan.groups}, ctx.output)
        with _staging(plan) as staging, contextlib.closing(audit_envs):
            split = {s.group for lane in plan.lanes for s in lane.containers if s.parts > 1}
            shared = RunShared(
                plan=plan,
                ctx=ctx,
                delivery=delivery,
                sink=sink,
                control=RunControl(),
                containers=containers,
                first_wheels={
                    g: FirstWheel(staging / str(g), plan.groups[g].identifiers)
                    for g in sorted(split)
                },
                threaded=len(plan.lanes) > 1,
                kept=tuple(kept),
                audit=audit_envs,
                decisions=decisions,
            )
            if shared.threaded:
                _run_lanes(shared)
            else:  # in this thread, exactly as a sequential run
                try:
                    for lane in plan.lanes:
                        run_lane(lane, shared)
                except Stopped:
                    if shared.control.error is None:
                        raise
                    raise shared.control.error from None
    except BaseException:
        for options in plan.builds:
            sink(stages.not_run(options))
        raise
    ordered = [results[b.identifier] for b in plan.builds if b.identifier in results]
    failures = keep_going.summary_message(ordered) if plan.globals.keep_going else None
    if failures is not None:
        raise SomeBuildsFailedError(failures)
    return ordered


@contextlib.contextmanager
def _staging(plan: Plan) -> Iterator[Path]:
    """A host folder for wheels handed from one container to another (split groups only)."""
    if not any(s.parts > 1 for lane in plan.lanes for s in lane.containers):
        yield Path()  # never written to
        return
    folder = Path(tempfile.mkdtemp(prefix="cibuildwheel-like-shared-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_lanes(shared: RunShared) -> None:
    """One thread per lane; the main thread waits, and turns Ctrl-C into a stop of every lane."""
    control = shared.control

    def lane_main(lane: Lane, ended: threading.Event) -> None:
        try:
            run_lane(lane, shared)
        except Stopped:
            pass
        except BaseException as e:  # noqa: BLE001  # handed to the main thread, raised there
            control.stop(e)
        finally:
            ended.set()

    # A lane says it has ended (its containers removed) with an event, never Thread.join: on
    # Python < 3.13 a Ctrl-C that interrupts join() can mark a thread that is still running as
    # ended (CPython issue 90882), and the run would exit while a lane still removes its
    # container. An interrupted Event.wait leaves the event as it was.
    lanes: list[tuple[threading.Thread, threading.Event]] = []
    try:
        for lane in shared.plan.lanes:
            ended = threading.Event()
            name = f"lane-{lane.index}"
            thread = threading.Thread(target=lane_main, args=(lane, ended), name=name, daemon=True)
            lanes.append((thread, ended))
            thread.start()
        for _, ended in lanes:
            ended.wait()
    except BaseException as e:
        control.stop(e)  # aborts every running container: the lanes end promptly
        for thread, ended in lanes:
            if thread.ident is not None:  # one that has not begun sees the stop, starts nothing
                ended.wait()
        raise
    if control.error is not None:
        raise control.error


def check_host(plan: Plan) -> None:
    """Before any container starts: engines new enough, QEMU ready for every foreign arch,
    and the runtime test images present."""
    for engine in sorted({g.engine.name for g in plan.groups}):
        check_engine(engine)
    host = Arch.native()
    foreign = sorted(
        {g.arch for g in plan.groups if not g.arch.runs_natively_on(host)}, key=lambda a: a.value
    )
    if foreign:
        binfmt.require(foreign, host=host)
    fresh_test.check_test_images(plan)


def run_lane(lane: Lane, shared: RunShared) -> None:
    """The lane's containers, one after another, until the run stops."""
    for slot in lane.containers:
        if shared.control.stopped:
            return
        run_container(slot, lane.index, shared)


def run_container(slot: ContainerSlot, lane: int, shared: RunShared) -> None:
    group: ContainerGroup = shared.plan.groups[slot.group]
    if slot.parts > 1:  # the stages see this container's part of the group
        group = dataclasses.replace(group, builds=slot.builds)
    # wheels delivered before that this group's Pythons may reuse: kept by --retry-failed, or
    # carried from a container keep-going replaced; by name -> the identifier that built it
    carried = keep_going.kept_wheels_of(shared.kept, group.platform_tag)
    failed: dict[str, str] = {}  # keep-going: wheels that failed, shared by the replacements
    while group.builds:  # a second time only when keep-going replaced the container
        left = _run_in_container(slot, group, lane, shared, carried=carried, failed=failed)
        group = dataclasses.replace(group, builds=left)


def _run_in_container(
    slot: ContainerSlot,
    group: ContainerGroup,
    lane: int,
    shared: RunShared,
    *,
    carried: dict[str, str],
    failed: dict[str, str],
) -> tuple[BuildOptions, ...]:
    """``group``'s builds in one container; returns those left for a fresh container (after a
    keep-going failure that may have left this one dirty), else ()."""
    globals_ = shared.plan.globals
    ctx = shared.ctx
    output = ctx.output
    where = f" (lane {lane})" if shared.threaded else ""
    output.info(
        f"starting a container from {group.image} ({group.arch.oci_platform}, "
        f"{group.engine.name}){where} for {', '.join(group.identifiers)}"
    )
    started = shared.containers(
        image=group.image,
        arch=group.arch,
        engine=group.engine,
        output=output,
        host_environ=ctx.environ,
        keep=globals_.debug_keep_container,
        mounts=prepare.container_mounts(ctx.cache, globals_, group.arch, group.engine),
    )
    with contextlib.ExitStack() as stack:
        try:
            container = stack.enter_context(started)
        except FatalError as e:
            if not globals_.keep_going:
                raise
            for result in keep_going.unstarted(group, lane, e):
                shared.sink(result)
            first_wheel = shared.first_wheels.get(slot.group)
            if first_wheel is not None and slot.part == 0 and not first_wheel.published:
                first_wheel.publish(None, group.identifiers[0])
            return ()
        run = GroupRun(
            group=group,
            globals=globals_,
            ctx=ctx,
            container=container,
            delivery=shared.delivery,
            paths=ContainerPaths(package=prepare.package_path(globals_)),
            emulated=not group.arch.runs_natively_on(Arch.native()),
            lane=lane,
            container_name=str(getattr(container, "name", "")),
            part=slot.part,
            group_builds=shared.plan.groups[slot.group].builds,
            first_wheel=shared.first_wheels.get(slot.group),
            control=shared.control,
            failed_wheels=failed,
            test_containers=shared.containers,
            audit=shared.audit,
            overlap_tests=shared.plan.overlaps_tests,
            decisions=shared.decisions,
        )
        if any(cross.planned_in(shared.decisions, b.identifier) for b in group.builds):
            run.cross = cross.CrossRun(stack=stack)  # its build container starts on first use
        first = BuildRun(run=run, options=group.builds[0])
        with shared.control.running(container):
            try:
                container_builds.guarded(first, prepare.prepare_group, shared)
                if run.first_wheel is not None and run.part > 0 and globals_.keep_going:
                    # keep-going: whether the first wheel failed decides what runs here
                    # (keep_going.blocked_by); elsewhere the first build runs meanwhile
                    container_builds.guarded(first, stages.receive_first_wheel, shared)
                if carried:
                    container_builds.guarded(
                        first, lambda b: keep_going.carry_in(b, carried), shared
                    )
            except keep_going.IdentifierFailed as e:
                keep_going.settle_first_wheel(first)
                for options in group.builds[1:]:
                    reason = f"not run: its container could not be prepared ({e.failure.step})"
                    shared.sink(stages.not_run(options, lane=lane, error=reason))
                return ()
            if shared.plan.overlaps_tests:
                container_builds.run_overlapped(first, group, run, shared)
                return ()
            return container_builds.run_sequential(first, group, run, shared, carried=carried)
