"""`voicecoach new`: a commented workout file that loads, compiles and shows as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach import paths
from voicecoach.cli import app
from voicecoach.compiler.compile import compile_workout
from voicecoach.files.load import load_workout
from voicecoach.voices.base import EstimatedLengths

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


MIX = """\
# mix.yaml, made by `voicecoach new`. Change anything: `voicecoach check mix`
# says whether it is valid, `voicecoach show mix --estimate` its timing without
# synthesizing any speech; `voicecoach play mix` (or `export`) lets you hear it.
title: Mix                    # spoken first
about: Staggered stance Romanian deadlift, Supine march and Hip hinge drill.
defaults:
  count: tempo                # what is counted aloud: tempo, reps or quiet
blocks:
  # Staggered stance Romanian deadlift (hamstrings, glutes; dumbbell, wall)
  - exercise: staggered-stance-rdl
    sets: 3
    reps: 6                   # per side; the exercise suggests 6-12
    rest: 60s                 # after each set
    side_rest: 10s            # between the two sides
  # Supine march (hamstrings, glutes, hip flexors)
  - exercise: supine-march
    sets: 3
    reps: 5                   # per side; the exercise suggests 5-10
    rest: 60s                 # after each set
  # Hip hinge drill (hamstrings, glutes, lower back)
  - exercise: hip-hinge
    sets: 3
    reps: 8                   # the exercise suggests 8-10
    rest: 60s                 # after each set
