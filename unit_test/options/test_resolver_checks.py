"""Checks made while resolving, before any engine: unreadable files, brace-expansion limits,
removed image names for archs not built, bare config-settings keys."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.errors import ConfigurationError, DeprecationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.model import PythonConfiguration

X86 = "cp312-manylinux_x86_64"
LINUX = CliValues(platform="linux", archs="x86_64")
TOO_MANY = "cp3{1,2,3,4}{1,2,3,4}{1,2,3,4}{1,2,3,4}{1,2,3,4}-*"  # 4**5 = 1024 patterns


def resolve(
    tmp_path: Path,
    text: str = "",
    env: dict[str, str] | None = None,
    cli: CliValues = LINUX,
) -> Resolver:
    (tmp_path / "pyproject.toml").write_text(text)
    return resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=cli.config_file,
        environ=env or {},
        cli=cli,
    )


def config(identifier: str) -> PythonConfiguration:
    found = identifiers.get_configuration(identifier)
    assert found is not None
    return found


# -- unreadable project files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'[tool.cibuildwheel]\nbuild = "cp312-*"\n# caf\xe9\n',
        b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    ],
)
def test_unreadable_pyproject_is_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=rf"^{re.escape(str(path))}: invalid TOML") as e:
        resolve_options(
            project_dir=tmp_path, package_dir=tmp_path, config_file=None, environ={}, cli=LINUX
        )
    assert e.value.exit_code == 2


def test_unreadable_config_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "ci.toml").write_bytes(b'[tool.cibuildwheel]\nbuild = "\xff"\n')
    cli = CliValues(platform="linux", config_file=tmp_path / "ci.toml")
    with pytest.raises(ConfigurationError, match=r"ci\.toml: invalid TOML: not UTF-8"):
        resolve(tmp_path, cli=cli)


def test_unreadable_package_pyproject_beside_a_config_file_is_exit_2(tmp_path: Path) -> None:
    """With --config-file, pyproject.toml is still read (requires-python, dependency groups)."""
    (tmp_path / "ci.toml").write_text('[tool.cibuildwheel]\ntest-groups = "t"\n')
    (tmp_path / "pyproject.toml").write_bytes(b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000)
    with pytest.raises(ConfigurationError, match=r"pyproject\.toml: invalid TOML: .* too deep"):
        resolve_options(
            project_dir=tmp_path,
            package_dir=tmp_path,
            config_file=tmp_path / "ci.toml",
            environ={},
            cli=LINUX,
        )


# -- brace expansion past bracex's limit -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "option"),
    [
        (f'[tool.cibuildwheel]\nbuild = "{TOO_MANY}"', {}, "build (from pyproject)"),
        ("", {"CIBW_BUILD": f"cp312-* {TOO_MANY}"}, "build (from env CIBW_BUILD)"),
        ("", {"CIBW_SKIP": TOO_MANY}, "skip (from env CIBW_SKIP)"),
        (f'[tool.cibuildwheel]\ntest-skip = ["{TOO_MANY}"]', {}, "test-skip (from pyproject)"),
        (
            f'[[tool.cibuildwheel.overrides]]\nselect = "{TOO_MANY}"\nbuild-verbosity = 1',
            {},
            "[[tool.cibuildwheel.overrides]] #1 select",
        ),
    ],
)
def test_brace_expansion_limit_is_exit_2(
    tmp_path: Path, text: str, env: dict[str, str], option: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve(tmp_path, text, env)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert option in message
    assert TOO_MANY in message
    assert "more than 1000 patterns" in message


def test_brace_expansion_within_the_limit_is_fine(tmp_path: Path) -> None:
    r = resolve(tmp_path, "", {"CIBW_BUILD": "cp3{1,2}{0,1,2,3,4,5,6,7,8,9}-*"})
    assert X86 in [c.identifier for c in r.selected_configurations()]


# -- removed image names, whatever arch is built ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "option"),
    [
        ('[tool.cibuildwheel]\nmanylinux-i686-image = "manylinux1"', {}, "manylinux-i686-image"),
        ("", {"CIBW_MANYLINUX_AARCH64_IMAGE": "manylinux2010"}, "manylinux-aarch64-image"),
        ("", {"CIBW_MUSLLINUX_S390X_IMAGE_LINUX": "musllinux_1_1"}, "musllinux-s390x-image"),
        (
            '[tool.cibuildwheel.linux]\nmanylinux-pypy_i686-image = "manylinux_2_24"',
            {},
            "manylinux-pypy_i686-image",
        ),
    ],
)
def test_removed_image_for_an_arch_not_built_is_exit_4(
    tmp_path: Path, text: str, env: dict[str, str], option: str
) -> None:
    """cibuildwheel 4.3.5 checks every image option when a run starts (exit 4), not only the
    ones of the archs it builds; only x86_64 is built here."""
    with pytest.raises(DeprecationError, match=re.escape(option)) as info:
        resolve(tmp_path, text, env)
    assert info.value.exit_code == 4


def test_removed_image_in_an_override_is_exit_4_for_the_identifiers_it_selects(
    tmp_path: Path,
) -> None:
    text = (
        '[[tool.cibuildwheel.overrides]]\nselect = "cp312-*"\n'
        'musllinux-armv7l-image = "musllinux_1_1"\n'
    )
    r = resolve(tmp_path, text)  # run-wide values are fine
    r.build_options(config("cp311-manylinux_x86_64"))
    with pytest.raises(DeprecationError, match=r"musllinux-armv7l-image \(from override #1, for"):
        r.build_options(config(X86))


# -- config-settings with a bare key ---------------------------------------------------------


def test_bare_config_settings_key_is_accepted(tmp_path: Path) -> None:
    r = resolve(tmp_path, "", {"CIBW_CONFIG_SETTINGS": "justaword k=v 'a b=c d'"})
    settings = r.build_options(config(X86)).config_settings
    assert settings == (("justaword", None), ("k", "v"), ("a b", "c d"))


def test_bare_key_cannot_be_joined_by_inherit(tmp_path: Path) -> None:
    """cibuildwheel's merge refuses it too ("malformed option")."""
    text = (
        '[tool.cibuildwheel]\nconfig-settings = "justaword"\n'
        '[[tool.cibuildwheel.overrides]]\nselect = "*"\nconfig-settings = "k=v"\n'
        'inherit.config-settings = "append"\n'
    )
    r = resolve(tmp_path, text)
    with pytest.raises(ConfigurationError, match=r"'justaword' is not a key=value pair"):
        r.build_options(config(X86))
