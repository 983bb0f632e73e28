"""The project's requires-python, found where cibuildwheel looks for it.

In order: ``[project].requires-python`` in pyproject.toml, ``[options] python_requires`` in
setup.cfg, then a literal ``python_requires="..."`` keyword of a top-level call in setup.py
(read with :mod:`ast`, never executed). ``CIBW_PROJECT_REQUIRES_PYTHON`` overrides them all.
"""

from __future__ import annotations

import ast
import configparser
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from cibuildwheel_like.options.project_files import ProjectFiles

ENV_VAR = "CIBW_PROJECT_REQUIRES_PYTHON"


def parse_requires_python(value: str, *, source: str) -> SpecifierSet:
    """``value`` as a specifier set; ConfigurationError naming ``source`` if it is not one."""
    try:
        return SpecifierSet(value)
    except InvalidSpecifier as e:
        raise ConfigurationError(
            f"{source}: {value!r} is not a valid requires-python specifier ({e})."
            " Write a comma-separated PEP 440 specifier such as '>=3.10' or '>=3.9,<3.14'."
        ) from None


def validate_env_requires_python(value: str) -> SpecifierSet:
    """Validate a ``CIBW_PROJECT_REQUIRES_PYTHON`` value."""
    return parse_requires_python(value, source=ENV_VAR)


def _from_pyproject(files: ProjectFiles) -> str | None:
    data = files.pyproject  # the one reader: bad UTF-8 or deep nesting are exit 2 as well
    project = None if data is None else data.get("project")
    if not isinstance(project, dict) or "requires-python" not in project:
        return None
    value = project["requires-python"]
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{files.pyproject_path}: [project].requires-python must be a string such as"
            f" '>=3.10', got {value!r}."
        )
    return value


def _from_setup_cfg(files: ProjectFiles) -> str | None:
    text = files.strict_text("setup.cfg", what="[options] python_requires")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as e:
        raise ConfigurationError(
            f"{files.package_dir / 'setup.cfg'}: cannot be read: {e}"
        ) from None
    if parser.has_option("options", "python_requires"):
        return parser.get("options", "python_requires")
    return None


def _is_name_main_test(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    operands = [test.left, test.comparators[0]]
    names = [o for o in operands if isinstance(o, ast.Name) and o.id == "__name__"]
    mains = [o for o in operands if isinstance(o, ast.Constant) and o.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def _literal_python_requires(call: ast.expr) -> list[str]:
    if not isinstance(call, ast.Call):
        return []
    return [
        keyword.value.value
        for keyword in call.keywords
        if keyword.arg == "python_requires"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, str)
    ]


def setup_py_python_requires(source: str) -> str | None:
    """A literal ``python_requires`` keyword of a call that is directly part of a top-level
    statement of setup.py (``setup(...)``, ``dist = setup(...)``), or of a statement directly
    inside ``if __name__ == "__main__":``. The last one wins and an empty string counts as
    none. Anything computed or nested deeper is ignored, as cibuildwheel does."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # cibuildwheel ignores a setup.py it cannot parse; deeply nested code makes the
        # parser itself give up with RecursionError or MemoryError
        return None
    statements: list[ast.stmt] = []
    for node in tree.body:
        statements.append(node)
        if _is_name_main_test(node):
            assert isinstance(node, ast.If)  # noqa: S101  # narrowed by _is_name_main_test
            statements.extend([*node.body, *node.orelse])
    found = [
        value
        for statement in statements
        for child in ast.iter_child_nodes(statement)
        if isinstance(child, ast.expr)
        for value in _literal_python_requires(child)
    ]
    return (found[-1] if found else "") or None


def _from_setup_py(files: ProjectFiles) -> str | None:
    source = files.strict_text("setup.py", what="python_requires")
    return None if source is None else setup_py_python_requires(source)


def find_requires_python_with_source(files: ProjectFiles) -> tuple[str, Path] | None:
    """The requires-python string and the file it came from, validated; None if not declared."""
    readers = (
        ("pyproject.toml", _from_pyproject, "[project].requires-python"),
        ("setup.cfg", _from_setup_cfg, "[options] python_requires"),
        ("setup.py", _from_setup_py, "python_requires"),
    )
    for name, reader, key in readers:
        value = reader(files)
        if value is not None:
            path = files.package_dir / name
            parse_requires_python(value, source=f"{path}: {key}")
            return value, path
    return None


def find_requires_python(files: ProjectFiles) -> str | None:
    """The project's declared requires-python (validated), or None if it declares none."""
    found = find_requires_python_with_source(files)
    return None if found is None else found[0]


def resolve_requires_python(files: ProjectFiles, environ: Mapping[str, str]) -> SpecifierSet | None:
    """What the build selector uses: CIBW_PROJECT_REQUIRES_PYTHON if set and non-empty, else the
    project's declaration, else None."""
    env_value = environ.get(ENV_VAR, "")
    if env_value:
        return validate_env_requires_python(env_value)
    value = find_requires_python(files)
    return None if value is None else SpecifierSet(value)
