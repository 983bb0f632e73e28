"""Parsing and evaluating `environment` / `test-environment` strings.

A ParsedEnvironment is an ordered list of assignments parsed with bashlex. ``evaluate`` runs
them in order against a base environment, each seeing the ones before it; ``$(...)``
substitutions go through ``executor`` (in a build, a command run inside the container), so unit
tests pass a lambda.

Supported: plain words, single and double quotes, backslash escapes, ``$NAME``, ``${NAME}``,
``$(command args ...)`` and backquotes (a simple command, or several joined with ``;``). Anything
else (arithmetic, pipes, ``&&``, redirections, parameter operators such as ``${A:-x}``, tilde
expansion, process substitution, compound commands) is refused at parse time, naming the
construct, so a mistake is reported before any container starts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cibuildwheel_like.errors import ConfigurationError

# executor(argv, env) -> stdout text. argv is the evaluated words of one simple command,
# e.g. ["python", "-c", "print(1)"]; the caller decides how to run it (in the container).
Executor = Callable[[Sequence[str], Mapping[str, str]], str]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Assignment:
    name: str
    value: str  # the raw right-hand side, as written
    literal: bool = False  # True: value is used as is (environment-pass values from the host)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ParsedEnvironment:
    assignments: tuple[Assignment, ...] = ()

    def evaluate(self, base: Mapping[str, str], executor: Executor) -> dict[str, str]:
        env = dict(base)
        for assignment in self.assignments:
            if assignment.literal:
                env[assignment.name] = assignment.value
            else:
                env[assignment.name] = _evaluate_value(assignment.value, env, executor)
        return env

    def as_string(self) -> str:
        return " ".join(f"{a.name}={a.value}" for a in self.assignments)

    def with_passed(self, names: Sequence[str], host: Mapping[str, str]) -> ParsedEnvironment:
        """Prepend ``environment-pass`` variables (host values, not evaluated), as cibuildwheel.

        Names missing from ``host`` are left out.
        """
        passed = tuple(
            Assignment(name=name, value=host[name], literal=True) for name in names if name in host
        )
        return ParsedEnvironment(assignments=passed + self.assignments)


def parse_environment(text: str, *, option: str) -> ParsedEnvironment:
    """Parse ``text``; raise ConfigurationError naming ``option`` and the construct on failure."""
    if not text.strip():
        return ParsedEnvironment()
    # Lines are parsed too (bashlex's parsesingle, which cibuildwheel uses, silently drops
    # everything after the first line of a multi-line string).
    roots = _parse(text, option=option, what="the string", single=False)
    assignments: list[Assignment] = []
    for root in roots:
        if root.kind != "command":
            raise ConfigurationError(
                f"{option}: {text!r} must be space-separated NAME=value assignments;"
                f" found {_describe(root)}"
            )
        assignments.extend(_assignments(root, text, option=option))
    return ParsedEnvironment(assignments=tuple(assignments))


def _assignments(root: Any, text: str, *, option: str) -> list[Assignment]:
    assignments: list[Assignment] = []
    for node in root.parts:
        source = text[node.pos[0] : node.pos[1]]
        if node.kind != "assignment":
            raise ConfigurationError(
                f"{option}: {source!r} is not an assignment; write NAME=value"
                " (quote values that contain spaces)"
            )
        name, _, value = source.partition("=")
        if not _NAME.fullmatch(name):
            raise ConfigurationError(f"{option}: {name!r} is not a valid variable name")
        _check_value(value, option=option)
        assignments.append(Assignment(name=name, value=value))
    return assignments


def _parse(text: str, *, option: str, what: str, single: bool = True) -> Any:
    import bashlex.errors  # noqa: PLC0415  # on first use: building its parser costs 0.2 s

    try:
        return bashlex.parsesingle(text) if single else bashlex.parse(text)
    except NotImplementedError as exc:  # bashlex's answer to $((...)) and a few others
        raise ConfigurationError(
            f"{option}: {text!r} uses {exc} ($((...))), which is not supported;"
            " compute the value in before-all/before-build or use $(python -c ...)"
        ) from None
    except bashlex.errors.ParsingError as exc:
        hint = "check the quoting"
        if "&&" in text or "||" in text:
            hint = "&& and || are not supported inside $(...); use ';' or one command"
        raise ConfigurationError(
            f"{option}: {what} {text!r} cannot be parsed as shell words ({exc.message}"
            f" at position {exc.position}); {hint}"
        ) from None
    except Exception as exc:  # noqa: BLE001  # bashlex fails inside itself on some inputs
        # (a lone backslash: AttributeError); any failure to parse is the input's, not ours
        raise ConfigurationError(
            f"{option}: {what} {text!r} cannot be parsed as shell words"
            f" ({type(exc).__name__}); check the quoting and backslashes"
        ) from None


def _check_value(value: str, *, option: str) -> None:
    if not value:
        return
    root = _parse(value, option=option, what="the value")
    if root.kind != "command" or len(root.parts) != 1 or root.parts[0].kind != "word":
        raise ConfigurationError(
            f"{option}: the value {value!r} must be a single word; quote it if it contains spaces"
        )
    _check_word(root.parts[0], source=value, option=option)


def _check_word(node: Any, *, source: str, option: str) -> None:
    for part in getattr(node, "parts", []):
        _check_part(part, source=source, option=option)


def _check_part(node: Any, *, source: str, option: str) -> None:
    text = source[node.pos[0] : node.pos[1]]
    match node.kind:
        case "parameter":
            if not _NAME.fullmatch(node.value):
                raise ConfigurationError(
                    f"{option}: {text!r} is not supported: only $NAME and ${{NAME}} can be"
                    " expanded (no parameter operators such as ${A:-x}, ${#A}, $1 or $$)"
                )
        case "commandsubstitution":
            _check_command(node.command, source=source, option=option)
        case "tilde":
            raise ConfigurationError(
                f"{option}: tilde expansion ({text!r}) is not supported; write $HOME instead"
            )
        case _:
            raise ConfigurationError(
                f"{option}: {_describe(node)} ({text!r}) is not supported in environment values"
            )


def _check_command(node: Any, *, source: str, option: str) -> None:
    match node.kind:
        case "command":
            for part in node.parts:
                if part.kind != "word":
                    text = source[part.pos[0] : part.pos[1]]
                    raise ConfigurationError(
                        f"{option}: {_describe(part)} ({text!r}) is not supported inside $(...)"
                    )
                _check_word(part, source=source, option=option)
        case "list":
            for part in node.parts:
                if part.kind == "operator":
                    if part.op != ";":
                        raise ConfigurationError(
                            f"{option}: the operator {part.op!r} is not supported inside $(...);"
                            " only ';' can join commands"
                        )
                else:
                    _check_command(part, source=source, option=option)
        case _:
            text = source[node.pos[0] : node.pos[1]] if hasattr(node, "pos") else ""
            raise ConfigurationError(
                f"{option}: {_describe(node)} ({text!r}) is not supported inside $(...);"
                " run one simple command, e.g. $(python -c '...')"
            )


def _describe(node: Any) -> str:
    names = {
        "pipeline": "a pipe",
        "list": "a command list",
        "compound": "a compound command",
        "redirect": "a redirection",
        "processsubstitution": "process substitution",
        "if": "an if statement",
        "for": "a for loop",
        "while": "a while loop",
        "function": "a function definition",
        "reservedword": "a shell keyword",
        "operator": "an operator",
        "pipe": "a pipe",
    }
    return names.get(node.kind, f"the shell construct {node.kind!r}")


# -- evaluation (values were checked by parse_environment, so only supported nodes remain) --


def _evaluate_value(value: str, env: Mapping[str, str], executor: Executor) -> str:
    if not value:
        return ""
    import bashlex  # noqa: PLC0415  # on first use: building its parser costs 0.2 s

    word = bashlex.parsesingle(value).parts[0]
    return _evaluate_word(word, source=value, env=env, executor=executor)


def _evaluate_word(node: Any, *, source: str, env: Mapping[str, str], executor: Executor) -> str:
    # bashlex gives the word with its quotes removed, and each expansion's position in the
    # source. Replace each expansion's source text, left to right, past the previous one.
    result: str = node.word
    cursor = 0
    for part in getattr(node, "parts", []):
        part_source = source[part.pos[0] : part.pos[1]]
        replacement = _evaluate_part(part, source=source, env=env, executor=executor)
        index = result.find(part_source, cursor)
        if index < 0:  # pragma: no cover - bashlex always keeps the expansion text in the word
            msg = f"cannot locate {part_source!r} in {result!r}"
            raise ConfigurationError(msg)
        result = result[:index] + replacement + result[index + len(part_source) :]
        cursor = index + len(replacement)
    return result


def _evaluate_part(node: Any, *, source: str, env: Mapping[str, str], executor: Executor) -> str:
    if node.kind == "parameter":
        return env.get(node.value, "")
    # command substitution: bash strips trailing newlines from the output
    return _run(node.command, source=source, env=env, executor=executor).rstrip("\n")


def _run(node: Any, *, source: str, env: Mapping[str, str], executor: Executor) -> str:
    if node.kind == "list":
        return "".join(
            _run(part, source=source, env=env, executor=executor)
            for part in node.parts
            if part.kind != "operator"
        )
    argv = [_evaluate_word(w, source=source, env=env, executor=executor) for w in node.parts]
    return executor(argv, dict(env))
