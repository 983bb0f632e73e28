"""audit-command and require-installable-by: parsed once, refused with the fix."""

from __future__ import annotations

import pytest
from packaging.version import Version

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.wheel_checks import (
    parse_audit_commands,
    parse_installer_requirement,
)


def test_audit_commands_split_on_and() -> None:
    text = "abi3audit --strict --report {abi3_wheel} && twine check {wheel}"
    assert parse_audit_commands(text, option="audit-command") == (
        "abi3audit --strict --report {abi3_wheel}",
        "twine check {wheel}",
    )
    assert parse_audit_commands("", option="audit-command") == ()


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("twine check dist/*", "must contain {abi3_wheel}"),
        ("x {abi3_wheel} {wheel}", "cannot contain both"),
    ],
)
def test_audit_commands_need_one_placeholder(command: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words) as raised:
        parse_audit_commands(command, option="audit-command (from env CIBW_AUDIT_COMMAND)")
    assert "audit-command (from env CIBW_AUDIT_COMMAND)" in str(raised.value)
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "lowest"),
    [("pip>=19.3", "19.3"), ("pip >= 20.3, <26", "20.3"), ("pip==21.2.*", "21.2"), ("pip>9", "9")],
)
def test_installer_requirement_lowest(text: str, lowest: str) -> None:
    parsed = parse_installer_requirement(text, option="require-installable-by")
    assert parsed is not None
    assert parsed.lowest == Version(lowest)
    assert parsed.text == text


def test_no_requirement() -> None:
    assert parse_installer_requirement(" ", option="require-installable-by") is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("uv>=0.5", "only pip is known"),
        ("pip<25", "has no lower bound"),
        ("pip", "has no lower bound"),
        ("pip>=", "is not a requirement"),
        ("pip[x]>=19", "extras"),
    ],
)
def test_installer_requirement_refused(text: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words) as raised:
        parse_installer_requirement(text, option="require-installable-by")
    assert 'e.g. "pip>=19.3"' in str(raised.value)
