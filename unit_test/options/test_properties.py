"""Property-based tests (hypothesis): whatever the input, the environment parser, the selectors
and the config reader (file, environment variables, cascade, resolver) give a value or a clean
ConfigurationError (a DeprecationError for removed names), never another exception.

Bounded for the unit suite: a fixed number of examples per test (about 2,200 in all, ~15 s on
an idle 2-core machine), a generous per-example deadline for a loaded machine, no example
database on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.options.resolver import CliValues, resolve_options
from cibuildwheel_like.options.selector import (
    BuildSelector,
    EnableGroup,
    TestSelector,
    check_build_selector,
    expand_selector,
    parse_enable,
    selector_matches,
)

CLEAN = (ConfigurationError, DeprecationError)


# Deeper searches by hand: CIBWL_HYPOTHESIS_SCALE=20 runs twenty times as many examples.
SCALE = float(os.environ.get("CIBWL_HYPOTHESIS_SCALE", "1"))


def bounded(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=timedelta(seconds=5),
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def pieces(*fragments: str) -> st.SearchStrategy[str]:
    """Text made of meaningful fragments and a little arbitrary text."""
    return st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=3)), max_size=12).map(
        "".join
    )


# -- the environment parser -------------------------------------------------------------------
ENV_TEXT = pieces(
    "A", "B_2", "PATH", "=", " ", "\t", "\n", '"', "'", "\\", "$", "$A", "${A}", "${A:-x}",
    "${#A}", "$(", ")", "`", "echo", " x", ";", "&&", "||", "|", ">", "<", "$((1+2))", "~",
    "{", "}", "(", "#", "!", "*", "-", "1", "=$(echo hi)", "<(ls)", "if", "then", "fi", "é",
)  # fmt: skip


def fake_executor(argv: Any, env: Any) -> str:
    return " ".join(argv) + "\n"


def check_environment(text: str) -> None:
    try:
        parsed = parse_environment(text, option="environment")
    except CLEAN:
        return
    env = parsed.evaluate({"A": "a", "PATH": "/bin"}, fake_executor)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
    # what was accepted parses again from its own string form
    parse_environment(parsed.as_string(), option="environment")


@bounded(800)
@given(ENV_TEXT)
def test_environment_parser_gives_a_value_or_a_clean_error(text: str):
    check_environment(text)


@bounded(400)
@given(st.text(max_size=40))
def test_environment_parser_on_arbitrary_text(text: str):
    check_environment(text)


# -- the selectors ----------------------------------------------------------------------------
SELECTOR_TEXT = pieces(
    "cp311", "cp3{10,11}", "pp", "*", "?", "-", "_", "manylinux", "x86_64", "{", "}", ",",
    "[", "]", "[!a]", "{1..3}", "{a..z}", "{0..2000}", " ", "\\", "cp38", "cp313t", "all",
    "pypy", "graalpy", "cpython-prerelease", "{,}", "{{a,b},c}",
)  # fmt: skip
SAMPLE_IDS = ("cp311-manylinux_x86_64", "pp310-musllinux_aarch64", "cp313t-manylinux_i686")


@bounded(500)
@given(SELECTOR_TEXT, st.frozensets(st.sampled_from(EnableGroup)))
def test_selectors_give_a_value_or_a_clean_error(text: str, enable: frozenset[EnableGroup]):
    try:
        patterns = expand_selector(text, option="build")
    except CLEAN:
        return
    assert all(isinstance(p, str) for p in patterns)
    for identifier in SAMPLE_IDS:
        assert selector_matches(text, identifier) in {True, False}
        assert BuildSelector(build=text, skip=text, requires_python=None, enable=enable)(
            identifier
        ) in {True, False}
        assert TestSelector(skip=text)(identifier) in {True, False}
    with contextlib.suppress(*CLEAN):
        check_build_selector(text, enable=enable, known=SAMPLE_IDS)
    with contextlib.suppress(*CLEAN):
        parse_enable(text)


# -- the config reader: pyproject.toml, environment variables, cascade and resolver ----------
NAMES = [s.name for s in reg.OPTIONS]
SCALARS = st.one_of(
    st.text(max_size=12),
    pieces(*NAMES, "cp311-*", "docker", "podman", "; ", "create_args:", "$(x)", "{", "pinned"),
    st.integers(min_value=-5, max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*NAMES, "name", "args", "file", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)
KEYS = st.one_of(st.sampled_from([*NAMES, "inherit", "select", "overrides"]), st.text(max_size=6))
TABLE = st.dictionaries(KEYS, VALUES, max_size=5)
OVERRIDES = st.lists(
    st.fixed_dictionaries(
        {"select": st.one_of(SELECTOR_TEXT, st.integers())},
        optional={
            "inherit": st.one_of(
                st.dictionaries(
                    st.sampled_from(NAMES), st.sampled_from(["none", "append", "prepend", "x"])
                ),
                SCALARS,
            ),
        },
    ).flatmap(lambda base: TABLE.map(lambda extra: {**extra, **base})),
    max_size=2,
)
DOCUMENT = st.fixed_dictionaries(
    {},
    optional={
        "main": TABLE,
        "linux": TABLE,
        "overrides": OVERRIDES,
        "ours": TABLE,
        "ours_overrides": OVERRIDES,
        "project": st.dictionaries(
            st.sampled_from(["requires-python", "name"]), SCALARS, max_size=2
        ),
    },
)
ENVIRON = st.dictionaries(
    st.sampled_from(
        [s.env_var for s in reg.OPTIONS]
        + [v for s in reg.OPTIONS if (v := s.platform_env_var) is not None]
        + ["CIBW_ENVIRONMENT_PASS_LINUX", "CIBW_CONTAINER_ENGINE", "CIBW_DEPENDENCY_VERSIONS"]
    ),
    st.one_of(
        st.text(max_size=12),
        SELECTOR_TEXT,
        ENV_TEXT,
        st.sampled_from(["\x00", "a\x00b", "~nouser/x", "/", "file:", "1e400", "-1", "auto"]),
    ),
    max_size=4,
)


def toml_value(value: Any) -> str:
    """A TOML value (json.dumps strings are valid TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_table(header: str, table: dict[str, Any]) -> str:
    lines = [header]
    lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def pyproject(document: dict[str, Any]) -> str:
    parts = []
    if "project" in document:
        parts.append(toml_table("[project]", document["project"]))
    for key, header in (
        ("main", "[tool.cibuildwheel]"),
        ("linux", "[tool.cibuildwheel.linux]"),
        ("ours", '[tool."cibuildwheel-like"]'),
    ):
        if key in document:
            parts.append(toml_table(header, document[key]))
    for key, header in (
        ("overrides", "[[tool.cibuildwheel.overrides]]"),
        ("ours_overrides", '[[tool."cibuildwheel-like".overrides]]'),
    ):
        parts += [toml_table(header, table) for table in document.get(key, [])]
    return "".join(parts)


def resolve_everything(text: str, environ: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
        try:
            resolver = resolve_options(
                project_dir=root,
                package_dir=root,
                config_file=None,
                environ=environ,
                cli=CliValues(platform="linux"),
            )
            _ = resolver.globals
            configs = resolver.selected_configurations()[:1]
            for config in configs or [identifiers.all_configurations()[0]]:
                resolver.build_options(config)
                resolver.explain(config)
            resolver.explain(None)
        except CLEAN:
            return


@bounded(300)
@given(DOCUMENT, ENVIRON)
def test_config_reader_gives_a_value_or_a_clean_error(document: dict[str, Any], environ):
    resolve_everything(pyproject(document), environ)


TOML_TEXT = pieces(
    "[tool.cibuildwheel]\n", "[tool.cibuildwheel-like]\n", "[[tool.cibuildwheel.overrides]]\n",
    'build = "cp311-*"\n', "archs = [", "]", "\n", " = ", '"', "'''", "{", "}", "skip",
    "environment", "inherit", "select", "[project]\n", "requires-python", "=", "1", "\\",
)  # fmt: skip


@bounded(200)
@given(TOML_TEXT)
def test_config_reader_on_broken_toml(text: str):
    resolve_everything(text, {})
