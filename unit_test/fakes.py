"""Test-only doubles: a fake build container (and its factory) and builders for options and plans.

``FakeContainer`` satisfies ``pipeline.state.BuildContainer``. It records every command with its
environment, keeps a tiny in-memory file system for the paths the pipeline moves wheels through,
and plays the few internal scripts the stages rely on (interpreter check, PATH check, listing and
moving wheels, the frontend writing a wheel, ``auditwheel repair -w``). ``Rule``s script an
outcome for matching commands (an exit code, output, or an exception such as KeyboardInterrupt),
so a test can make any stage of any identifier fail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import shlex
import threading
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cibuildwheel_like.context import Cache, Context
from cibuildwheel_like.engine.client import ImageIdentity
from cibuildwheel_like.engine.container import ExecResult, Mount
from cibuildwheel_like.errors import HostCommandError
from cibuildwheel_like.options.dependency_versions import PINNED
from cibuildwheel_like.options.environment import ParsedEnvironment
from cibuildwheel_like.options.model import (
    BuildOptions,
    EngineConfig,
    FrontendConfig,
    GlobalOptions,
    PythonConfiguration,
)
from cibuildwheel_like.options.resolver import CliValues, Resolver, resolve_options
from cibuildwheel_like.output.console import Output
from cibuildwheel_like.pipeline.argv import display
from cibuildwheel_like.pipeline.build import AFTER_BUILD, FRESH_DIRS
from cibuildwheel_like.pipeline.repair_output import LIST_ENTRIES
from cibuildwheel_like.plan import Plan, make_plan

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from types import TracebackType

    from typing_extensions import Self

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.engine.tmpfs import Tmpfs

IMAGE = "cibuildwheel-like/debian-bookworm:x86_64"
MUSL_IMAGE = "cibuildwheel-like/alpine:x86_64"
FAKE_IMAGE_ID = "sha256:" + "f" * 64
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root"}


# -- options and plans ------------------------------------------------------------------------
def python_path(identifier: str) -> str:
    tag = identifier.split("-", 1)[0]
    return f"/opt/python/{tag}-{tag}"


def resolve_pyproject(
    root: Path, text: str = "", env: Mapping[str, str] | None = None, **cli: Any
) -> Resolver:
    """The options of a Linux run in ``root`` whose pyproject.toml is ``text``, with ``env`` as
    the environment and ``cli`` as the command line's values."""
    (root / "pyproject.toml").write_text(text)
    return resolve_options(
        project_dir=root,
        package_dir=root,
        config_file=None,
        environ=dict(env or {}),
        cli=CliValues(platform="linux", **cli),
    )


def build_options(identifier: str, **changes: Any) -> BuildOptions:
    """Options of one identifier with cibuildwheel's defaults for everything not in ``changes``
    (no commands, no tests, the wheel moved unrepaired)."""
    tag = identifier.split("-", 1)[0]
    minor = tag.removeprefix("cp3").removesuffix("t")
    image = MUSL_IMAGE if "musllinux" in identifier else IMAGE
    options = BuildOptions(
        config=PythonConfiguration(
            identifier=identifier, version=f"3.{minor}", path=python_path(identifier)
        ),
        image=image,
        container_engine=EngineConfig(),
        build_frontend=FrontendConfig(),
        config_settings=(),
        environment=ParsedEnvironment(),
        environment_pass=(),
        before_all="",
        before_build="",
        repair_wheel_command="",
        dependency_versions=PINNED,
        test_command="",
        before_test="",
        test_sources=(),
        test_requires=(),
        test_extras=(),
        test_groups=(),
        test_environment=ParsedEnvironment(),
        build_verbosity=0,
        test_skipped=False,
    )
    return dataclasses.replace(options, **changes)


