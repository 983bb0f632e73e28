"""Pure helpers that turn options into command lines: placeholders, frontend flags, wheel tags.

Nothing here touches a container, so all of it is unit-tested directly.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import PurePosixPath

    from cibuildwheel_like.options.model import FrontendConfig, FrontendName


def prepare_command(template: str, **values: str | PurePosixPath) -> str:
    """Replace ``{name}`` placeholders; ``#{name}`` is kept as a literal ``{name}``.

    Unknown ``{...}`` text is left alone (shell brace expansions and f-strings in commands).
    """
    result = template
    for key, value in values.items():
        pattern = re.compile(r"(?<!#)\{" + re.escape(key) + r"\}")
        result = pattern.sub(str(value).replace("\\", "\\\\"), result)
        result = result.replace("#{" + key + "}", "{" + key + "}")
    return result


def verbosity_flags(level: int, frontend: str) -> list[str]:
    """pip takes -v per level; build/uv are already chatty, so level 1 adds nothing."""
    if level < 0:
        return ["-" + "q" * -level]
    if level == 0:
        return []
    if frontend == "pip":
        return ["-" + "v" * level]
    return ["-" + "v" * (level - 1)] if level > 1 else []


def config_settings_flags(
    settings: Iterable[tuple[str, str | None]],
    *,
    frontend: FrontendName,
    project: PurePosixPath,
    package: PurePosixPath,
) -> list[str]:
    """``-Ckey=value`` per setting, placeholders substituted per setting (as cibuildwheel).

    A bare key (value None) is ``-Ckey`` for build, exactly as cibuildwheel passes it (build
    reads it as key=""). pip and uv refuse a -C without "=", so they get ``-Ckey=``: the same
    setting, where cibuildwheel's pip and uv builds stop with a usage error.
    """
    flags: list[str] = []
    for key, value in settings:
        if value is not None:
            setting = f"{key}={value}"
        elif frontend in {"pip", "uv"}:
            setting = f"{key}="
        else:
            setting = key
        flags.append(f"-C{prepare_command(setting, project=project, package=package)}")
    return flags


def config_settings_dict(
    settings: Iterable[tuple[str, str | None]],
    *,
    project: PurePosixPath,
    package: PurePosixPath,
) -> dict[str, str | list[str]]:
    """The settings as pypa/build's API takes them (what its ``-C`` flags become): a bare key
    is "", a repeated key a list of its values in order."""
    found: dict[str, str | list[str]] = {}
    for key, value in settings:
        text = prepare_command(value or "", project=project, package=package)
        earlier = found.get(key)
        if earlier is None:
            found[key] = text
        elif isinstance(earlier, list):
            earlier.append(text)
        else:
            found[key] = [earlier, text]
    return found


def build_argv(
    frontend: FrontendConfig,
    *,
    package: PurePosixPath,
    out_dir: PurePosixPath,
    python: PurePosixPath,
    extra: Sequence[str],
    uv_installer: bool = False,
) -> list[str]:
    """The command that builds one wheel of ``package`` into ``out_dir``; ``uv_installer``: the
    `build` frontend's isolated environment made by uv (build-installer), as `build[uv]`."""
    flags = [*extra, *frontend.args]
    match frontend.name:
        case "pip":
            return [
                "python",
                "-m",
                "pip",
                "wheel",
                str(package),
                f"--wheel-dir={out_dir}",
                "--no-deps",
                *flags,
            ]
        case "build" | "build[uv]":
            installer = []
            uv_env = uv_installer or frontend.name == "build[uv]"
            if uv_env and not {"-n", "--no-isolation"} & set(flags):
                installer = ["--installer=uv"]
            return [
                "python",
                "-m",
                "build",
                str(package),
                "--wheel",
                f"--outdir={out_dir}",
                *installer,
                *flags,
            ]
        case "uv":
            return [
                "uv",
                "build",
                f"--python={python}",
                str(package),
                "--wheel",
                f"--out-dir={out_dir}",
                *flags,
            ]
        case _:  # pragma: no cover  # exhaustive over FrontendName
            raise ConfigurationError(f"build-frontend: unknown frontend {frontend.name!r}")


Installer = Literal["pip", "uv"]  # what installs into a test environment


def uv_venv_argv(
    uv: str | PurePosixPath, *, venv: PurePosixPath, python: PurePosixPath, seed: bool
) -> list[str]:
    """A fresh venv made by uv for the identifier's own interpreter. ``seed`` puts pip (and
    setuptools/wheel before Python 3.12) in it, as `python -m venv` does, so `pip` in
    before-test and test-command still means this environment's pip."""
    return [str(uv), "venv", str(venv), "--python", str(python), *(["--seed"] if seed else [])]


def venv_install_argv(
    tool: Installer,
    *requirements: str,
    uv: str | PurePosixPath = "uv",
    venv: PurePosixPath,
) -> list[str]:
    """An install into the test venv: `uv pip install --python VENV/bin/python`, or the venv's
    own pip (its python is first on PATH)."""
    if tool == "uv":
        python = venv / "bin" / "python"
        return [str(uv), "pip", "install", "--python", str(python), *requirements]
    return ["python", "-m", "pip", "install", *requirements]


