"""The outside world, passed in: streams, the working folder, the clock and the openers.

Every command gets one ``Environment``. The real one opens the real voice,
sound device, session log and terminal; a test builds one with fakes
(``tests/fakes.py``) instead of patching module attributes. HTTPie's
``Environment`` and its ``MockEnvironment`` are the model.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from voicecoach.model import VoiceSettings
    from voicecoach.player.history import History
    from voicecoach.player.keys import Keys
    from voicecoach.player.play import Remote
    from voicecoach.sound.sinks import Sink
    from voicecoach.voices.base import Speech


class SpeechOpener(Protocol):
    def __call__(
        self,
        workout: VoiceSettings | None,
        flags: VoiceSettings,
        on_synth: Callable[[str], None] | None = None,
    ) -> Speech:
        """The cached voice for a workout's ``voice:`` and the command-line flags."""
        ...


def open_real_speech(
    workout: VoiceSettings | None,
    flags: VoiceSettings,
    on_synth: Callable[[str], None] | None = None,
) -> Speech:
    from voicecoach.voices import open_speech

    return open_speech(workout, flags.engine, flags.voice, flags.rate, on_synth=on_synth)


def _open_sink(backend: str, sample_rate: int, workout: str) -> Sink:
    from voicecoach.sound.sinks import open_sink

    return open_sink(backend, sample_rate, workout)


def _open_remotes(say: Callable[[str], None], listen: bool) -> list[Remote]:
    from voicecoach.player.remotes import open_remotes

    return open_remotes(say, listen)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Environment:
    """What a command may use of the world; every field can be replaced in a test."""

    stdin: TextIO | None = None
    """None: whatever ``sys.stdin`` is when it is used (so typer's CliRunner can capture it)."""
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    cwd: Path = field(default_factory=Path.cwd)
    open_speech: SpeechOpener = open_real_speech
    open_sink: Callable[[str, int, str], Sink] = _open_sink
    open_log: Callable[[], History] | None = None
    """None: the session log in the data folder, stamped with ``now``."""
    open_keys: Callable[[], ContextManager[Keys]] | None = None
    open_remotes: Callable[[Callable[[str], None], bool], list[Remote]] = _open_remotes
    """Media keys and, with ``--listen``, the microphone."""
    now: Callable[[], datetime] = _now
    signals: bool = True
    """Whether the player may install signal handlers (only the main thread of a real run)."""

    @property
    def input(self) -> TextIO:
        return self.stdin or sys.stdin

    @property
    def output(self) -> TextIO:
        return self.stdout or sys.stdout

    @property
    def errors(self) -> TextIO:
        return self.stderr or sys.stderr

    def log(self) -> History:
        """The session log (``HistoryError`` when it cannot be used)."""
        if self.open_log is not None:
            return self.open_log()
        from voicecoach.player.history import open_history

        return open_history(now=self.now, warn=lambda text: print(text, file=self.errors))

    def today(self) -> date:
        """The user's local date, from ``now``."""
        return self.now().astimezone().date()

    def keys(self) -> ContextManager[Keys]:
        """The keyboard for the player while the context lasts (the terminal's by default)."""
        if self.open_keys is not None:
            return self.open_keys()
        from voicecoach.player.keys import terminal_keys

        return terminal_keys(self.input)

    @property
    def stderr_isatty(self) -> bool:
        return _isatty(self.errors)

    @property
    def stdin_isatty(self) -> bool:
        return _isatty(self.input)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


__all__ = ["Environment", "SpeechOpener", "open_real_speech"]
