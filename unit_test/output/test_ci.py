from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.output import ci
from cibuildwheel_like.output.ci import CIProvider
from cibuildwheel_like.report.summary import SummaryRow


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"CI": "false"}, None),
        ({"GITHUB_ACTIONS": "true", "CI": "true"}, CIProvider.github_actions),
        ({"GITHUB_ACTIONS": "false"}, None),
        ({"GITLAB_CI": "true", "CI": "true"}, CIProvider.gitlab),
        ({"TF_BUILD": "True"}, CIProvider.azure_pipelines),
        ({"AZURE_HTTP_USER_AGENT": "VSTS_x"}, CIProvider.azure_pipelines),
        ({"CIRCLECI": "true", "CI": "true"}, CIProvider.circleci),
        ({"TRAVIS": "true", "CI": "true"}, CIProvider.travis),
        ({"CI": "true"}, CIProvider.other),
        ({"CI": "1"}, CIProvider.other),
        ({"JENKINS_URL": "http://jenkins/"}, CIProvider.other),
    ],
)
def test_detect_ci(environ, expected):
    assert ci.detect_ci(environ) is expected


@pytest.mark.parametrize(
    ("provider", "name"),
    [
        (CIProvider.github_actions, "GitHub Actions"),
        (CIProvider.gitlab, "GitLab CI"),
        (CIProvider.azure_pipelines, "Azure Pipelines"),
        (CIProvider.circleci, "CircleCI"),
        (CIProvider.travis, "Travis CI"),
        (CIProvider.other, "CI"),
    ],
)
def test_display_name_is_the_services_own(provider, name):
    # the header line reads "cibuildwheel-like X.Y on <name>"
    assert provider.display_name == name


def test_github_escaping():
    assert ci.escape_data("50% done\nnext\r") == "50%25 done%0Anext%0D"
    assert ci.escape_property("a:b,c") == "a%3Ab%2Cc"


def test_github_commands():
    gh = CIProvider.github_actions
    assert ci.group_start(gh, "cp311-manylinux_x86_64: build", now=0) == (
        "::group::cp311-manylinux_x86_64: build"
    )
    assert ci.group_end(gh, "x", now=0) == "::endgroup::"
    assert ci.annotation(gh, "error", "line 1\nline 2", title="cp311: test failed") == (
        "::error title=cp311%3A test failed::line 1%0Aline 2"
    )
    assert ci.annotation(gh, "warning", "careful") == "::warning::careful"


def test_azure_commands():
    az = CIProvider.azure_pipelines
    assert ci.group_start(az, "build", now=0) == "##[group]build"
    assert ci.group_end(az, "build", now=0) == "##[endgroup]"
    assert ci.annotation(az, "error", "a;b]c") == "##vso[task.logissue type=error]a%3Bb%5Dc"


def test_gitlab_sections_use_a_safe_key_and_timestamps():
    start = ci.group_start(CIProvider.gitlab, "cp311-manylinux_x86_64: build", now=1700000000.5)
    end = ci.group_end(CIProvider.gitlab, "cp311-manylinux_x86_64: build", now=1700000009)
    assert start == (
        "\x1b[0Ksection_start:1700000000:cp311-manylinux_x86_64_build[collapsed=true]"
        "\r\x1b[0Kcp311-manylinux_x86_64: build"
    )
    assert end == "\x1b[0Ksection_end:1700000009:cp311-manylinux_x86_64_build\r\x1b[0K"
    assert ci.annotation(CIProvider.gitlab, "error", "x") is None


def test_travis_folds():
    assert ci.group_start(CIProvider.travis, "a b", now=0) == "travis_fold:start:a_b"
    assert ci.group_end(CIProvider.travis, "a b", now=0) == "travis_fold:end:a_b"


@pytest.mark.parametrize("provider", [CIProvider.circleci, CIProvider.other, None])
def test_services_without_folds_get_nothing(provider):
    assert ci.group_start(provider, "t", now=0) is None
    assert ci.group_end(provider, "t", now=0) is None
    assert ci.annotation(provider, "warning", "t") is None


def test_step_summary_path_only_on_github(tmp_path):
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    assert ci.step_summary_path(CIProvider.github_actions, env) == tmp_path / "s.md"
    assert ci.step_summary_path(CIProvider.github_actions, {}) is None
    assert ci.step_summary_path(CIProvider.gitlab, env) is None


