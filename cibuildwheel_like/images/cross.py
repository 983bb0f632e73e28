"""``images build --cross``: a cross image on top of a build image, its recipe and build.

A cross image is a build image of the build machine's arch with Debian's cross compilers for
the foreign arches (emulation = 'cross'): the same suite's gcc, glibc and libstdc++ as that
suite's image of the target arch, so a cross-compiled wheel gets the tags an emulated build
gets. The build image is made first (a no-op when current); the cross image is one engine build
``FROM`` it, run natively, that installs the cross compilers and fails unless they are the
suite's own gcc and glibc. Up to date when its recipe label matches: the build image's recipe,
that image's ID and the cross recipe. Its name is recipe.py's.
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


# Bump when the packages, the install script or the cross labels change.
CROSS_RECIPE_VERSION = "1"


def cross_targets(host: Arch) -> tuple[Arch, ...]:
    """The arches a cross image for build machine ``host`` compiles for."""
    return tuple(t for t in r.CROSS_TARGETS if t is not host)


def cross_packages(host: Arch) -> tuple[str, ...]:
    """Debian's cross toolchain for every target of ``host``: C, C++ and Fortran compilers
    (binutils come with them) and the target's glibc headers and libraries. The names are the
    same in bullseye, bookworm, trixie and sid."""
    packages: list[str] = []
    for target in cross_targets(host):
        t = target.gnu_triplet
        packages += [
            f"gcc-{t}",
            f"g++-{t}",
            f"gfortran-{t}",
            f"libc6-dev-{target.debian_arch}-cross",
        ]
    return tuple(packages)


def cross_script(host: Arch, glibc: str) -> str:
    """Runs in the build image (natively): installs ``cross_packages(host)`` and fails the image
    build unless every target's compilers are there, its gcc is the suite's own gcc (so a
    cross-compiled wheel matches an emulated build's) and its glibc is ``glibc`` (the build
    image's, ``2.36``: the target images of the suite have the same)."""
    checks: list[str] = []
    for target in cross_targets(host):
        t = target.gnu_triplet
        libc = f"libc6-dev-{target.debian_arch}-cross"
        tools = " ".join(f"{t}-{tool}" for tool in ("gcc", "g++", "gcc-ar", "gfortran"))
        present = (
            f"for c in {tools}; do command -v $c >/dev/null"
            ' || { echo "$c is missing from the cross image" >&2; exit 1; }; done'
        )
        same_gcc = (
            f'v=$({t}-gcc -dumpfullversion); [ "$v" = "$native" ]'
            f' || {{ echo "{t}-gcc is $v, gcc is $native" >&2; exit 1; }}'
        )
        same_glibc = (
            f"v=$(dpkg-query -W -f '${{Version}}' {libc});"
            f' case "${{v%%-*}}" in {glibc}|{glibc}.*) ;;'
            f' *) echo "{libc} is $v, not glibc {glibc}" >&2; exit 1;; esac'
        )
        checks += [present, same_gcc, same_glibc]
    return "; ".join(
        [
            "set -eu",
            "apt-get update -q",
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "
            + " ".join(cross_packages(host)),
            "apt-get clean",
            "rm -rf /var/lib/apt/lists/*",
            "native=$(gcc -dumpfullversion)",
            *checks,
        ]
    )


def cross_digest(*, build_digest: str, build_image_id: str, host: Arch, glibc: str) -> str:
    """Same digest = same cross image: the build image's recipe and its very image, and the
    cross recipe (packages and script)."""
    payload = json.dumps(
        {
            "build": build_digest,
            "build-id": build_image_id,
            "cross": CROSS_RECIPE_VERSION,
            "packages": cross_packages(host),
            "script": cross_script(host, glibc),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def cross_labels(
    *, build_digest: str, build_image: str, build_image_id: str, host: Arch, glibc: str
) -> dict[str, str]:
    """What a cross image adds to its build image's labels (which it keeps: suite, arch, glibc,
    interpreters, policy, auditwheel). ``cross-glibc`` equals the build image's glibc: the
    script fails the build otherwise."""
    p = r.LABEL_PREFIX
    return {
        f"{p}.variant": "cross",
        f"{p}.cross-of": build_image,
        f"{p}.cross-targets": ",".join(t.value for t in cross_targets(host)),
        f"{p}.cross-glibc": glibc,
        f"{p}.cross-recipe-version": CROSS_RECIPE_VERSION,
        f"{p}.recipe": cross_digest(
            build_digest=build_digest, build_image_id=build_image_id, host=host, glibc=glibc
        ),
    }


def check_request(request: build.BuildRequest, *, host: Arch) -> None:
    """A cross image is named after the build machine and runs there: refuse anything else."""
    if request.tag is not None:
        raise ConfigurationError(
            f"--tag {request.tag} cannot be used with --cross: a cross image is always named"
            f" {r.CROSS_IMAGE_NAME_PATTERN}, so that emulation = 'cross' finds it"
        )
    if request.arch is not host:
        raise ConfigurationError(
            f"--arch {request.arch.value} --cross: a cross image runs on the build machine"
            f" ({host.value}) and compiles for the other arches"
            f" ({', '.join(t.value for t in cross_targets(host))}); pass --arch {host.value}"
            " or leave --arch out"
        )
    if host not in r.CROSS_HOSTS:
        names = ", ".join(a.value for a in r.CROSS_HOSTS)
        raise ConfigurationError(
            f"--cross: cross images are made for {names} build machines only, this one is"
            f" {host.value}; use emulation = 'emulate'"
        )


def build_cross(
    request: build.BuildRequest,
    *,
    cache: Cache,
    progress: Callable[[str], None],
    note: Callable[[str], None],
) -> build.BuildOutcome:
    """The cross image of ``request``'s suite for this build machine. ``force`` rebuilds the
    cross image only (the build image under it is rebuilt only when its recipe changed)."""
    host = Arch.native()
    check_request(request, host=host)
    base = layer.base_image(request, cache=cache, progress=progress, note=note)
    glibc = base.info.labels.get(f"{r.LABEL_PREFIX}.glibc", "")
    if not glibc:
        raise HostCommandError(
            f"{base.outcome.tag} has no {r.LABEL_PREFIX}.glibc label: rebuild it with"
            f" `cibuildwheel-like images build --suite {request.suite.value}"
            f" --arch {host.value} --force`"
        )
    labels = cross_labels(
        build_digest=base.outcome.recipe_digest,
        build_image=base.outcome.tag,
        build_image_id=base.info.id,
        host=host,
        glibc=glibc,
    )
    targets = ", ".join(t.value for t in cross_targets(host))
    made = layer.Layer(
        tag=r.cross_image_name(request.suite, host),
        arch=host,
        labels=labels,
        dockerfile=r.layer_dockerfile(
            base=base.outcome.tag, script=cross_script(host, glibc), labels=labels
        ),
        log_name=f"{request.suite.value}-{host.value}-cross",
        what=f"cross gcc for {targets}; apt",
    )
    current = layer.up_to_date(request, made, base, progress=progress)
    if current is not None:
        return current
    progress(f"{request.engine} build {made.tag} FROM {base.outcome.tag} ({made.what})")
    return layer.build_layer(request, made, base, cache=cache)
