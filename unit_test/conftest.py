"""Unit tests never reach a container engine: the host-command seam refuses docker/podman."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like import hostcmd

if TYPE_CHECKING:
    from collections.abc import Iterator

_real_popen_init = subprocess.Popen.__init__


@pytest.fixture(autouse=True)
def _no_container_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    hostcmd.forbid_engines(forbid=True)

    def guarded_init(self, args, *a, **kw):  # type: ignore[no-untyped-def]
        argv = [args] if isinstance(args, str) else list(args)
        name = str(argv[0]).rsplit("/", 1)[-1] if argv else ""
        if name in {"docker", "podman"}:
            raise hostcmd.EngineForbiddenError(f"unit tests may not start an engine: {argv}")
        _real_popen_init(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", guarded_init)
    yield
    hostcmd.forbid_engines(forbid=False)
