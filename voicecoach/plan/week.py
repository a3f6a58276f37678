"""The plan's days against the calendar: this week, today, the next workout day, and the
long-run rule (an exercise that should not come the day before a long run or a race).

Every function takes the date it is about; none reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from voicecoach.model import Exercise, Plan, PlanDay, RunKind, Where, Workout
from voicecoach.plan.progression import exercise_blocks
from voicecoach.units import lowercase_first


@dataclass(frozen=True, slots=True)
class Dated:
    """A plan day on a date."""

    date: date
    day: PlanDay


def day_on(plan: Plan, when: date) -> Dated:
    return Dated(when, plan.days[when.weekday()])


def week_of(plan: Plan, when: date) -> list[Dated]:
    """The seven days of the week (Monday first) that holds ``when``."""
    monday = when - timedelta(days=when.weekday())
    return [day_on(plan, monday + timedelta(days=i)) for i in range(7)]


def next_workout_day(plan: Plan, after: date) -> Dated | None:
    """The first workout day after ``after`` (within a week), or None in a plan without one."""
    for offset in range(1, 8):
        found = day_on(plan, after + timedelta(days=offset))
        if found.day.kind == "workout":
            return found
    return None


def run_after(plan: Plan, when: date) -> RunKind | None:
    """The kind of run the plan has the day after ``when``, if it has one."""
    tomorrow = day_on(plan, when + timedelta(days=1)).day
    return tomorrow.run if tomorrow.kind == "run" else None


@dataclass(frozen=True, slots=True)
class RunWarning:
    """A workout day that holds an exercise the day before a run it should not come before."""

    where: Where | None
    weekday: str
    workout: str
    exercise: str
    run: RunKind
    next_weekday: str
    caution: str | None

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        caution = f" {self.caution}" if self.caution else ""
        return (
            f"{place}warning: {self.weekday}: `{self.workout}` has {self.exercise} the day "
            f"before the {self.run} run on {self.next_weekday}.{caution}"
        )


def run_warnings(plan: Plan, workouts: Mapping[str, Workout]) -> list[RunWarning]:
    """Each workout day, by the weekly plan, that comes the day before a run which one of its
    exercises should not come before (Sunday's workout comes before Monday's run)."""
    found = []
    for index, day in enumerate(plan.days):
        after = plan.days[(index + 1) % 7]
        if day.kind != "workout" or after.kind != "run" or after.run is None:
            continue
        workout = workouts.get(day.workout or "")
        if workout is None:
            continue
        for exercise in avoided_before(workout, after.run):
            found.append(
                RunWarning(
                    day.where,
                    day.weekday,
                    workout.name,
                    exercise.name,
                    after.run,
                    after.weekday,
                    exercise.caution,
                )
            )
    return found


def avoided_before(workout: Workout, run: RunKind) -> list[Exercise]:
    """The workout's exercises that should not come the day before a ``run``, once each."""
    seen: dict[str, Exercise] = {}
    for block in exercise_blocks(workout.blocks):
        if run in block.exercise.avoid_day_before:
            seen.setdefault(block.exercise.id, block.exercise)
    return list(seen.values())


def caution_notes(workout: Workout, run: RunKind | None) -> tuple[str, ...]:
    """What the intro says when the plan has ``run`` the next day and the workout holds an
    exercise that should not come before it."""
    if run is None:
        return ()
    notes = []
    for exercise in avoided_before(workout, run):
        caution = lowercase_first(
            exercise.caution or f"Go easy on the {exercise.name.lower()}, or leave it out."
        )
        notes.append(f"Tomorrow is your {run} run, by the plan. {exercise.name}: {caution}")
    return tuple(notes)
