"""The Linux build pipeline: plan groups run in real containers, stage by stage.

``execute(plan, globals, ctx)`` is the entry point; the stages live in small modules
(prepare, before_build, build, repair, test, deliver) over the state in ``state``.
"""

from __future__ import annotations

from cibuildwheel_like.pipeline.executor import execute

__all__ = ["execute"]
