"""build-timeout and test-timeout: which step each limits, and the step-level hook.

``BuildRun.step`` enters ``limited`` for every step; for a limited step it sets the container's
time limit (the engine seam, ``Container.time_limit``, kills what outlives it) and turns the
engine's ExecTimeoutError into a StepTimeoutError naming the identifier, the step and the option.
The limit is per step: every command of the step shares it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like.engine.exec_limit import ExecTimeoutError
from cibuildwheel_like.errors import StepTimeoutError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.pipeline.state import BuildContainer

TimeoutOption = Literal["build-timeout", "test-timeout"]

# The steps each option limits; "prepare" and "deliver" are ours and never limited.
LIMITED_STEPS: dict[str, TimeoutOption] = {
    "before-all": "build-timeout",
    "before-build": "build-timeout",
    "build": "build-timeout",
    "repair": "build-timeout",
    "test": "test-timeout",
    "smoke-test": "test-timeout",
}


def limit_of(options: BuildOptions, step: str) -> tuple[TimeoutOption, float] | None:
    """(option, minutes) limiting ``step`` for this build, or None."""
    option = LIMITED_STEPS.get(step)
    if option is None:
        return None
    match option:
        case "build-timeout":
            minutes = options.build_timeout
        case "test-timeout":
            minutes = options.test_timeout
    return None if minutes is None else (option, minutes)


@contextlib.contextmanager
def limited(container: BuildContainer, options: BuildOptions, step: str) -> Iterator[None]:
    limit = limit_of(options, step)
    if limit is None:
        yield
        return
    option, minutes = limit
    try:
        with container.time_limit(minutes * 60):
            yield
    except ExecTimeoutError as e:
        raise StepTimeoutError(
            identifier=options.identifier, step=step, option=option, minutes=minutes
        ) from e
