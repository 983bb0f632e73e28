"""PEP 735 ``[dependency-groups]``: the one reader, for the ``test-groups`` option.

As cibuildwheel 4.3.5, the groups come from the package's own ``pyproject.toml`` (never from
``--config-file``), and ``test-groups`` adds their requirements to the test requirements. Group
names compare after PEP 503 normalisation (PEP 735 says so): ``Test_Deps`` is ``test-deps``.
The table is parsed once into ``DependencyGroups``; the resolver expands the requested groups
into ``BuildOptions.test_group_requirements``, so nothing downstream reads pyproject.toml again.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

TABLE = "[dependency-groups]"


def normalize_group_name(name: str) -> str:
    """PEP 503 normalisation, which PEP 735 prescribes for group names."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncludeGroup:
    """``{include-group = "name"}``; ``group`` is normalised."""

    group: str


GroupEntry = str | IncludeGroup  # a PEP 508 requirement (as packaging prints it) or an include


@dataclasses.dataclass(frozen=True, kw_only=True)
class DependencyGroups:
    """The parsed table of one pyproject.toml, keyed by normalised group name."""

    path: Path
    groups: Mapping[str, tuple[GroupEntry, ...]]
    spelled: Mapping[str, str]  # normalised name -> the name as written, for messages

    def requirements(self, requested: Sequence[str], *, option: str) -> tuple[str, ...]:
        """The requirements of ``requested`` in order, includes expanded (PEP 735)."""
        try:
            return tuple(req for name in requested for req in self._expand(name, (), option=option))
        except RecursionError:  # a chain of thousands of include-groups, each a level deeper
            raise ConfigurationError(
                f"{self.path}: {TABLE} include-group chains are nested too deeply to resolve"
                f" (from {', '.join(requested)}); flatten them"
            ) from None

    def _expand(self, name: str, chain: tuple[str, ...], *, option: str) -> list[str]:
        key = normalize_group_name(name)
        if key in chain:
            cycle = " -> ".join(self.spelled.get(k, k) for k in (*chain, key))
            raise ConfigurationError(
                f"{self.path}: {TABLE} include cycle: {cycle}. A group may not include itself,"
                " directly or through other groups."
            )
        entries = self.groups.get(key)
        if entries is None:
            close = difflib.get_close_matches(key, sorted(self.groups), n=1)
            hint = f" Did you mean {self.spelled[close[0]]!r}?" if close else ""
            known = ", ".join(self.spelled[k] for k in sorted(self.groups)) or "none"
            where = f"{option}: {self.path}" if not chain else f"{self.path}: {TABLE}"
            raise ConfigurationError(
                f"{where} has no dependency group {name!r}.{hint} Groups there: {known}."
            )
        result: list[str] = []
        for entry in entries:
            if isinstance(entry, IncludeGroup):
                result.extend(self._expand(entry.group, (*chain, key), option=option))
            else:
                result.append(entry)
        return result


def parse_dependency_groups(table: Any, *, path: Path) -> DependencyGroups:
    """Check the whole ``[dependency-groups]`` table and key it by normalised name.

    Every group is checked, not only the requested ones (cibuildwheel's library checks the
    groups it reaches): a malformed table is a mistake wherever it is.
    """
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: {TABLE} must be a table of lists, not {table!r}")
    groups: dict[str, tuple[GroupEntry, ...]] = {}
    spelled: dict[str, str] = {}
    for name, entries in table.items():
        key = normalize_group_name(name)
        if key in spelled:
            raise ConfigurationError(
                f"{path}: {TABLE} names the group {key!r} twice ({spelled[key]!r} and"
                f" {name!r} are the same name once normalised, PEP 735); rename or merge one"
            )
        spelled[key] = name
        groups[key] = _entries(entries, group=name, path=path)
    return DependencyGroups(path=path, groups=groups, spelled=spelled)


def _entries(raw: Any, *, group: str, path: Path) -> tuple[GroupEntry, ...]:
    if not isinstance(raw, list):
        raise ConfigurationError(
            f"{path}: {TABLE} {group} = {raw!r} must be a list of requirement strings and"
            ' {include-group = "NAME"} tables'
        )
    parsed: list[GroupEntry] = []
    for entry in raw:
        if isinstance(entry, str):
            try:
                parsed.append(str(Requirement(entry)))
            except InvalidRequirement as exc:
                raise ConfigurationError(
                    f"{path}: {TABLE} {group}: {entry!r} is not a valid requirement ({exc})"
                ) from None
        elif (
            isinstance(entry, dict)
            and list(entry) == ["include-group"]
            and isinstance(entry["include-group"], str)
        ):
            parsed.append(IncludeGroup(group=normalize_group_name(entry["include-group"])))
        else:
            raise ConfigurationError(
                f"{path}: {TABLE} {group}: {entry!r} is neither a requirement string nor"
                ' {include-group = "NAME"}'
            )
    return tuple(parsed)


def load_dependency_groups(
    document: Mapping[str, Any] | None, *, path: Path, groups: Sequence[str], option: str
) -> DependencyGroups:
    """The parsed table of ``document``; ``groups`` and ``option`` only word the errors."""
    wanted = " ".join(groups)
    if document is None:
        raise ConfigurationError(
            f"{option} = {wanted!r}: there is no {path} to read {TABLE} from; the groups are"
            " read from the package's pyproject.toml"
        )
    if "dependency-groups" not in document:
        raise ConfigurationError(
            f"{option} = {wanted!r}: {path} has no {TABLE} table; add the groups there"
            " (PEP 735) or remove test-groups"
        )
    return parse_dependency_groups(document["dependency-groups"], path=path)
