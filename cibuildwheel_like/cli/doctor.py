"""``doctor``: can this machine build the project's wheels? One line per check, each with its fix.

Needs (archs, images, engine) come from the project's configuration when it resolves, else from
``--archs``/``--image``/``--engine``. Exit status is non-zero when a build would fail. The engine
checks share ``engine.client``'s version rules and fixes with the gate before a run.
"""

from __future__ import annotations

import dataclasses
import enum
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt, ownership
from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.errors import ConfigurationError, FatalError
from cibuildwheel_like.images import recipe as r
from cibuildwheel_like.options.cross_support import decide
from cibuildwheel_like.options.model import ENGINE_NAMES
from cibuildwheel_like.options.values import parse_engine_name

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Sequence

    from cibuildwheel_like.context import Cache, Context
    from cibuildwheel_like.options.model import EngineName

GIB = 1024**3
MIB = 1024**2
MIN_FREE_GIB = 2
WARN_FREE_GIB = 10
_STORAGE = {"docker": Path("/var/lib/docker"), "podman": Path("/var/lib/containers")}


class Level(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Check:
    name: str
    level: Level
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {Level.OK: "✓", Level.WARN: "!", Level.FAIL: "✕"}[self.level]
        text = f"{mark} {self.name}: {self.detail}"
        if self.level is not Level.OK and self.fix:
            text += f" — fix: {self.fix}"
        return text


@dataclasses.dataclass(frozen=True, kw_only=True)
class Needs:
    engine: EngineName
    archs: tuple[Arch, ...]
    images: tuple[str, ...]
    source: str  # where the needs came from, for the report
    # images whose absence only slows the run down: the cross image of `emulation = auto`
    # builds, which are then built under emulation (pipeline/cross.py)
    optional_images: tuple[str, ...] = ()


def engine_checks(engine: EngineName) -> list[Check]:
    path = engine_images.engine_found(engine)
    if path is None:
        return [
            Check(
                name=f"{engine} found",
                level=Level.FAIL,
                detail=f"`{engine}` is not on PATH",
                fix=engine_images.install_fix(engine),
            )
        ]
    checks = [Check(name=f"{engine} found", level=Level.OK, detail=path)]
    version = engine_images.engine_version(engine)
    if not version.reachable:
        error = version.error.splitlines()[-1] if version.error else "no answer"
        checks.append(
            Check(
                name=f"{engine} daemon reachable",
                level=Level.FAIL,
                detail=error,
                fix=engine_images.start_fix(engine),
            )
        )
        return checks
    checks.append(
        Check(
            name=f"{engine} daemon reachable",
            level=Level.OK,
            detail=f"server {version.server}" + (f" (API {version.api})" if version.api else ""),
        )
    )
    too_old = version.too_old()
    checks.append(
        Check(
            name=f"{engine} version",
            level=Level.FAIL if too_old else Level.OK,
            detail=too_old or f"new enough ({engine_images.MINIMUMS})",
            fix=engine_images.upgrade_fix(engine),
        )
    )
    return checks


def binfmt_checks(
    archs: Iterable[Arch], *, host: Arch, root: Path = binfmt.BINFMT_ROOT
) -> list[Check]:
    checks: list[Check] = []
    for arch in archs:
        finding = binfmt.check_arch(arch, host=host, root=root)
        checks.append(
            Check(
                name=f"binfmt {arch.value}",
                level=Level.OK if finding.ok else Level.FAIL,
                detail=finding.describe().splitlines()[0].split(": ", 1)[-1],
                fix=" OR ".join(finding.fixes),
            )
        )
    return checks


def image_fix(ref: str, engine: EngineName) -> str:
    command = r.build_command(ref, engine)
    if command is not None:
        return command
    pull = f"`{engine} pull {ref}` (needs the registry)"
    if "musllinux" in ref:
        return f'{pull}, or skip musl builds: skip = "*-musllinux_*" (no local musl image recipe)'
    default = r.DEFAULT_SUITE.value
    return (
        f"{pull}, or build a glibc image with `cibuildwheel-like images build --suite {default}"
        f' --arch ARCH` and set the matching manylinux-ARCH-image = "debian-{default}"'
    )


def image_checks(
    engine: EngineName, images: Iterable[str], *, optional: Iterable[str] = ()
) -> list[Check]:
    """One check per image; a missing ``optional`` image is a warning, not a failure."""
    checks: list[Check] = []
    for ref, required in [*((i, True) for i in images), *((i, False) for i in optional)]:
        info = engine_images.image_info(engine, ref)
        missing = f"not in {engine}'s local store"
        if not required:
            missing += "; emulation = auto builds these identifiers under emulation instead"
        checks.append(
            Check(
                name=f"image {ref}",
                level=Level.OK if info else Level.FAIL if required else Level.WARN,
                detail=f"local ({info.platform})" if info else missing,
                fix=image_fix(ref, engine),
            )
        )
    return checks


def disk_checks(paths: Sequence[Path]) -> list[Check]:
    checks: list[Check] = []
    for path in paths:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free / GIB
        level = Level.OK
        if free < MIN_FREE_GIB:
            level = Level.FAIL
        elif free < WARN_FREE_GIB:
            level = Level.WARN
        checks.append(
            Check(
                name=f"free disk at {path}",
                level=level,
                detail=f"{free:.1f} GiB free",
                fix=f"free space (an image needs ~1 GiB, a build ~{MIN_FREE_GIB} GiB):"
                f" `docker system prune`",
            )
        )
    return checks


def tool_checks() -> list[Check]:
    found = shutil.which("debootstrap")
    return [
        Check(
            name="debootstrap (for images build)",
            level=Level.OK if found else Level.WARN,
            detail=found or "not installed: only needed to build local images",
            fix=f"apt-get install debootstrap, or run {engine_images.BOOTSTRAP_HINT}",
        )
    ]


def cache_check(cache: Cache) -> Check:
    """Where the persistent caches live and how big they are (never a failure)."""
    size = cache.size()
    shown = f"{size / GIB:.1f} GiB" if size >= GIB else f"{size / MIB:.1f} MiB"
    return Check(
        name="cache directory",
        level=Level.OK,
        detail=f"{cache.root} ({shown if cache.root.is_dir() else 'not created yet'};"
        " CIBW_CACHE_PATH moves it, `run --clean-cache` empties it)",
    )


def orphan_check(engine: EngineName) -> Check:
    """Containers of runs that died (SIGKILL, crash) are removed here, as the next run would."""
    removed, failed = ownership.remove_orphans(engine)
    if failed:
        return Check(
            name="containers of ended runs",
            level=Level.WARN,
            detail=ownership.cleanup_message(engine, removed, failed),
            fix=f"`{engine} rm -f NAME` for each one named",
        )
    return Check(
        name="containers of ended runs",
        level=Level.OK,
        detail=ownership.cleanup_message(engine, removed, failed) or "none left behind",
    )


def run_checks(needs: Needs, *, host: Arch | None = None) -> list[Check]:
    host_arch = host or Arch.native()
    checks = engine_checks(needs.engine)
    engine_ok = all(c.level is not Level.FAIL for c in checks)
    checks += binfmt_checks(needs.archs, host=host_arch)
    if engine_ok:
        checks += image_checks(needs.engine, needs.images, optional=needs.optional_images)
        checks.append(orphan_check(needs.engine))
    else:
        checks += [
            Check(
                name=f"image {ref}",
                level=Level.FAIL,
                detail="not checked: the engine is not usable",
                fix="fix the engine first",
            )
            for ref in (*needs.images, *needs.optional_images)
        ]
    checks += disk_checks([_STORAGE[needs.engine], Path.cwd()])
    checks += tool_checks()
    return checks


@dataclasses.dataclass(frozen=True, kw_only=True)
class DoctorRequest:
    """What ``doctor`` was asked; None / () mean "from the project's configuration"."""

    package: Path
    engine: EngineName | None
    archs: str | None  # the --archs text, as the option takes it
    images: tuple[str, ...]


def register(subparsers: Any) -> None:
    """Add ``doctor`` to the top-level subparsers."""
    parser = subparsers.add_parser(
        "doctor", help="check that this machine can build wheels", allow_abbrev=False
    )
    parser.add_argument(
        "--engine",
        choices=ENGINE_NAMES,
        default=None,
        help="engine to check (default: the project's container-engine option, else docker)",
    )
    parser.add_argument(
        "--archs", default=None, help="archs to check (default: from the project's config)"
    )
    parser.add_argument(
        "--image", action="append", default=[], metavar="REF", help="an image that must be local"
    )
    parser.add_argument(
        "package", nargs="?", type=Path, default=Path(), help="project directory (default: .)"
    )
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace, ctx: Context) -> int:
    request = DoctorRequest(
        package=Path(args.package),
        engine=None if args.engine is None else parse_engine_name(args.engine, option="--engine"),
        archs=args.archs,
        images=tuple(args.image),
    )
    return run(request, ctx)