def global_options(root: Path, **changes: Any) -> GlobalOptions:
    """Run-wide options for a project at ``root/project`` (not created: the fake container
    never reads it) delivering to ``root/wheelhouse``."""
    project = root / "project"
    options = GlobalOptions(
        package_dir=project,
        project_dir=project,
        output_dir=root / "wheelhouse",
        config_file=None,
        build_selector="*",
        skip_selector="",
        test_skip_selector="",
        enable=frozenset(),
        archs=frozenset(),
        allow_empty=False,
        debug_traceback=False,
        debug_keep_container=False,
        requires_python=None,
        jobs=1,  # one lane, in plan order; concurrency tests ask for more
    )
    return dataclasses.replace(options, **changes)


def plan_of(
    builds: Iterable[BuildOptions], globals_: GlobalOptions, *, host: Arch | None = None
) -> Plan:
    ordered = tuple(builds)
    return make_plan(
        globals=globals_,
        builds=ordered,
        run_options={},
        build_sources={b.identifier: {} for b in ordered},
        cpus=2,  # the reference machine, whatever runs the tests
        host=host,
    )


def context(root: Path, *, environ: Mapping[str, str] | None = None) -> Context:
    output = Output(stdout=io.StringIO(), stderr=io.StringIO(), environ={}, terminal=False)
    return Context(
        output=output, environ=dict(environ or {}), cwd=root, cache=Cache(root=root / "cache")
    )


def console_text(ctx: Context) -> str:
    """Everything the run wrote to the console (stdout, then stderr)."""
    out = ctx.output._stdout
    err = ctx.output._stderr
    assert isinstance(out, io.StringIO)
    assert isinstance(err, io.StringIO)
    return out.getvalue() + err.getvalue()


def wheel_for(identifier: str) -> str:
    """The wheel a plain C extension builds for ``identifier`` (already manylinux-tagged)."""
    tag = identifier.split("-", 1)[0]
    platform = identifier.split("-", 1)[1].replace("manylinux_", "manylinux_2_17_")
    platform = platform.replace("musllinux_", "musllinux_1_2_")
    return f"spam-1.0-{tag}-{tag}-{platform}.whl"


