from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fakes import IMAGE, build_options, global_options, plan_of
from rich.console import Console

from cibuildwheel_like.output.ci import strip_ansi
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.report.results import BuildResult, StepTiming

if TYPE_CHECKING:
    from cibuildwheel_like.plan import Plan

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64")
ESC = "\x1b"


def plan(jobs: int = 1) -> Plan:
    """One lane by default: builds one after another, output streamed as it comes."""
    return plan_of([build_options(i) for i in IDS], global_options(Path("/p"), jobs=jobs))


def wheel_name(identifier: str) -> str:
    tag = identifier.split("-", maxsplit=1)[0]
    return f"spam-1.0-{tag}-{tag}-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def fail_test(identifier: str) -> None:
    raise RuntimeError(f"{identifier}: step 'test' failed: exit 1")


def fake_run(output: Output, *, fail: bool) -> list[BuildResult]:
    """Drive Output the way the executor does: steps, container lines, results."""
    results = []
    for identifier in IDS:
        try:
            for step in ("build", "repair", "test", "deliver"):
                with output.step(identifier, step):
                    output.stream_line(f"{ESC}[32m{identifier} {step} says hi{ESC}[0m\n")
                    if fail and identifier == IDS[1] and step == "test":
                        fail_test(identifier)
        except RuntimeError as exc:
            results.append(
                BuildResult(
                    identifier=identifier,
                    image=IMAGE,
                    interpreter="/x",
                    status="failed",
                    test_outcome="failed",
                    error=str(exc),
                    steps=(StepTiming(name="build", seconds=1.0, ok=True),),
                )
            )
            output.build_finished(results[-1])
            continue
        results.append(
            BuildResult(
                identifier=identifier,
                image=IMAGE,
                interpreter="/x",
                status="built",
                wheel=Path("/wh") / wheel_name(identifier),
                size=4096,
                sha256="f" * 64,
                test_outcome="passed",
                steps=(StepTiming(name="build", seconds=2.0, ok=True),),
            )
        )
        output.build_finished(results[-1])
    return results


def make(environ=None, **kw) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(stdout=out, stderr=err, environ=environ or {}, **kw), out, err


def test_plain_lines_in_order_without_colour():
    output, out, err = make()
    output.header(plan())
    results = fake_run(output, fail=False)
    output.summary(results)
    text = out.getvalue()
    assert ESC not in text
    assert err.getvalue() == ""
    lines = text.splitlines()
    assert lines[0] == "cibuildwheel-like 0.1.0"
    assert "engine: docker · 2 build(s) in 1 container(s)" in lines
    assert f"  {IDS[0]}  {IMAGE}" in lines
    start = lines.index(f"▶ {IDS[0]}: build")
    assert lines[start + 1] == f"{IDS[0]} build says hi"
    assert re.fullmatch(rf"✓ {IDS[0]}: build \(\d+\.\ds\)", lines[start + 2])
    assert lines.index(f"▶ {IDS[1]}: build") > lines.index(f"▶ {IDS[0]}: deliver")
    summary = lines[lines.index("Build summary") :]
    for identifier in IDS:
        assert any(
            line.startswith(identifier) and wheel_name(identifier) in line for line in summary
        )
    assert summary[-1].startswith("2 of 2 wheel(s) built in ")


def test_no_color_wins_over_a_terminal():
    output, out, _ = make({"NO_COLOR": "1"}, terminal=True)
    assert not output.fancy
    fake_run(output, fail=False)
    assert ESC not in out.getvalue()


def test_terminal_gets_colour_live_progress_and_a_table():
    output, out, _ = make(terminal=True)
    assert output.fancy
    output.header(plan())
    with output.step(IDS[0], "build"):
        frame = io.StringIO()
        Console(file=frame, width=120).print(output.progress.render())
        assert re.search(rf"{IDS[0]}\s+build\s+0:0\d \(build 0:0\d\)", frame.getvalue())
        assert "0/2 builds" in frame.getvalue()
        output.stream_line("compiling")
    for step in ("repair", "test", "deliver"):
        with output.step(IDS[0], step):
            pass
    output.build_finished(
        BuildResult(identifier=IDS[0], image=IMAGE, interpreter="/x", status="built")
    )
    frame = io.StringIO()
    Console(file=frame, width=120).print(output.progress.render())
    assert "1/2 builds" in frame.getvalue()
    # the finished build leaves the running rows and is listed below them
    assert re.search(rf"✓ {IDS[0]}\s+built\s+0:00\n", frame.getvalue())
    assert "build 0:" not in frame.getvalue()
    output.summary(fake_run(output, fail=False)[1:])
    text = out.getvalue()
    assert ESC in text
    assert f"{ESC}[2mcompiling" in text  # container output dimmed
    assert "Build summary" in text
    plain = strip_ansi(text)
    table = plain[plain.index("Build summary") :]
    wheel_cells = [
        line.split("│")[2].strip() for line in table.splitlines() if line.count("│") == 7
    ]
    assert "".join(wheel_cells).removeprefix("wheel") == wheel_name(IDS[1])  # folded, not cut
    assert "ffffffffffff" in table
    assert output._live is None


