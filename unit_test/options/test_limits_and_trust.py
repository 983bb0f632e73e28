"""Our options of issue 13: build-timeout / test-timeout (minutes) and ca-bundle (which CA
bundle the containers trust), from every layer, bad values refused naming the option."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import resolve_pyproject

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.ca_bundle import resolve_ca_bundle
from cibuildwheel_like.options.schema import cibuildwheel_like_schema
from cibuildwheel_like.options.values import parse_minutes

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.resolver import Resolver

X86 = "cp312-manylinux_x86_64"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def timeouts(resolver: Resolver) -> tuple[float | None, float | None]:
    config = identifiers.get_configuration(X86)
    assert config is not None
    options = resolver.build_options(config)
    return options.build_timeout, options.test_timeout


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("", {}, (None, None)),
        ("[tool.cibuildwheel-like]\nbuild-timeout = 30\ntest-timeout = 0.5\n", {}, (30, 0.5)),
        ('[tool.cibuildwheel-like]\nbuild-timeout = "45"\n', {}, (45, None)),
        ("", {"CIBWL_BUILD_TIMEOUT": "1.5", "CIBWL_TEST_TIMEOUT": " 0.1 "}, (1.5, 0.1)),
        # a variable set empty is "no limit", over the file's
        ("[tool.cibuildwheel-like]\ntest-timeout = 3\n", {"CIBWL_TEST_TIMEOUT": ""}, (None, None)),
        ("", {"CIBWL_TEST_TIMEOUT": "none"}, (None, None)),
        (
            (
                "[tool.cibuildwheel-like]\ntest-timeout = 3\n"
                '[[tool.cibuildwheel-like.overrides]]\nselect = "cp312-*"\ntest-timeout = 20\n'
            ),
            {},
            (None, 20),
        ),
    ],
)
def test_timeouts_from_every_layer(tmp_path, text, env, expected):
    assert timeouts(resolve_pyproject(tmp_path, text, env)) == expected


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("", {"CIBWL_BUILD_TIMEOUT": "ten"}, "(from env CIBWL_BUILD_TIMEOUT) = 'ten'"),
        ("", {"CIBWL_TEST_TIMEOUT": "0"}, "test-timeout (from env CIBWL_TEST_TIMEOUT) = '0'"),
        ("", {"CIBWL_TEST_TIMEOUT": "-1"}, "test-timeout (from env CIBWL_TEST_TIMEOUT) = '-1'"),
        ("", {"CIBWL_BUILD_TIMEOUT": "inf"}, "= 'inf' is not valid"),
        ("", {"CIBWL_BUILD_TIMEOUT": "nan"}, "= 'nan' is not valid"),
        ("[tool.cibuildwheel-like]\nbuild-timeout = true\n", {}, "build-timeout = a boolean"),
        ("[tool.cibuildwheel-like]\nbuild-timeout = [1]\n", {}, "build-timeout = an array"),
        ("[tool.cibuildwheel-like]\ntest-timeout = -2\n", {}, "test-timeout"),
    ],
)
def test_bad_timeouts_are_configuration_errors_naming_the_option(tmp_path, text, env, message):
    with pytest.raises(ConfigurationError) as info:
        timeouts(resolve_pyproject(tmp_path, text, env))
    assert message in str(info.value)
    assert "positive number of minutes" in str(info.value) or "number of minutes" in str(info.value)


def test_parse_minutes_keeps_minutes():
    assert parse_minutes("0.1", option="x") == pytest.approx(0.1)
    assert parse_minutes("", option="x") is None


def test_timeouts_are_in_the_schema():
    props = cibuildwheel_like_schema()["properties"]
    for name in ("build-timeout", "test-timeout", "ca-bundle"):
        assert name in props
    override = props["overrides"]["items"]["properties"]
    assert "test-timeout" in override
    assert "ca-bundle" not in override  # run-wide


# -- ca-bundle --------------------------------------------------------------------------------
def bundle(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PEM)
    return path


def test_no_bundle_anywhere_keeps_the_images_own(tmp_path):
    assert resolve_pyproject(tmp_path).globals.ca_bundle is None


def test_the_option_wins_and_is_relative_to_the_project(tmp_path):
    mine = bundle(tmp_path / "certs" / "proxy.pem")
    host = bundle(tmp_path / "host.pem")
    text = '[tool.cibuildwheel-like]\nca-bundle = "certs/proxy.pem"\n'
    assert resolve_pyproject(tmp_path, text, {"SSL_CERT_FILE": str(host)}).globals.ca_bundle == mine
    env = {"CIBWL_CA_BUNDLE": str(host)}
    assert resolve_pyproject(tmp_path, text, env).globals.ca_bundle == host  # env over the file


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"), "SSL_CERT_FILE"),
        (("REQUESTS_CA_BUNDLE", "PIP_CERT"), "REQUESTS_CA_BUNDLE"),
        (("PIP_CERT",), "PIP_CERT"),
    ],
)
def test_host_variables_in_order(tmp_path, present, chosen):
    env = {name: str(bundle(tmp_path / f"{name}.pem")) for name in present}
    found = resolve_ca_bundle("", option="ca-bundle", base_dir=tmp_path, environ=env)
    assert found == tmp_path / f"{chosen}.pem"


def test_a_host_variable_naming_a_directory_is_passed_over(tmp_path):
    env = {"SSL_CERT_FILE": str(tmp_path), "PIP_CERT": str(bundle(tmp_path / "pip.pem"))}
    assert resolve_ca_bundle("", option="o", base_dir=tmp_path, environ=env) == tmp_path / "pip.pem"


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("", {"SSL_CERT_FILE": "/nonexistent/ca.pem"}, "the host's SSL_CERT_FILE names"),
        ("", {"CIBWL_CA_BUNDLE": "missing.pem"}, "ca-bundle (from env CIBWL_CA_BUNDLE) names"),
        ('[tool.cibuildwheel-like]\nca-bundle = "pyproject.toml"\n', {}, "holds no PEM"),
    ],
)
def test_bad_bundles_are_configuration_errors(tmp_path, text, env, message):
    with pytest.raises(ConfigurationError) as info:
        _ = resolve_pyproject(tmp_path, text, env).globals
    assert message in str(info.value)
