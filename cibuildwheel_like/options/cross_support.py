"""Which builds can be cross-compiled (``emulation = cross | auto``): pure rules, no engine.

A build for an arch this machine runs only under QEMU is cross-compiled when its option says
``cross`` or ``auto`` and no rule stands against it: the arch must have a cross toolchain in
our images, the image must be one of ours (Debian, multiarch), the interpreter CPython, and the
project must not compile and run programs for the target during its build. ``decide`` answers
per build, with the reasons; the plan carries the answers (``Plan.cross``) to the executor, the
report and the views.

What the project's own files say (``project_blockers``) is read once per run by the resolver
(``GlobalOptions.cross_blockers``), so ``decide`` stays pure. Those texts may hold the marks
``{host}`` and ``{arch}``, which ``decide`` fills in for each build.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.images import recipe

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from cibuildwheel_like.options.model import BuildOptions, Emulation
    from cibuildwheel_like.options.project_files import ProjectFiles

BuildMode = Literal["native", "emulate", "cross"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CrossDecision:
    """How one build is made, and why."""

    setting: Emulation  # the emulation option's value for this build
    mode: BuildMode  # native: its arch runs here; emulate: under QEMU; cross: cross-compiled
    # why it is not cross-compiled although the setting asked for it (cross or auto)
    reasons: tuple[str, ...] = ()
    # cross-compiled, but something may not be ready for it (before-build under `cross`)
    warnings: tuple[str, ...] = ()
    build_image: str | None = None  # mode cross: the image it is compiled in (the cross image)


# -- per build --------------------------------------------------------------------------------

HOST_MARK = "{host}"
ARCH_MARK = "{arch}"
_IMPLEMENTATIONS = {"pp": "PyPy", "gp": "GraalPy"}


def decide(build: BuildOptions, *, blockers: Sequence[str], host: Arch) -> CrossDecision:
    """How ``build`` is made on a ``host`` machine, given the project's ``blockers``
    (``project_blockers``). Rules 1-6 and the project's blockers make an ``auto`` build emulated
    (and are an error for ``cross``, see cli/selection.py); before-build and commands in
    ``environment`` do too under ``auto``, and are warnings under ``cross``."""
    setting = build.emulation
    arch = build.arch
    if arch.runs_natively_on(host):
        return CrossDecision(setting=setting, mode="native")
    if setting == "emulate":
        return CrossDecision(setting=setting, mode="emulate")
    suite, reasons = _static_reasons(build, host=host)
    reasons += [_fill(text, host=host, arch=arch) for text in blockers]
    soft = _soft_reasons(build, host=host)
    if setting == "auto":
        reasons += soft
    if reasons or suite is None:
        return CrossDecision(setting=setting, mode="emulate", reasons=tuple(reasons))
    return CrossDecision(
        setting=setting,
        mode="cross",
        warnings=tuple(soft) if setting == "cross" else (),
        build_image=recipe.cross_image_name(suite, host),
    )


def _static_reasons(build: BuildOptions, *, host: Arch) -> tuple[recipe.Suite | None, list[str]]:
    """Rules 1-6 (the options and images), and the suite of the build's image when it is ours."""
    arch = build.arch
    reasons: list[str] = []
    if host not in recipe.CROSS_HOSTS:
        hosts = ", ".join(h.value for h in recipe.CROSS_HOSTS)
        reasons.append(
            f"this machine is {host.value}: cross toolchains are set up for {hosts} build"
            " machines only"
        )
    if arch not in recipe.CROSS_TARGETS:
        targets = ", ".join(t.value for t in recipe.CROSS_TARGETS)
        reasons.append(f"no cross toolchain for {arch.value} in our images (only {targets})")
    parsed = recipe.parse_image_name(build.image)
    if build.config.libc == "musllinux":
        reasons.append("musllinux: cross builds need our Debian images (glibc)")
        parsed = None
    elif parsed is None:
        reasons.append(
            f"image {build.image} is not one of ours: cross builds need our Debian images"
            f" ({recipe.IMAGE_NAME_PATTERN}), whose multiarch layout keeps each arch's"
            " pyconfig.h apart"
        )
    implementation = build.config.implementation
    if implementation != "cp":
        name = _IMPLEMENTATIONS.get(implementation, implementation)
        reasons.append(f"{name}: only CPython is cross-compiled")
    if build.before_all.strip():
        reasons.append(
            "before-all is set (it prepares the emulated target container, e.g. its system"
            " libraries; the cross build runs in another container and cannot use them)"
        )
    if build.build_frontend.args:
        args = " ".join(build.build_frontend.args)
        reasons.append(
            f"build-frontend has args ({args}): they cannot be passed to the cross build driver"
        )
    return (None if parsed is None else parsed[0]), reasons


