"""The small interfaces between the voice engines, the compiler and the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.errors import EngineError, VoicecoachError
from voicecoach.files.yamlsource import shorten, spot_error, suggest
from voicecoach.model import Spot

Pcm = npt.NDArray[np.int16]
"""Mono 16-bit PCM at the engine's sample rate."""

MIN_RATE, MAX_RATE = 60, 400
"""The speaking rates, in words per minute, that any engine accepts."""


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()


class Engine(Protocol):
    """A speech engine: text in, mono PCM out, at a fixed sample rate.

    ``parallel``: ``synthesize`` may be called from several threads at once.
    """

    name: str
    sample_rate: int
    parallel: bool

    @property
    def voice(self) -> str:
        """The id of the voice in use, as ``voices()`` lists it."""
        ...

    @property
    def rate(self) -> int | None:
        """Words per minute, or None for the voice's own pace."""
        ...

    def identity(self) -> str:
        """Everything that changes the audio (engine, voice, rate, version), as one string."""
        ...

    def synthesize(self, text: str) -> Pcm: ...

    def voices(self) -> list[VoiceInfo]: ...


class PhraseLengths(Protocol):
    """What the compiler needs from a voice: how long each phrase sounds, in samples."""

    @property
    def sample_rate(self) -> int: ...

    def length(self, text: str) -> int: ...


class Speech(PhraseLengths, Protocol):
    """What the renderer needs: the audio of each phrase (its length is ``length(text)``)."""

    def audio(self, text: str) -> Pcm: ...


class EstimatedLengths:
    """Phrase lengths guessed from words per second, for when no engine is wanted.

    Used by tests and by ``check --estimate``; ``show``, ``play`` and
    ``export`` take lengths from the real engine instead.
    """

    def __init__(self, sample_rate: int = 22050, words_per_second: float = 2.5) -> None:
        self._rate = sample_rate
        self._wps = words_per_second

    @property
    def sample_rate(self) -> int:
        return self._rate

    def length(self, text: str) -> int:
        words = max(1, len(text.split()))
        syllables = sum(max(1, sum(ch in "aeiouy" for ch in w.lower())) for w in text.split())
        seconds = 0.12 + 0.6 * words / self._wps + 0.06 * syllables
        return int(seconds * self._rate)


def check_rate(rate: int | None) -> None:
    """``EngineError`` for a rate no engine speaks at."""
    if rate is not None and not MIN_RATE <= rate <= MAX_RATE:
        raise EngineError(f"--rate {rate} is out of range: use {MIN_RATE} to {MAX_RATE}")


def find_voice(voices: list[VoiceInfo], wanted: str, engine: str) -> str:
    """The id of the voice ``wanted`` names: by id, by name, by the id's last part or language."""
    key = wanted.strip().lower()
    for match in (
        lambda v: v.id.lower() == key,
        lambda v: v.name.lower() == key,
        lambda v: v.id.lower().rsplit("/", 1)[-1] == key,
        lambda v: key in (lang.lower() for lang in v.languages),
    ):
        found = [v for v in voices if match(v)]
        if found:
            return found[0].id
    raise UnknownVoice(engine, wanted, voices)


class UnknownVoice(EngineError):
    """An engine has no voice by the name asked for; ``at`` points at where a file named it."""

    SHOWN = 6
    """Up to this many voices are named in the message; more are left to `voicecoach voices`."""

    def __init__(self, engine: str, wanted: str, voices: list[VoiceInfo]) -> None:
        ids = [v.id for v in voices]
        self.what = f"{engine} has no voice `{shorten(wanted)}`"
        listed = f"`voicecoach voices --engine {engine}` lists them"
        if 0 < len(ids) <= self.SHOWN:
            listed = f"its voices are: {', '.join(ids)}"
        close = suggest(wanted, ids + [v.name for v in voices])
        by_name = {v.name: v.id for v in voices}
        close = by_name.get(close, close) if close else None
        self.hint = (f"did you mean `{close}`? " if close else "") + listed
        super().__init__(f"{self.what}\n  {self.hint}")

    def at(self, spot: Spot | None) -> VoicecoachError:
        """This error at the place a file named the voice (itself when no file did)."""
        return self if spot is None else spot_error(spot, self.what, self.hint)
