"""Hostile or broken build output: a repair command that leaves links, devices, directories,
escapes and junk next to its wheel gets only the one wheel delivered (the rest refused by name);
a wheel whose zip is corrupt never reaches the output directory.

Two runs on the bookworm image (tests skipped: the repair output is the point).
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, ensure_image, run_cli

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

BASE = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
    "CIBW_BUILD": "cp311-manylinux*",
    "CIBW_TEST_SKIP": "*",
    # the repair commands copy the unrepaired linux_x86_64 wheel: delivery is the point here
    "CIBWL_ALLOW_LINUX_TAG": "1",
}

# A real wheel, and around it: a link to a host-ish file, a link that climbs out with `..`, a
# link to a wheel outside {dest_dir}, a character device and a FIFO named like wheels, a
# directory holding another wheel, a hidden wheel-like file, a file written outside through
# `..`, and 300 MB of junk.
HOSTILE = (
    "cp {wheel} {dest_dir}/ && cd {dest_dir}"
    " && ln -s /etc/passwd evil.whl"
    " && ln -s ../../../etc/shadow dotdot.whl"
    " && cp {wheel} /tmp/outside.whl && ln -s /tmp/outside.whl outside.whl"
    " && mknod dev.whl c 1 3 && mkfifo fifo.whl"
    " && mkdir sub && cp {wheel} sub/"
    " && cp {wheel} .hidden.whl"
    " && cp {wheel} ../escaped.whl"
    " && truncate -s 300M junk.bin"
)


@pytest.fixture(autouse=True)
def _bookworm() -> None:
    ensure_image("docker", "bookworm")


def test_only_the_one_regular_wheel_is_delivered_and_the_rest_is_named(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    run = run_cli(project, {**BASE, "CIBW_REPAIR_WHEEL_COMMAND": HOSTILE})
    assert run.returncode == 0
    (wheel,) = run.wheels
    assert [p.name for p in run.wheelhouse.iterdir()] == [wheel.name]  # nothing else, no junk
    assert wheel.name.endswith("-cp311-cp311-linux_x86_64.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
    refused = run.output.split("Refused: ", 1)[1]
    for text in (
        "'evil.whl' (a symbolic link to '/etc/passwd')",
        "'dotdot.whl' (a symbolic link to '../../../etc/shadow')",
        "'outside.whl' (a symbolic link to '/tmp/outside.whl')",
        "'dev.whl' (a device, FIFO or socket)",
        "'fifo.whl' (a device, FIFO or socket)",
        "'sub' (a directory)",
        "'.hidden.whl' (a hidden file)",
        "'junk.bin' (not a .whl file)",
    ):
        assert text in refused
    assert f"only {wheel.name} is delivered" in run.output
    assert run.containers() == []


def test_a_corrupt_wheel_is_refused_before_delivery(tmp_path: Path):
    project = copy_example("c-extension", tmp_path)
    # The right name, a broken body: the first bytes of the real wheel, then garbage.
    corrupt = (
        "name=$(basename {wheel}) && head -c 200 {wheel} > {dest_dir}/$name"
        " && printf 'garbage' >> {dest_dir}/$name"
    )
    run = run_cli(project, {**BASE, "CIBW_REPAIR_WHEEL_COMMAND": corrupt})
    assert run.returncode == 1
    assert "refusing cibwl_example_sumsq-1.0.0-cp311-cp311-linux_x86_64.whl" in run.output
    assert "not a readable zip archive" in run.output
    assert "Traceback" not in run.output
    assert list(run.wheelhouse.iterdir()) == []  # nothing partial, nothing hidden either
    assert run.containers() == []
