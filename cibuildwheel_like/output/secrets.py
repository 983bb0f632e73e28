"""Secrets: values that never appear in what cibuildwheel-like prints or writes.

The one owner of redaction. A secret is the host value of every ``environment-pass`` variable,
the host value of every variable whose name contains TOKEN, SECRET or PASSWORD (any case), and
a literal value that ``environment`` / ``test-environment`` assigns to such a name. The values
are collected here (``from_environment`` at start-up, ``from_plan`` once the plan is made) and
handed to ``Output.protect``, which replaces each with ``***`` in every line it writes (ours and
the containers'), the summary and the CI job summary, and on GitHub Actions first registers each
with ``::add-mask::`` so the runner masks it too. ``redact_data`` does the same for JSON documents
(the build report, ``plan --json``) before they are serialised, so they stay valid JSON.

Values shorter than MIN_LENGTH characters and boolean words (true, 1, ...) are not masked: they
are no secret, and masking them would garble every log line that holds them.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.options.environment import ParsedEnvironment

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cibuildwheel_like.plan import Plan

MASK = "***"
MIN_LENGTH = 4
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD", re.IGNORECASE)
_NOT_SECRET = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})


def is_secret_name(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def maskable(value: str) -> bool:
    return len(value) >= MIN_LENGTH and value.strip().lower() not in _NOT_SECRET


@dataclasses.dataclass(frozen=True)
class Secrets:
    """A set of secret values, longest first (so a value inside another is masked whole)."""

    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str]) -> Secrets:
        """Each maskable value, and each maskable line of a multi-line one (the way GitHub
        masks them, line by line)."""
        found: set[str] = set()
        for value in values:
            for part in (value, *value.splitlines()):
                if maskable(part):
                    found.add(part)
        return cls(values=tuple(sorted(found, key=lambda v: (-len(v), v))))

    def __bool__(self) -> bool:
        return bool(self.values)

    def __or__(self, other: Secrets) -> Secrets:
        return Secrets.of((*self.values, *other.values))

    def redact(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def redact_data(self, data: Any) -> Any:
        """A copy of a JSON-like document with every string (keys too) redacted."""
        if not self.values:
            return data
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.redact_data(v) for v in data]
        return data

    def github_masks(self) -> list[str]:
        """``::add-mask::`` commands (GitHub Actions), one per value."""
        return [f"::add-mask::{value}" for value in self.values if "\n" not in value]


def from_environment(environ: Mapping[str, str]) -> Secrets:
    """Host variables whose names say they are secret (GITHUB_TOKEN, PYPI_PASSWORD, ...)."""
    return Secrets.of(value for name, value in environ.items() if is_secret_name(name))


def from_plan(plan: Plan, environ: Mapping[str, str]) -> Secrets:
    """Every build's environment-pass values, and literal secret-named values of its
    environment and test-environment."""
    values: list[str] = []
    for build in plan.builds:
        values += [environ[name] for name in build.environment_pass if name in environ]
        values += _literal_secrets(build.environment)
        values += _literal_secrets(build.test_environment)
    return Secrets.of(values)


def _literal_secrets(parsed: ParsedEnvironment) -> list[str]:
    """Values assigned to secret-looking names without any expansion, unquoted as the shell
    would (``TOKEN="abc"`` -> ``abc``)."""
    found: list[str] = []
    for assignment in parsed.assignments:
        if not is_secret_name(assignment.name) or any(c in assignment.value for c in "$`"):
            continue
        single = ParsedEnvironment(assignments=(assignment,))
        found.append(single.evaluate({}, _no_commands)[assignment.name])
    return found


def _no_commands(_argv: Any, _env: Any) -> str:  # pragma: no cover  # no $( ) in the values
    return ""
