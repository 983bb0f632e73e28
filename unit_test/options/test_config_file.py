from __future__ import annotations

from pathlib import Path

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.config_file import (
    InheritRule,
    load_config,
    locate_config_file,
    parse_inherit,
)


def write(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as info:
        load_config(path)
    assert info.value.exit_code == 2
    message = str(info.value)
    assert str(path) in message or "inherit" in message
    return message


# -- locating the file -------------------------------------------------------------------------


def test_default_is_package_pyproject(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    assert locate_config_file(project_dir=tmp_path, package_dir=package, config_file=None) is None
    write(tmp_path, "")  # the project's own pyproject is not the package's
    assert locate_config_file(project_dir=tmp_path, package_dir=package, config_file=None) is None
    write(package, "")
    found = locate_config_file(project_dir=tmp_path, package_dir=package, config_file=None)
    assert found == package / "pyproject.toml"


def test_config_file_with_package_placeholder(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    write(package, "", name="ci.toml")
    found = locate_config_file(
        project_dir=tmp_path, package_dir=package, config_file=Path("{package}/ci.toml")
    )
    assert found == package / "ci.toml"


def test_relative_config_file_is_relative_to_project(tmp_path: Path) -> None:
    write(tmp_path, "", name="ci.toml")
    found = locate_config_file(
        project_dir=tmp_path, package_dir=tmp_path, config_file=Path("ci.toml")
    )
    assert found == tmp_path / "ci.toml"


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"--config-file: .*nope.toml does not exist"):
        locate_config_file(
            project_dir=tmp_path, package_dir=tmp_path, config_file=Path("nope.toml")
        )


def test_no_file_means_empty_config() -> None:
    config = load_config(None)
    assert config.path is None
    assert not config.main
    assert config.overrides == ()


# -- reading -----------------------------------------------------------------------------------


def test_reads_all_sections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[tool.cibuildwheel]
build = "cp3*"
inherit.before-build = "append"
[tool.cibuildwheel.linux]
before-build = ["a", "b"]
inherit = "test-command; before-test: prepend"
[tool.cibuildwheel.macos]
whatever = "ignored: other platforms are cibuildwheel's business"
[[tool.cibuildwheel.overrides]]
select = ["cp311-*", "cp312-*"]
test-command = "pytest"
[tool.cibuildwheel-like]
emulated-tests = "skip"
""",
    )
    config = load_config(path)
    assert config.main == {"build": "cp3*"}
    assert config.main_inherit == {"before-build": InheritRule.APPEND}
    assert config.linux == {"before-build": ["a", "b"]}
    assert config.linux_inherit == {
        "test-command": InheritRule.APPEND,
        "before-test": InheritRule.PREPEND,
    }
    (override,) = config.overrides
    assert override.number == 1
    assert override.select == "cp311-* cp312-*"
    assert override.options == {"test-command": "pytest"}
    assert config.ours == {"emulated-tests": "skip"}


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[tool.cibuildwheel]\nbuild = "cp311-*\n')
    assert "invalid TOML" in message
    assert "line 2" in message
    assert "column" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('tool = "x"', "[tool] must be a table"),
        ('[tool]\ncibuildwheel = "x"', "[tool.cibuildwheel] must be a table"),
        ("[tool]\ncibuildwheel-like = 3", "[tool.cibuildwheel-like] must be a table"),
        ('[tool.cibuildwheel]\nlinux = "x"', "[tool.cibuildwheel.linux] must be a table"),
    ],
)
def test_tables_must_be_tables(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in error_for(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[tool.cibuildwheel]\nbuild-frontnd = "pip"', "Did you mean 'build-frontend'?"),
        ('[tool.cibuildwheel]\ntest-require = ["pytest"]', "Did you mean 'test-requires'?"),
        ("[tool.cibuildwheel]\ncompletely-unknown = 1", "unknown option 'completely-unknown'."),
        ('[tool.cibuildwheel.linux]\nbefore-al = "x"', "Did you mean 'before-all'?"),
        ('[tool.cibuildwheel-like]\nemulated-test = "x"', "Did you mean 'emulated-tests'?"),
        (
            '[[tool.cibuildwheel.overrides]]\nselect = "*"\ntest-comand = "x"',
            "Did you mean 'test-command'?",
        ),
        ('[tool.cibuildwheel]\nplatform = "linux"', "unknown option 'platform'"),  # env-only
    ],
)
def test_unknown_keys_with_did_you_mean(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in error_for(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('build-verbosity = "loud"', "build-verbosity = a string ('loud') is not valid"),
        ("build-verbosity = true", "expected an integer from -3 to 3"),
        ("build = 3", "build = a number (3) is not valid; expected a string or an array"),
        ("before-all = [1, 2]", "before-all = an array is not valid"),
        ('environment = ["A=1"]', "expected a string or a table"),
        ('manylinux-x86_64-image = ["a"]', "expected a string"),
        ("container-engine = { create-args = [] }", "needs a 'name' key"),
        ('container-engine = { name = "docker", create-arg = [] }', "Did you mean 'create-args'"),
        ('build-frontend = { name = "pip", arg = [] }', "Did you mean 'args'"),
        ("config-settings = { a = { b = 1 } }", "config-settings = a table is not valid"),
    ],
)
def test_wrong_value_types(tmp_path: Path, text: str, fragment: str) -> None:
    message = error_for(tmp_path, f"[tool.cibuildwheel]\n{text}\n")
    assert fragment in message
    assert "[tool.cibuildwheel]" in message


def test_integer_as_string_is_accepted_as_cibuildwheel_does(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[tool.cibuildwheel]\nbuild-verbosity = "-2"\n'))
    assert config.main == {"build-verbosity": "-2"}


def test_wrong_choice_for_our_option(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[tool.cibuildwheel-like]\nemulated-tests = "some"\n')
    assert 'expected "full" or "smoke" or "skip"' in message


def test_dependency_versions_refused_in_linux_table(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[tool.cibuildwheel.linux]\ndependency-versions = "latest"\n')
    assert "may not set 'dependency-versions'" in message


# -- overrides ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['test-command = "x"', 'select = ""\ntest-command = "x"', "select = 3", "select = [1]"],
)
def test_override_without_select(tmp_path: Path, body: str) -> None:
    message = error_for(tmp_path, f"[[tool.cibuildwheel.overrides]]\n{body}\n")
    assert "#1 has no 'select'" in message


def test_override_number_in_message(tmp_path: Path) -> None:
    text = (
        '[[tool.cibuildwheel.overrides]]\nselect = "*"\nbefore-all = "a"\n'
        '[[tool.cibuildwheel.overrides]]\nbefore-all = "b"\n'
    )
    assert "[[tool.cibuildwheel.overrides]] #2 has no 'select'" in error_for(tmp_path, text)


@pytest.mark.parametrize("option", ["build", "skip", "test-skip", "enable", "archs"])
def test_override_of_global_only_option(tmp_path: Path, option: str) -> None:
    text = f'[[tool.cibuildwheel.overrides]]\nselect = "cp3*"\n{option} = "x"\n'
    message = error_for(tmp_path, text)
    assert f"sets {option!r}" in message
    assert "cannot be overridden" in message


def test_overrides_must_be_an_array(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[tool.cibuildwheel.overrides]\nselect = "*"\n')
    assert "must be an array of tables" in message


# -- inherit -----------------------------------------------------------------------------------


def test_inherit_string_forms() -> None:
    assert parse_inherit("before-all before-build", where="w") == {
        "before-all": InheritRule.APPEND,
        "before-build": InheritRule.APPEND,
    }
    assert parse_inherit("before-all: prepend; test-command:none", where="w") == {
        "before-all": InheritRule.PREPEND,
        "test-command": InheritRule.NONE,
    }
    assert parse_inherit(None, where="w") == {}
    assert parse_inherit("", where="w") == {}


def test_inherit_platform_suffixes_only_when_allowed() -> None:
    rules = parse_inherit("before-build-linux", where="w", platform_suffixes=True)
    assert rules == {"before-build-linux": InheritRule.APPEND}
    with pytest.raises(ConfigurationError, match="unknown option 'before-build-linux'"):
        parse_inherit("before-build-linux", where="w")


def test_inherit_value_that_is_not_a_rule_is_named(tmp_path: Path) -> None:
    text = (
        '[[tool.cibuildwheel.overrides]]\nselect = "*"\nbefore-all = "x"\n'
        'inherit.before-all = "merge"\n'
    )
    message = error_for(tmp_path, text)
    assert "inherit.before-all = 'merge' is not valid" in message
    assert '"none", "append" or "prepend"' in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[tool.cibuildwheel]\ninherit.before-al = "append"', "Did you mean 'before-all'?"),
        ("[tool.cibuildwheel]\ninherit.before-all = 1", "must be"),
        ("[tool.cibuildwheel]\ninherit = 3", "inherit must be a table or a string"),
        ('[tool.cibuildwheel]\ninherit = "before-all: append prepend"', "one rule per option"),
        ('[tool.cibuildwheel.linux]\ninherit = "before-all: sideways"', "'sideways' is not valid"),
    ],
)
def test_inherit_errors(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in error_for(tmp_path, text)


# -- files that cannot be read as TOML at all ------------------------------------------------

DEEP_ARRAY = "a = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLE = "a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'[tool.cibuildwheel]\nbuild = "cp3\xff"\n', "not UTF-8 (byte 0xff on line 2)"),
        ("[tool.cibuildwheel]\nbuild = 'é'\n".encode("latin-1"), "not UTF-8"),
        (DEEP_ARRAY.encode(), "nested too deeply"),
        (DEEP_TABLE.encode(), "nested too deeply"),
    ],
)
def test_unreadable_toml_is_exit_2_naming_the_file(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError) as info:
        load_config(path)
    assert info.value.exit_code == 2
    assert str(info.value).startswith(f"{path}: invalid TOML: ")
    assert fragment in str(info.value)
