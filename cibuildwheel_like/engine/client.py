"""Host-side questions to a container engine: is it there, how new, is an image local, its contents.

The one owner of the engine version check (``check_engine``: the gate before a run, and what
``doctor`` reports) and of reading ``image inspect`` (``image_info`` -> ``ImageInfo``).
Everything goes through ``hostcmd``; nothing here starts a long-lived container (``run_in_image``
is a one-shot ``run --rm`` for checks).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from typing import TYPE_CHECKING

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import EngineTooOldError, HostCommandError

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from cibuildwheel_like.options.model import EngineName

# The minimum versions that know `--platform` on create/run/pull (cibuildwheel's own gate).
MIN_DOCKER_API = (1, 41)  # Docker 20.10
MIN_PODMAN = (3, 0)
MINIMUMS = "Docker >= 20.10 (API 1.41) or Podman >= 3.0"  # the two lines above, for messages
_DEBIAN_PACKAGE: Mapping[EngineName, str] = {"docker": "docker.io", "podman": "podman"}
BOOTSTRAP_HINT = "scripts/bootstrap-host.sh (as root, on Debian)"


def engine_found(engine: EngineName) -> str | None:
    """The engine CLI's path, or None."""
    return shutil.which(engine)


def version_tuple(text: str) -> tuple[int, ...]:
    """The leading numeric components: ``20.10.24+dfsg1`` -> (20, 10, 24), ``4.3.1-rc1`` ->
    (4, 3, 1); stops at the first component that does not start with a digit."""
    parts: list[int] = []
    for piece in text.split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


@dataclasses.dataclass(frozen=True, kw_only=True)
class EngineVersion:
    """What ``<engine> version`` said. Docker's API versions decide what it can do (the client
    negotiates down to the daemon's); Podman's own version does."""

    engine: EngineName
    client: str
    client_api: str | None  # Docker: the negotiated client API; Podman: None
    server: str | None  # None: the daemon/service did not answer
    api: str | None  # Docker's server API version (podman: its compat API, informative)
    error: str = ""

    @property
    def reachable(self) -> bool:
        return self.server is not None

    def too_old(self) -> str | None:
        """Why this engine is too old for us (naming the versions found and the minimum), or
        None. Versions that were not reported are not held against the engine."""
        match self.engine:
            case "docker":
                apis = [version_tuple(a) for a in (self.client_api, self.api) if a]
                if not apis or min(apis) >= MIN_DOCKER_API:
                    return None
                return (
                    f"Docker API {_dotted(min(apis))} (client {self.client}, server"
                    f" {self.server or '?'}) is older than {_dotted(MIN_DOCKER_API)}"
                    " (Docker 20.10), the first that knows --platform"
                )
            case "podman":
                found = version_tuple(self.server or self.client)
                if not found or found >= MIN_PODMAN:
                    return None
                return (
                    f"Podman {self.server or self.client} is older than {_dotted(MIN_PODMAN)},"
                    " the first that knows --platform"
                )


def install_fix(engine: EngineName) -> str:
    return f"apt-get install {_DEBIAN_PACKAGE[engine]}, or run {BOOTSTRAP_HINT}"


def start_fix(engine: EngineName) -> str:
    match engine:
        case "docker":
            return (
                "start the daemon: `dockerd &` or `systemctl start docker`;"
                f" or run {BOOTSTRAP_HINT}"
            )
        case "podman":
            return "check `podman info`; as root, set default_ulimits in containers.conf"


def upgrade_fix(engine: EngineName) -> str:
    other = "podman" if engine == "docker" else "docker"
    return (
        f"upgrade {engine} (Debian 12's docker.io 20.10 and podman 4.3 are enough),"
        f" or set container-engine = '{other}'"
    )


