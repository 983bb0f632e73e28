"""The same pipeline with Podman (its own image store: images build --engine podman)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine


def test_c_extension_with_podman(tmp_path: Path):
    ensure_image("podman", "bookworm")
    env = {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
        "CIBW_BUILD": "cp311-manylinux*",
    }
    run = run_cli(copy_example("c-extension", tmp_path), env, engine="podman")
    assert run.returncode == 0
    assert [w.name.split("-")[2] for w in run.wheels] == ["cp311"]
    assert "manylinux_2_36_x86_64" in run.wheels[0].name
    assert "4 passed" in run.output
    assert run.containers() == []
