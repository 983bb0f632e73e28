"""Subcommands ``images build``, ``images check`` and ``doctor``; ``register`` adds them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like import engine_images
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.imagebuild import recipe as r

if TYPE_CHECKING:
    import argparse

    from cibuildwheel_like.context import Context

ARCH_CHOICES = tuple(a.value for a in r.BUILD_ARCHS)


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
    build.add_argument("--suite", choices=[s.value for s in r.Suite], default="bookworm")
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
    _engine_argument(doctor)
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


def build_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.imagebuild import build  # noqa: PLC0415  # keeps --help fast

    archs = _parse_archs(args.arch)
    if args.tag and len(archs) > 1:
        raise ConfigurationError("--tag names one image: pass a single --arch with it")
    out = ctx.output
    for arch in archs:
        request = build.BuildRequest(
            suite=r.Suite(args.suite),
            arch=arch,
            engine=engine_images.parse_engine(args.engine),
            mirror=args.mirror,
            ca_bundle=args.ca_bundle,
            tag=args.tag,
            force=args.force,
        )
        outcome = build.build(request, progress=out.info, note=out.warning)
        if outcome.skipped:
            continue
        p = outcome.provisioned
        detail = f" ({', '.join(p.interpreters)}; {p.policy})" if p else ""
        out.info(f"built {outcome.tag} in {args.engine} in {outcome.seconds:.0f}s{detail}")
    return 0


def check_command(args: argparse.Namespace, ctx: Context) -> int:
    from cibuildwheel_like.imagebuild import check  # noqa: PLC0415

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
    from cibuildwheel_like import doctor  # noqa: PLC0415

    return doctor.run(args, ctx)