def test_failed_step_is_marked_and_the_error_propagates():
    output, out, err = make()
    with pytest.raises(RuntimeError, match="boom"), output.step(IDS[0], "build"):
        raise RuntimeError("boom")
    assert re.search(rf"✕ {IDS[0]}: build failed after \d+\.\ds", out.getvalue())
    # the step is marked; the build is not over
    assert (output.progress.failed, output.progress.done) == (0, 0)
    output.build_finished(
        BuildResult(identifier=IDS[0], image=IMAGE, interpreter="/x", status="failed")
    )
    assert (output.progress.failed, output.progress.done) == (1, 1)
    assert err.getvalue() == ""  # no CI: no annotation; the CLI reports the error once


def test_quiet_shows_only_errors_and_summary_and_replays_the_tail():
    output, out, err = make(verbosity=-1)
    output.header(plan())
    output.info("hello")
    results = fake_run(output, fail=True)
    output.summary(results)
    text = out.getvalue()
    assert "hello" not in text
    assert "says hi" not in text
    assert "▶" not in text
    assert "✓" not in text
    assert text.startswith("Build summary")
    errors = err.getvalue().splitlines()
    assert errors == [
        f"last output of {IDS[1]}: test:",
        f"{IDS[1]} test says hi",
        f"✕ {IDS[1]}: test failed after {errors[2].rsplit(' ', 1)[1]}",
    ]


def test_verbose_shows_debug():
    quiet, out, _ = make()
    quiet.debug("details")
    assert out.getvalue() == ""
    verbose, out, _ = make(verbosity=1)
    verbose.debug("details")
    assert out.getvalue() == "details\n"


def test_warning_and_error_go_to_stderr():
    output, out, err = make()
    output.warning("careful")
    output.error("broken")
    assert out.getvalue() == ""
    assert err.getvalue() == (
        "cibuildwheel-like: warning: careful\ncibuildwheel-like: error: broken\n"
    )


def test_print_raw_is_untouched():
    output, out, _ = make(terminal=True)
    output.print_raw('{"a": "[bold]x[/bold]"}')
    assert out.getvalue() == '{"a": "[bold]x[/bold]"}\n'


def test_github_actions_groups_annotations_and_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    shared = io.StringIO()  # the log: both streams, in the order they were written
    output = Output(stdout=shared, stderr=shared, environ=env)
    output.header(plan())
    results = fake_run(output, fail=True)
    output.warning("slow disk")
    output.summary(results, options=[("test-command", "pytest", "pyproject")], exit_code=1)
    output.error(results[1].error or "")
    lines = shared.getvalue().splitlines()
    assert lines[0] == "cibuildwheel-like 0.1.0 on GitHub Actions"
    opened = lines.index(f"::group::{IDS[0]}: build")
    assert lines[opened + 1 : opened + 4] == [
        f"{IDS[0]} build says hi",
        "::endgroup::",
        lines[opened + 3],
    ]
    assert lines[opened + 3].startswith(f"✓ {IDS[0]}: build")
    assert sum(line.startswith("::group::") for line in lines) == lines.count("::endgroup::") == 7
    failure = next(i for i, line in enumerate(lines) if line.startswith(f"✕ {IDS[1]}: test"))
    assert lines[failure - 1] == "::endgroup::"
    assert lines[failure + 1].startswith("::error ")
    annotations = [line for line in lines if line.startswith("::error")]
    assert annotations == [
        f"::error title={IDS[1]}%3A test failed::{IDS[1]}: step 'test' failed: exit 1"
    ]  # once, although the step, the summary and the CLI all report it
    assert "::warning::slow disk" in lines
    assert f"cibuildwheel-like: error: {results[1].error}" == lines[-1]
    markdown = summary.read_text()
    assert wheel_name(IDS[0]) in markdown
    assert IDS[1] in markdown
    assert "| `test-command` | `pytest` | pyproject |" in markdown
    assert "1 of 2 wheels built, run failed (exit 1)." in markdown


