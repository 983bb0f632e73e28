"""Which build identifiers to build and test: build/skip/test-skip selectors and enable groups.

The semantics follow cibuildwheel 4.3.5: a selector is a space-separated list of fnmatch
patterns, each with shell-like brace expansion (``cp{311,312}-*``); an identifier is built when
it matches ``build``, does not match ``skip``, its Python version satisfies requires-python and
any enable group that gates it is enabled.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import itertools
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

import bracex
from packaging.version import Version

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from packaging.specifiers import SpecifierSet

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.build_options import PythonConfiguration


def _patterns(selector: str) -> list[str]:
    return list(itertools.chain.from_iterable(bracex.expand(p) for p in selector.split()))


def _fnmatch(identifier: str, pattern: str) -> bool:
    # cibuildwheel uses fnmatch.fnmatch, which is case-sensitive on POSIX: keep that.
    return fnmatchcase(identifier, pattern)


def selector_matches(selector: str, identifier: str) -> bool:
    """True when any pattern of the space-separated, brace-expanded ``selector`` matches."""
    return any(_fnmatch(identifier, p) for p in _patterns(selector))


class EnableGroup(enum.Enum):
    """cibuildwheel 4.3.5's groups of builds that are off unless enabled."""

    CPYTHON_PRERELEASE = "cpython-prerelease"
    GRAALPY = "graalpy"
    PYPY = "pypy"
    PYPY_EOL = "pypy-eol"
    PYODIDE_EOL = "pyodide-eol"
    PYODIDE_PRERELEASE = "pyodide-prerelease"


# Group names earlier cibuildwheel versions accepted, with what became of them. cibuildwheel
# 4.3.5 rejects them (exit 2) and so do we, but we say why.
_RETIRED_GROUPS = {
    "cpython-freethreading": "free-threaded CPython (cp314t, cp315t) is built by default now;"
    " remove it (use skip = '*t-*' to leave free-threaded builds out)",
    "cpython-experimental-riscv64": "riscv64 builds need no enable group any more; remove it"
    " (select them with archs = 'riscv64')",
}


