"""images/recipe.py: suites, image names, packages, interpreter tags, policies and metadata."""

from __future__ import annotations

import json

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.options import image_choice
from cibuildwheel_like.options.model import PythonConfiguration


def test_image_name():
    assert r.image_name(r.Suite.bookworm, Arch.x86_64) == "cibuildwheel-like/debian-bookworm:x86_64"
    assert r.image_name(r.Suite.sid, Arch.aarch64) == "cibuildwheel-like/debian-sid:aarch64"
    assert r.IMAGE_NAME_PATTERN == "cibuildwheel-like/debian-SUITE:ARCH"


@pytest.mark.parametrize("suite", list(r.Suite))
@pytest.mark.parametrize("arch", r.BUILD_ARCHS)
def test_parse_image_name_round_trip(suite: r.Suite, arch: Arch):
    assert r.parse_image_name(r.image_name(suite, arch)) == (suite, arch)


@pytest.mark.parametrize(
    "ref",
    [
        "cibuildwheel-like/debian-buster:x86_64",  # not a suite we know
        "cibuildwheel-like/debian-bookworm:sparc",  # not an arch
        "cibuildwheel-like/debian-bookworm",  # no tag
        "quay.io/pypa/manylinux_2_28_x86_64",
        "debian-bookworm",  # the option's short name, not an image
    ],
)
def test_parse_image_name_other_references(ref: str):
    assert r.parse_image_name(ref) is None


def test_suites_and_their_facts():
    assert [s.value for s in r.Suite] == ["bullseye", "bookworm", "trixie", "sid"]
    assert set(r.SUITES) == set(r.Suite)
    assert r.SUITES[r.Suite.bookworm].glibc == (2, 36)
    assert r.SUITES[r.Suite.sid].glibc is None  # rolling
    assert r.DEFAULT_SUITE is r.Suite.bookworm


def test_options_ask_the_recipe_for_suites_and_names():
    """`debian-<suite>` in an image option names the image the recipe builds, for every suite."""
    assert {s.value: f.glibc for s, f in r.SUITES.items()} == image_choice.DEBIAN_SUITES
    config = PythonConfiguration(
        identifier="cp311-manylinux_aarch64", version="3.11", path="/opt/python/cp311-cp311"
    )
    option = image_choice.image_option_name(config)
    for suite in r.Suite:
        described = image_choice.describe_image(
            f"debian-{suite.value}", config=config, option=option
        )
        assert described.reference == r.image_name(suite, Arch.aarch64)


def test_apt_sources_keep_a_frozen_suite_usable():
    text = r.apt_sources(r.Suite.sid, "http://deb.debian.org/debian")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["deb [check-valid-until=no] http://deb.debian.org/debian sid main"]


def test_packages_per_suite():
    sid = r.debootstrap_packages(r.Suite.sid)
    for version in ("3.13", "3.14", "3.15"):
        assert f"python{version}-dev" in sid
        assert f"python{version}-venv" in sid
    assert {"pypy3", "pypy3-venv", "pypy3-dev"} <= set(sid)
    bullseye = r.debootstrap_packages(r.Suite.bullseye)
    assert "python3-distutils" in bullseye
    assert "python3.9-venv" in bullseye
    bookworm = r.debootstrap_packages(r.Suite.bookworm)
    assert "build-essential" in bookworm
    assert "pypy3" not in bookworm
    assert len(bookworm) == len(set(bookworm))


def test_parse_suite_unknown():
    with pytest.raises(ValueError, match="bookworm"):
        r.parse_suite("buster")


@pytest.mark.parametrize(
    ("probe", "tag"),
    [
        ("cpython 3 11 0 cpython-311-x86_64-linux-gnu", "cp311-cp311"),
        ("cpython 3 14 1 cpython-314t-x86_64-linux-gnu", "cp314-cp314t"),
        ("cpython 3 9 0 cpython-39-i386-linux-gnu", "cp39-cp39"),
        ("pypy 3 11 0 pypy311-pp73-x86_64-linux-gnu", "pp311-pypy311_pp73"),
        ("pypy 3 11 0 pypy311-pp73", "pp311-pypy311_pp73"),
    ],
)
def test_interpreter_tag(probe, tag):
    assert r.interpreter_tag(probe) == tag


def test_interpreter_tag_rejects_garbage():
    with pytest.raises(ValueError, match="unexpected"):
        r.interpreter_tag("cpython 3")
    with pytest.raises(ValueError, match="unsupported"):
        r.interpreter_tag("graalpy 3 11 0 x")


