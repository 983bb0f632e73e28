"""``images build|check|list``; ``register`` adds them (``doctor`` has its own module).

The arguments become typed values here (``BuildRequest``, ``Suite``, ``Arch``, ``EngineName``):
nothing below ``cli/`` sees ``argparse``.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError, FatalError
from cibuildwheel_like.images import build
from cibuildwheel_like.images import cross as cross_images
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.images import runtime as runtime_images
from cibuildwheel_like.options.model import ENGINE_NAMES
from cibuildwheel_like.options.values import parse_engine_name

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Mapping

    from cibuildwheel_like.context import Context

ARCH_CHOICES = tuple(a.value for a in r.BUILD_ARCHS)
SUITE_CHOICES = tuple(s.value for s in r.Suite)


def _engine_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINE_NAMES,
        default="docker",
        help="container engine whose image store is used (default: docker)",
    )


def register(subparsers: Any) -> None:
    """Add ``images build|check|list`` to the top-level subparsers."""
    images = subparsers.add_parser(
        "images", help="build or check manylinux-contract images", allow_abbrev=False
    )
    images_sub = images.add_subparsers(dest="images_command", metavar="ACTION", required=True)

    build_parser = images_sub.add_parser(
        "build", help="debootstrap a Debian suite into a manylinux-like image", allow_abbrev=False
    )
    build_parser.add_argument(
        "--suite",
        action="append",
        default=None,
        metavar="SUITE",
        help=f"Debian suite, repeatable or comma-separated: {', '.join(SUITE_CHOICES)}"
        f" (default: {r.DEFAULT_SUITE.value})",
    )
    build_parser.add_argument(
        "--arch",
        action="append",
        default=None,
        metavar="ARCH",
        help=f"target arch, repeatable or comma-separated: {', '.join(ARCH_CHOICES)}"
        " (default: the host's)",
    )
    _engine_argument(build_parser)
    build_parser.add_argument(
        "--mirror", default=None, help="Debian mirror URL (default: host's apt)"
    )
    build_parser.add_argument(
        "--ca-bundle",
        type=Path,
        default=build.DEFAULT_CA_BUNDLE,
        help="PEM bundle installed as the image's trust store (default: the host's)",
    )
    build_parser.add_argument(
        "--tag", default=None, help=f"image name (default: {r.IMAGE_NAME_PATTERN})"
    )
    build_parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build_parser.add_argument(
        "--runtime",
        action="store_true",
        help="also make the runtime image of each suite and arch"
        f" ({r.RUNTIME_IMAGE_NAME_PATTERN}: the same interpreters, no compiler, no -dev"
        " packages), for test-container = 'fresh' with test-image = 'debian-SUITE-runtime';"
        " with --force only the runtime images are rebuilt",
    )
    build_parser.add_argument(
        "--cross",
        action="store_true",
        help="make the cross image of each suite instead"
        f" ({r.CROSS_IMAGE_NAME_PATTERN}: the build image of this machine's arch plus Debian's"
        " cross gcc/g++/gfortran for"
        f" {', '.join(a.value for a in r.CROSS_TARGETS)}), for emulation = 'cross' or 'auto';"
        " --arch must be this machine's (the default); with --force only the cross images are"
        " rebuilt",
    )
    build_parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="build up to N images at once (suite x arch combinations; default 1)",
    )
    build_parser.set_defaults(handler=build_command)

    check = images_sub.add_parser(
        "check", help="check an image against what the build pipeline needs", allow_abbrev=False
    )
    check.add_argument("image", metavar="IMAGE")
    check.add_argument(
        "--identifiers",
        nargs="*",
        default=[],
        metavar="ID",
        help="build identifiers whose interpreters must be present (e.g. cp311-manylinux_x86_64)",
    )
    check.add_argument("--arch", default=None, help="expected arch (default: from identifiers)")
    _engine_argument(check)
    check.set_defaults(handler=check_command)

    listing = images_sub.add_parser(
        "list",
        help="list our local images (build, runtime and cross) and what each holds",
        allow_abbrev=False,
    )
    _engine_argument(listing)
    listing.set_defaults(handler=list_command)


def _words(values: list[str] | None) -> list[str]:
    return [word for value in values or [] for word in value.replace(",", " ").split()]


def parse_archs(values: list[str] | None) -> list[Arch]:
    """``--arch`` values (repeatable, comma-separated); the host's arch when none is given."""
    names = _words(values)
    if not names:
        return [Arch.native()]
    for name in names:
        if name not in ARCH_CHOICES:
            raise ConfigurationError(
                f"--arch: unknown or unbuildable arch {name!r}; choose from"
                f" {', '.join(ARCH_CHOICES)}"
            )
    return [Arch(name) for name in dict.fromkeys(names)]


