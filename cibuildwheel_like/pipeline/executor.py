"""The executor: plan groups -> containers -> per-identifier stages -> results.

Order per group: prepare (interpreters, project copy, before-all) then, per identifier:
environment, before-build, build, repair (or reuse of an earlier abi3/py3 wheel), test, deliver.
Each group is self-contained (its own container and ``GroupRun``; wheel names are claimed through
the shared, locked ``Delivery``), so groups could run concurrently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt
from cibuildwheel_like.engine.container import Container, check_engine
from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline import before_build, build, prepare, repair, test
from cibuildwheel_like.pipeline.argv import compatible_wheel
from cibuildwheel_like.pipeline.deliver import Delivery, sha256_of
from cibuildwheel_like.pipeline.state import BuildRun, ContainerPaths, GroupRun
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from cibuildwheel_like.context import Context
    from cibuildwheel_like.options.model import BuildOptions, GlobalOptions
    from cibuildwheel_like.plan import ContainerGroup, Plan

ResultSink = Callable[[BuildResult], None]


def execute(
    plan: Plan,
    globals: GlobalOptions,  # noqa: A002  # the contract's name
    ctx: Context,
    *,
    on_result: ResultSink | None = None,
) -> list[BuildResult]:
    """Build, repair, test and deliver every identifier of ``plan``.

    Raises a FatalError subclass on the first failure, after cleaning up; every result decided
    before that (including the failed identifier's) has already been passed to ``on_result``.
    """
    delivery = Delivery(globals.output_dir)
    results: list[BuildResult] = []

    def sink(result: BuildResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    try:
        check_host(plan)
        for group in plan.groups:
            run_group(group, globals, ctx, delivery, sink)
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
) -> None:
    output = ctx.output
    output.info(
        f"starting a container from {group.image} ({group.arch.oci_platform}, "
        f"{group.engine.name}) for {', '.join(group.identifiers)}"
    )
    container = Container(
        image=group.image,
        arch=group.arch,
        engine=group.engine,
        output=output,
        host_environ=ctx.environ,
        keep=globals.debug_keep_container,
    )
    with container:
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
    """Run ``action``; on failure record the identifier's failed result, then re-raise."""
    try:
        action(build_run)
    except (FatalError, KeyboardInterrupt) as e:
        if isinstance(e, BuildStepError) and build_run.current_step in {"test", "smoke-test"}:
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


def _result(b: BuildRun, *, status: str, error: str | None = None) -> BuildResult:
    options: BuildOptions = b.options
    wheel = None
    if status == "built" and b.wheel is not None:
        wheel = b.run.globals.output_dir / b.wheel.name
    return BuildResult(
        identifier=options.identifier,
        image=options.image,
        interpreter=options.config.path,
        status="built" if status == "built" else "failed",
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
