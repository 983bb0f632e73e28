"""Output from several lanes at once: routed by thread, one whole block per build in plain logs."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from fakes import IMAGE, build_options, global_options, plan_of
from rich.console import Console

from cibuildwheel_like.output import ci
from cibuildwheel_like.output.build_logs import block_title, lane_count
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.report.results import BuildResult, CacheStats, StepTiming

if TYPE_CHECKING:
    from cibuildwheel_like.plan import Plan

IDS = ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64")
STEPS = ("build", "test")
LINES = 4


def plan(jobs: int) -> Plan:
    return plan_of([build_options(i) for i in IDS], global_options(Path("/p"), jobs=jobs))


class Turns:
    """Makes two threads write strictly in alternation (A, B, A, B, ...), so without buffering
    their lines would certainly interleave; no sleeps, no timing."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0

    def take(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._count % 2 == n, timeout=30)

    def done(self) -> None:
        with self._cond:
            self._count += 1
            self._cond.notify_all()


def result_of(identifier: str, lane: int, *, failed: bool) -> BuildResult:
    return BuildResult(
        identifier=identifier,
        image=IMAGE,
        interpreter="/x",
        status="failed" if failed else "built",
        test_outcome="failed" if failed else "passed",
        steps=(StepTiming(name="build", seconds=2.0, ok=True),),
        error=f"{identifier}: step 'test' failed: exit 1" if failed else None,
        lane=lane,
        container=f"cibuildwheel-like-{lane}",
        cache=CacheStats(compiler_hits=lane, compiler_misses=1, downloads=0),
    )


def fail_test(identifier: str) -> None:
    raise RuntimeError(f"{identifier}: step 'test' failed: exit 1")


