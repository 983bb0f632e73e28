"""uv in the build container: for the uv frontends (build-frontend = "uv" or "build[uv]", as
cibuildwheel uses it), for the `build` frontend's isolated environment (build-installer = auto |
uv) and for the test environments (test-installer = auto | uv).

cibuildwheel runs uv from the image's PATH (manylinux and musllinux images ship it). Our Debian
images have none, so uv is put into the container's tools directory once per container:

1. from the host cache, with the caches on and no `dependency-versions` file: the ``uv`` binary
   of uv's wheel for the arch (a self-contained executable), downloaded once per arch and libc by
   the host's pip under a file lock and renamed into place, then copied in (no network, no pip
   run in the container, which matters most under QEMU);
2. otherwise (or when that binary does not run there) from PyPI by the container's pip: the
   group's first Python makes a small tools venv, its pip (with the image's CA and pip settings,
   the identifier's `environment` and the constraints file) installs uv as a wheel.

Only ``uv`` is linked into ``tools/bin``, appended to PATH, so the tools venv's python and pip
never shadow the build's. An image (or a before-all) that provides uv is used as is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import BuildStepError
from cibuildwheel_like.pipeline import tool_wheels
from cibuildwheel_like.pipeline.argv import MAKE_VENV
from cibuildwheel_like.pipeline.tool_wheels import ToolWheel

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like import hostcmd
    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.options.model import FrontendConfig
    from cibuildwheel_like.pipeline.state import BuildRun

UV_FRONTENDS = frozenset({"uv", "build[uv]"})
UV_REQUIREMENT = "uv"

INSTALL_HINT = (
    "installing uv from PyPI failed. The container needs access to a package index: set"
    " PIP_INDEX_URL (and PIP_CERT for a private CA) in `environment`, use an image that has"
    " `uv` on PATH (the manylinux and musllinux images do), or choose build-frontend = 'build'."
)

# Links only uv and uvx, so the tools venv's python and pip never shadow the build's.
_LINK = (
    'mkdir -p "$2" && ln -sf "$1/uv" "$2/uv" && { [ ! -e "$1/uvx" ] || ln -sf "$1/uvx" "$2/uvx"; }'
)
# $1 the tools directory. Lines: the mark (the probe ran), "path PATH" for a uv on PATH or
# already in the tools, "none REASON" when an earlier build of this container found none, and
# "pipconf FILE" for each pip configuration file (uv does not read them).
_PROBE_MARK = "cibuildwheel-like-uv-probe"
_PROBE = f"""echo {_PROBE_MARK}
if p=$(command -v uv); then echo "path $p"
elif [ -x "$1/bin/uv" ]; then echo "path $1/bin/uv"
elif [ -e "$1/no-uv" ]; then echo "none $(head -n 1 "$1/no-uv")"
fi
for f in "${{PIP_CONFIG_FILE:-}}" /etc/pip.conf /etc/xdg/pip/pip.conf "$HOME/.pip/pip.conf" \\
    "$HOME/.config/pip/pip.conf"; do
  [ -n "$f" ] && [ -f "$f" ] && echo "pipconf $f"
