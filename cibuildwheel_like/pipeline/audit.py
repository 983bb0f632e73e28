"""Stage "audit": ``audit-command`` on each repaired wheel, on the host, as cibuildwheel 4.3.5.

cibuildwheel runs the audit outside the container: it copies the repaired wheel out, makes a
virtual environment with the host's Python, installs ``audit-requires`` into it and runs each
command through the shell with that environment active, from the project directory. A command
with ``{abi3_wheel}`` runs for abi3 wheels only; one with ``{wheel}`` for every wheel; when no
command applies, there is no step at all. A failing command fails the build (exit 9).

Ours differs only in cost: the environment is made once for each distinct ``audit-requires``
and kept in the cache directory (``AuditEnvironments``), its requirements installed again once
per run rather than before every audit. Left at the default
(``abi3audit`` alone), abi3audit is pinned as ``dependency-versions`` says: ``pinned`` uses our
pin, a constraints file or ``packages:`` constrain it, ``latest`` takes the newest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import filelock
from packaging.utils import parse_wheel_filename

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import AuditFailedError, HostCommandError
from cibuildwheel_like.options.dependency_versions import (
    ToolVersions,
    constraints_for,
)
from cibuildwheel_like.options.wheel_checks import ABI3_PLACEHOLDER
from cibuildwheel_like.pipeline.argv import prepare_command

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cibuildwheel_like.context import Cache
    from cibuildwheel_like.options.dependency_versions import DependencyVersions
    from cibuildwheel_like.output.console import Output
    from cibuildwheel_like.pipeline.state import BuildRun

DEFAULT_REQUIRES = ("abi3audit",)
# dependency-versions = "pinned": the abi3audit cibuildwheel 4.3.5 pins
PINNED_ABI3AUDIT = "abi3audit==0.0.26"


def is_abi3(wheel_name: str) -> bool:
    return any(tag.abi == "abi3" for tag in parse_wheel_filename(wheel_name)[3])


def applicable(commands: Sequence[str], wheel_name: str) -> list[str]:
    """The commands that run for this wheel: {wheel} ones always, {abi3_wheel} ones for abi3."""
    abi3 = is_abi3(wheel_name)
    return [c for c in commands if abi3 or ABI3_PLACEHOLDER not in c]


def constraints(requires: Sequence[str], versions: DependencyVersions) -> bytes | None:
    """The constraints for the audit environment: only when audit-requires is the default, as
    cibuildwheel (the user's own requirements are theirs to pin)."""
    if tuple(requires) != DEFAULT_REQUIRES:
        return None
    match versions:
        case ToolVersions(mode="pinned"):
            return f"{PINNED_ABI3AUDIT}\n".encode()
        case ToolVersions():
            return None
        case _:
            host = f"{sys.version_info.major}.{sys.version_info.minor}"
            return constraints_for(versions, python_version=host)


class AuditEnvironments:
    """Run-wide, shared by the lanes: one host venv per (audit-requires, constraints), made on
    first use. With the caches on it is kept under the cache directory (``audit-envs/``) and
    reused by later runs, the requirements installed again once per run (a no-op when they are
    satisfied, as cibuildwheel's reinstall is); otherwise it lives in a temporary folder that
    ``close`` removes."""

    def __init__(self, cache: Cache | None = None) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._root: Path | None = None
        self._made: dict[str, Path] = {}

    def environment(
        self,
        requires: Sequence[str],
        pins: bytes | None,
        *,
        output: Output,
        host_environ: Mapping[str, str],
    ) -> dict[str, str]:
        key = _key(requires, pins)
        with self._lock:  # one lane makes it, the others wait for it
            venv = self._made.get(key)
            if venv is None:
                venv = self._folder() / key
                with filelock.FileLock(f"{venv}.lock"):  # another run may be making it
                    if not (venv / "pyvenv.cfg").is_file():
                        shutil.rmtree(venv, ignore_errors=True)
                        # no pip when there is nothing to install: seeding it costs seconds
                        bare = [] if requires else ["--without-pip"]
                        make = [_host_python(), "-m", "venv", *bare, str(venv)]
                        _checked(make, output=output, env=host_environ)
                    _install(venv, requires, pins, output=output, host_environ=host_environ)
                self._made[key] = venv
        return _activated(venv, host_environ)

    def _folder(self) -> Path:
        if self._cache is not None:
            return self._cache.directory("audit-envs")
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="cibuildwheel-like-audit-"))
        return self._root

    def close(self) -> None:
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._made.clear()


