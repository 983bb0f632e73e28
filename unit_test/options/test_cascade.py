from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.cascade import Cascade
from cibuildwheel_like.options.config_file import ConfigFile, load_config

if TYPE_CHECKING:
    from pathlib import Path

ID = "cp312-manylinux_x86_64"


def cascade(
    tmp_path: Path,
    text: str = "",
    env: dict[str, str] | None = None,
    cli: dict[str, str] | None = None,
) -> Cascade:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return Cascade(config=load_config(path), environ=env or {}, cli=cli or {})


FULL = """
[tool.cibuildwheel]
before-build = "main"
[tool.cibuildwheel.linux]
before-build = "linux"
[[tool.cibuildwheel.overrides]]
select = "cp312-*"
before-build = "override1"
[[tool.cibuildwheel.overrides]]
select = "cp3{11,12}-*"
before-build = "override2"
[[tool.cibuildwheel.overrides]]
select = "gp*"
before-build = "not matching"
"""


def test_default_layer(tmp_path: Path) -> None:
    resolved = cascade(tmp_path).resolve("repair-wheel-command", ID)
    assert resolved.value == "auditwheel repair -w {dest_dir} {wheel}"
    assert resolved.layer == "default"


@pytest.mark.parametrize(
    ("env", "identifier", "value", "layer"),
    [
        ({}, None, "linux", "pyproject [linux]"),
        ({}, "pp311-manylinux_x86_64", "linux", "pyproject [linux]"),
        ({}, "cp311-manylinux_x86_64", "override2", "override #2"),
        ({}, ID, "override2", "override #2"),  # later matching overrides win
        ({"CIBW_BEFORE_BUILD": "env"}, ID, "env", "env CIBW_BEFORE_BUILD"),
        (
            {"CIBW_BEFORE_BUILD": "env", "CIBW_BEFORE_BUILD_LINUX": "envlinux"},
            ID,
            "envlinux",
            "env CIBW_BEFORE_BUILD_LINUX",
        ),
        ({"CIBW_BEFORE_BUILD_LINUX": "envlinux"}, None, "envlinux", "env CIBW_BEFORE_BUILD_LINUX"),
        ({"CIBW_BEFORE_BUILD_MACOS": "mac"}, ID, "override2", "override #2"),
    ],
)
def test_precedence_of_each_layer(
    tmp_path: Path, env: dict[str, str], identifier: str | None, value: str, layer: str
) -> None:
    resolved = cascade(tmp_path, FULL, env).resolve("before-build", identifier)
    assert (resolved.value, resolved.layer) == (value, layer)


