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


class InputErrors(InputError):
    """Several independent mistakes in one file, each with its own position.

    Its text is the messages joined by ``error:`` lines, so the one place that
    prints an error as ``error: {text}`` shows each on its own; at most
    ``SHOWN`` are listed.
    """

    SHOWN = 20

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        shown = "\nerror: ".join(str(e) for e in self.errors[: self.SHOWN])
        more = len(self.errors) - self.SHOWN
        if more > 0:
            shown += f"\n... and {more} more error{'s' if more != 1 else ''} in this file"
        super().__init__(shown)

    @staticmethod
    def of(errors: list[InputError]) -> InputError:
        """The one error, or all of them."""
        flat = [
            e
            for error in errors
            for e in (error.errors if isinstance(error, InputErrors) else [error])
        ]
        return flat[0] if len(flat) == 1 else InputErrors(flat)


class AlreadyReported(InputError):
    """A mistake that follows from one already reported (a block using an exercise whose
    definition is wrong): ``Collect`` drops it."""


class Collect:
    """Gathers the ``InputError`` of each independent part of a file, to report them all.

    found = Collect()
    for item in items:
        with found.each():
            check(item)
    found.raise_any()
    """

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def each(self) -> _Each:
        return _Each(self)

    def raise_any(self) -> None:
        if self.errors:
            raise InputErrors.of(self.errors)


class _Each:
    def __init__(self, into: Collect) -> None:
        self._into = into

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        if isinstance(error, AlreadyReported):
            return True
        if isinstance(error, InputError):
            self._into.errors.append(error)
            return True
        return False


class EngineError(VoicecoachError):
    """A voice engine is missing or failed; the text says how to fix it."""

    exit_code = EXIT_BAD_INPUT


class DeviceError(VoicecoachError):
    """No audio device could be opened for playback."""

    exit_code = EXIT_BAD_INPUT
