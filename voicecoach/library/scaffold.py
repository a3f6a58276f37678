"""A first workout file from chosen exercises: commented, with sensible sets, reps and rests.

``voicecoach new`` writes it; it loads and plays as it is, and its comments
say what each setting does so it can be changed without the README.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from voicecoach import equipment, paths
from voicecoach.compiler.compile import compile_workout
from voicecoach.errors import InputError
from voicecoach.files.load import Library, parse_workout, standard_library
from voicecoach.files.yamlsource import did_you_mean, parse_yaml
from voicecoach.model import Exercise
from voicecoach.units import format_duration, number_words
from voicecoach.voices.base import EstimatedLengths

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_TITLE = 120
MAX_ABOUT = 300
REP_SETS = 3
HOLD_SETS = 2
REP_REST_S = 60
HOLD_REST_S = 20
REP_SIDE_REST_S = 10
HOLD_SIDE_REST_S = 5
DEFAULT_REPS = 8


@dataclass(frozen=True, slots=True)
class Scaffold:
    """The workout file's text and what it adds up to."""

    text: str
    exercises: int
    seconds: int
    name: str

    def report(self, path: Path) -> str:
        """What ``new`` says once the file is written, with the command that plays it."""
        count = max(1, round(self.seconds / 60))
        length = f"about {number_words(count)} minute{'s' if count != 1 else ''}"
        exercises = f"{self.exercises} exercise{'s' if self.exercises != 1 else ''}"
        by_name = path.resolve() == (paths.user_workouts() / f"{self.name}.yaml").resolve()
        return (
            f"Wrote {path}: {exercises}, {length}.\n"
            f"Play it with: voicecoach play {self.name if by_name else path}\n"
        )


def check_name(name: str) -> str:
    """A workout name (the file name without .yaml), or an error saying what one looks like."""
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    if not NAME.match(stem):
        raise InputError(
            f"`{name}` is not a workout name; use letters, digits and dashes, like tuesday "
            "or glute-session"
        )
    return stem


def find_exercises(ids: Sequence[str], library: Library) -> list[Exercise]:
    """The exercises for ``ids``, in order; an unknown id gets the loader's "did you mean"."""
    if not ids:
        raise InputError(
            "no exercises given; add some with --add ID (`voicecoach list` shows them)"
        )
    found = []
    for exercise_id in ids:
        exercise = library.find(exercise_id)
        if exercise is None:
            hint = did_you_mean(exercise_id, library.known_ids())
            raise InputError(
                f"unknown exercise `{exercise_id}`\n"
                f"  {hint}`voicecoach list` shows the exercises there are"
            )
        found.append(exercise)
    return found


def _title(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:])[:MAX_TITLE]


def _scalar(text: str) -> str:
    """Text as a YAML scalar: plain when it reads back the same, else double-quoted."""
    try:
        plain = yaml.safe_load(f"k: {text}")
    except yaml.YAMLError:
        plain = None
    if isinstance(plain, dict) and plain.get("k") == text and "#" not in text:
        return text
    return json.dumps(text)


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _line(code: str, comment: str) -> str:
    # At least one space before `#`: YAML reads `value# note` as part of the value.
    return f"{code:<29} # {comment}"


