"""Configurations for the differential test against cibuildwheel 4.3.5.

Each case is a small project (files written into a fresh directory), extra environment variables
and extra command-line arguments. No case states its expected identifiers: the expected value is
always what cibuildwheel 4.3.5 prints for the same input (see test_differential_cibuildwheel.py).

Five tables:
- ``IDENTIFIER_CASES``: valid configurations; stdout and exit code must match cibuildwheel's
  ``--print-build-identifiers`` output line for line.
- ``BAD_INPUT_CASES``: inputs cibuildwheel rejects cleanly (no traceback) with
  ``--print-build-identifiers``; our exit code must match, with no traceback, naming the culprit.
- ``BAD_BUILD_CASES``: the same, for inputs cibuildwheel only rejects on a real run (per-build
  options are checked when the run starts, before any container engine is contacted). These run
  without ``--print-build-identifiers`` and with a PATH that holds no container engine.
- ``STRICTER_CASES``: inputs where cibuildwheel crashes with a traceback or silently accepts
  something our issue requires us to reject; only our answer is checked, against the exit code
  the issue asks for.
- ``EMPTY_RUN_CASES``: real runs that select nothing but allow it (``--allow-empty``,
  ``CIBW_ALLOW_EMPTY``): both tools must finish with exit 0 without contacting an engine.
"""

from __future__ import annotations

import shlex
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

SETUP_PY = 'from setuptools import setup\n\nsetup(name="demo", version="0.1")\n'


def _files(**named: str) -> dict[str, str]:
    """File contents keyed by relative path; ``pyproject``, ``setup_py`` etc. are shorthands."""
    aliases = {"pyproject": "pyproject.toml", "setup_py": "setup.py", "setup_cfg": "setup.cfg"}
    return {
        aliases.get(name, name): textwrap.dedent(text).lstrip("\n") for name, text in named.items()
    }


def pyproject(text: str, *, setup_py: bool = False) -> dict[str, str]:
    files = _files(pyproject=text)
    if setup_py:
        files["setup.py"] = SETUP_PY
    return files


