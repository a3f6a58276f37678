"""What a day's session is, from the plan and the log: the names ``today`` and ``tomorrow``,
today's reps and today's notes. The date always comes in as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.load import load_workout
from voicecoach.files.plan import builtin_plan_path, find_plan, load_plan
from voicecoach.model import Plan, Workout
from voicecoach.plan.progression import exercise_blocks, progress
from voicecoach.plan.week import caution_notes, day_on, next_workout_day, run_after
from voicecoach.player.history import ExerciseRow, History

DAY_NAMES = ("today", "tomorrow")


@dataclass(frozen=True, slots=True)
class PlanInUse:
    plan: Plan
    builtin: bool
    """No plan of the user's was found: this is the built-in example."""


def user_plan(cwd: Path, given: str | None = None) -> Plan | None:
    """The user's plan (``--plan``, ``workouts/plan.yaml``, the config folder), if there is one."""
    path = find_plan(cwd, given)
    return load_plan(path, cwd) if path is not None else None


def plan_in_use(cwd: Path, given: str | None = None) -> PlanInUse:
    """The user's plan, or the built-in example when there is none."""
    plan = user_plan(cwd, given)
    if plan is not None:
        return PlanInUse(plan, builtin=False)
    return PlanInUse(load_plan(builtin_plan_path(), cwd), builtin=True)


def spoken_date(when: date) -> str:
    """``Tuesday 1 December``."""
    return f"{when:%A} {when.day} {when:%B}"


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a workout name means on a date: the workout to load, or why there is none."""

    workout: str | None
    when: date
    message: str | None = None


def resolve(name: str, plan: Plan | None, today: date) -> Resolved:
    """``today`` and ``tomorrow`` through the plan; any other name as it is."""
    if name not in DAY_NAMES:
        return Resolved(name, today)
    assert plan is not None
    when = today + timedelta(days=DAY_NAMES.index(name))
    day = day_on(plan, when).day
    if day.kind == "workout":
        return Resolved(day.workout, when)
    what = f"a {day.run} run day" if day.kind == "run" else "a rest day"
    message = f"{name.capitalize()} ({spoken_date(when)}) is {what} in the plan: nothing to play."
    upcoming = next_workout_day(plan, when)
    if upcoming is not None and upcoming.day.workout is not None:
        shown = upcoming.day.workout
        message += (
            f"\nNext workout: {spoken_date(upcoming.date)}, {Path(shown).stem}"
            f" (voicecoach play {shown})"
        )
    return Resolved(None, when, message)


def for_the_day(
    when: date, plan: Plan | None, rows_for: Callable[[str], Sequence[ExerciseRow]]
) -> Callable[[Workout], Workout]:
    """The change a workout gets before it is compiled for ``when``: each range at today's
    reps from its logged sessions, and the intro's notes (what changed, and the caution
    for an exercise the day before a run it should not come before)."""

    def adjust(workout: Workout) -> Workout:
        ranged = any(b.progress is not None for b in exercise_blocks(workout.blocks))
        today = progress(workout, rows_for(workout.name) if ranged else [])
        run = run_after(plan, when) if plan is not None else None
        notes = workout.notes + today.notes + caution_notes(workout, run)
        return replace(today.workout, notes=notes)

    return adjust


@dataclass(frozen=True, slots=True)
class DaySession:
    """What to play for a name on a day: the workout at today's reps, or why there is none."""

    workout: Workout | None
    message: str | None = None


def session_for(
    name: str,
    *,
    cwd: Path,
    today: date,
    plan_path: str | None = None,
    history: History | None = None,
    warn: Callable[[str], None] = lambda text: None,
    resume: bool = False,
) -> DaySession:
    """The workout ``name`` means on ``today`` (``today`` and ``tomorrow`` through the plan),
    loaded and at the reps its next session asks for, with the intro's notes. A plan that
    cannot be read stops ``today`` and ``tomorrow``, but only warns for a plain name."""
    plan: Plan | None
    if name in DAY_NAMES:
        plan = plan_in_use(cwd, plan_path).plan
    else:
        try:
            plan = user_plan(cwd, plan_path)
        except InputError as error:
            if plan_path is not None:
                raise
            warn(f"warning: the plan is not used: {error}")
            plan = None
    resolved = resolve(name, plan, today)
    if resolved.workout is None:
        return DaySession(None, resolved.message)
    workout = load_workout(resolved.workout, cwd)
    return DaySession(for_the_day(resolved.when, plan, log_rows(history, warn, resume))(workout))


def log_rows(
    history: History | None, warn: Callable[[str], None], resume: bool = False
) -> Callable[[str], list[ExerciseRow]]:
    """Each workout's logged sessions, for progression; a log that cannot be read warns once
    and gives none, so every range starts from its bottom. With ``resume``, the session
    being resumed is left out: it asks again what it first asked."""
    warned: list[str] = []

    def rows_for(workout: str) -> list[ExerciseRow]:
        if history is None or warned:
            return []
        try:
            rows = history.exercise_log(workout)
        except VoicecoachError as error:
            warned.append(str(error))
            warn(f"warning: {error} Each range starts from its bottom.")
            return []
        if not resume:
            return rows
        try:
            found = history.resumable(workout)
        except VoicecoachError:
            return rows  # the resume itself says what is wrong, right after
        return [r for r in rows if found is None or r.session != found[0].id]

    return rows_for
