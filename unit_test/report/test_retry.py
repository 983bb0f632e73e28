"""`run --retry-failed REPORT`: reading the report, choosing what to build again, refusing a
report of another build, and the new report that says what was retried (no engine)."""

from __future__ import annotations

import hashlib
import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from fakes import build_options, context, global_options, plan_of

from cibuildwheel_like.cli.retry import narrowed, retry_plan
from cibuildwheel_like.cli.run import execute_and_report
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.report import build_report, retry
from cibuildwheel_like.report.results import BuildResult, Failure, StepTiming

if TYPE_CHECKING:
    from pathlib import Path

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64", "cp313-manylinux_x86_64")
MUSL = "cp311-musllinux_x86_64"


def wheel_name(identifier: str) -> str:
    tag = identifier.split("-", 1)[0]
    return f"spam-1.0-{tag}-{tag}-manylinux_2_17_x86_64.whl"


def built(output_dir: Path, identifier: str, name: str | None = None) -> BuildResult:
    wheel = output_dir / (name or wheel_name(identifier))
    output_dir.mkdir(parents=True, exist_ok=True)
    if not wheel.exists():
        wheel.write_bytes(f"wheel of {identifier}".encode())
    return BuildResult(
        identifier=identifier,
        image="img",
        interpreter=f"/opt/python/{identifier}",
        status="built",
        wheel=wheel,
        test_outcome="passed",
        steps=(StepTiming(name="build", seconds=2.0, ok=True),),
        lane=0,
        container="c-1",
    )


def failed(identifier: str, step: str = "test") -> BuildResult:
    return BuildResult(
        identifier=identifier,
        image="img",
        interpreter="p",
        status="failed",
        error=f"{identifier}: step '{step}' failed: command `pytest` exited with 1",
        failure=Failure(step=step, command="pytest", returncode=1),
    )


def not_run(identifier: str) -> BuildResult:
    return BuildResult(identifier=identifier, image="img", interpreter="p", status="not-run")


def write(path: Path, results: list[BuildResult], output_dir: Path) -> Path:
    data = build_report.build_report(results, exit_code=1, output_dir=output_dir)
    assert build_report.validate(data) == []
    path.write_text(json.dumps(data))
    return path


def choose(path: Path, output_dir: Path, plan=IDS) -> retry.RetryChoice:
    return retry.choose(retry.load(path), source=path, plan=list(plan), output_dir=output_dir)


# -- choosing -------------------------------------------------------------------------------------
def test_failed_and_not_run_are_retried_delivered_wheels_kept(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, IDS[0]), failed(IDS[1]), not_run(IDS[2])], out)
    choice = choose(report, out)
    assert choice.retried == (IDS[1], IDS[2])
    assert choice.reasons == {IDS[1]: "failed at step 'test'", IDS[2]: "not run"}
    (kept,) = choice.kept
    assert kept.identifier == IDS[0]
    assert kept.wheel == out / wheel_name(IDS[0])
    assert kept.sha256 == hashlib.sha256(b"wheel of " + IDS[0].encode()).hexdigest()
    assert kept.steps == (StepTiming(name="build", seconds=2.0, ok=True),)
    assert kept.container == "c-1"
    assert choice.report_entry() == {
        "from": str(report),
        "retried": [IDS[1], IDS[2]],
        "kept": [IDS[0]],
    }


def test_a_missing_or_changed_wheel_is_retried(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, i) for i in IDS], out)
    (out / wheel_name(IDS[0])).unlink()
    (out / wheel_name(IDS[1])).write_bytes(b"something else")
    choice = choose(report, out)
    assert choice.retried == (IDS[0], IDS[1])
    assert choice.reasons[IDS[0]] == f"{wheel_name(IDS[0])} is not in {out}"
    assert choice.reasons[IDS[1]] == (
        f"{wheel_name(IDS[1])} changed since the report (sha256 differs)"
    )
    assert [r.identifier for r in choice.kept] == [IDS[2]]


def test_wheels_are_checked_in_the_current_output_dir(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, i) for i in IDS], out)
    choice = choose(report, tmp_path / "elsewhere")
    assert choice.retried == IDS
    assert choice.kept == ()


def test_nothing_to_retry(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, i) for i in IDS], out)
    choice = choose(report, out)
    assert choice.retried == ()
    assert len(choice.kept) == 3


def test_an_abi3_wheel_shared_by_a_family_is_kept_for_each(tmp_path):
    out = tmp_path / "wheelhouse"
    abi3 = "spam-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"
    results = [built(out, IDS[0], abi3), built(out, IDS[1], abi3), failed(IDS[2])]
    choice = choose(write(tmp_path / "r.json", results, out), out)
    assert choice.retried == (IDS[2],)
    assert {r.wheel for r in choice.kept} == {out / abi3}


