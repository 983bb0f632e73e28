"""Shards: the plan cut into N shares that separate machines (CI jobs) build, one share each.

A pure function over the ``Plan``: ``partition`` decides, for a number of shares, which builds
each share holds; ``select_share`` turns a plan into the plan of one share (its own container
groups and lanes, plus a ``Share`` record: which share of which plan); ``share_count`` chooses
how many shares are worth a job, for ``plan --github-matrix``.

The rules:

- Shares depend only on the configuration and the shard value, never on the machine that
  computes them: every job of a matrix computes the same partition. Costs are estimated for
  GitHub's runners: x86_64 and i686 native, every other architecture under QEMU, except aarch64
  when the shard value ends in ``+arm`` (``plan --github-matrix --arm-runner LABEL``): then
  aarch64 builds are native and always in shares of their own, for the arm runner.
- The estimate is the lanes' cost model (plan.py): per container, a start cost plus one unit per
  build (plus one for a before-all), times ``EMULATION_FACTOR`` under QEMU; a build the runner
  would cross-compile (``emulation = cross | auto``) costs ``CROSS_FACTOR`` instead.
- A container group of a project that may build an abi3 / py3-none wheel (options/wheel_reuse.py)
  is never cut: its wheel is built once and tested on every later Python, in one share. Other
  groups may be cut into contiguous parts, as lanes are, when that shortens the longest share.
- Within each runner kind, pieces go to shares by longest-processing-time first; a group is cut
  one part more while that makes the shares' costs, longest first, smaller (so two equally long
  groups are both cut). The shares of a kind are numbered in plan order of their first build.
  Every build is in exactly one share.
"""

from __future__ import annotations

import dataclasses
import enum
import heapq
import os
import re
from types import MappingProxyType
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.cross_support import decide
from cibuildwheel_like.plan import container_cost, plan_lanes

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.plan import ContainerGroup, Plan

ARM_SUFFIX = "+arm"
_SHARD = re.compile(r"(?P<index>[0-9]+)/(?P<count>[0-9]+)(?P<arm>\+arm)?")
# A CI job's own cost in native builds (runner start, checkout, installing the tool, pulling
# the image: ~25 s against ~8 s per small build): another job is worth it only when it shortens
# the longest share by at least this much.
JOB_COST = 3.0
DEFAULT_MAX_JOBS = 20  # GitHub's concurrent-job limit on the free plan


class Runner(enum.Enum):
    """Which kind of runner a piece of the plan needs."""

    default = "default"  # ubuntu-latest: x86_64 natively, everything else with QEMU
    arm = "arm"  # a native arm64 runner (only with +arm): aarch64 builds


@dataclasses.dataclass(frozen=True, kw_only=True)
class Shard:
    """A parsed ``--shard I/N[+arm]`` value; ``index`` counts from 1."""

    index: int
    count: int
    native_arm: bool = False

    @property
    def fraction(self) -> str:
        return f"{self.index}/{self.count}"

    def __str__(self) -> str:
        return self.fraction + (ARM_SUFFIX if self.native_arm else "")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Share:
    """What a plan cut to one share remembers of the whole plan (for the report and merging)."""

    shard: Shard
    plan_fingerprint: str  # of the whole plan: equal in every share
    plan_identifiers: tuple[str, ...]  # the whole plan's builds, in plan order
    estimated_cost: float  # this share's, in native builds


@dataclasses.dataclass(frozen=True, kw_only=True)
class Piece:
    """Builds of one container group that go to one share together."""

    group: int  # index into Plan.groups
    builds: tuple[BuildOptions, ...]
    cost: float
    runner: Runner


def parse_shard(text: str, *, option: str) -> Shard:
    """``"2/3"`` or ``"2/3+arm"``; anything else is a ConfigurationError naming ``option``."""
    found = _SHARD.fullmatch(text.strip())
    if found is not None:
        index, count = int(found["index"]), int(found["count"])
        if 1 <= index <= count:
            return Shard(index=index, count=count, native_arm=found["arm"] is not None)
    raise ConfigurationError(
        f"{option} = {text!r} is not valid; use I/N with 1 <= I <= N, e.g. 1/3 for the first of"
        f" three shares (with {ARM_SUFFIX} when the plan was made with --arm-runner)"
    )


