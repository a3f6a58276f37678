"""Workout -> Timeline: every spoken prompt at an exact sample. Pure and deterministic.

The compiler runs in two stages: ``script.py`` decides what is said for each
block, set, side and rep; ``layout.py`` decides where each prompt goes (the
spacing, fitting and rest rules are documented there). This module joins
them and keeps the entry points the rest of the package calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from voicecoach.compiler.layout import (
    ChapterStart,
    CompileWarning,
    Placed,
    SessionEnd,
    layout,
)
from voicecoach.compiler.script import script
from voicecoach.model import Chapter, Event, SetSpan, Timeline, Workout
from voicecoach.voices.base import EstimatedLengths, PhraseLengths

__all__ = [
    "ChapterStart",
    "CompileWarning",
    "Compiled",
    "Placed",
    "SessionEnd",
    "compile_events",
    "compile_report",
    "compile_workout",
]


@dataclass(frozen=True, slots=True)
class Compiled:
    timeline: Timeline
    warnings: tuple[CompileWarning, ...]


def compile_events(workout: Workout, lengths: PhraseLengths) -> Iterator[Placed]:
    """The session as it is laid out, one placed item at a time, in time order.

    Yields ``Event`` (a prompt at its exact samples), ``ChapterStart`` (just
    before the first event of its chapter; a chapter ends where the next
    starts), ``SetSpan`` (right after the last event of its set, for
    navigation), ``CompileWarning`` (something that could not be said) and,
    last, ``SessionEnd`` (the length of the whole session). Events come with
    non-decreasing ``start``, and every event starts after the previous
    one's ``end``.

    The layout is lazy: ``lengths.length(text)`` is called for a phrase only
    when the section it belongs to (the intro, one rest or lead-in, one set's
    work) is placed, in timeline order, and that section is yielded before
    the next is looked at. A player can therefore start speaking as soon as
    the first section is out, while later phrases are still being
    synthesized. The intro's "About N minutes." comes from a dry run with
    estimated lengths, which needs no voice at all.
    """
    return layout(script(workout, _minutes(workout)), lengths)


def compile_workout(workout: Workout, lengths: PhraseLengths) -> Timeline:
    """The timeline of ``workout``, with phrase lengths from the voice that will speak it."""
    return compile_report(workout, lengths).timeline


def compile_report(workout: Workout, lengths: PhraseLengths) -> Compiled:
    """Like ``compile_workout``, with the warnings about words that could not be said."""
    events: list[Event] = []
    starts: list[ChapterStart] = []
    sets: list[SetSpan] = []
    warnings: list[CompileWarning] = []
    duration = 0
    for item in compile_events(workout, lengths):
        if isinstance(item, Event):
            events.append(item)
        elif isinstance(item, ChapterStart):
            starts.append(item)
        elif isinstance(item, SetSpan):
            sets.append(item)
        elif isinstance(item, CompileWarning):
            warnings.append(item)
        else:
            duration = item.duration
    ends = [c.start for c in starts[1:]] + [duration]
    chapters = tuple(Chapter(c.title, c.start, end) for c, end in zip(starts, ends, strict=True))
    timeline = Timeline(
        title=workout.title,
        sample_rate=lengths.sample_rate,
        duration=duration,
        chapters=chapters,
        events=tuple(events),
        sets=tuple(sets),
        workout=workout.name,
    )
    return Compiled(timeline, tuple(dict.fromkeys(warnings)))


def _minutes(workout: Workout) -> int:
    """The session's length in whole minutes (at least one), from estimated phrase lengths."""
    estimate = EstimatedLengths()
    duration = 0
    for item in layout(script(workout, 1), estimate):
        if isinstance(item, SessionEnd):
            duration = item.duration
    return max(1, round(duration / estimate.sample_rate / 60))
