"""Timeline + speech -> one mono PCM stream, every prompt on its exact sample.

The stream is produced in fixed-size chunks, so memory stays flat however
long the session is; each phrase's audio comes from the phrase cache and is
copied into the chunks it overlaps, at integer sample positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from voicecoach.model import Event, Timeline
from voicecoach.voices.base import Pcm, Speech

CHUNK = 8192


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """``tone``: a short tick under each countdown beat (rest and get-ready counts)."""

    tone: bool = False
    chunk: int = CHUNK


def tick(sample_rate: int) -> Pcm:
    """A 40 ms 1 kHz tick with a soft envelope, quiet enough to sit under a voice."""
    n = sample_rate * 40 // 1000
    t = np.arange(n) / sample_rate
    envelope = np.sin(np.pi * np.arange(n) / n)
    return (np.sin(2 * np.pi * 1000 * t) * envelope * 6000).astype(np.int16)


def render_chunks(
    timeline: Timeline,
    speech: Speech,
    start: int = 0,
    options: RenderOptions | None = None,
) -> Iterator[Pcm]:
    """Yield the session's samples from ``start`` to the end, ``options.chunk`` at a time.

    The chunks laid end to end are exactly ``timeline.duration - start``
    samples long; each event's audio begins at sample ``event.start``.
    """
    opts = options or RenderOptions()
    events = sorted(timeline.events, key=lambda e: e.start)
    beep = tick(timeline.sample_rate) if opts.tone else None
    first = 0
    pos = start
    while pos < timeline.duration:
        end = min(pos + opts.chunk, timeline.duration)
        mix = np.zeros(end - pos, dtype=np.int32)
        while first < len(events) and events[first].end <= pos:
            first += 1
        i = first
        while i < len(events) and events[i].start < end:
            event = events[i]
            _place(mix, pos, event.start, speech.audio(event.text))
            if beep is not None and _ticks(event):
                _place(mix, pos, event.start, beep)
            i += 1
        yield np.clip(mix, -32768, 32767).astype(np.int16)
        pos = end


def render_all(timeline: Timeline, speech: Speech, options: RenderOptions | None = None) -> Pcm:
    """The whole session in one array: for tests and short sessions only."""
    parts = list(render_chunks(timeline, speech, 0, options))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def _ticks(event: Event) -> bool:
    return event.kind in ("countdown", "ready")


def _place(mix: np.ndarray, pos: int, at: int, audio: Pcm) -> None:
    """Add ``audio`` starting at absolute sample ``at`` into ``mix`` covering ``pos...``."""
    lo = max(at, pos)
    hi = min(at + len(audio), pos + len(mix))
    if lo < hi:
        mix[lo - pos : hi - pos] += audio[lo - at : hi - at]