def parse_suites(values: list[str] | None) -> list[r.Suite]:
    """``--suite`` values (repeatable, comma-separated); the recipe's default when none."""
    names = _words(values)
    if not names:
        return [r.DEFAULT_SUITE]
    for name in names:
        if name not in SUITE_CHOICES:
            raise ConfigurationError(
                f"--suite: unknown suite {name!r}; choose from {', '.join(SUITE_CHOICES)}"
            )
    return [r.parse_suite(name) for name in dict.fromkeys(names)]


def build_command(args: argparse.Namespace, ctx: Context) -> int:
    suites = parse_suites(args.suite)
    archs = parse_archs(args.arch)
    jobs: int = args.jobs
    if args.tag and len(archs) * len(suites) > 1:
        raise ConfigurationError("--tag names one image: pass a single --suite and --arch")
    if jobs < 1:
        raise ConfigurationError(f"--jobs: {jobs} is not a positive number of builds")
    if args.cross and args.runtime:
        raise ConfigurationError(
            "--cross and --runtime make different images from the same build image: run"
            " `images build --runtime` and `images build --cross` separately"
        )
    engine = parse_engine_name(args.engine, option="--engine")
    requests = [
        build.BuildRequest(
            suite=suite,
            arch=arch,
            engine=engine,
            mirror=args.mirror,
            ca_bundle=args.ca_bundle,
            tag=args.tag,
            force=args.force,
        )
        for suite in suites
        for arch in archs
    ]
    variant: r.ImageVariant = "build"
    if args.cross:
        variant = "cross"
        host = Arch.native()
        for request in requests:
            cross_images.check_request(request, host=host)
    elif args.runtime:
        variant = "runtime"
    _build_all(requests, jobs=jobs, ctx=ctx, variant=variant)
    return 0


def _builder(variant: r.ImageVariant) -> Callable[..., build.BuildOutcome]:
    match variant:
        case "build":
            return build.build
        case "runtime":
            return runtime_images.build_runtime
        case "cross":
            return cross_images.build_cross


def _build_all(
    requests: list[build.BuildRequest],
    *,
    jobs: int,
    ctx: Context,
    variant: r.ImageVariant = "build",
) -> None:
    """Build each request, up to ``jobs`` at once; every failure is reported, the first raised."""
    out = ctx.output
    several = len(requests) > 1

    def one(request: build.BuildRequest) -> None:
        prefix = f"[{request.suite.value}/{request.arch.value}] " if several else ""
        make = _builder(variant)
        outcome = make(
            request,
            cache=ctx.cache,
            progress=lambda m: out.info(prefix + m),
            note=lambda m: out.warning(prefix + m),
        )
        if outcome.skipped:
            return
        p = outcome.provisioned
        detail = f" ({', '.join(p.interpreters)}; {p.policy})" if p else ""
        out.info(f"built {outcome.tag} in {request.engine} in {outcome.seconds:.0f}s{detail}")

    if jobs == 1:
        for request in requests:
            one(request)
        return
    failures: list[FatalError] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(one, request): request for request in requests}
        for future in concurrent.futures.as_completed(futures):
            error = future.exception()
            if isinstance(error, FatalError):
                request = futures[future]
                out.error(f"{request.suite.value}/{request.arch.value}: {error}")
                failures.append(error)
            elif error is not None:
                raise error
    if failures:
        raise failures[0]