def _block(exercise: Exercise) -> list[str]:
    """One exercise block, with a comment saying what the exercise works and needs."""
    about = [", ".join(exercise.muscles)] if exercise.muscles else []
    gear = equipment.named(exercise.equipment)
    if gear:
        about.append(", ".join(gear))
    lines = [
        f"  # {exercise.name}" + (f" ({'; '.join(about)})" if about else ""),
        f"  - exercise: {_scalar(exercise.id)}",
    ]
    each = exercise.sides == "each"
    if exercise.is_hold:
        assert exercise.hold_ms is not None
        lines += [
            f"    sets: {HOLD_SETS}",
            _line(
                f"    hold: {format_duration(exercise.hold_ms)}",
                "each side" if each else "each set",
            ),
            _line(f"    rest: {HOLD_REST_S}s", "after each set"),
        ]
        if each:
            lines.append(_line(f"    side_rest: {HOLD_SIDE_REST_S}s", "between the two sides"))
        return lines
    suggested = f"the exercise suggests {exercise.reps}" if exercise.reps else "no range given"
    per_side = "per side; " if exercise.sides != "none" else ""
    lines += [
        f"    sets: {REP_SETS}",
        _line(
            f"    reps: {exercise.reps.low if exercise.reps else DEFAULT_REPS}",
            per_side + suggested,
        ),
        _line(f"    rest: {REP_REST_S}s", "after each set"),
    ]
    if each:
        lines.append(_line(f"    side_rest: {REP_SIDE_REST_S}s", "between the two sides"))
    return lines


def scaffold(
    name: str,
    exercises: Sequence[Exercise],
    title: str | None = None,
    library: Sequence[str] = (),
) -> str:
    """The text of a workout file that plays ``exercises`` in order, one block each."""
    shown_title = (title or _title(name)).strip()[:MAX_TITLE]
    names = [e.name for e in exercises]
    about = f"{_join(names)}." if len(_join(names)) <= MAX_ABOUT else None
    lines = [
        f"# {name}.yaml, made by `voicecoach new`. Change anything: `voicecoach check {name}`",
        f"# says whether it is valid, `voicecoach show {name} --estimate` its timing without",
        f"# synthesizing any speech; `voicecoach play {name}` (or `export`) lets you hear it.",
        _line(f"title: {_scalar(shown_title)}", "spoken first"),
    ]
    if about:
        lines.append(f"about: {_scalar(about)}")
    if library:
        lines.append(_line("library:", "exercise folders, relative to this file"))
        lines += [f"  - {_scalar(folder)}" for folder in library]
    lines += [
        "defaults:",
        _line("  count: tempo", "what is counted aloud: tempo, reps or quiet"),
        "blocks:",
    ]
    for exercise in exercises:
        lines += _block(exercise)
    return "\n".join(lines) + "\n"


def check_plays(text: str, path: Path, library: Library) -> int:
    """Load and compile the workout text as ``path``; return its length in whole seconds."""
    source, root = parse_yaml(text, str(path))
    workout = parse_workout(source, root, path.stem, path, library)
    lengths = EstimatedLengths()
    timeline = compile_workout(workout, lengths)
    return timeline.duration // timeline.sample_rate


def relative_folder(folder: Path, workout_dir: Path) -> str:
    """A library folder as the workout file writes it: relative to the file's folder."""
    return Path(os.path.relpath(folder.resolve(), workout_dir.resolve())).as_posix()


def workout_path(name: str, folder: str | None, output: str | None) -> Path:
    """Where ``new`` writes: ``--output`` as given, else NAME.yaml in ``--to`` or the user's
    workouts folder."""
    if folder and output:
        raise InputError("give --to (a folder) or --output (a file), not both")
    if output:
        if Path(output).suffix not in (".yaml", ".yml"):
            raise InputError(f"{output}: a workout file ends in .yaml")
        return Path(output)
    return (Path(folder) if folder else paths.user_workouts()) / f"{name}.yaml"


def new_workout(
    name: str,
    ids: Sequence[str],
    path: Path,
    title: str | None = None,
    folders: Sequence[Path] = (),
) -> Scaffold:
    """A workout file for ``path`` from exercises found in ``folders`` (first) and the
    standard library, checked to load and compile before it is returned."""
    for folder in folders:
        if not folder.is_dir():
            raise InputError(f"{folder}: no such folder of exercises")
    found_in = Library([("library", f) for f in folders] + standard_library().folders)
    exercises = find_exercises(ids, found_in)
    written = [relative_folder(f, path.parent) for f in folders]
    text = scaffold(name, exercises, title, written)
    seconds = check_plays(text, path, standard_library())
    return Scaffold(text, len(exercises), seconds, name)
