"""The one cache setting: CIBW_CACHE_PATH, else the user cache directory; tagged on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import platformdirs

from cibuildwheel_like.context import Cache

if TYPE_CHECKING:
    from pathlib import Path


def test_cache_path_from_environment_is_resolved_against_cwd(tmp_path: Path) -> None:
    cache = Cache.from_environ({"CIBW_CACHE_PATH": "cibw-cache"}, cwd=tmp_path)
    assert cache.root == tmp_path / "cibw-cache"
    made = cache.directory("images", "x")
    assert made == tmp_path / "cibw-cache" / "images" / "x"
    assert made.is_dir()
    tag = (tmp_path / "cibw-cache" / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_cache_default_is_the_user_cache_directory(tmp_path: Path) -> None:
    cache = Cache.from_environ({"CIBW_CACHE_PATH": "  "}, cwd=tmp_path)
    assert cache.root == platformdirs.user_cache_path("cibuildwheel-like")
    assert not (tmp_path / "CACHEDIR.TAG").exists()
