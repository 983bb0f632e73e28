from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.options import image_choice as images
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options.config_file import load_config

if TYPE_CHECKING:
    from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

# The keys of cibuildwheel 4.3.5's resources/defaults.toml [tool.cibuildwheel] (without the
# platform tables), transcribed: every one must be a known key of ours.
CIBW_435_KEYS = {
    "build", "skip", "test-skip", "enable", "archs", "audit-requires", "audit-command",
    "build-frontend", "config-settings", "dependency-versions", "environment",
    "environment-pass", "build-verbosity", "before-all", "before-build", "xbuild-tools",
    "repair-wheel-command", "test-command", "before-test", "test-sources", "test-requires",
    "test-extras", "test-groups", "test-environment", "test-runtime", "container-engine",
    "pyodide-version", "xbuild-files",
    "manylinux-x86_64-image", "manylinux-i686-image", "manylinux-aarch64-image",
    "manylinux-ppc64le-image", "manylinux-s390x-image", "manylinux-armv7l-image",
    "manylinux-riscv64-image", "manylinux-pypy_x86_64-image", "manylinux-pypy_i686-image",
    "manylinux-pypy_aarch64-image",
    "musllinux-x86_64-image", "musllinux-i686-image", "musllinux-aarch64-image",
    "musllinux-ppc64le-image", "musllinux-s390x-image", "musllinux-armv7l-image",
    "musllinux-riscv64-image",
}  # fmt: skip

ENV_ONLY = {
    "CIBW_PLATFORM", "CIBW_OUTPUT_DIR", "CIBW_ALLOW_EMPTY", "CIBW_DEBUG_TRACEBACK",
    "CIBW_PROJECT_REQUIRES_PYTHON", "CIBW_DEBUG_KEEP_CONTAINER", "CIBW_CACHE_PATH",
    "CIBW_LOG_FOLD_MODE", "CIBWL_SHARD",
}  # fmt: skip
OURS_ENV_ONLY = {"shard"}  # per CI job, not per project: no [tool.cibuildwheel-like] key


def test_every_cibuildwheel_key_is_declared_once() -> None:
    names = [s.name for s in reg.OPTIONS]
    assert len(names) == len(set(names))
    assert {s.name for s in reg.CIBW_FILE_OPTIONS} == CIBW_435_KEYS


def test_env_only_options() -> None:
    env_only = {s.env_var for s in reg.OPTIONS if s.env_only}
    assert env_only == ENV_ONLY
    assert all(s.toml_table == "" and s.platform_env_var is None for s in reg.OPTIONS if s.env_only)


def test_env_var_names_follow_cibuildwheel_rule() -> None:
    for spec in reg.OPTIONS:
        ours = spec.toml_table == reg.OURS_TABLE or spec.name in OURS_ENV_ONLY
        prefix = "CIBWL_" if ours else "CIBW_"
        assert spec.env_var == prefix + spec.name.upper().replace("-", "_")


def test_global_only_options() -> None:
    assert {s.name for s in reg.OPTIONS if s.global_only} == {
        "build", "skip", "test-skip", "enable", "archs", "jobs", "cache", "keep-going", "ca-bundle",
        "container-tmp",
    }  # fmt: skip


def test_options_without_platform_variant_as_cibuildwheel() -> None:
    # cibuildwheel reads these with env_plat=False: CIBW_BUILD_LINUX etc. are ignored
    no_plat = {s.name for s in reg.CIBW_FILE_OPTIONS if s.platform_env_var is None}
    assert no_plat == {"build", "skip", "test-skip", "enable", "build-frontend", "pyodide-version"}
    assert reg.spec("archs").platform_env_var == "CIBW_ARCHS_LINUX"


def test_image_option_defaults_match_the_image_table() -> None:
    ours = {
        s.name: s.default
        for s in reg.OPTIONS
        if s.name.endswith("-image") and s.toml_table == reg.CIBW_TABLE
    }
    assert ours == dict(images.image_option_defaults())


def test_our_options() -> None:
    spec = reg.spec("emulated-tests")
    assert spec.toml_table == "tool.cibuildwheel-like"
    assert spec.env_var == "CIBWL_EMULATED_TESTS"
    assert spec.default == "full"
    assert spec.choices == ("full", "smoke", "skip")
    assert reg.spec("jobs").env_var == "CIBWL_JOBS"
    assert reg.spec("jobs").default == "auto"
    assert reg.spec("cache").env_var == "CIBWL_CACHE"
    assert reg.spec("cache").default is True
    installer = reg.spec("test-installer")
    assert installer.env_var == "CIBWL_TEST_INSTALLER"
    assert installer.choices == ("auto", "pip", "uv")
    assert not installer.global_only


def test_non_linux_options_are_marked() -> None:
    ignored = {s.name for s in reg.OPTIONS if not s.linux}
    assert ignored == {
        "xbuild-tools", "xbuild-files", "pyodide-version", "test-runtime",
    }  # fmt: skip


@pytest.mark.parametrize("spec", reg.OPTIONS, ids=lambda s: s.name)
def test_help_and_example(spec: reg.OptionSpec, tmp_path: Path) -> None:
    assert spec.help.strip()
    assert spec.help[0].isupper()
    assert spec.example
    if spec.env_only:
        return
    # the example is a valid TOML value that the config reader accepts for this key
    table = "tool.cibuildwheel" if spec.toml_table == reg.CIBW_TABLE else "tool.cibuildwheel-like"
    text = f'[{table}]\n"{spec.name}" = {spec.example}\n'
    tomllib.loads(text)
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    load_config(path)


@pytest.mark.parametrize("spec", reg.OPTIONS, ids=lambda s: s.name)
def test_default_is_accepted_by_the_reader(spec: reg.OptionSpec, tmp_path: Path) -> None:
    if spec.env_only or spec.default == ["\u0000"]:
        return
    table = "tool.cibuildwheel" if spec.toml_table == reg.CIBW_TABLE else "tool.cibuildwheel-like"
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[{table}]\n")
    with path.open("a") as f:
        value = spec.default
        rendered = (
            "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + "}"
            if isinstance(value, dict)
            else json.dumps(value)
        )
        f.write(f'"{spec.name}" = {rendered}\n')
    load_config(path)
