"""uv for the uv frontends (build-frontend = "uv" or "build[uv]"), as cibuildwheel uses it.

cibuildwheel runs uv from the image's PATH (manylinux and musllinux images ship it) and stops
when there is none. Our Debian images have no uv, so when an identifier's frontend needs uv and
`uv` is not on its PATH, uv is installed from PyPI once per container: the group's first Python
makes a small tools venv under the container's work directory, its pip (with the image's CA and
pip settings, and the identifier's `environment`, e.g. PIP_INDEX_URL) installs uv, and a
directory holding only links to `uv`/`uvx` is appended to PATH for the build and test steps.
An image (or a before-all) that provides uv is used as is.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from cibuildwheel_like.pipeline.argv import MAKE_VENV

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import FrontendConfig
    from cibuildwheel_like.pipeline.state import BuildRun

UV_FRONTENDS = frozenset({"uv", "build[uv]"})
UV_REQUIREMENT = "uv"

INSTALL_HINT = (
    "installing uv from PyPI failed. The container needs access to a package index: set"
    " PIP_INDEX_URL (and PIP_CERT for a private CA) in `environment`, use an image that has"
    " `uv` on PATH (the manylinux and musllinux images do), or choose build-frontend = 'build'."
)

# Links only uv and uvx, so the tools venv's python and pip never shadow the build's.
_LINK = (
    'mkdir -p "$2" && ln -sf "$1/uv" "$2/uv" && { [ ! -e "$1/uvx" ] || ln -sf "$1/uvx" "$2/uvx"; }'
)


def uses_uv(frontend: FrontendConfig) -> bool:
    """Both uv frontends need `uv` on PATH (uv build; build --installer=uv), as in cibuildwheel."""
    return frontend.name in UV_FRONTENDS


def install_argv(frontend: FrontendConfig, *requirements: str) -> list[str]:
    """How the test steps install into the test venv: `uv pip` with a uv frontend, like
    cibuildwheel, otherwise the venv's own pip."""
    if uses_uv(frontend):
        return ["uv", "pip", "install", *requirements]
    return ["python", "-m", "pip", "install", *requirements]


def with_path_entry(path: str, directory: PurePosixPath) -> str:
    """``directory`` appended to a PATH value, so every entry already there keeps precedence."""
    entries = [e for e in path.split(":") if e]
    if str(directory) in entries:
        return path
    return ":".join([*entries, str(directory)])


def ensure_uv(build: BuildRun) -> PurePosixPath:
    """The directory to add to PATH for `uv`; installs uv on the first call in a container."""
    run = build.run
    tools = run.paths.tools
    link_dir = tools / "bin"
    if run.uv_installed:
        return link_dir
    venv = tools / "venv"
    first_python_bin = PurePosixPath(run.group.builds[0].config.path) / "bin"
    env = dict(build.env)
    env["PATH"] = f"{first_python_bin}:{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)
    shown = f"{first_python_bin / 'python'} -m venv {venv} (a tools environment for uv)"
    build.call(["sh", "-c", MAKE_VENV, "sh", str(venv)], env=env, shown=shown, hint=INSTALL_HINT)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", UV_REQUIREMENT]
    build.call(pip, env=env, hint=INSTALL_HINT)
    build.capture(
        ["sh", "-c", _LINK, "sh", str(venv / "bin"), str(link_dir)], env=env, cwd=PurePosixPath("/")
    )
    version = " ".join(build.capture([str(link_dir / "uv"), "--version"], env=env).split()[:2])
    run.uv_installed = True
    run.ctx.output.info(
        f"{build.identifier}: the image has no `uv` on PATH; installed {version or 'uv'} from"
        f" PyPI into {tools} (once for this container) and put {link_dir} on PATH for the"
        " build and test steps"
    )
    return link_dir
