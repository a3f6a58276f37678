"""The renderer: every prompt at its exact sample, the same stream whatever the chunk size."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeEngine
from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.model import Chapter, Event, Timeline
from voicecoach.sound.render import RenderOptions, render_all, render_chunks, tick
from voicecoach.voices.cache import PhraseCache
from voicecoach.voices.level import CEILING_DBTP, true_peaks

RATE = 22050
WORDS = ["one", "two", "three", "Hold.", "Down.", "Set two of three, left leg.", "Rest."]


def timeline_of(
    speech: PhraseCache, placed: list[tuple[int, str, str]], tail: int = 500
) -> Timeline:
    """Events at the given samples, each as long as its phrase, like the compiler makes them."""
    events = tuple(Event(at, at + speech.length(text), kind, text) for at, text, kind in placed)
    duration = max((e.end for e in events), default=0) + tail
    return Timeline("Test", RATE, duration, (Chapter("All", 0, duration),), events)


def spaced(speech: PhraseCache, texts: list[str], gaps: list[int]) -> Timeline:
    at = gaps[0]
    placed = []
    for text, gap in zip(texts, gaps[1:] + [0], strict=True):
        placed.append((at, text, "count"))
        at += speech.length(text) + gap
    return timeline_of(speech, placed)


def test_every_event_sounds_at_its_exact_sample_and_nowhere_else(speech: PhraseCache) -> None:
    timeline = spaced(speech, WORDS, [1234, 0, 1, 4410, 17, 999, 3])
    out = render_all(timeline, speech)
    assert len(out) == timeline.duration
    expected = np.zeros(timeline.duration, dtype=np.int16)
    for event in timeline.events:
        expected[event.start : event.end] = speech.audio(event.text)
    assert np.array_equal(out, expected)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
    gaps=st.lists(st.integers(0, 30000), min_size=8, max_size=8),
    chunk=st.integers(1, 70000),
    start=st.integers(0, 200000),
)
def test_the_stream_is_the_same_whatever_the_chunk_size_and_start(
    texts: list[str], gaps: list[int], chunk: int, start: int
) -> None:
    speech = PhraseCache(FakeEngine())
    timeline = spaced(speech, texts, gaps[: len(texts)])
    whole = render_all(timeline, speech)
    start = min(start, timeline.duration)
    chunks = list(render_chunks(timeline, speech, start, RenderOptions(chunk=chunk)))
    assert all(len(c) <= chunk for c in chunks)
    joined = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    assert np.array_equal(joined, whole[start:])


def test_positions_hours_in_are_exact(speech: PhraseCache) -> None:
    # Three hours in, at an odd sample: integer positions never drift.
    at = 3 * 3600 * RATE + 12345
    timeline = timeline_of(speech, [(at, "two", "count")])
    last = list(render_chunks(timeline, speech, at - 100, RenderOptions(chunk=4096)))
    out = np.concatenate(last)
    audio = speech.audio("two")
    assert not out[:100].any()
    assert np.array_equal(out[100 : 100 + len(audio)], audio)


def test_a_tone_sits_under_countdown_beats_only_and_never_clips(speech: PhraseCache) -> None:
    timeline = timeline_of(
        speech,
        [(1000, "three", "ready"), (20000, "two", "countdown"), (40000, "one", "count")],
    )
    plain = render_all(timeline, speech)
    toned = render_all(timeline, speech, RenderOptions(tone=True))
    beep = tick(RATE).astype(np.float64)
    difference = toned.astype(np.float64) - plain.astype(np.float64)
    for event in timeline.events[:2]:
        # The tick is there, under the word, even where the pair had to be limited.
        heard = difference[event.start : event.start + len(beep)]
        assert np.corrcoef(heard, beep)[0, 1] > 0.8
    assert not difference[40000:].any()
    peak = np.max(true_peaks(toned.astype(np.float64) / 32768, RATE))
    assert 20 * np.log10(peak) <= CEILING_DBTP + 0.01


def test_an_event_sounds_only_within_its_span(speech: PhraseCache) -> None:
    # A hand-made timeline whose event is shorter than its phrase: the phrase is
    # cut at the event's end, so the result cannot depend on the chunking.
    audio = speech.audio("Set two of three, left leg.")
    event = Event(100, 600, "set", "Set two of three, left leg.")
    timeline = Timeline("Cut", RATE, 2000, (), (event,))
    out = render_all(timeline, speech)
    assert np.array_equal(out[100:600], audio[:500])
    assert not out[600:].any()


def test_overlapping_hand_made_events_are_mixed_and_clipped(speech: PhraseCache) -> None:
    loud = np.full(1000, 30000, dtype=np.int16)

    class Loud:
        sample_rate = RATE

        def length(self, text: str) -> int:
            return 1000

        def audio(self, text: str) -> np.ndarray:
            return loud

    events = (Event(0, 1000, "a", "x"), Event(500, 1500, "b", "y"))
    out = render_all(Timeline("Overlap", RATE, 1600, (), events), Loud())
    assert out[0] == 30000 and out[700] == 32767 and out[1200] == 30000


def test_silence_is_rendered_without_asking_for_audio() -> None:
    class Mute:
        sample_rate = RATE

        def length(self, text: str) -> int:
            raise AssertionError("no phrase should be asked for")

        audio = length

    out = render_all(Timeline("Quiet", RATE, 50000, (), ()), Mute())  # type: ignore[arg-type]
    assert len(out) == 50000 and not out.any()


@pytest.mark.engine
def test_a_compiled_workout_renders_with_every_onset_on_its_sample() -> None:
    """Onsets found in the audio itself, against the compiler's timeline."""
    from voicecoach.compiler.compile import compile_workout
    from voicecoach.files.load import load_workout
    from voicecoach.voices import open_speech

    real = open_speech()
    timeline = compile_workout(load_workout("friday"), real)
    out = np.abs(render_all(timeline, real).astype(np.int32))
    previous_end = 0
    for event in timeline.events:
        window = out[previous_end : event.end]
        onset = previous_end + int(np.argmax(window >= 32))
        assert onset == event.start, event
        previous_end = event.end
    assert not out[previous_end:].any()
