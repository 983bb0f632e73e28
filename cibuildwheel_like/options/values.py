"""Option values: TOML lists/tables to the option's string form, merging, and typed parsing.

Every option's value travels through the cascade as a string (the form its environment variable
takes), exactly as in cibuildwheel: a TOML list or table is first turned into that string by
its kind's rule, and ``inherit = "append" | "prepend"`` joins strings by the same rule.
"""

from __future__ import annotations

import itertools
import math
import shlex
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.model import (
    ENGINE_NAMES,
    ContainerTmp,
    EmulatedTests,
    Emulation,
    EngineConfig,
    EngineName,
    FrontendConfig,
    FrontendName,
    Installer,
    TestContainer,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.options.registry import OptionSpec

_SEPARATORS = {"words": " ", "quoted-words": " ", "comma-list": ",", "command": " && "}
NULL_SENTINEL = "\u0000"  # xbuild-tools' "not set at all" default, as cibuildwheel

FRONTEND_NAMES: tuple[FrontendName, ...] = ("pip", "build", "build[uv]", "uv")
TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
FALSE_WORDS = frozenset({"n", "no", "f", "false", "off", "0"})


def to_string(spec: OptionSpec, value: Any, *, where: str) -> str:
    """The string form of a TOML value for ``spec`` (types were checked by config_files)."""
    if isinstance(value, bool):
        return str(value).lower() if spec.kind == "bool" else str(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return _list_to_string(spec, value, where=where)
    if isinstance(value, dict):
        return _table_to_string(spec, value, where=where)
    raise ConfigurationError(f"{where}: {spec.name} = {value!r} has an unsupported type")


def _list_to_string(spec: OptionSpec, value: list[Any], *, where: str) -> str:
    sep = _SEPARATORS.get(spec.kind)
    if sep is None:
        raise ConfigurationError(f"{where}: {spec.name} does not accept a list (got {value!r})")
    if value == [NULL_SENTINEL]:
        return NULL_SENTINEL
    items = [str(v) for v in value]
    if spec.kind == "quoted-words":
        items = [shlex.quote(v) for v in items]
    return sep.join(items)


def _table_to_string(spec: OptionSpec, table: Mapping[str, Any], *, where: str) -> str:
    match spec.kind:
        case "environment":
            return " ".join(f'{k}="{v}"' for k, v in table.items())
        case "key-value":
            return format_key_values(_table_pairs(spec, table, where=where))
        case "structured":
            pairs = _table_pairs(spec, table, where=where)
            return "; ".join(f"{k}:{shlex.quote(v)}" for k, v in pairs)
        case _:
            raise ConfigurationError(
                f"{where}: {spec.name} does not accept a table (got {dict(table)!r})"
            )


def _table_pairs(
    spec: OptionSpec, table: Mapping[str, Any], *, where: str
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in table.items():
        if shlex.split(key) != [key]:
            raise ConfigurationError(f"{where}: {spec.name} has an invalid table key {key!r}")
        if isinstance(value, list):
            pairs.extend((key, _leaf(v)) for v in value)
        else:
            pairs.append((key, _leaf(value)))
    return pairs


def _leaf(value: Any) -> str:
    return str(value)  # True -> "True", which strtobool-style parsing accepts


def format_key_values(pairs: Sequence[tuple[str, str | None]]) -> str:
    return " ".join(k if v is None else f"{k}={shlex.quote(v)}" for k, v in pairs)


def parse_key_values(
    text: str, *, option: str, allow_bare: bool = False
) -> list[tuple[str, str | None]]:
    """``k=v k2="v 2" flag`` -> [(k, v), (k2, "v 2"), (flag, None)] (config-settings).

    A word without ``=`` (``allow_bare``) is kept as a bare key: cibuildwheel passes each word
    to the frontend as ``-C<word>`` unchanged, and ``build`` reads ``-Cflag`` as flag="".
    """
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ConfigurationError(f"{option}: cannot split {text!r}: {exc}") from None
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep and not allow_bare:
            raise ConfigurationError(
                f"{option}: {word!r} is not a key=value pair (in {text!r}); write {word}= for"
                " an empty value"
            )
        pairs.append((key, value if sep else None))
    return pairs


def merge(spec: OptionSpec, before: str, after: str) -> str:
    """``after`` joined onto ``before`` for inherit="append" (swap the arguments to prepend)."""
    if spec.kind == "key-value":
        if not before:
            return after
        if not after:
            return before
        # bare keys are refused here, as cibuildwheel's merge refuses them ("malformed option")
        option = f"{spec.name} (joined by inherit)"
        merged: dict[str, list[str | None]] = {}
        for key, value in parse_key_values(before, option=option):
            merged.setdefault(key, []).append(value)
        after_pairs: dict[str, list[str | None]] = {}
        for key, value in parse_key_values(after, option=option):
            after_pairs.setdefault(key, []).append(value)
        merged.update(after_pairs)
        return format_key_values([(k, v) for k, vs in merged.items() for v in vs])
    sep = " " if spec.kind == "environment" else _SEPARATORS[spec.kind]
    if not before or before == NULL_SENTINEL:
        return after
    if not after or after == NULL_SENTINEL:
        return before
    return f"{before}{sep}{after}"


# -- "name; key: value ..." strings (build-frontend, container-engine, dependency-versions) --


def split_fields(text: str, *, option: str) -> list[list[str]]:
    """``docker; create_args: --a --b`` -> [["docker"], ["create_args:", "--a", "--b"]]."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";")
    lexer.commenters = ""
    lexer.whitespace_split = True
    try:
        parts = list(lexer)
    except ValueError as exc:
        raise ConfigurationError(f"{option}: cannot split {text!r}: {exc}") from None
    return [list(g) for is_sep, g in itertools.groupby(parts, lambda p: p == ";") if not is_sep]


def parse_fields(
    text: str, *, option: str, positional: Sequence[str], keywords: Sequence[str]
) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for index, field in enumerate(split_fields(text, option=option)):
        key, sep, first = field[0].partition(":")
        if sep:
            if key not in (*positional, *keywords):
                valid = ", ".join(f"{k}:" for k in keywords)
                raise ConfigurationError(
                    f"{option}: unknown field {key!r} in {text!r}; valid fields: {valid}"
                )
            values = ([first] if first else []) + field[1:]
        else:
            if not positional:
                valid = " or ".join(f"'{k}: ...'" for k in keywords)
                raise ConfigurationError(f"{option}: {field[0]!r} in {text!r} should be {valid}")
            if index >= len(positional):
                raise ConfigurationError(
                    f"{option}: {text!r} has too many positional parts; expected at most"
                    f" {len(positional)} (write 'key: value' after ';')"
                )
            key, values = positional[index], field
        result.setdefault(key, []).extend(values)
    return result


def parse_frontend(text: str, *, option: str = "build-frontend") -> FrontendConfig:
    if not text or text == "default":
        return FrontendConfig(name="build")
    fields = parse_fields(text, option=option, positional=["name"], keywords=["args"])
    name = " ".join(fields.get("name", []))
    if name not in FRONTEND_NAMES:
        hint = (
            " (pyodide-build is only for the pyodide platform)" if name == "pyodide-build" else ""
        )
        valid = ", ".join(repr(n) for n in FRONTEND_NAMES)
        raise ConfigurationError(f"{option}: unknown build frontend {name!r}{hint}; use {valid}")
    return FrontendConfig(name=name, args=tuple(fields.get("args", [])))


def parse_engine_name(text: str, *, option: str) -> EngineName:
    """The one parser of the engine vocabulary (``container-engine``'s name, ``--engine``)."""
    for name in ENGINE_NAMES:
        if text == name:
            return name
    valid = " or ".join(repr(n) for n in ENGINE_NAMES)
    raise ConfigurationError(f"{option}: unknown container engine {text!r}; use {valid}")


def parse_engine(text: str, *, option: str = "container-engine") -> EngineConfig:
    keywords = ["create_args", "create-args", "disable_host_mount", "disable-host-mount"]
    fields = parse_fields(text, option=option, positional=["name"], keywords=keywords)
    name = parse_engine_name(" ".join(fields.get("name", [])), option=option)
    create_args = fields.get("create_args") or fields.get("create-args") or []
    mount = fields.get("disable_host_mount") or fields.get("disable-host-mount") or []
    # --platform is chosen per arch by cibuildwheel-like; cibuildwheel drops it with a warning
    cleaned: list[str] = []
    skip_next = False
    for arg in create_args:
        if skip_next:
            skip_next = False
            continue
        if arg == "--platform":
            skip_next = True
            continue
        if arg.startswith("--platform="):
            continue
        cleaned.append(arg)
    return EngineConfig(
        name=name,
        create_args=tuple(cleaned),
        disable_host_mount=bool(mount) and mount[-1].lower() in TRUE_WORDS,
    )


def parse_verbosity(text: str, *, option: str = "build-verbosity") -> int:
    try:
        level = int(text)
    except ValueError:
        raise ConfigurationError(
            f"{option}: {text!r} is not an integer; use a level from -3 to 3"
        ) from None
    return min(3, max(-3, level))


def parse_emulated_tests(value: str) -> EmulatedTests:
    """CIBWL_EMULATED_TESTS / emulated-tests: full, smoke or skip."""
    match value:
        case "full" | "smoke" | "skip":
            return value
    spec = reg.spec("emulated-tests")
    raise ConfigurationError(
        f"emulated-tests ({spec.env_var}) = {value!r} is not valid;"
        f" use one of {', '.join(spec.choices)}"
    )


def parse_installer(value: str, *, option: str) -> Installer:
    """test-installer / build-installer (CIBWL_TEST_INSTALLER, CIBWL_BUILD_INSTALLER): auto,
    pip or uv."""
    match value:
        case "auto" | "pip" | "uv":
            return value
    raise _not_a_choice("test-installer", value, option=option)


def parse_test_container(value: str, *, option: str = "test-container") -> TestContainer:
    """test-container / CIBWL_TEST_CONTAINER: build or fresh."""
    match value:
        case "build" | "fresh":
            return value
    raise _not_a_choice(
        "test-container",
        value,
        option=option,
        why="fresh tests each wheel in a new container that never ran before-all or before-build",
    )


def parse_emulation(value: str, *, option: str = "emulation") -> Emulation:
    """emulation / CIBWL_EMULATION: emulate, cross or auto."""
    match value:
        case "emulate" | "cross" | "auto":
            return value
    raise _not_a_choice(
        "emulation",
        value,
        option=option,
        why="cross compiles foreign-arch wheels on this machine, auto where it can",
    )


def parse_container_tmp(value: str, *, option: str = "container-tmp") -> ContainerTmp:
    """container-tmp / CIBWL_CONTAINER_TMP: memory or disk."""
    match value:
        case "memory" | "disk":
            return value
    raise _not_a_choice(
        "container-tmp",
        value,
        option=option,
        why="disk keeps the image's own /tmp, for builds that write more there than memory holds",
    )


def _not_a_choice(name: str, value: str, *, option: str, why: str = "") -> ConfigurationError:
    """The error for a value that is none of option ``name``'s registered choices."""
    choices = ", ".join(reg.spec(name).choices)
    return ConfigurationError(
        f"{option} = {value!r} is not valid; use one of {choices}" + (f" ({why})" if why else "")
    )


def parse_jobs(value: str, *, option: str = "jobs") -> int | None:
    """jobs / CIBWL_JOBS / --jobs: "auto" (None: the CPU count) or a positive integer."""
    text = value.strip()
    if text in {"", "auto"}:
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ConfigurationError(
        f"{option} = {value!r} is not valid; use auto (one container per CPU) or a positive"
        " integer such as 2 (1 builds one identifier after another)"
    )


def parse_switch(value: str, *, option: str) -> bool:
    """A strict boolean for our own switches (cache / CIBWL_CACHE): a typo is exit 2, not off."""
    text = value.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ConfigurationError(
        f"{option} = {value!r} is not valid; use true or false (also 1/0, yes/no, on/off)"
    )


def parse_bool(text: str) -> bool:
    return text.strip().lower() in TRUE_WORDS


def split_words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def split_quoted(text: str, *, option: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        raise ConfigurationError(f"{option}: cannot split {text!r}: {exc}") from None


def parse_minutes(value: str, *, option: str) -> float | None:
    """build-timeout / test-timeout: a positive, finite number of minutes (fractions allowed);
    empty or "none": no limit. Returned in minutes, as written."""
    text = value.strip()
    if text.lower() in {"", "none"}:
        return None
    try:
        minutes = float(text)
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes) or minutes <= 0:
        raise ConfigurationError(
            f"{option} = {value!r} is not valid; use a positive number of minutes such as 30 or"
            " 0.5, or leave it empty for no limit"
        )
    return minutes
