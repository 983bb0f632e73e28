"""Runtime images (images build --runtime): names, labels, digest and Dockerfile, from the
recipe; the one refusal that needs no engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import Cache
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import build, runtime
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from pathlib import Path


def test_runtime_image_names() -> None:
    name = r.runtime_image_name(r.Suite.bookworm, Arch.x86_64)
    assert name == "cibuildwheel-like/debian-bookworm-runtime:x86_64"
    assert r.parse_runtime_image_name(name) == (r.Suite.bookworm, Arch.x86_64)
    assert r.parse_image_name(name) is None  # not a build image
    assert r.parse_runtime_image_name(r.image_name(r.Suite.sid, Arch.aarch64)) is None
    for other in ("cibuildwheel-like/debian-potato-runtime:x86_64", "debian:bookworm", ""):
        assert r.parse_runtime_image_name(other) is None


@pytest.mark.parametrize("suite", list(r.Suite))
@pytest.mark.parametrize("arch", r.BUILD_ARCHS)
def test_runtime_names_round_trip(suite: r.Suite, arch: Arch) -> None:
    assert r.parse_runtime_image_name(r.runtime_image_name(suite, arch)) == (suite, arch)


def test_runtime_labels_and_digest() -> None:
    labels = runtime.runtime_labels(
        build_digest="abc",
        build_image="cibuildwheel-like/debian-bookworm:x86_64",
        build_image_id="sha256:1",
    )
    p = r.LABEL_PREFIX
    assert labels[f"{p}.variant"] == "runtime"
    assert labels[f"{p}.runtime-of"] == "cibuildwheel-like/debian-bookworm:x86_64"
    assert labels[f"{p}.recipe"] == runtime.runtime_digest("abc", "sha256:1")
    assert labels[f"{p}.auditwheel"] == ""  # removed from the runtime image
    # a new build recipe, or the same recipe rebuilt (another image ID), makes a new runtime image
    assert runtime.runtime_digest("abc", "sha256:1") != runtime.runtime_digest("abd", "sha256:1")
    assert runtime.runtime_digest("abc", "sha256:1") != runtime.runtime_digest("abc", "sha256:2")
    assert runtime.runtime_digest("abc", "sha256:1") != runtime.runtime_digest(
        r.Recipe(suite=r.Suite.bookworm, arch=Arch.x86_64, mirror="m", ca_bundle_sha256="0").digest,
        "x",
    )


def test_runtime_dockerfile_purges_and_checks() -> None:
    text = r.layer_dockerfile(
        base="cibuildwheel-like/debian-bookworm:x86_64",
        script=runtime.RUNTIME_SCRIPT,
        labels={"a": "b"},
    )
    lines = text.splitlines()
    assert lines[0] == "FROM cibuildwheel-like/debian-bookworm:x86_64"
    assert lines[1] == f"RUN {runtime.RUNTIME_SCRIPT}"
    assert lines[2] == 'LABEL "a"="b"'
    assert "apt-get purge -y" in runtime.RUNTIME_SCRIPT
    assert "import venv, ensurepip" in runtime.RUNTIME_SCRIPT  # every interpreter still makes venvs
    for tool in ("gcc", "cc", "make"):
        assert tool in runtime.RUNTIME_ABSENT_TOOLS


@pytest.mark.parametrize(
    ("package", "purged"),
    [
        ("libpython3.11-dev", True),
        ("zlib1g-dev", True),
        ("gcc", True),
        ("gcc-12", True),
        ("g++-12", True),
        ("cpp-12", True),
        ("binutils-x86-64-linux-gnu", True),
        ("build-essential", True),
        ("make", True),
        ("dpkg-dev", True),
        ("ccache", True),
        ("gcc-12-base", False),  # libgcc-s1 needs it: essential
        ("libgcc-s1", False),
        ("python3.11", False),
        ("python3.11-venv", False),
        ("libstdc++6", False),
        ("dpkg", False),
    ],
)
def test_what_the_runtime_image_purges(package: str, purged: bool) -> None:
    import re  # noqa: PLC0415

    assert bool(re.search(runtime.RUNTIME_PURGED, package)) is purged


def test_runtime_refuses_tag(tmp_path: Path) -> None:
    request = build.BuildRequest(
        suite=r.Suite.bookworm, arch=Arch.x86_64, engine="docker", tag="me/img:1"
    )
    with pytest.raises(ConfigurationError, match="--tag me/img:1 cannot be used with --runtime"):
        runtime.build_runtime(
            request, cache=Cache(root=tmp_path), progress=lambda _m: None, note=lambda _m: None
        )
