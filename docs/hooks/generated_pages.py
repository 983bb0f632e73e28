"""mkdocs hook: pages generated from the code at build time, so the docs cannot drift from it.

- ``options.md``: every option of ``cibuildwheel_like.options.registry.OPTIONS`` with its TOML
  key, environment variable, default, value kind and example.
- ``build-report.schema.json``: the shipped JSON Schema of the build report, for download.

Run directly (``python docs/hooks/generated_pages.py``) to print the options page.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

SECTIONS = (
    ("global", "Global options", "Read once for the whole run; overrides cannot set them."),
    (
        "per-build",
        "Per-build options",
        (
            "May differ per identifier through `[[tool.cibuildwheel.overrides]]`, and be set for"
            " Linux only in `[tool.cibuildwheel.linux]` or with the `_LINUX` suffix on the"
            " environment variable."
        ),
    ),
    (
        "cibuildwheel-like",
        "Options only cibuildwheel-like has",
        (
            "Kept in `[tool.cibuildwheel-like]` and `CIBWL_*` so that the same `pyproject.toml`"
            " still works with cibuildwheel, which ignores them."
        ),
    ),
    (
        "environment-only",
        "Environment-only settings",
        "Read from the environment (or the command line) only, as in cibuildwheel.",
    ),
    (
        "compatibility",
        "Accepted for compatibility",
        (
            "Options of cibuildwheel for other platforms or steps: read and validated so that a"
            " cibuildwheel configuration works unchanged, but they have no effect on Linux builds."
        ),
    ),
)


def toml_value(value: Any) -> str:
    """A Python value as a TOML literal (the subset option values use)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not representable in TOML: {value!r}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = (f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }" if value else "{}"
    if isinstance(value, Iterable):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if value is None:
        return '""'
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _section(option: Any) -> str:
    if not getattr(option, "linux", True):
        return "compatibility"
    if option.env_only:
        return "environment-only"
    if option.toml_table != "tool.cibuildwheel":
        return "cibuildwheel-like"
    return "global" if option.global_only else "per-build"


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def parse_toml_value(text: str) -> Any:
    """The value a TOML literal such as ``'["x86_64", "aarch64"]'`` stands for."""
    return tomllib.loads(f"v = {text}")["v"]


def _example_block(option: Any) -> list[str]:
    """The registry's ``example`` is a TOML value literal; non-strings are written as TOML."""
    example = option.example
    if example is None or example == "":
        return []
    literal = example if isinstance(example, str) else toml_value(example)
    if option.env_only:
        try:
            value = parse_toml_value(literal)
        except tomllib.TOMLDecodeError:
            value = literal  # a bare shell word such as 1 or /var/cache/x
        shown = value if isinstance(value, str) else literal
        return ["```sh", f"export {option.env_var}={_shell_quote(shown)}", "```"]
    return ["```toml", f"[{option.toml_table}]", f"{_toml_key(option.name)} = {literal}", "```"]


def _shell_quote(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:,=+-]+", value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def _env_names(option: Any) -> list[str]:
    names = [option.env_var] if option.env_var else []
    platform = getattr(option, "platform_env_var", None)
    if platform:
        names.append(platform)
    return names


def _kind_text(option: Any) -> str:
    text = _cell(str(option.kind))
    choices = getattr(option, "choices", ())
    if choices:
        text += ": " + ", ".join(_code(c) for c in choices)
    int_range = getattr(option, "int_range", None)
    if int_range:
        text += f" ({int_range[0]} to {int_range[1]})"
    return text


def _default_text(option: Any) -> str:
    """The default as a code span, or *empty* / *none*."""
    default = option.default
    if default is None or default == ["\u0000"]:  # cibuildwheel's "no value" sentinel
        return "*none*"
    if default in ("", [], {}, ()):
        return "*empty*"
    return _code(toml_value(default))


def render_options_page(options: Iterable[Any]) -> str:
    """The options reference as Markdown: a summary table, then one section per option."""
    options = list(options)
    names = [o.name for o in options]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"options registered twice: {duplicates}")
    lines = [
        "# Options reference",
        "",
        (
            "<!-- Generated from cibuildwheel_like/options_registry.py by docs/hooks/"
            "generated_pages.py at build time; edit the registry, not this page. -->"
        ),
        "",
        (
            "Every option is read exactly as cibuildwheel 4.3.5 reads it. Sources, lowest to"
            " highest precedence: built-in defaults, `[tool.cibuildwheel]`,"
            " `[tool.cibuildwheel.linux]`, each matching `[[tool.cibuildwheel.overrides]]` in file"
            " order, `CIBW_<NAME>`, `CIBW_<NAME>_LINUX`, then the command line. Run"
            " `cibuildwheel-like plan` to see the value each identifier ends up with and where it"
            " came from."
        ),
        "",
        "| option | TOML key | environment variable | default |",
        "| --- | --- | --- | --- |",
    ]
    for o in options:
        key = "—" if o.env_only else _code(f"[{o.toml_table}] {o.name}")
        env = ", ".join(_code(n) for n in _env_names(o)) or "—"
        lines.append(
            f"| [{_cell(o.name)}](#{_slug(o.name)}) | {key} | {env} | {_default_text(o)} |"
        )
    lines.append("")
    for section, title, intro in SECTIONS:
        members = [o for o in options if _section(o) == section]
        if not members:
            continue
        lines += [f"## {title}", "", intro, ""]
        for o in members:
            lines += _option_entry(o)
    return "\n".join(lines) + "\n"


def _slug(name: str) -> str:
    return re.sub(r"[^\w-]", "", name.strip().lower().replace(" ", "-"))


def _option_entry(o: Any) -> list[str]:
    lines = [f"### {o.name}", "", str(o.help).strip(), "", "| | |", "| --- | --- |"]
    if not o.env_only:
        lines.append(f"| TOML | {_code(f'[{o.toml_table}]')} {_code(o.name)} |")
    envs = _env_names(o)
    if envs:
        lines.append(f"| environment | {', '.join(_code(n) for n in envs)} |")
    lines.append(f"| default | {_default_text(o)} |")
    lines.append(f"| kind | {_kind_text(o)} |")
    scope = "whole run" if o.global_only or o.env_only else "per identifier (overridable)"
    lines += [f"| scope | {scope} |", ""]
    example = _example_block(o)
    if example:
        lines += ["Example:", "", *example, ""]
    return lines


def load_options() -> tuple[Any, ...]:
    from cibuildwheel_like.options.registry import OPTIONS  # noqa: PLC0415  # imported at build time

    return tuple(OPTIONS)


def schema_text() -> str:
    resource = resources.files("cibuildwheel_like") / "resources" / "build-report.schema.json"
    return resource.read_text(encoding="utf-8")


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    from mkdocs.structure.files import File  # noqa: PLC0415  # only when mkdocs runs the hook

    files.append(File.generated(config, "options.md", content=render_options_page(load_options())))
    files.append(File.generated(config, "build-report.schema.json", content=schema_text()))
    return files


if __name__ == "__main__":
    print(render_options_page(load_options()), end="")
