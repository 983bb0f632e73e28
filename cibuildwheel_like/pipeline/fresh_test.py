"""Stage "test" in a fresh container (``test-container = fresh``; ``build`` tests in place).

cibuildwheel tests a wheel in the container that built it, where ``before-all`` installed the
``-dev`` packages: a shared library the repair never grafted into the wheel is still found
there, and the tests pass. A fresh container is started from the build image (or
``test-image``) and never runs ``before-all`` or ``before-build``: it gets what any container
of a group gets before ``before-all`` (the cache environment, the interpreter check, the project
copy, the constraints file), the repaired wheel at the path it had in the build container, and
the identifier's environment evaluated there. Then the test stage of ``test.py`` runs unchanged
against a copy of the build whose container is the fresh one: before-test, the test venv (uv or
pip), the test requirements, test-sources and the test command, or the smoke test under
emulation. What that copy records (the outcome, the cache counts) is copied back; its steps are
the build's own list. The container is made by the run's container factory (the engine's
``Container``, or the unit tests' fake), registered with the run's control so a failure in
another lane aborts it, and removed on every way out: success, failure and Ctrl-C.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.engine import client
from cibuildwheel_like.engine.container import Container
from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.images import recipe
from cibuildwheel_like.pipeline import prepare, test

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import BuildOptions
    from cibuildwheel_like.pipeline.state import BuildContainer, BuildRun, GroupRun
    from cibuildwheel_like.plan import Plan

STEP = "test-container"  # starting and preparing the fresh container, before the test step

# After a failed test: the shared libraries the wheel's ELF files need that the fresh container
# cannot find (`ldd` from the wheel unpacked whole, so its grafted `.libs` resolve as installed).
# Prints "member<TAB>library" lines; prints nothing where there is no ldd (best effort).
LDD_PROBE = r"""
import os, subprocess, sys, tempfile, zipfile
with tempfile.TemporaryDirectory() as tmp:
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        wheel.extractall(tmp)
        members = [n for n in wheel.namelist() if ".so" in n.rsplit("/", 1)[-1]]
    for member in members:
        try:
            argv = ["ldd", os.path.join(tmp, member)]
            done = subprocess.run(argv, capture_output=True, text=True)
        except OSError:
            sys.exit(0)
        for line in done.stdout.splitlines():
            if "=> not found" in line:
                print(member, line.split()[0], sep="\t")
"""


def check_test_images(plan: Plan) -> None:
    """Before any container starts: our runtime images that fresh tests need are there (they
    are never pulled: no registry has them), so a missing one does not fail after the builds."""
    missing: dict[str, BuildOptions] = {}
    for options in plan.builds:
        image = options.test_image
        if options.test_container != "fresh" or recipe.parse_runtime_image_name(image) is None:
            continue
        if image not in missing and not client.image_exists(options.container_engine.name, image):
            missing[image] = options
    if not missing:
        return
    fixes = []
    for image, options in missing.items():
        suite, arch = recipe.parse_runtime_image_name(image) or (None, None)
        assert suite is not None  # noqa: S101  # parsed above
        assert arch is not None  # noqa: S101
        engine = options.container_engine.name
        fixes.append(
            f"  {image}: cibuildwheel-like images build --suite {suite.value} --arch"
            f" {arch.value} --engine {engine} --runtime"
        )
    raise FatalError(
        "test-image names runtime images that are not in the engine's local store; make them"
        " first:\n" + "\n".join(fixes)
    )


def test_wheel(build: BuildRun) -> None:
    """The test stage of ``build``, where its ``test-container`` option says."""
    match build.options.test_container:
        case "build":
            test.test_wheel(build)
        case "fresh":
            if build.runs_tests:
                _test_in_fresh_container(build)
            else:  # nothing to run: test.py says why (test-skip, emulated-tests), no container
                test.test_wheel(build)


def fresh_image(build: BuildRun) -> str:
    """The image of the fresh test container: test-image, else the build image."""
    return build.options.test_image or build.run.group.image


def _test_in_fresh_container(build: BuildRun) -> None:
    run = build.run
    wheel = build.wheel
    assert wheel is not None  # noqa: S101  # set by repair, or by the reuse of an earlier wheel
    image = fresh_image(build)
    factory = run.test_containers or Container
    with contextlib.ExitStack() as stack:
        with build.step(STEP):
            run.ctx.output.info(
                f"{build.identifier}: starting a fresh test container from {image}"
                f" ({run.group.arch.oci_platform}; test-container = 'fresh': no before-all, no"
                " before-build)"
            )
            host_copy = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cibwl-")))
            (copied,) = run.container.copy_out(wheel, host_copy)
            container = stack.enter_context(
                factory(
                    image=image,
                    arch=run.group.arch,
                    engine=run.group.engine,
                    output=run.ctx.output,
                    host_environ=run.ctx.environ,
                    keep=run.globals.debug_keep_container,
                    mounts=prepare.container_mounts(
                        run.ctx.cache, run.globals, run.group.arch, run.group.engine
                    ),
                )
            )
            stack.enter_context(run.control.running(container))
            fresh = dataclasses.replace(
                build,
                run=fresh_run(run, container, image, build.options),
                found_uv=None,  # the build container's uv is not in this one
            )
            _prepare(fresh, image)
            container.copy_in(copied, wheel)
            prepare.identifier_environment(fresh)
        try:
            test.test_wheel(fresh)
        except BuildStepError as e:
            hint = missing_libraries_hint(fresh, image)
            if not hint:
                raise
            raise BuildStepError(
                identifier=e.identifier,
                step=e.step,
                command=e.command,
                returncode=e.returncode,
                hint=hint,
            ) from e
        finally:
            build.test_outcome = fresh.test_outcome
            build.cache = fresh.cache
            build.current_step = fresh.current_step


def missing_libraries_hint(fresh: BuildRun, image: str) -> str:
    """Why the test failed, when the wheel needs a library the fresh container lacks; ""
    otherwise (or when it cannot be told: no ldd, the container already gone)."""
    assert fresh.wheel is not None  # noqa: S101  # checked before the container started
    python = str(fresh.python_bin / "python")
    result = fresh.run.container.run(
        [python, "-c", LDD_PROBE, str(fresh.wheel)], env=fresh.env, cwd="/", capture=True
    )
    pairs = [line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line]
    if result.returncode != 0 or not pairs:
        return ""
    needed = ", ".join(sorted({f"{lib} (needed by {member})" for member, lib in pairs}))
    return (
        f"In the fresh test container ({image}) the wheel cannot find {needed}: the wheel does"
        " not carry it, and the build container had it only because before-all or"
        " before-build installed it. Let the repair graft it into the wheel (the default"
        " repair-wheel-command, auditwheel repair, does); if your users are to install it"
        " themselves, test in a test-image that has it."
    )


def fresh_run(
    run: GroupRun, container: BuildContainer, image: str, options: BuildOptions
) -> GroupRun:
    """The build container's ``GroupRun`` for the fresh container: one build, no before-all,
    nothing the build container learned (environment, wheels, tools)."""
    return run.moved_to(container, image=image, arch=run.group.arch, builds=(options,))


def _prepare(fresh: BuildRun, image: str) -> None:
    try:
        prepare.start_group(fresh.run)
    except FatalError as e:
        if image == fresh.options.image:
            raise
        raise FatalError(
            f"{e}\n(this is the image of the fresh test container: test-image ="
            f" {fresh.options.test_image!r}; it must hold the build's interpreters)"
        ) from e
