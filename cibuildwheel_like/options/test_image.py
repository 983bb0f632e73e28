"""Which image a fresh test container starts from: ``test-image`` (test-container = fresh).

Empty means the build image. ``debian-SUITE-runtime`` is our runtime image of the build's arch
(``images build --runtime``; the name comes from the image recipe, its one owner); every other
value means what it means in the image options (``debian-SUITE``, a policy name, an image
reference), resolved for the identifier's libc and arch.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.images import recipe
from cibuildwheel_like.options import image_choice

if TYPE_CHECKING:
    from cibuildwheel_like.options.model import PythonConfiguration, TestContainer

_RUNTIME_RE = re.compile(r"debian-(?P<suite>[a-z]+)-runtime")


def resolve_test_image(
    value: str, *, test_container: TestContainer, config: PythonConfiguration, option: str
) -> str:
    """The image reference of ``config``'s fresh test container; "" for the build image."""
    text = value.strip()
    if not text:
        return ""
    if test_container != "fresh":
        raise ConfigurationError(
            f"{option} = {text!r} is only used with test-container = 'fresh', but"
            f" {config.identifier} is tested in its build container (test-container ="
            f" '{test_container}'). Set test-container = 'fresh' where you set test-image, or"
            " remove test-image."
        )
    if (m := _RUNTIME_RE.fullmatch(text)) is None:
        return image_choice.describe_image(text, config=config, option=option).reference
    suites = [s.value for s in recipe.Suite]
    if m["suite"] not in suites:
        close = difflib.get_close_matches(m["suite"], suites, n=1)
        hint = f" Did you mean 'debian-{close[0]}-runtime'?" if close else ""
        names = ", ".join(f"debian-{s}-runtime" for s in suites)
        raise ConfigurationError(
            f"{option} = {text!r}: unknown runtime image.{hint} Runtime images: {names}."
        )
    if config.libc != "manylinux":
        raise ConfigurationError(
            f"{option} = {text!r}: the Debian runtime images use glibc, so they cannot test"
            f" {config.identifier}; use a musl-based image reference"
        )
    return recipe.runtime_image_name(recipe.Suite(m["suite"]), config.arch)
