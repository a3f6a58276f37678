"""`voicecoach list` filters: muscle, equipment, side mode and source, as a person means them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach import paths
from voicecoach.cli import app
from voicecoach.library.filters import words

runner = CliRunner()


def listed(*args: str) -> tuple[list[str], list[str]]:
    """The workout names and exercise ids `list --json` prints with these filters."""
    result = runner.invoke(app, ["list", "--json", *args])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return [w["name"] for w in data["workouts"]], [e["id"] for e in data["exercises"]]


def test_words_are_lowercase_and_singular() -> None:
    assert words("Resistance Bands") == {"resistance", "band"}
    assert words("calves") == {"calf"}
    assert words("Lower back, glutes") == {"lower", "back", "glute"}


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (
            ["--muscle", "GLUTE"],
            ["eccentric-hamstring-curl", "hip-hinge", "staggered-stance-rdl", "supine-march"],
        ),
        (["--muscle", "calves", "--muscle", "back"], ["down-dog-knee-extension", "hip-hinge"]),
        (
            ["--muscle", "glutes", "--sides", "each"],
            ["eccentric-hamstring-curl", "staggered-stance-rdl"],
        ),
        (["--equipment", "bands"], ["long-lever-band-pull"]),
        (
            ["--equipment", "Swiss Ball", "--equipment", "wall"],
            ["eccentric-hamstring-curl", "staggered-stance-rdl"],
        ),
        (["--equipment", "none"], ["down-dog-knee-extension", "hip-hinge", "supine-march"]),
        (["--sides", "Alternate"], ["supine-march"]),
        (["--muscle", "quadriceps"], []),
    ],
)
def test_exercise_filters_match_case_insensitively(args: list[str], ids: list[str]) -> None:
    workouts, found = listed(*args)
    assert workouts == []
    assert found == ids


def test_source_filters_workouts_and_exercises_by_where_they_come_from(user_dirs: Path) -> None:
    paths.user_workouts().mkdir(parents=True)
    (paths.user_workouts() / "tuesday.yaml").write_text(
        "title: Tuesday\nblocks:\n  - exercise: hip-hinge\n"
    )
    result = runner.invoke(app, ["import", "free-exercise-db", "--id", "Hip_Lift_with_Band"])
    assert result.exit_code == 0
    assert listed("--source", "user") == (["tuesday"], ["hip-lift-with-band"])
    workouts, ids = listed("--source", "builtin")
    assert workouts == ["friday", "monday", "wednesday"]
    assert len(ids) == 6
    assert listed("--source", "free-exercise-db") == ([], ["hip-lift-with-band"])
    assert listed("--source", "Free Exercise DB", "--muscle", "glutes", "--equipment", "band") == (
        [],
        ["hip-lift-with-band"],
    )


def test_the_text_listing_shows_only_exercises_when_filtered_by_exercise() -> None:
    result = runner.invoke(app, ["list", "--sides", "alternate"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Exercises:\n  supine-march ")
    result = runner.invoke(app, ["list", "--muscle", "neck"])
    assert result.stdout == (
        "Exercises:\n  none match\n"
        "  muscles in these libraries: calves, glutes, hamstrings, hip flexors, lower back\n"
    )
    result = runner.invoke(app, ["list"])
    assert result.stdout.startswith("Workouts:\n")


def test_an_unknown_side_mode_says_which_there_are() -> None:
    result = runner.invoke(app, ["list", "--sides", "eech"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --sides is `eech`\n  did you mean `each`? it must be one of: none, each, alternate\n"
    )


def test_other_words_for_the_same_equipment_find_it(user_dirs: Path) -> None:
    paths.user_exercises().mkdir(parents=True)
    for name, gear in [
        ("band-walk", "bands"),
        ("ball-curl", "stability ball"),
        ("floor-bridge", "body only"),
        ("roll-out", "foam roll"),
    ]:
        (paths.user_exercises() / f"{name}.yaml").write_text(
            f"id: {name}\nname: {name}\nequipment: [{gear}]\n"
        )
    for asked in ("resistance band", "Resistance Bands", "band", "exercise band"):
        assert listed("--equipment", asked, "--source", "user") == ([], ["band-walk"]), asked
    for asked in ("swiss ball", "exercise ball", "physioball"):
        assert listed("--equipment", asked, "--source", "user") == ([], ["ball-curl"]), asked
    assert listed("--equipment", "foam roller", "--source", "user") == ([], ["roll-out"])
    for asked in ("none", "bodyweight", "body only"):
        assert listed("--equipment", asked, "--source", "user") == ([], ["floor-bridge"]), asked
