"""Single keys from a real terminal (a pseudo-terminal), and the terminal restored afterwards."""

from __future__ import annotations

import io
import os
import sys

import pytest

from voicecoach.player.keys import NoKeys, terminal_keys

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")


def test_keys_arrive_one_at_a_time_without_enter_and_the_terminal_is_put_back() -> None:
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    try:
        with os.fdopen(slave, "r", closefd=False) as stream, terminal_keys(stream) as keys:
            during = termios.tcgetattr(slave)
            assert not during[3] & termios.ICANON  # no line editing: no Enter needed
            assert not during[3] & termios.ECHO
            assert during[3] & termios.ISIG  # Ctrl-C still interrupts
            assert keys.read(0.01) is None
            os.write(master, b" ")
            assert keys.read(1.0) == " "
            os.write(master, b"\x1b[A")  # an arrow key is not a control
            assert keys.read(1.0) is None
            os.write(master, b"q")
            assert keys.read(1.0) == "q"
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_the_terminal_is_put_back_when_the_session_is_interrupted() -> None:
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    try:
        with pytest.raises(KeyboardInterrupt), os.fdopen(slave, "r", closefd=False) as stream:
            with terminal_keys(stream):
                raise KeyboardInterrupt
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_without_a_terminal_there_are_no_keys() -> None:
    with terminal_keys(io.StringIO("n")) as keys:
        assert isinstance(keys, NoKeys)
        assert keys.read(0.01) is None