def needs_from_project(request: DoctorRequest, ctx: Context) -> Needs:
    """Archs, images and engine the project's configuration selects (raises FatalError)."""
    from cibuildwheel_like.options import resolver as resolve  # noqa: PLC0415  # heavy; only doctor needs it

    resolver = resolve.resolve_options(
        project_dir=ctx.cwd,
        package_dir=request.package,
        config_file=None,
        environ=ctx.environ,
        cli=resolve.CliValues(archs=request.archs, package_dir=request.package, platform="linux"),
    )
    builds = [resolver.build_options(c) for c in resolver.selected_configurations()]
    configured = {b.container_engine.name for b in builds}
    engine: EngineName = request.engine or (configured.pop() if len(configured) == 1 else "docker")
    host, blockers = Arch.native(), resolver.globals.cross_blockers
    cross = [decide(b, blockers=blockers, host=host) for b in builds]
    required = [d.build_image for d in cross if d.build_image and d.setting == "cross"]
    optional = [d.build_image for d in cross if d.build_image and d.setting == "auto"]
    images = tuple(dict.fromkeys([*(b.image for b in builds), *required]))
    return Needs(
        engine=engine,
        archs=tuple(dict.fromkeys(b.arch for b in builds)),
        images=images,
        optional_images=tuple(i for i in dict.fromkeys(optional) if i not in images),
        source=f"{len(builds)} identifier(s) selected by the project configuration",
    )


