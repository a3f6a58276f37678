"""Today's reps from the session log: a pure function from logged sessions to a workout.

A range in a workout block is a progression. The first session asks for
the bottom of the range; after a session in which every set of that block
was finished (none skipped, none quit before, none marked hard), the next
asks for one rep more per set, up to the top. After a finished session at
the top, an exercise with a weight in its equipment goes back to the
bottom with a heavier weight; one without stays at the top and names a
harder variant where it has one. What changed is said in the intro.

Progression follows an exercise within one workout: ``monday``'s deadlifts
and ``friday``'s are counted apart, and an exercise in two blocks of one
workout moves as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from voicecoach.model import (
    Block,
    CircuitBlock,
    Exercise,
    ExerciseBlock,
    RepRange,
    Timeline,
    Workout,
)
from voicecoach.player.history import Asked, ExerciseRow
from voicecoach.units import lowercase_first, number_words

WEIGHTS = ("dumbbell", "kettlebell", "barbell", "weight plate")
"""Equipment that comes in heavier sizes: at the top of a range, take a heavier one."""

_EASIER = re.compile(r"\b(easier|too hard|too difficult|simpler|gentler|regress)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Progression:
    """Where one exercise's range stands today, and what the intro says about it."""

    exercise: str
    name: str
    range: RepRange
    reps: int
    last: int | None
    """The reps the last session asked for, or None for a first session."""
    note: str | None


@dataclass(frozen=True, slots=True)
class Today:
    """A workout with today's reps in its blocks and today's notes for its intro."""

    workout: Workout
    progressions: tuple[Progression, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(p.note for p in self.progressions if p.note)


def exercise_blocks(blocks: Iterable[Block]) -> list[ExerciseBlock]:
    """Every exercise block, those inside circuits included, in order."""
    found: list[ExerciseBlock] = []
    for block in blocks:
        if isinstance(block, CircuitBlock):
            found += exercise_blocks(block.blocks)
        elif isinstance(block, ExerciseBlock):
            found.append(block)
    return found


def progress(workout: Workout, log: Sequence[ExerciseRow]) -> Today:
    """``workout`` with each range at today's reps, from ``log`` (any order of sessions)."""
    ranges: dict[str, ExerciseBlock] = {}
    for block in exercise_blocks(workout.blocks):
        if block.progress is not None:
            ranges.setdefault(block.exercise.id, block)
    rows = sorted(
        (r for r in log if r.workout == workout.name and r.reps is not None),
        key=lambda r: r.session,
    )
    progressions = []
    for exercise_id, block in ranges.items():
        assert block.progress is not None
        last = next((r for r in reversed(rows) if r.exercise == exercise_id), None)
        progressions.append(step(block.exercise, block.progress, last))
    today = {p.exercise: p.reps for p in progressions}
    blocks = tuple(_with_reps(b, today) for b in workout.blocks)
    return Today(replace(workout, blocks=blocks), tuple(progressions))


def step(exercise: Exercise, span: RepRange, last: ExerciseRow | None) -> Progression:
    """Today's reps for ``exercise`` in ``span``, after the session ``last`` (if any)."""
    name = exercise.name

    def made(reps: int, note: str | None) -> Progression:
        asked = last.reps if last is not None else None
        return Progression(exercise.id, name, span, reps, asked, note)

    if last is None or last.reps is None:
        return made(span.low, None)
    before = min(max(last.reps, span.low), span.high)
    said = number_words(before)
    if last.hard:
        return made(before, f"{name}: {said} reps again; last time was hard")
    finished = last.sets is not None and last.done >= last.sets
    if not finished:
        return made(before, f"{name}: {said} reps again, to finish them this time")
    if before < span.high:
        return made(
            before + 1, f"{name}: {number_words(before + 1)} reps today, one more than last time"
        )
    weight = heavier(exercise)
    if weight is not None:
        return made(
            span.low,
            f"{name}: you reached {said} last time: take a heavier {weight}; "
            f"back to {number_words(span.low)}",
        )
    variant = harder_variant(exercise)
    tail = f", or make it harder: {lowercase_first(variant.rstrip('.'))}" if variant else ""
    return made(
        span.high, f"{name}: you reached {said} last time, the top of the range: {said} again{tail}"
    )


def heavier(exercise: Exercise) -> str | None:
    """The weight in the exercise's equipment that comes heavier, if any: ``dumbbell``."""
    for item in exercise.equipment:
        for weight in WEIGHTS:
            if weight in item.lower():
                return weight
    return None


def harder_variant(exercise: Exercise) -> str | None:
    """The first of the exercise's variants that does not read as an easier one."""
    return next((v for v in exercise.variants if not _EASIER.search(v)), None)


def asked_of(workout: Workout, timeline: Timeline) -> list[Asked]:
    """What a session of ``workout`` asks of each exercise, for the log: its sets (each side
    counted, as the timeline's sets are), reps or hold, and range."""
    blocks: dict[str, ExerciseBlock] = {}
    for block in exercise_blocks(workout.blocks):
        known = blocks.get(block.exercise.id)
        if known is None or (known.progress is None and block.progress is not None):
            blocks[block.exercise.id] = block
    counts: dict[str, int] = {}
    for set_span in timeline.sets:
        counts[set_span.exercise] = counts.get(set_span.exercise, 0) + 1
    asked = []
    for exercise_id, sets in counts.items():
        found = blocks.get(exercise_id)
        if found is None:
            continue
        span = found.progress
        asked.append(
            Asked(
                exercise_id,
                found.exercise.name,
                sets,
                reps=found.reps,
                hold_s=found.hold_ms / 1000 if found.hold_ms is not None else None,
                low=span.low if span else None,
                high=span.high if span else None,
            )
        )
    return asked


def _with_reps(block: Block, today: dict[str, int]) -> Block:
    if isinstance(block, CircuitBlock):
        inner = tuple(
            _exercise_with_reps(b, today) if isinstance(b, ExerciseBlock) else b
            for b in block.blocks
        )
        return replace(block, blocks=inner)
    if isinstance(block, ExerciseBlock):
        return _exercise_with_reps(block, today)
    return block


def _exercise_with_reps(block: ExerciseBlock, today: dict[str, int]) -> ExerciseBlock:
    span = block.progress
    if span is None:
        return block
    return replace(
        block, reps=min(max(today.get(block.exercise.id, span.low), span.low), span.high)
    )


__all__ = ["Progression", "Today", "asked_of", "exercise_blocks", "progress", "step"]
