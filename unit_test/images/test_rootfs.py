"""images/rootfs.py: the parts that need no root: mirrors, mounts and the cache layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import Cache
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.images import rootfs

if TYPE_CHECKING:
    from pathlib import Path


def test_builder_keeps_its_files_in_the_run_cache(tmp_path: Path):
    """The one cache setting (Cache, from CIBW_CACHE_PATH) decides where root filesystems go."""
    recipe = r.Recipe(
        suite=r.Suite.trixie,
        arch=Arch.x86_64,
        mirror="http://deb.debian.org/debian",
        ca_bundle_sha256="0" * 64,
    )
    cache = Cache(root=tmp_path / "cache")
    builder = rootfs.RootfsBuilder(
        recipe, cache=cache, ca_bundle=tmp_path / "ca.pem", progress=print, host=Arch.x86_64
    )
    assert builder.workdir == tmp_path / "cache" / "images" / f"trixie-x86_64-{recipe.digest}"
    assert builder.tarball.parent == builder.workdir
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()
    assert not hasattr(rootfs, "cache_root")  # no second cache setting (CIBWL_CACHE_DIR)


def test_default_mirror_deb822_and_list(tmp_path: Path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n"
    )
    assert rootfs.default_mirror(tmp_path) == "http://mirror.example/debian"
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://one.example/debian bookworm main\n"
    )
    assert rootfs.default_mirror(tmp_path) == "http://one.example/debian"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert rootfs.default_mirror(empty) == "http://deb.debian.org/debian"


def test_mounts_below_outermost_first(tmp_path: Path):
    root = tmp_path / "rootfs"
    text = "\n".join(
        [
            "proc /proc proc rw 0 0",
            f"proc {root}/proc proc rw 0 0",
            f"sysfs {root}/sys sysfs rw 0 0",
            f"udev {root}/dev/pts devpts rw 0 0",
            f"udev {root}/dev devtmpfs rw 0 0",
            f"tmpfs {root}x/other tmpfs rw 0 0",
        ]
    )
    assert rootfs.mounts_below(root, text) == [
        f"{root}/dev",
        f"{root}/proc",
        f"{root}/sys",
        f"{root}/dev/pts",
    ]
