"""One long-lived build container, driven through the Docker or Podman command line.

The container is created once per plan group and kept alive by a sleeping PID 1; every command
is a separate ``exec`` whose environment and working directory are given explicitly. The
environment travels on the exec's stdin (never on the host's command line, so values from
``environment-pass`` do not show up in the host's process list) as a small shell script that
ends in ``exec env -i NAME=value ... command``. Files go in as a tar stream and come out as a tar
stream extracted on the host into a temporary directory, refusing members that would land
outside it. Host directories (the persistent caches) are bind-mounted at create time. The
container is removed on every way out of the ``with`` block. Within ``time_limit`` a command
that outlives its time is killed in the container, with everything it started (exec_limit.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import shlex
import subprocess
import tarfile
import time
import uuid
from typing import TYPE_CHECKING

from cibuildwheel_like import hostcmd
from cibuildwheel_like.engine import client, image_pull, liveness, ownership, tar_stream
from cibuildwheel_like.engine.exec_limit import (
    KEEP_ALIVE_MARK,
    KILL_ALL,
    KILL_SECONDS,
    ExecTimeoutError,
    Watchdog,
)
from cibuildwheel_like.errors import EngineLostError, FatalError, HostCommandError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path, PurePosixPath
    from types import TracebackType

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.engine.tmpfs import Tmpfs
    from cibuildwheel_like.options.model import EngineConfig
    from cibuildwheel_like.output.console import Output

NAME_PREFIX = "cibuildwheel-like-"
LABEL = f"{ownership.BUILD_LABEL}=1"
_KEEP_ALIVE = (
    "/bin/sh",
    "-c",
    "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done",
    KEEP_ALIVE_MARK,
)
_READ_SCRIPT = 'eval "$(cat)"'  # the exec's stdin is the script; the command then sees EOF
# Engine calls that should take seconds (create, start, rm, inspect) are bounded, so a daemon
# that stops answering ends the run with an error instead of hanging it.
_ENGINE_TIMEOUT = 120.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Mount:
    """A host directory bind-mounted read-write into the container."""

    source: Path
    target: PurePosixPath

    def volume_arg(self) -> str:
        """``--volume=SRC:DST:z``. ``z`` relabels the directory for SELinux hosts (a no-op
        elsewhere), where a container could not otherwise write to it; the short ``--volume``
        form because docker's ``--mount`` has no relabel key."""
        for path in (str(self.source), str(self.target)):
            if ":" in path or "," in path:
                raise FatalError(
                    f"cannot mount {self.source} into the container at {self.target}: a path"
                    " with ':' or ',' cannot be given to --volume; use a path without them"
                )
        return f"--volume={self.source}:{self.target}:z"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExecResult:
    returncode: int
    stdout: str  # only filled when the command was captured
    stderr: str = ""


