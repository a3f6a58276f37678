"""Single keys from the terminal, without Enter, and the terminal put back afterwards.

On a POSIX terminal the input is switched to cbreak mode (keys arrive one
at a time, unechoed; Ctrl-C still interrupts) for as long as the context
lasts, and restored however it ends. On Windows ``msvcrt`` reads keys.
When the input is not a terminal there are no keys: the session simply
plays.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import Protocol, TextIO


class Keys(Protocol):
    def read(self, timeout: float) -> str | None:
        """The next key pressed, or None if none came within ``timeout`` seconds."""
        ...


class NoKeys:
    """No keyboard: just wait."""

    def __init__(self) -> None:
        self._never = threading.Event()

    def read(self, timeout: float) -> str | None:
        self._never.wait(timeout)
        return None


class _PosixKeys:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending: list[str] = []
        self._closed = threading.Event()

    def read(self, timeout: float) -> str | None:
        import select

        if self._pending:
            return self._pending.pop(0)
        if self._closed.is_set():  # the terminal went away: no more keys, but keep time
            self._closed.wait(timeout)
            return None
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return None
        try:
            data = os.read(self._fd, 32)
        except OSError:
            data = b""
        if not data:
            self._closed.set()
            return None
        if data.startswith(b"\x1b"):  # arrow keys and the like: not ours
            return None
        self._pending.extend(data.decode("latin-1"))
        return self._pending.pop(0)


class _WindowsKeys:
    def read(self, timeout: float) -> str | None:  # pragma: no cover - Windows only
        import msvcrt
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if msvcrt.kbhit():  # type: ignore[attr-defined]
                return str(msvcrt.getwch())  # type: ignore[attr-defined]
            threading.Event().wait(0.02)
        return None


def _in_background(fd: int) -> bool:
    """Started with ``&`` from a shell: changing the terminal would stop the process."""
    try:
        return os.tcgetpgrp(fd) != os.getpgrp()
    except OSError:  # not our controlling terminal: nothing can stop us for using it
        return False


@contextlib.contextmanager
def terminal_keys(stream: TextIO | None = None) -> Iterator[Keys]:
    """Keys from ``stream`` (stdin) while the context lasts; the terminal is restored on exit."""
    stream = stream or sys.stdin
    try:
        interactive = stream.isatty()
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        interactive = False
    if not interactive:
        yield NoKeys()
        return
    if os.name == "nt":  # pragma: no cover - Windows only
        yield _WindowsKeys()
        return
    if _in_background(fd):
        yield NoKeys()
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield _PosixKeys(fd)
    finally:
        # TCSAFLUSH: keys pressed for the player are not left for the shell to read.
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
