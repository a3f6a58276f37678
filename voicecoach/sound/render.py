"""Timeline + speech -> one mono PCM stream, every prompt on its exact sample.

The stream is produced in fixed-size chunks, so memory stays flat however
long the session is. Each event's audio (from the phrase cache, already
trimmed and levelled) is added into the chunks it overlaps at integer
sample positions: nothing is ever concatenated or positioned by a float,
so there is no drift however long the session runs.

An event sounds only inside its own span, ``[start, end)``: with a real
voice that is exactly its audio (the compiler made ``end`` from the
phrase's length), and it makes the stream the same whatever the chunk size.

Phrases come levelled and limited (``voices.level``), and never overlap, so
the stream has their loudness and true peak; a countdown tick laid under a
word is limited together with it, so the tick never pushes it over.

With ``RenderOptions.music`` the music (``sound/music.py``) is added to each
chunk after the voice is laid down: the voice's samples are never changed,
and the music gives way wherever the sum would pass full scale. Whatever is
done to the voice (levelling, a limiter) belongs before that point, so the
music can neither change the voice nor be squeezed by a limiter meant for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from voicecoach.model import Event, Timeline
from voicecoach.voices.base import Pcm, Speech
from voicecoach.voices.level import FULL_SCALE, limit

if TYPE_CHECKING:
    from voicecoach.sound.music import MusicMix

CHUNK = 8192
TICK_KINDS = ("countdown", "ready")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """``tone``: a short tick under each countdown beat (rest and get-ready counts);
    ``music``: music to lay under the voice."""

    tone: bool = False
    chunk: int = CHUNK
    music: MusicMix | None = None


class Score(Protocol):
    """The prompts to render, perhaps still being placed (``compiler.live.LiveTimeline``)."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def floor(self) -> int:
        """The session lasts at least this many samples (all of it, once known)."""
        ...

    def settled(self, end: int) -> tuple[Sequence[Event], int | None]:
        """Once every prompt that sounds before ``end`` is known: the prompts in time order
        (a list that may grow at its end) and the session's length, if known."""
        ...


class Whole:
    """A finished ``Timeline`` as a ``Score``."""

    def __init__(self, timeline: Timeline) -> None:
        self.sample_rate = timeline.sample_rate
        self.floor = timeline.duration
        self._events = sorted(timeline.events, key=lambda e: e.start)
        self._duration = timeline.duration

    def settled(self, end: int) -> tuple[Sequence[Event], int | None]:
        return self._events, self._duration


def tick(sample_rate: int) -> Pcm:
    """A 40 ms 1 kHz tick with a soft envelope, quiet enough to sit under a voice."""
    n = sample_rate * 40 // 1000
    t = np.arange(n) / sample_rate
    envelope = np.sin(np.pi * np.arange(n) / n)
    return (np.sin(2 * np.pi * 1000 * t) * envelope * 6000).astype(np.int16)


def render_chunks(
    timeline: Timeline | Score,
    speech: Speech,
    start: int = 0,
    options: RenderOptions | None = None,
    music_at: int = 0,
) -> Iterator[Pcm]:
    """Yield the session's samples from ``start`` to the end, ``options.chunk`` at a time.

    The chunks laid end to end are exactly ``timeline.duration - start``
    samples long; each event's audio begins at sample ``event.start``. The
    music, if any, begins at ``music_at`` on its own clock (``play`` keeps it
    going across jumps) and fades in from ``start``. A ``Score`` still being
    placed is rendered as far as it is settled, a chunk at a time (with music,
    a little further: the music is ducked before each prompt).
    """
    opts = options or RenderOptions()
    if opts.chunk < 1:
        raise ValueError("chunk must be at least one sample")
    score = Whole(timeline) if isinstance(timeline, Timeline) else timeline
    rate = score.sample_rate
    beep = tick(rate) if opts.tone else None
    ticked: dict[str, Pcm] = {}
    first = 0
    pos = max(0, start)
    mixer = opts.music.mixer(rate, pos, music_at) if opts.music is not None else None
    duck, fade = opts.music.lookahead(rate) if opts.music is not None else (0, 0)
    while True:
        # With music: the prompts a quarter second past the chunk (the duck comes down
        # before them), and, unless the session surely lasts longer, where it ends.
        ahead = duck if pos + opts.chunk + fade <= score.floor else max(duck, fade)
        events, duration = score.settled(pos + opts.chunk + ahead)
        if duration is not None and pos >= duration:
            return
        end = pos + opts.chunk if duration is None else min(pos + opts.chunk, duration)
        while first < len(events) and events[first].end <= pos:
            first += 1
        i = first
        # Events never overlap, so at most one sounds at a time and int16 cannot
        # overflow; a hand-made timeline with overlaps is mixed in int32 instead.
        mix: np.ndarray | None = None
        wide = False
        while i < len(events) and events[i].start < end:
            event = events[i]
            if event.end > pos:
                if mix is None:
                    mix = np.zeros(end - pos, dtype=np.int16)
                if not wide and _overlaps(events, i):
                    mix = mix.astype(np.int32)
                    wide = True
                if beep is not None and event.kind in TICK_KINDS:
                    audio = ticked.get(event.text)
                    if audio is None:
                        audio = ticked[event.text] = with_tick(speech.audio(event.text), beep, rate)
                else:
                    audio = speech.audio(event.text)
                _place(mix, pos, event, audio)
            i += 1
        if mix is None:
            voice = np.zeros(end - pos, dtype=np.int16)
        elif wide:
            voice = np.clip(mix, -32768, 32767).astype(np.int16)
        else:
            voice = mix
        if mixer is None:
            yield voice
        else:
            yield (voice + mixer.layer(pos, voice, events, duration)).astype(np.int16)
        pos = end


def render_all(timeline: Timeline, speech: Speech, options: RenderOptions | None = None) -> Pcm:
    """The whole session in one array: for tests and short sessions only."""
    parts = list(render_chunks(timeline, speech, 0, options))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def with_tick(audio: Pcm, beep: Pcm, sample_rate: int) -> Pcm:
    """``audio`` with ``beep`` laid under its start, limited together to the voice's ceiling."""
    length = max(len(audio), len(beep))
    both = np.zeros(length, dtype=np.float64)
    both[: len(audio)] += audio
    both[: len(beep)] += beep
    limited = limit(both / FULL_SCALE, sample_rate) * FULL_SCALE
    out: Pcm = np.clip(np.rint(limited), -32768, 32767).astype(np.int16)
    return out


def _overlaps(events: Sequence[Event], i: int) -> bool:
    """Whether event ``i`` shares samples with the next event."""
    return i + 1 < len(events) and events[i + 1].start < events[i].end


def _place(mix: np.ndarray, pos: int, event: Event, audio: Pcm) -> None:
    """Add ``audio`` at ``event.start`` into ``mix`` (which covers ``pos...``), inside the event."""
    lo = max(event.start, pos)
    hi = min(event.start + len(audio), event.end, pos + len(mix))
    if lo < hi:
        mix[lo - pos : hi - pos] += audio[lo - event.start : hi - event.start]
