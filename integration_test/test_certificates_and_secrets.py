"""The host's CA bundle in a container of any image, and secrets kept out of what we write.

One real run on an image derived from ours that trusts only Debian's public CAs (our bundle
removed, its variables pointed at the system bundle), as any image from a registry would. On
this machine PyPI is reached through a TLS-inspecting proxy whose CA only the host's bundle
holds, so the build (its isolated environment installs setuptools from PyPI, with the caches
off) works only because `ca-bundle` copied that bundle in and pointed pip at it. The same run
passes a secret through environment-pass, prints it from before-build, writes another into the
echoed command line, and runs as on GitHub Actions: the secrets are registered with
::add-mask:: before anything else, and appear nowhere else in the output, the job summary or
the build report; `plan --json` masks them too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import cli_env, copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.engine

HOST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # holds the proxy's CA on this machine
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # in the image: Debian's public CAs only
PASSED = "passed-value-8f3a91"  # environment-pass
HOST_TOKEN = "tok-123-abc-456"  # noqa: S105  # made up: a host variable named *TOKEN*
LITERAL = "literal-secret-789"  # assigned to MY_SECRET in `environment`
SECRETS = (PASSED, HOST_TOKEN, LITERAL)
NO_HOST_CA = {"SSL_CERT_FILE": "", "REQUESTS_CA_BUNDLE": "", "PIP_CERT": ""}


@pytest.fixture(scope="module")
def image_without_our_ca() -> Iterator[str]:
    base = ensure_image("docker", "bookworm")
    tag = f"cibuildwheel-like-test/no-ca:{uuid.uuid4().hex[:12]}"
    dockerfile = (
        f"FROM {base}\n"
        "RUN rm -f /etc/ssl/certs/cibuildwheel-like-ca-bundle.crt\n"
        f"ENV PIP_CERT={SYSTEM_BUNDLE} SSL_CERT_FILE={SYSTEM_BUNDLE}"
        f" REQUESTS_CA_BUNDLE={SYSTEM_BUNDLE}\n"
    )
    subprocess.run(
        ["docker", "build", "-q", "-t", tag, "-"],
        input=dockerfile.encode(),
        env={**cli_env({}), "DOCKER_BUILDKIT": "0"},
        capture_output=True,
        check=True,
        timeout=300,
    )
    try:
        yield tag
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, check=False)


def test_the_image_alone_cannot_reach_pypi(image_without_our_ca: str):
    """The control: without the copied bundle, TLS to PyPI fails in this image."""
    probe = subprocess.run(
        [
            "docker", "run", "--rm", image_without_our_ca, "python3", "-c",
            "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/', timeout=60)",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert probe.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in probe.stderr


def test_ca_bundle_reaches_any_image_and_secrets_stay_masked(
    tmp_path: Path, image_without_our_ca: str
):
    project = copy_example("c-extension", tmp_path)
    report = tmp_path / "report.json"
    summary = tmp_path / "summary.md"
    env = {
        **NO_HOST_CA,
        "CIBWL_CA_BUNDLE": HOST_BUNDLE,
        "CIBWL_CACHE": "false",  # nothing from a cache: the build's pip must reach PyPI
        "CIBW_MANYLINUX_X86_64_IMAGE": image_without_our_ca,
        "CIBW_BUILD": "cp311-manylinux*",
        "CIBW_TEST_COMMAND": "",
        "DEPLOY_KEY": PASSED,
        "UPLOAD_TOKEN": HOST_TOKEN,
        "CIBW_ENVIRONMENT_PASS": "DEPLOY_KEY",
        "CIBW_ENVIRONMENT": f'MY_SECRET="{LITERAL}"',
        "CIBW_BEFORE_BUILD": (
            f'echo "passed=$DEPLOY_KEY secret=$MY_SECRET"; echo "cert=$PIP_CERT" # {HOST_TOKEN}'
        ),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    run = run_cli(project, env, "--report", str(report), timeout=1200)
    assert run.returncode == 0
    assert len(run.wheels) == 1
    assert f"trusting the CA bundle {HOST_BUNDLE} in the container" in run.output
    assert "cert=/etc/ssl/certs/cibuildwheel-like-ca-bundle.crt" in run.output
    assert "Successfully built" in run.output  # setuptools came from PyPI through the proxy
    assert run.containers() == []

    lines = run.output.splitlines()
    masks = {f"::add-mask::{value}" for value in SECRETS}
    assert set(lines[: len(masks)]) == masks  # before anything else
    rest = "\n".join(lines[len(masks) :])
    assert "passed=*** secret=***" in rest  # before-build's own output
    assert f"# {HOST_TOKEN}" not in rest  # our echo of the command
    assert "# ***" in rest
    for value in SECRETS:
        assert value not in rest
        assert value not in report.read_text()
        assert value not in summary.read_text()
    assert json.loads(report.read_text())["builds"][0]["status"] == "built"

    plan = subprocess.run(
        [sys.executable, "-m", "cibuildwheel_like", "plan", "--json", "--platform", "linux"],
        cwd=project,
        env=cli_env(env),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    data = json.loads(plan.stdout)  # the masks went to stderr: stdout stays JSON
    (build,) = data["builds"]
    assert build["options"]["environment"]["value"] == 'MY_SECRET="***"'
    for value in SECRETS:
        assert value not in plan.stdout
    assert {f"::add-mask::{v}" for v in SECRETS} <= set(plan.stderr.splitlines())
