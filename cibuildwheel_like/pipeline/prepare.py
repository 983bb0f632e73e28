"""Stage "prepare": the group's container (interpreters, project copy, before-all, the cache
variables, the host's CA bundle) and each identifier's environment (environment-pass,
environment, PATH checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.engine import certificates, tmpfs
from cibuildwheel_like.errors import BuildStepError, FatalError
from cibuildwheel_like.options.dependency_versions import constraints_for
from cibuildwheel_like.pipeline import caches, uv_tools
from cibuildwheel_like.pipeline.argv import display, prepare_command, shell
from cibuildwheel_like.pipeline.state import PROJECT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import PurePosixPath

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.engine.container import Mount
    from cibuildwheel_like.engine.tmpfs import Tmpfs
    from cibuildwheel_like.options.environment import Executor
    from cibuildwheel_like.options.model import EngineConfig, GlobalOptions
    from cibuildwheel_like.pipeline.state import BuildRun, GroupRun

_PIP_QUIET_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore"}
_FIND_MISSING = 'for p; do [ -x "$p/bin/python" ] || echo "$p"; done'


def prepare_group(first: BuildRun) -> None:
    """Everything once per container; failures are reported against the first identifier."""
    start_group(first.run)
    before_all(first)


def start_group(run: GroupRun) -> None:
    """Once per container: base environment, interpreter check, project copy, constraints.

    With the caches on, the base environment points pip and uv at the mounted cache; it sits
    under the identifier's ``environment``, which may still override it."""
    cache_env = caches.environment() if caches.enabled(run.globals) else {}
    run.base_env = {**run.container.environment(), **_PIP_QUIET_ENV, **cache_env}
    bundle = run.globals.ca_bundle
    if bundle is not None:  # the host trusts extra CAs: so does the container, whatever image
        run.ctx.output.info(f"trusting the CA bundle {bundle} in the container")
        run.base_env.update(certificates.install(run.container, bundle))
    check_interpreters(run)
    output = run.ctx.output
    output.info(f"copying {run.globals.project_dir} into the container at {run.paths.project}")
    # The output directory exists from the start (as cibuildwheel's); inside the project it
    # would be copied too (earlier wheels, and setuptools' flat-layout discovery takes an empty
    # `wheelhouse/` for a package), so it stays out of the copy.
    run.container.copy_in(
        run.globals.project_dir, run.paths.project, exclude=(run.globals.output_dir,)
    )
    # dependency-versions constrains only the tools we install ourselves (uv, see uv_tools),
    # as cibuildwheel 4.3.5 on Linux constrains only its own `pip install virtualenv`; the
    # file is the group's first identifier's (who installs those tools), chosen per Python
    first = run.group.builds[0]
    constraints = constraints_for(first.dependency_versions, python_version=first.config.version)
    if constraints is not None:
        run.container.write_file(run.paths.constraints, constraints)
        run.has_constraints = True


def check_interpreters(run: GroupRun) -> None:
    """Every identifier's interpreter must be in the image; list all missing ones at once (the
    whole group's, also when this container runs only a part of it)."""
    builds = run.group_builds or run.group.builds
    paths = [b.config.path for b in builds]
    result = run.container.run(
        ["sh", "-c", _FIND_MISSING, "sh", *paths], env=run.base_env, cwd="/", capture=True
    )
    missing = set(result.stdout.split())
    if result.returncode != 0 or missing:
        lines = [
            # "executable doesn't exist in image" is cibuildwheel's wording (logs grep for it)
            f"  {b.identifier}: {b.config.path}/bin/python executable doesn't exist in image"
            f" {run.group.image}"
            for b in builds
            if b.config.path in missing
        ]
        raise FatalError(
            f"image {run.group.image} lacks the interpreters for:\n"
            + "\n".join(lines or [f"  (check failed: {result.stderr.strip()})"])
            + "\nNarrow `build`/`skip` to the Pythons this image provides, or choose an image"
            " that has them (`cibuildwheel-like images list` shows what each local image holds)."
        )


def executor_for(build: BuildRun, step: str) -> Executor:
    """An environment.Executor that runs ``$(...)`` substitutions inside the container."""

    def execute(argv: Sequence[str], env: Mapping[str, str]) -> str:
        result = build.run.container.run(argv, env=env, cwd=build.run.paths.project, capture=True)
        if result.returncode != 0:
            raise BuildStepError(
                identifier=build.identifier,
                step=step,
                command=f"$({display(list(argv))}) in {step}",
                returncode=result.returncode,
                hint=result.stderr.strip()[-1000:],
            )
        return result.stdout

    return execute


