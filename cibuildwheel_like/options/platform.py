"""The platform to build for (Linux only) and the identifier ``--only`` names.

As cibuildwheel 4.3.5: ``--platform`` beats ``CIBW_PLATFORM``, ``auto`` is the host's platform,
and ``--only`` takes the platform and architecture from the identifier, so it excludes both
``--platform`` and ``--archs``. The other platforms are refused with the advice to use
cibuildwheel itself.
"""

from __future__ import annotations

import difflib
import platform as host_platform
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cibuildwheel_like.options.model import PythonConfiguration

OTHER_PLATFORMS = ("macos", "windows", "pyodide", "ios", "android")


def check_platform(
    *, platform: str | None, only: str | None, archs: str | None, environ: Mapping[str, str]
) -> None:
    """--platform / CIBW_PLATFORM must mean Linux; --only excludes --platform and --archs."""
    if only is not None and platform is not None:
        raise ConfigurationError(
            "--platform cannot be used with --only: the platform comes from the identifier"
        )
    if only is not None and archs is not None:
        raise ConfigurationError(
            "--archs cannot be used with --only: the architecture comes from the identifier"
        )
    value = platform or environ.get("CIBW_PLATFORM", "") or "auto"
    source = "--platform" if platform else "CIBW_PLATFORM"
    if value in OTHER_PLATFORMS:
        raise ConfigurationError(
            f"{source}={value}: cibuildwheel-like builds Linux wheels only; use cibuildwheel"
            " itself for macOS, Windows, pyodide, iOS and Android (or --platform linux)"
        )
    if value not in {"auto", "linux"}:
        raise ConfigurationError(f"{source}={value}: unknown platform; use auto or linux")
    if value == "auto" and host_platform.system() != "Linux":
        raise ConfigurationError(
            f"platform auto means {host_platform.system()} on this machine, and"
            " cibuildwheel-like builds Linux wheels only: pass --platform linux"
        )


def only_configuration(only: str) -> PythonConfiguration:
    """The configuration ``--only`` names; ConfigurationError for anything else."""
    config = identifiers.get_configuration(only)
    if config is not None:
        return config
    if "linux_" not in only:
        raise ConfigurationError(
            f"--only {only}: not a Linux build identifier; cibuildwheel-like builds Linux wheels"
            " only"
        )
    close = difflib.get_close_matches(only, identifiers.all_identifiers(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigurationError(f"--only {only}: unknown build identifier.{hint}")
