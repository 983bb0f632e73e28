from __future__ import annotations

import platform
import re
from pathlib import Path

import pytest
from packaging.version import Version

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.dependency_versions import LATEST, PINNED, ConstraintsFile
from cibuildwheel_like.options.environment import Assignment
from cibuildwheel_like.options.model import EngineConfig, FrontendConfig, PythonConfiguration
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options

linux_only = pytest.mark.skipif(platform.system() != "Linux", reason="auto platform is the host")


def project(tmp_path: Path, text: str = "", requires: str | None = None) -> Path:
    project_section = f'[project]\nname = "x"\nrequires-python = "{requires}"\n' if requires else ""
    (tmp_path / "pyproject.toml").write_text(project_section + text)
    return tmp_path


def resolve(
    tmp_path: Path,
    text: str = "",
    env: dict[str, str] | None = None,
    cli: CliValues | None = None,
    requires: str | None = None,
) -> Resolver:
    root = project(tmp_path, text, requires)
    cli = cli or CliValues(platform="linux")
    return resolve_options(
        project_dir=root, package_dir=root, config_file=cli.config_file, environ=env or {}, cli=cli
    )


def config(identifier: str) -> PythonConfiguration:
    found = identifiers.get_configuration(identifier)
    assert found is not None
    return found


X86 = "cp312-manylinux_x86_64"


def test_defaults(tmp_path: Path) -> None:
    r = resolve(tmp_path)
    g = r.globals
    assert g.build_selector == "*"
    assert g.skip_selector == ""
    assert g.enable == frozenset()
    assert g.archs == frozenset({Arch.native()})
    assert g.output_dir == (Path.cwd() / "wheelhouse")
    assert g.config_file == tmp_path / "pyproject.toml"
    assert g.requires_python is None
    assert not g.allow_empty
    assert not g.debug_keep_container
    b = r.build_options(config(X86))
    assert b.build_frontend == FrontendConfig(name="build")
    assert b.container_engine == EngineConfig(name="docker")
    assert b.repair_wheel_command == "auditwheel repair -w {dest_dir} {wheel}"
    assert b.image.startswith("quay.io/pypa/manylinux_2_28_x86_64@sha256:")
    assert b.dependency_versions == PINNED
    assert b.build_verbosity == 0
    assert b.emulated_tests == "full"
    assert not b.test_skipped


FULL = """
[tool.cibuildwheel]
build = ["cp311-*", "cp312-*"]
skip = "*-musllinux_*"
test-skip = "*-manylinux_aarch64"
archs = ["x86_64", "aarch64"]
build-frontend = "pip; args: --no-build-isolation -v"
config-settings = { "setup-args" = ["-Da=1", "-Db=2"], "k" = "v w" }
environment = { CFLAGS = "-O2", PATH = "$PATH:/opt/bin" }
environment-pass = ["TOKEN", "OTHER"]
before-all = ["yum install -y zlib-devel", "echo done"]
test-command = "pytest {project}/tests"
test-requires = ["pytest", "numpy >=2"]
test-extras = ["test", "speed"]
test-groups = ["dev"]
test-sources = ["tests", "my file.txt"]
test-environment = "PYTHONSAFEPATH=1"
build-verbosity = 9
dependency-versions = "latest"
container-engine = \
  "podman; create_args: --net=host --platform linux/arm64; disable_host_mount: true"

[[tool.cibuildwheel.overrides]]
select = "*-manylinux_aarch64"
manylinux-aarch64-image = "manylinux2014"
build-verbosity = -1

[tool.cibuildwheel-like]
emulated-tests = "smoke"

[dependency-groups]
dev = ["coverage"]
"""


