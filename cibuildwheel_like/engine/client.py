"""Host-side questions to a container engine: is it there, how new, is an image local, its contents.

Everything goes through ``hostcmd``; nothing here starts a long-lived container (``run_in_image``
is a one-shot ``run --rm`` for checks).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import HostCommandError

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence
    from pathlib import Path

EngineName = Literal["docker", "podman"]
ENGINES: tuple[EngineName, ...] = ("docker", "podman")
MIN_DOCKER_API = (1, 41)
MIN_PODMAN = (3, 0)


def parse_engine(value: str) -> EngineName:
    if value == "docker":
        return "docker"
    if value == "podman":
        return "podman"
    raise ValueError(f"unknown container engine {value!r}; choose docker or podman")


def engine_found(engine: EngineName) -> str | None:
    """The engine CLI's path, or None."""
    return shutil.which(engine)


def _version_tuple(text: str) -> tuple[int, ...]:
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


@dataclasses.dataclass(frozen=True, kw_only=True)
class EngineVersion:
    engine: EngineName
    client: str
    server: str | None  # None: the daemon/service did not answer
    api: str | None  # Docker's server API version (podman: its compat API, informative)
    error: str = ""

    @property
    def reachable(self) -> bool:
        return self.server is not None

    def too_old(self) -> str | None:
        """Why this engine is too old for us, or None."""
        if self.engine == "docker":
            if self.api is None:
                return None
            if _version_tuple(self.api) < MIN_DOCKER_API:
                return f"Docker API {self.api} < 1.41 (Docker 20.10)"
            return None
        if self.server is not None and _version_tuple(self.server) < MIN_PODMAN:
            return f"Podman {self.server} < 3.0"
        return None


def parse_version_json(engine: EngineName, text: str, error: str = "") -> EngineVersion:
    """Parse ``docker version --format '{{json .}}'`` / ``podman version --format json``."""
    data = json.loads(text) if text.strip() else {}
    client = data.get("Client") or {}
    server = data.get("Server") or None
    if engine == "docker":
        return EngineVersion(
            engine=engine,
            client=str(client.get("Version", "?")),
            server=str(server["Version"]) if server else None,
            api=str(server.get("ApiVersion")) if server else None,
            error=error,
        )
    return EngineVersion(
        engine=engine,
        client=str(client.get("Version", "?")),
        server=str(server.get("Version")) if server else str(client.get("Version", "?")),
        api=str(server.get("APIVersion")) if server else None,
        error=error,
    )


def engine_version(engine: EngineName) -> EngineVersion:
    """Client and server versions; ``server`` is None when the daemon does not answer."""
    fmt = ["--format", "{{json .}}"] if engine == "docker" else ["--format", "json"]
    result = hostcmd.run([engine, "version", *fmt], capture=True, check=False, timeout=30)
    error = result.stderr.decode(errors="replace").strip()
    try:
        version = parse_version_json(engine, result.stdout.decode(errors="replace"), error)
    except json.JSONDecodeError:
        return EngineVersion(engine=engine, client="?", server=None, api=None, error=error)
    if result.returncode != 0 and engine == "docker":
        return dataclasses.replace(version, server=None, api=None)
    return version


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageInfo:
    ref: str
    id: str
    os: str
    architecture: str  # OCI: amd64, arm64, 386, ppc64le, s390x
    variant: str
    labels: Mapping[str, str]
    env: Mapping[str, str]

    @property
    def platform(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


def parse_image_inspect(ref: str, text: str) -> ImageInfo:
    """One image from ``<engine> image inspect`` JSON (a list of one object)."""
    data = json.loads(text)
    item = data[0] if isinstance(data, list) else data
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
