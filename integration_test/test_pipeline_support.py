"""Helpers shared by the pipeline and emulation integration tests (no tests here).

Every build goes through the real command line (``python -m cibuildwheel_like run``) against
real images made by ``cibuildwheel-like images build``; nothing is mocked.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from cibuildwheel_like import elf
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.images import recipe

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CONTAINER_PREFIX = "cibuildwheel-like-"
TEST_LABEL = "org.cibuildwheel-like.test"


@dataclasses.dataclass(frozen=True)
class Run:
    returncode: int
    output: str  # stdout and stderr, interleaved
    wheelhouse: Path
    engine: str
    token: str  # the label value on this run's containers

    def containers(self) -> list[str]:
        """This run's containers still present (other sessions may run builds concurrently)."""
        return our_containers(self.engine, self.token)

    @property
    def wheels(self) -> list[Path]:
        return sorted(self.wheelhouse.glob("*.whl"))


def image_exists(engine: str, image: str) -> bool:
    return shutil.which(engine) is not None and client.image_exists(engine, image)


# debootstrap + provisioning: ~2 min native, ~6 min under QEMU on 2 cores
IMAGE_BUILD_TIMEOUT = float(os.environ.get("CIBWL_IMAGE_BUILD_TIMEOUT", "2400"))


def ensure_image(
    engine: str,
    suite: str,
    arch: str = "x86_64",
    *,
    runtime: bool = False,
    cross: bool = False,
) -> str:
    """Our image for (suite, arch) in ``engine``, built through our own CLI when absent (a
    fresh machine builds each once; afterwards `images build` sees the recipe is current).
    ``runtime``: its runtime image (`images build --runtime`) instead. ``cross``: the suite's
    cross image for this machine (`images build --cross`; ``arch`` must be the host's), about a
    minute on top of the build image."""
    assert not (runtime and cross), "a runtime image and a cross image are different images"
    s, a = recipe.parse_suite(suite), Arch(arch)
    if cross:
        image = recipe.cross_image_name(s, a)
    else:
        image = (recipe.runtime_image_name if runtime else recipe.image_name)(s, a)
    argv = [sys.executable, "-m", "cibuildwheel_like", "images", "build"]
    argv += ["--suite", suite, "--arch", arch, "--engine", engine]
    argv += ["--runtime"] if runtime else []
    argv += ["--cross"] if cross else []
    done = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, check=False, timeout=IMAGE_BUILD_TIMEOUT
    )
    if done.returncode != 0:
        pytest.fail(
            f"building {image} for {engine} failed ({done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return image


# The arches of the emulated C extension run shared by test_emulation and test_cross
# (conftest.py: ``emulated_c_wheels``): three under QEMU, i686 natively.
EMULATED_C_ARCHS = ("aarch64", "ppc64le", "s390x", "i686")


def images_env(archs: tuple[str, ...]) -> dict[str, str]:
    """cp311 manylinux builds for ``archs``, each in our bookworm image of its arch."""
    env = {"CIBW_BUILD": "cp311-manylinux*", "CIBW_ARCHS": ",".join(archs)}
    for arch in archs:
        env[f"CIBW_MANYLINUX_{arch.upper()}_IMAGE"] = "debian-bookworm"
    return env


def copy_example(name: str, tmp_path: Path) -> Path:
    """A private copy, so that runs never see each other's files."""
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("wheelhouse", "*.so"))
    return target


def cli_env(
    env: dict[str, str], *, engine: str = "docker", token: str = "", engine_extra: str = ""
) -> dict[str, str]:
    """The host environment without CIBW_*, plus ``env``; containers carry a test label."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CIBW_", "CIBWL_"))}
    label = f"--label={TEST_LABEL}={token}"
    full_env.update(
        {
            "NO_COLOR": "1",
            "COLUMNS": "200",
            "CIBW_CONTAINER_ENGINE": f"{engine}; create_args: {label}{engine_extra}",
            **env,
        }
    )
    return full_env


def run_cli(
    project: Path,
    env: dict[str, str],
    *args: str,
    engine: str = "docker",
    engine_extra: str = "",
    timeout: float = 1800,
) -> Run:
    """``engine_extra`` is appended to container-engine, e.g. "; disable_host_mount: true"."""
    return start_cli(project, env, *args, engine=engine, engine_extra=engine_extra).wait(timeout)


@dataclasses.dataclass(frozen=True)
class Started:
    """A ``run`` started in the background (``start_cli``); ``wait`` gives its ``Run``."""

    process: subprocess.Popen[bytes]
    log: Path  # stdout and stderr, interleaved
    wheelhouse: Path
    engine: str
    token: str

    def wait(self, timeout: float = 1800) -> Run:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        output = self.log.read_bytes().decode(errors="replace")
        print(output[-20000:])  # shown by pytest on failure
        return Run(
            returncode=self.process.returncode,
            output=output,
            wheelhouse=self.wheelhouse,
            engine=self.engine,
            token=self.token,
        )

    def stop(self) -> None:
        """Interrupt a run still going (as Ctrl-C would: it removes its containers)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_cli(
    project: Path,
    env: dict[str, str],
    *args: str,
    engine: str = "docker",
    engine_extra: str = "",
) -> Started:
    """``run_cli`` without waiting: several runs can go side by side. The output goes to a
    file beside the project (a pipe nobody reads would fill up and stall the run)."""
    wheelhouse = project / "wheelhouse"
    token = uuid.uuid4().hex
    full_env = cli_env(env, engine=engine, token=token, engine_extra=engine_extra)
    argv = [
        sys.executable,
        "-m",
        "cibuildwheel_like",
        "run",
        "--platform",
        "linux",
        "--output-dir",
        str(wheelhouse),
        *args,
    ]
    log = project.parent / f"{project.name}-{token[:8]}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv, cwd=project, env=full_env, stdout=sink, stderr=subprocess.STDOUT
        )
    return Started(process=process, log=log, wheelhouse=wheelhouse, engine=engine, token=token)


def our_containers(engine: str, token: str) -> list[str]:
    """Containers of ours (name prefix) from the run that used ``token``."""
    done = subprocess.run(
        [engine, "ps", "-a", "--filter", f"label={TEST_LABEL}={token}", "--format", "{{.Names}}"],
        capture_output=True,
        check=True,
    )
    return [n for n in done.stdout.decode().split() if n.startswith(CONTAINER_PREFIX)]


def extension_modules(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith(".so") and ".libs/" not in n}


def elf_machine(data: bytes) -> str:
    """The arch of an ELF file's header (``aarch64``), or a description of what it is instead
    (cibuildwheel_like/elf.py reads it: one owner of the ELF table)."""
    header = elf.parse_header(data)
    assert header is not None, "not an ELF file"
    arch = header.arch
    return arch.value if arch else header.describe()


def wheel_platforms(wheel: Path) -> list[str]:
    return wheel.name.removesuffix(".whl").split("-")[-1].split(".")