def test_failure_recorded_only_in_results_is_still_annotated():
    shared = io.StringIO()
    output = Output(stdout=shared, stderr=shared, environ={"GITHUB_ACTIONS": "true"})
    result = BuildResult(
        identifier=IDS[0], image=IMAGE, interpreter="/x", status="failed", error="repair: no wheel"
    )
    output.summary([result], exit_code=8)
    assert f"::error title={IDS[0]}::repair: no wheel" in shared.getvalue().splitlines()


def test_gitlab_gets_collapsible_sections():
    output, out, _ = make({"GITLAB_CI": "true"})
    with output.step(IDS[0], "build"):
        output.stream_line("x")
    lines = out.getvalue().split("\n")
    assert "section_start:" in lines[0]
    assert lines[1] == "x"
    assert "section_end:" in lines[2]


def test_nested_steps_open_one_group():
    output, out, _ = make({"GITHUB_ACTIONS": "true"})
    with output.step(IDS[0], "test"), output.step(IDS[0], "before-test"):
        pass
    text = out.getvalue()
    assert text.count("::group::") == 1
    assert text.count("::endgroup::") == 1
    assert f"▶ {IDS[0]}: before-test" in text


def test_close_ends_an_open_group_after_an_interrupt():
    output, out, _ = make({"GITHUB_ACTIONS": "true"})
    step = output.step(IDS[0], "build")
    step.__enter__()
    output.close()
    assert out.getvalue().splitlines()[-1] == "::endgroup::"


def test_lines_from_threads_never_interleave():
    output, out, _ = make()
    payload = "x" * 2000

    def worker(n: int) -> None:
        for i in range(50):
            output.stream_line(f"{n}:{i}:{payload}")
            output.info(f"info {n}:{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 400
    assert all(re.fullmatch(rf"\d:\d+:{payload}|info \d:\d+", line) for line in lines)
    for n in range(4):
        mine = [line for line in lines if line.startswith(f"{n}:")]
        assert [int(line.split(":")[1]) for line in mine] == list(range(50))


def test_build_finished_counts_once():
    output, _, _ = make()
    output.header(plan())
    with output.step(IDS[0], "deliver"):
        pass
    # a step is not a completion signal
    assert (output.progress.done, output.progress.total) == (0, 2)
    result = BuildResult(identifier=IDS[0], image=IMAGE, interpreter="/x", status="built")
    output.build_finished(result)
    output.build_finished(result)
    assert (output.progress.done, output.progress.total) == (1, 2)


def test_a_pipe_is_not_a_terminal():
    output, _, _ = make()
    assert not output.fancy
    assert output.ci is None


@pytest.mark.parametrize(
    ("environ", "opening"),
    [
        ({"GITHUB_ACTIONS": "true", "CIBW_LOG_FOLD_MODE": "disabled"}, None),
        ({"CIBW_LOG_FOLD_MODE": "github"}, f"::group::{IDS[0]}: build"),
        ({"GITHUB_ACTIONS": "true", "CIBW_LOG_FOLD_MODE": "azure"}, f"##[group]{IDS[0]}: build"),
        ({"TRAVIS": "true", "CIBW_LOG_FOLD_MODE": "travis"}, "travis_fold:start:"),
        ({"TF_BUILD": "True"}, f"##[group]{IDS[0]}: build"),  # unset: the service decides
    ],
)
def test_log_fold_mode_sets_the_fold_style_only(environ, opening):
    shared = io.StringIO()
    output = Output(stdout=shared, stderr=shared, environ=environ)
    output.header(plan())
    fake_run(output, fail=True)
    lines = shared.getvalue().splitlines()
    folds = [line for line in lines if line.startswith(("::group::", "##[group]", "travis_fold"))]
    if opening is None:
        assert folds == []
        assert f"▶ {IDS[0]}: build" in lines  # every step expanded, still announced
    else:
        assert folds
        assert folds[0].startswith(opening)
    # annotations follow the CI service running the job, whatever the fold style
    github = environ.get("GITHUB_ACTIONS") == "true"
    assert any(line.startswith("::error") for line in lines) == github
