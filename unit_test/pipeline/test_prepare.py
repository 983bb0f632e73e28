"""Stage "prepare" without an engine: what the constraints file is, and what it reaches."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from cibuildwheel_like.engine.container import ExecResult
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.resolver import CliValues, resolve_options
from cibuildwheel_like.pipeline import prepare
from cibuildwheel_like.pipeline.state import BuildRun, ContainerPaths, GroupRun

if TYPE_CHECKING:
    from pathlib import Path, PurePosixPath

    from cibuildwheel_like.options.model import BuildOptions

X86 = "cp312-manylinux_x86_64"


class FakeContainer:
    """Answers the few commands "prepare" runs; records files written and environments."""

    def __init__(self, missing: frozenset[str] = frozenset()) -> None:
        self.missing = missing  # tools `command -v` does not find
        self.files: dict[PurePosixPath, bytes] = {}
        self.calls: list[tuple[list[str], dict[str, str]]] = []

    def environment(self) -> dict[str, str]:
        return {"PATH": "/usr/local/bin:/usr/bin"}

    def run(self, argv: list[str], *, env: dict[str, str], **_: Any) -> ExecResult:
        self.calls.append((list(argv), dict(env)))
        stdout = ""
        if len(argv) > 2 and "command -v" in argv[2]:  # _check_path: first PATH entry has it
            first = env["PATH"].split(":")[0]
            stdout = "\n".join(
                "-" if tool in self.missing else f"{first}/{tool}" for tool in argv[4:]
            )
        return ExecResult(returncode=0, stdout=stdout)

    def copy_in(self, source: Path, target: PurePosixPath, *, exclude: Any = ()) -> None:
        self.copied = (source, target, tuple(exclude))

    def write_file(self, path: PurePosixPath, data: bytes) -> None:
        self.files[path] = data


class FakeOutput:
    def info(self, message: str) -> None:
        pass

    @contextlib.contextmanager
    def step(self, identifier: str, name: str) -> Any:
        yield


def options(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> BuildOptions:
    (tmp_path / "pyproject.toml").write_text(text)
    resolver = resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=None,
        environ=env or {},
        cli=CliValues(platform="linux"),
    )
    config = identifiers.get_configuration(X86)
    assert config is not None
    return resolver.build_options(config)


def group_run(
    tmp_path: Path, build: BuildOptions, container: FakeContainer | None = None
) -> GroupRun:
    return GroupRun(
        group=SimpleNamespace(builds=[build], image="img", before_all=""),  # type: ignore[arg-type]
        globals=SimpleNamespace(  # type: ignore[arg-type]
            project_dir=tmp_path,
            output_dir=tmp_path / "wheelhouse",
            cache_enabled=True,
            ca_bundle=None,
        ),
        ctx=SimpleNamespace(output=FakeOutput(), environ={}),  # type: ignore[arg-type]
        container=container or FakeContainer(),  # type: ignore[arg-type]
        delivery=None,  # type: ignore[arg-type]
        paths=ContainerPaths(),
        emulated=False,
    )


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ('[tool.cibuildwheel]\ndependency-versions = { file = "constraints.txt" }\n', {}),
        ("", {"CIBW_DEPENDENCY_VERSIONS": "file:constraints.txt"}),
        ("", {"CIBW_DEPENDENCY_VERSIONS": "file: constraints.txt"}),
        ("", {"CIBW_DEPENDENCY_VERSIONS": "constraints.txt"}),
    ],
)
def test_constraints_file_forms_are_copied_into_the_container(
    tmp_path: Path, text: str, env: dict[str, str]
) -> None:
    """The defect: the table / "file:" forms were opened as a file named "file:constraints.txt"."""
    (tmp_path / "constraints.txt").write_bytes(b"setuptools==70.0.0\n")
    run = group_run(tmp_path, options(tmp_path, text, env))
    prepare.start_group(run)
    assert run.has_constraints
    assert run.container.files[run.paths.constraints] == b"setuptools==70.0.0\n"  # type: ignore[attr-defined]


def test_python_specific_constraints_file_wins(tmp_path: Path) -> None:
    (tmp_path / "constraints.txt").write_bytes(b"generic\n")
    (tmp_path / "constraints-python312.txt").write_bytes(b"for 3.12\n")
    build = options(tmp_path, "", {"CIBW_DEPENDENCY_VERSIONS": "constraints.txt"})
    run = group_run(tmp_path, build)
    prepare.start_group(run)
    assert run.container.files[run.paths.constraints] == b"for 3.12\n"  # type: ignore[attr-defined]


def test_packages_become_a_constraints_file(tmp_path: Path) -> None:
    build = options(tmp_path, "", {"CIBW_DEPENDENCY_VERSIONS": "packages: uv==0.5.0 pip==24"})
    run = group_run(tmp_path, build)
    prepare.start_group(run)
    assert run.container.files[run.paths.constraints] == b"uv==0.5.0\npip==24\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["pinned", "latest"])
def test_pinned_and_latest_write_nothing(tmp_path: Path, value: str) -> None:
    run = group_run(tmp_path, options(tmp_path, "", {"CIBW_DEPENDENCY_VERSIONS": value}))
    prepare.start_group(run)
    assert not run.has_constraints
    assert run.container.files == {}  # type: ignore[attr-defined]


def test_constraints_never_reach_the_build_environment(tmp_path: Path) -> None:
    """The defect: PIP_CONSTRAINT/UV_CONSTRAINT in the build environment constrained the
    project's build requirements (setuptools==70.0.0 broke msgpack 1.2.4, which needs
    setuptools>=78.1.1); cibuildwheel 4.3.5 never applies the file there (its #2583)."""
    (tmp_path / "constraints.txt").write_bytes(b"setuptools==70.0.0\n")
    build_options = options(tmp_path, "", {"CIBW_DEPENDENCY_VERSIONS": "constraints.txt"})
    run = group_run(tmp_path, build_options)
    prepare.start_group(run)
    build = BuildRun(run=run, options=build_options)
    prepare.identifier_environment(build)
    assert run.has_constraints  # still there for the tools we install ourselves (uv)
    assert build.env["CIBUILDWHEEL_BUILD_IDENTIFIER"] == X86
    for name in ("PIP_CONSTRAINT", "UV_CONSTRAINT"):
        assert name not in build.env


def test_constraints_apply_to_the_uv_we_install_and_nothing_else(tmp_path: Path) -> None:
    """uv from PyPI (image without uv) is our counterpart of cibuildwheel's constrained
    `pip install virtualenv`: its pip sees the constraints; the build environment does not."""
    (tmp_path / "constraints.txt").write_bytes(b"uv==0.5.0\n")
    env = {"CIBW_DEPENDENCY_VERSIONS": "constraints.txt", "CIBW_BUILD_FRONTEND": "uv"}
    build_options = options(tmp_path, "", env)
    container = FakeContainer(missing=frozenset({"uv"}))
    run = group_run(tmp_path, build_options, container)
    prepare.start_group(run)
    build = BuildRun(run=run, options=build_options)
    prepare.identifier_environment(build)
    (install_env,) = [e for argv, e in container.calls if argv[-2:] == ["install", "uv"]]
    assert install_env["PIP_CONSTRAINT"] == str(run.paths.constraints)
    assert "PIP_CONSTRAINT" not in build.env
    assert str(run.paths.tools / "bin") in build.env["PATH"]


def test_the_output_directory_stays_out_of_the_project_copy(tmp_path: Path) -> None:
    """It exists from the start; an empty `wheelhouse/` in a flat layout is a "package" to
    setuptools' discovery, and earlier wheels need not travel into the container."""
    run = group_run(tmp_path, options(tmp_path, "", {}))
    prepare.start_group(run)
    source, _target, exclude = run.container.copied  # type: ignore[attr-defined]
    assert source == run.globals.project_dir
    assert exclude == (run.globals.output_dir,)
