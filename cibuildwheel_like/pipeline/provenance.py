"""Where each wheel came from, for the build report: the image the container really ran (ID
and registry digests, asked of the engine once per container), the auditwheel that repaired it
(its version, asked once per container) and the policy it proved (the libc tag auditwheel wrote),
and the SOURCE_DATE_EPOCH the build saw.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cibuildwheel_like.report.installability import check_wheel
from cibuildwheel_like.report.results import BuildMethod, Provenance

if TYPE_CHECKING:
    from cibuildwheel_like.pipeline.state import BuildRun, GroupRun

_VERSION = re.compile(r"auditwheel\s+(\S+)")


def uses_auditwheel(repair_command: str) -> bool:
    return re.search(r"\bauditwheel\s+repair\b", repair_command) is not None


def proved_policy(wheel_name: str) -> str | None:
    """The lowest libc tag of the wheel, in its PEP 600 / 656 spelling (manylinux2014_x86_64
    is manylinux_2_17_x86_64): what auditwheel repair checked the wheel against."""
    promised = [t for t in check_wheel(wheel_name).tags if t.libc_version is not None]
    if not promised:
        return None
    best = min(promised, key=lambda t: t.libc_version or (0, 0))
    assert best.libc_version is not None  # noqa: S101  # filtered above
    prefix = "musllinux" if best.libc == "musl" else "manylinux"
    return f"{prefix}_{best.libc_version[0]}_{best.libc_version[1]}_{best.arch}"


def _auditwheel_version(build: BuildRun) -> str:
    run = build.run
    if run.auditwheel_version is None:
        result = run.container.run(
            ["auditwheel", "--version"], env=build.env, cwd=run.paths.project, capture=True
        )
        found = _VERSION.search(result.stdout) if result.returncode == 0 else None
        run.auditwheel_version = found.group(1) if found else ""
    return run.auditwheel_version


def _image(run: GroupRun) -> tuple[str | None, tuple[str, ...]]:
    if run.image is None:
        run.image = run.container.image_identity()
    return run.image.id or None, run.image.repo_digests


def _method(build: BuildRun) -> BuildMethod:
    """How the wheel was compiled: as this build says (a cross build, or its fallback), as the
    build that made a reused wheel in this container said, else by the container's arch."""
    run = build.run
    assert build.wheel is not None  # noqa: S101  # set by repair or reuse
    source = run.built_wheels.get(build.wheel.name, "") if build.reused else ""
    method = build.method or run.methods.get(source)
    if method is None:
        method = BuildMethod(built_by="emulated" if run.emulated else "native")
    run.methods[build.identifier] = method
    return method


def record(build: BuildRun) -> None:
    """Fill ``build.provenance`` once its wheel is repaired (or reused)."""
    wheel = build.wheel
    assert wheel is not None  # noqa: S101  # set by repair or reuse
    options = build.options
    image_id, digests = _image(build.run)
    version: str | None = None
    policy: str | None = None
    if uses_auditwheel(options.repair_wheel_command):
        version = _auditwheel_version(build) or None
        policy = proved_policy(wheel.name)
    build.provenance = Provenance(
        image=options.image,
        image_id=image_id,
        repo_digests=digests,
        auditwheel_version=version,
        auditwheel_policy=policy,
        source_date_epoch=build.env.get("SOURCE_DATE_EPOCH") or None,
        method=_method(build),
    )
