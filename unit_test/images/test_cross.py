"""Cross images (images build --cross): packages, script, labels, digest and Dockerfile from the
recipe; the refusals that need no engine."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import Cache
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import build, cross, runtime
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from pathlib import Path

BOOKWORM = "cibuildwheel-like/debian-bookworm:x86_64"


def test_cross_names_and_targets() -> None:
    name = r.cross_image_name(r.Suite.bookworm, Arch.x86_64)
    assert name == "cibuildwheel-like/debian-bookworm-cross:x86_64"
    assert r.parse_cross_image_name(name) == (r.Suite.bookworm, Arch.x86_64)
    assert r.parse_image_name(name) is None
    assert r.parse_runtime_image_name(name) is None
    assert cross.cross_targets(Arch.x86_64) == (Arch.aarch64, Arch.ppc64le, Arch.s390x)
    assert cross.cross_targets(Arch.aarch64) == (Arch.ppc64le, Arch.s390x)  # never the host itself


def test_cross_packages_are_debians_names() -> None:
    # As on the mirror for bullseye, bookworm, trixie and sid (apt-cache policy, Nov 2026).
    assert cross.cross_packages(Arch.x86_64) == (
        "gcc-aarch64-linux-gnu",
        "g++-aarch64-linux-gnu",
        "gfortran-aarch64-linux-gnu",
        "libc6-dev-arm64-cross",
        "gcc-powerpc64le-linux-gnu",
        "g++-powerpc64le-linux-gnu",
        "gfortran-powerpc64le-linux-gnu",
        "libc6-dev-ppc64el-cross",
        "gcc-s390x-linux-gnu",
        "g++-s390x-linux-gnu",
        "gfortran-s390x-linux-gnu",
        "libc6-dev-s390x-cross",
    )


def test_cross_script_installs_cleans_and_checks() -> None:
    script = cross.cross_script(Arch.x86_64, "2.36")
    steps = script.split("; ")
    assert steps[:2] == ["set -eu", "apt-get update -q"]
    assert "--no-install-recommends " + " ".join(cross.cross_packages(Arch.x86_64)) in script
    # the package lists and downloaded .debs are not left in the layer
    assert steps.index("rm -rf /var/lib/apt/lists/*") > steps.index("apt-get clean") > 1
    for t in ("aarch64-linux-gnu", "powerpc64le-linux-gnu", "s390x-linux-gnu"):
        assert f"for c in {t}-gcc {t}-g++ {t}-gcc-ar {t}-gfortran; do command -v $c" in script
        assert f'v=$({t}-gcc -dumpfullversion); [ "$v" = "$native" ]' in script
    assert "native=$(gcc -dumpfullversion)" in script
    # the cross glibc must be the build image's: 2.36-8cross1 passes, 2.35 or 2.360 would not
    assert re.search(r'case "\$\{v%%-\*\}" in 2\.36\|2\.36\.\*\)', script)
    assert "libc6-dev-s390x-cross is $v, not glibc 2.36" in script
    assert "x86_64-linux-gnu-gcc" not in script


def _labels(**changes: str) -> dict[str, str]:
    values = {"build_digest": "abc", "build_image_id": "sha256:1", "glibc": "2.36", **changes}
    return cross.cross_labels(
        build_digest=values["build_digest"],
        build_image=BOOKWORM,
        build_image_id=values["build_image_id"],
        host=Arch.x86_64,
        glibc=values["glibc"],
    )


def test_cross_labels_and_digest() -> None:
    labels = _labels()
    p = r.LABEL_PREFIX
    assert labels == {
        f"{p}.variant": "cross",
        f"{p}.cross-of": BOOKWORM,
        f"{p}.cross-targets": "aarch64,ppc64le,s390x",
        f"{p}.cross-glibc": "2.36",
        f"{p}.cross-recipe-version": cross.CROSS_RECIPE_VERSION,
        f"{p}.recipe": cross.cross_digest(
            build_digest="abc", build_image_id="sha256:1", host=Arch.x86_64, glibc="2.36"
        ),
    }
    # a new build recipe, the same recipe rebuilt (another image ID) or another glibc: rebuilt
    digests = {
        _labels()[f"{p}.recipe"],
        _labels(build_digest="abd")[f"{p}.recipe"],
        _labels(build_image_id="sha256:2")[f"{p}.recipe"],
        _labels(glibc="2.41")[f"{p}.recipe"],
    }
    assert len(digests) == 4
    assert cross.cross_digest(
        build_digest="abc", build_image_id="sha256:1", host=Arch.x86_64, glibc="2.36"
    ) != runtime.runtime_digest("abc", "sha256:1")


def test_cross_dockerfile() -> None:
    script = cross.cross_script(Arch.x86_64, "2.36")
    text = r.layer_dockerfile(base=BOOKWORM, script=script, labels={"a": "b", "c": "d"})
    assert text.splitlines() == [
        f"FROM {BOOKWORM}",
        f"RUN {cross.cross_script(Arch.x86_64, '2.36')}",
        'LABEL "a"="b" \\',
        '    "c"="d"',
    ]


def _request(**changes: object) -> build.BuildRequest:
    values: dict[str, object] = {"suite": r.Suite.bookworm, "arch": Arch.x86_64, **changes}
    return build.BuildRequest(engine="docker", **values)  # type: ignore[arg-type]


def test_cross_refuses_a_foreign_arch() -> None:
    cross.check_request(_request(), host=Arch.x86_64)  # the build machine's arch: fine
    for arch in (Arch.aarch64, Arch.i686, Arch.s390x):
        with pytest.raises(ConfigurationError) as info:
            cross.check_request(_request(arch=arch), host=Arch.x86_64)
        message = str(info.value)
        assert message.startswith(f"--arch {arch.value} --cross: a cross image runs on the build")
        assert "machine (x86_64)" in message
        assert "pass --arch x86_64 or leave --arch out" in message


def test_cross_refuses_tag_and_other_build_machines(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="--tag me/img:1 cannot be used with --cross"):
        cross.build_cross(
            _request(tag="me/img:1"),
            cache=Cache(root=tmp_path),
            progress=lambda _m: None,
            note=lambda _m: None,
        )
    with pytest.raises(ConfigurationError, match="made for x86_64 build machines only"):
        cross.check_request(_request(arch=Arch.aarch64), host=Arch.aarch64)


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        (BOOKWORM, ("build", r.Suite.bookworm, Arch.x86_64)),
        ("cibuildwheel-like/debian-sid-runtime:aarch64", ("runtime", r.Suite.sid, Arch.aarch64)),
        ("cibuildwheel-like/debian-trixie-cross:x86_64", ("cross", r.Suite.trixie, Arch.x86_64)),
        (
            "localhost/cibuildwheel-like/debian-bookworm-cross:x86_64",
            ("cross", r.Suite.bookworm, Arch.x86_64),
        ),
        ("cibuildwheel-like/debian-buster-cross:x86_64", None),
        ("cibuildwheel-like/debian-bookworm-cross", None),
        ("cibuildwheel-like-bench/debian-bookworm:x86_64", None),
        ("quay.io/pypa/manylinux_2_28_x86_64", None),
    ],
)
def test_parse_our_image_name(ref: str, parsed: object) -> None:
    assert r.parse_our_image_name(ref) == parsed


def test_build_command_for_each_variant() -> None:
    base = "cibuildwheel-like images build --suite bookworm --arch x86_64"
    assert r.build_command(BOOKWORM, "docker") == f"{base} --engine docker"
    runtime = "cibuildwheel-like/debian-bookworm-runtime:x86_64"
    assert r.build_command(runtime, "podman") == f"{base} --runtime --engine podman"
    cross_ref = "cibuildwheel-like/debian-bookworm-cross:x86_64"
    assert r.build_command(cross_ref, "docker") == f"{base} --cross --engine docker"
    # names the recipe cannot make get no command
    assert r.build_command("cibuildwheel-like/debian-bookworm-cross:aarch64", "docker") is None
    assert r.build_command("cibuildwheel-like/debian-bookworm:riscv64", "docker") is None
    assert r.build_command("debian:bookworm", "docker") is None
