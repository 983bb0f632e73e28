"""Whether the project may build a wheel that later Pythons reuse (abi3 or py3-none).

Such a wheel is built once per container group and tested on every later Python of the group
(see pipeline/executor.py), so shards (shards.py) keep a group whole when the project may build
one. The answer has to be known before anything is built, so it is read from the build
configuration at the package's root: any of the words below in one of the files below (case
insensitive) says "may". A wrong "may" only makes shards coarser; a wrong "may not" is caught
when the shares are merged (the same wheel from two shares is refused, naming it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cibuildwheel_like.options.project_files import ProjectFiles

# The files where build backends take the limited API or a custom wheel tag from.
CONFIG_FILES = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "CMakeLists.txt",
    "meson.build",
    "meson.options",
    "meson_options.txt",
    "Cargo.toml",
    "hatch_build.py",
)
# setuptools py_limited_api / Py_LIMITED_API, scikit-build-core wheel.py-api, meson-python
# limited-api, PyO3 / maturin abi3 features, and the ways a wheel is tagged py3-none by hand
# (a bdist_wheel subclass overriding get_tag or root_is_pure, hatchling's infer_tag / tag).
WORDS = re.compile(
    r"py_limited_api|py-limited-api|limited[-_]api|py-api|\babi3|py3-none|root_is_pure|get_tag"
    r"|infer_tag",
    re.IGNORECASE,
)


def reuse_hint(files: ProjectFiles) -> str | None:
    """``"setup.py: py_limited_api"`` (the first file and word found), or None."""
    for name in CONFIG_FILES:
        text = files.text(name)
        found = None if text is None else WORDS.search(text)
        if found is not None:
            return f"{name}: {found.group(0)}"
    return None
