"""cibuildwheel-like's cross build driver, run in the cross image by the build's own Python.

Written into the build container and run as ``python cross_build.py REQUEST.json``; the request
names the source, the output folder, the installer (pip or uv), the config settings and the
hook environment. pypa/build makes the isolated build environment and installs the build
requirements for this machine (they run here); only the PEP 517 hook processes (the backend
and every compiler or CMake run it starts) see the hook environment: the target's sysconfig
data and platform, and the cross toolchain. Setting those for the whole build would make pip
and uv install requirements for the target, which cannot run here.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from build import ProjectBuilder
from build.env import DefaultIsolatedEnv
from pyproject_hooks import default_subprocess_runner

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def main() -> None:
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    hooks = request["hooks"]

    def runner(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        environ = {**(extra_environ or {}), **hooks}
        python_path = os.environ.get("PYTHONPATH")
        if python_path and "PYTHONPATH" in hooks:
            environ["PYTHONPATH"] = f"{hooks['PYTHONPATH']}:{python_path}"
        default_subprocess_runner(cmd, cwd, environ)

    settings = request["config_settings"] or None
    with DefaultIsolatedEnv(installer=request["installer"]) as env:
        builder = ProjectBuilder.from_isolated_env(env, request["source"], runner=runner)
        env.install(builder.build_system_requires)
        env.install(builder.get_requires_for_build("wheel", settings))
        wheel = builder.build("wheel", request["outdir"], settings)
    print(f"cross build: {Path(wheel).name}")


if __name__ == "__main__":
    main()
