"""``keep-going``: a failure ends its identifier only; when its container is kept; abi3 wheels.

Under keep-going the executor's guard records the failed result and raises ``IdentifierFailed``
instead of stopping the run; the container loop then goes on with the next identifier. Only our
own errors (``FatalError``) are a build's failure: anything else is a bug and still stops the
run, as does Ctrl-C.

Whether the container goes on too (``keeps_container``): a step whose work lives in places of
its own, made fresh for each identifier, cannot leave anything behind for the next one, so the
container is kept for the rest of its group:

- ``prepare`` (the identifier's environment: reading values, the PATH checks),
- ``build`` (an empty output folder; the frontend's own isolated environment),
- ``repair`` (an empty output folder; the installer check of the tags reads the wheel only),
- ``audit`` (on the host, in its own environment),
- ``test`` / ``smoke-test`` (a fresh venv and a fresh temporary directory; ``before-test``
  runs inside that venv),
- ``test-container`` (test-container = fresh: its own container, removed afterwards),
- ``deliver`` (on the host).

Everything else replaces the container with a fresh one (the project copied again,
``before-all`` run again) for the group's remaining identifiers: ``before-build`` is a user
command run as root on the image's own Pythons and may have left them half-changed, and an
error that is not a step's verdict (the engine lost the container, a copy failed) says nothing
about the container's state. Wheels delivered earlier in the group are carried into the new
container so that abi3 / py3-none reuse still works. A failure while preparing the container
(interpreter check, project copy, ``before-all``) fails its first identifier; the container's
other identifiers are not run (``before-all`` would fail the same way in a fresh container).

abi3 / py3-none families: a wheel that was built but failed its test (or its delivery) is
never reused, and the later Pythons that would have reused it are **not run** (``not-run``,
naming the wheel and the failure): rebuilding would give the same wheel, and a wheel whose test
failed on a Python it declares it supports must not be delivered. When an identifier fails
before its wheel exists (before-build, build, repair), there is nothing to reuse: the next
Python of the family builds the wheel itself, as it would without the failed one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import (
    AlreadyBuiltWheelError,
    AuditFailedError,
    BuildStepError,
    FatalError,
    NonPlatformWheelError,
    NoWheelBuiltError,
    RepairProducedNoWheelError,
    UninstallableWheelError,
)
from cibuildwheel_like.pipeline.argv import compatible_wheel
from cibuildwheel_like.report.results import BuildResult, Failure
from cibuildwheel_like.report.summary import failure_line

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.pipeline.state import BuildRun, GroupRun
    from cibuildwheel_like.plan import ContainerGroup

# Steps whose work lives in per-identifier places made fresh each time (see the module doc).
SAFE_STEPS = frozenset(
    {"prepare", "build", "repair", "audit", "test", "smoke-test", "test-container", "deliver"}
)
# Errors that are a step's verdict on this identifier, not trouble with the container.
_VERDICTS = (
    BuildStepError,
    NoWheelBuiltError,
    NonPlatformWheelError,
    RepairProducedNoWheelError,
    AlreadyBuiltWheelError,
    AuditFailedError,
    UninstallableWheelError,
)
CONTAINER_STEP = "container"  # the step of a failure to start the container


class IdentifierFailed(Exception):  # noqa: N818  # a verdict on one identifier, handled in the lane
    """Raised by the executor's guard under keep-going once the failed result is recorded."""

    def __init__(self, error: FatalError, *, failure: Failure, keep_container: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.failure = failure
        self.keep_container = keep_container


def failure_of(step: str, error: BaseException) -> Failure:
    """The step (and command) a failure happened in; the error's own when it names one."""
    if isinstance(error, BuildStepError):
        return Failure(step=error.step, command=error.command, returncode=error.returncode)
    return Failure(step=step)


def keeps_container(failure: Failure, error: BaseException) -> bool:
    return failure.step in SAFE_STEPS and isinstance(error, _VERDICTS)


def forget_failed_wheel(b: BuildRun) -> None:
    """After ``b`` failed: a wheel it built itself (not a reused one) is reused by no later
    Python; it is remembered so that those Pythons are not run (see ``blocked_by``)."""
    run = b.run
    if b.wheel is None or b.reused:
        return
    if run.built_wheels.get(b.wheel.name) == b.identifier:
        del run.built_wheels[b.wheel.name]
    run.failed_wheels[b.wheel.name] = b.identifier


def blocked_by(run: GroupRun, identifier: str) -> str | None:
    """Why ``identifier`` is not run: it would reuse a wheel that failed, or None."""
    if compatible_wheel(run.built_wheels, identifier) is not None:
        return None
    name = compatible_wheel(run.failed_wheels, identifier)
    if name is None:
        return None
    return (
        f"not run: it would reuse {name}, which failed for {run.failed_wheels[name]}; fix that"
        " failure, then build both (run --retry-failed REPORT)"
    )


def carry_in(b: BuildRun, wheels: Mapping[str, str]) -> None:
    """Wheels already in the output directory, by name -> the identifier that built them,
    copied into this container for reuse by its Pythons, as if built here."""
    run = b.run
    source = run.globals.output_dir
    wanted = {
        name: identifier
        for name, identifier in wheels.items()
        if name not in run.built_wheels
        and any(compatible_wheel([name], o.identifier) for o in run.group.builds)
    }
    for name, identifier in wanted.items():
        run.container.copy_in(source / name, run.paths.wheels / name)
        run.built_wheels[name] = identifier
        run.ctx.output.info(f"{name}, delivered earlier for {identifier}, copied in for reuse")


def settle_first_wheel(b: BuildRun) -> None:
    """Part 0 of a split group once its first build is over: when no wheel was handed on
    (the build failed, or reused an earlier wheel), tell the waiting parts so."""
    first_wheel = b.run.first_wheel
    if first_wheel is None or b.run.part != 0 or first_wheel.published:
        return
    failed = b.wheel.name if b.wheel is not None and not b.reused else None
    first_wheel.publish(None, b.identifier, failed=failed)


def unstarted(group: ContainerGroup, lane: int, error: FatalError) -> list[BuildResult]:
    """The results of a group whose container did not start: each of its builds failed."""
    message = str(error) or error.__class__.__name__
    return [
        BuildResult(
            identifier=options.identifier,
            image=options.image,
            interpreter=options.config.path,
            status="failed",
            error=message,
            lane=lane,
            failure=Failure(step=CONTAINER_STEP),
        )
        for options in group.builds
    ]


def kept_wheels_of(kept: Sequence[BuildResult], platform_tag: str) -> dict[str, str]:
    """The delivered wheels of earlier builds (``run --retry-failed``) of one platform, each
    named after the first identifier (in plan order) that has it: the one that built it."""
    wheels: dict[str, str] = {}
    for r in kept:
        if r.wheel is not None and r.identifier.split("-", 1)[1] == platform_tag:
            wheels.setdefault(r.wheel.name, r.identifier)
    return wheels


def summary_message(results: Sequence[BuildResult]) -> str | None:
    """The error a keep-going run ends with, listing every failure; None when all built."""
    failed = [r for r in results if r.status == "failed"]
    not_run = [r for r in results if r.status == "not-run"]
    if not failed and not not_run:
        return None
    built = len(results) - len(failed) - len(not_run)
    lines = [
        f"{len(failed)} of {len(results)} build(s) failed (keep-going: {built} built"
        + (f", {len(not_run)} not run" if not_run else "")
        + "):"
    ]
    lines.extend(f"  {failure_line(r)}" for r in failed)
    lines.extend(f"  {r.identifier}: {r.error or 'not run'}" for r in not_run)
    return "\n".join(lines)