def two_lanes(output: Output, *, fail: str | None = None) -> list[BuildResult]:
    """Each identifier in its own thread, as the executor's lanes run them."""
    turns = Turns()
    results: list[BuildResult] = []
    lock = threading.Lock()

    def lane(n: int) -> None:
        identifier = IDS[n]
        failed = False
        try:
            for step in STEPS:
                with output.step(identifier, step):
                    for i in range(LINES):
                        turns.take(n)
                        output.stream_line(f"\x1b[1m{identifier} {step} {i}\x1b[0m\n")
                        output.info(f"    + {identifier} command {i}")
                        turns.done()
                    if identifier == fail and step == "test":
                        output.warning(f"{identifier}: something odd")
                        fail_test(identifier)
        except RuntimeError:
            failed = True
        result = result_of(identifier, n, failed=failed)
        with lock:
            results.append(result)
        output.build_finished(result)

    threads = [threading.Thread(target=lane, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def mentions(line: str, identifier: str) -> bool:
    return identifier in line or identifier.split("-", maxsplit=1)[0] in line


def test_plan_lanes_make_the_output_concurrent():
    single = Output(stdout=io.StringIO(), stderr=io.StringIO(), environ={})
    single.header(plan(jobs=1))
    assert not single.concurrent
    several = Output(stdout=io.StringIO(), stderr=io.StringIO(), environ={})
    several.header(plan(jobs=2))
    assert several.concurrent
    assert several.buffered
    assert lane_count(cast("Plan", SimpleNamespace())) == 1  # a plan from before lanes


def test_plain_log_holds_each_build_whole_and_in_order():
    out, err = io.StringIO(), io.StringIO()
    output = Output(stdout=out, stderr=err, environ={})
    output.header(plan(jobs=2))
    results = two_lanes(output)
    folder = output._logs.folder
    assert folder is not None
    assert folder.is_dir()
    output.summary(results)
    output.close()
    assert not folder.exists()  # the run's log folder goes away
    lines = out.getvalue().splitlines()
    assert "engine: docker · 2 build(s) in 1 container(s) · 2 lanes" in lines
    for n, identifier in enumerate(IDS):
        start = lines.index(f"── ✓ {identifier}: built in 2.0s (lane {n})")
        block = lines[start + 1 : start + 1 + len(STEPS) * (2 + 2 * LINES)]
        assert all(mentions(line, identifier) for line in block), block
        assert not any(mentions(line, IDS[1 - n]) for line in block)
        expected = []
        for step in STEPS:
            expected.append(f"▶ {identifier}: {step}")
            for i in range(LINES):
                expected += [f"{identifier} {step} {i}", f"    + {identifier} command {i}"]
            expected.append(f"✓ {identifier}: {step} (0.0s)")
        assert [re.sub(r"\(\d+\.\ds\)", "(0.0s)", line) for line in block] == expected
    assert "\x1b" not in out.getvalue()
    assert err.getvalue() == ""


def test_github_gets_one_fold_per_build_and_annotations_once_outside_it(tmp_path):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    shared = io.StringIO()
    output = Output(stdout=shared, stderr=shared, environ=env)
    output.header(plan(jobs=2))
    results = two_lanes(output, fail=IDS[1])
    output.summary(results, exit_code=1)
    output.error(results[[r.identifier for r in results].index(IDS[1])].error or "")
    lines = shared.getvalue().splitlines()
    opened = [i for i, line in enumerate(lines) if line.startswith("::group::")]
    assert {lines[i] for i in opened} == {f"::group::{block_title(r)}" for r in results}
    assert len(opened) == lines.count("::endgroup::") == 2
    for i in opened:
        end = lines.index("::endgroup::", i)
        identifier = next(x for x in IDS if x in lines[i])
        inside = lines[i + 1 : end]
        assert all(mentions(line, identifier) for line in inside), inside
        assert len(inside) == len(STEPS) * (2 + 2 * LINES)
    # between the header and the summary, every line of a build is inside its fold
    # (annotations aside)
    folded = {j for i in opened for j in range(i, lines.index("::endgroup::", i) + 1)}
    stray = [
        line
        for j, line in enumerate(lines)
        if opened[0] < j < lines.index("Build summary") and j not in folded
    ]
    assert all(line.startswith(("::error", "::warning")) for line in stray), stray
    annotations = [line for line in lines if line.startswith("::error")]
    assert annotations == [
        f"::error title={IDS[1]}%3A test failed::{IDS[1]}: step 'test' failed: exit 1"
    ]
    failed_fold = next(i for i in opened if IDS[1] in lines[i])
    after = lines.index("::endgroup::", failed_fold)
    assert lines[failed_fold] == f"::group::✕ {IDS[1]}: failed after 2.0s (lane 1)"
    assert lines[after + 1 : after + 3] == [f"::warning::{IDS[1]}: something odd", annotations[0]]
    assert lines[after - 1].startswith(f"✕ {IDS[1]}: test failed after ")
    markdown = summary.read_text()
    assert markdown.index(IDS[0]) < markdown.index(IDS[1])


def test_summary_lists_builds_in_plan_order_with_compiler_cache():
    out = io.StringIO()
    output = Output(stdout=out, stderr=io.StringIO(), environ={})
    output.header(plan(jobs=2))
    late_first = [result_of(IDS[1], 1, failed=False), result_of(IDS[0], 0, failed=False)]
    output.summary(late_first)
    table = out.getvalue().splitlines()
    table = table[table.index("Build summary") :]
    assert table[1].split()[-2:] == ["compiler", "cache"]
    assert table[3].startswith(IDS[0])
    assert table[3].endswith("0 hit / 1 miss")
    assert table[4].startswith(IDS[1])
    assert table[4].endswith("1 hit / 1 miss")


def test_single_lane_streams_as_before():
    shared = io.StringIO()
    output = Output(stdout=shared, stderr=shared, environ={"GITHUB_ACTIONS": "true"})
    output.header(plan(jobs=1))
    assert not output.buffered
    with output.step(IDS[0], "build"):
        output.stream_line("compiling")
        assert shared.getvalue().splitlines()[-2:] == [f"::group::{IDS[0]}: build", "compiling"]
    output.build_finished(result_of(IDS[0], 0, failed=False))
    assert output._logs.folder is None  # nothing was held back
    assert shared.getvalue().splitlines()[-2] == "::endgroup::"


def test_unfinished_builds_are_printed_before_the_summary():
    out = io.StringIO()
    output = Output(stdout=out, stderr=io.StringIO(), environ={})
    output.header(plan(jobs=2))

    def interrupted() -> None:
        with output.step(IDS[1], "build"):
            output.stream_line("halfway")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert "halfway" not in out.getvalue()
    output.summary([])
    text = out.getvalue().splitlines()
    block = text.index(f"── {IDS[1]}: unfinished")
    assert text[block + 1 : block + 3] == [f"▶ {IDS[1]}: build", "halfway"]
    assert block < text.index("Build summary")


def test_lines_outside_a_build_are_printed_at_once():
    out = io.StringIO()
    output = Output(stdout=out, stderr=io.StringIO(), environ={})
    output.header(plan(jobs=2))
    with output.step(IDS[0], "build"):
        pass
    output.build_finished(result_of(IDS[0], 0, failed=False))
    output.info("starting a container")  # this thread has no current build any more
    assert out.getvalue().splitlines()[-1] == "starting a container"

    def other_thread() -> None:
        output.info("from a lane before its first step")

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert out.getvalue().splitlines()[-1] == "from a lane before its first step"


def test_quiet_replays_the_failing_builds_own_tail():
    out, err = io.StringIO(), io.StringIO()
    output = Output(stdout=out, stderr=err, environ={}, verbosity=-1)
    output.header(plan(jobs=2))
    two_lanes(output, fail=IDS[1])
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    start = lines.index(f"last output of {IDS[1]}: test:")
    assert lines[start + 1 : start + 1 + LINES] == [f"{IDS[1]} test {i}" for i in range(LINES)]
    assert lines[start + 1 + LINES].startswith(f"✕ {IDS[1]}: test failed after")
    assert not any(IDS[0] in line for line in lines)


def test_terminal_shows_a_row_per_running_build_and_the_finished_below():
    out = io.StringIO()
    output = Output(stdout=out, stderr=io.StringIO(), environ={}, terminal=True)
    output.header(plan(jobs=2))
    entered, release = threading.Event(), threading.Event()

    def second_lane() -> None:
        with output.step(IDS[1], "test"):
            entered.set()
            release.wait(timeout=30)

    t = threading.Thread(target=second_lane)
    with output.step(IDS[0], "build"):
        t.start()
        assert entered.wait(timeout=30)
        output.stream_line("compiling")
        frame = io.StringIO()
        Console(file=frame, width=120).print(output.progress.render())
        running = frame.getvalue()
        assert re.search(rf"{IDS[0]}\s+build\s+0:0\d \(build 0:0\d\)", running)
        assert re.search(rf"{IDS[1]}\s+test\s+0:0\d \(build 0:0\d\)", running)
        release.set()
        t.join()
    output.build_finished(result_of(IDS[1], 1, failed=True))
    frame = io.StringIO()
    Console(file=frame, width=120).print(output.progress.render())
    rows = frame.getvalue().splitlines()
    finished = next(i for i, line in enumerate(rows) if f"✕ {IDS[1]}" in line)
    assert "failed" in rows[finished]
    assert "1/2 builds · 1 failed" in rows[finished + 1]
    output.close()
    plain = ci.strip_ansi(out.getvalue())
    assert f"{IDS[0]} │ compiling" in plain  # container lines name their build
    assert output._live is None


def test_block_titles():
    built = result_of(IDS[0], 0, failed=False)
    assert block_title(built) == f"✓ {IDS[0]}: built in 2.0s (lane 0)"
    skipped = BuildResult(identifier=IDS[1], image=IMAGE, interpreter="/x", status="not-run")
    assert block_title(skipped) == f"○ {IDS[1]}: not run"


def test_a_lane_stopped_by_another_failure_adds_no_error_annotation():
    shared = io.StringIO()
    output = Output(stdout=shared, stderr=shared, environ={"GITHUB_ACTIONS": "true"})
    output.header(plan(jobs=2))

    def aborted() -> None:
        with output.step(IDS[1], "build"):
            output.stream_line("compiling")
            raise RuntimeError(f"{IDS[1]}: step 'build' failed: exit 137")

    with pytest.raises(RuntimeError):
        aborted()
    stopped = BuildResult(
        identifier=IDS[1], image=IMAGE, interpreter="/x", status="not-run", error="stopped"
    )
    output.build_finished(stopped)
    lines = shared.getvalue().splitlines()
    assert not any(line.startswith("::error") for line in lines)
    start = lines.index(f"::group::○ {IDS[1]}: not run")
    assert lines[start + 1 : start + 3] == [f"▶ {IDS[1]}: build", "compiling"]
    assert lines[start + 3].startswith(f"✕ {IDS[1]}: build failed after ")
    assert lines[start + 4] == "::endgroup::"
