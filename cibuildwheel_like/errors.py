"""The one error family. Each class carries the exit code cibuildwheel uses for the same case.

Every error is raised with a message a user can act on (the option or file, the bad value and
the fix) and caught once, in ``cli.main``.
"""

from __future__ import annotations


class FatalError(Exception):
    """Stops the run. ``exit_code`` follows cibuildwheel's numbering."""

    exit_code = 1


class ConfigurationError(FatalError):
    exit_code = 2


class NothingToDoError(FatalError):
    exit_code = 3


class DeprecationError(FatalError):
    """A removed name or feature (e.g. the manylinux1 image): exit 4 with the replacement."""

    exit_code = 4


class NonPlatformWheelError(FatalError):
    exit_code = 5

    def __init__(self, identifier: str, wheel: str) -> None:
        # The first sentence is cibuildwheel's, word for word: logs and tests search for it.
        super().__init__(
            f"Build failed because a pure Python wheel was generated: {identifier} built"
            f" {wheel}.\n"
            "A pure-Python wheel needs no cibuildwheel-like: use `python -m build --wheel`."
            " If you expected compiled code, check the build backend's configuration and rerun"
            " with CIBW_BUILD_VERBOSITY=1 to see the build log."
        )


class AlreadyBuiltWheelError(FatalError):
    exit_code = 6

    def __init__(self, wheel: str, *, first: str = "", again: str = "") -> None:
        """``first``/``again``: the identifiers that built ``wheel`` (when known)."""
        who = ""
        if first and again:
            who = f" (by {first}, and again by {again})"
        # The first sentence is cibuildwheel's, word for word: logs and tests search for it.
        super().__init__(
            f"Build failed because a wheel named {wheel} was already generated in the current"
            f" run{who}; two identifiers built the same wheel. Narrow `build`/`skip` so each"
            " wheel is built once, or make repair-wheel-command give each platform its own tag."
        )


class EngineTooOldError(FatalError):
    exit_code = 7


class RepairProducedNoWheelError(FatalError):
    exit_code = 8


class AuditFailedError(FatalError):
    """An ``audit-command`` failed on a repaired wheel (cibuildwheel 4.3.5's exit code 9)."""

    exit_code = 9


class NoWheelBuiltError(FatalError):
    exit_code = 10


class UninstallableWheelError(FatalError):
    """A repaired wheel that no supported installer takes (require-installable-by) or that
    carries a ``linux_*`` tag (allow-linux-tag): a failed build naming the wheel and its tag."""

    exit_code = 1


class BuildStepError(FatalError):
    """A user command or build step failed inside the container: exit 1, naming where."""

    exit_code = 1

    def __init__(
        self, *, identifier: str, step: str, command: str, returncode: int, hint: str = ""
    ) -> None:
        message = (
            f"{identifier}: step '{step}' failed: command `{command}` exited with {returncode}"
        )
        if hint:
            message += f"\n{hint}"
        super().__init__(message)
        self.identifier = identifier
        self.step = step
        self.command = command
        self.returncode = returncode


class StepTimeoutError(FatalError):
    """A step ran past build-timeout / test-timeout and was killed: exit 1, naming both."""

    exit_code = 1

    def __init__(self, *, identifier: str, step: str, option: str, minutes: float) -> None:
        seconds = minutes * 60
        super().__init__(
            f"{identifier}: step '{step}' ran past {option} = {minutes:g} minutes"
            f" ({seconds:g} s) and was stopped; every process it left in the container was"
            f" killed. Raise {option} if the step needs longer, or find out why it hangs."
        )
        self.identifier = identifier
        self.step = step
        self.option = option
        self.minutes = minutes


class BinfmtMissingError(FatalError):
    """A foreign arch was selected but the host cannot run its binaries (no QEMU binfmt)."""

    exit_code = 1


class HostCommandError(FatalError):
    """A command on the host (engine CLI, debootstrap, ...) failed."""

    exit_code = 1


class SomeBuildsFailedError(FatalError):
    """keep-going: the run went on past failures; it ends with this list of them (exit 1)."""

    exit_code = 1


class EngineLostError(HostCommandError):
    """The container engine stopped answering during a run (daemon stopped or hung)."""

    exit_code = 1


class ContainerLostError(HostCommandError):
    """A build container was killed or removed from outside during a run."""

    exit_code = 1


class Terminated(KeyboardInterrupt):  # a signal, handled as an interrupt
    """SIGTERM: stops the run like Ctrl-C (containers removed, nothing partial left), exit 143."""


class DeliveryError(HostCommandError):
    """A wheel could not be written to the output directory (full, read-only, removed)."""

    exit_code = 1


class InvalidWheelError(FatalError):
    """A produced file is not a deliverable wheel (name does not parse, zip corrupt)."""

    exit_code = 1


class OutputDirBusyError(FatalError):
    """Another run is delivering into the same output directory."""

    exit_code = 1
