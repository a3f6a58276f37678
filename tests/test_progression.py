"""Progression over a sequence of logged sessions: finished, quit, skipped, hard, and at
the top of a range with and without a weight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from voicecoach.compiler.compile import compile_workout
from voicecoach.files.load import load_workout
from voicecoach.model import ExerciseBlock, Workout
from voicecoach.plan.progression import asked_of, exercise_blocks, progress
from voicecoach.player.history import ExerciseRow
from voicecoach.voices.base import EstimatedLengths

WORKOUT = """
title: Legs
exercises:
  - id: goblet-squat
    name: Goblet squat
    equipment: [kettlebell]
    tempo: 1-0-1-0
  - id: bridge
    name: Bridge
    tempo: 1-0-1-0
    variants: [Easier with both feet down., One leg at a time.]
  - id: wall-sit
    name: Wall sit
    hold: 30s
blocks:
  - exercise: goblet-squat
    sets: 2
    reps: 6-8
  - exercise: bridge
    sets: 2
    reps: 10-12
  - exercise: wall-sit
    sets: 2
"""


@pytest.fixture
def legs(write: Callable[[str, str], Path]) -> Workout:
    return load_workout(str(write("legs.yaml", WORKOUT)))


class Log:
    """Sessions as the log gives them back, one exercise row each, built up session by session."""

    def __init__(self) -> None:
        self.rows: list[ExerciseRow] = []
        self.session = 0

    def played(self, workout: Workout, outcome: str = "finished", **how: tuple[int, int]) -> None:
        """Log a session of ``workout`` as asked today; ``how[exercise] = (done, hard)``."""
        self.session += 1
        today = progress(workout, self.rows).workout
        for block in exercise_blocks(today.blocks):
            done, hard = how.get(block.exercise.id.replace("-", "_"), (block.sets, 0))
            span = block.progress
            self.rows.append(
                ExerciseRow(
                    self.session, workout.name, f"2026-11-{self.session:02}T07:00:00+00:00",
                    outcome, block.exercise.id, block.exercise.name, block.sets, block.reps,
                    None, span.low if span else None, span.high if span else None,
                    done, block.sets - done, hard,
                )
            )  # fmt: skip


def reps(workout: Workout, log: Log) -> dict[str, int | None]:
    return {
        b.exercise.id: b.reps for b in exercise_blocks(progress(workout, log.rows).workout.blocks)
    }


def notes(workout: Workout, log: Log) -> tuple[str, ...]:
    return progress(workout, log.rows).notes


def test_a_first_session_asks_for_the_bottom_and_says_nothing(legs: Workout) -> None:
    log = Log()
    assert reps(legs, log) == {"goblet-squat": 6, "bridge": 10, "wall-sit": None}
    assert notes(legs, log) == ()


def test_each_finished_session_adds_a_rep_and_says_so(legs: Workout) -> None:
    log = Log()
    log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 7
    assert notes(legs, log) == (
        "Goblet squat: seven reps today, one more than last time",
        "Bridge: eleven reps today, one more than last time",
    )
    log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 8


def test_a_quit_or_skipped_block_holds_its_reps(legs: Workout) -> None:
    log = Log()
    log.played(legs)
    log.played(legs, outcome="quit", goblet_squat=(1, 0), bridge=(0, 0))
    assert reps(legs, log) == {"goblet-squat": 7, "bridge": 11, "wall-sit": None}
    assert notes(legs, log)[0] == "Goblet squat: seven reps again, to finish them this time"
    log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 8


def test_a_set_marked_hard_holds_the_block_even_when_every_set_was_done(legs: Workout) -> None:
    log = Log()
    log.played(legs, goblet_squat=(2, 1))
    assert reps(legs, log) == {"goblet-squat": 6, "bridge": 11, "wall-sit": None}
    assert notes(legs, log)[0] == "Goblet squat: six reps again; last time was hard"


def test_at_the_top_with_a_weight_take_a_heavier_one_and_go_back_to_the_bottom(
    legs: Workout,
) -> None:
    log = Log()
    for _ in range(3):
        log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 6
    assert notes(legs, log)[0] == (
        "Goblet squat: you reached eight last time: take a heavier kettlebell; back to six"
    )
    log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 7


def test_at_the_top_without_a_weight_stay_there_and_name_a_harder_variant(legs: Workout) -> None:
    log = Log()
    for _ in range(3):
        log.played(legs)
    assert reps(legs, log)["bridge"] == 12
    assert notes(legs, log)[1] == (
        "Bridge: you reached twelve last time, the top of the range: twelve again, "
        "or make it harder: one leg at a time"
    )


def test_a_range_edited_since_is_met_where_the_log_left_off(
    legs: Workout, write: Callable[[str, str], Path]
) -> None:
    log = Log()
    log.played(legs)  # asked 6 and 10
    narrower = load_workout(str(write("legs.yaml", WORKOUT.replace("6-8", "8-12"))))
    assert reps(narrower, log)["goblet-squat"] == 9


def test_other_workouts_sessions_do_not_count(legs: Workout) -> None:
    log = Log()
    log.played(legs)
    assert reps(legs, log)["goblet-squat"] == 7
    log.rows = [replace(r, workout="friday") for r in log.rows]
    assert reps(legs, log)["goblet-squat"] == 6


def test_a_circuits_range_progresses_too(lengths: EstimatedLengths) -> None:
    friday = load_workout("friday")
    log = Log()
    log.played(friday)
    today = progress(friday, log.rows).workout
    march = [b for b in exercise_blocks(today.blocks) if b.exercise.id == "supine-march"]
    assert [b.reps for b in march] == [6]
    timeline = compile_workout(today, lengths)
    assert "Supine march: six reps today, one more than last time." not in [
        e.text for e in timeline.events
    ]  # notes are the caller's to add to the intro; progress only computes them
    asked = {a.exercise: a for a in asked_of(today, timeline)}
    assert (asked["supine-march"].sets, asked["supine-march"].reps) == (3, 6)
    assert (asked["supine-march"].low, asked["supine-march"].high) == (5, 10)


def test_what_a_session_asks_counts_each_side_as_a_set(lengths: EstimatedLengths) -> None:
    monday = load_workout("monday")
    timeline = compile_workout(monday, lengths)
    asked = {a.exercise: (a.sets, a.reps, a.low, a.high) for a in asked_of(monday, timeline)}
    assert asked == {
        "hip-hinge": (1, 8, None, None),
        "staggered-stance-rdl": (6, 6, 6, 12),
        "supine-march": (3, 5, 5, 10),
    }
    assert all(isinstance(b, ExerciseBlock) for b in exercise_blocks(monday.blocks))