def row(identifier: str, status: str, wheel: str = "", error: str = "") -> SummaryRow:
    return SummaryRow(
        identifier=identifier,
        status=status,
        wheel=wheel,
        size="10.0 KiB" if wheel else "",
        build_time="3.0s",
        tests="passed" if wheel else "failed",
        sha256="0123456789ab" if wheel else "",
        error=error,
    )


def test_markdown_summary_table_and_options(tmp_path):
    rows = [
        row("cp311-manylinux_x86_64", "built", "spam-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        row("cp312-manylinux_x86_64", "failed", error="test | failed"),
    ]
    text = ci.markdown_summary(
        rows, options=[("test-command", "pytest {project}", "pyproject")], exit_code=1
    )
    lines = text.splitlines()
    assert lines[0] == "## cibuildwheel-like"
    assert "1 of 2 wheels built, run failed (exit 1)." in lines
    table = [line for line in lines if line.startswith("| ")]
    assert len({t.count("|") for t in table[:3]}) == 1
    assert "`spam-1.0-cp311-cp311-manylinux_2_17_x86_64.whl`" in table[2]
    assert "test \\| failed" in table[3]  # a pipe in a cell must not break the table
    assert "| `test-command` | `pytest {project}` | pyproject |" in lines
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    ci.append_step_summary(path, text)
    assert path.read_text() == "earlier step\n" + text


def test_markdown_summary_without_options_has_no_details():
    text = ci.markdown_summary([row("cp311-manylinux_x86_64", "built", "a.whl")], exit_code=0)
    assert "<details>" not in text
    assert "run succeeded" in text


def test_section_key_never_empty():
    assert ci.section_key("::") == "step"
    assert Path(ci.section_key("a/b c")).name == "a_b_c"


def test_strip_ansi():
    assert ci.strip_ansi("\x1b[1;31merror\x1b[0m: \x1b]8;;http://x\x07link") == "error: link"


def test_markdown_summary_shows_the_compiler_cache_when_measured():
    cached = dataclasses.replace(
        row("cp311-manylinux_x86_64", "built", "a.whl"), compiler_cache="3 hit / 1 miss"
    )
    rows = [cached, row("cp312-manylinux_x86_64", "failed", error="x")]
    table = [line for line in ci.markdown_summary(rows).splitlines() if line.startswith("| ")]
    assert table[0].endswith("| compiler cache |")
    assert len({t.count("|") for t in table}) == 1
    assert table[2].endswith("| 3 hit / 1 miss |")
    plain = ci.markdown_summary(rows[1:])
    assert "compiler cache" not in plain


def test_markdown_summary_shows_the_installer_check():
    built = dataclasses.replace(
        row("cp311-manylinux_x86_64", "built", "a.whl"), installs="pip 19.3+, glibc 2.17+"
    )
    rows = [built, row("cp312-manylinux_x86_64", "failed", error="x")]
    table = [line for line in ci.markdown_summary(rows).splitlines() if line.startswith("| ")]
    assert table[0].endswith("| installs with |")
    assert len({t.count("|") for t in table}) == 1
    assert table[2].endswith("| pip 19.3+, glibc 2.17+ |")
    assert "installs with" not in ci.markdown_summary(rows[1:])


def test_fold_provider_follows_cibw_log_fold_mode():
    gha = ci.CIProvider.github_actions
    assert ci.fold_provider(gha, {}) is gha
    assert ci.fold_provider(gha, {"CIBW_LOG_FOLD_MODE": "disabled"}) is None
    assert ci.fold_provider(None, {"CIBW_LOG_FOLD_MODE": "github"}) is gha
    assert ci.fold_provider(gha, {"CIBW_LOG_FOLD_MODE": "azure"}) is ci.CIProvider.azure_pipelines
    assert ci.fold_provider(None, {"CIBW_LOG_FOLD_MODE": "travis"}) is ci.CIProvider.travis
    assert ci.fold_provider(gha, {"CIBW_LOG_FOLD_MODE": "bogus"}) is gha  # check_fold_mode says
    ci.check_fold_mode({})
    for mode in ci.FOLD_MODES:
        ci.check_fold_mode({"CIBW_LOG_FOLD_MODE": mode})
    with pytest.raises(ConfigurationError, match="CIBW_LOG_FOLD_MODE = 'GitHub' is not valid"):
        ci.check_fold_mode({"CIBW_LOG_FOLD_MODE": "GitHub"})
