"""Secrets (output/secrets.py): collected once, masked in every line, table, report and plan
--json we write; on GitHub Actions registered with ::add-mask:: before anything else."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fakes import IMAGE, build_options, global_options, plan_of

from cibuildwheel_like.cli.plan import to_json
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.output import secrets
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.report.results import BuildResult

ID = "cp311-manylinux_x86_64"
PASSED = "passed-value-8f3a"
TOKEN = "tok-123-abc"  # noqa: S105  # a made-up value to mask
LITERAL = "lit eral-secret"


def test_names_that_look_secret():
    for name in ("GITHUB_TOKEN", "my_secret_key", "PyPI_Password", "ACTIONS_ID_TOKEN_URL"):
        assert secrets.is_secret_name(name)
    for name in ("PATH", "HOME", "TOKE", "PASS"):
        assert not secrets.is_secret_name(name)


def test_short_and_boolean_values_are_not_masked():
    found = secrets.Secrets.of(["abc", "true", "On", "", "abcd", "line-one\nline-two\nx"])
    assert set(found.values) == {"abcd", "line-one\nline-two\nx", "line-one", "line-two"}
    assert found.values[0] == "line-one\nline-two\nx"  # longest first


def test_redact_masks_every_occurrence_and_documents_stay_json():
    found = secrets.Secrets.of([TOKEN, 'quo"te-value'])
    assert found.redact(f"a {TOKEN} b {TOKEN}") == "a *** b ***"
    data = {"k": [f"x{TOKEN}", 1, True, None, {TOKEN: 'quo"te-value'}]}
    assert found.redact_data(data) == {"k": ["x***", 1, True, None, {"***": "***"}]}
    assert json.loads(json.dumps(found.redact_data(data)))


def test_from_environment_and_from_plan():
    environ = {"DEPLOY_KEY": PASSED, "UPLOAD_TOKEN": TOKEN, "HOME": "/root/home"}
    assert secrets.from_environment(environ).values == (TOKEN,)
    build = build_options(
        ID,
        environment_pass=("DEPLOY_KEY", "NOT_SET"),
        environment=parse_environment(
            f'MY_SECRET="{LITERAL}" DERIVED_TOKEN=$HOME/x PLAIN=visible-value',
            option="environment",
        ),
    )
    plan = plan_of([build], global_options(Path("/p")))
    assert set(secrets.from_plan(plan, environ).values) == {PASSED, LITERAL}


def output(environ: dict[str, str] | None = None) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(stdout=out, stderr=err, environ=environ or {}, terminal=False), out, err


@pytest.mark.parametrize("fancy", [False, True])
def test_output_masks_our_lines_container_lines_and_the_summary(fancy):
    console, out, err = output()
    console.fancy = fancy
    console.protect(secrets.Secrets.of([TOKEN]))
    console.info(f"+ curl -H 'Authorization: {TOKEN}'")

    def failing_step() -> None:
        with console.step(ID, "build"):
            console.stream_line(f"echo {TOKEN}\n")
            raise RuntimeError(f"failed with {TOKEN}")

    with pytest.raises(RuntimeError):
        failing_step()
    console.warning(f"warning {TOKEN}")
    console.print_raw(f"raw {TOKEN}")
    result = BuildResult(
        identifier=ID, image=IMAGE, interpreter="/x", status="failed", error=f"bad {TOKEN}"
    )
    console.build_finished(result)
    console.summary([result], options=[("environment", f"T={TOKEN}", "env")])
    console.close()
    text = out.getvalue() + err.getvalue()
    assert TOKEN not in text
    assert text.count("***") >= 5


def test_github_actions_registers_masks_first_on_stderr(tmp_path):
    summary = tmp_path / "summary.md"
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    console, out, err = output(environ)
    console.protect(secrets.Secrets.of([TOKEN, "multi-line\nsecret-two"]))
    console.protect(secrets.Secrets.of([TOKEN]))  # already registered: not again
    console.info(f"value {TOKEN}")
    result = BuildResult(
        identifier=ID, image=IMAGE, interpreter="/x", status="failed", error=f"bad {TOKEN}"
    )
    console.summary([result], options=[("environment", f"T={TOKEN}", "env")])
    lines = err.getvalue().splitlines()
    masks = {"::add-mask::multi-line", "::add-mask::secret-two", f"::add-mask::{TOKEN}"}
    assert set(lines[:3]) == masks
    assert err.getvalue().count(TOKEN) == 1  # only in its add-mask line
    assert TOKEN not in out.getvalue()
    assert TOKEN not in summary.read_text()


def test_plan_json_is_masked_and_valid():
    build = build_options(
        ID, environment=parse_environment(f'API_TOKEN="{TOKEN}"', option="environment")
    )
    plan = plan_of([build], global_options(Path("/p")))
    console, _, _ = output()
    console.protect(secrets.from_plan(plan, {}))
    text = to_json(plan, redact=console.redact_data)
    assert TOKEN not in text
    json.loads(text)
