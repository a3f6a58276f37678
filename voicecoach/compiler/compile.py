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
    "Assembly",
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
    assembly = Assembly(workout.title, workout.name, lengths.sample_rate)
    for item in compile_events(workout, lengths):
        assembly.add(item)
    return Compiled(assembly.timeline(), assembly.warnings())


class Assembly:
    """The placed items of one compile, gathered into a ``Timeline`` as they come.

    ``timeline()`` can be asked at any point: before ``SessionEnd`` it holds
    what is placed so far, and its last chapter (and its length) end at
    ``duration`` if given, else at the end of the last event.
    """

    def __init__(self, title: str, workout: str, sample_rate: int) -> None:
        self.title = title
        self.workout = workout
        self.sample_rate = sample_rate
        self.events: list[Event] = []
        self.starts: list[ChapterStart] = []
        self.sets: list[SetSpan] = []
        self.warned: list[CompileWarning] = []
        self.duration: int | None = None
        """The session's length, once ``SessionEnd`` has come."""

    @classmethod
    def of(cls, timeline: Timeline) -> Assembly:
        """The assembly that gives ``timeline`` back, whole."""
        assembly = cls(timeline.title, timeline.workout, timeline.sample_rate)
        assembly.events = sorted(timeline.events, key=lambda e: e.start)
        assembly.starts = [ChapterStart(c.title, c.start) for c in timeline.chapters]
        assembly.sets = list(timeline.sets)
        assembly.duration = timeline.duration
        return assembly

    def add(self, item: Placed) -> None:
        if isinstance(item, Event):
            self.events.append(item)
        elif isinstance(item, ChapterStart):
            self.starts.append(item)
        elif isinstance(item, SetSpan):
            self.sets.append(item)
        elif isinstance(item, CompileWarning):
            self.warned.append(item)
        else:
            self.duration = item.duration

    def timeline(self, duration: int | None = None) -> Timeline:
        """The session so far (the whole of it once ``SessionEnd`` has come)."""
        if self.duration is not None:
            duration = self.duration
        elif duration is None:
            duration = self.events[-1].end if self.events else 0
        ends = [c.start for c in self.starts[1:]] + [duration][: len(self.starts)]
        chapters = tuple(
            Chapter(c.title, c.start, end) for c, end in zip(self.starts, ends, strict=True)
        )
        return Timeline(
            title=self.title,
            sample_rate=self.sample_rate,
            duration=duration,
            chapters=chapters,
            events=tuple(self.events),
            sets=tuple(self.sets),
            workout=self.workout,
        )

    def warnings(self) -> tuple[CompileWarning, ...]:
        """Each warning once, in the order they came."""
        return tuple(dict.fromkeys(self.warned))


def _minutes(workout: Workout) -> int:
    """The session's length in whole minutes (at least one), from estimated phrase lengths."""
    estimate = EstimatedLengths()
    duration = 0
    for item in layout(script(workout, 1), estimate):
        if isinstance(item, SessionEnd):
            duration = item.duration
    return max(1, round(duration / estimate.sample_rate / 60))