def runner_of(group: ContainerGroup, *, native_arm: bool) -> Runner:
    return Runner.arm if native_arm and group.arch is Arch.aarch64 else Runner.default


def _cost(
    group: ContainerGroup, builds: Sequence[BuildOptions], runner: Runner, blockers: Sequence[str]
) -> float:
    host = Arch.aarch64 if runner is Runner.arm else Arch.x86_64
    # decided for the runner, not taken from Plan.cross (this machine's): shares never depend
    # on the machine that computes them
    cross = sum(1 for b in builds if decide(b, blockers=blockers, host=host).mode == "cross")
    return container_cost(group, len(builds), host=host, cross=cross)


def _pieces(
    plan: Plan, members: Sequence[int], parts: Sequence[int], runner: Runner
) -> list[Piece]:
    pieces: list[Piece] = []
    for index, count in zip(members, parts, strict=True):
        group = plan.groups[index]
        size, extra = divmod(len(group.builds), count)
        start = 0
        for part in range(count):
            end = start + size + (1 if part < extra else 0)
            builds = group.builds[start:end]
            cost = _cost(group, builds, runner, plan.globals.cross_blockers)
            pieces.append(Piece(group=index, builds=builds, cost=cost, runner=runner))
            start = end
    return pieces


def _assign(pieces: Sequence[Piece], bins: int) -> list[list[Piece]]:
    """Longest processing time first; ties keep plan order and go to the lowest share."""
    heap = [(0.0, n) for n in range(bins)]  # (load, share): the least loaded, lowest first
    chosen: list[list[Piece]] = [[] for _ in range(bins)]
    for i in sorted(range(len(pieces)), key=lambda i: (-pieces[i].cost, i)):
        load, target = heapq.heappop(heap)
        chosen[target].append(pieces[i])
        heapq.heappush(heap, (load + pieces[i].cost, target))
    return chosen


def _profile(shares: Sequence[Sequence[Piece]]) -> tuple[float, ...]:
    """The shares' costs, longest first: a cut that leaves the longest share as long but makes
    the next one shorter still helps (two equally long emulated groups, say)."""
    return tuple(sorted((round(sum(p.cost for p in share), 6) for share in shares), reverse=True))


def _makespan(shares: Sequence[Sequence[Piece]]) -> float:
    return max((sum(p.cost for p in share) for share in shares), default=0.0)


def _partition_kind(
    plan: Plan, members: Sequence[int], bins: int, runner: Runner
) -> list[list[Piece]]:
    """``bins`` shares of the groups ``members``; groups are cut while that shortens the
    longest share, except those of a project that may build a reused wheel."""
    splittable = plan.globals.wheel_reuse_hint is None
    parts = [1] * len(members)
    best = _assign(_pieces(plan, members, parts, runner), bins)
    while splittable:
        trials = []
        for position, index in enumerate(members):
            if parts[position] >= min(bins, len(plan.groups[index].builds)):
                continue
            cut = [*parts]
            cut[position] += 1
            trials.append((_assign(_pieces(plan, members, cut, runner), bins), position))
        if not trials:
            break
        candidate, position = min(trials, key=lambda t: (_profile(t[0]), t[1]))
        if _profile(candidate) >= _profile(best):
            break
        best = candidate
        parts[position] += 1
    rank = {b.identifier: i for i, b in enumerate(plan.builds)}

    def first(share: list[Piece]) -> int:
        return min((rank[b.identifier] for p in share for b in p.builds), default=len(rank))

    return sorted(best, key=first)  # empty shares last


def _kinds(plan: Plan, *, native_arm: bool) -> dict[Runner, list[int]]:
    kinds: dict[Runner, list[int]] = {}
    for index, group in enumerate(plan.groups):
        kinds.setdefault(runner_of(group, native_arm=native_arm), []).append(index)
    return {kind: kinds[kind] for kind in Runner if kind in kinds}  # default kind first