"""


def test_new_writes_a_commented_workout_into_the_user_workouts() -> None:
    code, out, err = invoke(
        "new", "mix", "--add", "staggered-stance-rdl", "--add", "supine-march", "-a", "hip-hinge"
    )
    assert (code, err) == (0, "")
    path = paths.user_workouts() / "mix.yaml"
    assert out == (
        f"Wrote {path}: 3 exercises, about seventeen minutes.\nPlay it with: voicecoach play mix\n"
    )
    assert path.read_text() == MIX


def test_the_scaffold_loads_compiles_and_shows() -> None:
    invoke("new", "mix", "--add", "staggered-stance-rdl", "--add", "supine-march")
    workout = load_workout("mix")
    timeline = compile_workout(workout, EstimatedLengths())
    assert [c.title for c in timeline.chapters] == [
        "Introduction",
        "Staggered stance Romanian deadlift",
        "Supine march",
    ]
    code, out, _ = invoke("show", "mix", "--estimate")
    assert code == 0
    assert out.startswith("Mix  (")
    assert "Three sets of six, each leg, right first." in out
    assert "Set one of three, alternating legs." in out
    code, out, _ = invoke("check", "mix", "--estimate")
    assert code == 0 and out.startswith("ok: ")


def test_holds_get_holds_and_imported_exercises_play(tmp_path: Path) -> None:
    invoke("import", "free-exercise-db", "--id", "Piriformis-SMR", "--id", "Hip_Lift_with_Band")
    code, _, err = invoke("new", "glutes", "--add", "hip-lift-with-band", "--add", "piriformis-smr")
    assert (code, err) == (0, "")
    text = (paths.user_workouts() / "glutes.yaml").read_text()
    assert (
        "  - exercise: piriformis-smr\n"
        "    sets: 2\n"
        "    hold: 30s                 # each side\n"
        "    rest: 20s                 # after each set\n"
        "    side_rest: 5s             # between the two sides\n"
    ) in text
    assert "  # Hip Lift with Band (glutes, calves, hamstrings; resistance band, rack)\n" in text
    code, out, _ = invoke("show", "glutes", "--estimate")
    assert code == 0
    assert "You will need: resistance band, rack and foam roller." in out
    assert "Two holds of thirty seconds, each side, right first." in out


def test_the_glute_session_with_a_band_in_three_commands() -> None:
    assert invoke("import", "free-exercise-db", "--muscle", "glutes")[0] == 0
    code, out, _ = invoke("list", "--muscle", "glutes", "--equipment", "bands")
    assert code == 0
    found = [line.split()[0] for line in out.splitlines()[1:]]
    assert found == [
        "band-good-morning-pull-through",
        "band-good-morning",
        "hip-extension-with-bands",
        "hip-lift-with-band",
        "squats-with-bands",
    ]
    code, _, _ = invoke("new", "glutes", *[arg for i in found[1:4] for arg in ("--add", i)])
    assert code == 0
    code, out, _ = invoke("show", "glutes", "--estimate")
    assert code == 0
    assert "[2] Band Good Morning" in out
    assert "[4] Hip Lift with Band" in out


def test_an_existing_file_is_kept_unless_forced() -> None:
    invoke("new", "mix", "--add", "hip-hinge")
    path = paths.user_workouts() / "mix.yaml"
    path.write_text("title: Mine\nblocks:\n  - exercise: hip-hinge\n")
    code, out, err = invoke("new", "mix", "--add", "supine-march")
    assert (code, out) == (2, "")
    assert err == f"error: {path} already exists; --force replaces it\n"
    assert path.read_text().startswith("title: Mine")
    code, _, _ = invoke("new", "mix", "--add", "supine-march", "--force")
    assert code == 0
    assert "exercise: supine-march" in path.read_text()


def test_to_a_folder_or_a_file(tmp_path: Path) -> None:
    code, out, _ = invoke("new", "a", "--add", "hip-hinge", "--to", str(tmp_path / "w"))
    assert code == 0
    assert out.endswith(f"Play it with: voicecoach play {tmp_path / 'w' / 'a.yaml'}\n")
    code, out, _ = invoke("new", "b", "--add", "hip-hinge", "-o", str(tmp_path / "x.yaml"))
    assert code == 0
    assert (tmp_path / "x.yaml").read_text().startswith("# b.yaml, made by `voicecoach new`.")
    code, _, _ = invoke("show", str(tmp_path / "x.yaml"), "--estimate")
    assert code == 0


def test_a_library_folder_from_import_to_is_written_relative(tmp_path: Path) -> None:
    mine = tmp_path / "my-exercises"
    invoke("import", "free-exercise-db", "--id", "Romanian_Deadlift", "--to", str(mine))
    workouts = tmp_path / "workouts"
    code, _, err = invoke(
        "new",
        "rdl",
        "--add",
        "romanian-deadlift",
        "--library",
        str(mine),
        "--to",
        str(workouts),
    )
    assert (code, err) == (0, "")
    text = (workouts / "rdl.yaml").read_text()
    assert "library:                      # exercise folders, relative to this file\n" in text
    assert "  - ../my-exercises\n" in text
    code, out, _ = invoke("show", str(workouts / "rdl.yaml"), "--estimate")
    assert code == 0
    assert "[2] Romanian Deadlift" in out


def test_a_title_with_a_colon_is_quoted() -> None:
    code, _, _ = invoke("new", "mix", "--add", "hip-hinge", "--title", "Tuesday: hinge")
    assert code == 0
    text = (paths.user_workouts() / "mix.yaml").read_text()
    assert 'title: "Tuesday: hinge"' in text
    assert load_workout("mix").title == "Tuesday: hinge"


@pytest.mark.parametrize("title", ["Glute session with a band today", "A title longer than a line"])
def test_a_long_title_keeps_its_comment_apart(title: str) -> None:
    code, _, _ = invoke("new", "mix", "--add", "hip-hinge", "--title", title)
    assert code == 0
    text = (paths.user_workouts() / "mix.yaml").read_text()
    assert f"{title} # spoken first\n" in text
    assert load_workout("mix").title == title


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["mix", "--add", "supine-mrch"],
            "unknown exercise `supine-mrch`\n  did you mean `supine-march`? "
            "`voicecoach list` shows the exercises there are",
        ),
        (
            ["my workout", "--add", "hip-hinge"],
            "`my workout` is not a workout name; use letters, digits and dashes, like tuesday "
            "or glute-session",
        ),
        (
            ["mix", "--add", "hip-hinge", "--to", "w", "-o", "w/mix.yaml"],
            "give --to (a folder) or --output (a file), not both",
        ),
        (["mix", "--add", "hip-hinge", "-o", "mix.txt"], "mix.txt: a workout file ends in .yaml"),
        (
            ["mix", "--add", "hip-hinge", "--library", "no-such-folder"],
            "no-such-folder: no such folder of exercises",
        ),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(args: list[str], message: str) -> None:
    code, out, err = invoke("new", *args)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert not paths.user_workouts().exists()


def test_add_is_required() -> None:
    code, _, err = invoke("new", "mix")
    assert code == 2
    assert (
        err == "error: no exercises given; add some with --add ID (`voicecoach list` shows them)\n"
    )
