"""How ``plan`` and ``progress`` print: the week as text or JSON, and each exercise's
sessions as a table with a chart of its volume (drawn by plotext)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from voicecoach.model import CircuitBlock, ExerciseBlock, Plan, Workout
from voicecoach.plan.progression import Today, exercise_blocks
from voicecoach.plan.week import Dated, RunWarning
from voicecoach.player.history import ExerciseRow

CHART_SESSIONS = 12
"""The chart shows this many of an exercise's latest sessions; the table lists them all."""


def amount(block: ExerciseBlock) -> str:
    """``3 x 7 each leg (6-12)``, ``2 x 30s``."""
    if block.hold_ms is not None:
        return f"{block.sets} x {block.hold_ms / 1000:g}s"
    ex = block.exercise
    sides = f" each {ex.limb}" if ex.sides != "none" else ""
    span = f" ({block.progress})" if block.progress is not None else ""
    return f"{block.sets} x {block.reps}{sides}{span}"


def _blocks_once(workout: Workout) -> list[ExerciseBlock]:
    """Each exercise block once: a circuit's blocks are listed once, not once per round."""
    return exercise_blocks(workout.blocks)


@dataclass(frozen=True, slots=True)
class WeekView:
    plan: Plan
    builtin: bool
    week: Sequence[Dated]
    today: date
    sessions: Mapping[str, Today]
    """Each workout the week names, at the reps its next session asks for."""
    warnings: Sequence[RunWarning]


def week_text(view: WeekView) -> str:
    lines = []
    title = view.plan.title or "Your plan"
    if view.builtin:
        lines.append(f"{title} (the built-in example: make your own with `voicecoach new plan`)")
    else:
        lines.append(f"{title} ({view.plan.path})")
    lines.append(f"Week of {view.week[0].date:%A} {view.week[0].date.isoformat()}")
    lines.append("")
    for dated in view.week:
        mark = ">" if dated.date == view.today else " "
        head = f"{mark} {dated.date:%a} {dated.date.isoformat()}  "
        day = dated.day
        tag = "   <- today" if dated.date == view.today else ""
        if day.kind == "rest":
            lines.append(f"{head}rest{tag}")
        elif day.kind == "run":
            lines.append(f"{head}{day.run} run{tag}")
        else:
            session = view.sessions[day.workout or ""]
            workout = session.workout
            lines.append(f"{head}{workout.name:<12} {workout.title}{tag}")
            for block in workout.blocks:
                if isinstance(block, CircuitBlock):
                    lines.append(f"{'':18}A circuit, {block.rounds} rounds:")
                    for inner in block.blocks:
                        if isinstance(inner, ExerciseBlock):
                            lines.append(f"{'':20}{inner.exercise.name:<36} {amount(inner)}")
                elif isinstance(block, ExerciseBlock):
                    lines.append(f"{'':18}{block.exercise.name:<38} {amount(block)}")
    if view.warnings:
        lines.append("")
        lines += [str(w) for w in view.warnings]
    return "\n".join(lines) + "\n"


def week_json(view: WeekView) -> dict[str, Any]:
    days = []
    for dated in view.week:
        day = dated.day
        entry: dict[str, Any] = {
            "date": dated.date.isoformat(),
            "weekday": day.weekday,
            "today": dated.date == view.today,
            "kind": day.kind,
            "run": day.run,
            "workout": None,
        }
        if day.kind == "workout":
            session = view.sessions[day.workout or ""]
            notes = {p.exercise: p.note for p in session.progressions}
            entry["workout"] = {
                "name": session.workout.name,
                "title": session.workout.title,
                "path": session.workout.path,
                "blocks": [
                    {
                        "exercise": b.exercise.id,
                        "name": b.exercise.name,
                        "sets": b.sets,
                        "reps": b.reps,
                        "hold_s": b.hold_ms / 1000 if b.hold_ms is not None else None,
                        "range": str(b.progress) if b.progress else None,
                        "note": notes.get(b.exercise.id),
                    }
                    for b in _blocks_once(session.workout)
                ],
            }
        days.append(entry)
    return {
        "title": view.plan.title,
        "path": view.plan.path,
        "builtin": view.builtin,
        "days": days,
        "warnings": [str(w) for w in view.warnings],
    }


