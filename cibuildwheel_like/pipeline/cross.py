"""Stage "build", cross-compiled (``emulation = cross | auto``): compile on this machine, repair
and test under QEMU.

A build the plan marks ``cross`` (options/cross_support.py) is compiled in a second container,
of this machine's arch, from the cross image of its suite (``images build --cross``: the same
Debian suite's gcc, glibc and libstdc++, targeting the foreign arch). That container starts at
the group's first cross build and lives as long as the target container. Per build:

1. the target interpreter's build configuration is read once, under QEMU, in the target
   container (its sysconfig data and its multiarch ``pyconfig.h``: ``target_python``);
2. both are written into the build container, where the identifier's environment is
   evaluated, the compiler cache wraps the cross compilers, and before-build runs (``cross``
   only; ``auto`` emulates builds that have one);
3. ``resources/cross_build.py`` builds the wheel with pypa/build: build requirements are
   installed for this machine, and only the PEP 517 hooks see the target's sysconfig and the
   toolchain (``hook_environment``);
4. the wheel is checked (every ELF member is for the target arch, extension suffixes and tags
   are the target's: ``wheel_check``) and copied into the target container's ``built_wheel``
   folder, where the unchanged stages repair, test and deliver it.

Under ``auto`` any failure of 1 to 4 is said and the identifier is built under emulation in the
same target container instead (``fall_back``); under ``cross`` it is the build's error, with a
hint when the build may have run a program it had just compiled for the target.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import tempfile
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.errors import FatalError
from cibuildwheel_like.images import recipe
from cibuildwheel_like.pipeline import before_build, build, caches, prepare, uv_tools
from cibuildwheel_like.pipeline.argv import config_settings_dict, stale_so_hint
from cibuildwheel_like.pipeline.cross_toolchain import (
    COMPILER_VARIABLES,
    CROSS_DIR,
    TARGET_PROBE,
    TargetPython,
    Toolchain,
    compilers,
    hook_environment,
    sysconfig_dir,
)
from cibuildwheel_like.pipeline.state import WORK
from cibuildwheel_like.pipeline.wheel_check import check_cross_wheel
from cibuildwheel_like.report.results import BuildMethod

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Callable, Mapping

    from cibuildwheel_like.options.cross_support import CrossDecision
    from cibuildwheel_like.options.model import EngineName
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.pipeline.state import BuildRun, GroupRun
    from cibuildwheel_like.plan import Plan

STEP = "cross-container"  # starting and preparing the build container

# Hint for a cross build that failed: the commonest cause a cross build has and an emulated
# build has not.
RAN_TARGET_PROGRAM_HINT = (
    "This build was cross-compiled (emulation = '{setting}'). If it ran a program it had just"
    " compiled for {arch} ('Exec format error', 'cannot execute binary file', or 'No such file"
    " or directory' for a program that exists), it cannot be cross-compiled: build this"
    " identifier with emulation = 'emulate' or 'auto' (per identifier:"
    " [[tool.cibuildwheel-like.overrides]])."
)


@dataclasses.dataclass(kw_only=True)
class CrossRun:
    """The build container of one target container's cross builds (started on first use)."""

    stack: contextlib.ExitStack  # the target container's: the build container leaves with it
    run: GroupRun | None = None  # the build container's run, once started
    targets: dict[str, TargetPython] = dataclasses.field(default_factory=dict)  # by interpreter
    staged: dict[str, str] = dataclasses.field(default_factory=dict)  # path -> text written
    toolchain: str = ""  # "aarch64-linux-gnu-gcc 12.2.0", asked once


def planned_in(decisions: Mapping[str, CrossDecision], identifier: str) -> bool:
    decision = decisions.get(identifier)
    return decision is not None and decision.mode == "cross"


def planned(b: BuildRun) -> bool:
    """The run cross-compiles this build (and the executor made its CrossRun)."""
    return b.run.cross is not None and planned_in(b.run.decisions, b.identifier)


def build_wheel(b: BuildRun) -> PurePosixPath:
    """Cross-compile ``b``'s wheel; its unrepaired wheel's path in the target container."""
    target = target_python(b)
    xb = _build_side(b)
    try:
        return _build_there(b, xb, target)
    finally:  # what the build side recorded belongs to the build
        b.current_step = xb.current_step  # the step a failure names
        b.cache = xb.cache  # the compiler cache's hits and misses


