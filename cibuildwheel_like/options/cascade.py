"""The precedence cascade: which layer gives an option its value, exactly as cibuildwheel.

Layers, lowest first: built-in default -> ``[tool.cibuildwheel]`` ->
``[tool.cibuildwheel.linux]`` -> each matching ``[[tool.cibuildwheel.overrides]]`` in file order
-> ``CIBW_<NAME>`` -> ``CIBW_<NAME>_LINUX`` -> command line. A layer replaces the value below it
unless its ``inherit`` rule for the option is append/prepend, which joins the two by the
option's rule (option_values.merge). ``CIBW_INHERIT`` sets rules for the environment layers, as
in cibuildwheel; ``CIBW_ENABLE`` appends to the file's enable groups.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.config_file import ConfigFile, InheritRule, Override, parse_inherit
from cibuildwheel_like.options.selector import selector_matches
from cibuildwheel_like.options.values import merge, to_string

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

DEFAULT = "default"
PYPROJECT = "pyproject"
PYPROJECT_LINUX = "pyproject [linux]"
COMMAND_LINE = "command line"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Resolved:
    value: str  # the option's string form (as its environment variable would carry it)
    layer: str  # the last layer that contributed, e.g. "override #2" or "env CIBW_BUILD"
    layers: tuple[str, ...] = ()  # every contributing layer, lowest first


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Layer:
    name: str
    value: Any  # None: not set at this layer
    rule: InheritRule
    where: str  # for error messages


@dataclasses.dataclass(frozen=True, kw_only=True)
class Cascade:
    config: ConfigFile
    environ: Mapping[str, str]
    cli: Mapping[str, str] = dataclasses.field(default_factory=dict)  # option name -> value

    @functools.cached_property
    def env_inherit(self) -> tuple[dict[str, InheritRule], dict[str, InheritRule]]:
        """CIBW_INHERIT rules: (for CIBW_X, for CIBW_X_LINUX given as 'name-linux' keys)."""
        text = self.environ.get("CIBW_INHERIT", "")
        rules = parse_inherit(text or None, where="CIBW_INHERIT", platform_suffixes=True)
        plain: dict[str, InheritRule] = {}
        linux: dict[str, InheritRule] = {}
        for key, rule in rules.items():
            if key in reg.BY_NAME:
                plain[key] = rule
            elif key.endswith("-linux"):
                linux[key.removesuffix("-linux")] = rule
        return plain, linux

    def resolve(self, name: str, identifier: str | None) -> Resolved:
        spec = reg.spec(name)
        layers = self._layers(spec, identifier)
        result: str | None = None
        contributed: list[str] = []
        for layer in layers:
            if layer.value is None:
                continue
            text = to_string(spec, layer.value, where=layer.where)
            if spec.ignore_empty and not text:
                continue
            if layer.rule is InheritRule.NONE:
                result, contributed = text, [layer.name]
                continue
            if not spec.mergeable:
                raise ConfigurationError(_no_merge(spec, layer))
            before = result or ""
            if layer.rule is InheritRule.APPEND:
                result = merge(spec, before, text)
            else:
                result = merge(spec, text, before)
            contributed = [*contributed, layer.name] if before else [layer.name]
        assert result is not None  # noqa: S101 - the default layer is always set
        return Resolved(value=result, layer=contributed[-1], layers=tuple(contributed))

    def _layers(self, spec: reg.OptionSpec, identifier: str | None) -> list[_Layer]:
        none = InheritRule.NONE
        path = self.config.path
        layers = [_Layer(name=DEFAULT, value=spec.default, rule=none, where="built-in default")]
        if spec.toml_table == reg.CIBW_TABLE:
            layers.append(
                _Layer(
                    name=PYPROJECT,
                    value=self.config.main.get(spec.name),
                    rule=self.config.main_inherit.get(spec.name, none),
                    where=f"{path}: [tool.cibuildwheel]",
                )
            )
            layers.append(
                _Layer(
                    name=PYPROJECT_LINUX,
                    value=self.config.linux.get(spec.name),
                    rule=self.config.linux_inherit.get(spec.name, none),
                    where=f"{path}: [tool.cibuildwheel.linux]",
                )
            )
            if identifier is not None and not spec.global_only:
                layers += _override_layers(
                    self.config.overrides, spec.name, identifier, path=path, ours=False
                )
        elif spec.toml_table == reg.OURS_TABLE:
            layers.append(
                _Layer(
                    name=PYPROJECT,
                    value=self.config.ours.get(spec.name),
                    rule=none,
                    where=f"{path}: [tool.cibuildwheel-like]",
                )
            )
            if identifier is not None and not spec.global_only:
                layers += _override_layers(
                    self.config.ours_overrides, spec.name, identifier, path=path, ours=True
                )
        env_rules, env_linux_rules = self.env_inherit
        env_default = InheritRule.APPEND if spec.name == "enable" else none
        layers.append(
            _Layer(
                name=f"env {spec.env_var}",
                value=self.environ.get(spec.env_var),
                rule=env_rules.get(spec.name, env_default),
                where=f"environment variable {spec.env_var}",
            )
        )
        if spec.platform_env_var is not None:
            layers.append(
                _Layer(
                    name=f"env {spec.platform_env_var}",
                    value=self.environ.get(spec.platform_env_var),
                    rule=env_linux_rules.get(spec.name, env_default),
                    where=f"environment variable {spec.platform_env_var}",
                )
            )
        layers.append(
            _Layer(
                name=COMMAND_LINE, value=self.cli.get(spec.name), rule=none, where="command line"
            )
        )
        return layers


def _no_merge(spec: reg.OptionSpec, layer: _Layer) -> str:
    return (
        f"{layer.where}: inherit for {spec.name!r} is not supported: only list, command and"
        " table options can be appended or prepended; use inherit 'none' (the default)"
    )


def _override_layers(
    overrides: Iterable[Override], name: str, identifier: str, *, path: object, ours: bool
) -> list[_Layer]:
    """The layers of the overrides that select ``identifier`` (ours: [[tool.cibuildwheel-like
    .overrides]], shown with that suffix so a plan says which table set the value)."""
    table = reg.OURS_TABLE if ours else reg.CIBW_TABLE
    suffix = " (cibuildwheel-like)" if ours else ""
    return [
        _Layer(
            name=f"override #{o.number}{suffix}",
            value=o.options.get(name),
            rule=o.inherit.get(name, InheritRule.NONE),
            where=f"{path}: [[{table}.overrides]] #{o.number}",
        )
        for o in overrides
        if selector_matches(o.select, identifier)
    ]