def _evaluated(build: BuildRun, base: Mapping[str, str], option: str) -> dict[str, str]:
    options = build.options
    parsed = options.environment.with_passed(options.environment_pass, build.run.ctx.environ)
    return parsed.evaluate(base, executor_for(build, option))


def before_all(build: BuildRun) -> None:
    """Run ``before-all`` once per container, with the first identifier's environment and a
    utility Python (that identifier's) first on PATH."""
    run = build.run
    if not run.group.before_all.strip():
        return
    with build.step("before-all"):
        base = dict(run.base_env)
        base["PATH"] = f"{build.python_bin}:{base.get('PATH', '')}"
        env = _evaluated(build, base, "environment")
        command = prepare_command(
            run.group.before_all, project=run.paths.project, package=run.paths.package
        )
        build.call(shell(command), env=env)


def identifier_environment(build: BuildRun) -> None:
    """The build environment: container env, the identifier's Python first on PATH,
    environment-pass then environment evaluated in the container, the build identifier."""
    run = build.run
    base = dict(run.base_env)
    base["PATH"] = f"{build.python_bin}:{base.get('PATH', '')}"
    # No PIP_CONSTRAINT/UV_CONSTRAINT here: in this environment they would constrain the
    # project's build requirements (build isolation), before-build and the test installs,
    # which cibuildwheel deliberately stopped doing (its #2583).
    env = _evaluated(build, base, "environment")
    env["CIBUILDWHEEL_BUILD_IDENTIFIER"] = build.identifier
    build.env = env
    _check_path(build)


def _check_path(build: BuildRun) -> None:
    """This identifier's python (and pip) first on PATH; uv on PATH for the uv frontends,
    installed into the container once when the image has none (see uv_tools)."""
    needs_uv = uv_tools.uses_uv(build.options.build_frontend)
    tools = ["python", "uv" if needs_uv else "pip"]
    found = build.capture(["sh", "-c", 'for t; do command -v "$t" || echo "-"; done', "sh", *tools])
    where = dict(zip(tools, found.split(), strict=False))
    python = build.python_bin / "python"
    if where.get("python") != str(python):
        # The first clause is cibuildwheel's wording, kept so a search of the log finds it.
        raise build.fail(
            "python available on PATH doesn't match our installed instance:"
            f" `python` on PATH is {where.get('python', '-')}, not {python}. The `environment`"
            " option must keep this Python first on PATH, e.g. PATH=$PATH:/extra, not"
            " PATH=/extra:$PATH."
        )
    if needs_uv:
        if where.get("uv", "-") == "-":
            uv_dir = _install_uv(build)
            build.env["PATH"] = uv_tools.with_path_entry(build.env.get("PATH", ""), uv_dir)
    elif where.get("pip") != str(build.python_bin / "pip"):
        raise build.fail(
            "pip available on PATH doesn't match our installed instance:"
            f" `pip` on PATH is {where.get('pip', '-')}, not {build.python_bin / 'pip'};"
            " keep this Python's bin directory first on PATH"
        )


def _install_uv(build: BuildRun) -> PurePosixPath:
    """uv is the one tool we install ourselves, the counterpart of cibuildwheel's constrained
    `pip install virtualenv`: ensure_uv applies the constraints file to that install only."""
    return uv_tools.ensure_uv(build)


def container_mounts(
    cache: Cache, options: GlobalOptions, arch: Arch, engine: EngineConfig
) -> tuple[Mount | Tmpfs, ...]:
    """What a build or test container mounts: the arch's caches and /tmp in memory."""
    keep = options.debug_keep_container
    return (
        *caches.container_mounts(cache, options, arch),
        *tmpfs.tmp_mounts(options.container_tmp, keep=keep, create_args=engine.create_args),
    )


def package_path(options: GlobalOptions) -> PurePosixPath:
    """The package's path in the container: the same place relative to /project."""
    relative = options.package_dir.resolve().relative_to(options.project_dir.resolve())
    return PROJECT / relative.as_posix() if relative.parts else PROJECT
