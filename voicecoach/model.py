"""The frozen values every stage passes on: exercises, workouts and timelines.

Durations read from files are kept as integer milliseconds; positions in a
timeline are integer samples at the timeline's sample rate. Nothing here is
ever a float that accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["right", "left"]
SideMode = Literal["none", "each", "alternate"]
CountMode = Literal["tempo", "reps", "quiet"]
RunKind = Literal["easy", "long", "tempo", "intervals", "race"]
ProgressMode = Literal["reps", "none"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DayKind = Literal["workout", "rest", "run"]

SIDE_MODES: tuple[SideMode, ...] = ("none", "each", "alternate")
COUNT_MODES: tuple[CountMode, ...] = ("tempo", "reps", "quiet")
SIDES: tuple[Side, ...] = ("right", "left")
RUN_KINDS: tuple[RunKind, ...] = ("easy", "long", "tempo", "intervals", "race")
PROGRESS_MODES: tuple[ProgressMode, ...] = ("reps", "none")
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a value was written: a file and a 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a value was written and the line that holds it, so that a later stage
    (the voice engine, long after the file is closed) can point at it in a message."""

    where: Where
    line: str
    width: int = 1


@dataclass(frozen=True, slots=True)
class RepRange:
    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class Step:
    """One timed part of a rep: words spoken at its start, then its length."""

    say: str
    ms: int


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds of each phase, as milliseconds; ``explosive`` means the lift was ``X``."""

    lower: int
    bottom: int
    lift: int
    top: int
    explosive: bool = False

    def __str__(self) -> str:
        def part(ms: int) -> str:
            return str(ms // 1000) if ms % 1000 == 0 else f"{ms / 1000:g}"

        lift = "X" if self.explosive else part(self.lift)
        return f"{part(self.lower)}-{part(self.bottom)}-{lift}-{part(self.top)}"


@dataclass(frozen=True, slots=True)
class Phases:
    """The words that name the four tempo phases."""

    lower: str = "Down"
    bottom: str = "Hold"
    lift: str = "Up"
    top: str = "Hold"


DEFAULT_TEMPO = Tempo(2000, 0, 2000, 0)


@dataclass(frozen=True, slots=True)
class Exercise:
    """A cue list: how to set up, how one rep goes, what to remind and warn."""

    id: str
    name: str
    path: str = "<built-in>"
    source: str | None = None
    muscles: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    category: str | None = None
    sides: SideMode = "none"
    first_side: Side = "right"
    limb: str = "side"
    reps: RepRange | None = None
    tempo: Tempo | None = None
    phases: Phases = field(default_factory=Phases)
    rep: tuple[Step, ...] | None = None
    hold_ms: int | None = None
    setup: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    caution: str | None = None
    variants: tuple[str, ...] = ()
    about: str | None = None
    avoid_day_before: tuple[RunKind, ...] = ()
    """Runs (by kind) this exercise should not come the day before: the plan warns."""

    @property
    def is_hold(self) -> bool:
        return self.hold_ms is not None


@dataclass(frozen=True, slots=True)
class ExerciseBlock:
    """Sets of one exercise, with everything the workout overrides resolved."""

    exercise: Exercise
    sets: int
    reps: int | None
    hold_ms: int | None
    steps: tuple[Step, ...]
    rest_ms: int
    side_rest_ms: int
    count: CountMode
    where: Where | None = None
    progress: RepRange | None = None
    """The range the block progresses through, session by session; ``reps`` is today's."""


@dataclass(frozen=True, slots=True)
class SayBlock:
    text: str
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class RestBlock:
    ms: int
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class CircuitBlock:
    rounds: int
    rest_ms: int
    blocks: tuple[ExerciseBlock | SayBlock | RestBlock, ...]
    where: Where | None = None


Block = ExerciseBlock | SayBlock | RestBlock | CircuitBlock


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """Which voice speaks: engine name, voice id and speaking rate, each optional."""

    engine: str | None = None
    voice: str | None = None
    rate: int | None = None
    voice_at: Spot | None = field(default=None, compare=False)
    """Where ``voice`` was written, when a file named it: the engine's "no such voice"
    points there."""


@dataclass(frozen=True, slots=True)
class MusicChoice:
    """Music named in a file: the path as written, resolved against the file's folder."""

    path: str
    written: str
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Workout:
    name: str
    title: str
    path: str
    blocks: tuple[Block, ...]
    about: str | None = None
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    notes: tuple[str, ...] = ()
    """Sentences for today only, spoken in the intro after the title and ``about``: what the
    progression changed, a caution for tomorrow's run. Never read from the file."""
    music: MusicChoice | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One spoken prompt at an exact sample.

    ``beat`` marks prompts tied to a beat (counts, countdowns, each rep's
    first word): their start is fixed, and the renderer may add a tone there.
    """

    start: int
    end: int
    kind: str
    text: str
    exercise: str | None = None
    set: int | None = None
    side: Side | None = None
    rep: int | None = None
    round: int | None = None
    """The circuit round (1-based), or None outside a circuit."""
    beat: bool = False


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SetSpan:
    """One set (or one side of it) as the player navigates: from its announcement to its end."""

    index: int
    exercise: str
    name: str
    set: int
    sets: int
    side: Side | None
    start: int
    end: int
    chapter: int
    round: int | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    title: str
    sample_rate: int
    duration: int
    chapters: tuple[Chapter, ...]
    events: tuple[Event, ...]
    sets: tuple[SetSpan, ...] = ()
    workout: str = ""

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate


@dataclass(frozen=True, slots=True)
class PlanDay:
    """One day of the week in a plan: a workout, a rest day or a run."""

    weekday: Weekday
    kind: DayKind = "rest"
    workout: str | None = None
    """As ``play`` takes it: a name, or a path (made absolute from the plan's folder)."""
    run: RunKind | None = None
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A week of training that repeats: seven days, Monday first."""

    title: str | None
    path: str
    days: tuple[PlanDay, ...]
