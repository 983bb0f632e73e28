from __future__ import annotations

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options import values as ov
from cibuildwheel_like.options.model import EngineConfig, FrontendConfig


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", FrontendConfig(name="build")),
        ("default", FrontendConfig(name="build")),
        ("pip", FrontendConfig(name="pip")),
        ("build[uv]", FrontendConfig(name="build[uv]")),
        ("uv; args: --no-cache", FrontendConfig(name="uv", args=("--no-cache",))),
        ("pip;args:-v -v", FrontendConfig(name="pip", args=("-v", "-v"))),
        ("build; args: '-C a=b c'", FrontendConfig(name="build", args=("-C a=b c",))),
        ("name:pip; args:-v; args:-q", FrontendConfig(name="pip", args=("-v", "-q"))),
    ],
)
def test_parse_frontend(text: str, expected: FrontendConfig) -> None:
    assert ov.parse_frontend(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("poetry", "unknown build frontend 'poetry'"),
        ("pyodide-build", "only for the pyodide platform"),
        ("pip; argz: -v", "unknown field 'argz'"),
        ("pip; -v", "too many positional parts"),
        ("pip; args: 'unterminated", "cannot split"),
    ],
)
def test_parse_frontend_errors(text: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match="build-frontend") as info:
        ov.parse_frontend(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("docker", EngineConfig(name="docker")),
        ("podman", EngineConfig(name="podman")),
        (
            "podman; create_args: --net=host -v /a:/b",
            EngineConfig(name="podman", create_args=("--net=host", "-v", "/a:/b")),
        ),
        ("docker; create-args: --gpus all", EngineConfig(create_args=("--gpus", "all"))),
        ("docker; disable_host_mount: true", EngineConfig(disable_host_mount=True)),
        ("docker; disable-host-mount: True", EngineConfig(disable_host_mount=True)),
        ("docker; disable_host_mount: no", EngineConfig(disable_host_mount=False)),
        (
            "docker; create_args: --platform linux/arm64 --platform=linux/s390x -e A",
            EngineConfig(create_args=("-e", "A")),
        ),
    ],
)
def test_parse_engine(text: str, expected: EngineConfig) -> None:
    assert ov.parse_engine(text) == expected


@pytest.mark.parametrize("text", ["dockr", "lxc", "", "docker podman"])
def test_parse_engine_errors(text: str) -> None:
    with pytest.raises(ConfigurationError, match="unknown container engine"):
        ov.parse_engine(text)


def test_key_values_round_trip() -> None:
    pairs = [("a", "1"), ("b", "two words"), ("a", "3")]
    text = ov.format_key_values(pairs)
    assert text == "a=1 b='two words' a=3"
    assert ov.parse_key_values(text, option="config-settings") == pairs
    with pytest.raises(ConfigurationError, match="'novalue' is not a key=value pair"):
        ov.parse_key_values("a=1 novalue", option="config-settings")


def test_key_values_with_a_bare_key() -> None:
    """cibuildwheel passes `justaword` on as -Cjustaword; keep it apart from `justaword=`."""
    pairs = ov.parse_key_values("justaword e= k=v", option="config-settings", allow_bare=True)
    assert pairs == [("justaword", None), ("e", ""), ("k", "v")]
    assert ov.format_key_values(pairs) == "justaword e='' k=v"


@pytest.mark.parametrize(
    ("name", "before", "after", "expected"),
    [
        ("before-all", "a", "b", "a && b"),
        ("before-all", "", "b", "b"),
        ("before-all", "a", "", "a"),
        ("test-requires", "pytest", "numpy", "pytest numpy"),
        ("test-extras", "a", "b", "a,b"),
        ("environment", 'A="1"', "B=2", 'A="1" B=2'),
        ("config-settings", "a=1 b=2 b=3", "b=4 c=5", "a=1 b=4 c=5"),
        ("xbuild-tools", "\u0000", "cmake", "cmake"),
    ],
)
def test_merge(name: str, before: str, after: str, expected: str) -> None:
    assert ov.merge(reg.spec(name), before, after) == expected


def test_to_string_by_kind() -> None:
    assert ov.to_string(reg.spec("test-sources"), ["a b", "c"], where="w") == "'a b' c"
    assert ov.to_string(reg.spec("build-verbosity"), 2, where="w") == "2"
    assert ov.to_string(reg.spec("allow-empty"), True, where="w") == "true"  # noqa: FBT003
    assert ov.to_string(reg.spec("xbuild-tools"), ["\u0000"], where="w") == "\u0000"
    with pytest.raises(ConfigurationError, match="does not accept a list"):
        ov.to_string(reg.spec("build-frontend"), ["pip"], where="w")
    with pytest.raises(ConfigurationError, match="does not accept a table"):
        ov.to_string(reg.spec("before-all"), {"a": "b"}, where="w")
    with pytest.raises(ConfigurationError, match="invalid table key"):
        ov.to_string(reg.spec("config-settings"), {"a b": "c"}, where="w")


@pytest.mark.parametrize(
    ("text", "expected"), [("0", 0), ("2", 2), ("-1", -1), ("10", 3), ("-7", -3)]
)
def test_verbosity_is_clamped_like_cibuildwheel(text: str, expected: int) -> None:
    assert ov.parse_verbosity(text) == expected


def test_verbosity_must_be_an_integer() -> None:
    with pytest.raises(ConfigurationError, match="'loud' is not an integer"):
        ov.parse_verbosity("loud")


def test_bool_words() -> None:
    assert all(ov.parse_bool(w) for w in ["1", "true", "Yes", "on", "t", "y"])
    assert not any(ov.parse_bool(w) for w in ["", "0", "false", "no", "off", "2"])
