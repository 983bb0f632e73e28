"""The run context: state built once in ``cli.main`` and passed down (no import-time globals)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from cibuildwheel_like.output.console import Output


@dataclasses.dataclass(frozen=True, kw_only=True)
class Context:
    output: Output
    environ: Mapping[str, str]  # the host environment as read at start-up
    cwd: Path
