"""The pipeline: a workout name becomes everything show, check, play and export need.

    name --files.load--> Workout --voices--> Speech --compiler--> Timeline

``prepare`` is the one place that runs these stages in order, so what
``show`` prints is exactly what ``play`` plays and ``export`` writes; the
CLI, the benchmark, the tests and a script of your own all call it.
``prepare_live`` is the same pipeline with the compile left running in the
background, for ``play``: the first words are heard while the rest is
still being synthesized, and the timeline it ends with is the one
``prepare`` gives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from voicecoach.compiler.compile import CompileWarning, compile_report, compile_workout
from voicecoach.compiler.live import LiveTimeline, shortest
from voicecoach.env import SpeechOpener, open_real_speech
from voicecoach.errors import EngineError
from voicecoach.files.load import load_workout
from voicecoach.model import Timeline, VoiceSettings, Workout
from voicecoach.voices.base import EstimatedLengths, PhraseLengths, Speech
from voicecoach.voices.cache import PhraseCache


@dataclass(frozen=True, slots=True)
class Session:
    """A workout compiled for one voice: what it says, when, and the voice that says it."""

    workout: Workout
    timeline: Timeline
    lengths: PhraseLengths
    """Where the phrase lengths came from: the voice, or an estimate."""
    warnings: tuple[CompileWarning, ...] = field(default=())

    @property
    def speech(self) -> Speech:
        """The voice that speaks the session; an estimated session has none."""
        if isinstance(self.lengths, EstimatedLengths):
            raise EngineError(
                "this session was compiled with estimated phrase lengths and has no voice"
            )
        return cast(Speech, self.lengths)


def prepare(
    name: str | Path | Workout,
    voice: VoiceSettings | None = None,
    *,
    estimate: bool = False,
    cwd: Path | None = None,
    on_synth: Callable[[str], None] | None = None,
    open_speech: SpeechOpener | None = None,
    workers: int | None = 1,
) -> Session:
    """Load the workout ``name`` (a name or a path; or take a loaded one), open its voice
    and compile it.

    ``voice`` holds the command-line choices (engine, voice id, rate), which
    win over the workout's ``voice:`` and ``config.yaml``. With ``estimate``
    no engine is opened and phrase lengths are guessed. ``on_synth(text)``
    hears of each phrase the voice has to synthesize. ``open_speech`` is
    the environment's voice opener (the real one by default). ``workers``
    processes or threads synthesize the phrases a cold cache lacks as it is
    compiled (None: as many as help this engine, ``voices.workers.default_workers``).
    """
    workout = _workout(name, cwd)
    lengths: PhraseLengths
    if estimate:
        from voicecoach.voices import check_choice

        flags = voice or VoiceSettings()
        check_choice(workout.voice, flags.engine, flags.voice, flags.rate)
        lengths = EstimatedLengths()
    else:
        lengths = (open_speech or open_real_speech)(
            workout.voice, voice or VoiceSettings(), on_synth
        )
    ahead: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if isinstance(lengths, PhraseCache) and workers != 1:
        from voicecoach.voices.workers import ahead_of_compile, default_workers

        count = default_workers(lengths.engine.name) if workers is None else workers
        if count > 1:
            foreseen = _Noting(EstimatedLengths(lengths.sample_rate))
            kept = [e.text for e in compile_report(workout, foreseen).timeline.events]
            ahead = ahead_of_compile(lengths, foreseen.asked, count, sure=kept)
    with ahead:
        compiled = compile_report(workout, lengths)
    return Session(workout, compiled.timeline, lengths, compiled.warnings)


class _Noting:
    """Phrase lengths from ``inner``, noting every text the compile asks about: it measures
    phrases it does not keep (a count's word with its phase word, to see if it fits)."""

    def __init__(self, inner: PhraseLengths) -> None:
        self.inner = inner
        self.asked: dict[str, None] = {}
        """In the order the compile asked, first time only."""

    @property
    def sample_rate(self) -> int:
        return self.inner.sample_rate

    def length(self, text: str) -> int:
        self.asked.setdefault(text)
        return self.inner.length(text)


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A workout being compiled for its voice in the background (``timeline.start()``ed)."""

    workout: Workout
    speech: Speech
    timeline: LiveTimeline


def prepare_live(
    name: str | Path | Workout,
    voice: VoiceSettings | None = None,
    *,
    cwd: Path | None = None,
    open_speech: SpeechOpener | None = None,
) -> LiveSession:
    """Load the workout and open its voice like ``prepare``, and start compiling it on a
    background thread; ``close()`` the timeline when done with it.

    The timeline's estimate (the workout compiled with estimated lengths)
    gives the sets and a first idea of the length at once.
    """
    workout = _workout(name, cwd)
    # A PhraseCache, which the compile, the render and the keys' threads can share.
    speech = (open_speech or open_real_speech)(workout.voice, voice or VoiceSettings(), None)
    estimate = compile_workout(workout, EstimatedLengths(speech.sample_rate))
    floor = shortest(workout, speech.sample_rate)
    timeline = LiveTimeline(workout, speech, estimate, floor)
    return LiveSession(workout, speech, timeline.start())


def _workout(name: str | Path | Workout, cwd: Path | None) -> Workout:
    return name if isinstance(name, Workout) else load_workout(str(name), cwd)
