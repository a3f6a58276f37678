"""The one hook the plan has in the compiler: today's notes, spoken in the intro."""

from __future__ import annotations

from dataclasses import replace

from voicecoach.compiler.compile import compile_workout
from voicecoach.files.load import load_workout
from voicecoach.voices.base import EstimatedLengths


def test_notes_are_spoken_after_the_title_and_about_before_the_length(
    lengths: EstimatedLengths,
) -> None:
    workout = load_workout("monday")
    noted = replace(workout, notes=("Seven reps today, one more than last time", "Easy does it."))
    intro = [e for e in compile_workout(noted, lengths).events if e.kind in ("intro", "note")]
    assert [e.text for e in intro[:4]] == [
        "Monday: Hamstrings for runners.",
        "The hip hinge, then single-leg deadlifts and a supine march.",
        "Seven reps today, one more than last time.",
        "Easy does it.",
    ]
    assert [e.kind for e in intro[2:4]] == ["note", "note"]
    assert intro[4].text.startswith("About ")


def test_a_workout_without_notes_compiles_as_before(lengths: EstimatedLengths) -> None:
    workout = load_workout("monday")
    plain = compile_workout(workout, lengths)
    assert compile_workout(replace(workout, notes=()), lengths) == plain
    assert not [e for e in plain.events if e.kind == "note"]
    noted = compile_workout(replace(workout, notes=("One more.",)), lengths)
    assert noted.duration > plain.duration