done
exit 0
"""

# pip settings with the same meaning for uv (translated by uv_environment) and those that do
# not change what gets installed. Any other PIP_* variable (or a pip configuration file) is
# something uv would silently ignore, so test-installer = auto installs with pip instead.
_PIP_TO_UV = {"PIP_INDEX_URL": "UV_INDEX_URL", "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL"}
_PIP_HARMLESS = frozenset(
    {
        "PIP_CERT",  # becomes SSL_CERT_FILE
        "PIP_CACHE_DIR",
        "PIP_DISABLE_PIP_VERSION_CHECK",
        "PIP_ROOT_USER_ACTION",
        "PIP_PROGRESS_BAR",
        "PIP_NO_COLOR",
        "PIP_NO_INPUT",
        "PIP_DEFAULT_TIMEOUT",
        "PIP_RETRIES",
        "PIP_NO_WARN_SCRIPT_LOCATION",
        "PIP_BREAK_SYSTEM_PACKAGES",
        "PIP_QUIET",
        "PIP_VERBOSE",
    }
)


def uses_uv(frontend: FrontendConfig) -> bool:
    """Both uv frontends need `uv` on PATH (uv build; build --installer=uv), as in cibuildwheel."""
    return frontend.name in UV_FRONTENDS


def with_path_entry(path: str, directory: PurePosixPath) -> str:
    """``directory`` appended to a PATH value, so every entry already there keeps precedence."""
    entries = [e for e in path.split(":") if e]
    if str(directory) in entries:
        return path
    return ":".join([*entries, str(directory)])


def uv_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for uv commands: pip's index and CA settings in uv's names, unless uv's own are
    set. uv reads SSL_CERT_FILE (our images set it); a user's PIP_CERT alone would not reach it."""
    result = dict(env)
    if "PIP_CERT" in env and "SSL_CERT_FILE" not in env:
        result["SSL_CERT_FILE"] = env["PIP_CERT"]
    for pip_name, uv_name in _PIP_TO_UV.items():
        if pip_name in env and uv_name not in env and "UV_DEFAULT_INDEX" not in env:
            result[uv_name] = env[pip_name]
    return result


def build_environment(env: Mapping[str, str], uv: PurePosixPath) -> dict[str, str]:
    """``env`` for a build whose requirements ``uv`` installs (pypa/build's uv installer finds
    it on PATH): uv's names for the index and CA settings, and uv's folder on PATH."""
    result = uv_environment(env)
    result["PATH"] = with_path_entry(result.get("PATH", ""), uv.parent)
    return result


def pip_settings_uv_ignores(env: Mapping[str, str]) -> list[str]:
    """The PIP_* variables of ``env`` that uv would not honour (sorted)."""
    known = _PIP_HARMLESS | _PIP_TO_UV.keys()
    return sorted(k for k in env if k.startswith("PIP_") and k not in known)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Probe:
    """What a container offers for uv, from one command (see _PROBE)."""

    ran: bool  # False: the command printed no mark (it did not run as a shell script)
    uv: PurePosixPath | None = None  # a uv on PATH or already in the tools directory
    unavailable: str = ""  # why an earlier build of this container could not get uv
    pip_config_files: tuple[str, ...] = ()


def parse_probe(text: str) -> Probe:
    lines = text.splitlines()
    if _PROBE_MARK not in lines:
        return Probe(ran=False)
    uv: PurePosixPath | None = None
    unavailable = ""
    configs: list[str] = []
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "path" and rest:
            uv = PurePosixPath(rest.strip())
        elif kind == "none":
            unavailable = rest.strip() or "uv could not be installed"
        elif kind == "pipconf" and rest:
            configs.append(rest.strip())
    return Probe(ran=True, uv=uv, unavailable=unavailable, pip_config_files=tuple(configs))


def probe(build: BuildRun, env: Mapping[str, str] | None = None) -> Probe:
    tools = str(build.run.paths.tools)
    result = build.run.container.run(
        ["sh", "-c", _PROBE, "sh", tools],
        env=build.env if env is None else env,
        cwd=PurePosixPath("/"),
        capture=True,
    )
    return parse_probe(result.stdout) if result.returncode == 0 else Probe(ran=False)


def mark_unavailable(build: BuildRun, reason: str) -> None:
    """Remembered in the container, so later builds of this container do not try again."""
    marker = build.run.paths.tools / "no-uv"
    build.run.container.write_file(marker, (reason.replace("\n", " ") + "\n").encode())


def wheel_platforms(arch: Arch, *, musl: bool) -> list[str]:
    """pip's ``--platform`` values for uv's wheel: the oldest baseline first (any image of that
    libc runs it), then manylinux_2_31 for arches uv builds only against a newer glibc."""
    if musl:
        return [f"musllinux_1_1_{arch.value}"]
    return [f"manylinux2014_{arch.value}", f"manylinux_2_31_{arch.value}"]