def volume(row: ExerciseRow) -> float | None:
    """What was done: sets done times reps (or seconds held); None when the log does not say."""
    if row.reps is not None:
        return row.done * row.reps
    if row.hold_s is not None:
        return row.done * row.hold_s
    return None


def by_exercise(rows: Sequence[ExerciseRow]) -> dict[str, list[ExerciseRow]]:
    """Each exercise's sessions, oldest first, exercises in the order they were first done."""
    found: dict[str, list[ExerciseRow]] = {}
    for row in sorted(rows, key=lambda r: (r.session, r.exercise)):
        found.setdefault(row.exercise, []).append(row)
    return found


def progress_json(rows: Sequence[ExerciseRow]) -> list[dict[str, Any]]:
    return [
        {
            "exercise": exercise,
            "name": sessions[-1].name,
            "sessions": [
                {
                    "session": r.session,
                    "date": r.date,
                    "workout": r.workout,
                    "outcome": r.outcome,
                    "sets": r.sets,
                    "sets_done": r.done,
                    "sets_skipped": r.skipped,
                    "sets_hard": r.hard,
                    "reps": r.reps,
                    "hold_s": r.hold_s,
                    "range": f"{r.low}-{r.high}" if r.low is not None else None,
                    "volume": volume(r),
                }
                for r in sessions
            ],
        }
        for exercise, sessions in by_exercise(rows).items()
    ]


def progress_text(rows: Sequence[ExerciseRow], width: int = 80) -> str:
    parts = []
    for sessions in by_exercise(rows).values():
        parts.append(_exercise_text(sessions, width))
    return "\n".join(parts)


def _exercise_text(sessions: Sequence[ExerciseRow], width: int) -> str:
    latest = sessions[-1]
    held = latest.hold_s is not None and latest.reps is None
    each, total = ("hold", "seconds") if held else ("reps/set", "total")
    lines = [f"{latest.name} ({latest.exercise})"]
    lines.append(f"  {'date':<10}  {'workout':<12} {'sets done':<10} {each:<9} {total:<7} hard")
    for r in sessions:
        planned = str(r.sets) if r.sets is not None else "?"
        per_set = (
            f"{r.reps}"
            if r.reps is not None
            else (f"{r.hold_s:g}s" if r.hold_s is not None else "-")
        )
        amount_done = volume(r)
        done_text = f"{amount_done:g}" if amount_done is not None else "-"
        hard = str(r.hard) if r.hard else ""
        ended = "" if r.outcome == "finished" else f"  ({r.outcome})"
        lines.append(
            f"  {r.date:<10}  {r.workout:<12} {f'{r.done}/{planned}':<10} {per_set:<9} "
            f"{done_text:<7} {hard}{ended}".rstrip()
        )
    charted = [(r, volume(r)) for r in sessions if volume(r) is not None][-CHART_SESSIONS:]
    if charted:
        lines.append("")
        title = f"{'seconds held' if held else 'reps done'} per session"
        lines += ["  " + line for line in volume_chart(charted, title, width - 2).splitlines()]
    return "\n".join(lines) + "\n"


def volume_chart(points: Sequence[tuple[ExerciseRow, float | None]], title: str, width: int) -> str:
    """A bar per session, labelled with its date and its volume, drawn by plotext."""
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.plot_size(max(30, min(width, 100)), 12)
    figure.theme("colorless")
    labels = _date_labels([r for r, _ in points])
    heights = [v or 0 for _, v in points]
    figure.draw(figure.bar(labels, heights, labeled=[f"{h:g}" for h in heights]))
    figure.title(title)
    text = str(figure.build().string(colorless=True))
    figure.clear()
    return "\n".join(line.rstrip() for line in text.splitlines())


def _date_labels(rows: Sequence[ExerciseRow]) -> list[str]:
    """``11-23`` for each session, with ``#2`` for a second session on the same day."""
    labels: list[str] = []
    for row in rows:
        label = row.date[5:]
        count = sum(1 for existing in labels if existing.split(" ")[0] == label)
        labels.append(f"{label} #{count + 1}" if count else label)
    return labels