def _build_there(b: BuildRun, xb: BuildRun, target: TargetPython) -> PurePosixPath:
    cross = _cross(b)
    arch = b.options.arch
    chosen = {name: xb.env[name] for name in COMPILER_VARIABLES if name in xb.env}
    launcher = caches.wire_compiler_cache(xb, compilers=compilers(arch))
    toolchain = Toolchain(arch=arch, launcher=launcher, chosen=chosen)
    for name in COMPILER_VARIABLES:  # ours reach the hooks only: build requirements that
        if name not in chosen:  # compile (sdists) are compiled for this machine
            xb.env.pop(name, None)
    _stage(xb, cross, target, toolchain)
    compiling = toolchain.environment()
    before_build.run_before_build(xb, extra_env=compiling)
    with xb.step("build"):
        hooks = {**compiling, **hook_environment(target)}
        built = _run_driver(xb, hooks)
        return _hand_over(b, xb, built, target)


def target_python(b: BuildRun) -> TargetPython:
    """The target interpreter's build configuration, asked once per container, under QEMU."""
    cross = _cross(b)
    key = b.options.config.path
    if key not in cross.targets:
        with b.step("cross-setup"):
            python = str(b.python_bin / "python")
            found = TargetPython.parse(b.capture([python, "-c", TARGET_PROBE], cwd=WORK.parent))
        if found.pyconfig is None:
            raise b.fail(
                f"{found.pyconfig_path} is not in {b.run.group.image}: the image does not keep"
                " its pyconfig.h in Debian's multiarch layout, which a cross build needs"
            )
        cross.targets[key] = found
    return cross.targets[key]


def fall_back(b: BuildRun, error: FatalError) -> None:
    """After a failed cross build: raise under ``cross`` (with the hint), or say why this
    identifier is now built under emulation (``auto``)."""
    b.run.control.check()  # a run that is stopping does not build again
    if b.options.emulation != "auto":
        raise error
    reason = f"cross build failed in step '{b.current_step}': {_first_line(error)}"
    b.run.ctx.output.info(
        f"{b.identifier}: built under emulation instead (emulation = 'auto'): {reason}"
    )
    b.method = BuildMethod(built_by="emulated", cross_fallback=reason)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _cross(b: BuildRun) -> CrossRun:
    cross = b.run.cross
    assert cross is not None  # noqa: S101  # planned() checked it
    return cross


def _build_side(b: BuildRun) -> BuildRun:
    """``b`` as seen from the build container (started at the first cross build)."""
    cross = _cross(b)
    if cross.run is None:
        cross.run = _start(b, cross)
    xb = dataclasses.replace(
        b, run=cross.run, env={}, found_uv=None, test_dir=None, early_venv=None
    )
    with xb.step("cross-prepare"):
        prepare.identifier_environment(xb)
    return xb


def _start(b: BuildRun, cross: CrossRun) -> GroupRun:
    run = b.run
    decision = run.decisions[b.identifier]
    image = decision.build_image
    assert image is not None  # noqa: S101  # set for every cross decision
    host = Arch.native()
    with b.step(STEP):
        run.ctx.output.info(
            f"starting the cross build container from {image} ({host.oci_platform}) for the"
            f" {b.options.arch.value} builds of this container"
        )
        factory = run.test_containers
        assert factory is not None  # noqa: S101  # the executor's container factory
        container = cross.stack.enter_context(
            factory(
                image=image,
                arch=host,
                engine=run.group.engine,
                output=run.ctx.output,
                host_environ=run.ctx.environ,
                keep=run.globals.debug_keep_container,
                mounts=prepare.container_mounts(run.ctx.cache, run.globals, host, run.group.engine),
            )
        )
        cross.stack.enter_context(run.control.running(container))
        builds = tuple(o for o in run.group.builds if planned_in(run.decisions, o.identifier))
        xrun = run.moved_to(container, image=image, arch=host, builds=builds)
        xrun.emulated = False
        prepare.start_group(xrun)
        driver = resources.files("cibuildwheel_like").joinpath("resources/cross_build.py")
        container.write_file(CROSS_DIR / "cross_build.py", driver.read_bytes())
        compiler = f"{b.options.arch.gnu_triplet}-gcc"
        found = container.run(
            [compiler, "-dumpfullversion"], env=xrun.base_env, cwd="/", capture=True
        )
        if found.returncode != 0:
            raise b.fail(
                f"{image} has no {compiler}: it is not a cross image for"
                f" {b.options.arch.value}; remake it with `cibuildwheel-like images build"
                f" --arch {host.value} --cross` and the suite of {run.group.image}"
            )
        cross.toolchain = f"{compiler} {found.stdout.strip()}"
    return xrun


def _stage(xb: BuildRun, cross: CrossRun, target: TargetPython, toolchain: Toolchain) -> None:
    """The target's sysconfig module and pyconfig.h, and the CMake toolchain file, each
    written when it is not there yet. The pyconfig.h goes to its own path, where the build
    Python's pyconfig.h (Debian's multiarch dispatcher) finds it: no extra include folder."""
    files = {
        sysconfig_dir(target) / f"{target.sysconfigdata_name}.py": target.sysconfigdata,
        toolchain.cmake_file: toolchain.cmake_toolchain(),
    }
    if target.pyconfig is not None:
        files[target.pyconfig_path] = target.pyconfig
    for path, text in files.items():
        if cross.staged.get(str(path)) != text:
            xb.run.container.write_file(path, text.encode())
            cross.staged[str(path)] = text


