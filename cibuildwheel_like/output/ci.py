"""Which CI service runs us, and how its log understands folds, annotations and summaries.

Pure text: this module formats the service-specific lines (GitHub's ``::group::``, Azure's
``##[group]``, GitLab's ``section_start``, Travis's ``travis_fold``) and the Markdown step
summary; ``output.py`` decides when to print them.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.report.summary import SummaryRow

Level = Literal["error", "warning"]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})


class CIProvider(enum.Enum):
    github_actions = "github-actions"
    gitlab = "gitlab"
    azure_pipelines = "azure-pipelines"
    circleci = "circleci"
    travis = "travis"
    other = "other"  # CI=true (or similar) and none of the above

    @property
    def display_name(self) -> str:
        match self:
            case CIProvider.github_actions:
                return "GitHub Actions"
            case CIProvider.gitlab:
                return "GitLab CI"
            case CIProvider.azure_pipelines:
                return "Azure Pipelines"
            case CIProvider.circleci:
                return "CircleCI"
            case CIProvider.travis:
                return "Travis CI"
            case CIProvider.other:
                return "CI"


def strip_ansi(text: str) -> str:
    """Remove colour and cursor escape sequences (for plain logs)."""
    return _ANSI.sub("", text)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def detect_ci(environ: Mapping[str, str]) -> CIProvider | None:
    """The CI service from the variables each one documents; ``None`` off CI."""
    if _truthy(environ.get("GITHUB_ACTIONS")):
        return CIProvider.github_actions
    if "GITLAB_CI" in environ:
        return CIProvider.gitlab
    if _truthy(environ.get("TF_BUILD")) or "AZURE_HTTP_USER_AGENT" in environ:
        return CIProvider.azure_pipelines
    if _truthy(environ.get("CIRCLECI")):
        return CIProvider.circleci
    if _truthy(environ.get("TRAVIS")):
        return CIProvider.travis
    if _truthy(environ.get("CI")) or "JENKINS_URL" in environ:
        return CIProvider.other
    return None


# -- GitHub Actions workflow commands ---------------------------------------------------------
def escape_data(text: str) -> str:
    """Escape a workflow command's message so newlines and ``%`` survive."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _azure_escape(text: str) -> str:
    return (
        text.replace("%", "%AZP25")
        .replace(";", "%3B")
        .replace("]", "%5D")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
    )


_SECTION_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def section_key(title: str) -> str:
    """A fold name made of the characters every service accepts."""
    return _SECTION_NAME.sub("_", title).strip("_")[:100] or "step"


# -- the fold style: CIBW_LOG_FOLD_MODE (cibuildwheel 4.3) overrides the service's own ----------
FoldMode = Literal["github", "azure", "travis", "disabled"]
FOLD_MODES: tuple[FoldMode, ...] = ("github", "azure", "travis", "disabled")
FOLD_MODE_VARIABLE = "CIBW_LOG_FOLD_MODE"


def _fold_mode(text: str) -> FoldMode | None:
    match text:
        case "github" | "azure" | "travis" | "disabled":
            return text
    return None


def check_fold_mode(environ: Mapping[str, str]) -> None:
    """A CIBW_LOG_FOLD_MODE that is set must be one of FOLD_MODES (exit 2 otherwise)."""
    value = environ.get(FOLD_MODE_VARIABLE)
    if value is not None and _fold_mode(value) is None:
        raise ConfigurationError(
            f"{FOLD_MODE_VARIABLE} = {value!r} is not valid; use one of {', '.join(FOLD_MODES)}"
            " (or unset it: the CI service decides)"
        )


def fold_provider(provider: CIProvider | None, environ: Mapping[str, str]) -> CIProvider | None:
    """Whose fold lines the log gets: the CI service's own, unless CIBW_LOG_FOLD_MODE names
    one (``disabled``: none). An invalid value is left to ``check_fold_mode``."""
    match _fold_mode(environ.get(FOLD_MODE_VARIABLE, "")):
        case "github":
            return CIProvider.github_actions
        case "azure":
            return CIProvider.azure_pipelines
        case "travis":
            return CIProvider.travis
        case "disabled":
            return None
        case None:
            return provider


