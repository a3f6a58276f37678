"""A timeline compiled while it plays, so ``play`` speaks before the last phrase exists.

The compiler places the session section by section and asks for a
phrase's length only when it places it (``compile_events``); on a cold
phrase cache that length comes from synthesizing the phrase. A
``LiveTimeline`` runs that compile on a thread of its own and keeps what
is placed so far, so the player can render the opening words while the
rest of the session is still being synthesized, always in the order it
will be heard.

What is placed is final. Every prompt starts at least ``MIN_GAP_MS``
after the previous one ends, so once a prompt is placed, every sample
before its end plus that gap is settled: ``settled(end)`` waits until the
samples before ``end`` are, which is all the renderer needs. Navigation
(``wait``) waits for the set it jumps to in the same way. The first
``timeline`` snapshots end where the placing has got to, or at the
session's estimated length if that is later; the last one is exactly
what ``compile_workout`` gives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from voicecoach.compiler.compile import Assembly, compile_events, compile_workout
from voicecoach.compiler.layout import MIN_GAP_MS, CompileWarning
from voicecoach.model import Event, Timeline, Workout
from voicecoach.voices.base import Speech


class Instant:
    """Every phrase one sample long: the shortest the session can be (``shortest``)."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate

    def length(self, text: str) -> int:
        return 1


def shortest(workout: Workout, sample_rate: int) -> int:
    """A length in samples that ``workout`` lasts at least, whatever its voice: longer
    phrases only ever push prompts later and lengthen rests, never shorten anything."""
    return compile_workout(workout, Instant(sample_rate)).duration


class LiveTimeline:
    """The timeline of ``workout`` as it is being compiled with ``speech`` (``start()``),
    or a finished one (``finished``).

    ``estimate`` is the same workout compiled with estimated phrase lengths:
    the same sets in the same order, for the log and for the session's
    length until the real one is known. ``floor`` is a length the session
    surely reaches (``shortest``). Safe to use from any thread.
    """

    def __init__(
        self,
        workout: Workout | None,
        speech: Speech,
        estimate: Timeline | None = None,
        floor: int = 0,
    ) -> None:
        self.workout = workout
        self.speech = speech
        self.estimate = estimate
        self.floor = floor
        self.sample_rate = speech.sample_rate
        title, name = (workout.title, workout.name) if workout else ("", "")
        self._assembly = Assembly(title, name, speech.sample_rate)
        self._gap = (MIN_GAP_MS * self.sample_rate + 500) // 1000
        self._changed = threading.Condition()
        self._horizon = 0
        self._version = 0
        self._snapshot: tuple[int, Timeline] | None = None
        self._ended = False
        self._stop = False
        self._later: list[str] = []
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        """What stopped the compile, if it failed (a ``VoicecoachError`` from the voice)."""

    @classmethod
    def finished(cls, timeline: Timeline, speech: Speech) -> LiveTimeline:
        """A timeline that is already whole (a resumed session, music, a test)."""
        live = cls(None, speech, timeline, timeline.duration)
        live._assembly = Assembly.of(timeline)
        live._horizon = timeline.duration
        live._ended = True
        return live

    def start(self) -> LiveTimeline:
        """Begin compiling on a background thread; returns at once."""
        self._thread = threading.Thread(target=self._run, name="voicecoach-compile", daemon=True)
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        """Whether the whole session is placed."""
        return self._assembly.duration is not None

    @property
    def duration(self) -> int | None:
        """The session's length in samples, once it is known."""
        return self._assembly.duration

    @property
    def horizon(self) -> int:
        """Every sample before this one is settled: nothing placed later can sound there."""
        return self._horizon

    @property
    def timeline(self) -> Timeline:
        """What is placed so far, as a ``Timeline`` (the whole one once ``done``)."""
        with self._changed:
            if self._snapshot is None or self._snapshot[0] != self._version:
                estimated = self.estimate.duration if self.estimate is not None else 0
                shown = None if self.done else max(estimated, self._horizon)
                self._snapshot = (self._version, self._assembly.timeline(shown))
            return self._snapshot[1]

    def warnings(self) -> tuple[CompileWarning, ...]:
        """The warnings so far, each once."""
        with self._changed:
            return self._assembly.warnings()

    def settled(self, end: int) -> tuple[Sequence[Event], int | None]:
        """Wait until every sample before ``end`` is settled (or the session is placed); the
        events in time order (a list that only grows) and the length, if known.

        Raises what stopped the compile, if it failed.
        """
        with self._changed:
            while self._horizon < end and not self._ended:
                self._changed.wait()
            if self.error is not None:
                raise self.error
            return self._assembly.events, self._assembly.duration

    def ready(self, end: int) -> bool:
        """Whether the samples before ``end`` are settled, without waiting."""
        return self._horizon >= end or self._ended

    def wait(self, until: Callable[[Timeline], bool]) -> Timeline:
        """Wait until ``until(timeline)`` holds for what is placed, or all of it is placed;
        then the timeline. Raises what stopped the compile, if it failed."""
        with self._changed:
            while not self._ended and not until(self.timeline):
                self._changed.wait()
            if self.error is not None:
                raise self.error
        return self.timeline

    def whole(self) -> Timeline:
        """Wait for the whole session to be placed, and return it."""
        return self.wait(lambda timeline: False)

    def outline(self) -> Timeline:
        """The sets of the session, in order: the whole timeline once placed, else the
        estimate (the same sets, not at the same places), else the whole one, waited for."""
        if self.done or self.estimate is None:
            return self.whole()
        return self.estimate

    def later(self, texts: Iterable[str]) -> bool:
        """Make the audio of ``texts`` once the session is placed (phrases that may be
        wanted at any moment, such as the player's "Resuming."). False if the compile has
        already ended: then make them yourself."""
        with self._changed:
            if self._ended:
                return False
            self._later.extend(texts)
            return True

    def close(self, finish: bool = False) -> None:
        """Stop compiling (after the phrase being synthesized) and wait for the thread; with
        ``finish``, first let it make everything it was asked to, ``later`` phrases too."""
        if not finish:
            with self._changed:
                self._stop = True
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        assert self.workout is not None
        try:
            for item in compile_events(self.workout, self.speech):
                with self._changed:
                    if self._stop:
                        return
                    self._assembly.add(item)
                    if isinstance(item, Event):
                        self._horizon = max(self._horizon, item.end + self._gap)
                    elif self._assembly.duration is not None:
                        self._horizon = self._assembly.duration
                    self._version += 1
                    self._changed.notify_all()
            with self._changed:
                self._ended = True
                self._changed.notify_all()
            while True:
                with self._changed:
                    if self._stop or not self._later:
                        return
                    text = self._later.pop(0)
                self.speech.audio(text)
        except BaseException as error:  # handed to whoever waits on the timeline
            with self._changed:
                self.error = error
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()
