"""The fakes the tests share, in one place: a voice engine, sound sinks and an environment.

Each stands in for one piece of the outside world that ``voicecoach.env.Environment``
passes to the commands, so a test builds an environment instead of patching modules.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from voicecoach.env import Environment
from voicecoach.model import VoiceSettings
from voicecoach.sound.sinks import SampleSource
from voicecoach.voices.base import Pcm, VoiceInfo
from voicecoach.voices.cache import PhraseCache

RATE = 22050


class FakeEngine:
    """Speaks every text as a tone burst padded with silence, like a real engine does.

    The burst's length and loudness depend on the text; ``jitter`` makes
    each call a few samples longer than the last (espeak-ng does not give
    the same samples twice either); ``gate`` holds every call until released.
    """

    name = "fake"
    sample_rate = RATE
    parallel = False
    voice = "fake-voice"
    rate = None

    def __init__(self, version: str = "1", jitter: bool = False) -> None:
        self.version = version
        self.jitter = jitter
        self.calls: list[str] = []
        self.gate: threading.Barrier | None = None
        self._lock = threading.Lock()

    def identity(self) -> str:
        return f"fake {self.version}"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake-voice", "Fake", ("en",))]

    def synthesize(self, text: str) -> Pcm:
        with self._lock:
            self.calls.append(text)
            extra = len(self.calls) if self.jitter else 0
        if self.gate is not None:
            self.gate.wait(timeout=10)
        seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
        n = 600 + 150 * len(text) + extra
        t = np.arange(n) / RATE
        loudness = 2000 + seed % 20000
        burst = np.sin(2 * np.pi * (200 + seed % 300) * t) * loudness * np.hanning(n)
        pad = np.zeros(400 + seed % 300)
        return np.concatenate([pad, burst, pad[:250]]).astype(np.int16)


class StepSink:
    """Takes ``step`` samples each time ``advance`` is called; records all it took."""

    name = "step"
    error: str | None = None

    def __init__(self, step: int = 2205) -> None:
        self.step = step
        self.source: Any = None
        self.taken: list[Pcm] = []
        self.closed = False

    def start(self, source: SampleSource) -> None:
        self.source = source

    def advance(self) -> None:
        assert self.source is not None
        self.taken.append(self.source.pull(self.step))

    def heard(self) -> int:
        return sum(len(block) for block in self.taken)

    def interrupt(self) -> None:
        pass

    def done(self) -> bool:
        return self.source is not None and self.source.finished

    def close(self) -> None:
        self.closed = True

    @property
    def stream(self) -> Pcm:
        return np.concatenate(self.taken)


class CaptureSink:
    """Pulls as fast as the feed renders, on its own thread, and keeps every sample it took."""

    name = "capture"
    error: str | None = None

    def __init__(self) -> None:
        self.taken: list[Pcm] = []
        self._source: SampleSource | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, source: SampleSource) -> None:
        self._source = source
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._source is not None
        while not self._stop.is_set() and not self._source.finished:
            self.taken.append(self._source.pull(4096))

    def heard(self) -> int:
        return sum(len(block) for block in self.taken)

    def interrupt(self) -> None:
        pass

    def done(self) -> bool:
        return self._source is not None and self._source.finished

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def stream(self) -> Pcm:
        return np.concatenate(self.taken) if self.taken else np.zeros(0, np.int16)


def fake_speech(engine: FakeEngine | None = None) -> Callable[..., PhraseCache]:
    """An ``Environment.open_speech`` that speaks with ``engine`` through the phrase cache."""
    engine = engine or FakeEngine()

    def open_speech(
        workout: VoiceSettings | None,
        flags: VoiceSettings,
        on_synth: Callable[[str], None] | None = None,
    ) -> PhraseCache:
        return PhraseCache(engine, on_synth=on_synth)

    return open_speech


def fake_env(**fields: Any) -> Environment:
    """An ``Environment`` that speaks with ``FakeEngine`` and plays into a ``CaptureSink``.

    ``env.sinks`` lists the sinks it opened. Any field can be given instead.
    """
    sinks: list[Any] = []

    def open_sink(backend: str, sample_rate: int, workout: str) -> Any:
        sinks.append(CaptureSink())
        return sinks[-1]

    fields.setdefault("open_speech", fake_speech())
    fields.setdefault("open_sink", open_sink)
    fields.setdefault("signals", False)
    made = Environment(**fields)
    made.sinks = sinks  # type: ignore[attr-defined]
    return made
