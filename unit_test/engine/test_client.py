"""engine/client.py: the one engine version check and the one reader of `image inspect`."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client as ei
from cibuildwheel_like.engine import image_pull
from cibuildwheel_like.errors import EngineTooOldError, FatalError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cibuildwheel_like.options.model import EngineName

# `docker version --format '{{json .}}'` from Debian 12's dockerd 20.10 and a 28.x client
# (trimmed to the keys we read, plus a few we do not).
DOCKER_VERSION: dict[str, Any] = {
    "Client": {"Version": "28.2.2", "ApiVersion": "1.41", "DefaultAPIVersion": "1.50"},
    "Server": {
        "Platform": {"Name": ""},
        "Components": [{"Name": "Engine", "Version": "20.10.24+dfsg1"}],
        "Version": "20.10.24+dfsg1",
        "ApiVersion": "1.41",
        "MinAPIVersion": "1.12",
    },
}
# `podman version --format json` from Debian 12's podman 4.3 (local: no Server section).
PODMAN_LOCAL = {"Client": {"APIVersion": "4.3.1", "Version": "4.3.1", "OsArch": "linux/amd64"}}


def _docker(client_api: str = "1.41", server_api: str | None = "1.41", server: str = "20.10.24"):
    data: dict[str, Any] = {"Client": {"Version": "28.2.2", "ApiVersion": client_api}}
    data["Server"] = {"Version": server, "ApiVersion": server_api} if server_api else None
    return json.dumps(data)


# -- version parsing ----------------------------------------------------------------------------


def test_docker_version_parse_real_output():
    v = ei.parse_version_json("docker", json.dumps(DOCKER_VERSION))
    assert v == ei.EngineVersion(
        engine="docker",
        client="28.2.2",
        client_api="1.41",
        server="20.10.24+dfsg1",
        api="1.41",
    )
    assert v.reachable
    assert v.too_old() is None


def test_docker_too_old_server_names_versions_and_minimum():
    reason = ei.parse_version_json("docker", _docker(server_api="1.40", server="19.03")).too_old()
    assert reason is not None
    assert "Docker API 1.40" in reason
    assert "server 19.03" in reason
    assert "1.41 (Docker 20.10)" in reason


def test_docker_too_old_client_counts_too():
    """The client negotiates down: an old client cannot pass --platform to a new daemon."""
    reason = ei.parse_version_json("docker", _docker(client_api="1.39")).too_old()
    assert reason is not None
    assert "Docker API 1.39" in reason
    assert "client 28.2.2" in reason


def test_docker_daemon_down_is_unreachable_and_not_judged():
    down = json.dumps({"Client": {"Version": "28.2.2", "ApiVersion": "1.41"}, "Server": None})
    v = ei.parse_version_json("docker", down)
    assert not v.reachable
    assert v.api is None
    assert v.too_old() is None


def test_podman_local_version_parse():
    v = ei.parse_version_json("podman", json.dumps(PODMAN_LOCAL))
    assert v.server == v.client == "4.3.1"  # local podman: the client is the engine
    assert v.reachable
    assert v.too_old() is None


def test_podman_remote_uses_the_server_version():
    text = json.dumps({"Client": {"Version": "4.3.1"}, "Server": {"Version": "2.2.1"}})
    reason = ei.parse_version_json("podman", text).too_old()
    assert reason is not None
    assert "Podman 2.2.1" in reason
    assert "3.0" in reason


@pytest.mark.parametrize(
    ("version", "old"), [("2.1.0", True), ("3.0.0", False), ("4.3.1-dev", False), ("5.0", False)]
)
def test_podman_minimum(version: str, old: bool):
    v = ei.parse_version_json("podman", json.dumps({"Client": {"Version": version}}))
    assert (v.too_old() is not None) is old


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20.10.24+dfsg1", (20, 10, 24)), ("1.41", (1, 41)), ("4.3.1-rc1", (4, 3, 1)), ("?", ())],
)
def test_version_tuple(text: str, expected: tuple[int, ...]):
    assert ei.version_tuple(text) == expected


# -- engine_version through the host seam -------------------------------------------------------


def _fake_run(monkeypatch: pytest.MonkeyPatch, *, returncode: int, stdout: str, stderr: str = ""):
    seen: list[list[str]] = []

    def run(args: Sequence[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        seen.append([str(a) for a in args])
        return subprocess.CompletedProcess(args, returncode, stdout.encode(), stderr.encode())

    monkeypatch.setattr(ei.hostcmd, "run", run)
    return seen


def test_engine_version_docker_down(monkeypatch: pytest.MonkeyPatch):
    """docker prints its client half and exits 1 when the daemon does not answer."""
    half = json.dumps({"Client": {"Version": "28.2.2", "ApiVersion": "1.41"}})
    seen = _fake_run(monkeypatch, returncode=1, stdout=half, stderr="Cannot connect\nis it up?")
    v = ei.engine_version("docker")
    assert seen == [["docker", "version", "--format", "{{json .}}"]]
    assert not v.reachable
    assert v.client == "28.2.2"
    assert v.error.endswith("is it up?")


def test_engine_version_podman_garbage(monkeypatch: pytest.MonkeyPatch):
    seen = _fake_run(monkeypatch, returncode=125, stdout="", stderr="error setting rlimit type 7")
    v = ei.engine_version("podman")
    assert seen == [["podman", "version", "--format", "json"]]
    assert not v.reachable
    assert "rlimit" in v.error


# -- check_engine: the gate before a run -----------------------------------------------------


def _engine(monkeypatch: pytest.MonkeyPatch, *, found: bool, version: ei.EngineVersion | None):
    monkeypatch.setattr(ei, "engine_found", lambda e: f"/usr/bin/{e}" if found else None)
    monkeypatch.setattr(ei, "engine_version", lambda _e: version)


def test_check_engine_passes_a_new_engine(monkeypatch: pytest.MonkeyPatch):
    good = ei.parse_version_json("docker", json.dumps(DOCKER_VERSION))
    _engine(monkeypatch, found=True, version=good)
    assert ei.check_engine("docker") == good


@pytest.mark.parametrize("engine", ["docker", "podman"])
def test_check_engine_missing(monkeypatch: pytest.MonkeyPatch, engine: EngineName):
    _engine(monkeypatch, found=False, version=None)
    with pytest.raises(EngineTooOldError) as info:
        ei.check_engine(engine)
    assert info.value.exit_code == 7
    message = str(info.value)
    assert f"container engine {engine} is not installed" in message
    assert "Docker >= 20.10 (API 1.41) or Podman >= 3.0" in message
    assert ei.install_fix(engine) in message


def test_check_engine_unreachable(monkeypatch: pytest.MonkeyPatch):
    down = ei.EngineVersion(
        engine="docker", client="28.2.2", client_api="1.41", server=None, api=None, error="x\nno"
    )
    _engine(monkeypatch, found=True, version=down)
    with pytest.raises(EngineTooOldError) as info:
        ei.check_engine("docker")
    message = str(info.value)
    assert "docker (client 28.2.2) does not answer `docker version`: no." in message
    assert "systemctl start docker" in message


def test_check_engine_too_old_names_engine_version_minimum_and_fix(
    monkeypatch: pytest.MonkeyPatch,
):
    old = ei.parse_version_json("docker", _docker(server_api="1.40", server="19.03.15"))
    _engine(monkeypatch, found=True, version=old)
    with pytest.raises(EngineTooOldError) as info:
        ei.check_engine("docker")
    assert info.value.exit_code == 7
    message = str(info.value)
    assert message.startswith("container engine docker is too old: Docker API 1.40")
    assert "19.03.15" in message
    assert "1.41 (Docker 20.10)" in message
    assert "upgrade docker" in message
    assert "container-engine = 'podman'" in message


def test_check_engine_podman_too_old(monkeypatch: pytest.MonkeyPatch):
    old = ei.parse_version_json("podman", json.dumps({"Client": {"Version": "2.1.1"}}))
    _engine(monkeypatch, found=True, version=old)
    with pytest.raises(EngineTooOldError, match=r"podman is too old: Podman 2\.1\.1 .* 3\.0"):
        ei.check_engine("podman")


def test_the_executor_gate_is_this_check():
    """The gate a run goes through is the unit-tested one (no second copy in container.py)."""
    from cibuildwheel_like.engine import container  # noqa: PLC0415
    from cibuildwheel_like.pipeline import executor  # noqa: PLC0415

    assert executor.check_engine is ei.check_engine
    assert not hasattr(container, "check_engine")


# -- image inspect ------------------------------------------------------------------------------

DOCKER_INSPECT = [
    {
        "Id": "sha256:abc",
        "Os": "linux",
        "Architecture": "arm64",
        "Variant": "v8",
        "Config": {
            "Env": ["AUDITWHEEL_PLAT=manylinux_2_36_aarch64", "X=a=b", "EMPTY="],
            "Labels": {"org.cibuildwheel-like.suite": "bookworm"},
        },
    }
]
# podman's inspect has the same keys, with null for what is missing.
PODMAN_INSPECT = [
    {
        "Id": "0123",
        "Os": "linux",
        "Architecture": "amd64",
        "Config": {"Env": None, "Labels": None},
    }
]


def test_parse_image_inspect_docker():
    info = ei.parse_image_inspect("img", json.dumps(DOCKER_INSPECT))
    assert info.ref == "img"
    assert info.id == "sha256:abc"
    assert info.platform == "linux/arm64/v8"
    assert info.env == {"AUDITWHEEL_PLAT": "manylinux_2_36_aarch64", "X": "a=b", "EMPTY": ""}
    assert info.labels == {"org.cibuildwheel-like.suite": "bookworm"}


def test_parse_image_inspect_podman_nulls():
    info = ei.parse_image_inspect("img", json.dumps(PODMAN_INSPECT))
    assert info.platform == "linux/amd64"
    assert info.variant == ""
    assert info.env == {}
    assert info.labels == {}


def test_platform_like_compares_the_variant_only_when_wanted_names_one():
    arm64 = ei.parse_image_inspect("img", json.dumps(DOCKER_INSPECT))
    assert arm64.platform_like("linux/arm64") == "linux/arm64"
    assert arm64.platform_like("linux/arm/v7") == "linux/arm64/v8"


def test_image_info(monkeypatch: pytest.MonkeyPatch):
    seen = _fake_run(monkeypatch, returncode=0, stdout=json.dumps(PODMAN_INSPECT))
    info = ei.image_info("podman", "ref")
    assert seen == [["podman", "image", "inspect", "ref"]]
    assert info is not None
    assert info.architecture == "amd64"
    _fake_run(monkeypatch, returncode=1, stdout="[]", stderr="no such image")
    assert ei.image_info("podman", "ref") is None
    assert not ei.image_exists("podman", "ref")


def test_the_image_platform_is_read_through_image_info(monkeypatch: pytest.MonkeyPatch):
    _fake_run(monkeypatch, returncode=0, stdout=json.dumps(DOCKER_INSPECT))
    no_output: Any = None  # not reached: no pull
    assert image_pull.platform_to_run("docker", "img", Arch.aarch64, no_output) == "linux/arm64"
    with pytest.raises(FatalError, match="is for linux/arm64, but x86_64 builds need linux/amd64"):
        image_pull.platform_to_run("docker", "img", Arch.x86_64, no_output)


def test_unit_tests_cannot_reach_the_engine(host_guard: Any):
    with pytest.raises(host_guard.error):
        ei.image_info("docker", "anything")
