"""A first ``plan.yaml``: the workouts named spread over the week, a long run on Sunday,
and a comment on every line that can be changed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voicecoach.errors import InputError
from voicecoach.files.load import find_workout
from voicecoach.model import WEEKDAYS

SPREAD = {
    1: ("wednesday",),
    2: ("tuesday", "thursday"),
    3: ("monday", "wednesday", "friday"),
    4: ("monday", "tuesday", "thursday", "friday"),
    5: ("monday", "tuesday", "wednesday", "thursday", "friday"),
    6: ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"),
}
"""Where n workouts go, Sunday kept for the long run and Saturday free when it can be."""

DEFAULT_WORKOUTS = ("monday", "wednesday", "friday")


def new_plan(workouts: Sequence[str], title: str | None, cwd: Path) -> str:
    """The text of a plan for ``workouts`` (the built-in three when none is given)."""
    chosen = list(workouts) or list(DEFAULT_WORKOUTS)
    if len(chosen) > len(SPREAD):
        raise InputError(
            f"{len(chosen)} workouts do not fit a week with a long run; give at most {len(SPREAD)}"
        )
    for name in chosen:
        find_workout(name, cwd)  # an unknown name gets the loader's "did you mean"
    days = dict(zip(SPREAD[len(chosen)], chosen, strict=True))
    lines = [
        "# A week of training: voicecoach plan prints it, voicecoach play today plays today's.",
        f"title: {title or 'My week'}",
        "week:                       # monday ... sunday; a day not named is a rest day",
    ]
    for weekday in WEEKDAYS:
        if weekday in days:
            entry, note = days[weekday], "a workout name, or a path to one"
        elif weekday == "sunday":
            entry, note = "{run: long}", "a run: easy, long, tempo, intervals or race"
        else:
            entry, note = "rest", "rest, a workout, or a run like {run: easy}"
        lines.append(f"  {weekday + ':':<11}{entry:<16}# {note}")
    return "\n".join(lines) + "\n"