class Container:
    """``with Container(...) as c: c.run([...], env=..., cwd=...)``."""

    def __init__(
        self,
        *,
        image: str,
        arch: Arch,
        engine: EngineConfig,
        output: Output,
        host_environ: Mapping[str, str],
        keep: bool = False,
        mounts: Sequence[Mount | Tmpfs] = (),
    ) -> None:
        self.image = image
        self.arch = arch
        self.engine = engine
        self.output = output
        self.keep = keep
        self.name = f"{NAME_PREFIX}{uuid.uuid4().hex[:12]}"
        self._host_environ = host_environ
        self.mounts = tuple(mounts)
        self._personality: tuple[str, ...] = ()
        self._created = False
        self._aborted = False  # abort() removed it from another thread
        self._deadline: float | None = None  # time.monotonic() by which commands must end
        self._limit = 0.0  # the seconds given to time_limit (for the message)
        self._create_interrupted = False  # the engine may still create it after we gave up

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Container:  # noqa: PYI034  # Self needs Python 3.11
        platform = image_pull.platform_to_run(self.engine.name, self.image, self.arch, self.output)
        try:
            self._create(platform)
            self._engine_call([self.engine.name, "start", self.name])
            self._choose_personality()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.keep and self._created:
            self.output.info(
                f"keeping container {self.name} (CIBW_DEBUG_KEEP_CONTAINER); open a shell with:"
                f"\n    {self.engine.name} exec -it {self.name} /bin/sh"
                f"\n  and remove it with: {self.engine.name} rm -f {self.name}"
            )
            return
        self._remove()

    def abort(self) -> None:
        """Force-remove the container from another thread (a lane stopping the others): a
        running exec ends at once. Leaving the ``with`` block afterwards is quiet."""
        if not self._created:
            return
        self._aborted = True
        self._rm()

    def _rm(self) -> tuple[bool, str]:
        """``rm --force`` this container, bounded in time; (removed or absent, error text)."""
        argv = [self.engine.name, "rm", "--force", "--volumes", self.name]
        try:
            result = hostcmd.run(argv, capture=True, check=False, timeout=_ENGINE_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f"{self.engine.name} did not answer within {_ENGINE_TIMEOUT:.0f} s"
        except HostCommandError as e:
            return False, str(e)
        error = result.stderr.decode(errors="replace").strip()
        return result.returncode == 0 or "no such container" in error.lower(), error

    def _exists(self) -> bool:
        argv = [self.engine.name, "inspect", "--format", "{{.Id}}", self.name]
        try:
            found = hostcmd.run(argv, capture=True, check=False, timeout=liveness.PROBE_TIMEOUT)
        except (subprocess.TimeoutExpired, HostCommandError):
            return False
        return found.returncode == 0

    def _remove(self) -> None:
        if not self._created:
            return
        try:
            removed, error = self._rm()
        except KeyboardInterrupt:
            # A second Ctrl-C (or SIGTERM) while removing: finish removing, then stop.
            self._rm()
            self._created = False
            raise
        if self._create_interrupted:
            # `create` was cut short: the daemon may finish it after our `rm`; look again.
            for _ in range(5):
                time.sleep(1)
                if self._exists():
                    removed, error = self._rm()
        if not removed and not self._aborted:
            self.output.warning(
                f"could not remove container {self.name}: {error}"
                f" (remove it with `{self.engine.name} rm -f {self.name}`; the next run removes"
                " it too)"
            )
        self._created = False

    def image_identity(self) -> client.ImageIdentity:
        """The ID (and registry digests) of the image this container runs, for provenance."""
        if not self._created:
            return client.ImageIdentity()
        return client.container_image(self.engine.name, self.name)

    def _engine_call(self, argv: list[str]) -> None:
        """A checked engine command that should take seconds; a silent engine is an error."""
        try:
            hostcmd.run(argv, capture=True, timeout=_ENGINE_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise EngineLostError(
                f"container engine {self.engine.name} did not answer `{argv[1]}` within"
                f" {_ENGINE_TIMEOUT:.0f} s; check it with `{self.engine.name} info` and"
                f" {client.start_fix(self.engine.name)}"
            ) from e

    def _was_aborted(self) -> bool:
        return self._aborted  # set by abort() from another thread

    def check_alive(self, what: str) -> None:
        """After a failed command: raise a clear error when the cause is not the command but
        the engine (it stopped answering) or the container (killed or removed from outside).
        Returns quietly when both are fine, or when the run itself removed the container."""
        if self._aborted or not self._created:
            return
        error = liveness.loss(self.engine.name, self.name, what)
        if error is not None and not self._was_aborted():  # not removed by the run meanwhile
            raise error

    def create_argv(self, platform: str) -> list[str]:
        """The ``create`` command line (the environment and mounts every exec starts with)."""
        argv = [
            self.engine.name,
            "create",
            f"--name={self.name}",
            f"--label={LABEL}",
            *(f"--label={k}={v}" for k, v in ownership.RunOwner.current().labels().items()),
            f"--platform={platform}",
            "--pull=never",
            "--env=CIBUILDWHEEL=1",
        ]
        if "SOURCE_DATE_EPOCH" in self._host_environ:
            argv.append(f"--env=SOURCE_DATE_EPOCH={self._host_environ['SOURCE_DATE_EPOCH']}")
        if self.keep:
            argv.append(f"--label={ownership.KEEP_LABEL}=1")
        if not self.engine.disable_host_mount:
            argv.append("--volume=/:/host:ro")
        argv += [m.volume_arg() for m in self.mounts]
        return [*argv, *self.engine.create_args, self.image, *_KEEP_ALIVE]

    def _create(self, platform: str) -> None:
        argv = self.create_argv(platform)
        self.output.debug(f"+ {hostcmd.quote(argv)}")
        self._created = True  # a failed create may still leave a named container behind
        try:
            self._engine_call(argv)
        except BaseException:
            self._create_interrupted = True
            raise

    def _choose_personality(self) -> None:
        """32-bit arches on a 64-bit kernel: make `uname -m` (and Python) report i686/armv7l."""
        if self.arch.is_64bit:
            return
        bits = self.run(["getconf", "LONG_BIT"], env={}, cwd="/", capture=True).stdout.strip()
        if bits != "32":
            raise FatalError(
                f"image {self.image} has a {bits}-bit userland, so it cannot build"
                f" {self.arch.value} wheels; use a 32-bit image ({self.arch.debian_arch})"
            )
        machine = self.run(["uname", "-m"], env={}, cwd="/", capture=True).stdout.strip()
        if machine in {"i686", "i386", "armv7l", "armv8l"}:
            return
        for prefix in (("linux32",), ("setarch", "linux32")):
            probe = self._exec_argv((*prefix, "uname", "-m"))
            result = hostcmd.run(probe, capture=True, check=False, input_bytes=b"")
            if result.returncode == 0:
                self._personality = prefix
                return
        raise FatalError(
            f"image {self.image} reports `uname -m` = {machine} and has neither `linux32` nor"
            f" `setarch`, so a {self.arch.value} build would be tagged {machine}; install"
            " util-linux in the image"
        )

    # -- time limits -------------------------------------------------------------------------
    @contextlib.contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Every command ``run`` inside the block must end within ``seconds`` of entering it
        (None: no limit). One still running then is killed, with every process left in the
        container but its keep-alive, and ``run`` raises ExecTimeoutError."""
        previous = self._deadline, self._limit
        if seconds is not None:
            self._deadline, self._limit = time.monotonic() + seconds, seconds
        try:
            yield
        finally:
            self._deadline, self._limit = previous

    def _remaining(self) -> float | None:
        if self._deadline is None:
            return None
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise ExecTimeoutError(self.name, self._limit)
        return remaining

    def kill_processes(self) -> None:
        """Kill every process in the container but its keep-alive (see exec_limit.KILL_ALL)."""
        argv = self._exec_argv(["/bin/sh", "-c", KILL_ALL], interactive=False)
        try:
            result = hostcmd.run(argv, capture=True, check=False, timeout=KILL_SECONDS)
        except subprocess.TimeoutExpired:
            self.output.warning(f"stopping the processes in {self.name} took too long")
            return
        if result.returncode != 0:
            why = {3: "it does not run in its own PID namespace", 4: "some would not die"}
            reason = why.get(result.returncode, result.stderr.decode(errors="replace").strip())
            self.output.warning(
                f"could not stop every process in {self.name}: {reason}; removing the"
                " container stops them"
            )

    def _watch(self, seconds: float, proc: subprocess.Popen[bytes] | None) -> Watchdog:
        return Watchdog(seconds, kill=self.kill_processes, proc=proc)

    # -- commands ----------------------------------------------------------------------------
    def _exec_argv(self, inner: Sequence[str], *, interactive: bool = True) -> list[str]:
        flags = ["-i"] if interactive else []
        return [self.engine.name, "exec", *flags, self.name, *self._personality, *inner]

    @staticmethod
    def script(argv: Sequence[str], *, env: Mapping[str, str], cwd: str) -> bytes:
        """The shell text fed on stdin: change directory, then run argv with exactly ``env``."""
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        return (
            f"cd {shlex.quote(cwd)} || exit 125\nexec env -i {assignments} {shlex.join(argv)}\n"
        ).encode(errors="surrogateescape")

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | PurePosixPath,
        capture: bool = False,
        shown: str | None = None,
    ) -> ExecResult:
        """Run ``argv`` in the container; stream its output unless ``capture``. Not checked.

        ``shown`` replaces the echoed command line (for long internal scripts)."""
        outer = self._exec_argv(["/bin/sh", "-c", _READ_SCRIPT])
        script = self.script(argv, env=env, cwd=str(cwd))
        remaining = self._remaining()
        if capture:
            self.output.debug(f"    + {shown or shlex.join(argv)}")
            watchdog = None if remaining is None else self._watch(remaining, None)
            backstop = None if remaining is None else remaining + 2 * KILL_SECONDS
            try:
                done = hostcmd.run(
                    outer, capture=True, check=False, input_bytes=script, timeout=backstop
                )
            except subprocess.TimeoutExpired:  # the kill did not end it: the client was
                raise ExecTimeoutError(self.name, self._limit) from None
            finally:
                if watchdog is not None:
                    watchdog.stop()
            if watchdog is not None and watchdog.fired:
                raise ExecTimeoutError(self.name, self._limit)
            if done.returncode != 0:
                self.check_alive(f"`{shown or shlex.join(argv)}`")
            return ExecResult(
                returncode=done.returncode,
                stdout=done.stdout.decode(errors="replace"),
                stderr=done.stderr.decode(errors="replace"),
            )
        self.output.info(f"    + {shown or shlex.join(argv)}")
        proc = hostcmd.popen(
            outer, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        watchdog = None if remaining is None else self._watch(remaining, proc)
        try:
            assert proc.stdin is not None  # noqa: S101  # set by PIPE above
            assert proc.stdout is not None  # noqa: S101
            try:
                proc.stdin.write(script)
                proc.stdin.close()
            except BrokenPipeError:  # the exec ended at once; its exit code says more
                pass
            for line in proc.stdout:
                self.output.stream_line(line.decode(errors="replace"))
            returncode = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if watchdog is not None:
                watchdog.stop()
        if watchdog is not None and watchdog.fired:
            raise ExecTimeoutError(self.name, self._limit)
        if returncode != 0:
            self.check_alive(f"`{shown or shlex.join(argv)}`")
        return ExecResult(returncode=returncode, stdout="")

    def environment(self) -> dict[str, str]:
        """The environment an exec starts with (image ENV, create --env, HOME, PATH)."""
        result = hostcmd.run(
            self._exec_argv(["cat", "/proc/self/environ"], interactive=False), capture=True
        )
        pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item)
        return dict(pairs)

    # -- files -------------------------------------------------------------------------------
    def _untar_argv(self, dest_dir: PurePosixPath) -> list[str]:
        script = 'mkdir -p -- "$1" && exec tar -x -o -f - -C "$1"'
        return self._exec_argv(["/bin/sh", "-c", script, "sh", str(dest_dir)])

    def _send_tar(self, dest_dir: PurePosixPath, fill: tar_stream.Filler) -> None:
        proc = hostcmd.popen(
            self._untar_argv(dest_dir), stdin=subprocess.PIPE, stderr=subprocess.PIPE
        )
        broken = False
        try:
            assert proc.stdin is not None  # noqa: S101
            try:
                with tarfile.open(fileobj=proc.stdin, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    fill(tar)
                proc.stdin.close()
            except BrokenPipeError:
                # The receiving `tar` (or its container) died; never let this reach main(),
                # which takes a broken pipe for a reader that went away (exit 0).
                broken = True
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            assert proc.stderr is not None  # noqa: S101
            err = proc.stderr.read()
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.returncode != 0 or broken:
            self.check_alive(f"the copy into {dest_dir}")
            raise HostCommandError(
                f"copying into {self.name}:{dest_dir} failed: {err.decode(errors='replace')}"
            )

    def copy_in(self, source: Path, dest: PurePosixPath, *, exclude: Sequence[Path] = ()) -> None:
        """Copy a host file or directory to ``dest`` (a directory's contents go into ``dest``);
        ``exclude``: paths inside a directory ``source`` to leave out, with what they hold."""
        if source.is_dir():
            keep = tar_stream.excluding(source, exclude)
            self._send_tar(dest, lambda tar: tar.add(source, arcname=".", filter=keep))
        else:
            self._send_tar(
                dest.parent,
                lambda tar: tar.add(source, arcname=dest.name, filter=tar_stream.root_owned),
            )

    def write_file(self, dest: PurePosixPath, data: bytes) -> None:
        self._send_tar(dest.parent, lambda tar: tar_stream.add_file(tar, dest.name, data))

    def copy_out(self, source: PurePosixPath, dest_dir: Path) -> list[Path]:
        """Extract ``source`` (file or directory) from the container into ``dest_dir``."""
        argv = self._exec_argv(
            ["tar", "-c", "-f", "-", "-C", str(source.parent), source.name], interactive=False
        )
        proc = hostcmd.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proc.stdout is not None  # noqa: S101
            written = tar_stream.extract(proc.stdout, dest_dir)
            _, err = proc.communicate()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.returncode != 0:
            self.check_alive(f"the copy of {source} out of the container")
            raise HostCommandError(
                f"copying {self.name}:{source} out failed: {err.decode(errors='replace')}"
            )
        return written
