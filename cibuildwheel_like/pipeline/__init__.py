"""The Linux build pipeline: plan groups run in real containers, stage by stage.

``execute(plan, ctx, on_result=...)`` is the entry point; the stages live in small modules
(prepare, before_build, build, repair, test, deliver) over the state in ``state``, and reach the
container only through the ``state.BuildContainer`` protocol.
"""

from __future__ import annotations

from cibuildwheel_like.pipeline.executor import execute

__all__ = ["execute"]