def cached_binary(cache: Cache, arch: Arch, *, musl: bool, warn: hostcmd.Echo) -> Path | None:
    """uv's binary for ``arch`` from the host cache (``tool_wheels``), downloaded by the host's
    pip on the first call; None when that failed. ``run --clean-cache`` drops it, so the next
    run gets a newer uv."""
    libc = "musllinux" if musl else "manylinux"
    tool = ToolWheel(
        requirement=UV_REQUIREMENT,
        script="uv",
        platforms=tuple(wheel_platforms(arch, musl=musl)),
        folder=("tools", "uv", f"{libc}_{arch.value}"),
    )
    return tool_wheels.cached_binary(
        cache, tool, warn=warn, then="uv is installed from PyPI in each container instead"
    )


def _version(build: BuildRun, uv: PurePosixPath, env: Mapping[str, str]) -> str:
    """``uv 0.13.9`` when the binary runs in this container, else "". A uv that ran once is
    not asked again in this container (it is never replaced); one that did not may be."""
    known = build.run.uv_versions.get(str(uv))
    if known:
        return known
    result = build.run.container.run(
        [str(uv), "--version"], env=env, cwd=PurePosixPath("/"), capture=True
    )
    words = result.stdout.split()[:2] if result.returncode == 0 else []
    version = " ".join(words) if words[:1] == ["uv"] else ""
    if version:
        build.run.uv_versions[str(uv)] = version
    return version


def ensure_uv(build: BuildRun, *, known: Probe | None = None) -> PurePosixPath:
    """The directory to add to PATH for `uv`; puts uv there on the first call in a container.
    A BuildStepError when neither the cache nor the container's pip can provide it."""
    run = build.run
    link_dir = run.paths.tools / "bin"
    if run.uv_installed:
        return link_dir
    found = known if known is not None else probe(build)
    # No cached binary with a constraints file: dependency-versions may pin uv, and only the
    # container's pip applies the file. A probe that did not run: nothing to copy into.
    if found.ran and run.globals.cache_enabled and not run.has_constraints:
        version = _from_cache(build, link_dir)
        if version:
            run.uv_installed = True
            run.ctx.output.info(
                f"{build.identifier}: the image has no `uv` on PATH; copied {version} from the"
                f" cache into {link_dir} (once for this container) and put it on PATH"
            )
            return link_dir
    version = _from_pypi(build, link_dir)
    run.uv_installed = True
    run.ctx.output.info(
        f"{build.identifier}: the image has no `uv` on PATH; installed {version or 'uv'} from"
        f" PyPI into {run.paths.tools} (once for this container) and put {link_dir} on PATH"
        " for the build and test steps"
    )
    return link_dir


def _from_cache(build: BuildRun, link_dir: PurePosixPath) -> str:
    """Copies the host's cached uv in; its version when it runs here, else "" (not copied)."""
    run = build.run
    arch = run.group.arch
    musl = "musllinux" in build.identifier
    binary = cached_binary(run.ctx.cache, arch, musl=musl, warn=run.ctx.output.warning)
    if binary is None:
        return ""
    target = link_dir / "uv"
    run.container.copy_in(binary, target)
    version = _version(build, target, build.env)
    if not version:
        build.capture(["rm", "-f", "--", str(target)])
        run.ctx.output.info(
            f"{build.identifier}: the cached uv for {arch.value} does not run in"
            f" {run.group.image}; installing uv from PyPI instead"
        )
    return version


