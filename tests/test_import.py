"""The Free Exercise DB importer: real entries in, spoken cues and facts out; files, and bad input."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from voicecoach import paths
from voicecoach.cli import app
from voicecoach.compiler.compile import compile_report
from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.load import Library, load_exercise_file, parse_workout
from voicecoach.files.writer import recorded_hash, write_atomic, write_planned
from voicecoach.files.yamlsource import parse_yaml
from voicecoach.library.importer import (
    Converted,
    bundled_database,
    convert,
    exercise_ids,
    exercise_yaml,
    parse_database,
    plan_import,
    read_database,
    select,
    slug,
)
from voicecoach.library.instructions import ascii_text, spoken_cues
from voicecoach.voices.base import EstimatedLengths

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def entry_json(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "Test_Entry",
        "name": "Test Entry",
        "force": "push",
        "level": "beginner",
        "mechanic": "compound",
        "equipment": "body only",
        "primaryMuscles": ["glutes"],
        "secondaryMuscles": [],
        "instructions": ["Stand tall.", "Squat down slowly.", "Stand back up."],
        "category": "strength",
        "images": [],
    }
    return {**base, **fields}


def converted(**fields: Any) -> Converted:
    entries = parse_database(json.dumps([entry_json(**fields)]), "test.json")
    return convert(entries[0], exercise_ids(entries)[0])


# Real entries: the instructions exactly as the database has them, and what they must become.

SIT_UP = [
    "Lie down on the floor and secure your feet. Your legs should be bent at the knees.",
    "Place your hands behind or to the side of your head. You will begin with your back on the "
    "ground. This will be your starting position.",
    "Flex your hips and spine to raise your torso toward your knees.",
    "At the top of the contraction your torso should be perpendicular to the ground. Reverse the "
    "motion, going only \u00be of the way down.",
    "Repeat for the recommended amount of repetitions.",
]
LATERAL_RAISE = [
    "Lie down sideways on an incline bench press with a dumbbell in the hand. Make sure the "
    "shoulder is pressing against the incline bench and the arm is lying across your body with "
    "the palm around your navel.",
    "Hold a dumbbell in your uppermost arm while keeping it extended in front of you parallel to "
    "the floor. This is your starting position.",
    "While keeping the dumbbell parallel to the floor at all times, perform a lateral raise. Your "
    "arm should travel straight up until it is pointing at the ceiling. Tip: Exhale as you perform "
    "this movement. Hold the dumbbell in the position and feel the contraction in the shoulders for "
    "a second.",
    "While inhaling lower the weight across your body back into the starting position.",
    "Repeat the movement for the prescribed amount of repetitions.",
    "Switch arms and repeat the movement.",
]
BATTLING_ROPES = [
    "For this exercise you will need a heavy rope anchored at its center 15-20 feet away. Standing "
    "in front of the rope, take an end in each hand with your arms extended at your side. This will "
    "be your starting position.",
    "Initiate the movement by rapidly raising one arm to shoulder level as quickly as you can.",
    "As you let that arm drop to the starting position, raise the opposite side.",
    "Continue alternating your left and right arms, whipping the ropes up and down as fast as you "
    "can.",
]
PIRIFORMIS = [
    "Sit with your buttocks on top of a foam roll. Bend your knees, and then cross one leg so that "
    "the ankle is over the knee. This will be your starting position.",
    "Shift your weight to the side of the crossed leg, rolling over the buttocks until you feel "
    "tension in your upper glute. You may assist the stretch by using one hand to pull the bent "
    "knee towards your chest. Hold this position for 10-30 seconds, and then switch sides.",
]
ROPE_CRUNCH = [
    "Kneel 1-2 feet in front of a cable system with a rope attached.",
    "After selecting an appropriate weight, grasp the rope with both hands reaching overhead. Your "
    "torso should be upright in the starting position.",
    "To begin, flex at the spine, attempting to bring your rib cage to your legs as you pull the "
    "cable down.",
    "Pause at the bottom of the motion, and then slowly return to the starting position.",
    "These can be done with twists or to the side to hit the obliques.",
]
GOBLET_SQUAT = [
    "Stand holding a light kettlebell by the horns close to your chest. This will be your starting "
    "position.",
    "Squat down between your legs until your hamstrings are on your calves. Keep your chest and "
    "head up and your back straight.",
    "At the bottom position, pause and use your elbows to push your knees out. Return to the "
    "starting position, and repeat for 10-20 repetitions.",
]
PLANK = [
    "Get into a prone position on the floor, supporting your weight on your toes and your forearms. "
    "Your arms are bent and directly below the shoulder.",
    "Keep your body straight at all times, and hold this position as long as possible. To increase "
    "difficulty, an arm or leg can be raised.",
]
NECK_SIDES = [
    "With your head and neck in a neutral position (normal position with head erect facing "
    "forward), place your left hand on the left side of your head.",
    "Now gently push towards the left as you contract the left neck muscles but resisting any "
    "movement of your head. Start with slow tension and increase slowly. Keep breathing normally as "
    "you execute this contraction.",
    "Hold for the recommended number of seconds.",
    "Now release the tension slowly.",
    "Rest for the recommended amount of time and repeat with your right hand placed on the right "
    "side of your head.",
]
SHRUG = [
    "Position yourself on the calf machine so that the shoulder pads are above your shoulders. Your "
    "torso should be straight with the arms extended normally by your side. This will be your "
    "starting position.",
    "Raise your shoulders up towards your ears as you exhale and hold the contraction for a full "
    "second.",
    "Slowly return to the starting position as you inhale.",
    "Repeat for the recommended amount of repetitions.",
]
PALLOF = [
    "Connect a standard handle to a tower, and\u2014if possible\u2014position the cable to "
    "shoulder height. If not, a low pulley will suffice.",
    "With your side to the cable, grab the handle with both hands and step away from the tower. "
    "You should be approximately arm's length away from the pulley, with the tension of the weight "
    "on the cable.",
    "With your feet positioned hip-width apart and knees slightly bent, hold the cable to the "
    "middle of your chest. This will be your starting position.",
    "Press the cable away from your chest, fully extending both arms. You core should be tight and "
    "engaged.",
    "Hold the repetition for several seconds before returning to the starting position.",
    "At the conclusion of the set, repeat facing the other direction.",
]
HIP_EXTENSION = [
    "Secure one end of the band to the lower portion of a post and attach the other to one ankle.",
    "Facing the attachment point of the band, hold on to the column to stabilize yourself.",
    "Keeping your head and your chest up, move the resisted leg back as far as you can while "
    "keeping the knee straight.",
    "Return the leg to the starting position.",
]
SINGLE_LEG_BRIDGE = [
    "Lay on the floor with your feet flat and knees bent.",
    "Raise one leg off of the ground, pulling the knee to your chest. This will be your starting "
    "position.",
    "Execute the movement by driving through the heel, extending your hip upward and raising your "
    "glutes off of the ground.",
    "Extend as far as possible, pause and then return to the starting position.",
]
HIP_LIFT = [
    "After choosing a suitable band, lay down in the middle of the rack, after securing the band on "
    "either side of you. If your rack doesn't have pegs, the band can be secured using heavy "
    "dumbbells or similar objects, just ensure they won't move.",
    "Adjust your position so that the band is directly over your hips. Bend your knees and place "
    "your feet flat on the floor. Your hands can be on the floor or holding the band in position.",
    "Keeping your shoulders on the ground, drive through your heels to raise your hips, pushing "
    "into the band as high as you can.",
    "Pause at the top of the motion, and return to the starting position.",
]
TUCK_CRUNCH = [
    "To begin, lie down on the floor or an exercise mat with your back pressed against the floor. "
    "Your arms should be lying across your sides with the palms facing down.",
    "Your legs should be crossed by wrapping one ankle around the other. Slowly elevate your legs "
    "up in the air until your thighs are perpendicular to the floor with a slight bend at the "
    "knees. Note: Your knees and toes should be parallel to the floor as opposed to the thighs.",
    "Move your arms from the floor and cross them so they are resting on your chest. This is the "
    "starting position.",
    "While keeping your lower back pressed against the floor, slowly lift your torso. Remember to "
    "exhale while perform this part of the exercise.",
    "Slowly begin to lower your torso back down to the starting position while inhaling.",
    "Repeat for the recommended amount of repetitions.",
]
SPLIT_JUMP = [
    "Assume a lunge stance position with one foot forward with the knee bent, and the rear knee "
    "nearly touching the ground.",
    "Ensure that the front knee is over the midline of the foot.",
    "Extending through both legs, jump as high as possible, swinging your arms to gain lift.",
    "As you jump, bring your feet together, and move them back to their initial positions as you "
    "land.",
    "Absorb the impact by reverting back to the starting position.",
]
SIT_UP_PARTNER = [
    "Lie down on the floor placing your feet either under something that will not move or by "
    "having a partner hold them. Your legs should be bent at the knees.",
    "Place your hands behind your head and lock them together by clasping your fingers. This is "
    "the starting position.",
    "Elevate your upper body so that it creates an imaginary V-shape with your thighs. Breathe out "
    "when performing this part of the exercise.",
    "Once you feel the contraction for a second, lower your upper body back down to the starting "
    "position while inhaling.",
    "Repeat for the recommended amount of repetitions.",
]
UP_DOWN = [{"say": "Up", "hold": "2s"}, {"say": "Down", "hold": "2s"}]
UP_HOLD_DOWN = [
    {"say": "Up", "hold": "2s"},
    {"say": "Hold", "hold": "1s"},
    {"say": "Down", "hold": "2s"},
]
DEFAULT_REPS = "no rep count stated; default 8-12 used"

REAL = [
    pytest.param(
        "3_4_Sit-Up",
        "3/4 Sit-Up",
        "strength",
        "body only",
        SIT_UP,
        {
            "id": "3-4-sit-up",
            "reps": "8-12",
            "rep": UP_DOWN,
            "setup": [
                "Lie down on the floor and secure your feet.",
                "Your legs should be bent at the knees.",
                "Place your hands behind or to the side of your head.",
                "You will begin with your back on the ground.",
                "Flex your hips and spine to raise your torso toward your knees.",
                "At the top of the contraction your torso should be perpendicular to the ground.",
                "Reverse the motion, going only three quarters of the way down.",
            ],
            "cues": [
                "Flex your hips and spine to raise your torso toward your knees.",
                "At the top of the contraction your torso should be perpendicular to the ground.",
                "Reverse the motion, going only three quarters of the way down.",
            ],
        },
        [DEFAULT_REPS],
        id="starting-position-ends-setup-filler-dropped-fraction-spoken",
    ),
    pytest.param(
        "One-Arm_Incline_Lateral_Raise",
        "One-Arm Incline Lateral Raise",
        "strength",
        "dumbbell",
        LATERAL_RAISE,
        {
            "sides": "each",
            "limb": "arm",
            "rep": UP_HOLD_DOWN,
            "equipment": ["dumbbell", "bench"],
            "cues": [
                "While keeping the dumbbell parallel to the floor at all times, perform a lateral "
                "raise.",
                "Your arm should travel straight up until it is pointing at the ceiling. "
                "Breathe out.",
                "Hold the dumbbell in the position and feel the contraction in the shoulders for a "
                "second.",
                "While inhaling lower the weight across your body back into the starting position.",
            ],
        },
        ["the instructions need a bench; added to its equipment", DEFAULT_REPS],
        id="switch-arms-is-each-and-a-second-at-the-top-is-a-pause",
    ),
    pytest.param(
        "Battling_Ropes",
        "Battling Ropes",
        "strength",
        "other",
        BATTLING_ROPES,
        {
            "sides": "alternate",
            "limb": "arm",
            "setup": [
                "You will need a heavy rope anchored at its center 15 to 20 feet away.",
                "Standing in front of the rope, take an end in each hand with your arms extended at "
                "your side.",
                "Initiate the movement by rapidly raising one arm to shoulder level as quickly as "
                "you can.",
                "As you let that arm drop to the starting position, raise the opposite side.",
                "Continue alternating your left and right arms, whipping the ropes up and down as "
                "fast as you can.",
            ],
        },
        [DEFAULT_REPS],
        id="continue-alternating-is-alternate",
    ),
    pytest.param(
        "Piriformis-SMR",
        "Piriformis-SMR",
        "stretching",
        "foam roll",
        PIRIFORMIS,
        {
            "sides": "each",
            "hold": "30s",
            "cues": [
                "Shift your weight to the side of the crossed leg, rolling over the buttocks until "
                "you feel tension in your upper glute.",
                "You may assist the stretch by using one hand to pull the bent knee towards your "
                "chest.",
            ],
        },
        [],
        id="a-stretch-is-a-hold-of-the-stated-time-then-switch-sides",
    ),
    pytest.param(
        "Rope_Crunch",
        "Rope Crunch",
        "strength",
        "cable",
        ROPE_CRUNCH,
        {
            "tempo": "2-1-2-0",
            "setup": [
                "Kneel 1 to 2 feet in front of a cable system with a rope attached.",
                "Grasp the rope with both hands reaching overhead.",
                "Your torso should be upright in the starting position.",
                "To begin, flex at the spine, attempting to bring your rib cage to your legs.",
                "Pull the cable down.",
                "Pause at the bottom of the motion, and then slowly return to the starting "
                "position.",
            ],
            "cues": [
                "To begin, flex at the spine, attempting to bring your rib cage to your legs.",
                "Pull the cable down.",
                "Pause at the bottom of the motion, and then slowly return to the starting "
                "position.",
            ],
            "variants": ["These can be done with twists or to the side to hit the obliques."],
        },
        [DEFAULT_REPS],
        id="pause-at-the-bottom-of-a-downward-move-is-the-bottom-pause",
    ),
    pytest.param(
        "Goblet_Squat",
        "Goblet Squat",
        "strength",
        "kettlebells",
        GOBLET_SQUAT,
        {"reps": "10-20", "tempo": "2-1-2-0"},
        [],
        id="repeat-for-10-20-repetitions-is-the-rep-range",
    ),
    pytest.param(
        "Plank",
        "Plank",
        "strength",
        "body only",
        PLANK,
        {
            "hold": "30s",
            "variants": ["To increase difficulty, an arm or leg can be raised."],
        },
        ["no hold time stated; 30s used"],
        id="hold-as-long-as-possible-is-a-timed-hold",
    ),
    pytest.param(
        "Isometric_Neck_Exercise_-_Sides",
        "Isometric Neck Exercise - Sides",
        "strength",
        "body only",
        NECK_SIDES,
        {"sides": "each", "first_side": "left", "limb": "hand", "hold": "30s"},
        ["no hold time stated; 30s used"],
        id="an-isometric-hold-and-repeat-with-your-right-hand-means-left-first",
    ),
    pytest.param(
        "Calf-Machine_Shoulder_Shrug",
        "Calf-Machine Shoulder Shrug",
        "strength",
        "machine",
        SHRUG,
        {
            "rep": UP_HOLD_DOWN,
            "cues": [
                "Raise your shoulders up towards your ears as you exhale and hold the contraction "
                "for a full second.",
                "Slowly return to the starting position as you inhale.",
            ],
        },
        [DEFAULT_REPS],
        id="hold-the-contraction-for-a-full-second-is-a-pause-at-the-top",
    ),
    pytest.param(
        "Pallof_Press",
        "Pallof Press",
        "strength",
        "cable",
        PALLOF,
        {
            "sides": "each",
            "rep": [{"say": "Press", "hold": "2s"}, {"say": "Return", "hold": "2s"}],
            "setup": [
                "Connect a standard handle to a tower, and, if possible, position the cable to "
                "shoulder height.",
                "If not, a low pulley will suffice.",
                "With your side to the cable, grab the handle with both hands and step away from "
                "the tower.",
                "You should be approximately arm's length away from the pulley, with the tension "
                "of the weight on the cable.",
                "With your feet positioned hip-width apart and knees slightly bent, hold the cable "
                "to the middle of your chest.",
                "Press the cable away from your chest, fully extending both arms.",
                "You core should be tight and engaged.",
                "Hold the repetition for several seconds before returning to the starting "
                "position.",
            ],
        },
        [DEFAULT_REPS],
        id="dashes-become-commas-and-a-press-is-named-press",
    ),
    pytest.param(
        "Hip_Extension_with_Bands",
        "Hip Extension with Bands",
        "strength",
        "bands",
        HIP_EXTENSION,
        {
            "equipment": ["resistance band"],
            "sides": "each",
            "limb": "leg",
            "setup": [
                "Secure one end of the band to the lower portion of a post.",
                "Attach the other to your {side} ankle.",
                "Facing the attachment point of the band, hold on to the column to stabilize "
                "yourself.",
                "Keep your head and your chest up.",
                "Move the resisted leg back as far as you can while keeping the knee straight.",
                "Return the leg to the starting position.",
            ],
            "cues": [
                "Keep your head and your chest up.",
                "Move the resisted leg back as far as you can while keeping the knee straight.",
            ],
        },
        [DEFAULT_REPS],
        id="one-ankle-is-each-leg-named-by-side-bands-are-a-resistance-band-movement-first",
    ),
    pytest.param(
        "Single_Leg_Glute_Bridge",
        "Single Leg Glute Bridge",
        "strength",
        "body only",
        SINGLE_LEG_BRIDGE,
        {
            "equipment": [],
            "sides": "each",
            "limb": "leg",
            "setup": [
                "Lie on the floor with your feet flat and knees bent.",
                "Raise your {side} leg off of the ground, pulling the knee to your chest.",
                "Execute the movement by driving through the heel.",
                "Extend your hip upward and raising your glutes off of the ground.",
                "Extend as far as possible, pause and then return to the starting position.",
            ],
        },
        [DEFAULT_REPS],
        id="raise-one-leg-is-each-leg-and-lay-down-is-lie-down",
    ),
    pytest.param(
        "Hip_Lift_with_Band",
        "Hip Lift with Band",
        "powerlifting",
        "bands",
        HIP_LIFT,
        {
            "equipment": ["resistance band", "rack"],
            "setup": [
                "Lie down in the middle of the rack, after securing the band on either side of you.",
                "Adjust your position so that the band is directly over your hips.",
                "Bend your knees and place your feet flat on the floor.",
                "Your hands can be on the floor or holding the band in position.",
                "Keep your shoulders on the ground.",
                "Drive through your heels to raise your hips, pushing into the band as high as you "
                "can.",
                "Pause at the top of the motion, and return to the starting position.",
            ],
            "cues": [
                "Keep your shoulders on the ground.",
                "Drive through your heels to raise your hips, pushing into the band as high as you "
                "can.",
                "Pause at the top of the motion, and return to the starting position.",
            ],
            "variants": [
                "If your rack doesn't have pegs, the band can be secured using heavy dumbbells or "
                "similar objects, just ensure they won't move."
            ],
        },
        ["the instructions need a rack; added to its equipment", DEFAULT_REPS],
        id="a-gym-alternative-is-a-variant-and-a-rack-the-setup-needs-is-equipment",
    ),
    pytest.param(
        "Tuck_Crunch",
        "Tuck Crunch",
        "strength",
        "body only",
        TUCK_CRUNCH,
        {
            "equipment": [],
            "cues": [
                "Your knees and toes should be parallel to the floor as opposed to the thighs.",
                "Remember to exhale while perform this part of the exercise.",
                "While keeping your lower back pressed against the floor, slowly lift your torso.",
                "Slowly begin to lower your torso back down to the starting position while "
                "inhaling.",
            ],
        },
        [DEFAULT_REPS],
        id="one-ankle-around-the-other-is-both-legs-and-tips-come-first",
    ),
    pytest.param(
        "Split_Jump",
        "Split Jump",
        "plyometrics",
        "body only",
        SPLIT_JUMP,
        {"equipment": []},
        [DEFAULT_REPS],
        id="one-foot-forward-is-a-stance-not-one-side",
    ),
    pytest.param(
        "Sit-Up",
        "Sit-Up",
        "strength",
        "body only",
        SIT_UP_PARTNER,
        {
            "equipment": [],
            "setup": [
                "Lie down on the floor placing your feet under something that will not move.",
                "Your legs should be bent at the knees.",
                "Place your hands behind your head and lock them together by clasping your fingers.",
                "Elevate your upper body so that it creates an imaginary V-shape with your thighs.",
                "Breathe out when performing this part of the exercise.",
                "Once you feel the contraction for a second, lower your upper body back down to "
                "the starting position while inhaling.",
            ],
        },
        [DEFAULT_REPS],
        id="a-partner-as-an-alternative-is-left-out",
    ),
]


@pytest.mark.parametrize(
    ("source_id", "name", "category", "equipment", "instructions", "expected", "notes"), REAL
)
def test_real_entries_become_these_cues_and_facts(
    source_id: str,
    name: str,
    category: str,
    equipment: str | None,
    instructions: list[str],
    expected: dict[str, Any],
    notes: list[str],
) -> None:
    result = converted(
        id=source_id, name=name, category=category, equipment=equipment, instructions=instructions
    )
    for key, value in expected.items():
        assert result.data.get(key) == value, key
    if "sides" not in expected:
        assert "sides" not in result.data
    assert list(result.notes) == notes


@pytest.mark.parametrize(
    ("source_id", "name", "category", "equipment", "instructions", "expected", "notes"), REAL
)
def test_the_table_quotes_the_database_word_for_word(
    source_id: str,
    name: str,
    category: str,
    equipment: str | None,
    instructions: list[str],
    expected: dict[str, Any],
    notes: list[str],
) -> None:
    bundled = {e.source_id: e for e in read_database(bundled_database())}[source_id]
    assert (bundled.name, bundled.category, bundled.equipment, list(bundled.instructions)) == (
        name,
        category,
        equipment,
        instructions,
    )


def test_no_spoken_text_keeps_the_filler() -> None:
    entries = read_database(bundled_database())
    ids = exercise_ids(entries)
    for entry in entries:
        data = convert(entry, ids[entry.index]).data
        for text in [*data.get("setup", []), *data.get("cues", [])]:
            assert not re.search(r"(this|that) (will be|is) (your|the) start", text, re.I), text
            assert "recommended amount of repetitions" not in text, text
            assert "prescribed amount of repetitions" not in text, text
            assert text.isascii() and text.endswith((".", "!", "?")), text
            assert not re.match(r"(?:can|could|may|might|must|should|will|would)\b", text, re.I)
            assert not re.search(r"\bin your program\b|\b(?:and|or|but)\.$", text, re.I), text
            assert not re.fullmatch(
                r"tips?|alternate|repeat|repeat to failure|this equals one repetition|[a-z]",
                text.rstrip(".").lower(),
            ), text


def test_an_entry_without_instructions_imports_with_a_note() -> None:
    result = converted(id="Iron_Cross", name="Iron Cross", instructions=[])
    assert "setup" not in result.data and "cues" not in result.data
    assert result.notes[0] == "no instructions in the database; only the name is spoken"


def test_an_empty_instruction_is_left_out_with_a_note() -> None:
    result = converted(instructions=["Stand tall.", "  ", "Squat down slowly."])
    assert result.notes[0] == "instruction 1 is empty; left out"
    assert result.data["setup"] == ["Stand tall.", "Squat down slowly."]


def test_a_name_of_invisible_characters_falls_back_to_the_database_id(tmp_path: Path) -> None:
    result = converted(id="Wall_Sit", name="\u200b\u200b")
    assert result.data["name"] == "Wall Sit"
    assert result.id == "wall-sit"
    assert "the name is only invisible characters; the database id is used instead" in (
        result.notes
    )
    with pytest.raises(InputError, match="`id` is empty once made plain text"):
        parse_database(json.dumps([entry_json(id="\u200b")]), "t.json")


def test_cardio_is_a_timed_set() -> None:
    result = converted(category="cardio", instructions=["Run at an easy pace."])
    assert result.data["hold"] == "1m"
    assert result.notes == ("a continuous activity, not reps; played as a 60s timed set",)


def test_equipment_other_is_kept_but_never_spoken_and_not_none(tmp_path: Path) -> None:
    result = converted(equipment="other", primaryMuscles=["glutes"], secondaryMuscles=["calves"])
    assert result.data["equipment"] == ["other"]
    import_to(paths.user_exercises(), "--id", "Atlas_Stones", "--id", "Plank")
    code, out, _ = invoke("list", "--json", "--equipment", "none", "--source", "user")
    assert code == 0
    assert [e["id"] for e in json.loads(out)["exercises"]] == ["plank"]
    workout = tmp_path / "stones.yaml"
    workout.write_text("title: Stones\nblocks:\n  - exercise: atlas-stones\n    reps: 3\n")
    code, out, _ = invoke("show", str(workout), "--estimate")
    assert code == 0
    assert "other" not in out.lower() and "No equipment needed" not in out
    assert "You will need some equipment." in out
    assert result.data["muscles"] == ["glutes", "calves"]
    assert result.data["category"] == "strength"
    assert result.data["source"] == "Free Exercise DB, entry Test_Entry (public domain, Unlicense)"


# Text.


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("\u201cW\u201d shape, don\u2019t", '"W" shape, don\'t'),
        ("go only \u00be of the way", "go only three quarters of the way"),
        ("1\u00bd feet", "1 and a half feet"),
        ("bent at 90\u00b0 and", "bent at 90 degrees and"),
        ("and\u2014if possible\u2014position", "and, if possible, position"),
        ("caf\u00e9 cr\u00e8me", "cafe creme"),
        ("a\u00a0b\u2026", "a b..."),
        ("tab\tand\x00 bell\x07", "tab and bell"),
    ],
)
def test_typography_becomes_plain_ascii(written: str, plain: str) -> None:
    assert ascii_text(written) == plain


@pytest.mark.parametrize(
    ("sentence", "said"),
    [
        (
            "Begin to slowly lower the bar by bending the knees and sitting your hips back as you "
            "maintain a straight posture with the head up.",
            [
                "Begin to slowly lower the bar by bending the knees and sitting your hips back.",
                "Maintain a straight posture with the head up.",
            ],
        ),
        (
            "Holding a barbell with a pronated grip, palms facing down, bend your knees slightly "
            "and bring your torso forward until it is almost parallel to the floor.",
            [
                "Hold a barbell with a pronated grip, palms facing down.",
                "Bend your knees slightly and bring your torso forward until it is almost parallel "
                "to the floor.",
            ],
        ),
        (
            "Then, after a brief pause at the top contracted position, slowly lower the weights "
            "back down to the starting position while inhaling.",
            [
                "Then, after a brief pause at the top contracted position, slowly lower the "
                "weights back down to the starting position while inhaling."
            ],
        ),
        ("Keep your back straight.", ["Keep your back straight."]),
        (
            "Due to the explosive nature of this phase, your torso will be erect or with an arched "
            "back, your head will be tilted back slightly and your feet may lose contact with the "
            "floor.",
            [
                "Due to the explosive nature of this phase, your torso will be erect or with an "
                "arched back.",
                "Your head will be tilted back slightly and your feet may lose contact with the "
                "floor.",
            ],
        ),
        (
            "Bend over underneath the bar and rack the bar across the rear of your shoulders as "
            "you would a power squat, not on top of your traps.",
            [
                "Bend over underneath the bar and rack the bar across the rear of your shoulders "
                "as you would a power squat, not on top of your traps."
            ],
        ),
    ],
)
def test_long_sentences_are_split_where_a_coach_would_pause(sentence: str, said: list[str]) -> None:
    assert spoken_cues(sentence) == said


def test_ids_are_lowercase_dashed_ascii_and_unique() -> None:
    assert slug("3/4 Sit-Up") == "3-4-sit-up"
    assert slug("Farmer's Walk") == "farmers-walk"
    assert slug("Butt Lift (Bridge)") == "butt-lift-bridge"
    entries = parse_database(
        json.dumps([entry_json(id="A", name="Wall Sit"), entry_json(id="B", name="Wall-sit")]),
        "t.json",
    )
    assert exercise_ids(entries) == {0: "wall-sit", 1: "wall-sit-2"}
    everything = exercise_ids(read_database(bundled_database()))
    assert len(set(everything.values())) == len(everything) == 873


# The whole database.


def one_set_workout(exercise_text: str, exercise_id: str) -> str:
    """A workout of one set of the exercise, with the exercise written inline."""
    lines = exercise_text.splitlines()
    inline = "\n".join(("  - " if i == 0 else "    ") + line for i, line in enumerate(lines))
    return f"title: One set\nexercises:\n{inline}\nblocks:\n  - exercise: '{exercise_id}'\n"


def test_every_entry_imports_loads_and_compiles_in_a_one_set_workout(tmp_path: Path) -> None:
    entries = read_database(bundled_database())
    assert len(entries) == 873
    plan = plan_import(entries, entries, tmp_path / "exercises")
    write_planned(plan.files)
    files = sorted((tmp_path / "exercises").glob("*.yaml"))
    assert len(files) == 873
    lengths = EstimatedLengths()
    warned = set()
    for path in files:
        (exercise,) = load_exercise_file(path)
        assert exercise.id == path.stem
        text = path.read_text(encoding="utf-8")
        source, root = parse_yaml(one_set_workout(text, exercise.id), f"{exercise.id}.yaml")
        workout = parse_workout(source, root, exercise.id, path, Library())
        compiled = compile_report(workout, lengths)
        # A word too long for its beat is warned about, never dropped silently; with the
        # slow estimated voice a few explosive lifts ("Extend fast" in 1 s) are.
        assert all(f"`{exercise.id}`" in str(w) for w in compiled.warnings), compiled.warnings
        warned |= {exercise.id} if compiled.warnings else set()
        assert compiled.timeline.duration > 0
    assert len(warned) <= len(files) // 50, sorted(warned)


PHRASES = [
    "This will be your starting position.",
    "Repeat for the recommended amount of repetitions.",
    "Switch sides and repeat.",
    "Repeat with the left leg.",
    "Continue alternating your arms.",
    "Hold for 10-20 seconds.",
    "Hold for 300 seconds, then switch sides.",
    "Hold this position as long as possible.",
    "Pause at the top for a second.",
    "Hold the contraction for 3 seconds at the bottom.",
    "Repeat for 150-400 repetitions.",
    "Tip: Keep your back straight; breathe out as you lift the weight up.",
    "Caution: avoid injury (Note: do not bounce).",
    "Inhale as you perform this portion of the movement.",
    "Lower the bar slowly {side} and raise it up.",
    "Keeping your elbows in, press the handles forward — and return.",
    "You can also do this with a band.",
    "See the picture in section 3.",
]
sentence = st.one_of(
    st.sampled_from(PHRASES),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=300),
)


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(
        st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=120
    ).filter(lambda t: t.strip()),
    category=st.sampled_from(["strength", "stretching", "cardio", "plyometrics", "x" * 60]),
    steps=st.lists(st.lists(sentence, min_size=1, max_size=4).map(" ".join), max_size=8),
)
def test_any_entry_becomes_a_file_that_loads_and_compiles(
    name: str, category: str, steps: list[str]
) -> None:
    result = converted(name=name, category=category, instructions=steps)
    text = exercise_yaml(result)
    source, root = parse_yaml(one_set_workout(text, result.id), "any.yaml")
    workout = parse_workout(source, root, "any", Path("any.yaml"), Library())
    assert compile_report(workout, EstimatedLengths()).timeline.duration > 0


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=200))
def test_any_text_imports_or_is_refused_with_a_message(text: str) -> None:
    try:
        result = converted(name=f"Move {text}", instructions=[text, f"Then {text}"])
    except InputError as error:
        assert "has a character that is not plain English text" in str(error)
    else:
        assert exercise_yaml(result).isascii()


# Files: idempotence, edits, --force.


def import_to(folder: Path, *args: str) -> tuple[int, str, str]:
    return invoke("import", "free-exercise-db", "--to", str(folder), *args)


def test_a_reimport_is_idempotent(tmp_path: Path) -> None:
    folder = tmp_path / "ex"
    code, out, _ = import_to(folder, "--muscle", "glutes")
    assert code == 0
    assert out.rstrip().endswith("written 242 (242 new, 0 updated), unchanged 0, skipped 0")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    code, out, _ = import_to(folder, "--muscle", "glutes")
    assert code == 0
    assert out.rstrip().endswith("written 0 (0 new, 0 updated), unchanged 242, skipped 0")
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


def test_each_file_records_its_source_and_a_hash_of_its_text(tmp_path: Path) -> None:
    import_to(tmp_path, "--id", "Romanian_Deadlift")
    text = (tmp_path / "romanian-deadlift.yaml").read_text()
    assert text.startswith(
        "# Imported by voicecoach from the Free Exercise DB (public domain, Unlicense), "
        "entry Romanian_Deadlift\n# voicecoach-hash: sha256:"
    )
    recorded = recorded_hash(text)
    assert recorded is not None
    import hashlib

    assert hashlib.sha256(recorded[1].encode()).hexdigest()[:16] == recorded[0]


def test_an_edited_file_is_kept_unless_forced(tmp_path: Path) -> None:
    import_to(tmp_path, "--id", "Romanian_Deadlift", "--id", "Goblet_Squat")
    edited = tmp_path / "romanian-deadlift.yaml"
    mine = edited.read_text().replace("reps: 8-12", "reps: 5-6")
    edited.write_text(mine)
    code, out, _ = import_to(tmp_path, "--id", "Romanian_Deadlift", "--id", "Goblet_Squat")
    assert code == 0
    assert f"Skipped (1):\n  {edited}: edited since it was imported; --force replaces it\n" in out
    assert out.rstrip().endswith("written 0 (0 new, 0 updated), unchanged 1, skipped 1")
    assert edited.read_text() == mine
    code, out, _ = import_to(tmp_path, "--id", "Romanian_Deadlift", "--force")
    assert code == 0
    assert out.rstrip().endswith("written 1 (0 new, 1 updated), unchanged 0, skipped 0")
    assert "reps: 8-12" in edited.read_text()


def test_a_comment_added_above_the_header_is_an_edit(tmp_path: Path) -> None:
    import_to(tmp_path, "--id", "Plank")
    edited = tmp_path / "plank.yaml"
    mine = "# my own note\n" + edited.read_text()
    edited.write_text(mine)
    code, out, _ = import_to(tmp_path, "--id", "Plank")
    assert code == 0
    assert f"  {edited}: edited since it was imported; --force replaces it\n" in out
    assert edited.read_text() == mine


def test_a_hand_written_file_of_the_same_name_is_kept(tmp_path: Path) -> None:
    own = tmp_path / "goblet-squat.yaml"
    own.write_text("id: goblet-squat\nname: My goblet squat\nreps: 5\n")
    code, out, _ = import_to(tmp_path, "--id", "Goblet_Squat")
    assert code == 0
    assert f"  {own}: not written by voicecoach import; --force replaces it\n" in out
    assert own.read_text().startswith("id: goblet-squat\nname: My goblet squat")


def test_an_id_defined_in_another_file_is_not_defined_twice(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "exercises:\n  - id: goblet-squat\n    name: Goblet squat\n    reps: 5\n"
    )
    code, out, _ = import_to(tmp_path, "--id", "Goblet_Squat")
    assert code == 0
    assert "goblet-squat.yaml: id `goblet-squat` is already in mine.yaml" in out
    assert not (tmp_path / "goblet-squat.yaml").exists()


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    code, out, _ = import_to(tmp_path / "new", "--muscle", "calves", "--dry-run")
    assert code == 0
    assert "(dry run: nothing written)" in out
    assert "would write 209 (209 new, 0 updated)" in out
    assert not (tmp_path / "new").exists()


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    code, out, err = import_to(tmp_path, "--id", "Goblet_Squat")
    assert code == 1
    assert (
        f"Not written (1):\n  {tmp_path / 'goblet-squat.yaml'}: cannot write it "
        "(No space left on device)\n"
    ) in out
    assert out.rstrip().endswith("written 0 (0 new, 0 updated), unchanged 0, skipped 0, failed 1")
    assert err == "error: 1 file could not be written; see above\n"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_writing_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "plank.yaml", "id: plank\n")
    assert list(tmp_path.iterdir()) == []


def test_one_unwritable_file_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace

    def refuse_one(src: str, dst: str) -> None:
        if str(dst).endswith("goblet-squat.yaml"):
            raise OSError(36, "File name too long")
        real(src, dst)

    monkeypatch.setattr(os, "replace", refuse_one)
    code, out, _ = import_to(tmp_path, "--id", "Goblet_Squat", "--id", "Plank")
    assert code == 1
    assert "goblet-squat.yaml: cannot write it (File name too long)" in out
    assert out.rstrip().endswith("written 1 (1 new, 0 updated), unchanged 0, skipped 0, failed 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plank.yaml"]


def test_a_very_long_name_makes_a_short_unique_id(tmp_path: Path) -> None:
    long = "Very Long Exercise Name " * 12
    data = tmp_path / "exercises.json"
    data.write_text(
        json.dumps([entry_json(id="A", name=long), entry_json(id="B", name=long + "X")])
    )
    ids = exercise_ids(read_database(data))
    assert all(len(i) <= 62 for i in ids.values()) and len(set(ids.values())) == 2
    code, out, _ = invoke("import", "free-exercise-db", str(data), "--to", str(tmp_path / "o"))
    assert code == 0, out
    assert len(list((tmp_path / "o").iterdir())) == 2


def test_to_an_existing_file_is_refused_before_anything_is_planned(tmp_path: Path) -> None:
    target = tmp_path / "exercises"
    target.write_text("mine")
    code, out, err = import_to(target, "--id", "Plank")
    assert (code, out, err) == (2, "", f"error: --to {target} is a file, not a folder\n")
    assert target.read_text() == "mine"


def test_a_folder_where_a_file_would_go_is_skipped_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "plank.yaml").mkdir()
    code, out, _ = import_to(tmp_path, "--id", "Plank", "--force")
    assert code == 0
    assert f"  {tmp_path / 'plank.yaml'}: a folder of that name is there\n" in out
    assert (tmp_path / "plank.yaml").is_dir()


# The command line.


def test_import_writes_to_the_user_exercises_that_list_and_workouts_find() -> None:
    code, out, _ = invoke("import", "free-exercise-db", "--id", "Hip_Lift_with_Band")
    assert code == 0
    assert out == (
        "Not fully interpreted (1 of 1):\n"
        "  hip-lift-with-band: the instructions need a rack; added to its equipment\n"
        "  hip-lift-with-band: no rep count stated; default 8-12 used\n"
        "1 entry from <built-in>/free-exercise-db/exercises.json -> "
        f"{paths.user_exercises()}\n"
        "  written 1 (1 new, 0 updated), unchanged 0, skipped 0\n"
    )
    code, out, _ = invoke("list", "--json")
    found = {e["id"]: e for e in json.loads(out)["exercises"]}
    assert found["hip-lift-with-band"]["from"] == "user"
    assert found["hip-lift-with-band"]["equipment"] == ["resistance band", "rack"]


def test_import_accepts_a_file_and_the_ids_made_from_names(tmp_path: Path) -> None:
    data = tmp_path / "exercises.json"
    data.write_text(json.dumps([entry_json(id="Wall_Sit", name="Wall Sit")]))
    code, out, _ = invoke("import", "free-exercise-db", str(data), "--id", "wall-sit")
    assert code == 0
    assert f"1 entry from {data} -> " in out
    assert (paths.user_exercises() / "wall-sit.yaml").is_file()


def test_the_converted_yaml_is_what_the_loader_reads() -> None:
    result = converted(id="Goblet_Squat", name="Goblet Squat", instructions=GOBLET_SQUAT)
    text = exercise_yaml(result)
    assert text.startswith("id: goblet-squat\nname: Goblet Squat\n")
    assert "muscles: [glutes]\nequipment: []\n" in text
    source, root = parse_yaml(text, "goblet-squat.yaml")
    assert root is not None


# Bad input: the file, the entry, and what was wrong; exit 2; nothing written.

BAD = [
    (
        "not json {",
        "bad.json:1:1: not JSON (Expecting value); expected the Free Exercise DB's exercises.json",
    ),
    (
        '{"exercises": 3}',
        "bad.json: entry 0: missing `id`, `name`, `category`, `equipment`, `primaryMuscles`, `secondaryMuscles`, `instructions`; not the Free Exercise DB, whose entries have id, name, category, equipment, primaryMuscles, secondaryMuscles, instructions",
    ),
    (
        "[1, 2]",
        "bad.json: entry 0: not the Free Exercise DB: each entry is an object with id, name, category, equipment, primaryMuscles, secondaryMuscles, instructions, not a number",
    ),
    (
        "[" * 100_000,
        "bad.json: not JSON (nested too deeply or unreadable); expected the Free Exercise DB's "
        "exercises.json",
    ),
    ('"text"', "bad.json: not the Free Exercise DB: expected a list of exercises, found text"),
    ("[]", "bad.json: the list of exercises is empty"),
    (
        json.dumps(
            [entry_json(), {k: v for k, v in entry_json(id="B").items() if k != "instructions"}]
        ),
        "bad.json: entry 1 (id `B`): missing `instructions`; not the Free Exercise DB, whose entries have id, name, category, equipment, primaryMuscles, secondaryMuscles, instructions",
    ),
    (
        json.dumps([entry_json(instructions="Squat.")]),
        "bad.json: entry 0 (id `Test_Entry`): `instructions` must be a list of text, not text",
    ),
    (
        json.dumps([entry_json(instructions=["Squat.", 3])]),
        "bad.json: entry 0 (id `Test_Entry`): `instructions` must be a list of text, not a list",
    ),
    (json.dumps([entry_json(name="  ")]), "bad.json: entry 0 (id `Test_Entry`): `name` is empty"),
    (
        json.dumps([entry_json(equipment=None, primaryMuscles=None)]),
        "bad.json: entry 0 (id `Test_Entry`): `primaryMuscles` must be a list of text, not null",
    ),
    (
        json.dumps(
            [
                entry_json(),
                entry_json(id="Kata", name="Squat", instructions=["Stand.", "Bow \u793c."]),
            ]
        ),
        "bad.json: entry 1 (id `Kata`): instruction 1 has a character that is not plain English text: `\u793c` (U+793C CJK UNIFIED IDEOGRAPH-793C) at character 5; replace it with words",
    ),
    (
        json.dumps([entry_json(name="Squat \U0001f3cb")]),
        "bad.json: entry 0 (id `Test_Entry`): the name has a character that is not plain English text: `\U0001f3cb` (U+1F3CB WEIGHT LIFTER) at character 7; replace it with words",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_files_say_the_file_entry_and_what_was_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    target = tmp_path / "out"
    code, out, err = invoke("import", "free-exercise-db", str(bad), "--to", str(target))
    assert (code, out, err) == (2, "", f"error: {message.replace('bad.json', str(bad), 1)}\n")
    assert "Traceback" not in err
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["free-exercise"],
            "unknown database `free-exercise`; the one voicecoach imports is free-exercise-db",
        ),
        (["free-exercise-db", "missing.json"], "missing.json: no such file"),
        (
            ["free-exercise-db", "--id", "Romanian_Deadlif"],
            "no entry with id `Romanian_Deadlif` in <built-in>/free-exercise-db/exercises.json; did you mean `Romanian_Deadlift`?",
        ),
        (
            ["free-exercise-db", "--muscle", "glutez"],
            "no entry works glutez; muscles in this database: abdominals, abductors, adductors, biceps, calves, chest, forearms, glutes, hamstrings, lats, lower back, middle back, neck, quadriceps, shoulders, traps, triceps",
        ),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str) -> None:
    code, out, err = invoke("import", *args)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert not paths.user_exercises().exists()


def test_a_folder_given_as_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; give the database's exercises.json"):
        read_database(tmp_path)


def test_select_takes_the_muscles_and_the_ids_given() -> None:
    entries = read_database(bundled_database())
    assert len(select(entries)) == 873
    chosen = select(entries, ["Neck"], ["hip-lift-with-band", "Plank", "Plank"])
    assert [e.source_id for e in chosen] == [
        "Chin_To_Chest_Stretch",
        "Hip_Lift_with_Band",
        "Isometric_Neck_Exercise_-_Front_And_Back",
        "Isometric_Neck_Exercise_-_Sides",
        "Lying_Face_Down_Plate_Neck_Resistance",
        "Lying_Face_Up_Plate_Neck_Resistance",
        "Neck-SMR",
        "Plank",
        "Seated_Head_Harness_Neck_Resistance",
        "Side_Neck_Stretch",
        "Spinal_Stretch",
    ]


def test_errors_are_voicecoach_errors() -> None:
    with pytest.raises(VoicecoachError):
        parse_database("[]", "x.json")


def bundled(source_id: str) -> Converted:
    entries = read_database(bundled_database())
    entry = next(e for e in entries if e.source_id == source_id)
    return convert(entry, exercise_ids(entries)[entry.index])


@pytest.mark.parametrize(
    "source_id",
    [
        "Crunches",
        "Decline_Crunch",
        "Calf_Raises_-_With_Bands",
        "Weighted_Sissy_Squat",
        "Cable_Hammer_Curls_-_Rope_Attachment",
        "Bent_Over_Dumbbell_Rear_Delt_Raise_With_Head_On_Bench",
        "Seated_Bent-Over_Rear_Delt_Raise",
    ],
)
def test_after_a_one_second_contraction_is_a_pause_in_a_rep_exercise(source_id: str) -> None:
    data = bundled(source_id).data
    assert "hold" not in data
    assert data["reps"] == "8-12"
    pauses = [step["hold"] for step in data.get("rep", []) if step["say"] == "Hold"]
    assert pauses == ["1s"] or data["tempo"].split("-")[1::2] in (["1", "0"], ["0", "1"])


@pytest.mark.parametrize(
    ("source_id", "reps"),
    [("Windmills", "10-20"), ("90_90_Hamstring", "10-20"), ("Split_Squats", "5-10")],
)
def test_a_stretch_with_a_rep_range_is_done_in_reps(source_id: str, reps: str) -> None:
    data = bundled(source_id).data
    assert "hold" not in data
    assert data["reps"] == reps


def test_a_stretch_with_a_short_pause_is_reps_with_that_pause() -> None:
    data = bundled("Superman").data
    assert "hold" not in data
    assert {"say": "Hold", "hold": "2s"} in data["rep"]
    assert bundled("Piriformis-SMR").data["hold"] == "30s"


@pytest.mark.parametrize(
    ("source_id", "tempo"),
    [
        ("Bodyweight_Squat", "2-0-2-0"),
        ("Box_Squat", "2-1-2-0"),
        ("Weighted_Squat", "2-0-2-0"),
        ("Squat_with_Bands", "2-0-2-0"),
        ("Split_Squats", "2-0-2-0"),
    ],
)
def test_a_squat_is_counted_down_first(source_id: str, tempo: str) -> None:
    data = bundled(source_id).data
    assert "rep" not in data
    assert data["tempo"] == tempo


def test_a_head_held_up_is_not_the_direction_of_the_movement() -> None:
    from voicecoach.library.instructions import direction

    moves = ["Begin by bending the knees with the head up.", "Continue down until parallel."]
    assert direction(moves) == "down"


def test_a_note_shared_by_many_entries_is_one_line_so_rare_ones_stand_out() -> None:
    from voicecoach.library.importer import _grouped_notes

    notes = [(f"ex-{i}", "no rep count stated; default 8-12 used") for i in range(12)]
    notes.insert(5, ("odd-one", "no instructions in the database; only the name is spoken"))
    assert _grouped_notes(notes) == [
        "  12 entries: no rep count stated; default 8-12 used (such as ex-0, ex-1, ex-2)",
        "  odd-one: no instructions in the database; only the name is spoken",
    ]


def test_the_limb_held_apart_is_named_for_each_side_as_it_is_worked(tmp_path: Path) -> None:
    import_to(paths.user_exercises(), "--id", "Hip_Extension_with_Bands")
    workout = tmp_path / "hips.yaml"
    workout.write_text(
        "title: Hips\nblocks:\n  - exercise: hip-extension-with-bands\n    reps: 2\n"
    )
    code, out, _ = invoke("show", str(workout), "--estimate")
    assert code == 0
    said = [line.split("  ", 2)[-1] for line in out.splitlines() if line.startswith("  ")]
    right = said.index("Attach the other to your right ankle.")
    assert said[right - 2 : right] == [
        "One set of two, each leg, right first.",
        "Secure one end of the band to the lower portion of a post.",
    ]
    assert "You will need: resistance band." in said[:right]  # once, in the intro
    switch = said.index("Switch legs.")
    assert said[switch + 1 : switch + 3] == ["Attach the other to your left ankle.", "Left leg."]
    assert right < switch


@pytest.mark.parametrize(
    ("source_id", "said", "left_out"),
    [
        ("Ankle_Circles", "Use a sturdy object to hold yourself.", "rack"),
        ("Back_Flyes_-_With_Bands", "Run a band around a stationary post.", "rack"),
        (
            "Crunches",
            "Lie flat on your back with your feet flat on the ground with your knees bent at a 90 "
            "degree angle.",
            "bench",
        ),
        ("Chest_Push_multiple_response", "Begin in a kneeling position facing a wall.", "partner"),
        ("Supine_Two-Arm_Overhead_Throw", "The ball can be bounced off of a wall.", "partner"),
        (
            "Russian_Twist",
            "Lie down on the floor placing your feet under something that will not move.",
            "partner",
        ),
    ],
)
def test_what_only_a_gym_could_follow_is_not_spoken_for_a_mat(
    source_id: str, said: str, left_out: str
) -> None:
    entries = read_database(bundled_database())
    entry = next(e for e in entries if e.source_id == source_id)
    assert left_out in " ".join(entry.instructions).lower()
    data = convert(entry, exercise_ids(entries)[entry.index]).data
    spoken_text = [*data.get("setup", []), *data.get("cues", [])]
    assert said in spoken_text
    assert not [text for text in spoken_text if left_out in text.lower()]
    assert left_out not in data["equipment"]
