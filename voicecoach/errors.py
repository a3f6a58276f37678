"""The one error type a user sees, and the exit codes it maps to.

Core code raises these with the message a person reads; ``cli.py`` catches
them in one place and turns them into an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class VoicecoachError(Exception):
    """An error whose text is meant for the user. Exit code 1 unless a subclass says."""

    exit_code = EXIT_FAILURE


class InputError(VoicecoachError):
    """Bad input from the user: a file, a name, an argument. Exit code 2."""

    exit_code = EXIT_BAD_INPUT


class EngineError(VoicecoachError):
    """A voice engine is missing or failed; the text says how to fix it."""

    exit_code = EXIT_BAD_INPUT


class DeviceError(VoicecoachError):
    """No audio device could be opened for playback."""

    exit_code = EXIT_BAD_INPUT