def _from_pypi(build: BuildRun, link_dir: PurePosixPath) -> str:
    """The tools venv and its pip; its version when it runs, else ""."""
    run = build.run
    tools = run.paths.tools
    venv = tools / "venv"
    first_python_bin = PurePosixPath(run.group.builds[0].config.path) / "bin"
    env = dict(build.env)
    env["PATH"] = f"{first_python_bin}:{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)
    env["PIP_ONLY_BINARY"] = UV_REQUIREMENT  # never a build of uv from its sdist
    if run.has_constraints:
        env["PIP_CONSTRAINT"] = str(run.paths.constraints)
    shown = f"{first_python_bin / 'python'} -m venv {venv} (a tools environment for uv)"
    build.call(["sh", "-c", MAKE_VENV, "sh", str(venv)], env=env, shown=shown, hint=INSTALL_HINT)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", UV_REQUIREMENT]
    build.call(pip, env=env, hint=INSTALL_HINT)
    build.capture(
        ["sh", "-c", _LINK, "sh", str(venv / "bin"), str(link_dir)], env=env, cwd=PurePosixPath("/")
    )
    return _version(build, link_dir / "uv", env)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FoundUv:
    """The uv a build's container offers for test-installer / build-installer = auto | uv."""

    uv: PurePosixPath | None  # None: no uv can run here
    reason: str = ""  # why not, when uv is None
    pip_config_files: tuple[str, ...] = ()  # pip configuration uv would not read


def find_uv(build: BuildRun) -> FoundUv:
    """The uv for this build's test or build environment. Probed once per build (one command:
    uv on PATH or in the tools, pip configuration files); installed once per container, and a
    failure to install it is remembered in the container."""
    if build.found_uv is None:
        build.found_uv = _find_uv(build)
    return build.found_uv


def _find_uv(build: BuildRun) -> FoundUv:
    found = probe(build)
    if not found.ran:
        return FoundUv(uv=None, reason="the container did not answer the uv probe")
    configs = found.pip_config_files
    if found.uv is not None:
        return FoundUv(uv=found.uv, pip_config_files=configs)
    if found.unavailable:
        return FoundUv(uv=None, reason=found.unavailable, pip_config_files=configs)
    try:
        link_dir = ensure_uv(build, known=found)
    except BuildStepError as e:
        reason = f"installing uv failed ({e})"
    else:
        if _version(build, link_dir / "uv", build.env):
            return FoundUv(uv=link_dir / "uv", pip_config_files=configs)
        reason = "the installed uv does not run here"
        build.run.uv_installed = False
    mark_unavailable(build, reason)
    return FoundUv(uv=None, reason=reason, pip_config_files=configs)


def uv_for_build_env(build: BuildRun, flags: Sequence[str]) -> PurePosixPath | None:
    """The uv that installs the `build` frontend's isolated environment (build-installer), or
    None for pip: another frontend, no isolation, build-installer = pip, no uv here, or (auto)
    pip settings uv would ignore."""
    options = build.options
    setting = options.build_installer
    if options.build_frontend.name != "build" or setting == "pip":
        return None
    if {"-n", "--no-isolation"} & set(flags):
        return None
    found = find_uv(build)
    output = build.run.ctx.output
    if found.uv is None:
        if setting == "uv":
            raise build.fail(
                f"build-installer = 'uv', but uv cannot run in {build.run.group.image}"
                f" ({build.run.group.arch.value}): {found.reason}. Use build-installer = 'auto' (uv"
                " where it runs, else pip) or 'pip'."
            )
        output.info(f"{build.identifier}: build requirements installed with pip: {found.reason}")
        return None
    ignored = [*pip_settings_uv_ignores(build.env), *found.pip_config_files]
    if ignored and setting == "auto":
        output.info(
            f"{build.identifier}: build requirements installed with pip, not uv: uv would"
            f" ignore {', '.join(ignored)}"
        )
        return None
    if ignored:
        output.warning(
            f"{build.identifier}: the build requirements are installed with uv (build-installer"
            f" = 'uv'), which ignores {', '.join(ignored)}; set the matching UV_* variables in"
            " `environment` instead"
        )
    return found.uv
