"""Stage "repair": repair-wheel-command (default auditwheel), exactly one wheel, or exit 8;
then the wheel's tags are checked (``installable``: linux_* tags, require-installable-by)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import AlreadyBuiltWheelError, RepairProducedNoWheelError
from cibuildwheel_like.pipeline.argv import prepare_command, shell, stale_so_hint
from cibuildwheel_like.pipeline.build import fresh_dir, list_wheels
from cibuildwheel_like.pipeline.installable import check_installable

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.pipeline.state import BuildRun


def repair_wheel(build: BuildRun, built: PurePosixPath) -> PurePosixPath:
    """Repair ``built`` and move the result to the group's wheel store; return its path."""
    options = build.options
    run = build.run
    paths = run.paths
    with build.step("repair"):
        fresh_dir(build, paths.repaired)
        if options.repair_wheel_command.strip():
            command = prepare_command(
                options.repair_wheel_command,
                wheel=built,
                dest_dir=paths.repaired,
                project=paths.project,
                package=paths.package,
            )
            build.call(shell(command), hint=stale_so_hint(run.globals.package_dir))
        else:
            build.capture(["mv", "--", str(built), str(paths.repaired)])
        wheels = list_wheels(build, paths.repaired)
        if len(wheels) != 1:
            found = ", ".join(w.name for w in wheels) or "none"
            raise RepairProducedNoWheelError(
                f"{build.identifier}: repair-wheel-command should leave exactly one wheel in"
                f" {{dest_dir}} ({paths.repaired}); found {found}.\n"
                f"  command: {options.repair_wheel_command or '(none: the wheel is moved)'}\n"
                "Make the command write its one output wheel to {dest_dir}."
            )
        repaired = wheels[0]
        first = run.built_wheels.get(repaired.name)
        if first is not None:
            raise AlreadyBuiltWheelError(repaired.name, first=first, again=build.identifier)
        check_installable(build, repaired)  # linux_* tags, require-installable-by
        stored = paths.wheels / repaired.name
        build.capture(
            [
                "sh",
                "-c",
                'mkdir -p -- "$2" && mv -- "$1" "$2"/',
                "sh",
                str(repaired),
                str(paths.wheels),
            ]
        )
        run.built_wheels[repaired.name] = build.identifier
        return stored
