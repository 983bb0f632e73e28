"""``images build``: recipe -> cached provisioned root filesystem -> single-layer engine image."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.errors import ConfigurationError, HostCommandError
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.images import rootfs

if TYPE_CHECKING:
    from collections.abc import Callable

    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.options.model import EngineName

DEFAULT_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildRequest:
    suite: r.Suite
    arch: Arch
    engine: EngineName
    mirror: str | None = None
    ca_bundle: Path = DEFAULT_CA_BUNDLE
    tag: str | None = None
    force: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildOutcome:
    tag: str
    skipped: bool  # an image with the same recipe was already there
    seconds: float
    provisioned: r.Provisioned | None
    recipe_digest: str


def make_recipe(request: BuildRequest) -> r.Recipe:
    if not request.ca_bundle.is_file():
        raise ConfigurationError(
            f"--ca-bundle: {request.ca_bundle} is not a file; pass the PEM bundle pip should trust"
            f" (default {DEFAULT_CA_BUNDLE}, from the ca-certificates package)"
        )
    if request.arch not in r.BUILD_ARCHS:
        names = ", ".join(a.value for a in r.BUILD_ARCHS)
        raise ConfigurationError(f"--arch: {request.arch.value} is not buildable; choose {names}")
    return r.Recipe(
        suite=request.suite,
        arch=request.arch,
        mirror=request.mirror or rootfs.default_mirror(),
        ca_bundle_sha256=hashlib.sha256(request.ca_bundle.read_bytes()).hexdigest(),
    )


def _check_host(arch: Arch, host: Arch) -> None:
    if os.geteuid() != 0:
        raise HostCommandError(
            "images build needs root (debootstrap and chroot); rerun with sudo, or run"
            " scripts/bootstrap-host.sh as root first"
        )
    if arch.runs_natively_on(host):
        return
    from cibuildwheel_like.engine import binfmt  # noqa: PLC0415  # only needed for foreign arches

    finding = binfmt.check_arch(arch, host=host)
    if not finding.ok:
        raise HostCommandError(finding.describe())


def build(
    request: BuildRequest,
    *,
    cache: Cache,
    progress: Callable[[str], None],
    note: Callable[[str], None],
) -> BuildOutcome:
    start = time.monotonic()
    recipe = make_recipe(request)
    tag = request.tag or r.image_name(request.suite, request.arch)
    label = f"{r.LABEL_PREFIX}.recipe"
    existing = engine_images.image_info(request.engine, tag)
    if existing is not None and not request.force and existing.labels.get(label) == recipe.digest:
        progress(
            f"{tag}: up to date in {request.engine} (recipe {recipe.digest}); --force rebuilds"
        )
        return BuildOutcome(
            tag=tag,
            skipped=True,
            seconds=time.monotonic() - start,
            provisioned=None,
            recipe_digest=recipe.digest,
        )
    host = Arch.native()
    _check_host(request.arch, host)
    builder = rootfs.RootfsBuilder(
        recipe, cache=cache, ca_bundle=request.ca_bundle, progress=progress, host=host
    )
    artifact = builder.get(force=request.force)
    provisioned = artifact.provisioned
    if provisioned.policy_capped:
        g = provisioned.glibc
        note(
            f"{tag}: glibc {g[0]}.{g[1]} is newer than any policy auditwheel"
            f" {provisioned.auditwheel_version} knows; AUDITWHEEL_PLAT capped at"
            f" {provisioned.policy}_{request.arch.value}"
        )
    dockerfile = r.dockerfile(
        env=r.image_env(recipe, provisioned),
        labels=r.image_labels(recipe, provisioned),
        tarball="rootfs.tar",
    )
    progress(f"{request.engine} build {tag} --platform {request.arch.oci_platform}")
    with tempfile.TemporaryDirectory(prefix="cibwl-image-", dir=artifact.tarball.parent) as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(dockerfile)
        os.link(artifact.tarball, context / "rootfs.tar")  # same directory tree: no copy
        engine_images.build_image(
            request.engine,
            context_dir=context,
            tag=tag,
            platform=request.arch.oci_platform,
            log=artifact.log,
        )
    info = engine_images.image_info(request.engine, tag)
    if info is None:
        raise HostCommandError(f"{request.engine} build reported success but {tag} is not there")
    wanted = request.arch.oci_platform
    if info.platform_like(wanted) != wanted:
        raise HostCommandError(
            f"{tag} was recorded as {info.platform}, not {wanted}; this engine ignores --platform"
            " for FROM scratch builds. Use podman, or a Docker with the classic builder."
        )
    return BuildOutcome(
        tag=tag,
        skipped=False,
        seconds=time.monotonic() - start,
        provisioned=provisioned,
        recipe_digest=recipe.digest,
    )
