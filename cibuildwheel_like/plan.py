"""What will be built, in which image, container and lane: a pure function, no engine.

``make_plan`` groups identifiers the way cibuildwheel does (same platform tag, image, before-all
and engine share one container), preserving identifier order, then decides the lanes: which
containers run side by side in up to ``jobs`` parallel lanes (see ``plan_lanes`` for the
heuristic). The ``Plan`` carries everything the executor, the report and the views need: the
groups, the lanes, the run-wide options and where each option's value came from, so nothing
downstream reaches back into option resolution.
"""

from __future__ import annotations

import dataclasses
import os
from types import MappingProxyType
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.fingerprint import plan_fingerprint
from cibuildwheel_like.options.cross_support import decide

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from cibuildwheel_like.options.cascade import Resolved
    from cibuildwheel_like.options.cross_support import CrossDecision
    from cibuildwheel_like.options.model import BuildOptions, EngineConfig, GlobalOptions
    from cibuildwheel_like.shards import Share


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContainerGroup:
    platform_tag: str  # e.g. "manylinux_x86_64"
    image: str
    engine: EngineConfig
    before_all: str
    arch: Arch
    builds: tuple[BuildOptions, ...]

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(b.identifier for b in self.builds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContainerSlot:
    """One container of a lane: a group's builds, or (when the group is split) a contiguous
    part of them. Part 0 holds the group's first identifier, whose wheel decides abi3/py3-none
    reuse for the other parts; it is placed before every later part in its lane."""

    group: int  # index into Plan.groups
    part: int  # 0 .. parts - 1, in identifier order
    parts: int  # how many containers the group is split into (1: not split)
    builds: tuple[BuildOptions, ...]
    cost: float  # estimated, in native-build units (see plan_lanes)

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(b.identifier for b in self.builds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Lane:
    """Containers run one after another in one thread; lanes run side by side."""

    index: int
    containers: tuple[ContainerSlot, ...]

    @property
    def cost(self) -> float:
        return sum(c.cost for c in self.containers)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Plan:
    globals: GlobalOptions
    groups: tuple[ContainerGroup, ...]
    selected: tuple[str, ...]  # identifiers in selection order (--print-build-identifiers)
    run_options: Mapping[str, Resolved]  # run-wide option values and their sources
    build_sources: Mapping[str, Mapping[str, Resolved]]  # per identifier
    lanes: tuple[Lane, ...] = ()  # empty only for a plan without builds
    share: Share | None = None  # set when this is one share of a sharded plan (shards.py)
    # per identifier: how it is built (native, emulated or cross-compiled) and why
    cross: Mapping[str, CrossDecision] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )

    @property
    def builds(self) -> tuple[BuildOptions, ...]:
        return tuple(b for g in self.groups for b in g.builds)

    @property
    def fingerprint(self) -> str:
        """The whole plan's (also for one share of it): see fingerprint.py."""
        if self.share is not None:
            return self.share.plan_fingerprint
        return plan_fingerprint(self.builds)

    @property
    def plan_identifiers(self) -> tuple[str, ...]:
        """The whole plan's builds in plan order (also for one share of it)."""
        if self.share is not None:
            return self.share.plan_identifiers
        return tuple(b.identifier for b in self.builds)

    def sources_of(self, identifier: str) -> Mapping[str, Resolved]:
        return self.build_sources[identifier]

    @property
    def overlaps_tests(self) -> bool:
        """Each lane tests an identifier while it builds the next (pipeline/overlap.py): with
        more than one lane, unless keep-going or a kept container asks for a sequential lane."""
        g = self.globals
        return len(self.lanes) > 1 and not g.keep_going and not g.debug_keep_container

    @property
    def jobs(self) -> int:
        """The number of lanes actually used (``jobs``, never more than the builds)."""
        return len(self.lanes)

    def slot_of(self, identifier: str) -> tuple[Lane, int, ContainerSlot]:
        """The lane, the position within it and the container that builds ``identifier``."""
        for lane in self.lanes:
            for position, slot in enumerate(lane.containers):
                if identifier in slot.identifiers:
                    return lane, position, slot
        raise KeyError(identifier)


def make_plan(
    *,
    globals: GlobalOptions,  # noqa: A002  # cibuildwheel's name for run-wide options
    builds: Iterable[BuildOptions],
    run_options: Mapping[str, Resolved],
    build_sources: Mapping[str, Mapping[str, Resolved]],
    cpus: int | None = None,
    host: Arch | None = None,
) -> Plan:
    """``cpus`` (default: this machine's) sizes ``jobs = auto``; ``host`` (default: this
    machine's arch) tells which builds run natively, under emulation or cross-compiled
    (``Plan.cross``), for the lane heuristic and the executor."""
    ordered = tuple(builds)
    host = host or Arch.native()
    blockers = globals.cross_blockers
    cross = {b.identifier: decide(b, blockers=blockers, host=host) for b in ordered}
    grouped: dict[tuple[str, str, EngineConfig, str], list[BuildOptions]] = {}
    for build in ordered:
        key = (build.config.platform_part, build.image, build.container_engine, build.before_all)
        grouped.setdefault(key, []).append(build)
    groups = tuple(
        ContainerGroup(
            platform_tag=platform_tag,
            image=image,
            engine=engine,
            before_all=before_all,
            arch=members[0].arch,
            builds=tuple(members),
        )
        for (platform_tag, image, engine, before_all), members in grouped.items()
    )
    wanted = globals.jobs or cpus or os.cpu_count() or 1
    return Plan(
        globals=globals,
        groups=groups,
        lanes=plan_lanes(groups, jobs=wanted, host=host, cross=cross),
        selected=tuple(b.identifier for b in ordered),
        run_options=MappingProxyType(dict(run_options)),
        build_sources=MappingProxyType(
            {b.identifier: MappingProxyType(dict(build_sources[b.identifier])) for b in ordered}
        ),
        cross=MappingProxyType(cross),
    )


# -- lanes --------------------------------------------------------------------------------------
# The cost model, in units of one native build (build + repair + test of one identifier; about
# 8 s for a small C extension on the reference machine). Only the ratios matter.
BUILD_COST = 1.0
CONTAINER_COST = 0.25  # starting a container, copying the project in, checking interpreters
BEFORE_ALL_COST = 1.0  # a before-all command (system packages, a library build): unknown, so 1
EMULATION_FACTOR = 6.0  # the same work under QEMU (9 s native against 54 s for aarch64)
# A cross-compiled build (emulation = cross | auto): compiled natively, repaired and tested
# under QEMU. Benchmark (e) (docs/performance.md): about 23 s cross against 33 s emulated per
# foreign identifier, so 6.0 * 23 / 33 = 4.2; small projects, whose compile is a small share.
CROSS_FACTOR = 4.0


def container_cost(group: ContainerGroup, builds: int, *, host: Arch, cross: int = 0) -> float:
    """The estimated time of one container of ``group`` running ``builds`` of its builds, of
    which ``cross`` are cross-compiled (they add the build container's start)."""
    fixed = CONTAINER_COST + (BEFORE_ALL_COST if group.before_all.strip() else 0.0)
    if group.arch.runs_natively_on(host):
        return fixed + BUILD_COST * builds
    emulated = (fixed + BUILD_COST * (builds - cross)) * EMULATION_FACTOR
    return emulated + (CONTAINER_COST + BUILD_COST * CROSS_FACTOR * cross if cross else 0.0)


def cross_count(builds: Iterable[BuildOptions], cross: Mapping[str, CrossDecision]) -> int:
    """How many of ``builds`` are cross-compiled (those ``cross`` has no decision for: none)."""
    return sum(1 for b in builds if (d := cross.get(b.identifier)) and d.mode == "cross")


def plan_lanes(
    groups: Sequence[ContainerGroup],
    *,
    jobs: int,
    host: Arch,
    cross: Mapping[str, CrossDecision] | None = None,
) -> tuple[Lane, ...]:
    """Which containers run in which of up to ``jobs`` lanes.

    The heuristic: every group starts as one container. Containers are placed by
    longest-processing-time first (the costliest container goes to the least loaded lane), and
    the run's estimated length is the most loaded lane. Then, as long as it makes the run
    strictly shorter, the group whose split into one more container shortens it most is split
    (into contiguous, near-equal parts, at most one per lane and per build): a split pays the
    container start and before-all again, so a group with a costly before-all or a single
    build stays whole, and a long emulated group runs beside native ones rather than being
    cut. Within a lane every part 0 comes before any later part, so a part waiting for its
    group's first wheel never waits on a container queued behind it. ``jobs = 1`` is one lane
    holding every group in plan order: the run cibuildwheel does. ``cross``: the builds'
    decisions (``Plan.cross``), which tell the cross-compiled ones (see ``container_cost``).
    """
    cross = cross or {}
    builds = sum(len(g.builds) for g in groups)
    lanes = max(1, min(jobs, builds))
    if lanes == 1:
        slots = tuple(_slots(groups, [1] * len(groups), host=host, cross=cross))
        return (Lane(index=0, containers=slots),) if slots else ()
    parts = [1] * len(groups)
    best = _assign(_slots(groups, parts, host=host, cross=cross), lanes)
    while True:
        trials = []
        for index, group in enumerate(groups):
            if parts[index] >= min(lanes, len(group.builds)):
                continue
            split = [*parts]
            split[index] += 1
            trials.append((_assign(_slots(groups, split, host=host, cross=cross), lanes), index))
        if not trials:
            break
        candidate, index = min(trials, key=lambda t: (_makespan(t[0]), t[1]))
        if _makespan(candidate) >= _makespan(best) - 1e-9:
            break
        best = candidate
        parts[index] += 1
    return best


def _slots(
    groups: Sequence[ContainerGroup],
    parts: Sequence[int],
    *,
    host: Arch,
    cross: Mapping[str, CrossDecision],
) -> list[ContainerSlot]:
    slots: list[ContainerSlot] = []
    for index, (group, count) in enumerate(zip(groups, parts, strict=True)):
        size, extra = divmod(len(group.builds), count)
        start = 0
        for part in range(count):
            end = start + size + (1 if part < extra else 0)
            members = group.builds[start:end]
            slots.append(
                ContainerSlot(
                    group=index,
                    part=part,
                    parts=count,
                    builds=members,
                    cost=container_cost(
                        group, len(members), host=host, cross=cross_count(members, cross)
                    ),
                )
            )
            start = end
    return slots


def _assign(slots: Sequence[ContainerSlot], lanes: int) -> tuple[Lane, ...]:
    """Longest processing time first; ties keep plan order and go to the lowest lane."""
    loads = [0.0] * lanes
    chosen: list[list[ContainerSlot]] = [[] for _ in range(lanes)]
    order = sorted(range(len(slots)), key=lambda i: (-slots[i].cost, i))
    for i in order:
        lane = min(range(lanes), key=lambda n: (loads[n], n))
        loads[lane] += slots[i].cost
        chosen[lane].append(slots[i])
    # Part 0 of every group first (stable: keeps the LPT order within each kind).
    return tuple(
        Lane(index=n, containers=tuple(sorted(members, key=lambda s: s.part > 0)))
        for n, members in enumerate(chosen)
        if members
    )


def _makespan(lanes: Sequence[Lane]) -> float:
    return max((lane.cost for lane in lanes), default=0.0)
