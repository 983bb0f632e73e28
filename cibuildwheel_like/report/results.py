"""Per-identifier results, collected by the executor and read by output and the report."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import Path

TestOutcome = Literal["passed", "skipped", "smoke", "failed", "not-run"]
BuildStatus = Literal["built", "failed", "not-run"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class StepTiming:
    name: str  # prepare, before-build, build, repair, test, deliver
    seconds: float
    ok: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class CacheStats:
    """What the persistent caches did for one build; None: not measured (e.g. caches off)."""

    compiler_hits: int | None = None  # ccache hits during this build's compile steps
    compiler_misses: int | None = None
    downloads: int | None = None  # packages fetched from an index, not from the cache


@dataclasses.dataclass(frozen=True, kw_only=True)
class Failure:
    """Where a failed build failed: the step, and the command when a command failed."""

    step: str  # prepare, before-all, before-build, build, repair, test, deliver, container
    command: str | None = None
    returncode: int | None = None


BuiltBy = Literal["native", "emulated", "cross"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildMethod:
    """How a wheel was compiled: on this machine's arch, under QEMU in the target's image, or
    cross-compiled on this machine (emulation = cross | auto) and repaired under QEMU."""

    built_by: BuiltBy
    build_image: str | None = None  # cross: the image it was compiled in
    toolchain: str | None = None  # cross: the cross compiler, e.g. "aarch64-linux-gnu-gcc 12.2.0"
    cross_fallback: str | None = None  # emulation = auto: why it was emulated after all


@dataclasses.dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where and how a wheel was made: the image (reference, ID, registry digests), the
    auditwheel that repaired it and the policy it proved, and the SOURCE_DATE_EPOCH of the
    build (None: unset)."""

    image: str
    image_id: str | None = None
    repo_digests: tuple[str, ...] = ()
    auditwheel_version: str | None = None  # None: the repair did not run auditwheel
    auditwheel_policy: str | None = None  # e.g. "manylinux_2_17_x86_64"
    source_date_epoch: str | None = None
    method: BuildMethod = dataclasses.field(default_factory=lambda: BuildMethod(built_by="native"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildResult:
    identifier: str
    image: str
    interpreter: str  # /opt/python/... path
    status: BuildStatus
    wheel: Path | None = None  # final path in the output directory
    size: int | None = None
    sha256: str | None = None
    test_outcome: TestOutcome = "not-run"
    steps: tuple[StepTiming, ...] = ()
    error: str | None = None
    lane: int | None = None  # which of the run's parallel lanes ran it (0-based)
    container: str | None = None  # the container's name
    cache: CacheStats = CacheStats()
    failure: Failure | None = None  # set when status is "failed"
    provenance: Provenance | None = None  # set once the wheel is repaired

    @property
    def build_seconds(self) -> float:
        return sum(s.seconds for s in self.steps)