def partition(plan: Plan, count: int, *, native_arm: bool = False) -> list[list[Piece]]:
    """``count`` shares (some empty when there is less to share), in shard order."""
    kinds = _kinds(plan, native_arm=native_arm)
    if len(kinds) > 1 and count < len(kinds):
        # fewer shares than runner kinds: one share holds everything, costed as the first kind
        whole = _pieces(plan, range(len(plan.groups)), [1] * len(plan.groups), Runner.default)
        return [whole] + [[] for _ in range(count - 1)]
    if not kinds:
        return [[] for _ in range(count)]
    if len(kinds) == 1:
        ((kind, members),) = kinds.items()
        return _partition_kind(plan, members, count, kind)
    for shares in _growing(plan, kinds):
        if len(shares) == count:
            return shares
    raise AssertionError  # pragma: no cover  # _growing never ends


def _growing(plan: Plan, kinds: dict[Runner, list[int]]) -> Iterator[list[list[Piece]]]:
    """The partitions into one share per kind, then one share more each time: the next share
    goes to the kind where it shortens the whole run most (then: where it shortens that kind
    most, then the first kind)."""
    order = list(kinds)
    bins = dict.fromkeys(order, 1)
    known: dict[tuple[Runner, int], list[list[Piece]]] = {}

    def kind_shares(kind: Runner, count: int) -> list[list[Piece]]:
        if (kind, count) not in known:
            known[kind, count] = _partition_kind(plan, kinds[kind], count, kind)
        return known[kind, count]

    shares = {k: kind_shares(k, 1) for k in order}
    while True:
        yield [share for kind in order for share in shares[kind]]
        trials = {k: kind_shares(k, bins[k] + 1) for k in order}
        kind = min(order, key=lambda k: _outcome(k, order, shares, trials[k]))
        bins[kind] += 1
        shares[kind] = trials[kind]


def _outcome(
    kind: Runner,
    order: Sequence[Runner],
    shares: dict[Runner, list[list[Piece]]],
    trial: list[list[Piece]],
) -> tuple[float, float, int]:
    others = max((_makespan(shares[o]) for o in order if o is not kind), default=0.0)
    after = _makespan(trial)
    return (max(others, after), after - _makespan(shares[kind]), order.index(kind))


def share_count(plan: Plan, *, max_jobs: int, native_arm: bool = False) -> int:
    """How many shares are worth a job: the fewest (at least one per runner kind, at most
    ``max_jobs``, none empty) whose longest share is within ``JOB_COST`` of the shortest
    longest share any allowed count reaches."""
    kinds = _kinds(plan, native_arm=native_arm)
    if not kinds or max_jobs < len(kinds):
        return max(1, min(max_jobs, len(kinds)))
    spans: dict[int, float] = {}
    for shares in _growing(plan, kinds):
        if len(shares) > max_jobs or any(not share for share in shares):
            break
        spans[len(shares)] = _makespan(shares)
    best = min(spans.values())
    return min(n for n, span in spans.items() if span <= best + JOB_COST)


def select_share(
    plan: Plan, shard: Shard, *, cpus: int | None = None, host: Arch | None = None
) -> Plan:
    """The plan of share ``shard``: its builds in their container groups (two pieces of one
    group in one share are one container again), lanes planned afresh for this machine
    (``cpus``, ``host`` as for ``make_plan``)."""
    if plan.share is not None:
        raise ValueError("select_share needs the whole plan, not a share of it")
    pieces = partition(plan, shard.count, native_arm=shard.native_arm)[shard.index - 1]
    wanted = {b.identifier for p in pieces for b in p.builds}
    groups = tuple(
        dataclasses.replace(g, builds=tuple(b for b in g.builds if b.identifier in wanted))
        for g in plan.groups
        if any(b.identifier in wanted for b in g.builds)
    )
    jobs = plan.globals.jobs or cpus or os.cpu_count() or 1
    return dataclasses.replace(
        plan,
        groups=groups,
        lanes=plan_lanes(groups, jobs=jobs, host=host or Arch.native(), cross=plan.cross),
        selected=tuple(i for i in plan.selected if i in wanted),
        build_sources=MappingProxyType(
            {i: s for i, s in plan.build_sources.items() if i in wanted}
        ),
        cross=MappingProxyType({i: d for i, d in plan.cross.items() if i in wanted}),
        share=Share(
            shard=shard,
            plan_fingerprint=plan.fingerprint,
            plan_identifiers=tuple(b.identifier for b in plan.builds),
            estimated_cost=round(sum(p.cost for p in pieces), 2),
        ),
    )
