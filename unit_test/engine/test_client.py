from __future__ import annotations

import json

import pytest

from cibuildwheel_like.engine import client as ei
from cibuildwheel_like.hostcmd import EngineForbiddenError

DOCKER_VERSION = {
    "Client": {"Version": "28.2.2", "ApiVersion": "1.41"},
    "Server": {"Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12"},
}


def test_docker_version_parse():
    v = ei.parse_version_json("docker", json.dumps(DOCKER_VERSION))
    assert v.reachable
    assert v.server == "20.10.24+dfsg1"
    assert v.too_old() is None
    old = dict(DOCKER_VERSION, Server={"Version": "19.03", "ApiVersion": "1.40"})
    assert "1.40" in (ei.parse_version_json("docker", json.dumps(old)).too_old() or "")
    unreachable = ei.parse_version_json("docker", json.dumps({"Client": {"Version": "28"}}))
    assert not unreachable.reachable


def test_podman_version_parse():
    text = json.dumps({"Client": {"Version": "4.3.1"}, "Server": {"Version": "4.3.1"}})
    v = ei.parse_version_json("podman", text)
    assert v.server == "4.3.1"
    assert v.too_old() is None
    old = json.dumps({"Client": {"Version": "2.1.0"}})
    assert "Podman 2.1.0" in (ei.parse_version_json("podman", old).too_old() or "")


def test_parse_image_inspect():
    text = json.dumps(
        [
            {
                "Id": "sha256:abc",
                "Os": "linux",
                "Architecture": "arm64",
                "Variant": "v8",
                "Config": {
                    "Env": ["AUDITWHEEL_PLAT=manylinux_2_36_aarch64", "X=a=b"],
                    "Labels": {"org.cibuildwheel-like.suite": "bookworm"},
                },
            }
        ]
    )
    info = ei.parse_image_inspect("img", text)
    assert info.platform == "linux/arm64/v8"
    assert info.env["X"] == "a=b"
    assert info.labels["org.cibuildwheel-like.suite"] == "bookworm"


def test_parse_engine():
    assert ei.parse_engine("podman") == "podman"
    with pytest.raises(ValueError, match="docker or podman"):
        ei.parse_engine("nerdctl")


def test_unit_tests_cannot_reach_the_engine():
    with pytest.raises(EngineForbiddenError):
        ei.image_info("docker", "anything")