def _explicit_archs(text: str | None) -> list[Arch]:
    if not text:
        return [Arch.native()]
    names = text.replace(",", " ").split()
    known = [a.value for a in Arch]
    for name in names:
        if name not in known:
            raise ConfigurationError(
                f"--archs: unknown arch {name!r}; choose from {', '.join(known)}"
            )
    return [Arch(name) for name in dict.fromkeys(names)]


def _explicit_needs(request: DoctorRequest) -> Needs:
    archs = _explicit_archs(request.archs)
    images = request.images or tuple(r.image_name(r.DEFAULT_SUITE, a) for a in archs)
    return Needs(
        engine=request.engine or "docker",
        archs=tuple(archs),
        images=images,
        source="command line",
    )


def run(request: DoctorRequest, ctx: Context) -> int:
    out = ctx.output
    prefix: list[Check] = []
    if request.images:
        needs = _explicit_needs(request)
    else:
        try:
            needs = needs_from_project(request, ctx)
        except (FatalError, ValueError) as e:
            prefix.append(
                Check(
                    name="project configuration",
                    level=Level.WARN,
                    detail=f"not used ({str(e).splitlines()[0]}); checking --archs/--image",
                    fix="run doctor in the project directory, or pass --archs and --image",
                )
            )
            needs = _explicit_needs(request)
    out.info(
        f"doctor: engine {needs.engine}, archs {', '.join(a.value for a in needs.archs)}"
        f" ({needs.source})"
    )
    checks = [*prefix, *run_checks(needs), cache_check(ctx.cache)]
    for check in checks:
        out.info(check.line())
    failed = [c for c in checks if c.level is Level.FAIL]
    if failed:
        out.error(f"{len(failed)} check(s) failed: a build would fail; see the fixes above")
        return 1
    out.info("doctor: all checks passed")
    return 0