def test_typed_build_options(tmp_path: Path) -> None:
    r = resolve(tmp_path, FULL)
    assert r.globals.archs == frozenset({Arch.x86_64, Arch.aarch64})
    selected = [c.identifier for c in r.selected_configurations()]
    assert selected == [
        "cp311-manylinux_x86_64",
        "cp312-manylinux_x86_64",
        "cp311-manylinux_aarch64",
        "cp312-manylinux_aarch64",
    ]
    b = r.build_options(config(X86))
    assert b.build_frontend == FrontendConfig(name="pip", args=("--no-build-isolation", "-v"))
    assert b.config_settings == (("setup-args", "-Da=1"), ("setup-args", "-Db=2"), ("k", "v w"))
    assert b.environment.assignments == (
        Assignment(name="CFLAGS", value='"-O2"'),
        Assignment(name="PATH", value='"$PATH:/opt/bin"'),
    )
    assert b.environment_pass == ("TOKEN", "OTHER")
    assert b.before_all == "yum install -y zlib-devel && echo done"
    assert b.test_command == "pytest {project}/tests"
    assert b.test_requires == ("pytest", "numpy >=2")
    assert b.test_extras == ("test", "speed")
    assert b.test_groups == ("dev",)
    assert b.test_sources == ("tests", "my file.txt")
    assert b.test_environment.assignments == (Assignment(name="PYTHONSAFEPATH", value="1"),)
    assert b.build_verbosity == 3  # clamped to -3..3, as cibuildwheel
    assert b.dependency_versions == LATEST
    # --platform is chosen per arch by us: dropped from create_args, as cibuildwheel does
    assert b.container_engine == EngineConfig(
        name="podman", create_args=("--net=host",), disable_host_mount=True
    )
    assert b.emulated_tests == "smoke"
    assert not b.test_skipped
    arm = r.build_options(config("cp312-manylinux_aarch64"))
    assert arm.test_skipped
    assert arm.build_verbosity == -1
    assert arm.image.startswith("quay.io/pypa/manylinux2014_aarch64@sha256:")


def test_explain_names_layers(tmp_path: Path) -> None:
    env = {"CIBW_TEST_COMMAND_LINUX": "true", "CIBW_OUTPUT_DIR": "dist"}
    r = resolve(tmp_path, FULL, env)
    explained = r.explain(config("cp312-manylinux_aarch64"))
    assert explained["build-verbosity"].layer == "override #1"
    assert explained["test-command"].layer == "env CIBW_TEST_COMMAND_LINUX"
    assert explained["build"].layer == "pyproject"
    assert explained["repair-wheel-command"].layer == "default"
    assert explained["emulated-tests"].layer == "pyproject"
    assert explained["output-dir"].layer == "env CIBW_OUTPUT_DIR"
    assert explained["output-dir"].value == "dist"
    run_wide = r.explain(None)
    assert run_wide["build-verbosity"].layer == "pyproject"


def test_environment_pass_is_applied_with_with_passed(tmp_path: Path) -> None:
    r = resolve(tmp_path, FULL, {"TOKEN": "secret"})
    b = r.build_options(config(X86))
    env = b.environment.with_passed(b.environment_pass, {"TOKEN": "secret"}).evaluate(
        {"PATH": "/bin"}, lambda argv, env: ""
    )
    assert env == {"PATH": "/bin:/opt/bin", "TOKEN": "secret", "CFLAGS": "-O2"}


def test_env_and_cli_globals(tmp_path: Path) -> None:
    env = {
        "CIBW_BUILD": "cp313-*",
        "CIBW_SKIP": "",
        "CIBW_ARCHS_LINUX": "aarch64",
        "CIBW_ENABLE": "graalpy",
        "CIBW_ALLOW_EMPTY": "yes",
        "CIBW_DEBUG_KEEP_CONTAINER": "1",
        "CIBW_CACHE_PATH": str(tmp_path / "cache"),
        "CIBW_PROJECT_REQUIRES_PYTHON": ">=3.12",
        "CIBW_OUTPUT_DIR": str(tmp_path / "out"),
    }
    cli = CliValues(platform="linux", enable=("pypy",), output_dir=tmp_path / "cli-out")
    r = resolve(tmp_path, '[tool.cibuildwheel]\nenable = ["pypy-eol"]\n', env, cli, ">=3.9")
    g = r.globals
    assert g.build_selector == "cp313-*"
    assert g.archs == frozenset({Arch.aarch64})
    assert g.enable == frozenset({"pypy-eol", "graalpy", "pypy"})
    assert g.allow_empty
    assert g.debug_keep_container
    assert g.requires_python == ">=3.12"
    assert g.output_dir == tmp_path / "cli-out"


