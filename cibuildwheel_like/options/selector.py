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
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, NoReturn

import bracex
from packaging.version import Version

from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from packaging.specifiers import SpecifierSet

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.options.model import PythonConfiguration


# bracex's own default, which cibuildwheel 4.3.5 keeps: past it, bracex raises rather than
# build an ever larger list of patterns.
EXPANSION_LIMIT = 1000


def expand_selector(selector: str, *, option: str = "selector") -> list[str]:
    """Every fnmatch pattern of a space-separated selector, braces expanded. A word that
    expands past EXPANSION_LIMIT is a ConfigurationError naming ``option`` (cibuildwheel
    crashes with bracex's exception there)."""
    return [pattern for word in selector.split() for pattern in _expand_word(word, option)]


def _expand_word(word: str, option: str) -> list[str]:
    try:
        return bracex.expand(word, limit=EXPANSION_LIMIT)
    except bracex.ExpansionLimitException:
        raise ConfigurationError(
            f"{option}: the pattern {word!r} expands to more than {EXPANSION_LIMIT}"
            " patterns, the brace-expansion limit; split it into several space-separated"
            " patterns or use wildcards (e.g. 'cp31*-*' rather than 'cp31{0,1,2,3}-*')"
        ) from None


def _patterns(selector: str) -> list[str]:
    return expand_selector(selector)


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


@dataclasses.dataclass(frozen=True, kw_only=True)
class _RetiredPythons:
    """Pythons cibuildwheel 4.x no longer builds, recognised (as cibuildwheel does) by a
    fragment anywhere in a selector word that matches nothing."""

    fragments: tuple[str, ...]
    what: str
    series: str
    instead: str


_RETIRED_PYTHONS = (
    _RetiredPythons(
        fragments=("p2", "p35"),
        what="Python 2.7/3.5",
        series="1.x",
        instead="the oldest Python built now is 3.9 (cp39)",
    ),
    _RetiredPythons(
        fragments=("p36", "p37"),
        what="Python 3.6/3.7",
        series="2.x",
        instead="the oldest Python built now is 3.9 (cp39)",
    ),
    _RetiredPythons(
        fragments=("p38",),
        what="Python 3.8",
        series="3.x",
        instead="the oldest Python built now is 3.9 (cp39)",
    ),
    _RetiredPythons(
        fragments=("cp313t",),
        what="free-threaded CPython 3.13",
        series="3.x",
        instead="free-threaded builds start at 3.14 (cp314t)",
    ),
)


def _retired(word: str) -> _RetiredPythons | None:
    found = [r for r in _RETIRED_PYTHONS if any(f in word for f in r.fragments)]
    return found[-1] if found else None


def _enabled(identifier: str, enable: frozenset[EnableGroup]) -> bool:
    group = gating_group(identifier)
    return group is None or group in enable


def check_build_selector(
    build: str,
    *,
    enable: frozenset[EnableGroup],
    option: str = "build",
    known: Sequence[str] | None = None,
    each_word: bool = True,
) -> None:
    """Refuse a ``build`` selector with a word that can select nothing, as cibuildwheel does.

    Each space-separated word (with its brace expansions) must match an identifier of some
    platform (``known``, default: every platform's) whose enable group is enabled. A word that
    names a retired Python (cp38, cp313t, ...) is a DeprecationError (exit 4); any other
    useless word a ConfigurationError (exit 2), saying which enable group it needs, if any.
    Archs, skip and requires-python are not involved: a selection emptied by those is "nothing
    to build" (exit 3). ``each_word=False`` (``--print-build-identifiers``, where cibuildwheel
    checks nothing) only refuses a selector that matches no known identifier at all.
    """
    known = identifiers.all_platform_identifiers() if known is None else known
    if not each_word and any(selector_matches(build, i) for i in known):
        return
    enabled = [i for i in known if _enabled(i, enable)]
    words = build.split()
    if not words:
        raise ConfigurationError(
            f"{option} = {build!r} is empty and so selects nothing; use '*' to build everything"
        )
    for word in words:
        if not any(selector_matches(word, i) for i in enabled):
            _refuse_word(word, build=build, option=option, known=known)


def _refuse_word(word: str, *, build: str, option: str, known: Sequence[str]) -> NoReturn:
    where = f"{option} = {build!r}" if word != build else option
    retired = _retired(word)
    if retired is not None:
        raise DeprecationError(
            f"{where}: {word!r} selects {retired.what}, which cibuildwheel 4.x (and so"
            f" cibuildwheel-like) no longer builds; {retired.instead}. Remove {word!r}, or"
            f" build these wheels with cibuildwheel {retired.series}."
        )
    groups = sorted(
        {g.value for i in known if selector_matches(word, i) and (g := gating_group(i))}
    )
    if groups:
        names = " or ".join(repr(g) for g in groups)
        raise ConfigurationError(
            f"{where}: {word!r} only matches builds of a group that is not enabled ({names})."
            f" Enable it (enable = {groups[0]!r} in [tool.cibuildwheel],"
            f" CIBW_ENABLE={groups[0]} or --enable {groups[0]}) or remove {word!r}."
        )
    configs = identifiers.all_configurations()
    candidates = sorted(
        {c.identifier for c in configs}
        | {f"{c.build_tag}-*" for c in configs}
        | {f"*-{c.platform_part}" for c in configs}
    )
    close = difflib.get_close_matches(word, candidates, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    build_tags = ", ".join(dict.fromkeys(c.build_tag for c in configs))
    raise ConfigurationError(
        f"{where}: {word!r} matches no build identifier.{hint}"
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
        return f"build = {build_selector.build!r} matches no Linux identifier"
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