def _soft_reasons(build: BuildOptions, *, host: Arch) -> list[str]:
    """S1 and S2: what may run target programs on the build machine. A reason to emulate under
    ``auto``; under ``cross`` the same texts are warnings."""
    arch = build.arch.value
    found: list[str] = []
    if build.before_build.strip():
        found.append(
            f"before-build is set (under cross it runs on the build machine, {host.value},"
            f" with the cross toolchain: a program it compiles for {arch} does not run there)"
        )
    commands = [
        a.name
        for a in build.environment.assignments
        if not a.literal and ("$(" in a.value or "`" in a.value)
    ]
    if commands:
        names = ", ".join(commands)
        found.append(
            f"environment runs commands ({names}): under cross they run on the build machine,"
            f" {host.value}, not in the {arch} container"
        )
    return found


def _fill(text: str, *, host: Arch, arch: Arch) -> str:
    """A project blocker's text for one build (``replace``: file names may hold braces)."""
    article = "a" if arch in {Arch.ppc64le, Arch.riscv64} else "an"
    return text.replace(HOST_MARK, host.value).replace(ARCH_MARK, f"{article} {arch.value}")


# -- per project --------------------------------------------------------------------------------

# Rule 7: the backends the cross build driver is known to work with ("" = none: setup.py).
CROSS_BACKENDS = frozenset(
    {"", "setuptools.build_meta", "setuptools.build_meta:__legacy__", "scikit_build_core.build"}
)
RUST_REQUIREMENTS = frozenset({"maturin", "setuptools-rust"})
MAX_FILES = 50  # files read for rules 9-11, at most
MAX_BYTES = 1024 * 1024  # bytes read for rules 9-11, in all