def parse_version_json(engine: EngineName, text: str, error: str = "") -> EngineVersion:
    """Parse ``docker version --format '{{json .}}'`` / ``podman version --format json``.

    Local Podman has no ``Server`` section: the client is the engine, so its version stands in.
    """
    data = json.loads(text) if text.strip() else {}
    client = data.get("Client") or {}
    server = data.get("Server") or None
    client_version = str(client.get("Version", "?"))
    match engine:
        case "docker":
            return EngineVersion(
                engine=engine,
                client=client_version,
                client_api=str(client["ApiVersion"]) if client.get("ApiVersion") else None,
                server=str(server["Version"]) if server else None,
                api=str(server.get("ApiVersion")) if server else None,
                error=error,
            )
        case "podman":
            return EngineVersion(
                engine=engine,
                client=client_version,
                client_api=None,
                server=str(server.get("Version")) if server else client_version,
                api=str(server.get("APIVersion")) if server else None,
                error=error,
            )


def engine_version(engine: EngineName) -> EngineVersion:
    """Client and server versions; ``server`` is None when the daemon does not answer."""
    fmt = ["--format", "{{json .}}"] if engine == "docker" else ["--format", "json"]
    result = hostcmd.run([engine, "version", *fmt], capture=True, check=False, timeout=30)
    error = result.stderr.decode(errors="replace").strip()
    unreachable = EngineVersion(
        engine=engine, client="?", client_api=None, server=None, api=None, error=error
    )
    try:
        version = parse_version_json(engine, result.stdout.decode(errors="replace"), error)
    except (json.JSONDecodeError, AttributeError):
        return unreachable
    if result.returncode != 0:
        # Docker prints its client half and exits 1 when the daemon is down; a failing podman
        # (e.g. "error setting rlimit") cannot run containers either.
        return dataclasses.replace(version, server=None, api=None)
    return version


def check_engine(engine: EngineName) -> EngineVersion:
    """The pre-flight gate of a run: ``engine`` is installed, answers and knows ``--platform``.

    Raises EngineTooOldError (exit 7, as cibuildwheel) naming the engine, the version found,
    the minimum and the fix; returns what ``<engine> version`` reported."""
    if engine_found(engine) is None:
        raise EngineTooOldError(
            f"container engine {engine} is not installed (`{engine}` is not on PATH); it must be"
            f" {MINIMUMS}. Fix: {install_fix(engine)}."
        )
    version = engine_version(engine)
    if not version.reachable:
        said = version.error.splitlines()[-1] if version.error else "no answer"
        raise EngineTooOldError(
            f"container engine {engine} (client {version.client}) does not answer"
            f" `{engine} version`: {said}. Fix: {start_fix(engine)}."
        )
    reason = version.too_old()
    if reason is not None:
        raise EngineTooOldError(
            f"container engine {engine} is too old: {reason}. Fix: {upgrade_fix(engine)}."
        )
    return version


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageInfo:
    """The facts of a local image we use: platform, labels and environment."""

    ref: str
    id: str
    os: str
    architecture: str  # OCI: amd64, arm64, 386, ppc64le, s390x
    variant: str
    labels: Mapping[str, str]
    env: Mapping[str, str]

    @property
    def platform(self) -> str:
        """``os/architecture[/variant]`` as the image records it."""
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base

    def platform_like(self, wanted: str) -> str:
        """The image's platform spelled like ``wanted``: the variant only counts when
        ``wanted`` names one (linux/arm/v7), since arm64 images often record a ``v8``
        that ``linux/arm64`` leaves out."""
        if wanted.count("/") == 2:  # noqa: PLR2004  # os/arch/variant
            return self.platform
        return f"{self.os}/{self.architecture}"


def parse_image_inspect(ref: str, text: str) -> ImageInfo:
    """One image from ``<engine> image inspect`` JSON (a list of one object); the one reader of
    that output (docker and podman spell these keys alike)."""
    data = json.loads(text)
    item = (data[0] if data else {}) if isinstance(data, list) else data
    config = item.get("Config") or {}
    env: dict[str, str] = {}
    for entry in config.get("Env") or []:
        key, _, value = str(entry).partition("=")
        env[key] = value
    return ImageInfo(
        ref=ref,
        id=str(item.get("Id", "")),
        os=str(item.get("Os", "")),
        architecture=str(item.get("Architecture", "")),
        variant=str(item.get("Variant", "") or ""),
        labels={str(k): str(v) for k, v in (config.get("Labels") or {}).items()},
        env=env,
    )


