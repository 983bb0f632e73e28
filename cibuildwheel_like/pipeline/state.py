"""The per-run, per-container and per-identifier state the stages share (no module-level
mutable state).

A ``RunControl`` is shared by the lanes of one run (the first failure stops them all); a
``FirstWheel`` by the containers of one split group; a ``GroupRun`` lives as long as its
container; a ``BuildRun`` as long as one identifier. Step timings and the wheel a build produced
live on the ``BuildRun`` so results are collected per identifier, which keeps containers
independent: lanes run them concurrently.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.pipeline import timeouts
from cibuildwheel_like.pipeline.argv import display
from cibuildwheel_like.pipeline.audit import AuditEnvironments
from cibuildwheel_like.report.results import (
    BuildMethod,
    CacheStats,
    Provenance,
    StepTiming,
    TestOutcome,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.context import Context
    from cibuildwheel_like.engine.client import ImageIdentity
    from cibuildwheel_like.engine.container import ExecResult
    from cibuildwheel_like.options.cross_support import CrossDecision
    from cibuildwheel_like.options.model import BuildOptions, GlobalOptions
    from cibuildwheel_like.pipeline.cross import CrossRun
    from cibuildwheel_like.pipeline.deliver import Delivery
    from cibuildwheel_like.pipeline.early_venv import EarlyVenv
    from cibuildwheel_like.pipeline.uv_tools import FoundUv
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

    def copy_in(
        self, source: Path, dest: PurePosixPath, *, exclude: Sequence[Path] = ()
    ) -> None: ...

    def write_file(self, dest: PurePosixPath, data: bytes) -> None: ...

    def copy_out(self, source: PurePosixPath, dest_dir: Path) -> list[Path]: ...

    def abort(self) -> None:
        """Force-remove the container from another thread; a running command ends."""

    def image_identity(self) -> ImageIdentity:
        """The ID (and registry digests) of the image the container runs (provenance)."""

    def time_limit(self, seconds: float | None) -> AbstractContextManager[None]:
        """Commands run inside must end within ``seconds``; one that does not is killed (with
        whatever it started) and ``run`` raises ExecTimeoutError."""


if TYPE_CHECKING:
    # What ``pipeline.executor.ContainerFactory`` is, seen from here: keyword arguments in, a
    # container's context manager out (entering starts it, leaving removes it).
    TestContainerFactory = Callable[..., AbstractContextManager[BuildContainer]]


class Stopped(Exception):  # noqa: N818  # not an error of its own: the lane was told to stop
    """Raised inside a lane once another lane failed or the run was interrupted."""


class RunControl:
    """Shared by the lanes of one run: the first failure (or Ctrl-C) wins and stops the others.

    Containers register while they run, so ``stop`` can abort them from whichever thread
    failed: their running commands end and their lanes finish with "not-run" results.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._containers: list[BuildContainer] = []
        self.error: BaseException | None = None

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait_stopped(self, timeout: float) -> bool:
        return self._stopped.wait(timeout)

    def stop(self, error: BaseException, *, own: BuildContainer | None = None) -> bool:
        """Record ``error`` if it is the first and abort every running container but ``own``
        (the failing lane's, which its ``with`` block removes, or keeps for
        CIBW_DEBUG_KEEP_CONTAINER). True for the first stop."""
        with self._lock:
            first = not self._stopped.is_set()
            if first:
                self.error = error
                self._stopped.set()
            running = [c for c in self._containers if c is not own] if first else []
        for container in running:
            with contextlib.suppress(Exception):  # best effort: leaving `with` removes it too
                container.abort()
        return first

    def check(self) -> None:
        if self.stopped:
            raise Stopped

    @contextlib.contextmanager
    def running(self, container: BuildContainer) -> Iterator[None]:
        with self._lock:
            self._containers.append(container)
        try:
            self.check()  # stopped while it was starting: leave (and remove it) at once
            yield
        finally:
            with self._lock:
                self._containers.remove(container)