def check_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.images import check  # noqa: PLC0415

    arch: Arch | None = None
    if args.arch:
        try:
            arch = Arch(args.arch)
        except ValueError:
            names = ", ".join(a.value for a in Arch)
            raise ConfigurationError(
                f"--arch: unknown arch {args.arch!r}; choose from {names}"
            ) from None
    report = check.check_image(
        parse_engine_name(args.engine, option="--engine"),
        args.image,
        identifiers=tuple(args.identifiers),
        arch=arch,
    )
    for line in report.lines():
        ctx.output.info(line)
    return 0 if report.ok else 1


def list_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.engine import client  # noqa: PLC0415  # only this action asks the engine

    engine = parse_engine_name(args.engine, option="--engine")
    found: list[tuple[str, Mapping[str, str]]] = []
    for ref in client.local_image_refs(engine):
        if r.parse_our_image_name(ref) is None:
            continue
        info = client.image_info(engine, ref)
        if info is not None:
            found.append((ref.removeprefix("localhost/"), info.labels))
    if not found:
        ctx.output.info(
            f"no cibuildwheel-like images in {engine}'s store; make one with"
            f" `cibuildwheel-like images build --suite {r.DEFAULT_SUITE.value} --engine {engine}`"
        )
        return 0
    for line in list_lines(found, engine=engine):
        ctx.output.info(line)
    return 0


def list_lines(images: Iterable[tuple[str, Mapping[str, str]]], *, engine: str) -> list[str]:
    """One aligned line per image of ours (others are left out), sorted by name: its variant,
    glibc, policy and interpreters, what a runtime or cross image is made of, and the command
    that rebuilds it when its recipe version is not the current one."""
    rows: list[tuple[str, str, str]] = []
    for ref, labels in sorted(images):
        ours = r.parse_our_image_name(ref)
        if ours is None:
            continue
        variant = ours[0]

        def label(name: str, labels: Mapping[str, str] = labels) -> str:
            return labels.get(f"{r.LABEL_PREFIX}.{name}", "")

        facts = [
            f"glibc {label('glibc') or '?'}",
            label("policy") or "no policy",
            label("interpreters") or "no interpreters",
        ]
        match variant:
            case "build":
                pass
            case "runtime":
                facts.append("no compiler")
            case "cross":
                facts.append(
                    f"cross gcc for {label('cross-targets') or '?'}"
                    f" (glibc {label('cross-glibc') or '?'})"
                )
        stale = _stale(variant, label)
        if stale:
            command = r.build_command(ref, engine)
            facts.append(f"{stale}: rebuild with `{command}`" if command else stale)
        rows.append((ref, variant, ", ".join(facts)))
    width = max((len(ref) for ref, _, _ in rows), default=0)
    return [f"{ref:<{width}}  {variant:<7}  {facts}" for ref, variant, facts in rows]


def _stale(variant: r.ImageVariant, label: Callable[[str], str]) -> str:
    """Why an image's recipe is not the current one ("" when it is, as far as labels tell)."""
    wanted = [("recipe-version", r.RECIPE_VERSION)]
    match variant:
        case "build":
            pass
        case "runtime":
            wanted.append(("runtime-recipe-version", runtime_images.RUNTIME_RECIPE_VERSION))
        case "cross":
            wanted.append(("cross-recipe-version", cross_images.CROSS_RECIPE_VERSION))
    for name, current in wanted:
        if label(name) != current:
            return f"outdated ({name} {label(name) or 'missing'}, current {current})"
    return ""
