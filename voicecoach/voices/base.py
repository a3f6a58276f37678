"""The small interfaces between the voice engines, the compiler and the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Pcm = npt.NDArray[np.int16]
"""Mono 16-bit PCM at the engine's sample rate."""


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()


class Engine(Protocol):
    """A speech engine: text in, mono PCM out, at a fixed sample rate."""

    name: str
    sample_rate: int

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