class FirstWheel:
    """The wheel of a split group's first identifier, for the group's other containers.

    Part 0 publishes it (a host copy, or None when it cannot serve a later Python); the other
    parts prepare and make their first build meanwhile, then ``wait`` for it (``stages``).
    """

    def __init__(self, staging: Path, identifiers: tuple[str, ...]) -> None:
        self.staging = staging  # host folder for the published copy
        self.identifiers = identifiers  # the whole group's, in order (the first one builds it)
        self._ready = threading.Event()
        self.wheel: Path | None = None
        self.identifier = ""
        self.failed: str | None = None

    def publish(self, wheel: Path | None, identifier: str, *, failed: str | None = None) -> None:
        """``failed``: the name of the first wheel, which failed its test (keep-going)."""
        self.wheel, self.identifier, self.failed = wheel, identifier, failed
        self._ready.set()

    @property
    def published(self) -> bool:
        return self._ready.is_set()

    def wait(self, control: RunControl) -> Path | None:
        """The published wheel; Stopped when the run stops first (part 0 failed, Ctrl-C)."""
        while not self._ready.wait(0.2):
            control.check()
        control.check()
        return self.wheel


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
    uv_versions: dict[str, str] = dataclasses.field(default_factory=dict)  # path -> ran as
    lane: int = 0  # the parallel lane this container runs in
    container_name: str = ""
    part: int = 0  # which part of a split group this container runs (0: the first builds)
    # every build of the plan's group (``group.builds`` is this container's part of it): the
    # image checks name them all at once, whichever container finds the problem first
    group_builds: tuple[BuildOptions, ...] = ()
    first_wheel: FirstWheel | None = None  # shared by the containers of a split group
    first_wheel_received: bool = False  # a later part: waited for it (stages.receive_first_wheel)
    # keep-going: wheel name -> the identifier it failed for; never reused (see keep_going)
    failed_wheels: dict[str, str] = dataclasses.field(default_factory=dict)
    control: RunControl = dataclasses.field(default_factory=RunControl)
    # makes the fresh test containers (test-container = fresh); the executor's factory, the
    # engine's Container when None
    test_containers: TestContainerFactory | None = None
    audit: AuditEnvironments = dataclasses.field(default_factory=AuditEnvironments)  # run-wide
    image: ImageIdentity | None = None  # asked once per container (provenance)
    auditwheel_version: str | None = None  # asked once per container; "" = unknown
    test_folders: int = 0  # test folders so far in this container: numbers each new one
    overlap_tests: bool = False  # Plan.overlaps_tests: a test may run beside the next build
    # per identifier: native, emulated or cross-compiled, and why (Plan.cross)
    decisions: Mapping[str, CrossDecision] = dataclasses.field(default_factory=dict)
    cross: CrossRun | None = None  # the build container of cross builds (pipeline/cross.py)
    methods: dict[str, BuildMethod] = dataclasses.field(default_factory=dict)  # by identifier

    def moved_to(
        self,
        container: BuildContainer,
        *,
        image: str,
        arch: Arch,
        builds: tuple[BuildOptions, ...],
    ) -> GroupRun:
        """This run's copy for another container (a fresh test container, a cross build
        container): the same run, lane and control; nothing this container learned (its
        environment, wheels, tools, image), and no before-all."""
        return dataclasses.replace(
            self,
            group=dataclasses.replace(
                self.group, image=image, arch=arch, before_all="", builds=builds
            ),
            group_builds=builds,
            container=container,
            container_name=str(getattr(container, "name", "")),
            base_env={},
            built_wheels={},
            has_constraints=False,
            uv_installed=False,
            uv_versions={},
            first_wheel=None,
            image=None,
            auditwheel_version=None,
            cross=None,
            methods={},
        )


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
    cache: CacheStats = dataclasses.field(
        default_factory=CacheStats
    )  # filled by the stages that use the persistent caches
    found_uv: FoundUv | None = None  # uv_tools.find_uv's answer, asked once per build
    provenance: Provenance | None = None  # recorded once the wheel is repaired (or reused)
    test_dir: PurePosixPath | None = None  # see test_folder
    early_venv: EarlyVenv | None = None  # its test venv, made beside its build (early_venv)
    method: BuildMethod | None = None  # how its wheel was compiled (None: in its container)

    @property
    def identifier(self) -> str:
        return self.options.identifier

    @property
    def python_bin(self) -> PurePosixPath:
        return PurePosixPath(self.options.config.path) / "bin"

    @property
    def runs_tests(self) -> bool:
        """Whether the test stage runs anything here (the cases test.test_wheel skips)."""
        options = self.options
        if not options.test_command.strip() or options.test_skipped:
            return False
        return not (self.run.emulated and options.emulated_tests == "skip")

    def test_folder(self) -> PurePosixPath:
        """This build's own folder for its test (the venv, the directory tests run from), new
        in its container; named here, not by mktemp (one command less): the venv command and
        the copy of the test sources create it."""
        if self.test_dir is None:
            self.run.test_folders += 1
            number = self.run.test_folders
            self.test_dir = PurePosixPath(f"/tmp/cibwl-test.{number:06d}")  # noqa: S108  # ours
        return self.test_dir

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one stage and report it through the output (▶/✓/✕ lines)."""
        self.current_step = name
        start = time.monotonic()
        ok = False
        try:
            with (
                self.run.ctx.output.step(self.identifier, name),
                timeouts.limited(self.run.container, self.options, name),
            ):
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
        hint: str | Callable[[], str] = "",
        shown: str | None = None,
    ) -> None:
        """Run in the container, streaming; a non-zero exit is a BuildStepError for this step.

        A callable ``hint`` is asked only on failure (some hints walk the project).
        """
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
                hint=hint() if callable(hint) else hint,
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