def test_interpreter_candidates():
    names = ["python3", "python3.9", "python3.14t", "python3.13-config", "pypy3", "python3.14", "x"]
    assert r.interpreter_candidates(names) == ["python3.9", "python3.14", "python3.14t", "pypy3"]


def test_auditwheel_requirement():
    assert r.auditwheel_requirement((3, 9)) == "auditwheel==6.4.2"
    assert r.auditwheel_requirement((3, 11)) == "auditwheel"


STATUS = """Package: libc-bin
Status: install ok installed
Version: 2.36-9+deb12u10

Package: libc6
Status: install ok installed
Priority: optional
Version: 2.36-9+deb12u10
Description: GNU C Library
 continuation line: with colon
"""


def test_glibc_from_dpkg_status():
    assert r.glibc_from_dpkg_status(STATUS) == (2, 36)
    with pytest.raises(ValueError, match="libc6"):
        r.glibc_from_dpkg_status("Package: bash\nStatus: install ok installed\nVersion: 5.2\n")


POLICIES = json.dumps(
    [
        {"name": "linux", "aliases": []},
        {"name": "manylinux_2_5", "aliases": ["manylinux1"]},
        {"name": "manylinux_2_17", "aliases": ["manylinux2014"]},
        {"name": "manylinux_2_36", "aliases": []},
        {"name": "manylinux_2_41", "aliases": []},
    ]
)


def test_choose_policy():
    known = r.known_policies(POLICIES)
    assert known == [(2, 5), (2, 17), (2, 36), (2, 41)]
    exact = r.choose_policy((2, 36), known)
    assert exact == r.PolicyChoice(policy="manylinux_2_36", capped=False)
    assert exact.plat(Arch.aarch64) == "manylinux_2_36_aarch64"
    capped = r.choose_policy((2, 43), known)
    assert capped == r.PolicyChoice(policy="manylinux_2_41", capped=True)
    between = r.choose_policy((2, 31), known)
    assert between.policy == "manylinux_2_17"
    with pytest.raises(ValueError, match="no manylinux policy"):
        r.choose_policy((2, 3), known)


def _recipe(**kw):
    base = {
        "suite": r.Suite.bookworm,
        "arch": Arch.x86_64,
        "mirror": "http://deb.debian.org/debian",
        "ca_bundle_sha256": "0" * 64,
    }
    base.update(kw)
    return r.Recipe(**base)


def test_recipe_digest_stable_and_sensitive(monkeypatch: pytest.MonkeyPatch):
    assert _recipe().digest == _recipe().digest
    before = _recipe().digest
    monkeypatch.setattr(r, "RECIPE_VERSION", "previous")
    assert _recipe().digest != before  # a version bump rebuilds every image
    monkeypatch.undo()
    assert _recipe(mirror="http://other/debian").digest == _recipe().digest
    assert _recipe(arch=Arch.aarch64).digest != _recipe().digest
    assert _recipe(suite=r.Suite.sid).digest != _recipe().digest
    assert _recipe(ca_bundle_sha256="1" * 64).digest != _recipe().digest


def test_env_labels_dockerfile():
    recipe = _recipe(arch=Arch.aarch64)
    provisioned = r.Provisioned(
        glibc=(2, 36),
        interpreters=("cp311-cp311",),
        policy="manylinux_2_36",
        policy_capped=False,
        auditwheel_version="6.8.2",
    )
    assert r.Provisioned.from_json(provisioned.to_json()) == provisioned
    env = r.image_env(recipe, provisioned)
    assert env["AUDITWHEEL_PLAT"] == "manylinux_2_36_aarch64"
    assert env["AUDITWHEEL_ARCH"] == "aarch64"
    assert env["PIP_CERT"] == env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"]
    labels = r.image_labels(recipe, provisioned)
    assert labels["org.cibuildwheel-like.recipe"] == recipe.digest
    assert labels["org.cibuildwheel-like.glibc"] == "2.36"
    assert labels["org.cibuildwheel-like.interpreters"] == "cp311-cp311"
    text = r.dockerfile(env=env, labels=labels, tarball="rootfs.tar")
    assert text.startswith("FROM scratch\nADD rootfs.tar /\n")
    assert 'AUDITWHEEL_PLAT="manylinux_2_36_aarch64"' in text
    assert '"org.cibuildwheel-like.suite"="bookworm"' in text
    assert text.count("\nENV ") == 1
    assert text.count("\nLABEL ") == 1