def image_info(engine: EngineName, ref: str) -> ImageInfo | None:
    """The local image ``ref``, or None when it is not in the engine's store."""
    result = hostcmd.run([engine, "image", "inspect", ref], capture=True, check=False, timeout=60)
    if result.returncode != 0:
        return None
    return parse_image_inspect(ref, result.stdout.decode(errors="replace"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageIdentity:
    """Which image a container really runs: its ID and the registry digests it is known by
    (none for a locally built image), whatever tag pointed at it then or later."""

    id: str = ""
    repo_digests: tuple[str, ...] = ()


def container_image(engine: EngineName, container: str) -> ImageIdentity:
    """The image ``container`` was created from; an empty identity when the engine cannot say."""
    result = hostcmd.run(
        [engine, "container", "inspect", container], capture=True, check=False, timeout=60
    )
    if result.returncode != 0:
        return ImageIdentity()
    data = json.loads(result.stdout.decode(errors="replace") or "[]")
    item = (data[0] if data else {}) if isinstance(data, list) else data
    image_id = str(item.get("Image", "") or "")
    if not image_id:
        return ImageIdentity()
    image = hostcmd.run(
        [engine, "image", "inspect", image_id], capture=True, check=False, timeout=60
    )
    digests: tuple[str, ...] = ()
    if image.returncode == 0:
        found = json.loads(image.stdout.decode(errors="replace") or "[]")
        first = (found[0] if found else {}) if isinstance(found, list) else found
        digests = tuple(sorted(str(d) for d in first.get("RepoDigests") or ()))
    return ImageIdentity(id=image_id, repo_digests=digests)


def local_image_refs(engine: EngineName) -> list[str]:
    """Every tagged image in the engine's local store, as ``repository:tag`` (untagged
    ``<none>`` images left out); raises HostCommandError when the engine does not answer."""
    result = hostcmd.run(
        [engine, "images", "--format", "{{.Repository}}:{{.Tag}}"],
        capture=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace").strip()
        raise HostCommandError(f"{engine} images failed: {error or 'no answer'}")
    refs = result.stdout.decode(errors="replace").split()
    return list(dict.fromkeys(ref for ref in refs if "<none>" not in ref))


def image_exists(engine: EngineName, ref: str) -> bool:
    return image_info(engine, ref) is not None


def run_in_image(
    engine: EngineName,
    ref: str,
    argv: Sequence[str],
    *,
    platform: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[bytes]:
    """A one-shot ``run --rm`` without network, for checks; returns the completed process."""
    args: list[str] = [engine, "run", "--rm", "--network=none", "--entrypoint="]
    if platform:
        args += ["--platform", platform]
    args += [ref, *argv]
    return hostcmd.run(args, capture=True, check=False, timeout=timeout)


def build_image(
    engine: EngineName,
    *,
    context_dir: Path,
    tag: str,
    platform: str,
    log: Path,
) -> None:
    """Build ``context_dir/Dockerfile`` (FROM scratch) for ``platform``; output goes to ``log``.

    Docker uses the classic builder (BuildKit is not in Debian 12's docker.io, and
    ``docker import`` ignores ``--platform`` on 20.10): it records ``--platform`` as the image's.
    """
    env = dict(os.environ)
    args: list[str] = [engine, "build", "--platform", platform, "-t", tag]
    if engine == "docker":
        env["DOCKER_BUILDKIT"] = "0"
    else:
        args += ["--layers=false"]
    args.append(str(context_dir))
    returncode, tail = hostcmd.run_logged(args, log, env=env, tail_lines=10)
    if returncode != 0:
        raise HostCommandError(
            f"{engine} build of {tag} failed (exit {returncode}); log: {log}\n{tail}"
        )


def remove_image(engine: EngineName, ref: str) -> None:
    hostcmd.run([engine, "image", "rm", "-f", ref], capture=True, check=False)
