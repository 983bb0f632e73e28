"""Helpers shared by the pipeline and emulation integration tests (no tests here).

Every build goes through the real command line (``python -m cibuildwheel_like run``) against
real images made by ``cibuildwheel-like images build``; nothing is mocked.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.images import recipe

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CONTAINER_PREFIX = "cibuildwheel-like-"
TEST_LABEL = "org.cibuildwheel-like.test"
_ELF_MACHINES = {0x3E: "x86_64", 0x03: "i686", 0xB7: "aarch64", 0x15: "ppc64le", 0x16: "s390x"}


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


def ensure_image(engine: str, suite: str, arch: str = "x86_64", *, runtime: bool = False) -> str:
    """Our image for (suite, arch) in ``engine``, built through our own CLI when absent (a
    fresh machine builds each once; afterwards `images build` sees the recipe is current).
    ``runtime``: its runtime image (`images build --runtime`) instead."""
    name = recipe.runtime_image_name if runtime else recipe.image_name
    image = name(recipe.parse_suite(suite), Arch(arch))
    argv = [sys.executable, "-m", "cibuildwheel_like", "images", "build"]
    argv += ["--suite", suite, "--arch", arch, "--engine", engine]
    argv += ["--runtime"] if runtime else []
    done = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, check=False, timeout=IMAGE_BUILD_TIMEOUT
    )
    if done.returncode != 0:
        pytest.fail(
            f"building {image} for {engine} failed ({done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return image


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
    done = subprocess.run(
        argv,
        cwd=project,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
        timeout=timeout,
    )
    output = done.stdout.decode(errors="replace")
    print(output[-20000:])  # shown by pytest on failure
    return Run(
        returncode=done.returncode, output=output, wheelhouse=wheelhouse, engine=engine, token=token
    )


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
    """The architecture in an ELF header (e_machine, in the file's byte order)."""
    assert data[:4] == b"\x7fELF", "not an ELF file"
    order = "little" if data[5] == 1 else "big"
    machine = int.from_bytes(data[18:20], order)  # type: ignore[arg-type]
    return _ELF_MACHINES.get(machine, hex(machine))


def wheel_platforms(wheel: Path) -> list[str]:
    return wheel.name.removesuffix(".whl").split("-")[-1].split(".")
