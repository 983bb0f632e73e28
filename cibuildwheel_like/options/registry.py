"""Every option cibuildwheel-like reads, declared once.

This table drives the config-file validation (config_files.py), the precedence cascade
(cascade.py), the JSON schema (schema.py) and the documentation table. The names, environment
variables, defaults and list-joining rules are those of cibuildwheel 4.3.5 for Linux; options of
our own live in ``[tool.cibuildwheel-like]`` and ``CIBWL_*``.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

CIBW_TABLE = "tool.cibuildwheel"
OURS_TABLE = "tool.cibuildwheel-like"
PLATFORM_TABLES = ("linux", "macos", "windows", "pyodide", "android", "ios")

# How a value is written and how a TOML list/table becomes the option's string form.
OptionKind = Literal[
    "words",  # list joined with spaces (selectors, archs, environment-pass, test-groups)
    "quoted-words",  # list items shell-quoted, joined with spaces (test-requires, test-sources)
    "comma-list",  # list joined with "," (test-extras)
    "command",  # list joined with " && " (before-*, test-command, repair-wheel-command)
    "environment",  # table -> K="v" assignments; string parsed with bashlex
    "key-value",  # table -> k=v pairs, shell-quoted (config-settings)
    "structured",  # "name; key: values" string or a table (build-frontend, container-engine)
    "string",  # a plain string (images)
    "int",  # an integer (build-verbosity)
    "bool",  # a boolean (env-only switches)
    "choice",  # one of ``choices`` (our emulated-tests)
    "jobs",  # "auto" or a positive integer (our jobs)
    "minutes",  # a positive number of minutes, fractions allowed; empty: no limit (timeouts)
]

TomlValue = str | int | bool | list[str] | dict[str, str]

# Kinds whose values can be combined by ``inherit = "append" | "prepend"``.
MERGEABLE_KINDS: frozenset[str] = frozenset(
    {"words", "quoted-words", "comma-list", "command", "environment", "key-value"}
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class OptionSpec:
    name: str  # the TOML key, e.g. "build-frontend"
    toml_table: str  # CIBW_TABLE or OURS_TABLE ("" for env-only options)
    env_var: str  # "CIBW_BUILD_FRONTEND" / "CIBWL_EMULATED_TESTS"
    default: TomlValue
    kind: OptionKind
    help: str
    example: str
    global_only: bool = False  # cannot be set in an override
    env_only: bool = False  # no TOML key: environment variable (or command line) only
    platform_env: bool = True  # CIBW_<NAME>_LINUX is read as well
    ignore_empty: bool = False  # an empty value at a layer leaves the value below in place
    linux: bool = True  # False: accepted for compatibility, has no effect on Linux
    not_in_linux_table: bool = False  # refused in [tool.cibuildwheel.linux] (as 4.3.5)
    choices: tuple[str, ...] = ()
    int_range: tuple[int, int] | None = None

    @property
    def mergeable(self) -> bool:
        return self.kind in MERGEABLE_KINDS

    @property
    def platform_env_var(self) -> str | None:
        return f"{self.env_var}_LINUX" if self.platform_env and not self.env_only else None


def _cibw(
    name: str,
    default: TomlValue,
    kind: OptionKind,
    help: str,  # noqa: A002
    example: str,
    *,
    global_only: bool = False,
    env_only: bool = False,
    platform_env: bool = True,
    ignore_empty: bool = False,
    linux: bool = True,
    not_in_linux_table: bool = False,
    int_range: tuple[int, int] | None = None,
) -> OptionSpec:
    return OptionSpec(
        name=name,
        toml_table="" if env_only else CIBW_TABLE,
        env_var="CIBW_" + name.upper().replace("-", "_"),
        default=default,
        kind=kind,
        help=help,
        example=example,
        global_only=global_only,
        env_only=env_only,
        platform_env=platform_env and not env_only,
        ignore_empty=ignore_empty,
        linux=linux,
        not_in_linux_table=not_in_linux_table,
        int_range=int_range,
    )


MANYLINUX_IMAGE_ARCHS = (
    "x86_64", "i686", "pypy_x86_64", "aarch64", "ppc64le", "s390x", "armv7l", "riscv64",
    "pypy_aarch64", "pypy_i686",
)  # fmt: skip
MUSLLINUX_IMAGE_ARCHS = ("x86_64", "i686", "aarch64", "ppc64le", "s390x", "armv7l", "riscv64")

_MANYLINUX_DEFAULTS = {"armv7l": "manylinux_2_31", "riscv64": "manylinux_2_39"}


def _image_options() -> tuple[OptionSpec, ...]:
    specs: list[OptionSpec] = []
    for arch in MANYLINUX_IMAGE_ARCHS:
        pypy = arch.startswith("pypy_")
        what = f"PyPy on {arch.removeprefix('pypy_')}" if pypy else f"CPython/GraalPy on {arch}"
        specs.append(
            _cibw(
                f"manylinux-{arch}-image",
                _MANYLINUX_DEFAULTS.get(arch, "manylinux_2_28"),
                "string",
                f"Container image for manylinux builds of {what}: a policy name"
                " (manylinux2014, manylinux_2_28, manylinux_2_34, ...), one of our local Debian"
                " images (debian-bookworm, ...), or any image reference.",
                '"manylinux_2_34"',
                ignore_empty=True,
            )
        )
    specs.extend(
        _cibw(
            f"musllinux-{arch}-image",
            "musllinux_1_2",
            "string",
            f"Container image for musllinux builds on {arch}: a policy name (musllinux_1_2)"
            " or any image reference.",
            '"musllinux_1_2"',
            ignore_empty=True,
        )
        for arch in MUSLLINUX_IMAGE_ARCHS
    )
    return tuple(specs)


_SELECTORS = (
    _cibw("build", "*", "words",
          "Identifiers to build: space-separated shell-style patterns with {a,b} brace"
          " expansion.", '"cp311-* cp312-*"', global_only=True, platform_env=False),
    _cibw("skip", "", "words",
          "Identifiers not to build (patterns as for build).", '"*-musllinux_* pp*"',
          global_only=True, platform_env=False),
    _cibw("test-skip", "", "words",
          "Identifiers whose wheels are built but not tested.", '"*-manylinux_{aarch64,s390x}"',
          global_only=True, platform_env=False),
    _cibw("enable", [], "words",
          "Extra groups of identifiers to select (cpython-prerelease, pypy, pypy-eol, graalpy,"
          " or all). CIBW_ENABLE adds to the file's list.",
          '["pypy", "graalpy"]', global_only=True, platform_env=False),
    _cibw("archs", ["auto"], "words",
          "Architectures to build: auto, auto64, auto32, native, all, or names such as"
          " x86_64 aarch64 ppc64le s390x i686.", '["x86_64", "aarch64"]',
          global_only=True, ignore_empty=True),
)  # fmt: skip

_BUILD = (
    _cibw("build-frontend", "default", "structured",
          'Build tool: "build" (the default), "build[uv]", "uv" or "pip", optionally with'
          ' arguments as "pip; args: --no-build-isolation" or a {name, args} table.',
          '{ name = "build", args = ["--no-isolation"] }', platform_env=False),
    _cibw("config-settings", {}, "key-value",
          "PEP 517 config settings passed to the build backend: a table or k=v pairs.",
          '{ "cmake.verbose" = "true" }'),
    _cibw("dependency-versions", "pinned", "structured",
          'Versions of the tools cibuildwheel-like installs itself: "pinned" or "latest" (both:'
          ' what the image ships), "packages: uv==0.5.0 ..." or a constraints file'
          " ({ file = PATH }, relative to the project; constraints-pythonXY.txt beside it wins"
          " for Python X.Y). As cibuildwheel 4.3.5 on Linux, the constraints apply only to"
          " those tools (uv, when the image has none; abi3audit in the host's audit"
          " environment, when audit-requires is left at its default), never to the project's"
          " build requirements, before-build, before-test or the test installs.", '"latest"',
          not_in_linux_table=True),
    _cibw("environment", {}, "environment",
          "Environment variables for the build, evaluated inside the container in order"
          " ($VAR, ${VAR} and $(command) allowed).",
          '{ CFLAGS = "-O2", PATH = "$PATH:/opt/tool/bin" }'),
    _cibw("environment-pass", [], "words",
          "Host environment variables copied into the container.", '["SECRET_TOKEN"]'),
    _cibw("build-verbosity", 0, "int",
          "Verbosity of the build frontend, from -3 (quiet) to 3 (very verbose).", "1",
          int_range=(-3, 3)),
    _cibw("before-all", "", "command",
          "Shell command run once per container before any build (e.g. install system"
          " libraries). Lists are joined with &&.", '"dnf install -y libffi-devel"'),
    _cibw("before-build", "", "command",
          "Shell command run before each wheel is built. Lists are joined with &&.",
          '"pip install cython"'),
    _cibw("repair-wheel-command", "auditwheel repair -w {dest_dir} {wheel}", "command",
          "Command that repairs each wheel; {wheel} and {dest_dir} are replaced. Empty skips"
          " repair.", '"auditwheel repair --exclude libcuda.so.1 -w {dest_dir} {wheel}"'),
    _cibw("container-engine", "docker", "structured",
          'Container engine: "docker" or "podman", optionally "podman; create_args: ...;'
          ' disable_host_mount: true" or a {name, create-args, disable-host-mount} table.',
          '"podman; create_args: --network=host"'),
)  # fmt: skip

_TEST = (
    _cibw("test-command", "", "command",
          "Command that tests each wheel, run from a temporary directory; {project},"
          " {package} and {wheel} are replaced. Lists are joined with &&.",
          '"pytest {project}/tests"'),
    _cibw("before-test", "", "command",
          "Shell command run before each wheel is tested.", '"pip install -r requirements.txt"'),
    _cibw("test-sources", [], "quoted-words",
          "Files and directories copied from the project into the test directory.",
          '["tests", "pyproject.toml"]'),
    _cibw("test-requires", [], "quoted-words",
          "Packages installed into the test environment.", '["pytest", "hypothesis"]'),
    _cibw("test-extras", [], "comma-list",
          "Extras of the wheel installed for testing.", '["test"]'),
    _cibw("test-groups", [], "words",
          "Dependency groups (PEP 735 [dependency-groups] of the package's pyproject.toml,"
          " names compared PEP 503-normalised) whose requirements are installed for testing.",
          '["test"]'),
    _cibw("test-environment", {}, "environment",
          "Environment variables for the tests (same syntax as environment).",
          '{ PYTHONSAFEPATH = "1" }'),
)  # fmt: skip

_OTHER_PLATFORMS = (
    _cibw("audit-command", "abi3audit --strict --report {abi3_wheel}", "command",
          "Commands run on the host after each repair, in an environment of their own: one"
          " with {abi3_wheel} runs for abi3 wheels only (the step is skipped for the others),"
          " one with {wheel} for every wheel; {package} and {project} are replaced too. Lists"
          " are joined with &&. A failure fails the build (exit 9). Empty: no audit.",
          '["abi3audit --strict --report {abi3_wheel}", "twine check {wheel}"]'),
    _cibw("audit-requires", ["abi3audit"], "quoted-words",
          "Packages installed into the audit environment (a venv on the host, made once per"
          " run). Left at the default, abi3audit is pinned as dependency-versions says.",
          '["abi3audit", "twine"]'),
    _cibw("xbuild-tools", ["\u0000"], "quoted-words",
          "Cross-build tools for iOS; accepted and ignored on Linux.", '["cmake"]', linux=False),
    _cibw("xbuild-files", {}, "structured",
          "Cross-build files for iOS and Android; accepted and ignored on Linux.",
          '{ numpy = ["numpy/_core/lib/libnpymath.a"] }', linux=False),
    _cibw("pyodide-version", "", "string",
          "Pyodide version; accepted and ignored on Linux.", '"0.28.0"', linux=False,
          platform_env=False),
    _cibw("test-runtime", {}, "structured",
          "Test runner configuration for iOS/Android; accepted and ignored on Linux.",
          '{ args = ["--simulator", "iPhone 16e"] }', linux=False),
)  # fmt: skip

_ENV_ONLY = (
    _cibw("platform", "auto", "string",
          "Platform to build for: auto or linux (other platforms are refused).", "linux",
          env_only=True),
    _cibw("output-dir", "wheelhouse", "string",
          "Where finished wheels are written (default for --output-dir).", "dist",
          env_only=True),
    _cibw("allow-empty", False, "bool",  # noqa: FBT003
          "Exit 0 when the selectors match no identifier (as --allow-empty).", "1",
          env_only=True),
    _cibw("debug-traceback", False, "bool",  # noqa: FBT003
          "Print a traceback with errors (as --debug-traceback).", "1", env_only=True),
    _cibw("project-requires-python", "", "string",
          "Overrides the project's requires-python for selecting identifiers.", '">=3.10"',
          env_only=True),
    _cibw("debug-keep-container", False, "bool",  # noqa: FBT003
          "Keep the build container after the run and print how to open a shell in it.", "1",
          env_only=True),
    _cibw("log-fold-mode", "", "string",
          "How build steps are folded in the CI log: github, azure, travis or disabled (every"
          " step expanded); unset, the CI service running the job decides (GitLab's sections"
          " too). Annotations and the job summary follow the service whatever this says.",
          "disabled", env_only=True),
    _cibw("cache-path", "", "string",
          "Cache directory for image root filesystems and other caches (default: the user cache"
          " directory, e.g. ~/.cache/cibuildwheel-like).", "/var/cache/cibw",
          env_only=True),
)  # fmt: skip

_OURS = (
    OptionSpec(
        name="emulated-tests",
        toml_table=OURS_TABLE,
        env_var="CIBWL_EMULATED_TESTS",
        default="full",
        kind="choice",
        choices=("full", "smoke", "skip"),
        platform_env=False,
        help="Testing of wheels for QEMU-emulated architectures: full runs test-command as"
        " cibuildwheel does, smoke installs the wheel and imports its top-level modules, skip"
        " does not test.",
        example='"smoke"',
    ),
    OptionSpec(
        name="jobs",
        toml_table=OURS_TABLE,
        env_var="CIBWL_JOBS",
        default="auto",
        kind="jobs",
        global_only=True,
        platform_env=False,
        help="How many containers run at once (also `--jobs N`): auto (the default) is the"
        " number of CPUs, never more than the number of builds; 1 builds one identifier after"
        " another as cibuildwheel does. The plan decides which builds share a container and"
        " which containers run side by side (`plan` shows the lanes).",
        example="2",
    ),
    OptionSpec(
        name="cache",
        toml_table=OURS_TABLE,
        env_var="CIBWL_CACHE",
        default=True,
        kind="bool",
        global_only=True,
        platform_env=False,
        help="Persistent caches (pip and uv downloads and built wheels, the compiler cache)"
        " under the cache directory (CIBW_CACHE_PATH), mounted into every container; false (or"
        " `--no-cache`) turns all of them off. `run --clean-cache` empties the directory.",
        example="false",
    ),
    OptionSpec(
        name="container-tmp",
        toml_table=OURS_TABLE,
        env_var="CIBWL_CONTAINER_TMP",
        default="memory",
        kind="choice",
        choices=("memory", "disk"),
        global_only=True,
        platform_env=False,
        help="Where /tmp lives in the containers. memory (the default): a tmpfs, as Debian 13 and"
        " Fedora mount /tmp, up to half of the machine's memory; build isolation environments,"
        " test venvs and the wheels between steps are written there, several times faster than"
        " to the container's own file system. disk: the image's /tmp (cibuildwheel's), for a"
        " build that writes more to /tmp than memory holds (or set TMPDIR in `environment`). A"
        " container kept by CIBW_DEBUG_KEEP_CONTAINER, or given its own /tmp mount in"
        " container-engine create_args, keeps that.",
        example='"disk"',
    ),
    OptionSpec(
        name="test-installer",
        toml_table=OURS_TABLE,
        env_var="CIBWL_TEST_INSTALLER",
        default="auto",
        kind="choice",
        choices=("auto", "pip", "uv"),
        platform_env=False,
        help="What creates each fresh test environment and installs the wheel and the test"
        " requirements into it. auto (the default): uv where it runs (uv venv --seed, so pip"
        " is there too), else venv + pip; installs use pip when the test environment has pip"
        " settings uv would ignore. pip: venv + pip, as cibuildwheel (a uv build frontend still"
        " tests with uv, as cibuildwheel does). uv: uv from the image, the cache or PyPI, an"
        " error if uv cannot run there. Per build: [[tool.cibuildwheel-like.overrides]].",
        example='"pip"',
    ),
    OptionSpec(
        name="build-installer",
        toml_table=OURS_TABLE,
        env_var="CIBWL_BUILD_INSTALLER",
        default="auto",
        kind="choice",
        choices=("auto", "pip", "uv"),
        platform_env=False,
        help="What installs the build requirements into the isolated environment of the"
        " `build` frontend. auto (the default): uv where it runs in the container (as"
        " `build[uv]`: `python -m build --installer=uv`, seconds faster per build), else pip;"
        " pip when the build environment has pip settings uv would ignore. pip: venv + pip, as"
        " cibuildwheel. uv: uv from the image, the cache or PyPI, an error if uv cannot run"
        " there. The other frontends are not affected (`build[uv]` and `uv` always use uv)."
        " Per build: [[tool.cibuildwheel-like.overrides]].",
        example='"pip"',
    ),
    OptionSpec(
        name="keep-going",
        toml_table=OURS_TABLE,
        env_var="CIBWL_KEEP_GOING",
        default=False,
        kind="bool",
        global_only=True,
        platform_env=False,
        help="A failed build, repair or test ends that identifier only (also `--keep-going`):"
        " every other identifier is still built, tested and delivered, and the run exits 1 at"
        " the end, listing each failure with its step and command. false (the default) stops"
        " the run at the first failure, as cibuildwheel does. See the build report page for"
        " when a container is kept and how abi3 wheels are handled.",
        example="true",
    ),
    OptionSpec(
        name="emulation",
        toml_table=OURS_TABLE,
        env_var="CIBWL_EMULATION",
        default="emulate",
        kind="choice",
        choices=("emulate", "cross", "auto"),
        platform_env=False,
        help="How wheels for an architecture this machine runs only under QEMU are built."
        " emulate (the default, as cibuildwheel): everything in the emulated container. cross:"
        " compile on this machine with a cross toolchain (the image debian-SUITE-cross, made"
        " with `cibuildwheel-like images build --suite SUITE --arch x86_64 --cross`), then"
        " repair and test in the emulated container; an identifier that cannot be"
        " cross-compiled is an error naming why. auto: cross where possible, emulate the rest,"
        " saying which and why (`plan` shows it). Per build: [[tool.cibuildwheel-like.overrides]].",
        example='"auto"',
    ),
)

_TEST_CONTAINER = (
    OptionSpec(
        name="test-container",
        toml_table=OURS_TABLE,
        env_var="CIBWL_TEST_CONTAINER",
        default="build",
        kind="choice",
        choices=("build", "fresh"),
        platform_env=False,
        help="Where each wheel is tested. build (the default, as cibuildwheel): in the container"
        " that built it, after before-all and before-build. fresh: in a new container started"
        " from the build image (or test-image) that never ran before-all or before-build, with"
        " only the project, the repaired wheel, before-test, the test requirements and the test"
        " command, so a shared library the wheel needs but does not carry makes the test fail;"
        " the container is removed afterwards. Per build: [[tool.cibuildwheel-like.overrides]].",
        example='"fresh"',
    ),
    OptionSpec(
        name="test-image",
        toml_table=OURS_TABLE,
        env_var="CIBWL_TEST_IMAGE",
        default="",
        kind="string",
        platform_env=False,
        help="The image of the fresh test containers (test-container = 'fresh' only; empty:"
        " the build image): debian-SUITE-runtime for our runtime image of the build's arch"
        " (`images build --runtime`), debian-SUITE, a policy name as in the image options, or"
        " an image reference. It must hold the build's interpreters under /opt/python.",
        example='"debian-bookworm-runtime"',
    ),
    OptionSpec(
        name="require-installable-by",
        toml_table=OURS_TABLE,
        env_var="CIBWL_REQUIRE_INSTALLABLE_BY",
        default="",
        kind="string",
        platform_env=False,
        help='The oldest installer your users run, as a pip requirement ("pip>=19.3"): a'
        " wheel whose platform tag only a newer pip installs (e.g. manylinux_2_28, which needs"
        " pip 20.3) is a failed build naming the tag. Empty (the default): every wheel is"
        " delivered and the summary says which pip it needs. See docs/installability.md.",
        example='"pip>=19.3"',
    ),
    OptionSpec(
        name="allow-linux-tag",
        toml_table=OURS_TABLE,
        env_var="CIBWL_ALLOW_LINUX_TAG",
        default=False,
        kind="bool",
        platform_env=False,
        help="Deliver wheels tagged linux_ARCH (no repair, or a repair-wheel-command that did"
        " not retag). They promise nothing about the system they run on and PyPI refuses them,"
        " so by default such a wheel is a failed build (exit 1) naming it; cibuildwheel"
        " delivers it silently when repair-wheel-command is empty.",
        example="true",
    ),
)

# Our options that only the environment (or the command line) sets: per CI job, not per project.
_OURS_ENV_ONLY = (
    OptionSpec(
        name="shard",
        toml_table="",
        env_var="CIBWL_SHARD",
        default="",
        kind="string",
        env_only=True,
        platform_env=False,
        help="Build one share of the plan (also `run --shard I/N`): I/N is the I-th of N shares,"
        " from 1; every share of one plan together builds exactly the unsharded plan. Shares"
        " are balanced by estimated cost and keep an abi3 / py3-none family in one share"
        " (see GitHub Actions: sharding). `plan --github-matrix` writes the values, with a"
        " `+arm` suffix when it was given `--arm-runner`.",
        example="2/3",
    ),
)

_LIMITS_AND_TRUST = (
    OptionSpec(
        name="build-timeout",
        toml_table=OURS_TABLE,
        env_var="CIBWL_BUILD_TIMEOUT",
        default="",
        kind="minutes",
        platform_env=False,
        help="Longest time, in minutes (fractions allowed), that each build step of an"
        " identifier may run: before-all, before-build, build and repair. A step still running"
        " then is stopped, every process in its container is killed, and the identifier fails"
        " (exit 1) with a message naming the step and the limit. Empty (the default): no limit."
        " Per build: [[tool.cibuildwheel-like.overrides]].",
        example="30",
    ),
    OptionSpec(
        name="test-timeout",
        toml_table=OURS_TABLE,
        env_var="CIBWL_TEST_TIMEOUT",
        default="",
        kind="minutes",
        platform_env=False,
        help="Longest time, in minutes (fractions allowed, e.g. 0.5), that the test step of an"
        " identifier may run (before-test, the test installs and test-command; the smoke test"
        " under QEMU). Stopped as for build-timeout. Empty (the default): no limit.",
        example="10",
    ),
    OptionSpec(
        name="ca-bundle",
        toml_table=OURS_TABLE,
        env_var="CIBWL_CA_BUNDLE",
        default="",
        kind="string",
        global_only=True,
        platform_env=False,
        help="A PEM file of certificate authorities to trust in every build container, for a"
        " private index or a TLS-inspecting proxy: copied into each container (any image), with"
        " PIP_CERT, SSL_CERT_FILE (pip, uv) and REQUESTS_CA_BUNDLE pointing at it unless"
        " `environment` sets them. Default: the host's SSL_CERT_FILE, else REQUESTS_CA_BUNDLE,"
        " else PIP_CERT, when set; otherwise the image's own CAs. Relative to the project.",
        example='"certs/proxy-ca.pem"',
    ),
)

OPTIONS: tuple[OptionSpec, ...] = (
    *_SELECTORS,
    *_BUILD,
    *_image_options(),
    *_TEST,
    *_OTHER_PLATFORMS,
    *_ENV_ONLY,
    *_OURS,
    *_TEST_CONTAINER,
    *_OURS_ENV_ONLY,
    *_LIMITS_AND_TRUST,
)

BY_NAME: dict[str, OptionSpec] = {spec.name: spec for spec in OPTIONS}
CIBW_FILE_OPTIONS: tuple[OptionSpec, ...] = tuple(s for s in OPTIONS if s.toml_table == CIBW_TABLE)
OURS_FILE_OPTIONS: tuple[OptionSpec, ...] = tuple(s for s in OPTIONS if s.toml_table == OURS_TABLE)


def spec(name: str) -> OptionSpec:
    return BY_NAME[name]
