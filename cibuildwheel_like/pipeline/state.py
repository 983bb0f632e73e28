"""The per-group and per-identifier state the stages share (no module-level mutable state).

A ``GroupRun`` lives as long as its container; a ``BuildRun`` as long as one identifier. Step
timings and the wheel a build produced live on the ``BuildRun`` so results are collected per
identifier, which keeps groups independent (they could run concurrently).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline.argv import display
from cibuildwheel_like.report.results import StepTiming, TestOutcome

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    from cibuildwheel_like.context import Context
    from cibuildwheel_like.engine.container import ExecResult
    from cibuildwheel_like.options.model import BuildOptions, GlobalOptions
    from cibuildwheel_like.pipeline.deliver import Delivery
    from cibuildwheel_like.plan import ContainerGroup

PROJECT = PurePosixPath("/project")
WORK = PurePosixPath("/tmp/cibuildwheel-like")  # noqa: S108  # inside the container


class BuildContainer(Protocol):
    """What the stages use of a started container; ``engine.container.Container`` in a run.

    A Protocol, so the executor and every stage can be unit-tested with a fake that records the
    commands and scripts their outcomes, without an engine.
    """

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | PurePosixPath,
        capture: bool = False,
        shown: str | None = None,
    ) -> ExecResult: ...

    def environment(self) -> dict[str, str]: ...

    def copy_in(self, source: Path, dest: PurePosixPath) -> None: ...

    def write_file(self, dest: PurePosixPath, data: bytes) -> None: ...

    def copy_out(self, source: PurePosixPath, dest_dir: Path) -> list[Path]: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContainerPaths:
    project: PurePosixPath = PROJECT
    package: PurePosixPath = PROJECT
    built: PurePosixPath = WORK / "built_wheel"
    repaired: PurePosixPath = WORK / "repaired_wheel"
    wheels: PurePosixPath = WORK / "wheels"  # repaired wheels kept for abi3/py3 reuse
    constraints: PurePosixPath = WORK / "constraints.txt"
    tools: PurePosixPath = WORK / "tools"  # uv from PyPI when the image has none (uv_tools)


@dataclasses.dataclass(kw_only=True)
class GroupRun:
    group: ContainerGroup
    globals: GlobalOptions
    ctx: Context
    container: BuildContainer
    delivery: Delivery
    paths: ContainerPaths
    emulated: bool
    base_env: dict[str, str] = dataclasses.field(default_factory=dict)
    # wheel name in paths.wheels -> the identifier that built it (for abi3/py3 reuse and exit 6)
    built_wheels: dict[str, str] = dataclasses.field(default_factory=dict)
    has_constraints: bool = False
    uv_installed: bool = False  # uv_tools installed uv into paths.tools in this container


@dataclasses.dataclass(kw_only=True)
class BuildRun:
    run: GroupRun
    options: BuildOptions
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    steps: list[StepTiming] = dataclasses.field(default_factory=list)
    wheel: PurePosixPath | None = None  # the repaired wheel, in the container
    reused: bool = False  # an abi3/py3 wheel built for an earlier identifier
    test_outcome: TestOutcome = "not-run"
    current_step: str = "prepare"

    @property
    def identifier(self) -> str:
        return self.options.identifier

    @property
    def python_bin(self) -> PurePosixPath:
        return PurePosixPath(self.options.config.path) / "bin"

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one stage and report it through the output (▶/✓/✕ lines)."""
        self.current_step = name
        start = time.monotonic()
        ok = False
        try:
            with self.run.ctx.output.step(self.identifier, name):
                yield
            ok = True
        finally:
            self.steps.append(StepTiming(name=name, seconds=time.monotonic() - start, ok=ok))

    def call(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: PurePosixPath | None = None,
        hint: str = "",
        shown: str | None = None,
    ) -> None:
        """Run in the container, streaming; a non-zero exit is a BuildStepError for this step."""
        result = self.run.container.run(
            argv,
            env=self.env if env is None else env,
            cwd=cwd or self.run.paths.project,
            shown=shown,
        )
        if result.returncode != 0:
            raise BuildStepError(
                identifier=self.identifier,
                step=self.current_step,
                command=shown or display(argv),
                returncode=result.returncode,
                hint=hint,
            )

    def capture(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: PurePosixPath | None = None,
    ) -> str:
        result = self.run.container.run(
            argv,
            env=self.env if env is None else env,
            cwd=cwd or self.run.paths.project,
            capture=True,
        )
        if result.returncode != 0:
            for line in result.stderr.splitlines():
                self.run.ctx.output.stream_line(line)
            raise BuildStepError(
                identifier=self.identifier,
                step=self.current_step,
                command=display(argv),
                returncode=result.returncode,
            )
        return result.stdout

    def fail(self, message: str) -> FatalError:
        return FatalError(f"{self.identifier}: step '{self.current_step}': {message}")
