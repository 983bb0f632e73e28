"""One identifier in its container: the stages in order, a split group's first wheel handed
between its containers, and the result each identifier ends with.

``build_one`` is what the executor runs per identifier: environment, then either the reuse of
an earlier abi3 / py3-none wheel or before-build, build, repair (with its installer check) and
audit; then the test (in the build container or a fresh one) and delivery.

A later part of a split group does not wait for the group's first wheel before it builds: its
first build runs meanwhile (the lanes would otherwise idle), and only then does it wait. When
the first wheel serves this Python after all, the wheel built here (or the build's failure) is
set aside and the first wheel is reused, exactly as if the build had waited: the same wheels,
results and names as a sequential run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.pipeline import (
    audit,
    before_build,
    build,
    cross,
    early_venv,
    fresh_test,
    prepare,
    provenance,
    repair,
)
from cibuildwheel_like.pipeline.argv import compatible_wheel
from cibuildwheel_like.pipeline.deliver import sha256_of
from cibuildwheel_like.report.results import BuildResult

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.pipeline.state import BuildRun, GroupRun
    from cibuildwheel_like.report.results import BuildStatus, Failure


def awaits_first_wheel(run: GroupRun) -> bool:
    """A later part of a split group that has not received the group's first wheel yet."""
    return run.first_wheel is not None and run.part > 0 and not run.first_wheel_received


def receive_first_wheel(b: BuildRun) -> None:
    """A later part of a split group: wait for the group's first wheel and, when a Python of
    this container can use it, copy it in so ``build_one`` reuses it instead of building."""
    run = b.run
    assert run.first_wheel is not None  # noqa: S101  # only called for split groups
    wheel = run.first_wheel.wait(run.control)
    run.first_wheel_received = True
    if run.first_wheel.failed is not None:  # keep-going: it failed; never reused
        run.failed_wheels[run.first_wheel.failed] = run.first_wheel.identifier
    if wheel is None:
        return
    if not any(compatible_wheel([wheel.name], o.identifier) for o in run.group.builds):
        return
    run.container.copy_in(wheel, run.paths.wheels / wheel.name)
    run.built_wheels[wheel.name] = run.first_wheel.identifier


def publish_first_wheel(b: BuildRun) -> None:
    """Part 0 of a split group, after its first identifier's repair: hand the wheel to the
    group's other containers (a host copy only when one of their Pythons can reuse it)."""
    run = b.run
    first_wheel = run.first_wheel
    if first_wheel is None or run.part != 0 or first_wheel.published:
        return
    if b.options is not run.group.builds[0]:
        return
    wheel = b.wheel
    assert wheel is not None  # noqa: S101  # set by repair
    later = first_wheel.identifiers[1:]
    if not any(compatible_wheel([wheel.name], identifier) for identifier in later):
        first_wheel.publish(None, b.identifier)
        return
    first_wheel.staging.mkdir(parents=True, exist_ok=True)
    (copied,) = run.container.copy_out(wheel, first_wheel.staging)
    first_wheel.publish(copied, b.identifier)


def _speculative_build(b: BuildRun) -> PurePosixPath | None:
    """before-build and build; None when the group's first wheel, received afterwards in a
    later part of a split group, serves this Python instead (see the module's docstring)."""
    if not awaits_first_wheel(b.run):
        return _build(b)
    try:
        built = _build(b)
    except FatalError as e:
        receive_first_wheel(b)
        if compatible_wheel(b.run.built_wheels, b.identifier) is None:
            raise
        b.run.ctx.output.info(
            f"{b.identifier}: its own build failed ({e}); the group's first wheel serves"
            " this Python, so it is reused, as a build that waited for it would have"
        )
        return None
    receive_first_wheel(b)
    if compatible_wheel(b.run.built_wheels, b.identifier) is None:
        return built
    b.run.ctx.output.info(
        f"{b.identifier}: built {built.name} while the group's first wheel was being made;"
        " that wheel serves this Python, so it is reused and the one built here is set aside"
    )
    return None


def _build(b: BuildRun) -> PurePosixPath:
    """before-build, then the build, with the test's venv made meanwhile where it can be; or
    the cross build (``cross``), and under ``emulation = auto`` the build here when it fails."""
    if not cross.planned(b):
        before_build.before_build(b)
        early_venv.start(b, b.test_folder() / "venv")
        return build.build_wheel(b)
    early_venv.start(b, b.test_folder() / "venv")
    try:
        return cross.build_wheel(b)
    except FatalError as e:
        cross.fall_back(b, e)  # raises, unless `auto` builds it here instead
    before_build.before_build(b)
    return build.build_wheel(b)


def _reuse(b: BuildRun, name: str) -> None:
    run = b.run
    source = run.built_wheels[name]
    run.ctx.output.info(
        f"{b.identifier}: reusing {name}, built earlier for {source} and compatible"
        " with this Python; it is tested again here"
    )
    b.wheel = run.paths.wheels / name
    b.reused = True


def build_one(b: BuildRun) -> None:
    """All stages of one identifier."""
    produce(b)
    finish(b)


def produce(b: BuildRun) -> None:
    """The stages before the test: environment, then the reuse of an earlier wheel or
    before-build, build, repair and audit. The next identifier's ``produce`` may run while this
    one's ``finish`` does (``overlap``)."""
    run = b.run
    with b.step("prepare"):
        prepare.identifier_environment(b)
    reuse = compatible_wheel(run.built_wheels, b.identifier)
    built = None if reuse is not None else _speculative_build(b)
    if built is None:
        reused = compatible_wheel(run.built_wheels, b.identifier)
        assert reused is not None  # noqa: S101  # _speculative_build returns None only then
        _reuse(b, reused)
    else:
        b.wheel = repair.repair_wheel(b, built)
        audit.audit_wheel(b)
        if not run.globals.keep_going:  # under keep-going, once it passed its test
            publish_first_wheel(b)


def finish(b: BuildRun) -> None:
    """Provenance (asks the engine and auditwheel once per container: with the test, off the
    next build's way), the test (in the build container or a fresh one) and the delivery."""
    run = b.run
    provenance.record(b)
    fresh_test.test_wheel(b)  # test.test_wheel, in the build container or a fresh one
    if not b.reused and b.wheel is not None:  # a built wheel is always repaired into b.wheel
        with b.step("deliver"):
            final = run.delivery.deliver(run.container, b.wheel, b.identifier)
            run.ctx.output.info(f"{b.identifier}: delivered {final}")
        if run.globals.keep_going:
            publish_first_wheel(b)


def result_of(
    b: BuildRun, *, status: BuildStatus, error: str | None = None, failure: Failure | None = None
) -> BuildResult:
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
        lane=b.run.lane,
        container=b.run.container_name or None,
        cache=b.cache,
        failure=failure,
        provenance=b.provenance,
    )


def not_run(
    options: BuildOptions, *, lane: int | None = None, error: str | None = None
) -> BuildResult:
    return BuildResult(
        identifier=options.identifier,
        image=options.image,
        interpreter=options.config.path,
        status="not-run",
        lane=lane,
        error=error,
    )
