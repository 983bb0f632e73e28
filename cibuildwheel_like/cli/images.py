"""Subcommands ``images build``, ``images check`` and ``doctor``; ``register`` adds them."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.errors import ConfigurationError, FatalError
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    import argparse

    from cibuildwheel_like.context import Context

ARCH_CHOICES = tuple(a.value for a in r.BUILD_ARCHS)
SUITE_CHOICES = tuple(s.value for s in r.Suite)


def _engine_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=engine_images.ENGINES,
        default="docker",
        help="container engine whose image store is used (default: docker)",
    )


def register(subparsers: Any) -> None:
    """Add ``images build|check`` and ``doctor`` to the top-level subparsers."""
    images = subparsers.add_parser(
        "images", help="build or check manylinux-contract images", allow_abbrev=False
    )
    images_sub = images.add_subparsers(dest="images_command", metavar="ACTION", required=True)

    build = images_sub.add_parser(
        "build", help="debootstrap a Debian suite into a manylinux-like image", allow_abbrev=False
    )
    build.add_argument(
        "--suite",
        action="append",
        default=None,
        metavar="SUITE",
        help=f"Debian suite, repeatable or comma-separated: {', '.join(SUITE_CHOICES)}"
        " (default: bookworm)",
    )
    build.add_argument(
        "--arch",
        action="append",
        default=None,
        metavar="ARCH",
        help=f"target arch, repeatable or comma-separated: {', '.join(ARCH_CHOICES)}"
        " (default: the host's)",
    )
    _engine_argument(build)
    build.add_argument("--mirror", default=None, help="Debian mirror URL (default: host's apt)")
    build.add_argument(
        "--ca-bundle",
        type=Path,
        default=Path("/etc/ssl/certs/ca-certificates.crt"),
        help="PEM bundle installed as the image's trust store (default: the host's)",
    )
    build.add_argument(
        "--tag", default=None, help="image name (default: cibuildwheel-like/debian-SUITE:ARCH)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="build up to N images at once (suite x arch combinations; default 1)",
    )
    build.set_defaults(handler=build_command)

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

    doctor = subparsers.add_parser(
        "doctor", help="check that this machine can build wheels", allow_abbrev=False
    )
    doctor.add_argument(
        "--engine",
        choices=engine_images.ENGINES,
        default=None,
        help="engine to check (default: the project's container-engine option, else docker)",
    )
    doctor.add_argument(
        "--archs", default=None, help="archs to check (default: from the project's config)"
    )
    doctor.add_argument(
        "--image", action="append", default=[], metavar="REF", help="an image that must be local"
    )
    doctor.add_argument(
        "package", nargs="?", type=Path, default=Path(), help="project directory (default: .)"
    )
    doctor.set_defaults(handler=doctor_command)


def _parse_archs(values: list[str] | None) -> list[Arch]:
    if not values:
        return [Arch.native()]
    archs: list[Arch] = []
    for value in values:
        for name in value.replace(",", " ").split():
            if name not in ARCH_CHOICES:
                raise ConfigurationError(
                    f"--arch: unknown or unbuildable arch {name!r}; choose from"
                    f" {', '.join(ARCH_CHOICES)}"
                )
            archs.append(Arch(name))
    return list(dict.fromkeys(archs))


def _parse_suites(values: list[str] | None) -> list[r.Suite]:
    names = [n for v in values or ["bookworm"] for n in v.replace(",", " ").split()]
    for name in names:
        if name not in SUITE_CHOICES:
            raise ConfigurationError(
                f"--suite: unknown suite {name!r}; choose from {', '.join(SUITE_CHOICES)}"
            )
    return [r.Suite(n) for n in dict.fromkeys(names)]


def build_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.images import build  # noqa: PLC0415  # keeps --help fast

    suites = _parse_suites(args.suite)
    archs = _parse_archs(args.arch)
    if args.tag and len(archs) * len(suites) > 1:
        raise ConfigurationError("--tag names one image: pass a single --suite and --arch")
    if args.jobs < 1:
        raise ConfigurationError(f"--jobs: {args.jobs} is not a positive number of builds")
    out = ctx.output
    requests = [
        build.BuildRequest(
            suite=suite,
            arch=arch,
            engine=engine_images.parse_engine(args.engine),
            mirror=args.mirror,
            ca_bundle=args.ca_bundle,
            tag=args.tag,
            force=args.force,
        )
        for suite in suites
        for arch in archs
    ]
    several = len(requests) > 1

    def one(request: build.BuildRequest) -> None:
        prefix = f"[{request.suite.value}/{request.arch.value}] " if several else ""
        outcome = build.build(
            request,
            progress=lambda m: out.info(prefix + m),
            note=lambda m: out.warning(prefix + m),
        )
        if outcome.skipped:
            return
        p = outcome.provisioned
        detail = f" ({', '.join(p.interpreters)}; {p.policy})" if p else ""
        out.info(f"built {outcome.tag} in {args.engine} in {outcome.seconds:.0f}s{detail}")

    if args.jobs == 1:
        for request in requests:
            one(request)
        return 0
    failures: list[FatalError] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
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
    return 0


def check_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.images import check  # noqa: PLC0415

    report = check.check_image(
        engine_images.parse_engine(args.engine),
        args.image,
        identifiers=tuple(args.identifiers),
        arch=Arch(args.arch) if args.arch else None,
    )
    for line in report.lines():
        ctx.output.info(line)
    return 0 if report.ok else 1


def doctor_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.cli import doctor  # noqa: PLC0415

    return doctor.run(args, ctx)
