"""Stage "test" without an engine: the test requirements come from the model only."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options.resolver import CliValues, resolve_options
from cibuildwheel_like.pipeline import test as test_stage
from cibuildwheel_like.pipeline.state import ContainerPaths

X86 = "cp312-manylinux_x86_64"


class FakeBuild:
    """The parts of a BuildRun that ``_full`` uses; every command is recorded, none run."""

    def __init__(self, options: Any, project_dir: Path) -> None:
        self.options = options
        self.identifier = options.identifier
        self.wheel = PurePosixPath("/tmp/w/demo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl")
        self.calls: list[list[str]] = []
        self.run = SimpleNamespace(
            paths=ContainerPaths(),
            globals=SimpleNamespace(project_dir=project_dir, package_dir=project_dir),
            container=SimpleNamespace(write_file=lambda path, data: None),
        )

    def call(self, argv: list[str], **_: Any) -> None:
        self.calls.append(list(argv))

    def capture(self, argv: list[str], **_: Any) -> str:
        self.calls.append(list(argv))
        return ""


def test_group_requirements_are_installed_without_reading_pyproject(tmp_path: Path) -> None:
    """The defect: `test-groups = ["test-deps"]` with the group spelled `Test_Deps` passed
    validation, then the test stage re-read pyproject.toml without normalising and failed."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.cibuildwheel]\ntest-command = "pytest"\ntest-requires = "attrs"\n'
        'test-groups = ["test-deps"]\n'
        '[dependency-groups]\nTest_Deps = ["pytest>=8", {include-group = "more"}]\n'
        'more = ["hypothesis"]\n'
    )
    resolver = resolve_options(
        project_dir=tmp_path,
        package_dir=tmp_path,
        config_file=None,
        environ={},
        cli=CliValues(platform="linux"),
    )
    config = identifiers.get_configuration(X86)
    assert config is not None
    options = resolver.build_options(config)
    expected = ["python", "-m", "pip", "install", "attrs", "pytest>=8", "hypothesis"]
    for _ in ("as resolved", "with pyproject.toml gone"):
        build = FakeBuild(options, tmp_path)
        test_stage._full(build, {}, PurePosixPath("/tmp/t/test_cwd"))  # type: ignore[arg-type]
        installs = [c for c in build.calls if c[:4] == ["python", "-m", "pip", "install"]]
        assert installs[1] == expected
        pyproject.unlink(missing_ok=True)  # the pipeline must never need it