_RUNS = (
    "the build may compile a program and run it; on the build machine, {host}, {arch} program"
    " does not run"
)
_LOADS = (
    "stub generation imports the module just built; on the build machine, {host}, {arch}"
    " module does not load"
)
_RUST = (
    "a Rust extension: use maturin's own cross-compilation (maturin build --zig) or native"
    " runners; the cross toolchain here is for C, C++ and Fortran"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Rule:
    """Words that, found in a file of ``kind``, stand against a cross build; with ``also``
    only when some file of that kind also has one of those words (a program built, and a step
    that may run it)."""

    kind: Literal["python", "cmake", "meson"]
    words: re.Pattern[str]
    why: str
    also: re.Pattern[str] | None = None


_RULES = (
    # rule 9
    _Rule(
        kind="python",
        words=re.compile(r"\b(link_executable|try_run|numpy\.distutils)\b"),
        why=_RUNS,
    ),
    _Rule(kind="python", words=re.compile(r"\b(setuptools_rust)\b"), why=_RUST),
    # rule 10
    _Rule(
        kind="cmake",
        words=re.compile(
            r"\b(try_run|check_(?:c_|cxx_|fortran_|objc_|objcxx_)?source_runs)\s*\(", re.IGNORECASE
        ),
        why=_RUNS,
    ),
    _Rule(
        kind="cmake",
        words=re.compile(r"\b(add_executable)\s*\(", re.IGNORECASE),
        why=_RUNS,
        also=re.compile(r"\b(add_custom_command|add_custom_target)\s*\(", re.IGNORECASE),
    ),
    _Rule(
        kind="cmake",
        words=re.compile(r"\b(nanobind_add_stub)\s*\(|\b(pybind11[-_]stubgen)\b", re.IGNORECASE),
        why=_LOADS,
    ),
    # rule 11
    _Rule(kind="meson", words=re.compile(r"(\.run)\s*\("), why=_RUNS),
    _Rule(
        kind="meson",
        words=re.compile(r"\b(executable)\s*\("),
        why=_RUNS,
        also=re.compile(r"\b(custom_target|generator)\s*\("),
    ),
)


def project_blockers(files: ProjectFiles) -> tuple[str, ...]:
    """What in the project's top-level build files stands against cross-compiling it (rules
    7-11), each text naming the file, what was found and why it matters; () when nothing does.

    Reads ``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``CMakeLists.txt``, ``meson.build``
    and ``cmake/*.cmake`` (at most ``MAX_FILES`` files and ``MAX_BYTES`` in all), and looks for
    ``Cargo.toml``. Heuristic: a project these rules miss fails its cross build, and ``auto``
    then builds it under emulation.
    """
    found = _backend_blockers(files.pyproject)
    if (files.package_dir / "Cargo.toml").is_file():
        found.append(f"Cargo.toml: {_RUST}")
    texts = _read_files(files)
    for rule in _RULES:
        of_kind = {name: text for name, text in texts.items() if _kind(name) == rule.kind}
        partners: list[str] = []
        if rule.also is not None:
            partners = _words(rule.also, of_kind.values())
            if not partners:
                continue
        for name, text in of_kind.items():
            words = _words(rule.words, [text])
            if words:
                what = ", ".join(words) + (f" with {', '.join(partners)}" if partners else "")
                found.append(f"{name}: {what} ({rule.why})")
    return tuple(dict.fromkeys(found))


def _backend_blockers(document: Mapping[str, Any] | None) -> list[str]:
    """Rules 7 and 8 (Rust requirements), from ``[build-system]``."""
    if document is None:
        return []
    system = document.get("build-system")
    system = system if isinstance(system, dict) else {}
    backend = system.get("build-backend", "")
    backend = backend.strip() if isinstance(backend, str) else repr(backend)
    found: list[str] = []
    if backend == "mesonpy":
        found.append(
            "pyproject.toml: build-backend = 'mesonpy' (meson-python is not yet"
            " cross-compiled: emulated)"
        )
    elif backend not in CROSS_BACKENDS:
        found.append(
            f"pyproject.toml: build-backend = {backend!r} (this build backend is not known to"
            " cross-compile; setuptools and scikit-build-core are)"
        )
    rust = sorted(RUST_REQUIREMENTS & _requirement_names(system.get("requires", [])))
    if rust:
        found.append(f"pyproject.toml: build-system requires {', '.join(rust)} ({_RUST})")
    return found


def _requirement_names(requires: Any) -> set[str]:
    names: set[str] = set()
    for item in requires if isinstance(requires, list) else []:
        if not isinstance(item, str):
            continue
        try:
            names.add(canonicalize_name(Requirement(item).name))
        except InvalidRequirement:
            continue
    return names


def _read_files(files: ProjectFiles) -> dict[str, str]:
    """The files rules 9-11 read, by their name relative to the package, within the caps."""
    names = ["setup.py", "setup.cfg", "CMakeLists.txt", "meson.build"]
    cmake_dir = files.package_dir / "cmake"
    if cmake_dir.is_dir():
        names += sorted(f"cmake/{p.name}" for p in cmake_dir.glob("*.cmake") if p.is_file())
    texts: dict[str, str] = {}
    budget = MAX_BYTES
    for name in names[:MAX_FILES]:
        if budget <= 0:
            break
        data = files.data(name)
        if data is None:
            continue
        data = data[:budget]
        budget -= len(data)
        texts[name] = data.decode("utf-8", errors="replace")
    return texts


def _kind(name: str) -> str:
    if name in {"setup.py", "setup.cfg"}:
        return "python"
    if name == "meson.build":
        return "meson"
    return "cmake"


def _words(pattern: re.Pattern[str], texts: Iterable[str]) -> list[str]:
    """The distinct words ``pattern`` finds outside comment lines, in order of appearance."""
    words: dict[str, None] = {}
    for text in texts:
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            for match in pattern.finditer(line):
                word = next(g for g in match.groups() if g)
                words.setdefault(word, None)
    return list(words)
