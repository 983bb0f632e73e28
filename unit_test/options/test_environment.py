from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options.environment import (
    Assignment,
    Executor,
    ParsedEnvironment,
    parse_environment,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def no_commands(argv: Sequence[str], env: Mapping[str, str]) -> str:
    raise AssertionError(f"no command expected, got {argv}")


def evaluate(
    text: str, base: Mapping[str, str] | None = None, executor: Executor = no_commands
) -> dict[str, str]:
    return parse_environment(text, option="environment").evaluate(base or {}, executor)


def test_empty_string_is_empty_environment() -> None:
    assert parse_environment("", option="environment") == ParsedEnvironment()
    assert parse_environment("   ", option="environment").assignments == ()
    assert evaluate("", {"A": "1"}) == {"A": "1"}


def test_assignments_keep_raw_values_in_order() -> None:
    parsed = parse_environment('A=1 B="two words" C=$A', option="environment")
    assert parsed.assignments == (
        Assignment(name="A", value="1"),
        Assignment(name="B", value='"two words"'),
        Assignment(name="C", value="$A"),
    )
    assert parsed.as_string() == 'A=1 B="two words" C=$A'


def test_later_assignments_see_earlier_ones_and_the_base() -> None:
    env = evaluate('A=1 B="$A-$HOME" C=${B}x A=2 D=$A', {"HOME": "/root"})
    assert env == {"HOME": "/root", "A": "2", "B": "1-/root", "C": "1-/rootx", "D": "2"}


def test_base_is_not_modified() -> None:
    base = {"PATH": "/bin"}
    env = evaluate("PATH=$PATH:/opt/bin", base)
    assert env["PATH"] == "/bin:/opt/bin"
    assert base == {"PATH": "/bin"}


def test_unset_variable_is_empty() -> None:
    assert evaluate("A=x${MISSING}y")["A"] == "xy"


def test_quotes_and_escapes() -> None:
    env = evaluate("""A='$HOME' B="a 'b' c" C=\\$HOME D="say \\"hi\\"" E=a"b c"d""", {"HOME": "/h"})
    assert env["A"] == "$HOME"  # single quotes: no expansion
    assert env["B"] == "a 'b' c"
    assert env["C"] == "$HOME"
    assert env["D"] == 'say "hi"'
    assert env["E"] == "ab cd"


def test_empty_value() -> None:
    assert evaluate("A= B=1") == {"A": "", "B": "1"}


def test_command_substitution_uses_executor_with_current_env() -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def executor(argv: Sequence[str], env: Mapping[str, str]) -> str:
        calls.append((list(argv), dict(env)))
        return f"out:{' '.join(argv)}\n\n"

    env = evaluate('A=1 B=$(python -c "print($A)") C="x $(uname -m) y"', {}, executor)
    assert env["B"] == "out:python -c print(1)"  # trailing newlines stripped, like bash
    assert env["C"] == "x out:uname -m y"
    assert calls[0] == (["python", "-c", "print(1)"], {"A": "1"})
    assert calls[1][1]["B"] == "out:python -c print(1)"


def test_backquotes_and_semicolon_lists() -> None:
    outputs = {"a": "1\n", "b": "2\n", "pwd": "/here\n"}
    env = evaluate("X=$(a; b) Y=`pwd`", {}, lambda argv, env: outputs[argv[0]])
    assert env == {"X": "1\n2", "Y": "/here"}


def test_nested_substitution() -> None:
    def executor(argv: Sequence[str], env: Mapping[str, str]) -> str:
        return "[" + " ".join(argv) + "]"

    assert evaluate("A=$(echo $(inner))", {}, executor)["A"] == "[echo [inner]]"


def test_same_expansion_twice_in_one_word() -> None:
    assert evaluate("A=$B-$B", {"B": "$B"})["A"] == "$B-$B"


def test_with_passed_prepends_literal_host_values() -> None:
    parsed = parse_environment("B=$TOKEN-x", option="environment")
    passed = parsed.with_passed(["TOKEN", "ABSENT"], {"TOKEN": "$(not run)"})
    assert [a.name for a in passed.assignments] == ["TOKEN", "B"]
    assert passed.evaluate({}, no_commands) == {"TOKEN": "$(not run)", "B": "$(not run)-x"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A=$((1+2))", "arithmetic"),
        ("A=${B:-x}", "${B:-x}"),
        ("A=${#B}", "${#B}"),
        ("A=$1", "$1"),
        ("A=$(echo a | tr a b)", "a pipe"),
        ("A=$(echo a > f)", "redirection"),
        ("A=$(if true; then echo; fi)", "compound command"),
        ("A=<(ls)", "process substitution"),
        ("A=~/bin", "tilde"),
        ("A=$(a && b)", "&& and || are not supported"),
        ('A="unterminated', "cannot be parsed"),
        ("JUSTAWORD", "not an assignment"),
        ("A=1; B=2", "command list"),
        ("A=1 && B=2", "command list"),
    ],
)
def test_unsupported_constructs_name_option_and_construct(text: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_environment(text, option="test-environment")
    message = str(info.value)
    assert message.startswith("test-environment")
    assert fragment in message
    assert info.value.exit_code == 2


def test_multi_line_strings_keep_every_line() -> None:
    # cibuildwheel 4.3.5 (bashlex parsesingle) silently drops the lines after the first
    env = evaluate('A=1\n  B="$A x"\n\nC="two\nlines"\n')
    assert env == {"A": "1", "B": "1 x", "C": "two\nlines"}
