"""Parsing and evaluating `environment` / `test-environment` strings.

OWNED BY: options helper (stub interface written by the integrator; keep the signatures).

A ParsedEnvironment is an ordered list of assignments parsed with bashlex. ``evaluate`` runs
them in order against a base environment; ``$(...)`` substitutions go through ``executor``
(in a build, a command run inside the container), so unit tests pass a lambda.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

# executor(argv, env) -> stdout text. argv is e.g. ["sh", "-c", "command text"].
Executor = Callable[[Sequence[str], Mapping[str, str]], str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Assignment:
    name: str
    value: str  # the raw right-hand side, as written


@dataclasses.dataclass(frozen=True, kw_only=True)
class ParsedEnvironment:
    assignments: tuple[Assignment, ...] = ()

    def evaluate(self, base: Mapping[str, str], executor: Executor) -> dict[str, str]:
        raise NotImplementedError  # implemented by the options helper

    def as_string(self) -> str:
        return " ".join(f"{a.name}={a.value}" for a in self.assignments)


def parse_environment(text: str, *, option: str) -> ParsedEnvironment:
    """Parse ``text``; raise ConfigurationError naming ``option`` and the construct on failure."""
    raise NotImplementedError  # implemented by the options helper