def wheel_bytes(name: str) -> bytes:
    """A small but real wheel archive for ``name`` (delivery reads the zip back)."""
    dist = "-".join(name.split("-")[:2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, text in (("spam.py", "x = 1\n"), (f"{dist}.dist-info/WHEEL", "Wheel: 1.0\n")):
            zf.writestr(zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


# -- the fake container -----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True)
class Exec:
    """One command the pipeline ran in the container."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: str
    capture: bool

    @property
    def text(self) -> str:
        """As the pipeline shows it: a user command without its ``sh -c``."""
        return display(list(self.argv))

    @property
    def identifier(self) -> str:
        return self.env.get("CIBUILDWHEEL_BUILD_IDENTIFIER", "")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rule:
    """The scripted outcome of every command whose text contains ``contains`` (and, when
    ``identifier`` is set, that runs for that identifier). ``copy-out PATH`` is the text of a
    copy out of the container. A matching rule replaces what the fake would otherwise do."""

    contains: str
    identifier: str | None = None
    returncode: int = 0
    stdout: str = ""
    raises: BaseException | None = None
    # runs until its container is aborted (another lane failed), then fails as a real exec
    # does; so a test knows a lane is busy when the other fails
    block_until_aborted: bool = False
    after_busy: bool = False  # first wait until a block_until_aborted command has started

    def matches(self, text: str, identifier: str) -> bool:
        wanted = self.identifier is None or self.identifier == identifier
        return wanted and self.contains in text


_FIND_MISSING = '[ -x "$p/bin/python" ] || echo "$p"'
_WHICH = 'command -v "$t"'
_LIST = 'for f in "$1"/*.whl'
_STORE = 'mkdir -p -- "$2" && mv -- "$1" "$2"/'
_OUT_FLAGS = ("--outdir=", "--wheel-dir=", "--out-dir=")


class FakeContainer:
    def __init__(self, engine: FakeEngine, *, image: str, arch: Arch, keep: bool) -> None:
        self.engine = engine
        self.name = f"fake-{len(engine.containers)}"
        self.image = image
        self.arch = arch
        self.keep = keep
        self.execs: list[Exec] = []
        self.files: dict[PurePosixPath, bytes] = {}
        self.copied_in: list[tuple[Path, PurePosixPath]] = []
        self.excluded: list[Path] = []
        self.mounts: tuple[Mount | Tmpfs, ...] = ()
        self.copied_out: list[PurePosixPath] = []
        self.entered = False
        self.removed = False
        self.aborted = False
        self._aborted = threading.Event()
        self.exit_exception: BaseException | None = None
        self.time_limits: list[float | None] = []

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Self:
        self.entered = True
        if self.engine.on_enter is not None:
            self.engine.on_enter(self)  # may raise, as a container that fails to start
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.exit_exception = exc
        self.removed = self.aborted or not self.keep

    @contextlib.contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Records the limit each limited step set (a Rule raising ExecTimeoutError plays a
        command that outlived it)."""
        self.time_limits.append(seconds)
        yield

    def abort(self) -> None:
        """As the real one: removed under a running command (which then fails)."""
        self.aborted = True
        self._aborted.set()
        self.engine.on_abort(self)

    def image_identity(self) -> ImageIdentity:
        return ImageIdentity(id=FAKE_IMAGE_ID, repo_digests=(f"{self.image}@sha256:{'0' * 64}",))

    # -- BuildContainer ----------------------------------------------------------------------
    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | PurePosixPath,
        capture: bool = False,
        shown: str | None = None,
    ) -> ExecResult:
        done = Exec(argv=tuple(argv), env=dict(env), cwd=str(cwd), capture=capture)
        self.execs.append(done)
        if self.aborted:  # the real exec fails once its container is gone
            return ExecResult(returncode=137, stdout="", stderr="No such container")
        rule = self.engine.rule_for(done.text, done.identifier)
        if rule is not None:
            if rule.after_busy:
                self.engine.busy.wait(60)  # a bound against a hung test
            if rule.block_until_aborted:
                self.engine.busy.set()
                self._aborted.wait(60)  # a bound against a hung test, never reached when green
                return ExecResult(returncode=137, stdout="", stderr="No such container")
            if rule.raises is not None:
                raise rule.raises
            return ExecResult(returncode=rule.returncode, stdout=rule.stdout)
        return ExecResult(returncode=0, stdout=self._play(done))

    def environment(self) -> dict[str, str]:
        return dict(BASE_ENV)

    def copy_in(self, source: Path, dest: PurePosixPath, *, exclude: Sequence[Path] = ()) -> None:
        self.copied_in.append((source, dest))
        self.excluded.extend(exclude)
        if source.is_file():  # a wheel handed over from another container
            self.files[dest] = source.read_bytes()

    def write_file(self, dest: PurePosixPath, data: bytes) -> None:
        self.files[dest] = data

    def copy_out(self, source: PurePosixPath, dest_dir: Path) -> list[Path]:
        self.copied_out.append(source)
        rule = self.engine.rule_for(f"copy-out {source}", "")
        if rule is not None and rule.raises is not None:
            raise rule.raises
        if (rule is not None and rule.returncode != 0) or source not in self.files:
            raise HostCommandError(f"copying {source} out failed: no such file")
        target = dest_dir / source.name
        target.write_bytes(self.files[source])
        return [target]

    # -- what a container would do with the pipeline's own commands ---------------------------
    def _play(self, done: Exec) -> str:
        argv = done.argv
        script = argv[2] if argv[:2] == ("sh", "-c") and len(argv) > 2 else ""
        args = argv[4:]  # after `sh -c SCRIPT sh`
        if _FIND_MISSING in script:
            return "".join(f"{p}\n" for p in args if p not in self.engine.interpreters(args))
        if _WHICH in script:
            first = done.env.get("PATH", "").split(":")[0]
            return "".join(f"{first}/{tool}\n" for tool in args)
        if script == FRESH_DIRS:
            for folder in args:
                self._remove_under(PurePosixPath(folder))
        elif script == AFTER_BUILD:
            folder, log, separator = PurePosixPath(args[0]), args[1], args[2]
            stats = self.engine.compiler_stats if log else ""
            listing = "".join(f"{p}\n" for p in sorted(self.files) if p.parent == folder)
            return f"{stats}{separator}\n{listing}"
        elif script == LIST_ENTRIES:
            folder = PurePosixPath(args[0])
            return "".join(f"file\t{p.name}\t\0" for p in sorted(self.files) if p.parent == folder)
        elif script.startswith(_LIST):
            folder = PurePosixPath(args[0])
            return "".join(f"{p}\n" for p in sorted(self.files) if p.parent == folder)
        elif script == _STORE:
            self._move(PurePosixPath(args[0]), PurePosixPath(args[1]))
        elif argv[:2] == ("mv", "--"):
            self._move(PurePosixPath(argv[2]), PurePosixPath(argv[3]))
        elif len(argv) == 3 and argv[1].endswith("/cross_build.py"):
            request = json.loads(self.files[PurePosixPath(argv[2])])  # pipeline/cross.py's
            name = self.engine.wheel_name(done.identifier)
            self.files[PurePosixPath(request["outdir"]) / name] = wheel_bytes(name)
        elif out := next((a for a in argv if a.startswith(_OUT_FLAGS)), None):
            name = self.engine.wheel_name(done.identifier)
            self.files[PurePosixPath(out.split("=", 1)[1]) / name] = wheel_bytes(name)
        elif script.startswith("auditwheel repair -w "):
            _, _, _, dest, wheel = shlex.split(script)
            self._move(PurePosixPath(wheel), PurePosixPath(dest))
        return ""

    def _remove_under(self, folder: PurePosixPath) -> None:
        for path in [p for p in self.files if p.is_relative_to(folder)]:
            del self.files[path]

    def _move(self, source: PurePosixPath, folder: PurePosixPath) -> None:
        self.files[folder / source.name] = self.files.pop(source)

    # -- for assertions ----------------------------------------------------------------------
    def texts(self, identifier: str | None = None) -> list[str]:
        """The commands run (for ``identifier`` only, when given), as the pipeline shows them."""
        return [e.text for e in self.execs if identifier is None or e.identifier == identifier]


class FakeEngine:
    """A ``pipeline.executor.ContainerFactory`` whose containers share scripted outcomes.

    ``wheel_name(identifier)`` is the file the build frontend writes; ``missing`` lists
    interpreter paths the image lacks; ``compiler_stats`` what a build's compiler-cache stats
    log holds; ``on_enter`` is called as each container starts (it may raise, as a failed
    start, which removes the container).
    """

    def __init__(
        self,
        *rules: Rule,
        wheel_name: Callable[[str], str] = wheel_for,
        missing: Iterable[str] = (),
        compiler_stats: str = "",
        on_enter: Callable[[FakeContainer], None] | None = None,
    ) -> None:
        self.rules = list(rules)
        self.on_enter = on_enter
        self.compiler_stats = compiler_stats
        self.wheel_name = wheel_name
        self.missing = frozenset(missing)
        self.containers: list[FakeContainer] = []
        self.aborted: list[str] = []  # container names, in abort order
        self.busy = threading.Event()  # a block_until_aborted command has started

    def on_abort(self, container: FakeContainer) -> None:
        self.aborted.append(container.name)

    def __call__(
        self,
        *,
        image: str,
        arch: Arch,
        engine: EngineConfig,
        output: Output,
        host_environ: Mapping[str, str],
        keep: bool,
        mounts: Sequence[Mount | Tmpfs] = (),
    ) -> FakeContainer:
        container = FakeContainer(self, image=image, arch=arch, keep=keep)
        container.mounts = tuple(mounts)
        self.containers.append(container)
        return container

    def rule_for(self, text: str, identifier: str) -> Rule | None:
        return next((r for r in self.rules if r.matches(text, identifier)), None)

    def interpreters(self, paths: Iterable[str]) -> set[str]:
        return {p for p in paths if p not in self.missing}

    @property
    def only(self) -> FakeContainer:
        (container,) = self.containers
        return container


def no_preflight(plan: Plan) -> None:
    """Stands in for the engine-version and QEMU checks, which need a real host."""
