"""``images build --runtime``: a runtime image on top of a build image (see recipe.py).

The build image is made first (a no-op when current); the runtime image is one engine build
``FROM`` it that purges the toolchain and the -dev packages. Up to date when its recipe label
matches: the build image's recipe, that image's ID and the removal recipe.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.errors import ConfigurationError, HostCommandError
from cibuildwheel_like.images import build
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.context import Cache


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
    start = time.monotonic()
    base = build.build(
        dataclasses.replace(request, force=False), cache=cache, progress=progress, note=note
    )
    base_info = engine_images.image_info(request.engine, base.tag)
    if base_info is None:
        raise HostCommandError(f"{base.tag} is not in {request.engine}'s store after its build")
    tag = r.runtime_image_name(request.suite, request.arch)
    labels = r.runtime_labels(
        build_digest=base.recipe_digest, build_image=base.tag, build_image_id=base_info.id
    )
    digest = labels[f"{r.LABEL_PREFIX}.recipe"]
    existing = engine_images.image_info(request.engine, tag)
    if (
        existing is not None
        and not request.force
        and existing.labels.get(f"{r.LABEL_PREFIX}.recipe") == digest
    ):
        progress(f"{tag}: up to date in {request.engine} (recipe {digest}); --force rebuilds")
        return build.BuildOutcome(
            tag=tag,
            skipped=True,
            seconds=time.monotonic() - start,
            provisioned=None,
            recipe_digest=digest,
        )
    _check_emulation(request.arch)
    progress(f"{request.engine} build {tag} FROM {base.tag} (toolchain and -dev packages purged)")
    folder = cache.directory("images")
    log = folder / f"{request.suite.value}-{request.arch.value}-runtime.log"
    with tempfile.TemporaryDirectory(prefix="cibwl-runtime-", dir=folder) as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(
            r.runtime_dockerfile(build_image=base.tag, labels=labels)
        )
        log.write_text("")
        engine_images.build_image(
            request.engine,
            context_dir=context,
            tag=tag,
            platform=request.arch.oci_platform,
            log=log,
        )
    info = engine_images.image_info(request.engine, tag)
    wanted = request.arch.oci_platform
    if info is None or info.platform_like(wanted) != wanted:
        found = "missing" if info is None else f"recorded as {info.platform}"
        raise HostCommandError(f"{request.engine} built {tag}, but it is {found}, not {wanted}")
    return build.BuildOutcome(
        tag=tag,
        skipped=False,
        seconds=time.monotonic() - start,
        provisioned=None,
        recipe_digest=digest,
    )


def _check_emulation(arch: Arch) -> None:
    """The removal runs in the image: a foreign arch needs QEMU's binfmt registration."""
    host = Arch.native()
    if arch.runs_natively_on(host):
        return
    from cibuildwheel_like.engine import binfmt  # noqa: PLC0415  # only needed for foreign arches

    finding = binfmt.check_arch(arch, host=host)
    if not finding.ok:
        raise HostCommandError(finding.describe())