def test_pyproject_main_layer(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\ntest-command = "pytest"\n'
    resolved = cascade(tmp_path, text).resolve("test-command", ID)
    assert (resolved.value, resolved.layer) == ("pytest", "pyproject")


def test_command_line_beats_everything(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\narchs = "aarch64"\n'
    env = {"CIBW_ARCHS": "ppc64le", "CIBW_ARCHS_LINUX": "s390x"}
    c = cascade(tmp_path, text, env, cli={"archs": "i686"})
    assert c.resolve("archs", None).value == "i686"
    assert c.resolve("archs", None).layer == "command line"
    assert cascade(tmp_path, text, env).resolve("archs", None).value == "s390x"


def test_empty_string_still_overrides_normal_options(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nbefore-all = "x"\n'
    resolved = cascade(tmp_path, text, {"CIBW_BEFORE_ALL": ""}).resolve("before-all", ID)
    assert (resolved.value, resolved.layer) == ("", "env CIBW_BEFORE_ALL")


def test_empty_values_are_ignored_for_archs_and_images(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\narchs = "aarch64"\nmanylinux-x86_64-image = "manylinux2014"\n'
    env = {"CIBW_ARCHS": "", "CIBW_MANYLINUX_X86_64_IMAGE": ""}
    c = cascade(tmp_path, text, env)
    assert c.resolve("archs", None).value == "aarch64"
    assert c.resolve("manylinux-x86_64-image", ID).value == "manylinux2014"


@pytest.mark.parametrize("name", ["build", "skip", "test-skip", "enable", "build-frontend"])
def test_options_without_platform_env_variant(tmp_path: Path, name: str) -> None:
    env_name = "CIBW_" + name.upper().replace("-", "_") + "_LINUX"
    resolved = cascade(tmp_path, "", {env_name: "pip"}).resolve(name, ID)
    assert resolved.layer == "default"


def test_global_only_options_ignore_identifier(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nbuild = "cp3*"\n[tool.cibuildwheel.linux]\nskip = "*musl*"\n'
    c = cascade(tmp_path, text)
    assert c.resolve("build", ID).value == "cp3*"
    assert c.resolve("skip", None).value == "*musl*"  # the linux table may set selectors


def test_list_values_join_by_kind(tmp_path: Path) -> None:
    text = """
[tool.cibuildwheel]
before-all = ["a", "b c"]
test-requires = ["pytest", "numpy >=2"]
test-extras = ["test", "fast"]
build = ["cp311-*", "cp312-*"]
environment = { A = "1", B = "$A two" }
config-settings = { "key" = "v w", multi = ["1", "2"] }
build-frontend = { name = "build", args = ["--no-isolation", "-x y"] }
container-engine = { name = "podman", create-args = ["--net=host"], disable-host-mount = true }
"""
    c = cascade(tmp_path, text)
    assert c.resolve("before-all", ID).value == "a && b c"
    assert c.resolve("test-requires", ID).value == "pytest 'numpy >=2'"
    assert c.resolve("test-extras", ID).value == "test,fast"
    assert c.resolve("build", None).value == "cp311-* cp312-*"
    assert c.resolve("environment", ID).value == 'A="1" B="$A two"'
    assert c.resolve("config-settings", ID).value == "key='v w' multi=1 multi=2"
    assert c.resolve("build-frontend", ID).value == "name:build; args:--no-isolation; args:'-x y'"
    assert (
        c.resolve("container-engine", ID).value
        == "name:podman; create-args:--net=host; disable-host-mount:True"
    )


INHERIT = """
[tool.cibuildwheel]
before-all = "main"
environment = { A = "1" }
test-requires = "pytest"
config-settings = { a = "1", b = "2" }
[[tool.cibuildwheel.overrides]]
select = "cp312-*"
inherit.before-all = "append"
inherit.environment = "prepend"
inherit.test-requires = "none"
inherit.config-settings = "append"
before-all = "over"
environment = { B = "2" }
test-requires = "numpy"
config-settings = { b = "3", c = "4" }
"""


def test_inherit_modes(tmp_path: Path) -> None:
    c = cascade(tmp_path, INHERIT)
    before_all = c.resolve("before-all", ID)
    assert before_all.value == "main && over"
    assert before_all.layers == ("pyproject", "override #1")
    assert c.resolve("environment", ID).value == 'B="2" A="1"'
    assert c.resolve("test-requires", ID).value == "numpy"
    assert c.resolve("config-settings", ID).value == "a=1 b=3 c=4"  # later keys replace
    assert c.resolve("before-all", "cp311-manylinux_x86_64").value == "main"


def test_inherit_onto_empty_and_default_values(tmp_path: Path) -> None:
    text = """
[tool.cibuildwheel]
repair-wheel-command = "check {wheel}"
inherit.repair-wheel-command = "append"
[[tool.cibuildwheel.overrides]]
select = "*"
inherit.before-build = "prepend"
before-build = "only"
"""
    c = cascade(tmp_path, text)
    assert c.resolve("repair-wheel-command", ID).value == (
        "auditwheel repair -w {dest_dir} {wheel} && check {wheel}"
    )
    resolved = c.resolve("before-build", ID)
    assert (resolved.value, resolved.layers) == ("only", ("override #1",))


def test_inherit_of_a_scalar_option_is_refused(tmp_path: Path) -> None:
    text = """
[[tool.cibuildwheel.overrides]]
select = "*"
inherit.build-verbosity = "append"
build-verbosity = 1
"""
    with pytest.raises(ConfigurationError, match="inherit for 'build-verbosity' is not supported"):
        cascade(tmp_path, text).resolve("build-verbosity", ID)


def test_linux_table_inherit(tmp_path: Path) -> None:
    text = """
[tool.cibuildwheel]
test-command = "one"
[tool.cibuildwheel.linux]
inherit.test-command = "append"
test-command = ["two", "three"]
"""
    assert cascade(tmp_path, text).resolve("test-command", ID).value == "one && two && three"


def test_enable_from_environment_adds_to_file(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nenable = ["pypy"]\n'
    resolved = cascade(tmp_path, text, {"CIBW_ENABLE": "graalpy"}).resolve("enable", None)
    assert resolved.value == "pypy graalpy"
    assert resolved.layers == ("pyproject", "env CIBW_ENABLE")


def test_cibw_inherit_environment_variable(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nbefore-build = "file"\ntest-command = "t"\n'
    env = {
        "CIBW_INHERIT": "before-build; test-command-linux: prepend",
        "CIBW_BEFORE_BUILD": "env",
        "CIBW_TEST_COMMAND_LINUX": "first",
    }
    c = cascade(tmp_path, text, env)
    assert c.resolve("before-build", ID).value == "file && env"
    assert c.resolve("test-command", ID).value == "first && t"


def test_cibw_inherit_errors_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"CIBW_INHERIT.*Did you mean 'before-build'"):
        cascade(tmp_path, "", {"CIBW_INHERIT": "before-buil"}).resolve("before-build", ID)


def test_our_option_layers(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel-like]\nemulated-tests = "smoke"\n'
    assert cascade(tmp_path, text).resolve("emulated-tests", ID).layer == "pyproject"
    resolved = cascade(tmp_path, text, {"CIBWL_EMULATED_TESTS": "skip"}).resolve(
        "emulated-tests", ID
    )
    assert (resolved.value, resolved.layer) == ("skip", "env CIBWL_EMULATED_TESTS")


def test_no_config_file(tmp_path: Path) -> None:
    c = Cascade(config=ConfigFile(path=None), environ={"CIBW_BUILD": "cp313-*"})
    assert c.resolve("build", None).value == "cp313-*"
    assert c.resolve("build-verbosity", ID).value == "0"


def test_override_selector_uses_brace_expansion_and_fnmatch(tmp_path: Path) -> None:
    text = """
[[tool.cibuildwheel.overrides]]
select = "cp3{11,13}-musllinux_* *-manylinux_aarch64"
test-command = "hit"
"""
    c = cascade(tmp_path, text)
    assert c.resolve("test-command", "cp313-musllinux_x86_64").value == "hit"
    assert c.resolve("test-command", "cp312-manylinux_aarch64").value == "hit"
    assert c.resolve("test-command", "cp312-musllinux_x86_64").value == ""
    assert c.resolve("test-command", "CP313-musllinux_x86_64").value == ""  # case-sensitive
