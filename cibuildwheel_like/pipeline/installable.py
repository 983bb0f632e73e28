"""The repaired wheel's tags against what its users can install (part of the repair step).

Pure logic on the file name (``report.installability``): a ``linux_*`` tag is a failed build
unless ``allow-linux-tag`` (cibuildwheel delivers such a wheel when ``repair-wheel-command`` is
empty; we do not do it silently), and with ``require-installable-by`` a wheel that only a newer
pip installs is a failed build naming the tag. Both exit 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import UninstallableWheelError
from cibuildwheel_like.report.installability import Installability, check_wheel

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.options.wheel_checks import InstallerRequirement
    from cibuildwheel_like.pipeline.state import BuildRun


def check_installable(build: BuildRun, wheel: PurePosixPath) -> Installability:
    """Inside the repair step (its result is what is checked): UninstallableWheelError for a
    ``linux_*`` tag (unless allow-linux-tag) or a tag too new for require-installable-by."""
    options = build.options
    checked = check_wheel(wheel.name)
    build.run.ctx.output.info(f"{build.identifier}: {wheel.name} installs with {checked.summary}")
    if checked.linux_tags and not options.allow_linux_tag:
        raise UninstallableWheelError(
            linux_tag_message(build.identifier, checked, options.repair_wheel_command)
        )
    requirement = options.require_installable_by
    if requirement is not None:
        problem = too_new_for(checked, requirement)
        if problem:
            raise UninstallableWheelError(f"{build.identifier}: step 'repair': {problem}")
    return checked


def linux_tag_message(identifier: str, checked: Installability, repair_command: str) -> str:
    tags = ", ".join(checked.linux_tags)
    why = (
        "repair-wheel-command is empty, so the wheel was not repaired"
        if not repair_command.strip()
        else f"repair-wheel-command ({repair_command!r}) left it with that tag"
    )
    return (
        f"{identifier}: step 'repair': {checked.wheel} is tagged {tags}: {why}. A linux_*"
        " wheel promises nothing about the system it runs on, and PyPI refuses it. Repair it"
        " (the default repair-wheel-command, auditwheel repair, retags it manylinux), or set"
        " allow-linux-tag"
        " = true in [tool.cibuildwheel-like] (CIBWL_ALLOW_LINUX_TAG=1) to deliver it anyway;"
        " unlike cibuildwheel, which delivers it silently when repair-wheel-command is empty."
    )


def too_new_for(checked: Installability, requirement: InstallerRequirement) -> str:
    """Why ``requirement``'s oldest pip cannot install the wheel; "" when it can."""
    oldest = checked.oldest_pip
    deciding = checked.deciding_tag
    if oldest is None or deciding is None or deciding.family is None:
        tags = ", ".join(t.platform for t in checked.tags) or "none"
        return (
            f"require-installable-by = {requirement.text!r}: no pip is known to install"
            f" {checked.wheel} (platform tags: {tags})"
        )
    if oldest <= requirement.lowest:
        return ""
    return (
        f"require-installable-by = {requirement.text!r}: {checked.wheel} has platform tag"
        f" {deciding.platform} ({deciding.family.standard}), which pip {oldest} or newer"
        f" installs; pip {requirement.lowest} does not recognise it and would build the sdist"
        " instead. Build in an image whose tag older pips know (e.g. manylinux2014, tagged"
        " manylinux2014 as well), or raise require-installable-by to"
        f' "pip>={oldest}".'
    )
