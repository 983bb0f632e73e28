"""The resolved, typed options of one build identifier, and the run-wide global options.

These frozen dataclasses are the contract between option resolution (options helper), the
planner (plan.py) and the executor (pipeline). Field names mirror cibuildwheel's option names.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal, get_args

from cibuildwheel_like.archs import Arch

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.options.dependency_versions import DependencyVersions
    from cibuildwheel_like.options.environment import ParsedEnvironment
    from cibuildwheel_like.options.wheel_checks import InstallerRequirement

FrontendName = Literal["pip", "build", "build[uv]", "uv"]
EngineName = Literal["docker", "podman"]  # the one engine vocabulary; parsed by values.py
ENGINE_NAMES: tuple[EngineName, ...] = get_args(EngineName)
EmulatedTests = Literal["full", "smoke", "skip"]
Installer = Literal["auto", "pip", "uv"]  # ours: test-installer, build-installer
TestContainer = Literal["build", "fresh"]  # ours: test-container
ContainerTmp = Literal["memory", "disk"]  # ours: container-tmp
Emulation = Literal["emulate", "cross", "auto"]  # ours: emulation (foreign arches)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FrontendConfig:
    name: FrontendName = "build"
    args: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class EngineConfig:
    name: EngineName = "docker"
    create_args: tuple[str, ...] = ()
    disable_host_mount: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class PythonConfiguration:
    """One row of resources/build-identifiers.toml."""

    identifier: str  # e.g. "cp313-manylinux_x86_64"
    version: str  # "3.13"
    path: str  # "/opt/python/cp313-cp313"

    @property
    def build_tag(self) -> str:  # "cp313"
        return self.identifier.split("-", 1)[0]

    @property
    def platform_part(self) -> str:  # "manylinux_x86_64"
        return self.identifier.split("-", 1)[1]

    @property
    def libc(self) -> Literal["manylinux", "musllinux"]:
        return "musllinux" if self.platform_part.startswith("musllinux") else "manylinux"

    @property
    def arch(self) -> Arch:
        return Arch(self.platform_part.split("_", 1)[1])

    @property
    def implementation(self) -> Literal["cp", "pp", "gp"]:
        prefix = self.build_tag[:2]
        assert prefix in {"cp", "pp", "gp"}  # noqa: S101  # guaranteed by the data file's tests
        return prefix  # type: ignore[return-value]

    @property
    def free_threaded(self) -> bool:
        return self.build_tag.endswith("t")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """Everything needed to build, repair and test one identifier."""

    config: PythonConfiguration
    image: str  # resolved image reference (pinned digest, local tag or user string)
    container_engine: EngineConfig
    build_frontend: FrontendConfig
    # (key, value); value None for a bare key ("justaword"), passed on as -Cjustaword
    config_settings: tuple[tuple[str, str | None], ...]
    environment: ParsedEnvironment
    environment_pass: tuple[str, ...]
    before_all: str
    before_build: str
    repair_wheel_command: str
    dependency_versions: DependencyVersions
    test_command: str
    before_test: str
    test_sources: tuple[str, ...]
    test_requires: tuple[str, ...]
    test_extras: tuple[str, ...]
    test_groups: tuple[str, ...]
    # the requirements of test_groups, from the package's [dependency-groups], includes expanded
    test_group_requirements: tuple[str, ...] = ()
    test_environment: ParsedEnvironment
    build_verbosity: int
    test_skipped: bool  # matched by test-skip
    emulated_tests: EmulatedTests = "full"  # ours: [tool.cibuildwheel-like] / CIBWL_EMULATED_TESTS
    test_installer: Installer = "auto"  # ours: test-installer / CIBWL_TEST_INSTALLER
    build_installer: Installer = "auto"  # ours: build-installer / CIBWL_BUILD_INSTALLER
    test_container: TestContainer = "build"  # ours: test-container / CIBWL_TEST_CONTAINER
    emulation: Emulation = "emulate"  # ours: emulation / CIBWL_EMULATION (foreign arches)
    test_image: str = ""  # ours: test-image, resolved; "" = the build image (fresh only)
    # audit-command, split into its commands (each with {abi3_wheel} or {wheel}); () = no audit
    audit_commands: tuple[str, ...] = ()
    audit_requires: tuple[str, ...] = ()
    # ours: require-installable-by / CIBWL_REQUIRE_INSTALLABLE_BY; None = no requirement
    require_installable_by: InstallerRequirement | None = None
    allow_linux_tag: bool = False  # ours: allow-linux-tag / CIBWL_ALLOW_LINUX_TAG
    build_timeout: float | None = None  # ours: build-timeout, minutes per build step; None: none
    test_timeout: float | None = None  # ours: test-timeout, minutes for the test step

    @property
    def identifier(self) -> str:
        return self.config.identifier

    @property
    def arch(self) -> Arch:
        return self.config.arch


@dataclasses.dataclass(frozen=True, kw_only=True)
class GlobalOptions:
    package_dir: Path
    project_dir: (
        Path  # copied to /project (the cwd, as cibuildwheel); config is {package}/pyproject.toml
    )
    output_dir: Path
    config_file: Path | None
    build_selector: str
    skip_selector: str
    test_skip_selector: str
    enable: frozenset[str]
    archs: frozenset[Arch]
    allow_empty: bool
    debug_traceback: bool
    debug_keep_container: bool
    requires_python: str | None
    jobs: int | None = None  # ours: jobs / CIBWL_JOBS / --jobs; None = auto (CPU count)
    cache_enabled: bool = True  # ours: cache / CIBWL_CACHE / --no-cache
    container_tmp: ContainerTmp = "memory"  # ours: container-tmp / CIBWL_CONTAINER_TMP
    keep_going: bool = False  # ours: keep-going / CIBWL_KEEP_GOING / --keep-going
    # why the project may build an abi3 / py3-none wheel later Pythons reuse (wheel_reuse.py)
    wheel_reuse_hint: str | None = None
    # what in the project's build files stands against cross-compiling it (emulation = cross
    # or auto; options/cross_support.py); read only when some build's emulation is not emulate
    cross_blockers: tuple[str, ...] = ()
    # an empty pyproject.toml and no setup.py or setup.cfg: nothing says how to build, which
    # only `run` refuses (listing identifiers and plans need no build backend)
    only_an_empty_pyproject: bool = False
    # ours: ca-bundle / CIBWL_CA_BUNDLE, else the host's SSL_CERT_FILE, REQUESTS_CA_BUNDLE or
    # PIP_CERT: copied into every container (engine/certificates.py); None: the image's own
    ca_bundle: Path | None = None
