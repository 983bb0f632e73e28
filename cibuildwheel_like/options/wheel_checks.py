"""The options of the checks every repaired wheel goes through: ``audit-command`` (as
cibuildwheel 4.3.5) and our ``require-installable-by``; parsed once into typed values.
"""

from __future__ import annotations

import dataclasses

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from cibuildwheel_like.errors import ConfigurationError

ABI3_PLACEHOLDER = "{abi3_wheel}"
WHEEL_PLACEHOLDER = "{wheel}"
# the operators that give a requirement its lowest allowed version
_LOWER_BOUNDS = (">=", ">", "==", "~=", "===")


def parse_audit_commands(text: str, *, option: str) -> tuple[str, ...]:
    """``audit-command``: commands joined with `` && `` (a TOML list is joined so), each using
    exactly one of ``{abi3_wheel}`` (run for abi3 wheels only) and ``{wheel}`` (every wheel).
    As cibuildwheel, a command with neither or both is a configuration error; we say so when
    the options are resolved rather than after the first build."""
    commands = tuple(c for c in text.split(" && ") if c.strip()) if text.strip() else ()
    for command in commands:
        has_abi3 = ABI3_PLACEHOLDER in command
        has_wheel = WHEEL_PLACEHOLDER in command
        if has_abi3 and has_wheel:
            raise ConfigurationError(
                f"{option}: invalid audit command {command!r}: it cannot contain both"
                " {abi3_wheel} and {wheel}; split it into two commands"
            )
        if not has_abi3 and not has_wheel:
            raise ConfigurationError(
                f"{option}: invalid audit command {command!r}: it must contain {{abi3_wheel}}"
                " (run for abi3 wheels only) or {wheel} (run for every wheel)"
            )
    return commands


@dataclasses.dataclass(frozen=True, kw_only=True)
class InstallerRequirement:
    """``require-installable-by = "pip>=19.3"``: every wheel must install with the oldest pip
    the requirement allows (``lowest``)."""

    text: str
    lowest: Version


def parse_installer_requirement(text: str, *, option: str) -> InstallerRequirement | None:
    """None for "" (no requirement); ConfigurationError for anything but a pip requirement with
    a lower bound."""
    text = text.strip()
    if not text:
        return None
    fix = 'write it as pip>=VERSION, the oldest pip your users run, e.g. "pip>=19.3"'
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ConfigurationError(
            f"{option} = {text!r} is not a requirement ({exc}); {fix}"
        ) from None
    if requirement.name.lower() != "pip":
        raise ConfigurationError(
            f"{option} = {text!r}: only pip is known (its tag support is what is checked); {fix}"
        )
    if requirement.extras or requirement.url or requirement.marker:
        raise ConfigurationError(
            f"{option} = {text!r}: extras, URLs and markers mean nothing here; {fix}"
        )
    bounds: list[Version] = []
    for spec in requirement.specifier:
        if spec.operator in _LOWER_BOUNDS:
            try:
                bounds.append(Version(spec.version.removesuffix(".*")))
            except InvalidVersion:
                raise ConfigurationError(
                    f"{option} = {text!r}: {spec} is not a version; {fix}"
                ) from None
    if not bounds:
        raise ConfigurationError(
            f"{option} = {text!r} has no lower bound, so it allows every pip ever released; {fix}"
        )
    return InstallerRequirement(text=text, lowest=max(bounds))
