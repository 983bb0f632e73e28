"""The host's CA bundle in every container (engine/certificates.py), through the fake container."""

from __future__ import annotations

from fakes import FakeEngine, build_options, context, global_options, no_preflight, plan_of

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import certificates
from cibuildwheel_like.images import recipe
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.pipeline.executor import execute

IDS = ("cp311-manylinux_x86_64", "cp312-manylinux_x86_64")
PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CA = str(certificates.CA_PATH)


def run(tmp_path, *, bundle: bool, **changes):
    engine = FakeEngine()
    path = tmp_path / "proxy-ca.pem"
    path.write_bytes(PEM)
    globals_ = global_options(tmp_path, ca_bundle=path if bundle else None)
    builds = [build_options(i, test_command="pytest", **changes) for i in IDS]
    execute(plan_of(builds, globals_), context(tmp_path), containers=engine, preflight=no_preflight)
    return engine.only


def test_the_bundle_is_written_and_pip_uv_requests_point_at_it(tmp_path):
    container = run(tmp_path, bundle=True)
    assert container.files[certificates.CA_PATH] == PEM
    builds = [e for e in container.execs if e.identifier]
    assert builds  # every command of both identifiers, the test installs included
    for done in builds:
        for name in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            assert done.env[name] == CA, (done.text, name)


def test_without_a_bundle_nothing_is_written_nor_set(tmp_path):
    container = run(tmp_path, bundle=False)
    assert certificates.CA_PATH not in container.files
    assert not any("PIP_CERT" in e.env for e in container.execs)


def test_the_users_environment_wins(tmp_path):
    environment = parse_environment("PIP_CERT=/etc/my.pem", option="environment")
    container = run(tmp_path, bundle=True, environment=environment)
    builds = [e for e in container.execs if e.identifier]
    assert {e.env["PIP_CERT"] for e in builds} == {"/etc/my.pem"}
    assert {e.env["SSL_CERT_FILE"] for e in builds} == {CA}


def test_our_images_use_the_same_path_and_variables():
    assert recipe.CA_PATH_IN_IMAGE == CA
    built = recipe.Recipe(
        suite=recipe.Suite.bookworm, arch=Arch.x86_64, mirror="m", ca_bundle_sha256="0"
    )
    provisioned = recipe.Provisioned(
        glibc=(2, 36),
        interpreters=("cp311-cp311",),
        policy="manylinux_2_36",
        policy_capped=False,
        auditwheel_version="6.8.0",
    )
    env = recipe.image_env(built, provisioned)
    assert {k: env[k] for k in certificates.CA_VARIABLES} == certificates.environment()
