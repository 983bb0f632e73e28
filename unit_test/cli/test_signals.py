"""SIGTERM stops a run as Ctrl-C does; a second signal never interrupts the cleanup."""

from __future__ import annotations

import os
import signal
import time

import pytest

from cibuildwheel_like.cli import app
from cibuildwheel_like.errors import Terminated


def wait_for_signal() -> None:
    time.sleep(5)  # a signal handler raising interrupts the sleep at once
    pytest.fail("the signal did not arrive")


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
)
def test_the_first_signal_interrupts(signum, raised):
    def signalled() -> None:
        with app._stop_signals():
            os.kill(os.getpid(), signum)
            wait_for_signal()

    with pytest.raises(raised):
        signalled()


def test_a_second_signal_while_cleaning_up_is_announced_and_ignored(capfd):
    cleaned: list[bool] = []

    def signalled_twice() -> None:
        with app._stop_signals():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                wait_for_signal()
            finally:
                os.kill(os.getpid(), signal.SIGINT)  # CI services send more than one
                time.sleep(0.2)
                cleaned.append(True)

    with pytest.raises(Terminated):
        signalled_twice()
    assert cleaned == [True]
    assert "already stopping" in capfd.readouterr().err


def test_the_handlers_are_restored_afterwards():
    before = signal.getsignal(signal.SIGTERM)
    with app._stop_signals():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_main_exits_143_on_sigterm(monkeypatch, capsys):
    def handler(_args: object, _ctx: object) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        wait_for_signal()
        return 0

    parser = app.build_parser()
    real_parse = parser.parse_args

    def parse(argv: object = None) -> object:
        args = real_parse(["doctor"])
        args.handler = handler
        return args

    monkeypatch.setattr(parser, "parse_args", parse)
    monkeypatch.setattr(app, "build_parser", lambda: parser)
    assert app.main(["doctor"]) == 143
    assert "terminated (SIGTERM)" in capsys.readouterr().err
