"""Our speed options (issue 10): jobs, cache and test-installer, from every layer, with the
layer recorded and bad values refused (exit 2) naming the option and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.schema import cibuildwheel_like_schema

if TYPE_CHECKING:
    from pathlib import Path

X86 = "cp312-manylinux_x86_64"
I686 = "cp312-manylinux_i686"


def test_defaults(tmp_path: Path) -> None:
    r = resolve_pyproject(tmp_path)
    assert r.globals.jobs is None  # auto
    assert r.globals.cache_enabled is True
    config = identifiers.get_configuration(X86)
    assert config is not None
    assert r.build_options(config).test_installer == "auto"


@pytest.mark.parametrize(
    ("text", "env", "cli", "jobs", "layer"),
    [
        ("[tool.cibuildwheel-like]\njobs = 3\n", {}, {}, 3, "pyproject"),
        ('[tool.cibuildwheel-like]\njobs = "auto"\n', {}, {}, None, "pyproject"),
        ('[tool.cibuildwheel-like]\njobs = "2"\n', {}, {}, 2, "pyproject"),
        ("[tool.cibuildwheel-like]\njobs = 3\n", {"CIBWL_JOBS": "1"}, {}, 1, "env CIBWL_JOBS"),
        ("", {"CIBWL_JOBS": "4"}, {"jobs": "2"}, 2, "command line"),
        ("", {}, {"jobs": "auto"}, None, "command line"),
    ],
)
def test_jobs_layers(
    tmp_path: Path,
    text: str,
    env: dict[str, str],
    cli: dict[str, object],
    jobs: int | None,
    layer: str,
) -> None:
    r = resolve_pyproject(tmp_path, text, env, **cli)
    assert r.globals.jobs == jobs
    assert r.explain(None)["jobs"].layer == layer


@pytest.mark.parametrize(
    ("text", "env", "cli", "fragment"),
    [
        ("", {"CIBWL_JOBS": "0"}, {}, "jobs (from env CIBWL_JOBS) = '0' is not valid"),
        ("", {"CIBWL_JOBS": "many"}, {}, "use auto (one container per CPU) or a positive"),
        ("", {}, {"jobs": "-2"}, "--jobs = '-2' is not valid"),
        ("[tool.cibuildwheel-like]\njobs = 0\n", {}, {}, 'expected "auto" or a positive'),
        ("[tool.cibuildwheel-like]\njobs = true\n", {}, {}, "jobs = a boolean (true)"),
        ("", {"CIBWL_CACHE": "maybe"}, {}, "cache (from env CIBWL_CACHE) = 'maybe'"),
        ('[tool.cibuildwheel-like]\ncache = "no"\n', {}, {}, "expected true or false"),
        ("", {"CIBWL_TEST_INSTALLER": "conda"}, {}, "use one of auto, pip, uv"),
        ('[tool.cibuildwheel-like]\ntest-installer = "x"\n', {}, {}, '"auto" or "pip" or "uv"'),
        (
            '[[tool.cibuildwheel-like.overrides]]\nselect = "*"\njobs = 2\n',
            {},
            {},
            "set it in [tool.cibuildwheel-like] instead",
        ),
        (
            '[[tool.cibuildwheel-like.overrides]]\nselect = "*"\ntest-command = "x"\n',
            {},
            {},
            "unknown option 'test-command'",
        ),
    ],
)
def test_bad_values_exit_2_naming_option_and_fix(
    tmp_path: Path, text: str, env: dict[str, str], cli: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_pyproject(tmp_path, text, env, **cli)
    assert info.value.exit_code == 2
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "env", "cli", "enabled", "layer"),
    [
        ("[tool.cibuildwheel-like]\ncache = false\n", {}, {}, False, "pyproject"),
        ("", {"CIBWL_CACHE": "0"}, {}, False, "env CIBWL_CACHE"),
        ("[tool.cibuildwheel-like]\ncache = false\n", {"CIBWL_CACHE": "yes"}, {}, True, "env"),
        ("", {"CIBWL_CACHE": "1"}, {"no_cache": True}, False, "command line"),
    ],
)
def test_cache_switch(
    tmp_path: Path,
    text: str,
    env: dict[str, str],
    cli: dict[str, object],
    enabled: bool,
    layer: str,
) -> None:
    r = resolve_pyproject(tmp_path, text, env, **cli)
    assert r.globals.cache_enabled is enabled
    assert r.explain(None)["cache"].layer.startswith(layer)


def test_test_installer_per_build_with_overrides(tmp_path: Path) -> None:
    text = (
        '[tool.cibuildwheel-like]\ntest-installer = "pip"\n'
        '[[tool.cibuildwheel-like.overrides]]\nselect = "*-manylinux_i686"\n'
        'test-installer = "uv"\n'
    )
    r = resolve_pyproject(tmp_path, text)
    x86, i686 = identifiers.get_configuration(X86), identifiers.get_configuration(I686)
    assert x86 is not None
    assert i686 is not None
    assert r.build_options(x86).test_installer == "pip"
    assert r.build_options(i686).test_installer == "uv"
    assert r.explain(i686)["test-installer"].layer == "override #1 (cibuildwheel-like)"
    env = {"CIBWL_TEST_INSTALLER": "auto"}
    assert resolve_pyproject(tmp_path, text, env).build_options(i686).test_installer == "auto"


def test_schema_documents_the_new_options() -> None:
    props = cibuildwheel_like_schema()["properties"]
    assert props["test-installer"]["enum"] == ["auto", "pip", "uv"]
    assert props["cache"]["type"] == "boolean"
    assert {"const": "auto"} in props["jobs"]["oneOf"]
    override = props["overrides"]["items"]["properties"]
    assert "test-installer" in override
    assert "jobs" not in override