def test_an_older_report_without_the_newer_keys_is_read(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, IDS[0]), failed(IDS[1]), failed(IDS[2])], out)
    data = json.loads(report.read_text())
    del data["retry"]
    for entry in data["builds"]:
        del entry["failure"]
    report.write_text(json.dumps(data))
    choice = choose(report, out)
    assert choice.retried == (IDS[1], IDS[2])
    assert choice.reasons[IDS[1]] == "failed"


# -- refusing -------------------------------------------------------------------------------------
def test_a_report_of_another_configuration_is_refused(tmp_path):
    out = tmp_path / "wheelhouse"
    report = write(tmp_path / "r.json", [built(out, IDS[0]), failed(MUSL)], out)
    with pytest.raises(ConfigurationError) as info:
        choose(report, out)
    message = str(info.value)
    assert message.startswith(f"--retry-failed: {report} is not a report of this build:")
    assert f"it lists {MUSL}, which the current plan does not build" in message
    assert f"the current plan builds {IDS[1]}, {IDS[2]}, which it does not list" in message
    assert "run the whole build again without --retry-failed" in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read"),
        ("{not json", "is not JSON (line 1, column 2"),
        ('{"a": 1}', "is not a cibuildwheel-like build report"),
        ("[]", "is not a cibuildwheel-like build report"),
        ('{"tool": "cibuildwheel-like"}', "is not a cibuildwheel-like build report"),
        (
            '{"tool": {"name": "cibuildwheel-like", "version": "9"}, "schema_version": 2}',
            "has schema_version 2; this version of cibuildwheel-like reads version 1",
        ),
        (
            (
                '{"tool": {"name": "cibuildwheel-like", "version": "9"}, "schema_version": 1,'
                ' "builds": 3}'
            ),
            "is not a valid build report ($.builds: expected array",
        ),
    ],
)
def test_unusable_reports_are_refused_naming_the_file_and_the_fix(tmp_path, content, problem):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigurationError) as info:
        retry.load(path)
    message = str(info.value)
    assert message.startswith("--retry-failed: ")
    assert str(path) in message
    assert problem in message
    if "schema_version" not in problem:
        assert "that `cibuildwheel-like run` wrote (build-report.json" in message


# -- the run: narrowed plan, kept builds in the new report ---------------------------------------
def test_retry_plan_narrows_the_plan_and_the_new_report_lists_every_build(tmp_path):
    out = tmp_path / "wheelhouse"
    plan = plan_of([build_options(i) for i in IDS], global_options(tmp_path))
    report = write(
        tmp_path / "r.json", [built(out, IDS[0]), failed(IDS[1]), built(out, IDS[2])], out
    )
    ctx = context(tmp_path)
    small, choice = retry_plan(plan, report, ctx)
    assert [b.identifier for b in small.builds] == [IDS[1]]
    assert small.globals is plan.globals
    text = ctx.output._stdout.getvalue()
    assert isinstance(ctx.output._stdout, io.StringIO)
    assert f"retrying 1 of 3 identifier(s) from {report}:" in text
    assert f"  {IDS[1]}: failed at step 'test'" in text
    assert "keeping 2 build(s)" in text

    calls: list[dict[str, Any]] = []

    def fake_execute(plan, ctx, *, on_result, kept=()):
        calls.append({"ids": [b.identifier for b in plan.builds], "kept": list(kept)})
        on_result(built(out, IDS[1]))
        return []

    new_report = tmp_path / "new.json"
    code = execute_and_report(
        small, ctx, report_path=new_report, execute=fake_execute, retry=choice
    )
    assert code == 0
    assert calls == [{"ids": [IDS[1]], "kept": list(choice.kept)}]
    data = json.loads(new_report.read_text())
    assert build_report.validate(data) == []
    assert [b["identifier"] for b in data["builds"]] == list(IDS)  # plan order, kept included
    assert [b["status"] for b in data["builds"]] == ["built"] * 3
    assert data["retry"] == {"from": str(report), "retried": [IDS[1]], "kept": [IDS[0], IDS[2]]}
    assert data["totals"]["built"] == 3
    table = ctx.output._stdout.getvalue().split("Build summary", 1)[1]
    assert [table.index(i) for i in IDS] == sorted(table.index(i) for i in IDS)  # plan order
    # the new report can itself be retried from: nothing left to do
    assert choose(new_report, out).retried == ()


def test_narrowed_plan_keeps_groups_and_options(tmp_path):
    plan = plan_of([build_options(i) for i in (*IDS, MUSL)], global_options(tmp_path))
    small = narrowed(plan, (IDS[2], MUSL))
    assert [g.identifiers for g in small.groups] == [(IDS[2],), (MUSL,)]
    assert small.builds[0] is plan.builds[2]
    assert narrowed(plan, ()).builds == ()
    assert narrowed(plan, ()).lanes == ()
