"""Reading and validating the configuration file (pyproject.toml or --config-file).

As cibuildwheel 4.3.5: the file is ``--config-file`` when given (``{package}`` is replaced by
the package directory), otherwise ``{package}/pyproject.toml`` when it exists. Every problem is a
ConfigurationError (exit 2) naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.removed import RETIRED_KEYS
from cibuildwheel_like.options.values import split_fields

if TYPE_CHECKING:
    from collections.abc import Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


class InheritRule(enum.Enum):
    NONE = "none"
    APPEND = "append"
    PREPEND = "prepend"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Override:
    number: int  # 1-based position in the file, for "override #N"
    select: str
    options: Mapping[str, Any]
    inherit: Mapping[str, InheritRule]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfigFile:
    path: Path | None
    main: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    main_inherit: Mapping[str, InheritRule] = dataclasses.field(default_factory=dict)
    linux: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    linux_inherit: Mapping[str, InheritRule] = dataclasses.field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    ours: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    ours_overrides: tuple[Override, ...] = ()  # [[tool.cibuildwheel-like.overrides]]
    document: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # the whole file


def locate_config_file(
    *, project_dir: Path, package_dir: Path, config_file: Path | None
) -> Path | None:
    if config_file is not None and str(config_file):
        text = str(config_file).replace("{package}", str(package_dir))
        path = Path(text)
        path = path if path.is_absolute() else project_dir / path
        if not path.is_file():
            raise ConfigurationError(f"--config-file: {path} does not exist or is not a file")
        return path
    default = package_dir / "pyproject.toml"
    return default if default.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file (pyproject.toml, --config-file) as a dict; every way it can be unreadable
    is a ConfigurationError naming the file, never a traceback."""
    try:
        with path.open("rb") as f:
            document: dict[str, Any] = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigurationError(
            f"{path}: invalid TOML: not UTF-8 (byte {exc.object[exc.start]:#04x} on line"
            f" {line}); save the file as UTF-8"
        ) from None
    except RecursionError:  # tomllib parses nested arrays/tables recursively
        raise ConfigurationError(
            f"{path}: invalid TOML: arrays or inline tables nested too deeply to read;"
            " flatten the value"
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return document


def load_config(path: Path | None, *, document: Mapping[str, Any] | None = None) -> ConfigFile:
    """The configuration in ``path``; ``document`` is its TOML when the caller has already
    read it (the package's pyproject.toml, options/project_files.py)."""
    if path is None:
        return ConfigFile(path=None)
    if document is None:
        document = read_toml(path)
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigurationError(f"{path}: [tool] must be a table, not {_type(tool)}")
    main = _table(tool.get("cibuildwheel", {}), path=path, where="[tool.cibuildwheel]")
    ours = _table(tool.get("cibuildwheel-like", {}), path=path, where="[tool.cibuildwheel-like]")
    known = {s.name for s in reg.CIBW_FILE_OPTIONS}

    plain: dict[str, Any] = {}
    for key, value in main.items():
        if key in reg.PLATFORM_TABLES or key in {"inherit", "overrides"}:
            continue
        _check_key(key, known | set(reg.PLATFORM_TABLES) | {"inherit", "overrides"},
                   path=path, where="[tool.cibuildwheel]")  # fmt: skip
        _check_type(reg.spec(key), value, path=path, where="[tool.cibuildwheel]")
        plain[key] = value

    linux_raw = _table(main.get("linux", {}), path=path, where="[tool.cibuildwheel.linux]")
    linux: dict[str, Any] = {}
    for key, value in linux_raw.items():
        if key == "inherit":
            continue
        _check_key(key, known | {"inherit"}, path=path, where="[tool.cibuildwheel.linux]")
        spec = reg.spec(key)
        if spec.not_in_linux_table:
            raise ConfigurationError(
                f"{path}: [tool.cibuildwheel.linux] may not set {key!r} (as in cibuildwheel);"
                " set it in [tool.cibuildwheel] or in an override"
            )
        _check_type(spec, value, path=path, where="[tool.cibuildwheel.linux]")
        linux[key] = value

    ours_plain: dict[str, Any] = {}
    ours_known = {s.name for s in reg.OURS_FILE_OPTIONS}
    for key, value in ours.items():
        if key == "overrides":
            continue
        _check_key(key, ours_known | {"overrides"}, path=path, where="[tool.cibuildwheel-like]")
        _check_type(reg.spec(key), value, path=path, where="[tool.cibuildwheel-like]")
        ours_plain[key] = value

    return ConfigFile(
        path=path,
        main=plain,
        main_inherit=parse_inherit(main.get("inherit"), where=f"{path}: [tool.cibuildwheel]"),
        linux=linux,
        linux_inherit=parse_inherit(
            linux_raw.get("inherit"), where=f"{path}: [tool.cibuildwheel.linux]"
        ),
        overrides=_overrides(main.get("overrides"), path=path),
        ours=ours_plain,
        ours_overrides=_overrides(ours.get("overrides"), path=path, table=reg.OURS_TABLE),
        document=document,
    )


def _overrides(raw: Any, *, path: Path, table: str = reg.CIBW_TABLE) -> tuple[Override, ...]:
    """``[[tool.cibuildwheel.overrides]]``, or ours in ``[[tool.cibuildwheel-like.overrides]]``
    (the same rules, for the per-build options of that table)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigurationError(
            f"{path}: {table}.overrides must be an array of tables"
            f" ([[{table}.overrides]]), not {_type(raw)}"
        )
    specs = reg.CIBW_FILE_OPTIONS if table == reg.CIBW_TABLE else reg.OURS_FILE_OPTIONS
    known = {s.name for s in specs}
    result: list[Override] = []
    for number, entry in enumerate(raw, start=1):
        where = f"[[{table}.overrides]] #{number}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{path}: {where} must be a table, not {_type(entry)}")
        select = entry.get("select")
        if isinstance(select, list) and all(isinstance(s, str) for s in select):
            select = " ".join(select)
        if not select or not isinstance(select, str):
            raise ConfigurationError(
                f"{path}: {where} has no 'select'; every override needs select = \"PATTERN\""
                " naming the identifiers it applies to (a string or a list of strings)"
            )
        options: dict[str, Any] = {}
        for key, value in entry.items():
            if key in {"select", "inherit"}:
                continue
            _check_key(key, known | {"select", "inherit"}, path=path, where=where)
            spec = reg.spec(key)
            if spec.global_only:
                raise ConfigurationError(
                    f"{path}: {where} sets {key!r}, which applies to the whole run and cannot be"
                    f" overridden per identifier; set it in [{table}] instead"
                )
            _check_type(spec, value, path=path, where=where)
            options[key] = value
        inherit = parse_inherit(entry.get("inherit"), where=f"{path}: {where}")
        result.append(Override(number=number, select=select, options=options, inherit=inherit))
    return tuple(result)


def parse_inherit(
    raw: Any, *, where: str, platform_suffixes: bool = False
) -> dict[str, InheritRule]:
    """``inherit`` as a table {option = rule} or a string "opt; opt2: prepend" (rule: append)."""
    if raw is None or raw == "":
        return {}
    pairs: dict[str, str] = {}
    if isinstance(raw, str):
        for field in split_fields(raw, option=f"{where} inherit"):
            key, sep, first = field[0].partition(":")
            values = ([first] if first else []) + field[1:] if sep else ["append"]
            names = [key] if sep else field
            if len(values) != 1:
                raise ConfigurationError(f"{where}: inherit must give one rule per option")
            pairs.update(dict.fromkeys(names, values[0]))
    elif isinstance(raw, dict):
        for key, value in raw.items():
            if not isinstance(value, str):
                raise ConfigurationError(
                    f'{where}: inherit.{key} = {value!r} must be "none", "append" or "prepend"'
                )
            pairs[key] = value
    else:
        raise ConfigurationError(f"{where}: inherit must be a table or a string, not {_type(raw)}")
    known = {s.name for s in reg.CIBW_FILE_OPTIONS}
    if platform_suffixes:  # CIBW_INHERIT may name "before-build-linux" etc.
        known |= {f"{n}-{p}" for n in known for p in reg.PLATFORM_TABLES}
    rules: dict[str, InheritRule] = {}
    for key, value in pairs.items():
        _check_key(key, known, path=None, where=where if platform_suffixes else f"{where} inherit")
        try:
            rules[key] = InheritRule(value)
        except ValueError:
            raise ConfigurationError(
                f'{where}: inherit.{key} = {value!r} is not valid; use "none", "append"'
                ' or "prepend"'
            ) from None
    return rules


def _check_key(key: str, allowed: set[str], *, path: Path | None, where: str) -> None:
    if key in allowed:
        return
    prefix = f"{path}: " if path else ""
    message = f"{prefix}{where}: unknown option {key!r}."
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.7)
    if key in RETIRED_KEYS:
        message += f" It was removed in cibuildwheel 3: {RETIRED_KEYS[key]}."
    elif close:
        message += f" Did you mean {close[0]!r}?"
    raise ConfigurationError(message)


def _table(value: Any, *, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigurationError(f"{path}: {where} must be a table, not {_type(value)}")
    return value


def _type(value: Any) -> str:
    match value:
        case bool():
            return f"a boolean ({str(value).lower()})"
        case int() | float():
            return f"a number ({value})"
        case str():
            return f"a string ({value!r})"
        case list():
            return "an array"
        case dict():
            return "a table"
    return type(value).__name__


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_SCALAR = (str, int, float, bool)


def _check_type(spec: reg.OptionSpec, value: Any, *, path: Path, where: str) -> None:
    ok: bool
    expected: str
    match spec.kind:
        case "words" | "quoted-words" | "comma-list" | "command":
            ok = isinstance(value, str) or _is_str_list(value)
            expected = "a string or an array of strings"
        case "environment":
            ok = isinstance(value, str) or (
                isinstance(value, dict) and all(isinstance(v, _SCALAR) for v in value.values())
            )
            expected = "a string or a table of strings"
        case "key-value" | "structured":
            ok = isinstance(value, str) or (
                isinstance(value, dict)
                and all(isinstance(v, _SCALAR) or _is_str_list(v) for v in value.values())
            )
            expected = "a string or a table"
        case "string":
            ok = isinstance(value, str)
            expected = "a string"
        case "int":
            # cibuildwheel applies int() to the value, so "2" works there: accept it too
            ok = (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, str) and value.strip().lstrip("+-").isdigit()
            )
            lo, hi = spec.int_range or (-(2**31), 2**31)
            expected = f"an integer from {lo} to {hi}"
        case "bool":
            ok = isinstance(value, bool)
            expected = "true or false"
        case "choice":
            ok = value in spec.choices
            expected = " or ".join(f'"{c}"' for c in spec.choices)
        case "jobs":
            ok = value == "auto" or (
                (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
                or (isinstance(value, str) and value.isdigit() and int(value) >= 1)
            )
            expected = '"auto" or a positive integer such as 2'
        case "minutes":
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) or isinstance(
                value, str
            )
            expected = "a number of minutes such as 30 or 0.5 (or a string of one)"
    if not ok:
        raise ConfigurationError(
            f"{path}: {where}: {spec.name} = {_type(value)} is not valid; expected {expected}"
        )
    if spec.kind == "structured" and isinstance(value, dict):
        _check_structured_table(spec, value, path=path, where=where)


_TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "build-frontend": ("name", "args"),
    "container-engine": (
        "name",
        "create-args",
        "create_args",
        "disable-host-mount",
        "disable_host_mount",
    ),
    "dependency-versions": ("file", "packages"),
    "test-runtime": ("args",),
}


def _check_structured_table(
    spec: reg.OptionSpec, value: dict[str, Any], *, path: Path, where: str
) -> None:
    fields = _TABLE_FIELDS.get(spec.name)
    if fields is None:  # xbuild-files: any keys
        return
    for key in value:
        if key not in fields:
            _check_key(key, set(fields), path=path, where=f"{where}: {spec.name}")
    if "name" in fields and "name" not in value:
        raise ConfigurationError(f"{path}: {where}: {spec.name} table needs a 'name' key")
