"""``images build --runtime``: a runtime image on top of a build image, its recipe and build.

A runtime image is its build image with the toolchain and every -dev package purged: the same
interpreters and venv support, nothing to compile or link with. The build image is made first
(a no-op when current); the runtime image is one engine build ``FROM`` it (no debootstrap), so
it costs seconds and the disk space of that one layer. Up to date when its recipe label matches:
the build image's recipe, that image's ID and the removal recipe. Its name is recipe.py's.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError, HostCommandError
from cibuildwheel_like.images import build, layer
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.context import Cache


# Bump when the removal script or the runtime labels change.
RUNTIME_RECIPE_VERSION = "1"
# What is purged: every -dev package, the compilers, binutils, make, dpkg-dev and ccache. The
# libraries they pulled in stay (nothing links against them without their -dev packages).
RUNTIME_PURGED = (
    r"-dev$|^(gcc|g\+\+|cpp)(-[0-9]+)?$|^binutils|^make$|^build-essential$|^dpkg-dev$|^ccache$"
)
RUNTIME_ABSENT_TOOLS = ("cc", "gcc", "c++", "g++", "ld", "make", "ccache", "auditwheel")
# Runs in the build image (as root, through QEMU for foreign arches); fails the image build
# when a compiler is left or an interpreter lost its venv support.
RUNTIME_SCRIPT = (
    "set -eu; "
    f"purged=$(dpkg-query -W -f '${{Package}}\\n' | grep -E -- '{RUNTIME_PURGED}' || true); "
    "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $purged; "
    f"rm -rf {r.TOOLS_PREFIX} /usr/local/bin/auditwheel /usr/local/bin/patchelf"
    " /var/cache/apt/archives/*.deb /var/lib/apt/lists/*; "
    f"for t in {' '.join(RUNTIME_ABSENT_TOOLS)}; do"
    ' if command -v "$t"; then echo "$t is still in the runtime image" >&2; exit 1; fi; done; '
    "for p in /opt/python/*/bin/python; do"
    ' "$p" -c \'import venv, ensurepip, sys; print(sys.executable, "runs")\'; done'
)


def runtime_digest(build_digest: str, build_image_id: str) -> str:
    """Same digest = same runtime image: the build image's recipe and its very image (a forced
    rebuild of the same recipe is a new image underneath), and the removal recipe."""
    payload = json.dumps(
        {
            "build": build_digest,
            "build-id": build_image_id,
            "runtime": RUNTIME_RECIPE_VERSION,
            "script": RUNTIME_SCRIPT,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def runtime_labels(*, build_digest: str, build_image: str, build_image_id: str) -> dict[str, str]:
    """What a runtime image adds to (or changes in) its build image's labels: the recipe
    digest (the up-to-date check), the variant, and the image it was made from; auditwheel is
    gone, so its label is emptied."""
    p = r.LABEL_PREFIX
    return {
        f"{p}.variant": "runtime",
        f"{p}.runtime-of": build_image,
        f"{p}.runtime-recipe-version": RUNTIME_RECIPE_VERSION,
        f"{p}.recipe": runtime_digest(build_digest, build_image_id),
        f"{p}.auditwheel": "",
    }


def build_runtime(
    request: build.BuildRequest,
    *,
    cache: Cache,
    progress: Callable[[str], None],
    note: Callable[[str], None],
) -> build.BuildOutcome:
    """The runtime image of ``request``'s suite and arch. ``force`` rebuilds the runtime image
    only (the build image under it is rebuilt only when its recipe changed)."""
    if request.tag is not None:
        raise ConfigurationError(
            f"--tag {request.tag} cannot be used with --runtime: a runtime image is always"
            f" named {r.RUNTIME_IMAGE_NAME_PATTERN}, so that test-image = 'debian-SUITE-runtime'"
            " finds it"
        )
    base = layer.base_image(request, cache=cache, progress=progress, note=note)
    labels = runtime_labels(
        build_digest=base.outcome.recipe_digest,
        build_image=base.outcome.tag,
        build_image_id=base.info.id,
    )
    made = layer.Layer(
        tag=r.runtime_image_name(request.suite, request.arch),
        arch=request.arch,
        labels=labels,
        dockerfile=r.layer_dockerfile(base=base.outcome.tag, script=RUNTIME_SCRIPT, labels=labels),
        log_name=f"{request.suite.value}-{request.arch.value}-runtime",
        what="toolchain and -dev packages purged",
    )
    current = layer.up_to_date(request, made, base, progress=progress)
    if current is not None:
        return current
    _check_emulation(request.arch)
    progress(f"{request.engine} build {made.tag} FROM {base.outcome.tag} ({made.what})")
    return layer.build_layer(request, made, base, cache=cache)


def _check_emulation(arch: Arch) -> None:
    """The removal runs in the image: a foreign arch needs QEMU's binfmt registration."""
    host = Arch.native()
    if arch.runs_natively_on(host):
        return
    from cibuildwheel_like.engine import binfmt  # noqa: PLC0415  # only needed for foreign arches

    finding = binfmt.check_arch(arch, host=host)
    if not finding.ok:
        raise HostCommandError(finding.describe())