def group_start(provider: CIProvider | None, title: str, *, now: float) -> str | None:
    """The line that opens a collapsible group in the log, or None where there is none."""
    match provider:
        case CIProvider.github_actions:
            return f"::group::{escape_data(title)}"
        case CIProvider.azure_pipelines:
            return f"##[group]{title}"
        case CIProvider.gitlab:
            key = section_key(title)
            return f"\x1b[0Ksection_start:{int(now)}:{key}[collapsed=true]\r\x1b[0K{title}"
        case CIProvider.travis:
            return f"travis_fold:start:{section_key(title)}"
        case CIProvider.circleci | CIProvider.other | None:
            return None


def group_end(provider: CIProvider | None, title: str, *, now: float) -> str | None:
    match provider:
        case CIProvider.github_actions:
            return "::endgroup::"
        case CIProvider.azure_pipelines:
            return "##[endgroup]"
        case CIProvider.gitlab:
            return f"\x1b[0Ksection_end:{int(now)}:{section_key(title)}\r\x1b[0K"
        case CIProvider.travis:
            return f"travis_fold:end:{section_key(title)}"
        case CIProvider.circleci | CIProvider.other | None:
            return None


def annotation(
    provider: CIProvider | None, level: Level, message: str, *, title: str | None = None
) -> str | None:
    """A line the service turns into an error/warning annotation on the run, or None."""
    match provider:
        case CIProvider.github_actions:
            props = f" title={escape_property(title)}" if title else ""
            return f"::{level}{props}::{escape_data(message)}"
        case CIProvider.azure_pipelines:
            return f"##vso[task.logissue type={level}]{_azure_escape(message)}"
        case CIProvider.gitlab | CIProvider.travis | CIProvider.circleci | CIProvider.other | None:
            return None


def step_summary_path(provider: CIProvider | None, environ: Mapping[str, str]) -> Path | None:
    """Where GitHub Actions collects the job's Markdown summary, when we run there."""
    if provider is not CIProvider.github_actions:
        return None
    value = environ.get("GITHUB_STEP_SUMMARY", "").strip()
    return Path(value) if value else None


# -- the Markdown step summary ----------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _code(text: str) -> str:
    return f"`{text}`" if text and "`" not in text else _cell(text)


_STATUS_MARK = {"built": "✅", "failed": "❌", "not-run": "⏭️"}


def markdown_summary(
    rows: Sequence[SummaryRow],
    *,
    options: Sequence[tuple[str, str, str]] = (),
    title: str = "cibuildwheel-like",
    exit_code: int | None = None,
) -> str:
    """The job summary: one table row per build, then the options that differ from the defaults.

    ``options`` holds ``(name, value, where it was set)`` triples.
    """
    built = sum(r.status == "built" for r in rows)
    lines = [f"## {title}", ""]
    outcome = f"{built} of {len(rows)} wheels built"
    if exit_code is not None:
        outcome += ", run succeeded" if exit_code == 0 else f", run failed (exit {exit_code})"
    lines += [outcome + ".", ""]
    cache = any(r.compiler_cache for r in rows)  # the column only when it was measured
    installs = any(r.installs for r in rows)  # the installer check, when a wheel was made
    lines += [
        "| | identifier | wheel | size | build time | tests | sha256 |"
        + (" compiler cache |" if cache else "")
        + (" installs with |" if installs else ""),
        "| --- | --- | --- | ---: | ---: | --- | --- |"
        + (" ---: |" if cache else "")
        + (" --- |" if installs else ""),
    ]
    for r in rows:
        wheel = _code(r.wheel) if r.wheel else _cell(r.error or r.status)
        cells = [
            _STATUS_MARK.get(r.status, ""),
            _code(r.identifier),
            wheel,
            _cell(r.size),
            _cell(r.build_time),
            _cell(r.tests),
            _code(r.sha256),
        ]
        if cache:
            cells.append(_cell(r.compiler_cache))
        if installs:
            cells.append(_cell(r.installs))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if options:
        lines += [
            "<details><summary>Options that differ from the defaults</summary>",
            "",
            "| option | value | set by |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {_code(n)} | {_code(v)} | {_cell(src)} |" for n, v, src in options]
        lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"


def append_step_summary(path: Path, markdown: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(markdown)
