"""The image a container starts from: present in the engine's store (pulled, with retries, when
it is not) and of a platform the build's architecture can run."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from cibuildwheel_like import hostcmd
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client
from cibuildwheel_like.errors import FatalError

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import EngineName
    from cibuildwheel_like.output.console import Output

PULL_ATTEMPTS = 3


def _platform_of(engine: EngineName, image: str, arch: Arch) -> str | None:
    info = client.image_info(engine, image)
    return None if info is None else info.platform_like(arch.oci_platform)


def platform_to_run(engine: EngineName, image: str, arch: Arch, output: Output) -> str:
    """The platform to pass to ``create``: the wanted one, checked against the image's."""
    wanted = arch.oci_platform
    found = _platform_of(engine, image, arch)
    if found is None:
        _pull(engine, image, wanted, output)
        found = _platform_of(engine, image, arch) or wanted
    if found == wanted:
        return wanted
    if arch is Arch.i686 and found == "linux/amd64":
        # A 32-bit userland recorded as amd64 (e.g. `docker import`): run it with linux32.
        return found
    raise FatalError(
        f"image {image} is for {found}, but {arch.value} builds need {wanted}.\n"
        f"Rebuild it for that platform (`cibuildwheel-like images build --arch"
        f" {arch.value}`) or point the {arch.value} image option at the right image."
    )


def _pull(engine: EngineName, image: str, platform: str, output: Output) -> None:
    argv = [engine, "pull", f"--platform={platform}", image]
    error = ""
    for attempt in range(1, PULL_ATTEMPTS + 1):
        output.info(f"pulling {image} ({platform}), attempt {attempt}")
        result = hostcmd.run(argv, capture=True, check=False)
        if result.returncode == 0:
            return
        error = result.stderr.decode(errors="replace").strip()[-800:]
        if attempt < PULL_ATTEMPTS:
            time.sleep(2 * attempt)
    raise FatalError(
        f"image {image} is not present in {engine}'s store and pulling it"
        f" for {platform} failed {PULL_ATTEMPTS} times:\n{error}\nIf the registry cannot be"
        " reached from here, build a local image (`cibuildwheel-like images build`) and"
        " select it, e.g. manylinux-x86_64-image = 'debian-bookworm'."
    )
