"""The file keys of progression and the plan: ranges and `progress:` in blocks,
`avoid_day_before` in exercises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voicecoach.files.load import load_workout
from voicecoach.model import ExerciseBlock, RepRange


def _blocks(write: Callable[[str, str], Path], body: str) -> list[ExerciseBlock]:
    workout = load_workout(str(write("w.yaml", "title: W\n" + body)))
    return [b for b in workout.blocks if isinstance(b, ExerciseBlock)]


def test_a_range_in_a_block_progresses_and_starts_at_its_bottom(
    write: Callable[[str, str], Path],
) -> None:
    (block,) = _blocks(write, "blocks:\n  - exercise: supine-march\n    reps: 6-9\n")
    assert block.progress == RepRange(6, 9)
    assert block.reps == 6


def test_a_fixed_number_of_reps_does_not_progress(write: Callable[[str, str], Path]) -> None:
    (block,) = _blocks(write, "blocks:\n  - exercise: supine-march\n    reps: 7\n")
    assert (block.reps, block.progress) == (7, None)


def test_progress_none_keeps_the_bottom_of_the_range(write: Callable[[str, str], Path]) -> None:
    text = "blocks:\n  - exercise: supine-march\n    reps: 6-9\n    progress: none\n"
    (block,) = _blocks(write, text)
    assert (block.reps, block.progress) == (6, None)


def test_progress_reps_without_reps_takes_the_exercises_range(
    write: Callable[[str, str], Path],
) -> None:
    (block,) = _blocks(write, "blocks:\n  - exercise: supine-march\n    progress: reps\n")
    assert (block.reps, block.progress) == (5, RepRange(5, 10))


def test_a_range_in_defaults_applies_to_every_block(write: Callable[[str, str], Path]) -> None:
    text = "defaults: {reps: 8-12}\nblocks:\n  - exercise: hip-hinge\n  - exercise: supine-march\n"
    assert [(b.reps, b.progress) for b in _blocks(write, text)] == [(8, RepRange(8, 12))] * 2


def test_avoid_day_before_is_read_in_order_without_repeats(
    write: Callable[[str, str], Path],
) -> None:
    text = (
        "exercises:\n  - id: jump\n    name: Jump\n    avoid_day_before: [race, long, race]\n"
        "blocks:\n  - exercise: jump\n"
    )
    (block,) = _blocks(write, text)
    assert block.exercise.avoid_day_before == ("race", "long")
