"""The one table of equipment words: one name for each thing, and what counts as nothing."""

from __future__ import annotations

import pytest

from voicecoach.equipment import canonical, is_nothing, named, unify_words


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("bands", "resistance band"),
        ("Resistance Bands", "resistance band"),
        ("exercise band", "resistance band"),
        ("Swiss Ball", "exercise ball"),
        ("stability ball", "exercise ball"),
        ("foam roll", "foam roller"),
        ("kettlebells", "kettlebell"),
        ("EZ-bar", "e-z curl bar"),
        ("medine ball", "medicine ball"),
        ("body only", "none"),
        ("Bodyweight", "none"),
        ("wall", "wall"),
        ("other", "other"),
    ],
)
def test_each_piece_of_equipment_has_one_name(written: str, name: str) -> None:
    assert canonical(written) == name


def test_nothing_and_unnamed_are_never_said() -> None:
    assert is_nothing("body only") and is_nothing("none") and not is_nothing("other")
    assert named(["bands", "band", "body only", "other", "Swiss ball", "exercise ball"]) == [
        "resistance band",
        "exercise ball",
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Lie on a stability ball.", "Lie on an exercise ball."),
        ("Sit on top of a foam roll.", "Sit on top of a foam roller."),
        ("Use an EZ-bar or a Swiss Ball.", "Use an e-z curl bar or an exercise ball."),
        ("Grab the E-Z curl bar.", "Grab the E-Z curl bar."),
        ("Loop the bands around the band.", "Loop the bands around the band."),
        ("Use two foam rollers.", "Use two foam rollers."),
        ("A physioball works.", "An exercise ball works."),
    ],
)
def test_the_other_words_are_replaced_in_what_is_spoken(text: str, said: str) -> None:
    assert unify_words(text) == said