def _run_driver(xb: BuildRun, hooks: Mapping[str, str]) -> PurePosixPath:
    """The driver in the build container; the one wheel it made there."""
    options = xb.options
    paths = xb.run.paths
    build.fresh_dirs(xb, paths.built)
    env = dict(xb.env)
    installer = "pip"
    if uv_tools.uses_uv(options.build_frontend):  # build[uv] and uv: on PATH (prepare)
        installer = "uv"
    else:
        uv = uv_tools.uv_for_build_env(xb, [])
        if uv is not None:
            installer = "uv"
            env = uv_tools.build_environment(xb.env, uv)
    request = {
        "source": str(paths.package),
        "outdir": str(paths.built),
        "installer": installer,
        "config_settings": config_settings_dict(
            options.config_settings, project=paths.project, package=paths.package
        ),
        "hooks": dict(hooks),
    }
    request_file = CROSS_DIR / f"{xb.identifier}.json"
    xb.run.container.write_file(request_file, json.dumps(request, indent=1).encode())
    python = xb.python_bin / "python"
    argv = [str(python), str(CROSS_DIR / "cross_build.py"), str(request_file)]
    shown = f"{shlex.join(argv)}  # pypa/build, for {options.arch.value}: {request_file}"
    ran_target = RAN_TARGET_PROGRAM_HINT.format(setting=options.emulation, arch=options.arch.value)

    def hint() -> str:
        return "\n".join(h for h in (stale_so_hint(xb.run.globals.package_dir), ran_target) if h)

    xb.call(argv, env=env, hint=hint, shown=shown)
    return build.collect_wheel(xb)


def _hand_over(
    b: BuildRun, xb: BuildRun, built: PurePosixPath, target: TargetPython
) -> PurePosixPath:
    """Check the cross-compiled wheel on this machine, then copy it into the target
    container's built-wheel folder, where the repair finds it."""
    run = b.run
    cross = _cross(b)
    with tempfile.TemporaryDirectory(prefix="cibwl-cross-") as tmp:
        (copied,) = xb.run.container.copy_out(built, Path(tmp))
        problems = check_cross_wheel(copied, arch=b.options.arch, ext_suffix=target.ext_suffix)
        if problems:
            raise b.fail(
                f"the cross-compiled wheel {copied.name} is not a wheel for"
                f" {b.options.arch.value}:\n  " + "\n  ".join(problems)
            )
        build.fresh_dirs(b, run.paths.built, run.paths.repaired)
        destination = run.paths.built / copied.name
        run.container.copy_in(copied, destination)
    decision = run.decisions[b.identifier]
    b.method = BuildMethod(
        built_by="cross", build_image=decision.build_image, toolchain=cross.toolchain
    )
    return destination


def check_images(
    plan: Plan, output: Output, *, exists: Callable[[EngineName, str], bool]
) -> Mapping[str, CrossDecision]:
    """Before any container starts: the cross images the plan's cross builds need are in the
    engine's store (never pulled: no registry has them). A missing one is an error for builds
    set to ``cross``, naming the command that makes it; ``auto`` builds are emulated instead,
    saying why. Returns the decisions the run follows."""
    decisions = dict(plan.cross)
    present: dict[tuple[EngineName, str], bool] = {}
    errors: dict[str, list[str]] = {}
    for options in plan.builds:
        decision = decisions.get(options.identifier)
        if decision is None or decision.mode != "cross" or decision.build_image is None:
            continue
        key = (options.container_engine.name, decision.build_image)
        if key not in present:
            present[key] = exists(*key)
        if present[key]:
            continue
        fix = recipe.build_command(decision.build_image, key[0]) or "see docs/images.md"
        if decision.setting == "cross":
            errors.setdefault(f"{decision.build_image} ({fix})", []).append(options.identifier)
            continue
        reason = f"the cross image {decision.build_image} is not in {key[0]}'s store ({fix})"
        output.info(
            f"{options.identifier}: emulated, not cross-compiled (emulation = 'auto'): {reason}"
        )
        decisions[options.identifier] = dataclasses.replace(
            decision, mode="emulate", reasons=(reason,), build_image=None
        )
    if errors:
        lines = [f"  {image}: for {', '.join(ids)}" for image, ids in errors.items()]
        raise FatalError(
            "emulation = 'cross' needs cross images that are not in the engine's store; make"
            " them first:\n" + "\n".join(lines)
        )
    return decisions
