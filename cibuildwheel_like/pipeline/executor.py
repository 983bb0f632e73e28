"""The executor: plan groups -> containers -> per-identifier stages -> results.

Order per group: prepare (interpreters, project copy, before-all) then, per identifier:
environment, before-build, build, repair (or reuse of an earlier abi3/py3 wheel), test, deliver.
Each group is self-contained (its own container and ``GroupRun``; wheel names are claimed through
the shared, locked ``Delivery``), so groups could run concurrently.

Containers come from a ``ContainerFactory`` (the real ``Container`` class by default) and the
host checks from a ``Preflight``, so unit tests drive every stage with a fake container.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt
from cibuildwheel_like.engine.client import check_engine
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.pipeline import before_build, build, prepare, repair, test
from cibuildwheel_like.pipeline.argv import compatible_wheel
from cibuildwheel_like.pipeline.deliver import Delivery, sha256_of
from cibuildwheel_like.pipeline.state import BuildRun, ContainerPaths, GroupRun
from cibuildwheel_like.report.results import BuildResult, BuildStatus

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextlib import AbstractContextManager

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.model import BuildOptions, EngineConfig, GlobalOptions
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.pipeline.state import BuildContainer
    from cibuildwheel_like.plan import ContainerGroup, Plan

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
    ) -> AbstractContextManager[BuildContainer]: ...


Preflight = Callable[["Plan"], None]


def execute(
    plan: Plan,
    ctx: Context,
    *,
    on_result: ResultSink | None = None,
    containers: ContainerFactory = Container,
    preflight: Preflight | None = None,
) -> list[BuildResult]:
    """Build, repair, test and deliver every identifier of ``plan``.

    Every identifier gets exactly one result, passed to ``on_result`` as soon as it is decided:
    built, failed, or not-run (after an earlier failure, or interrupted by Ctrl-C). Raises the
    first failure (a FatalError subclass, or KeyboardInterrupt) after its container is removed.
    ``preflight`` defaults to ``check_host``.
    """
    delivery = Delivery(plan.globals.output_dir)
    results: list[BuildResult] = []

    def sink(result: BuildResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    try:
        (check_host if preflight is None else preflight)(plan)
        for group in plan.groups:
            run_group(group, plan.globals, ctx, delivery, sink, containers=containers)
    except BaseException:
        decided = {r.identifier for r in results}
        for options in plan.builds:
            if options.identifier not in decided:
                sink(_not_run(options))
        raise
    return results


def check_host(plan: Plan) -> None:
    """Before any container starts: engines new enough, QEMU ready for every foreign arch."""
    for engine in sorted({g.engine.name for g in plan.groups}):
        check_engine(engine)
    host = Arch.native()
    foreign = sorted(
        {g.arch for g in plan.groups if not g.arch.runs_natively_on(host)}, key=lambda a: a.value
    )
    if foreign:
        binfmt.require(foreign, host=host)


def run_group(
    group: ContainerGroup,
    globals: GlobalOptions,  # noqa: A002
    ctx: Context,
    delivery: Delivery,
    sink: ResultSink,
    *,
    containers: ContainerFactory = Container,
) -> None:
    output = ctx.output
    output.info(
        f"starting a container from {group.image} ({group.arch.oci_platform}, "
        f"{group.engine.name}) for {', '.join(group.identifiers)}"
    )
    started = containers(
        image=group.image,
        arch=group.arch,
        engine=group.engine,
        output=output,
        host_environ=ctx.environ,
        keep=globals.debug_keep_container,
    )
    with started as container:
        run = GroupRun(
            group=group,
            globals=globals,
            ctx=ctx,
            container=container,
            delivery=delivery,
            paths=ContainerPaths(package=prepare.package_path(globals)),
            emulated=not group.arch.runs_natively_on(Arch.native()),
        )
        first = BuildRun(run=run, options=group.builds[0])
        _guarded(first, prepare.prepare_group, sink)
        for options in group.builds:
            current = first if options is group.builds[0] else BuildRun(run=run, options=options)
            _guarded(current, build_one, sink)
            sink(_result(current, status="built"))


def _guarded(build_run: BuildRun, action: Callable[[BuildRun], None], sink: ResultSink) -> None:
    """Run ``action``; on failure record the identifier's result, then re-raise.

    An interrupt is not the build's fault: the identifier is "not-run" (with the steps it got
    through), never "failed". Anything else, including an unexpected exception, is "failed".
    """
    try:
        action(build_run)
    except KeyboardInterrupt:
        sink(_result(build_run, status="not-run", error="interrupted"))
        raise
    except BaseException as e:
        if build_run.current_step in {"test", "smoke-test"}:
            build_run.test_outcome = "failed"
        sink(_result(build_run, status="failed", error=str(e) or e.__class__.__name__))
        raise


def build_one(b: BuildRun) -> None:
    """All stages of one identifier."""
    run = b.run
    with b.step("prepare"):
        prepare.identifier_environment(b)
    reuse = compatible_wheel(run.built_wheels, b.identifier)
    if reuse is not None:
        run.ctx.output.info(
            f"{b.identifier}: reusing {reuse}, built earlier in this container and compatible"
            " with this Python; it is tested again here"
        )
        b.wheel = run.paths.wheels / reuse
        b.reused = True
    else:
        before_build.before_build(b)
        built = build.build_wheel(b)
        b.wheel = repair.repair_wheel(b, built)
    test.test_wheel(b)
    if not b.reused:
        with b.step("deliver"):
            final = run.delivery.deliver(run.container, b.wheel, b.identifier)
            run.ctx.output.info(f"{b.identifier}: delivered {final}")


def _result(b: BuildRun, *, status: BuildStatus, error: str | None = None) -> BuildResult:
    options: BuildOptions = b.options
    wheel = None
    if status == "built" and b.wheel is not None:
        wheel = b.run.globals.output_dir / b.wheel.name
    return BuildResult(
        identifier=options.identifier,
        image=options.image,
        interpreter=options.config.path,
        status=status,
        wheel=wheel,
        size=wheel.stat().st_size if wheel is not None and wheel.exists() else None,
        sha256=sha256_of(wheel) if wheel is not None and wheel.exists() else None,
        test_outcome=b.test_outcome,
        steps=tuple(b.steps),
        error=error,
    )


def _not_run(options: BuildOptions) -> BuildResult:
    return BuildResult(
        identifier=options.identifier,
        image=options.image,
        interpreter=options.config.path,
        status="not-run",
    )
