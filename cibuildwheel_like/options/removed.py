"""Settings earlier cibuildwheel versions had and 4.3.5 refuses: each gets exit 2 and its fix.

cibuildwheel 4.3.5 refuses, when a run starts, the environment variable
``CIBW_FREE_THREADED_SUPPORT`` (set at all, whatever its value) and the ``{python}`` / ``{pip}``
placeholders in ``test-command`` and ``before-build``. The file key ``free-threaded-support`` is
an unknown key there (exit 2 too); ``RETIRED_KEYS`` gives our unknown-key message its fix.
We answer all of them while resolving options, before any engine is contacted: the variable in
``Resolver.validate``, the placeholders in ``Resolver.build_options`` for each selected
identifier (overrides included), as cibuildwheel checks them for the selected builds only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

FREE_THREADED_FIX = (
    "free-threaded CPython (cp314t, cp315t) is built by default now; remove the setting"
    " (use skip = '*t-*' to leave free-threaded builds out)"
)

# Configuration-file keys that no longer exist, with what to do instead.
RETIRED_KEYS: Mapping[str, str] = {"free-threaded-support": FREE_THREADED_FIX}

# Options whose commands may not use the removed placeholders.
PLACEHOLDER_OPTIONS = ("test-command", "before-build")
_PLACEHOLDERS = ("{python}", "{pip}")


def check_environment(environ: Mapping[str, str]) -> None:
    """Refuse removed environment variables (presence is enough, as in cibuildwheel)."""
    if "CIBW_FREE_THREADED_SUPPORT" in environ:
        raise ConfigurationError(
            "CIBW_FREE_THREADED_SUPPORT is no longer supported (removed in cibuildwheel 3):"
            f" {FREE_THREADED_FIX}; unset CIBW_FREE_THREADED_SUPPORT."
        )


def check_placeholders(name: str, command: str, *, option: str) -> None:
    """Refuse ``{python}`` / ``{pip}`` in test-command or before-build (named ``option``)."""
    if name not in PLACEHOLDER_OPTIONS:
        return
    used = [p for p in _PLACEHOLDERS if p in command]
    if used:
        fixed = command.replace("{python}", "python").replace("{pip}", "pip")
        raise ConfigurationError(
            f"{option} = {command!r}: the {' and '.join(used)} placeholder"
            f"{'s are' if len(used) > 1 else ' is'} no longer supported (removed in"
            " cibuildwheel 3); write python and pip instead, which run the build's own Python:"
            f" {fixed!r}"
        )
