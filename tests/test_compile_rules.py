"""The listener's rules over real workouts: the built-ins, workouts written in other styles,
and imported exercises played as one-set workouts. (The rules are the checks in
test_compile_properties.py, which also runs them over generated workouts.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_compile_properties import RULES
from test_import import one_set_workout

from voicecoach.compiler.compile import compile_report
from voicecoach.files.load import Library, load_exercise_file, load_workout, parse_workout
from voicecoach.files.writer import write_planned
from voicecoach.files.yamlsource import parse_yaml
from voicecoach.library.importer import bundled_database, plan_import, read_database
from voicecoach.model import Workout
from voicecoach.voices.base import EstimatedLengths

STYLES = {
    "mobility": """
        title: Hip openers
        exercises:
          - id: figure-four
            name: Seated figure four stretch
            hold: 40s
            sides: each
            limb: leg
            setup:
              - Sit tall on the front of the chair.
              - "Cross your {side} ankle over your {other} knee."
            cues: [Lean forward from the hips., Keep your back long.]
          - id: couch-stretch
            name: Couch stretch
            hold: 60s
            sides: each
            limb: leg
            setup: ["Kneel with your {side} knee on the pillow, shin up the couch."]
            cues: [Squeeze the glute on the stretching side.]
          - id: side-lunge
            name: Side lunge
            sides: each
            rep:
              - {say: Elbow to knee, hold: 5s}
              - {say: Back to neutral, hold: 1s}
        blocks:
          - {exercise: figure-four, sets: 2, rest: 20s, side_rest: 5s}
          - {exercise: couch-stretch, rest: 30s}
          - rest: 20s
          - {exercise: side-lunge, reps: 5}
        """,
    "tempo": """
        title: Tempo strength
        exercises:
          - id: goblet-squat
            name: Goblet squat
            tempo: 3-1-X-1
            phases: {lower: Down, bottom: Hold, lift: Drive all the way up to the top, top: Stand}
          - {id: slow-pushup, name: Slow push-up, tempo: 4-0-2-0}
        blocks:
          - {exercise: goblet-squat, sets: 2, reps: 6, rest: 90s}
          - {exercise: slow-pushup, sets: 2, reps: 5, rest: 60s}
        """,
    "circuit": """
        title: Circuit
        exercises:
          - {id: dead-bug, name: Dead bug, sides: alternate, tempo: 2-0-2-0}
          - id: side-plank
            name: Side plank
            hold: 30s
            sides: each
            setup: ["Lie on your {side} side, elbow under shoulder."]
            cues: [Hips high.]
          - id: march
            name: March
            sides: alternate
            limb: leg
            rep: [{say: "{Side} knee up", hold: 2s}, {say: Down, hold: 1s}]
        blocks:
          - circuit:
              rounds: 2
              rest: 45s
              blocks:
                - {exercise: dead-bug, reps: 4, rest: 15s}
                - {exercise: side-plank, side_rest: 5s}
                - {exercise: march, reps: 6}
        """,
}


def check_all(workout: Workout) -> None:
    compiled = compile_report(workout, EstimatedLengths())
    for rule in RULES:
        rule(workout, compiled)


@pytest.mark.parametrize("name", ["monday", "wednesday", "friday"])
def test_the_built_in_sessions_keep_every_rule(name: str) -> None:
    check_all(load_workout(name))


@pytest.mark.parametrize("style", sorted(STYLES))
def test_workouts_in_other_styles_keep_every_rule(
    style: str, write: Callable[[str, str], Path]
) -> None:
    check_all(load_workout(str(write(f"{style}.yaml", STYLES[style]))))


def test_the_side_lunge_warns_about_the_step_it_cannot_say(
    write: Callable[[str, str], Path],
) -> None:
    workout = load_workout(str(write("mobility.yaml", STYLES["mobility"])))
    slow = EstimatedLengths(words_per_second=1.5)
    messages = [str(w) for w in compile_report(workout, slow).warnings]
    assert any("`side-lunge` (5-1 s): `Back to neutral` is left out" in m for m in messages)


def test_twenty_imported_exercises_as_one_set_workouts_keep_every_rule(tmp_path: Path) -> None:
    entries = read_database(bundled_database())
    chosen = entries[:: len(entries) // 20][:20]
    plan = plan_import(entries, chosen, tmp_path / "exercises")
    write_planned(plan.files)
    files = sorted((tmp_path / "exercises").glob("*.yaml"))
    assert len(files) == 20
    for path in files:
        (exercise,) = load_exercise_file(path)
        text = one_set_workout(path.read_text(encoding="utf-8"), exercise.id)
        source, root = parse_yaml(text, f"{exercise.id}.yaml")
        check_all(parse_workout(source, root, exercise.id, path, Library()))
