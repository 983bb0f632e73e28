"""An image made as one engine build on top of one of our build images: the runtime images
(``--runtime``) and the cross images (``--cross``) are both made this way.

The build image is made first (a no-op when current). The layer is up to date when its recipe
label matches the digest its variant computed from the build image's recipe, that image's ID and
its own recipe; otherwise it is built from a one-file context and checked for its platform.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.errors import HostCommandError
from cibuildwheel_like.images import build
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.engine.client import ImageInfo


@dataclasses.dataclass(frozen=True, kw_only=True)
class Layer:
    """What a variant builds on its build image."""

    tag: str
    arch: Arch  # the platform it is built and recorded for
    labels: dict[str, str]  # with the recipe digest under LABEL_PREFIX.recipe
    dockerfile: str
    log_name: str  # the build log's file name in the image cache, without ".log"
    what: str  # for the progress line: what the layer does


@dataclasses.dataclass(frozen=True, kw_only=True)
class Base:
    """The build image under a layer, once it is current."""

    outcome: build.BuildOutcome
    info: ImageInfo
    started: float  # time.monotonic() when the request began


def base_image(
    request: build.BuildRequest,
    *,
    cache: Cache,
    progress: Callable[[str], None],
    note: Callable[[str], None],
) -> Base:
    """The request's build image, made when missing or out of date (never forced: ``force``
    rebuilds the layer only)."""
    started = time.monotonic()
    outcome = build.build(
        dataclasses.replace(request, force=False), cache=cache, progress=progress, note=note
    )
    info = engine_images.image_info(request.engine, outcome.tag)
    if info is None:
        raise HostCommandError(f"{outcome.tag} is not in {request.engine}'s store after its build")
    return Base(outcome=outcome, info=info, started=started)


def up_to_date(
    request: build.BuildRequest, layer: Layer, base: Base, *, progress: Callable[[str], None]
) -> build.BuildOutcome | None:
    """The outcome of a layer whose recipe label matches, said (None: it is to be built)."""
    digest = layer.labels[f"{r.LABEL_PREFIX}.recipe"]
    existing = engine_images.image_info(request.engine, layer.tag)
    if request.force or existing is None:
        return None
    if existing.labels.get(f"{r.LABEL_PREFIX}.recipe") != digest:
        return None
    progress(f"{layer.tag}: up to date in {request.engine} (recipe {digest}); --force rebuilds")
    return build.BuildOutcome(
        tag=layer.tag,
        skipped=True,
        seconds=time.monotonic() - base.started,
        provisioned=None,
        recipe_digest=digest,
    )


def build_layer(
    request: build.BuildRequest, layer: Layer, base: Base, *, cache: Cache
) -> build.BuildOutcome:
    """Build ``layer`` on ``base`` and check the engine recorded it for its platform."""
    folder = cache.directory("images")
    log = folder / f"{layer.log_name}.log"
    with tempfile.TemporaryDirectory(prefix="cibwl-layer-", dir=folder) as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(layer.dockerfile)
        log.write_text("")
        engine_images.build_image(
            request.engine,
            context_dir=context,
            tag=layer.tag,
            platform=layer.arch.oci_platform,
            log=log,
        )
    info = engine_images.image_info(request.engine, layer.tag)
    wanted = layer.arch.oci_platform
    if info is None or info.platform_like(wanted) != wanted:
        found = "missing" if info is None else f"recorded as {info.platform}"
        raise HostCommandError(
            f"{request.engine} built {layer.tag}, but it is {found}, not {wanted}"
        )
    return build.BuildOutcome(
        tag=layer.tag,
        skipped=False,
        seconds=time.monotonic() - base.started,
        provisioned=None,
        recipe_digest=layer.labels[f"{r.LABEL_PREFIX}.recipe"],
    )
