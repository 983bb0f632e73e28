"""shards.py: partitions of a plan into shares (coverage, balance, stability, families) and the
plan of one share; fingerprint.py: what the plan's fingerprint covers."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from fakes import build_options, global_options, plan_of

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.fingerprint import plan_fingerprint
from cibuildwheel_like.options.environment import Assignment, ParsedEnvironment
from cibuildwheel_like.options.model import EngineConfig
from cibuildwheel_like.plan import EMULATION_FACTOR
from cibuildwheel_like.shards import (
    JOB_COST,
    Runner,
    Shard,
    parse_shard,
    partition,
    select_share,
    share_count,
)

PYTHONS = ("cp39", "cp310", "cp311", "cp312", "cp313", "cp314", "cp315")


def ids(arch: str, libc: str = "manylinux", pythons: tuple[str, ...] = PYTHONS) -> list[str]:
    return [f"{p}-{libc}_{arch}" for p in pythons]


def make(identifiers, *, reuse: str | None = None, jobs: int = 2, host=Arch.x86_64, **changes):
    globals_ = global_options(Path("/nowhere"), jobs=jobs, wheel_reuse_hint=reuse)
    return plan_of([build_options(i, **changes) for i in identifiers], globals_, host=host)


def shares_of(plan, count, **kw) -> list[list[str]]:
    return [
        [b.identifier for p in share for b in p.builds] for share in partition(plan, count, **kw)
    ]


def cost(share) -> float:
    return sum(p.cost for p in share)


BIG = [*ids("x86_64"), *ids("x86_64", "musllinux"), *ids("i686"), *ids("aarch64"), *ids("s390x")]


# -- the shard value ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shard"),
    [
        ("1/1", Shard(index=1, count=1)),
        ("2/3", Shard(index=2, count=3)),
        (" 3/3 ", Shard(index=3, count=3)),
        ("1/2+arm", Shard(index=1, count=2, native_arm=True)),
    ],
)
def test_parse_shard(text, shard):
    assert parse_shard(text, option="--shard") == shard
    assert str(shard) == text.strip()


@pytest.mark.parametrize("text", ["0/2", "3/2", "x", "", "1/0", "1/2/3", "-1/2", "1/2+x", "a/b"])
def test_bad_shard_values_name_the_option(text):
    with pytest.raises(ConfigurationError, match=r"CIBWL_SHARD.*is not valid; use I/N"):
        parse_shard(text, option="shard (env CIBWL_SHARD)")


# -- coverage -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "native_arm"),
    [*((n, arm) for n in (1, 2, 3, 4, 7, 12) for arm in (False, True)), (40, False)],
)
def test_every_build_is_in_exactly_one_share(count, native_arm):
    plan = make(BIG)
    shares = shares_of(plan, count, native_arm=native_arm)
    assert len(shares) == count
    every = [i for share in shares for i in share]
    assert sorted(every) == sorted(BIG)
    # the plans of the shares are the plan: same builds, same options, nothing else
    selected = [
        select_share(plan, Shard(index=i, count=count, native_arm=native_arm))
        for i in range(1, count + 1)
    ]
    options = sorted((b for s in selected for b in s.builds), key=lambda b: BIG.index(b.identifier))
    assert options == sorted(plan.builds, key=lambda b: BIG.index(b.identifier))
    for sub, expected in zip(selected, shares, strict=True):
        assert sorted(b.identifier for b in sub.builds) == sorted(expected)
        assert sorted(sub.selected) == sorted(expected)
        assert set(sub.build_sources) == set(expected)
        lanes = [i for lane in sub.lanes for slot in lane.containers for i in slot.identifiers]
        assert sorted(lanes) == sorted(expected)


def test_more_shares_than_builds_leaves_the_last_ones_empty():
    plan = make(ids("x86_64", pythons=("cp313", "cp314")))
    assert shares_of(plan, 4) == [["cp313-manylinux_x86_64"], ["cp314-manylinux_x86_64"], [], []]
    empty = select_share(plan, Shard(index=4, count=4))
    assert empty.builds == ()
    assert empty.lanes == ()
    assert empty.share is not None
    assert empty.share.plan_identifiers == tuple(b.identifier for b in plan.builds)


# -- balance --------------------------------------------------------------------------------
def test_three_native_builds_split_three_ways_one_each():
    plan = make(ids("x86_64", pythons=("cp313", "cp314", "cp315")))
    assert shares_of(plan, 3) == [[i] for i in ids("x86_64", pythons=("cp313", "cp314", "cp315"))]
    assert shares_of(plan, 2) == [
        ids("x86_64", pythons=("cp313", "cp314")),
        ["cp315-manylinux_x86_64"],
    ]


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_shares_are_balanced_by_estimated_cost(count):
    plan = make(BIG)
    shares = partition(plan, count)
    costs = [cost(s) for s in shares]
    # no share may exceed the ideal (total / count) by more than the largest indivisible piece:
    # one build's container (native 1.25, emulated 1.25 x factor)
    largest_piece = 1.25 * EMULATION_FACTOR
    assert max(costs) <= sum(costs) / count + largest_piece
    # and longest-first never leaves a share idle while another could be split
    assert all(costs)


def test_an_emulated_build_costs_many_native_ones():
    plan = make([*ids("x86_64"), *ids("aarch64")])
    first, second = shares_of(plan, 2)
    # 7 native builds weigh about one emulated one: the share with the whole x86_64 group takes
    # 3 of the 7 aarch64 builds, the other share the remaining 4 (counting builds: 7 against 7)
    assert set(ids("x86_64")) <= set(first)
    assert [i for i in first if "aarch64" in i] == ids("aarch64")[4:]
    assert second == ids("aarch64")[:4]
    assert [cost(s) for s in partition(plan, 2)] == [
        7.25 + 3.25 * EMULATION_FACTOR,
        4.25 * EMULATION_FACTOR,
    ]


def test_more_shares_never_make_the_longest_longer():
    plan = make(BIG)
    spans = [max(cost(s) for s in partition(plan, n)) for n in range(1, 16)]
    assert spans == sorted(spans, reverse=True)


# -- stability ------------------------------------------------------------------------------
def test_shares_do_not_depend_on_the_machine():
    # jobs (CPU count) and host arch change the lanes, never the shares
    here = make(BIG, jobs=2, host=Arch.x86_64)
    there = make(BIG, jobs=16, host=Arch.aarch64)
    for count in (2, 3, 6):
        assert shares_of(here, count) == shares_of(there, count)
        assert shares_of(here, count, native_arm=True) == shares_of(there, count, native_arm=True)


def test_shares_are_the_same_every_time():
    first = [shares_of(make(BIG), n) for n in range(1, 10)]
    again = [shares_of(make(BIG), n) for n in range(1, 10)]
    assert first == again


def test_a_share_records_the_whole_plans_fingerprint():
    plan = make(BIG)
    fingerprints = {select_share(plan, Shard(index=i, count=3)).fingerprint for i in (1, 2, 3)}
    assert fingerprints == {plan.fingerprint}
    sub = select_share(plan, Shard(index=2, count=3))
    assert sub.share is not None
    assert str(sub.share.shard) == "2/3"
    assert sub.plan_identifiers == tuple(b.identifier for b in plan.builds)
    assert sub.share.estimated_cost == round(cost(partition(plan, 3)[1]), 2)
    with pytest.raises(ValueError, match="whole plan"):
        select_share(sub, Shard(index=1, count=2))


# -- families -------------------------------------------------------------------------------
def test_a_project_that_may_build_abi3_keeps_each_group_whole():
    plan = make(BIG, reuse="setup.py: py_limited_api")
    groups = [tuple(g.identifiers) for g in plan.groups]
    for count in (2, 3, 5, 12):
        shares = partition(plan, count)
        for share in shares:
            for piece in share:
                assert tuple(b.identifier for b in piece.builds) in groups
        assert sorted(i for s in shares_of(plan, count) for i in s) == sorted(BIG)


def test_a_family_never_spans_two_shares_even_with_more_shares_than_groups():
    three = ids("x86_64", pythons=("cp313", "cp314", "cp315"))
    plan = make(three, reuse="pyproject.toml: py-api")
    assert shares_of(plan, 2) == [three, []]
    assert shares_of(plan, 3) == [three, [], []]


# -- native arm runners ---------------------------------------------------------------------
def test_with_an_arm_runner_aarch64_gets_shares_of_its_own_costed_native():
    plan = make(BIG)
    for count in (2, 3, 4, 6):
        shares = partition(plan, count, native_arm=True)
        for share in shares:
            runners = {p.runner for p in share}
            assert len(runners) <= 1  # never mixed
            for piece in share:
                is_arm = piece.builds[0].arch is Arch.aarch64
                assert (piece.runner is Runner.arm) == is_arm
        arm = [p for s in shares for p in s if p.runner is Runner.arm]
        assert arm
        assert all(p.cost < EMULATION_FACTOR for p in arm if len(p.builds) == 1)
    # one share for everything when there is only one: it cannot be split by runner
    (whole,) = shares_of(plan, 1, native_arm=True)
    assert sorted(whole) == sorted(BIG)


# -- how many jobs --------------------------------------------------------------------------
def test_share_count_is_worth_its_jobs():
    small = make(ids("x86_64", pythons=("cp313", "cp314", "cp315")))
    assert share_count(small, max_jobs=20) == 1  # three small native builds: one job
    big = make(BIG)
    count = share_count(big, max_jobs=20)
    best = min(max(cost(s) for s in partition(big, n)) for n in range(1, 21))
    assert max(cost(s) for s in partition(big, count)) <= best + JOB_COST
    assert all(partition(big, count))  # no empty share
    fewer = max(cost(s) for s in partition(big, count - 1))
    assert fewer > best + JOB_COST  # one job fewer would not do
    assert share_count(big, max_jobs=3) == 3
    assert share_count(big, max_jobs=1) == 1


def test_share_count_gives_each_runner_kind_a_share():
    plan = make(BIG)
    assert share_count(plan, max_jobs=1, native_arm=True) == 1
    assert share_count(plan, max_jobs=2, native_arm=True) == 2
    assert share_count(plan, max_jobs=20, native_arm=True) >= 2


# -- the fingerprint ------------------------------------------------------------------------
def test_fingerprint_is_of_identifiers_and_their_options():
    builds = [build_options(i) for i in ids("x86_64", pythons=("cp313", "cp314"))]
    base = plan_fingerprint(builds)
    assert base.startswith("sha256:")
    assert len(base) == len("sha256:") + 64
    assert plan_fingerprint(list(builds)) == base  # stable
    assert plan_fingerprint(builds[:1]) != base
    changed = [dataclasses.replace(builds[0], test_command="pytest"), builds[1]]
    assert plan_fingerprint(changed) != base
    engine = EngineConfig(name="podman")
    assert (
        plan_fingerprint([dataclasses.replace(b, container_engine=engine) for b in builds]) != base
    )


def test_fingerprint_ignores_host_values_passed_in_but_not_their_names():
    def with_passed(value: str, name: str = "TOKEN"):
        env = ParsedEnvironment(assignments=(Assignment(name=name, value=value, literal=True),))
        return [build_options("cp313-manylinux_x86_64", environment=env)]

    assert plan_fingerprint(with_passed("runner-1")) == plan_fingerprint(with_passed("runner-2"))
    assert plan_fingerprint(with_passed("x")) != plan_fingerprint(with_passed("x", name="OTHER"))


def test_fingerprint_ignores_run_wide_settings():
    builds = [build_options(i) for i in ids("x86_64")]
    one = plan_of(builds, global_options(Path("/a"), jobs=1))
    other = plan_of(builds, global_options(Path("/b"), jobs=4, cache_enabled=False))
    assert one.fingerprint == other.fingerprint


def test_order_of_pieces_is_plan_order_within_a_kind():
    plan = make(BIG)
    for count in (2, 4, 7):
        firsts = [min(BIG.index(i) for i in s) for s in shares_of(plan, count) if s]
        assert firsts == sorted(firsts)


def test_pairs_of_shares_never_overlap():
    plan = make(BIG)
    for count in (3, 5):
        shares = shares_of(plan, count)
        for a, b in itertools.combinations(shares, 2):
            assert not set(a) & set(b)
