"""Stage "repair": repair-wheel-command (default auditwheel), exactly one wheel, or exit 8;
then the wheel's tags are checked (``installable``: linux_* tags, require-installable-by).

Only a regular ``*.whl`` file directly in {dest_dir} counts; whatever else the command left
there (links, devices, directories, junk) is named in a warning and never delivered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cibuildwheel_like.errors import AlreadyBuiltWheelError, RepairProducedNoWheelError
from cibuildwheel_like.pipeline.argv import prepare_command, shell, stale_so_hint
from cibuildwheel_like.pipeline.deliver import check_wheel_name
from cibuildwheel_like.pipeline.installable import check_installable
from cibuildwheel_like.pipeline.repair_output import list_entries, split_entries

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.pipeline.state import BuildRun


def repair_wheel(build: BuildRun, built: PurePosixPath) -> PurePosixPath:
    """Repair ``built`` and move the result to the group's wheel store; return its path."""
    options = build.options
    run = build.run
    paths = run.paths
    with build.step("repair"):  # into paths.repaired, which the build step emptied
        if options.repair_wheel_command.strip():
            command = prepare_command(
                options.repair_wheel_command,
                wheel=built,
                dest_dir=paths.repaired,
                project=paths.project,
                package=paths.package,
            )
            build.call(shell(command), hint=lambda: stale_so_hint(run.globals.package_dir))
        else:
            build.capture(["mv", "--", str(built), str(paths.repaired)])
        wheels, refused = split_entries(list_entries(build, paths.repaired))
        refusals = ", ".join(e.refusal() for e in refused)
        if len(wheels) != 1:
            found = ", ".join(w.name for w in wheels) or "none"
            also = f" (refused, not regular .whl files: {refusals})" if refused else ""
            raise RepairProducedNoWheelError(
                f"{build.identifier}: repair-wheel-command should leave exactly one wheel in"
                f" {{dest_dir}} ({paths.repaired}); found {found}{also}.\n"
                f"  command: {options.repair_wheel_command or '(none: the wheel is moved)'}\n"
                "Make the command write its one output wheel to {dest_dir}."
            )
        if refused:
            run.ctx.output.warning(
                f"{build.identifier}: repair-wheel-command left {len(refused)} other"
                f" entr{'y' if len(refused) == 1 else 'ies'} in {{dest_dir}}; only"
                f" {wheels[0].name} is delivered. Refused: {refusals}"
            )
        check_wheel_name(wheels[0].name)
        repaired = paths.repaired / wheels[0].name
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