def test_output_dir_from_environment(tmp_path: Path) -> None:
    r = resolve(tmp_path, env={"CIBW_OUTPUT_DIR": str(tmp_path / "out")})
    assert r.globals.output_dir == tmp_path / "out"


def test_requires_python_from_project(tmp_path: Path) -> None:
    r = resolve(tmp_path, requires=">=3.13")
    assert r.globals.requires_python == ">=3.13"
    selected = r.selected_configurations()
    assert selected
    assert all(Version(c.version) >= Version("3.13") for c in selected)


def test_invalid_requires_python_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="requires-python"):
        resolve(tmp_path, env={"CIBW_PROJECT_REQUIRES_PYTHON": "3.10+"})


def test_only(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nbuild = "cp311-*"\nskip = "pp*"\narchs = "x86_64"\n'
    r = resolve(tmp_path, text, cli=CliValues(only="pp311-manylinux_aarch64"))
    g = r.globals
    assert (g.build_selector, g.skip_selector) == ("pp311-manylinux_aarch64", "")
    assert g.archs == frozenset(Arch)
    assert [c.identifier for c in r.selected_configurations()] == ["pp311-manylinux_aarch64"]
    assert r.explain(None)["build"].layer == "command line"


@pytest.mark.parametrize(
    ("cli", "fragment"),
    [
        (CliValues(only=X86, platform="linux"), "--platform cannot be used with --only"),
        (CliValues(only=X86, archs="x86_64"), "--archs cannot be used with --only"),
        (CliValues(only="cp312-manylinux_x86_65"), "Did you mean 'cp312-manylinux_x86_64'"),
        (CliValues(only="cp312-macosx_arm64"), "not a Linux build identifier"),
    ],
)
def test_only_errors(tmp_path: Path, cli: CliValues, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(")):
        resolve(tmp_path, cli=cli)


@pytest.mark.parametrize("name", ["macos", "windows", "pyodide", "ios", "android"])
def test_other_platforms_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigurationError, match="builds Linux wheels only") as info:
        resolve(tmp_path, cli=CliValues(platform=name))
    assert info.value.exit_code == 2
    with pytest.raises(ConfigurationError, match=f"CIBW_PLATFORM={name}"):
        resolve(tmp_path, env={"CIBW_PLATFORM": name}, cli=CliValues())


def test_unknown_platform(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown platform"):
        resolve(tmp_path, cli=CliValues(platform="beos"))


@linux_only
def test_auto_platform_is_linux_here(tmp_path: Path) -> None:
    resolve(tmp_path, cli=CliValues(platform="auto"))
    resolve(tmp_path, env={"CIBW_PLATFORM": "auto"}, cli=CliValues())


def test_cli_platform_beats_env(tmp_path: Path) -> None:
    resolve(tmp_path, env={"CIBW_PLATFORM": "macos"}, cli=CliValues(platform="linux"))


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        ('archs = "x86_65"', {}, "unknown architecture 'x86_65'"),
        ("", {"CIBW_ARCHS": "sparc"}, "env CIBW_ARCHS"),
        ('enable = ["pypi"]', {}, "Did you mean 'pypy'"),
        ('container-engine = "dockr"', {}, "unknown container engine 'dockr'"),
        ("", {"CIBW_CONTAINER_ENGINE": "lxc"}, "container-engine (from env CIBW_CONTAINER_ENGINE)"),
        ('build-frontend = "poetry"', {}, "unknown build frontend 'poetry'"),
        ('build-frontend = "pyodide-build"', {}, "only for the pyodide platform"),
        ('build-frontend = "pip; argz: -v"', {}, "unknown field 'argz'"),
        ("", {"CIBW_BUILD_VERBOSITY": "loud"}, "'loud' is not an integer"),
        ('environment = "A=$((1+1))"', {}, "arithmetic"),
        ("", {"CIBW_TEST_ENVIRONMENT": "A=${B:-c}"}, "test-environment"),
        ('config-settings = "a=\'open"', {}, "config-settings (from pyproject): cannot split"),
        ('dependency-versions = "missing.txt"', {}, "constraints file 'missing.txt' not found"),
        ("", {"CIBWL_EMULATED_TESTS": "partial"}, "CIBWL_EMULATED_TESTS"),
    ],
)
def test_errors_at_resolve_time(
    tmp_path: Path, text: str, env: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve(tmp_path, f"[tool.cibuildwheel]\n{text}\n", env)
    assert fragment in str(info.value)
    assert info.value.exit_code == 2


def test_errors_in_overrides_surface_for_the_identifier(tmp_path: Path) -> None:
    text = """
[[tool.cibuildwheel.overrides]]
select = "cp312-*"
container-engine = "dockr"
"""
    r = resolve(tmp_path, text)
    r.build_options(config("cp311-manylinux_x86_64"))
    with pytest.raises(ConfigurationError, match=r"override #1, for cp312-manylinux_x86_64"):
        r.build_options(config(X86))


def test_removed_image_is_exit_4(tmp_path: Path) -> None:
    with pytest.raises(DeprecationError):
        resolve(tmp_path, '[tool.cibuildwheel]\nmanylinux-x86_64-image = "manylinux2010"\n')


def test_pypy_image_option_is_honoured(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nmanylinux-pypy_x86_64-image = "registry.example/pypy:1"\n'
    r = resolve(tmp_path, text)
    assert r.build_options(config("pp311-manylinux_x86_64")).image == "registry.example/pypy:1"
    assert r.build_options(config(X86)).image != "registry.example/pypy:1"


def test_dependency_versions_file(tmp_path: Path) -> None:
    (tmp_path / "constraints.txt").write_text("pip==24.0\n")
    r = resolve(
        tmp_path, '[tool.cibuildwheel]\ndependency-versions = { file = "constraints.txt" }\n'
    )
    expected = ConstraintsFile(path=(tmp_path / "constraints.txt").resolve())
    assert r.build_options(config(X86)).dependency_versions == expected


def test_config_file_option(tmp_path: Path) -> None:
    (tmp_path / "ci.toml").write_text('[tool.cibuildwheel]\nbuild = "cp310-*"\n')
    cli = CliValues(platform="linux", config_file=tmp_path / "ci.toml")
    r = resolve(tmp_path, '[tool.cibuildwheel]\nbuild = "cp311-*"\n', cli=cli)
    assert r.globals.build_selector == "cp310-*"
    assert r.globals.config_file == tmp_path / "ci.toml"


def test_build_selector_matching_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="matches no build identifier") as info:
        resolve(tmp_path, '[tool.cibuildwheel]\nbuild = "cpython3-*"\n')
    assert info.value.exit_code == 2
    assert str(info.value).startswith("build (from pyproject): 'cpython3-*'")


@pytest.mark.parametrize(
    ("env", "word"),
    [
        ({"CIBW_BUILD": "cp38-*"}, "cp38-*"),
        ({"CIBW_BUILD": "cp313t-*"}, "cp313t-*"),
        ({"CIBW_BUILD": "cp312-* cp38-*"}, "cp38-*"),
        ({"CIBW_BUILD": "cp3{11,12}-* cp27-*"}, "cp27-*"),
    ],
)
def test_retired_python_in_build_is_exit_4(tmp_path: Path, env: dict[str, str], word: str) -> None:
    with pytest.raises(DeprecationError) as info:
        resolve(tmp_path, env=env)
    assert info.value.exit_code == 4
    assert f"env {next(iter(env))}" in str(info.value)
    assert repr(word) in str(info.value)


def test_build_selector_is_checked_word_by_word(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nbuild = ["cp311-*", "cpython3-*"]\n'
    with pytest.raises(ConfigurationError, match="'cpython3-\\*' matches no build") as info:
        resolve(tmp_path, text)
    assert info.value.exit_code == 2
    # --print-build-identifiers: cibuildwheel checks no selector; only a selector matching
    # nothing anywhere is refused there
    r = resolve(tmp_path, text, cli=CliValues(platform="linux", print_build_identifiers=True))
    assert {c.build_tag for c in r.selected_configurations()} == {"cp311"}


def test_build_selector_for_other_platforms_is_valid_but_selects_nothing(tmp_path: Path) -> None:
    r = resolve(tmp_path, env={"CIBW_BUILD": "cp311-macosx_* cp312-win_amd64"})
    assert r.selected_configurations() == []


def test_build_selector_needing_enable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="'pypy'") as info:
        resolve(tmp_path, env={"CIBW_BUILD": "pp311-*"})
    assert info.value.exit_code == 2
    for env, cli in [
        ({"CIBW_BUILD": "pp311-*", "CIBW_ENABLE": "pypy"}, CliValues(platform="linux")),
        ({"CIBW_BUILD": "pp311-*"}, CliValues(platform="linux", enable=("pypy",))),
        ({}, CliValues(only="pp311-manylinux_x86_64")),
    ]:
        r = resolve(tmp_path, env=env, cli=cli)
        assert r.selected_configurations()
    text = '[tool.cibuildwheel]\nenable = ["pypy"]\nbuild = "pp311-*"\n'
    assert resolve(tmp_path, text).selected_configurations()
    # printing identifiers: valid somewhere, so not refused (and nothing printed)
    cli = CliValues(platform="linux", print_build_identifiers=True)
    r = resolve(tmp_path, env={"CIBW_BUILD": "pp311-*"}, cli=cli)
    assert r.selected_configurations() == []


@pytest.mark.parametrize("value", ["1", "0", ""])
@pytest.mark.parametrize("printing", [False, True])
def test_free_threaded_support_env_is_refused(tmp_path: Path, value: str, printing: bool) -> None:
    cli = CliValues(platform="linux", print_build_identifiers=printing)
    with pytest.raises(ConfigurationError) as info:
        resolve(tmp_path, env={"CIBW_FREE_THREADED_SUPPORT": value}, cli=cli)
    assert info.value.exit_code == 2
    assert "CIBW_FREE_THREADED_SUPPORT" in str(info.value)
    assert "skip = '*t-*'" in str(info.value)


def test_free_threaded_support_key_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve(tmp_path, "[tool.cibuildwheel]\nfree-threaded-support = true\n")
    assert "'free-threaded-support'" in str(info.value)
    assert "built by default" in str(info.value)


@pytest.mark.parametrize(
    ("text", "env", "option", "placeholder"),
    [
        (
            '[tool.cibuildwheel]\ntest-command = "{python} -m pytest"\n',
            {},
            "test-command",
            "{python}",
        ),
        ("", {"CIBW_TEST_COMMAND": "{pip} list"}, "env CIBW_TEST_COMMAND", "{pip}"),
        (
            '[tool.cibuildwheel.linux]\nbefore-build = "{pip} install ."\n',
            {},
            "before-build",
            "{pip}",
        ),
        ("", {"CIBW_BEFORE_BUILD_LINUX": "{python} x.py"}, "CIBW_BEFORE_BUILD_LINUX", "{python}"),
    ],
)
def test_removed_placeholders_are_exit_2(
    tmp_path: Path, text: str, env: dict[str, str], option: str, placeholder: str
) -> None:
    r = resolve(tmp_path, text, env=env)
    with pytest.raises(ConfigurationError) as info:
        r.build_options(config(X86))
    message = str(info.value)
    assert info.value.exit_code == 2
    assert option in message
    assert placeholder in message
    assert "python and pip instead" in message


def test_removed_placeholder_with_nothing_selected_is_not_an_error(tmp_path: Path) -> None:
    # cibuildwheel checks the selected builds' commands only: nothing selected is exit 3, not 2
    text = '[tool.cibuildwheel]\ntest-command = "{python} -m pytest"\n'
    r = resolve(tmp_path, text, env={"CIBW_BUILD": "cp311-macosx_*"})
    assert r.selected_configurations() == []


def test_placeholders_elsewhere_are_left_alone(tmp_path: Path) -> None:
    # cibuildwheel 4.3.5 checks test-command and before-build only
    text = '[tool.cibuildwheel]\nbefore-test = "{python} -V"\nbefore-all = "{pip} -V"\n'
    r = resolve(tmp_path, text)
    assert r.build_options(config(X86)).before_test == "{python} -V"


def test_removed_placeholder_in_override_surfaces_for_its_identifier(tmp_path: Path) -> None:
    text = (
        '[[tool.cibuildwheel.overrides]]\nselect = "cp312-*"\ntest-command = "{python} -m pytest"\n'
    )
    r = resolve(tmp_path, text)
    assert r.build_options(config("cp311-manylinux_x86_64")).test_command == ""
    with pytest.raises(ConfigurationError, match=r"test-command \(from override #1, for cp312"):
        r.build_options(config(X86))


def test_build_options_are_cached(tmp_path: Path) -> None:
    r = resolve(tmp_path)
    assert r.build_options(config(X86)) is r.build_options(config(X86))


GROUPS = """
[dependency-groups]
test = ["pytest", {include-group = "Numeric_Stuff"}]
numeric-stuff = ["numpy>=2"]
loop-a = [{include-group = "loop-b"}]
loop-b = [{include-group = "loop-a"}]
"""


def test_test_groups_are_checked_and_kept_apart(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\ntest-requires = "hypothesis"\ntest-groups = ["test"]\n' + GROUPS
    b = resolve(tmp_path, text).build_options(config(X86))
    assert b.test_groups == ("test",)
    assert b.test_requires == ("hypothesis",)  # the pipeline adds the groups' requirements
    assert b.test_group_requirements == ("pytest", "numpy>=2")


@pytest.mark.parametrize(
    ("groups", "fragment"),
    [
        ('["tset"]', "no dependency group 'tset'. Did you mean 'test'?"),
        ('["loop-a"]', "include cycle: loop-a -> loop-b -> loop-a"),
    ],
)
def test_test_groups_errors(tmp_path: Path, groups: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(fragment)):
        resolve(tmp_path, f"[tool.cibuildwheel]\ntest-groups = {groups}\n" + GROUPS)


def test_test_groups_without_dependency_groups_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"no \[dependency-groups\] table"):
        resolve(tmp_path, '[tool.cibuildwheel]\ntest-groups = "test"\n')


def test_explain_command_line_layers(tmp_path: Path) -> None:
    text = '[tool.cibuildwheel]\nenable = "pypy"\narchs = "aarch64"\n'
    cli = CliValues(platform="linux", archs="x86_64", enable=("graalpy",))
    explained = resolve(tmp_path, text, cli=cli).explain(None)
    assert (explained["archs"].value, explained["archs"].layer) == ("x86_64", "command line")
    assert explained["enable"].value == "pypy graalpy"
    assert explained["enable"].layers == ("pyproject", "command line")
    assert explained["platform"].layer == "command line"


def test_value_gives_any_option(tmp_path: Path) -> None:
    text = '[[tool.cibuildwheel.overrides]]\nselect = "cp312-*"\naudit-command = "check"\n'
    r = resolve(tmp_path, text)
    assert r.value("audit-command", config(X86)) == "check"
    assert r.value("audit-command").startswith("abi3audit")


def test_auto_platform_on_another_os_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    with pytest.raises(ConfigurationError, match="pass --platform linux"):
        resolve(tmp_path, cli=CliValues())
    resolve(tmp_path, cli=CliValues(platform="linux"))


def _pypy_image(tmp_path, body: str, environ: dict[str, str]) -> str:
    (tmp_path / "pyproject.toml").write_text(body)
    resolver = resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=None,
        environ=environ,
        cli=CliValues(platform="linux", enable=("pypy",)),
    )
    config = identifiers.get_configuration("pp311-manylinux_x86_64")
    assert config is not None
    return resolver.build_options(config).image


def test_pypy_falls_back_to_the_arch_image_like_cibuildwheel(tmp_path):
    image = _pypy_image(
        tmp_path, '[tool.cibuildwheel]\nmanylinux-x86_64-image = "manylinux2014"\n', {}
    )
    assert image.startswith("quay.io/pypa/manylinux2014_x86_64@sha256:")


def test_pypy_image_option_wins_when_set(tmp_path):
    image = _pypy_image(
        tmp_path,
        '[tool.cibuildwheel]\nmanylinux-x86_64-image = "manylinux2014"\n',
        {"CIBW_MANYLINUX_PYPY_X86_64_IMAGE": "debian-sid"},
    )
    assert image == "cibuildwheel-like/debian-sid:x86_64"


def test_pypy_default_image(tmp_path):
    image = _pypy_image(tmp_path, "", {})
    assert image.startswith("quay.io/pypa/manylinux_2_28_x86_64@sha256:")