# pip: "Downloading NAME.whl (12 kB)" (or its URL) per archive fetched from an index; "Using
# cached" for its HTTP cache; "NAME.whl.metadata" lines are metadata-only fetches (PEP 658).
# uv's "Downloading numpy (15.3MiB)" progress lines name no archive, so they never match.
_PIP_DOWNLOAD = re.compile(
    r"^\s*Downloading \S+\.(?:whl|tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)(?:\s|$)", re.MULTILINE
)
# uv: "Prepared 5 packages in 192ms" counts distributions not in its cache (downloaded, or
# built from a downloaded sdist); nothing is printed when every one came from the cache.
_UV_PREPARED = re.compile(r"^\s*Prepared (\d+) packages? in ", re.MULTILINE)
# a package uv installed from a local file (the wheel under test): prepared, never fetched
_UV_LOCAL = re.compile(r"^\s*\+ \S+ \(from file://", re.MULTILINE)


def count_downloads(output: str) -> int:
    """Packages fetched from an index, not from the cache, by one pip or uv install's output.
    uv's "Prepared" count includes the local wheels it unpacked; those are not fetched. (A
    local wheel uv had unpacked before is not prepared again, so a count can be one low when an
    abi3 wheel is tested again with new downloads: a figure for the report, not a check.)"""
    pip = len(_PIP_DOWNLOAD.findall(output))
    prepared = sum(int(m.group(1)) for m in _UV_PREPARED.finditer(output))
    uv = max(0, prepared - len(_UV_LOCAL.findall(output))) if prepared else 0
    return pip + uv


def is_pure_wheel(name: str) -> bool:
    return name.endswith("-none-any.whl")


def _interpreter_minor(tag_interpreter: str) -> int | None:
    digits = tag_interpreter[3:]
    return int(digits) if digits.isdigit() else None


def compatible_wheel(names: Iterable[str], identifier: str) -> str | None:
    """A wheel built earlier in the group (abi3 or py3-none) that ``identifier`` can reuse."""
    build_tag, platform = identifier.split("-", 1)
    interpreter = build_tag.split("_")[0]
    free_threaded = interpreter.endswith("t")
    interpreter = interpreter.removesuffix("t")
    os_part, arch = platform.split("_", 1)
    minor = _interpreter_minor(interpreter) or 0
    for name in names:
        try:
            tags = parse_wheel_filename(name)[3]
        except InvalidWheelFilename:
            continue
        for tag in tags:
            if tag.abi == "abi3" and not free_threaded:
                if not (interpreter.startswith("cp3") and tag.interpreter.startswith("cp3")):
                    continue
            elif tag.abi == "none":
                if not tag.interpreter.startswith("py3"):
                    continue
            else:
                continue
            wanted = _interpreter_minor(tag.interpreter)
            if wanted is not None and wanted > minor:
                continue
            if tag.platform.startswith(os_part) and tag.platform.endswith(f"_{arch}"):
                return name
    return None


# A venv for tests (and for uv, see uv_tools): a stdlib venv seeded with a copy of this Python's
# own pip (as virtualenv seeds from its embedded wheels): ensurepip runs a pip install, which
# takes ~45 s under QEMU, the copy ~1 s. If the copy is not possible (no pip next to this
# Python), fall back to plain `venv`. Argument: the venv's path; `python` on PATH makes it.
MAKE_VENV = r"""
venv="$1"
seed() {
    python -m venv --without-pip "$venv" || return 1
    src=$(python -c 'import os, pip; print(os.path.dirname(os.path.dirname(pip.__file__)))') \
        || return 1
    dst=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
        || return 1
    cp -R "$src/pip" "$src"/pip-*.dist-info "$dst/" || return 1
    printf '#!%s\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n' \
        "$venv/bin/python" > "$venv/bin/pip" && chmod +x "$venv/bin/pip" \
        && ln -s pip "$venv/bin/pip3" && "$venv/bin/python" -m pip --version
}
seed || { rm -rf "$venv" && python -m venv "$venv"; }
"""

SO_HINT = (
    # The first sentence is cibuildwheel's wording, kept so a search of the log finds it.
    "NOTE: Shared object (.so) files found in this project: {files}\n"
    "They may have been built for the host and confuse the build or auditwheel. Build from a"
    " clean checkout, or delete in-place build products (*.so, *.o, build/, Cython's *.c)."
)


def stale_so_hint(package_dir: Path, *, limit: int = 5) -> str:
    # os.walk skips a folder that vanishes while it is read (another lane's delivery folder in a
    # wheelhouse inside the project); rglob raised there and masked the failure being explained.
    skipped = {".venv", "venv", ".tox", ".nox"}
    found: list[Path] = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = [d for d in dirs if d not in skipped]
        found.extend(Path(root, f) for f in files if f.endswith(".so"))
    found.sort()
    if not found:
        return ""
    shown = ", ".join(str(p.relative_to(package_dir)) for p in found[:limit])
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return SO_HINT.format(files=shown + more)


def shell(command: str) -> list[str]:
    """User commands run through the container's POSIX shell, as cibuildwheel does."""
    return ["sh", "-c", command]


def display(argv: Sequence[str]) -> str:
    if len(argv) == 3 and argv[:2] == ["sh", "-c"]:  # noqa: PLR2004
        return argv[2]
    return shlex.join(argv)
