"""A timeline as a person reads it (``show``) or as JSON in the form the spec gives."""

from __future__ import annotations

import json
from typing import Any

from voicecoach.model import Event, Timeline


def clock(samples: int, rate: int) -> str:
    """``mm:ss`` (or ``h:mm:ss``) of a position, rounded down to the second."""
    seconds = samples // rate
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _seconds(samples: int, rate: int) -> float:
    return round(samples / rate, 6)


def timeline_dict(timeline: Timeline) -> dict[str, Any]:
    """The spec's JSON form: title, duration, sample rate, chapters and events, in seconds."""
    rate = timeline.sample_rate
    return {
        "title": timeline.title,
        "workout": timeline.workout,
        "duration_s": _seconds(timeline.duration, rate),
        "sample_rate": rate,
        "chapters": [
            {"title": c.title, "start_s": _seconds(c.start, rate), "end_s": _seconds(c.end, rate)}
            for c in timeline.chapters
        ],
        "events": [_event_dict(e, rate) for e in timeline.events],
    }


def _event_dict(event: Event, rate: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start_s": _seconds(event.start, rate),
        "end_s": _seconds(event.end, rate),
        "start": event.start,
        "end": event.end,
        "kind": event.kind,
        "text": event.text,
    }
    if event.exercise is not None and event.set is not None:
        out |= {
            "exercise": event.exercise,
            "set": event.set,
            "side": event.side,
            "rep": event.rep,
            "round": event.round,
        }
    return out


def timeline_json(timeline: Timeline) -> str:
    return json.dumps(timeline_dict(timeline), indent=2, ensure_ascii=False) + "\n"


def timeline_text(timeline: Timeline, counts: bool = True) -> str:
    """The session as lines of ``mm:ss  what is said``, chapter by chapter.

    With ``counts`` off, the words of each rep are folded into one line per set.
    """
    rate = timeline.sample_rate
    lines = [f"{timeline.title}  ({clock(timeline.duration, rate)})", ""]
    chapters = list(timeline.chapters)
    events = list(timeline.events)
    index = 0
    for number, chapter in enumerate(chapters, 1):
        lines.append(f"[{number}] {chapter.title}  {clock(chapter.start, rate)}")
        run: list[Event] = []
        while index < len(events) and events[index].start < chapter.end:
            event = events[index]
            index += 1
            if not counts and event.rep is not None:
                run.append(event)
                continue
            if run:
                lines.append(_folded(run, rate))
                run = []
            lines.append(f"  {clock(event.start, rate)}  {event.text}")
        if run:
            lines.append(_folded(run, rate))
        lines.append("")
    lines.append(f"Total {clock(timeline.duration, rate)}, {len(events)} prompts.")
    return "\n".join(lines) + "\n"


def _folded(run: list[Event], rate: int) -> str:
    reps = max(e.rep or 0 for e in run)
    return f"  {clock(run[0].start, rate)}  ({reps} reps counted: {run[0].text} ...)"