@dataclass(frozen=True, kw_only=True)
class Case:
    id: str
    files: Mapping[str, str] = field(default_factory=lambda: {"setup.py": SETUP_PY})
    env: Mapping[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    # add `--platform linux` (off for --only, which conflicts with it, and platform tests)
    platform_flag: bool = True
    # an sdist to create in the project directory: (file name, {path inside the sdist: text})
    sdist: tuple[str, Mapping[str, str]] | None = None
    # an empty identifier list is the point of the case (otherwise it signals a useless case)
    empty_ok: bool = False
    # bad inputs only: strings our output must contain (case-insensitive) to name the culprit
    culprit: tuple[str, ...] = ()
    # STRICTER_CASES only: the exit code the issue requires from us, and whether the case needs a
    # real run (no --print-build-identifiers) because it is about a per-build option
    expected_exit: int | None = None
    full_run: bool = False

    def argv(self, *, print_identifiers: bool = True) -> list[str]:
        argv = list(self.args)
        if print_identifiers:
            argv.append("--print-build-identifiers")
        if self.platform_flag:
            argv += ["--platform", "linux"]
        return argv

    def reproduction(self, *, print_identifiers: bool = True) -> str:
        """Shell lines that recreate the case in an empty directory."""
        lines = ["mkdir repro && cd repro"]
        for path, text in self.files.items():
            if "/" in path:
                lines.append(f"mkdir -p {shlex.quote(path.rsplit('/', 1)[0])}")
            lines.append(f"cat > {shlex.quote(path)} <<'EOF'\n{text.rstrip()}\nEOF")
        if self.sdist is not None:
            name, _ = self.sdist
            lines.append(f"# plus an sdist {name} holding: {sorted(self.sdist[1])}")
        # the test starts from an empty environment (plus proxy/certificate variables)
        env = " ".join(
            [
                'env -i PATH="$PATH" HOME="$HOME"',
                *(f"{k}={shlex.quote(v)}" for k, v in self.env.items()),
            ]
        )
        args = shlex.join(self.argv(print_identifiers=print_identifiers))
        lines.append(f"{env} cibuildwheel {args}")
        lines.append(f"{env} cibuildwheel-like run {args}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Valid configurations: identifiers must match cibuildwheel's, line for line.
# --------------------------------------------------------------------------------------------

_FILE_CASES = [
    Case(id="setup-py-only-defaults"),
    Case(id="setup-cfg-only", files=_files(setup_cfg="[metadata]\nname = demo\n")),
    Case(id="pyproject-only-no-tool-table", files=pyproject('[project]\nname = "demo"\n')),
    Case(
        id="pyproject-build-string",
        files=pyproject('[tool.cibuildwheel]\nbuild = "cp311-* cp312-*"\n'),
    ),
    Case(
        id="pyproject-build-list",
        files=pyproject('[tool.cibuildwheel]\nbuild = ["cp310-*", "cp313-*"]\n'),
    ),
    Case(
        id="pyproject-skip-musllinux",
        files=pyproject('[tool.cibuildwheel]\nskip = "*-musllinux_*"\n'),
    ),
    Case(
        id="pyproject-skip-brace-expansion",
        files=pyproject('[tool.cibuildwheel]\nskip = ["cp3{9,10,11}-*"]\n'),
    ),
    Case(
        id="pyproject-build-character-class",
        files=pyproject('[tool.cibuildwheel]\nbuild = "cp31[0-2]-*"\n'),
    ),
    Case(
        id="pyproject-build-question-mark-excludes-free-threaded",
        files=pyproject('[tool.cibuildwheel]\nbuild = "cp31?-manylinux*"\n'),
    ),
    Case(
        id="pyproject-skip-free-threaded",
        files=pyproject('[tool.cibuildwheel]\nskip = "*t-*"\n'),
    ),
    Case(
        id="pyproject-archs-list",
        files=pyproject('[tool.cibuildwheel]\narchs = ["x86_64", "i686"]\n'),
    ),
    Case(
        id="pyproject-archs-all-one-python",
        files=pyproject('[tool.cibuildwheel]\narchs = "all"\nbuild = "cp312-*"\n'),
    ),
    Case(
        id="pyproject-archs-auto32",
        files=pyproject('[tool.cibuildwheel]\narchs = ["auto32"]\n'),
    ),
    Case(
        id="pyproject-archs-auto64-and-native",
        files=pyproject('[tool.cibuildwheel]\narchs = "auto64 native"\n'),
    ),
    Case(
        id="pyproject-archs-uppercase-name",
        files=pyproject('[tool.cibuildwheel]\narchs = ["AARCH64"]\nbuild = "cp313-*"\n'),
    ),
    Case(
        id="pyproject-archs-comma-string",
        files=pyproject('[tool.cibuildwheel]\narchs = "aarch64,ppc64le"\nbuild = "cp39-*"\n'),
    ),
    Case(
        id="linux-table-archs-beats-global",
        files=pyproject(
            """
            [tool.cibuildwheel]
            archs = ["s390x"]
            build = "cp314*"

            [tool.cibuildwheel.linux]
            archs = ["auto", "aarch64"]
            """
        ),
    ),
    Case(
        id="linux-table-build-and-skip",
        files=pyproject(
            """
            [tool.cibuildwheel]
            build = "cp3*"

            [tool.cibuildwheel.linux]
            build = "cp312-* cp313-*"
            skip = "*-musllinux*"
            """
        ),
    ),
    Case(id="enable-pypy", files=pyproject('[tool.cibuildwheel]\nenable = ["pypy"]\n')),
    Case(
        id="enable-pypy-eol",
        files=pyproject('[tool.cibuildwheel]\nenable = ["pypy-eol"]\nbuild = "pp*"\n'),
    ),
    Case(
        id="enable-graalpy-on-aarch64",
        files=pyproject(
            '[tool.cibuildwheel]\nenable = "graalpy"\narchs = "aarch64"\nbuild = "gp*"\n'
        ),
    ),
    Case(
        id="enable-all-string-two-archs",
        files=pyproject('[tool.cibuildwheel]\nenable = "all"\narchs = ["x86_64", "i686"]\n'),
    ),
    Case(
        id="enable-groups-without-linux-effect",
        files=pyproject(
            '[tool.cibuildwheel]\nenable = ["cpython-prerelease", "pyodide-eol"]\n'
            'build = "cp315*"\n'
        ),
    ),
    Case(
        id="test-skip-does-not-select",
        files=pyproject(
            '[tool.cibuildwheel]\ntest-skip = "*-musllinux_* cp39-*"\nbuild = "cp39-* cp311-*"\n'
        ),
    ),
    Case(
        id="other-platform-tables-ignored-on-linux",
        files=pyproject(
            """
            [tool.cibuildwheel]
            build = "cp310-* cp314t-*"
            pyodide-version = "0.29.0"

            [tool.cibuildwheel.macos]
            archs = ["arm64", "universal2"]
            repair-wheel-command = "delocate-wheel -w {dest_dir} {wheel}"

            [tool.cibuildwheel.windows]
            archs = ["ARM64"]

            [tool.cibuildwheel.ios]
            xbuild-tools = ["cmake"]

            [tool.cibuildwheel.pyodide]
            build-frontend = "pyodide-build"
            """
        ),
    ),
    Case(
        id="every-per-build-option-set",
        files=pyproject(
            """
            [tool.cibuildwheel]
            build = "cp312-*"
            build-frontend = { name = "build[uv]", args = ["--no-isolation"] }
            config-settings = { "--build-option" = "--quiet" }
            environment = { FOO = "bar", PATH = "$PATH:/opt/tools" }
            environment-pass = ["CI"]
            before-all = ["yum install -y zlib-devel", "echo done"]
            before-build = "pip install cython"
            repair-wheel-command = "auditwheel repair -w {dest_dir} {wheel}"
            test-command = "pytest {project}/tests"
            before-test = "echo test"
            test-sources = ["tests"]
            test-requires = ["pytest>=8"]
            test-extras = ["test"]
            test-environment = { PYTHONSAFEPATH = "1" }
            build-verbosity = 1
            dependency-versions = "latest"
            container-engine = { name = "docker", create-args = ["--network=host"] }
            audit-requires = ["abi3audit"]
            manylinux-x86_64-image = "manylinux_2_34"
            manylinux-i686-image = "manylinux2014"
            manylinux-pypy_x86_64-image = "manylinux_2_28"
            musllinux-x86_64-image = "musllinux_1_2"
            """
        ),
    ),
    Case(
        id="overrides-do-not-change-selection",
        files=pyproject(
            """
            [tool.cibuildwheel]
            skip = "cp39-*"
            environment = { A = "1" }

            [[tool.cibuildwheel.overrides]]
            select = "cp311-*"
            before-build = "echo 311"
            environment = { B = "2" }
            inherit.environment = "append"

            [[tool.cibuildwheel.overrides]]
            select = ["*-musllinux*", "cp314t-*"]
            manylinux-x86_64-image = "manylinux2014"
            inherit = "before-build: prepend"
            before-build = "echo first"
            """
        ),
    ),
    Case(
        id="inherit-global-archs-append-to-default",
        files=pyproject(
            """
            [tool.cibuildwheel]
            archs = ["aarch64"]
            build = "cp311-*"
            inherit = { archs = "append" }
            """
        ),
    ),
    Case(
        id="inherit-linux-skip-append",
        files=pyproject(
            """
            [tool.cibuildwheel]
            skip = "cp39-*"

            [tool.cibuildwheel.linux]
            skip = "*-musllinux_*"
            inherit.skip = "append"
            """
        ),
    ),
    Case(
        id="inherit-linux-enable-prepend",
        files=pyproject(
            """
            [tool.cibuildwheel]
            enable = ["pypy"]
            build = ["pp*", "gp*"]

            [tool.cibuildwheel.linux]
            enable = ["graalpy"]
            inherit = { enable = "prepend" }
            """
        ),
    ),
    Case(
        id="linux-enable-replaces-global",
        files=pyproject(
            """
            [tool.cibuildwheel]
            enable = ["pypy"]
            build = ["pp*", "gp*"]

            [tool.cibuildwheel.linux]
            enable = ["graalpy"]
            """
        ),
    ),
    Case(
        id="pyproject-build-empty-list-means-all",
        files=pyproject("[tool.cibuildwheel]\nbuild = []\nskip = []\narchs = []\n"),
    ),
    Case(
        id="image-short-names-every-arch",
        files=pyproject(
            """
            [tool.cibuildwheel]
            archs = "all"
            enable = ["pypy", "pypy-eol"]
            build = "cp312-* pp311-*"
            manylinux-x86_64-image = "manylinux2014"
            manylinux-i686-image = "manylinux_2_34"
            manylinux-aarch64-image = "manylinux_2_28"
            manylinux-ppc64le-image = "ghcr.io/example/manylinux-ppc64le:2026.1"
            manylinux-s390x-image = "debian-bookworm"
            manylinux-armv7l-image = "manylinux_2_35"
            manylinux-riscv64-image = "manylinux_2_39"
            manylinux-pypy_x86_64-image = "manylinux2014"
            manylinux-pypy_i686-image = "manylinux_2_34"
            manylinux-pypy_aarch64-image = "manylinux_2_28"
            musllinux-x86_64-image = "musllinux_1_2"
            musllinux-i686-image = "musllinux_1_2"
            musllinux-aarch64-image = "musllinux_1_2"
            musllinux-ppc64le-image = "musllinux_1_2"
            musllinux-s390x-image = "musllinux_1_2"
            musllinux-armv7l-image = "musllinux_1_2"
            musllinux-riscv64-image = "musllinux_1_2"

            [[tool.cibuildwheel.overrides]]
            select = "*-manylinux_x86_64"
            manylinux-x86_64-image = "manylinux_2_34"
            """
        ),
    ),
    Case(
        id="cibuildwheel-like-table-ignored-by-cibuildwheel",
        files=pyproject(
            '[tool.cibuildwheel]\nbuild = "cp313-*"\n\n'
            '[tool.cibuildwheel-like]\nemulated-tests = "smoke"\n'
        ),
        env={"CIBWL_EMULATED_TESTS": "skip"},
    ),
    Case(
        id="options-of-other-platforms-accepted",
        files=pyproject(
            """
            [tool.cibuildwheel]
            build = "cp312-*"
            audit-command = "abi3audit --strict --report {abi3_wheel}"
            audit-requires = ["abi3audit"]
            test-runtime = { args = ["--verbose"] }
            xbuild-tools = []
            xbuild-files = { numpy = ["numpy/_core/include/numpy/numpyconfig.h"] }
            pyodide-version = "0.29.0"

            [[tool.cibuildwheel.overrides]]
            select = "cp312-*"
            xbuild-tools = ["cmake"]
            pyodide-version = "0.28.0"
            test-runtime = { args = ["--quiet"] }
            """
        ),
    ),
    Case(
        id="inherit-string-form-defaults-to-append",
        files=pyproject(
            '[tool.cibuildwheel]\ninherit = "archs"\narchs = "aarch64"\nbuild = "cp39-*"\n'
        ),
    ),
]

_REQUIRES_PYTHON_CASES = [
    Case(
        id="project-requires-python-ge",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.11"\n'),
    ),
    Case(
        id="project-requires-python-range",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.10,<3.13"\n'),
    ),
    Case(
        id="project-requires-python-compatible-release",
        files=pyproject('[project]\nname = "demo"\nrequires-python = "~=3.12"\n'),
    ),
    Case(
        id="project-requires-python-le-excludes-that-minor",
        files=pyproject('[project]\nname = "demo"\nrequires-python = "<=3.11"\n'),
    ),
    Case(
        id="project-requires-python-gt-includes-that-minor",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">3.13"\n'),
    ),
    Case(
        id="project-requires-python-exclusion-with-pypy",
        files=pyproject(
            '[project]\nname = "demo"\nrequires-python = "!=3.12.*,>=3.10"\n\n'
            '[tool.cibuildwheel]\nenable = ["pypy", "pypy-eol"]\n'
        ),
    ),
    Case(
        id="project-requires-python-wildcard-all-groups",
        files=pyproject(
            '[project]\nname = "demo"\nrequires-python = "==3.11.*"\n\n'
            '[tool.cibuildwheel]\nenable = "all"\narchs = "all"\n'
        ),
    ),
    Case(
        id="project-requires-python-with-graalpy",
        files=pyproject(
            '[project]\nname = "demo"\nrequires-python = ">=3.13"\n\n'
            '[tool.cibuildwheel]\nenable = ["graalpy"]\nbuild = "gp*"\n'
        ),
    ),
    Case(
        id="setup-cfg-python-requires",
        files={
            "setup.py": SETUP_PY,
            "setup.cfg": "[metadata]\nname = demo\n\n[options]\npython_requires = >=3.13\n",
        },
    ),
    Case(
        id="setup-py-literal-python-requires",
        files=_files(
            setup_py="""
            from setuptools import setup

            setup(name="demo", version="0.1", python_requires=">=3.12")
            """
        ),
    ),
    Case(
        id="setup-py-main-guard-python-requires",
        files=_files(
            setup_py="""
            from setuptools import setup

            if __name__ == "__main__":
                setup(name="demo", python_requires=">=3.14")
            """
        ),
    ),
    Case(
        id="setup-py-nested-python-requires-ignored",
        files=_files(
            setup_py="""
            from setuptools import setup

            def main():
                setup(name="demo", python_requires=">=3.14")

            main()
            """
        ),
    ),
    Case(
        id="setup-py-non-literal-python-requires-ignored",
        files=_files(
            setup_py="""
            from setuptools import setup

            REQUIRES = ">=3.14"
            setup(name="demo", python_requires=REQUIRES)
            """
        ),
    ),
    Case(
        id="project-requires-python-beats-setup-cfg",
        files={
            **pyproject('[project]\nname = "demo"\nrequires-python = ">=3.13"\n'),
            "setup.cfg": "[options]\npython_requires = >=3.10\n",
        },
    ),
    Case(
        id="setup-cfg-used-when-project-has-no-requires-python",
        files={
            **pyproject('[project]\nname = "demo"\n\n[tool.cibuildwheel]\nskip = "*-musllinux*"\n'),
            "setup.cfg": "[options]\npython_requires = >=3.14\n",
        },
    ),
    Case(
        id="setup-cfg-beats-setup-py",
        files={
            "setup.cfg": "[options]\npython_requires = >=3.14\n",
            **_files(
                setup_py='from setuptools import setup\nsetup(name="d", python_requires=">=3.10")\n'
            ),
        },
    ),
    Case(
        id="requires-python-filters-only-to-nothing",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.12"\n'),
        args=("--only", "cp311-manylinux_x86_64"),
        platform_flag=False,
        empty_ok=True,
    ),
    Case(
        id="build-selector-filtered-by-requires-python-to-nothing",
        files=pyproject(
            '[project]\nname = "demo"\nrequires-python = ">=3.12"\n\n'
            '[tool.cibuildwheel]\nbuild = "cp311-*"\n'
        ),
        empty_ok=True,
    ),
    Case(
        id="setup-cfg-python-requires-wrong-section-ignored",
        files={"setup.py": SETUP_PY, "setup.cfg": "[metadata]\npython_requires = >=3.14\n"},
    ),
    Case(
        id="setup-py-unparseable-ignored",
        files={"setup.py": "import (\n"},
    ),
    Case(
        id="project-requires-python-upper-bound-4",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">= 3.12, < 4"\n'),
    ),
    Case(
        id="setup-py-attribute-call-and-reversed-main-guard",
        files=_files(
            setup_py="""
            import setuptools

            if "__main__" == __name__:
                setuptools.setup(name="demo", python_requires=">=3.13")
            """
        ),
    ),
    Case(
        id="setup-py-last-literal-wins",
        files=_files(
            setup_py="""
            from setuptools import setup

            setup(name="a", python_requires=">=3.13")
            setup(name="b", python_requires=">=3.10")
            """
        ),
    ),
    Case(
        id="project-dynamic-requires-python-uses-setup-cfg",
        files={
            **pyproject('[project]\nname = "demo"\ndynamic = ["requires-python"]\n'),
            "setup.cfg": "[options]\npython_requires = >=3.14\n",
        },
    ),
    Case(
        id="project-requires-python-exact-minor-selects-nothing",
        files=pyproject('[project]\nname = "demo"\nrequires-python = "==3.12"\n'),
        empty_ok=True,
    ),
    Case(
        id="project-requires-python-not-equal-minor-keeps-it",
        files=pyproject('[project]\nname = "demo"\nrequires-python = "!=3.13"\n'),
    ),
]

_ENV_CASES = [
    Case(id="env-build", env={"CIBW_BUILD": "cp311-*"}),
    Case(id="env-build-brace", env={"CIBW_BUILD": "cp3{10,12}-manylinux*"}),
    Case(id="env-build-newline-separated", env={"CIBW_BUILD": "cp311-*\ncp312-musllinux*"}),
    Case(
        id="env-skip-replaces-pyproject-skip",
        files=pyproject('[tool.cibuildwheel]\nskip = "*-musllinux_*"\n'),
        env={"CIBW_SKIP": "cp39-* cp310-*"},
    ),
    Case(
        id="env-build-beats-linux-table",
        files=pyproject('[tool.cibuildwheel.linux]\nbuild = "cp39-*"\n'),
        env={"CIBW_BUILD": "cp310-*"},
    ),
    Case(id="env-build-linux-suffix-ignored", env={"CIBW_BUILD_LINUX": "cp39-*"}),
    Case(id="env-skip-linux-suffix-ignored", env={"CIBW_SKIP_LINUX": "*-musllinux_*"}),
    Case(id="env-enable-linux-suffix-ignored", env={"CIBW_ENABLE_LINUX": "pypy"}),
    Case(
        id="env-archs",
        env={"CIBW_ARCHS": "aarch64 ppc64le", "CIBW_BUILD": "cp312-*"},
    ),
    Case(
        id="env-archs-linux-beats-env-archs",
        env={"CIBW_ARCHS": "aarch64", "CIBW_ARCHS_LINUX": "s390x", "CIBW_BUILD": "cp313-*"},
    ),
    Case(
        id="env-archs-beats-linux-table",
        files=pyproject('[tool.cibuildwheel.linux]\narchs = ["aarch64"]\n'),
        env={"CIBW_ARCHS": "i686"},
    ),
    Case(
        id="env-archs-empty-is-ignored",
        files=pyproject('[tool.cibuildwheel]\narchs = ["aarch64"]\nbuild = "cp310-*"\n'),
        env={"CIBW_ARCHS": ""},
    ),
    Case(
        id="env-archs-linux-comma-list",
        env={"CIBW_ARCHS_LINUX": "riscv64,armv7l", "CIBW_BUILD": "cp314-*"},
    ),
    Case(
        id="env-enable-appends-to-pyproject",
        files=pyproject('[tool.cibuildwheel]\nenable = ["graalpy"]\nbuild = "pp* gp*"\n'),
        env={"CIBW_ENABLE": "pypy"},
    ),
    Case(
        id="env-requires-python-beats-project",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.9"\n'),
        env={"CIBW_PROJECT_REQUIRES_PYTHON": ">=3.14"},
    ),
    Case(
        id="env-requires-python-empty-falls-back-to-project",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.13"\n'),
        env={"CIBW_PROJECT_REQUIRES_PYTHON": ""},
    ),
    Case(
        id="env-requires-python-with-setup-py",
        env={"CIBW_PROJECT_REQUIRES_PYTHON": ">=3.10,<3.12", "CIBW_ENABLE": "pypy-eol pypy"},
    ),
    Case(
        id="env-inherit-archs-append",
        files=pyproject('[tool.cibuildwheel]\narchs = ["aarch64"]\nbuild = "cp311-*"\n'),
        env={"CIBW_ARCHS": "i686", "CIBW_INHERIT": "archs: append"},
    ),
    Case(
        id="env-platform-linux-without-flag",
        env={"CIBW_PLATFORM": "linux", "CIBW_SKIP": "*-manylinux*"},
        platform_flag=False,
    ),
    Case(id="no-platform-flag-auto-detects-linux", platform_flag=False),
    Case(id="env-test-skip-does-not-select", env={"CIBW_TEST_SKIP": "*"}),
    Case(id="env-build-empty-means-all", env={"CIBW_BUILD": ""}),
    Case(id="env-skip-everything", env={"CIBW_SKIP": "*"}, empty_ok=True),
    Case(id="env-enable-all", env={"CIBW_ENABLE": "all", "CIBW_ARCHS": "aarch64"}),
    Case(
        id="env-archs-linux-empty-is-ignored",
        env={"CIBW_ARCHS": "ppc64le", "CIBW_ARCHS_LINUX": "", "CIBW_BUILD": "cp311-*"},
    ),
    Case(
        id="env-build-nested-brace-and-negated-class",
        env={"CIBW_BUILD": "cp3{1{0,1},9}-* cp31[!0-3]-manylinux_*"},
    ),
    Case(
        id="env-build-brace-inside-platform",
        env={"CIBW_BUILD": "cp312-*linux_{x86_64,aarch64}"},
        args=("--archs", "all"),
    ),
    Case(
        id="env-every-per-build-option-set",
        env={
            "CIBW_BUILD": "cp311-*",
            "CIBW_BUILD_FRONTEND": "build[uv]; args: --no-isolation",
            "CIBW_CONFIG_SETTINGS": "--build-option=--quiet setup-args=-Dfoo=bar",
            "CIBW_ENVIRONMENT": 'FOO=bar PATH="$PATH:/opt/tools" REV=$(git rev-parse HEAD)',
            "CIBW_ENVIRONMENT_PASS_LINUX": "CI GITHUB_SHA",
            "CIBW_BEFORE_ALL_LINUX": "yum install -y zlib-devel",
            "CIBW_BEFORE_BUILD": "pip install cython",
            "CIBW_REPAIR_WHEEL_COMMAND_LINUX": "auditwheel repair -w {dest_dir} {wheel}",
            "CIBW_TEST_COMMAND": "pytest {project}/tests",
            "CIBW_BEFORE_TEST": "echo test",
            "CIBW_TEST_SOURCES": "tests",
            "CIBW_TEST_REQUIRES": "pytest>=8 numpy",
            "CIBW_TEST_EXTRAS": "test,all",
            "CIBW_TEST_ENVIRONMENT": "PYTHONSAFEPATH=1",
            "CIBW_BUILD_VERBOSITY": "2",
            "CIBW_DEPENDENCY_VERSIONS_LINUX": "latest",
            "CIBW_CONTAINER_ENGINE": "podman; create_args: --privileged",
            "CIBW_MANYLINUX_X86_64_IMAGE": "manylinux_2_34",
            "CIBW_MUSLLINUX_X86_64_IMAGE": "quay.io/pypa/musllinux_1_2_x86_64:latest",
            "CIBW_DEBUG_KEEP_CONTAINER": "0",
            "CIBW_CACHE_PATH": "cibw-cache",
        },
    ),
    Case(
        id="env-other-platform-variables-ignored",
        env={
            "CIBW_ARCHS_MACOS": "x86_64 arm64 universal2",
            "CIBW_ARCHS_WINDOWS": "AMD64 ARM64",
            "CIBW_ARCHS_IOS": "arm64_iphoneos",
            "CIBW_ENVIRONMENT_MACOS": "MACOSX_DEPLOYMENT_TARGET=11.0",
            "CIBW_BEFORE_ALL_WINDOWS": "choco install ninja",
            "CIBW_REPAIR_WHEEL_COMMAND_MACOS": "delocate-wheel -w {dest_dir} {wheel}",
            "CIBW_PYODIDE_VERSION": "0.29.0",
            "CIBW_XBUILD_TOOLS": "cmake",
            "CIBW_TEST_SKIP": "*-macosx_arm64 *-win32",
        },
    ),
    Case(
        id="env-unknown-cibw-variable-ignored",
        env={"CIBW_SOMETHING_NEW": "1", "CIBW_BULID": "cp39-*"},
    ),
    Case(
        id="env-inherit-platform-suffix",
        env={
            "CIBW_BUILD": "cp39-*",
            "CIBW_ARCHS": "i686",
            "CIBW_ARCHS_LINUX": "aarch64",
            "CIBW_INHERIT": "archs-linux: append",
        },
    ),
    Case(
        id="env-inherit-skip-prepend",
        files=pyproject('[tool.cibuildwheel]\nskip = "cp39-*"\n'),
        env={"CIBW_SKIP": "*-musllinux*", "CIBW_INHERIT": "skip: prepend"},
    ),
]

_FLAG_CASES = [
    Case(id="flag-archs-aarch64", args=("--archs", "aarch64")),
    Case(
        id="flag-archs-beats-env-and-file",
        files=pyproject('[tool.cibuildwheel]\narchs = ["i686"]\nbuild = "cp311-*"\n'),
        env={"CIBW_ARCHS_LINUX": "ppc64le"},
        args=("--archs", "s390x"),
    ),
    Case(id="flag-archs-all", args=("--archs", "all"), env={"CIBW_BUILD": "cp314t-*"}),
    Case(id="flag-archs-auto32", args=("--archs", "auto32")),
    Case(id="flag-archs-comma-list", args=("--archs", "x86_64,aarch64,riscv64")),
    Case(id="flag-enable-twice", args=("--enable", "pypy", "--enable", "graalpy")),
    Case(
        id="flag-enable-adds-to-file-and-env",
        files=pyproject('[tool.cibuildwheel]\nenable = ["pypy-eol"]\nbuild = "pp* gp*"\n'),
        env={"CIBW_ENABLE": "graalpy"},
        args=("--enable", "pypy"),
    ),
    Case(id="flag-enable-all", args=("--enable", "all", "--archs", "auto32")),
    Case(id="flag-only-cpython", args=("--only", "cp312-manylinux_x86_64"), platform_flag=False),
    Case(
        id="flag-only-emulated-free-threaded",
        args=("--only", "cp314t-musllinux_riscv64"),
        platform_flag=False,
    ),
    Case(
        id="flag-only-beats-build-skip-archs",
        files=pyproject('[tool.cibuildwheel]\narchs = ["i686"]\nbuild = "cp39-*"\n'),
        env={"CIBW_BUILD": "cp39-*", "CIBW_SKIP": "*"},
        args=("--only", "pp311-manylinux_aarch64"),
        platform_flag=False,
    ),
    Case(
        id="flag-only-enables-graalpy",
        args=("--only", "gp313_253-manylinux_x86_64"),
        platform_flag=False,
    ),
    Case(
        id="flag-package-dir",
        files={
            **pyproject('[tool.cibuildwheel]\nbuild = "cp39-*"\n'),
            "pkg/pyproject.toml": '[tool.cibuildwheel]\nbuild = "cp313-*"\n',
            "pkg/setup.py": SETUP_PY,
        },
        args=("pkg",),
    ),
    Case(
        id="flag-package-dir-requires-python",
        files={
            **pyproject('[project]\nname = "outer"\nrequires-python = ">=3.9"\n'),
            "pkg/setup.py": 'from setuptools import setup\nsetup(python_requires=">=3.14")\n',
        },
        args=("pkg",),
    ),
    Case(
        id="flag-config-file",
        files={
            **pyproject(
                '[project]\nname = "demo"\nrequires-python = ">=3.11"\n\n'
                '[tool.cibuildwheel]\nbuild = "cp39-*"\n'
            ),
            "ci/cibw.toml": '[tool.cibuildwheel]\nskip = "*-musllinux*"\narchs = "auto32"\n',
        },
        args=("--config-file", "ci/cibw.toml"),
    ),
    Case(
        id="flag-config-file-package-placeholder",
        files={
            "pkg/setup.py": SETUP_PY,
            "pkg/cibw.toml": '[tool.cibuildwheel.linux]\nbuild = ["cp310-*", "cp315t-*"]\n',
        },
        args=("pkg", "--config-file", "{package}/cibw.toml"),
    ),
    Case(
        id="sdist-package",
        files={},
        sdist=(
            "demo-0.1.tar.gz",
            {
                "demo-0.1/pyproject.toml": (
                    '[project]\nname = "demo"\nrequires-python = ">=3.12"\n\n'
                    '[tool.cibuildwheel]\nbuild = "*-manylinux_*"\n'
                ),
                "demo-0.1/PKG-INFO": "Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n",
            },
        ),
        args=("demo-0.1.tar.gz",),
    ),
    Case(id="flag-platform-auto", args=("--platform", "auto"), platform_flag=False),
    Case(
        id="flag-platform-beats-env-platform",
        env={"CIBW_PLATFORM": "macos", "CIBW_BUILD": "cp39-*"},
    ),
    Case(
        id="flag-only-ignores-env-archs-and-platform",
        env={"CIBW_PLATFORM": "linux", "CIBW_ARCHS": "aarch64"},
        args=("--only", "cp310-musllinux_x86_64"),
        platform_flag=False,
    ),
    Case(id="flag-archs-auto64-auto32", args=("--archs", "auto64,auto32")),
    Case(
        id="flag-allow-empty-prints-nothing",
        env={"CIBW_SKIP": "*"},
        args=("--allow-empty",),
        empty_ok=True,
    ),
    Case(
        id="flag-package-dir-ignores-outer-pyproject",
        files={
            **pyproject(
                '[project]\nname = "outer"\nrequires-python = ">=3.14"\n\n'
                '[tool.cibuildwheel]\nbuild = "cp39-*"\n'
            ),
            "pkg/setup.py": SETUP_PY,
        },
        args=("pkg",),
    ),
]

IDENTIFIER_CASES: tuple[Case, ...] = (
    *_FILE_CASES,
    *_REQUIRES_PYTHON_CASES,
    *_ENV_CASES,
    *_FLAG_CASES,
)


# --------------------------------------------------------------------------------------------
# Bad inputs cibuildwheel answers cleanly with --print-build-identifiers: compare exit codes.
# --------------------------------------------------------------------------------------------

BAD_INPUT_CASES: tuple[Case, ...] = (
    Case(
        id="unknown-key-in-tool-cibuildwheel",
        files=pyproject('[tool.cibuildwheel]\nbulid = "cp311-*"\n'),
        culprit=("bulid",),
    ),
    Case(
        id="unknown-key-in-linux-table",
        files=pyproject('[tool.cibuildwheel.linux]\narch = ["aarch64"]\n'),
        culprit=("arch",),
    ),
    Case(
        id="global-table-key-unknown-platform",
        files=pyproject('[tool.cibuildwheel.freebsd]\narchs = ["x86_64"]\n'),
        culprit=("freebsd",),
    ),
    Case(
        id="dependency-versions-in-linux-table",
        files=pyproject('[tool.cibuildwheel.linux]\ndependency-versions = "latest"\n'),
        culprit=("dependency-versions",),
    ),
    Case(
        id="unknown-arch-in-pyproject",
        files=pyproject('[tool.cibuildwheel]\narchs = ["sparc64"]\n'),
        culprit=("sparc64",),
    ),
    Case(id="unknown-arch-flag", args=("--archs", "mips"), culprit=("mips",)),
    Case(id="unknown-arch-env-linux", env={"CIBW_ARCHS_LINUX": "x86_65"}, culprit=("x86_65",)),
    Case(
        id="wrong-type-archs-integer",
        files=pyproject("[tool.cibuildwheel]\narchs = 64\n"),
        culprit=("64",),
    ),
    Case(
        id="unknown-enable-group-pyproject",
        files=pyproject('[tool.cibuildwheel]\nenable = ["pypi"]\n'),
        culprit=("pypi",),
    ),
    Case(id="unknown-enable-group-flag", args=("--enable", "graal"), culprit=("graal",)),
    Case(
        id="unknown-enable-group-env",
        env={"CIBW_ENABLE": "pypy cpython-beta"},
        culprit=("cpython-beta",),
    ),
    Case(
        id="wrong-type-enable-boolean",
        files=pyproject("[tool.cibuildwheel]\nenable = true\n"),
        culprit=("enable",),
    ),
    Case(
        id="wrong-type-skip-table",
        files=pyproject('[tool.cibuildwheel]\nskip = { pattern = "cp39-*" }\n'),
        culprit=("skip",),
    ),
    Case(
        id="override-without-select",
        files=pyproject('[[tool.cibuildwheel.overrides]]\nbefore-build = "echo hi"\n'),
        culprit=("select",),
    ),
    Case(
        id="override-select-wrong-type",
        files=pyproject('[[tool.cibuildwheel.overrides]]\nselect = 311\nbefore-build = "x"\n'),
        culprit=("select",),
    ),
    Case(
        id="overrides-not-a-list",
        files=pyproject('[tool.cibuildwheel.overrides]\nselect = "cp311-*"\n'),
        culprit=("overrides",),
    ),
    Case(
        id="override-inherit-bad-rule",
        files=pyproject(
            '[[tool.cibuildwheel.overrides]]\nselect = "cp3*"\nbefore-build = "x"\n'
            'inherit.before-build = "merge"\n'
        ),
        culprit=("merge",),
    ),
    Case(
        id="linux-inherit-unknown-option",
        files=pyproject('[tool.cibuildwheel.linux]\ninherit = { before-bulid = "append" }\n'),
        culprit=("before-bulid",),
    ),
    Case(id="env-inherit-bad-rule", env={"CIBW_INHERIT": "archs: sideways"}, culprit=("sideways",)),
    Case(
        id="only-with-archs",
        args=("--only", "cp311-manylinux_x86_64", "--archs", "x86_64"),
        platform_flag=False,
        culprit=("--archs",),
    ),
    Case(
        id="only-with-platform",
        args=("--only", "cp311-manylinux_x86_64"),
        culprit=("--platform",),
    ),
    Case(
        id="only-unknown-identifier",
        args=("--only", "cp27-manylinux_x86_64"),
        platform_flag=False,
        culprit=("cp27-manylinux_x86_64",),
    ),
    Case(
        id="platform-unknown-flag",
        args=("--platform", "beos"),
        platform_flag=False,
        culprit=("beos",),
    ),
    Case(
        id="platform-unknown-env",
        env={"CIBW_PLATFORM": "plan9"},
        platform_flag=False,
        culprit=("plan9",),
    ),
    Case(
        id="package-dir-missing",
        args=("does-not-exist",),
        culprit=("does-not-exist",),
    ),
    Case(
        id="no-project-files",
        files={"README.md": "nothing to build here\n"},
        culprit=("pyproject.toml",),
    ),
    Case(
        id="unknown-arch-among-valid-env",
        env={"CIBW_ARCHS": "all,sparc"},
        culprit=("sparc",),
    ),
    Case(
        id="override-inherit-wrong-type",
        files=pyproject(
            '[[tool.cibuildwheel.overrides]]\nselect = "cp3*"\nbefore-build = "x"\ninherit = 3\n'
        ),
        culprit=("inherit",),
    ),
    Case(
        id="unknown-key-in-config-file",
        files={"setup.py": SETUP_PY, "ci.toml": '[tool.cibuildwheel]\ntest-skipp = "*"\n'},
        args=("--config-file", "ci.toml"),
        culprit=("test-skipp",),
    ),
)


# --------------------------------------------------------------------------------------------
# Bad per-build options: cibuildwheel rejects them when a run starts (before any engine).
# --------------------------------------------------------------------------------------------

BAD_BUILD_CASES: tuple[Case, ...] = (
    Case(
        id="environment-unparseable",
        files=pyproject("[tool.cibuildwheel]\nenvironment = 'A=\"unterminated'\n"),
        culprit=("environment",),
    ),
    Case(
        id="container-engine-unknown",
        files=pyproject('[tool.cibuildwheel]\ncontainer-engine = "rocket"\n'),
        culprit=("rocket",),
    ),
    Case(
        id="build-frontend-unknown",
        files=pyproject('[tool.cibuildwheel]\nbuild-frontend = "poetry"\n'),
        culprit=("poetry",),
    ),
    Case(
        id="build-frontend-pyodide-on-linux",
        files=pyproject('[tool.cibuildwheel]\nbuild-frontend = "pyodide-build"\n'),
        culprit=("pyodide-build",),
    ),
    Case(
        id="removed-image-manylinux1",
        files=pyproject('[tool.cibuildwheel]\nmanylinux-x86_64-image = "manylinux1"\n'),
        culprit=("manylinux1",),
    ),
    Case(
        id="removed-image-musllinux_1_1-in-override",
        files=pyproject(
            '[[tool.cibuildwheel.overrides]]\nselect = "cp312-*"\n'
            'musllinux-x86_64-image = "musllinux_1_1"\n'
        ),
        culprit=("musllinux_1_1",),
    ),
    Case(
        id="build-selector-matches-no-identifier",
        files=pyproject('[tool.cibuildwheel]\nbuild = "cpython3-*"\n'),
        culprit=("cpython3-*",),
    ),
    Case(
        id="build-selector-python-too-old",
        env={"CIBW_BUILD": "cp38-*"},
        culprit=("cp38-*",),
    ),
    Case(
        id="build-selector-only-other-platforms",
        env={"CIBW_BUILD": "cp311-macosx_*"},
        culprit=("cp311-macosx_*",),
    ),
    Case(
        id="build-selector-needs-enable",
        env={"CIBW_BUILD": "pp311-*"},
        culprit=("pp311-*",),
    ),
    Case(
        id="test-command-python-placeholder",
        files=pyproject('[tool.cibuildwheel]\ntest-command = "{python} -m pytest"\n'),
        culprit=("{python}",),
    ),
    Case(
        id="free-threaded-support-env-removed",
        env={"CIBW_FREE_THREADED_SUPPORT": "1"},
        culprit=("CIBW_FREE_THREADED_SUPPORT",),
    ),
    Case(
        id="build-selector-free-threaded-313",
        env={"CIBW_BUILD": "cp313t-*"},
        culprit=("cp313t-*",),
    ),
    Case(
        id="build-selector-one-word-matches-nothing",
        files=pyproject('[tool.cibuildwheel]\nbuild = ["cp311-*", "cpython3-*"]\n'),
        culprit=("cpython3-*",),
    ),
    Case(
        id="build-selector-one-word-python-too-old",
        env={"CIBW_BUILD": "cp312-* cp38-*"},
        culprit=("cp38-*",),
    ),
    Case(
        id="only-filtered-to-nothing-by-requires-python",
        files=pyproject('[project]\nname = "demo"\nrequires-python = ">=3.12"\n'),
        args=("--only", "cp311-manylinux_x86_64"),
        platform_flag=False,
        culprit=("cp311-manylinux_x86_64",),
    ),
    Case(
        id="build-selector-invalid-despite-allow-empty",
        env={"CIBW_BUILD": "cpython3-*"},
        args=("--allow-empty",),
        culprit=("cpython3-*",),
    ),
    Case(
        id="allow-empty-env-unrecognised-word-is-false",
        env={"CIBW_BUILD": "cp311-*", "CIBW_SKIP": "*", "CIBW_ALLOW_EMPTY": "nope"},
        culprit=("cp311-*",),
    ),
    Case(
        id="nothing-to-build",
        env={"CIBW_BUILD": "cp311-*", "CIBW_PROJECT_REQUIRES_PYTHON": ">=3.12"},
        culprit=("cp311-*",),
    ),
)


# --------------------------------------------------------------------------------------------
# Inputs cibuildwheel crashes on (traceback) or accepts, which the issue requires us to reject.
# Checked against the exit code only; cibuildwheel runs to confirm the case belongs here.
# Cases about per-build options (`full_run`) run like BAD_BUILD_CASES, the others like
# BAD_INPUT_CASES. (A real run of `--platform macos` is never attempted.)
# --------------------------------------------------------------------------------------------

STRICTER_CASES: tuple[Case, ...] = (
    Case(
        id="invalid-toml",
        files=pyproject('[tool.cibuildwheel]\nbuild = "cp311-*\n'),
        culprit=("pyproject.toml", "line 2"),
        expected_exit=2,
    ),
    Case(
        id="tool-cibuildwheel-not-a-table",
        files=pyproject("[tool]\ncibuildwheel = 3\n"),
        culprit=("tool.cibuildwheel",),
        expected_exit=2,
    ),
    Case(
        id="invalid-requires-python-in-project",
        files=pyproject('[project]\nname = "demo"\nrequires-python = "3.8+"\n'),
        culprit=("3.8+",),
        expected_exit=2,
    ),
    Case(
        id="invalid-requires-python-in-env",
        env={"CIBW_PROJECT_REQUIRES_PYTHON": ">=three"},
        culprit=(">=three",),
        expected_exit=2,
    ),
    Case(
        id="build-verbosity-wrong-type",
        files=pyproject('[tool.cibuildwheel]\nbuild-verbosity = "loud"\n'),
        culprit=("build-verbosity", "loud"),
        expected_exit=2,
        full_run=True,
    ),
    Case(
        id="override-sets-global-only-option",
        files=pyproject(
            '[[tool.cibuildwheel.overrides]]\nselect = "cp311-*"\nskip = "*-musllinux*"\n'
        ),
        culprit=("skip",),
        expected_exit=2,
        full_run=True,
    ),
    Case(
        id="override-unknown-key",
        files=pyproject(
            '[[tool.cibuildwheel.overrides]]\nselect = "cp312-*"\nbefore-bulid = "echo"\n'
        ),
        culprit=("before-bulid",),
        expected_exit=2,
    ),
    Case(
        id="environment-arithmetic",
        files=pyproject('[tool.cibuildwheel]\nenvironment = "N=$((1+2))"\n'),
        culprit=("arithmetic",),
        expected_exit=2,
        full_run=True,
    ),
    Case(
        id="environment-default-value-expansion",
        files=pyproject('[tool.cibuildwheel]\nenvironment = "A=${B:-x}"\n'),
        culprit=("${B:-x}",),
        expected_exit=2,
        full_run=True,
    ),
    Case(
        id="config-file-missing",
        args=("--config-file", "missing.toml"),
        culprit=("missing.toml",),
        expected_exit=2,
    ),
    Case(
        id="platform-macos-refused",
        args=("--platform", "macos"),
        platform_flag=False,
        culprit=("macos",),
        expected_exit=2,
    ),
    Case(
        id="platform-windows-refused",
        args=("--platform", "windows"),
        platform_flag=False,
        culprit=("windows",),
        expected_exit=2,
    ),
)


# --------------------------------------------------------------------------------------------
# Real runs that select nothing but are allowed to: both tools stop with exit 0, no engine.
# --------------------------------------------------------------------------------------------

EMPTY_RUN_CASES: tuple[Case, ...] = (
    Case(
        id="run-allow-empty-flag",
        env={"CIBW_BUILD": "cp311-*", "CIBW_PROJECT_REQUIRES_PYTHON": ">=3.12"},
        args=("--allow-empty",),
        empty_ok=True,
    ),
    Case(
        id="run-allow-empty-env",
        files=pyproject('[tool.cibuildwheel]\nskip = "*"\n'),
        env={"CIBW_ALLOW_EMPTY": "1"},
        empty_ok=True,
    ),
    Case(
        id="run-allow-empty-env-yes",
        env={"CIBW_SKIP": "*", "CIBW_ALLOW_EMPTY": "Yes"},
        empty_ok=True,
    ),
)