def parse_enable(value: str, *, option: str = "enable") -> frozenset[EnableGroup]:
    """Parse a space-separated list of enable group names; ``all`` enables every group."""
    valid = [g.value for g in EnableGroup]
    result: set[EnableGroup] = set()
    for word in value.split():
        if word == "all":
            return frozenset(EnableGroup)
        try:
            result.add(EnableGroup(word))
        except ValueError:
            if word in _RETIRED_GROUPS:
                fix = _RETIRED_GROUPS[word]
                raise ConfigurationError(
                    f"{option}: the enable group {word!r} no longer exists: {fix}."
                ) from None
            close = difflib.get_close_matches(word, [*valid, "all"], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(
                f"{option}: unknown enable group {word!r}.{hint}"
                f" Valid groups: {', '.join(valid)}, or all."
            ) from None
    return frozenset(result)


def gating_group(identifier: str) -> EnableGroup | None:
    """The enable group an identifier needs, or None if it is built by default."""
    if _fnmatch(identifier, "cp316*"):
        return EnableGroup.CPYTHON_PRERELEASE
    if _fnmatch(identifier, "pp3?-*") or _fnmatch(identifier, "pp310-*"):
        return EnableGroup.PYPY_EOL
    if _fnmatch(identifier, "pp*"):
        return EnableGroup.PYPY
    if _fnmatch(identifier, "gp*"):
        return EnableGroup.GRAALPY
    if _fnmatch(identifier, "cp312-pyodide_*"):
        return EnableGroup.PYODIDE_EOL
    return None


def python_version_of(identifier: str) -> Version:
    """The version requires-python is checked against: ``cp313t-...`` -> 3.13.99."""
    build_tag = identifier.split("-", 1)[0].split("_", 1)[0].removesuffix("t")
    digits = build_tag[2:]
    if len(digits) < 2 or not digits.isdigit():  # noqa: PLR2004
        msg = f"not a build identifier: {identifier!r}"
        raise ValueError(msg)
    return Version(f"{digits[0]}.{digits[1:]}.99")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildSelector:
    """Called with an identifier, says whether to build it."""

    build: str = "*"
    skip: str = ""
    requires_python: SpecifierSet | None = None
    enable: frozenset[EnableGroup] = frozenset()

    def __call__(self, identifier: str) -> bool:
        if self.requires_python is not None and not self.requires_python.contains(
            python_version_of(identifier)
        ):
            return False
        group = gating_group(identifier)
        if group is not None and group not in self.enable:
            return False
        return selector_matches(self.build, identifier) and not selector_matches(
            self.skip, identifier
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TestSelector:
    """Called with an identifier, says whether to test it (True = run the tests)."""

    __test__ = False  # not a pytest test class

    skip: str = ""

    def __call__(self, identifier: str) -> bool:
        return not selector_matches(self.skip, identifier)


def select(
    configs: Iterable[PythonConfiguration],
    *,
    archs: frozenset[Arch],
    build_selector: BuildSelector,
) -> list[PythonConfiguration]:
    """The configurations to build, in the given (build) order."""
    return [c for c in configs if c.arch in archs and build_selector(c.identifier)]


def check_build_selector(
    build: str, configs: Sequence[PythonConfiguration], *, option: str = "build"
) -> None:
    """Refuse a ``build`` selector that can match no known identifier (exit 2).

    This is checked before archs, skip, enable and requires-python filtering: a selection that
    ends up empty only because of those is not a configuration error but "nothing to build"
    (exit 3, or 0 with allow-empty), as in cibuildwheel.
    """
    identifiers = [c.identifier for c in configs]
    if any(selector_matches(build, i) for i in identifiers):
        return
    words = build.split() or [build]
    candidates = sorted(
        {*identifiers}
        | {f"{c.build_tag}-*" for c in configs}
        | {f"*-{c.platform_part}" for c in configs}
    )
    suggestions = list(
        dict.fromkeys(s for w in words for s in difflib.get_close_matches(w, candidates, n=1))
    )
    hint = f" Did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    build_tags = ", ".join(dict.fromkeys(c.build_tag for c in configs))
    raise ConfigurationError(
        f"{option} = {build!r} matches no build identifier.{hint}"
        f" Known build tags: {build_tags}; platforms: manylinux_<arch>, musllinux_<arch>"
        " (see `cibuildwheel-like run --print-build-identifiers --archs all --enable all`)."
    )


def empty_selection_hint(
    configs: Sequence[PythonConfiguration],
    *,
    archs: frozenset[Arch],
    build_selector: BuildSelector,
) -> str:
    """Why nothing is selected, for the "nothing to build" message (exit 3)."""
    matched = [c for c in configs if selector_matches(build_selector.build, c.identifier)]
    if not matched:
        return f"build = {build_selector.build!r} matches no identifier"
    in_archs = [c for c in matched if c.arch in archs]
    if not in_archs:
        arch_names = ", ".join(sorted(a.value for a in archs)) or "none"
        wanted = ", ".join(sorted({c.arch.value for c in matched}))
        return f"archs selects {arch_names}, but build matches only {wanted} identifiers"
    reasons: dict[str, None] = {}
    rp = build_selector.requires_python
    for c in in_archs:
        group = gating_group(c.identifier)
        if rp is not None and not rp.contains(python_version_of(c.identifier)):
            reasons[f"requires-python {str(rp)!r} excludes some"] = None
        elif group is not None and group not in build_selector.enable:
            reasons[f"some need enable = {group.value!r}"] = None
        elif selector_matches(build_selector.skip, c.identifier):
            reasons[f"skip = {build_selector.skip!r} removes some"] = None
    return f"build matches {len(in_archs)} identifier(s) for these archs, but " + "; ".join(reasons)