def _key(requires: Sequence[str], pins: bytes | None) -> str:
    """A folder name for the environment: the host Python and what is installed into it."""
    digest = hashlib.sha256()
    for part in (_host_python(), sys.version, "\0".join(requires)):
        digest.update(part.encode() + b"\0\0")
    digest.update(pins or b"")
    return digest.hexdigest()[:16]


def _activated(venv: Path, host_environ: Mapping[str, str]) -> dict[str, str]:
    env = dict(host_environ)
    env.pop("PYTHONHOME", None)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", os.defpath)])
    return env


def _host_python() -> str:
    # the base interpreter, not a venv's (cibuildwheel does the same: nested venvs lose pip)
    return str(getattr(sys, "_base_executable", "") or sys.executable)


def _install(
    venv: Path,
    requires: Sequence[str],
    pins: bytes | None,
    *,
    output: Output,
    host_environ: Mapping[str, str],
) -> None:
    if not requires:
        return
    argv = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    if pins is not None:
        constraints_file = venv / "audit-constraints.txt"
        constraints_file.write_bytes(pins)
        argv += ["--constraint", str(constraints_file)]
    output.info(f"installing the audit requirements: {' '.join(requires)}")
    _checked([*argv, *requires], output=output, env=_activated(venv, host_environ))


def _checked(argv: Sequence[str], *, output: Output, env: Mapping[str, str]) -> None:
    output.info(f"    + {hostcmd.quote(argv)}")
    code = hostcmd.stream(argv, output.stream_line, env=env)
    if code != 0:
        raise HostCommandError(
            f"making the audit environment failed: `{hostcmd.quote(argv)}` exited with {code};"
            " check audit-requires (and dependency-versions), and that the host reaches the"
            " package index"
        )


def audit_wheel(build: BuildRun) -> None:
    """Audit ``build.wheel`` (the repaired wheel, in the container) on the host."""
    options = build.options
    run = build.run
    wheel = build.wheel
    assert wheel is not None  # noqa: S101  # set by repair
    commands = applicable(options.audit_commands, wheel.name)
    if not commands:
        if options.audit_commands:
            run.ctx.output.debug(f"{build.identifier}: no audit: {wheel.name} is not abi3")
        return
    with build.step("audit"):
        env = run.audit.environment(
            options.audit_requires,
            constraints(options.audit_requires, options.dependency_versions),
            output=run.ctx.output,
            host_environ=run.ctx.environ,
        )
        folder = Path(tempfile.mkdtemp(prefix="cibuildwheel-like-audit-wheel-"))
        try:
            (local,) = run.container.copy_out(wheel, folder)
            for template in commands:
                command = prepare_command(
                    template,
                    abi3_wheel=str(local),
                    wheel=str(local),
                    project=".",
                    package=str(run.globals.package_dir),
                )
                run.ctx.output.info(f"    + {command}")
                code = hostcmd.stream(
                    ["sh", "-c", command],
                    run.ctx.output.stream_line,
                    env=env,
                    cwd=run.globals.project_dir,
                )
                if code != 0:
                    raise AuditFailedError(
                        f"{build.identifier}: step 'audit' failed: audit command `{command}`"
                        f" exited with {code} on {wheel.name}. Fix what it reports, or change"
                        " audit-command (an empty value turns the audit off)."
                    )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
