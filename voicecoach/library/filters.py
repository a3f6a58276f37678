"""Which exercises (and workouts) ``voicecoach list`` shows when asked for some only.

Words match the way a person means them: case does not matter, a plural
matches its singular, another word for the same equipment matches it
(``bands`` finds ``resistance band``, ``swiss ball`` finds ``exercise ball``:
the table is ``voicecoach/equipment.py``'s), and every word
asked for must be there (``back`` finds ``lower back`` and ``middle back``).
Repeating an option widens it (``--muscle glutes --muscle calves``: either);
different options narrow (``--muscle glutes --equipment bands``: both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from voicecoach import equipment as gear
from voicecoach.errors import InputError
from voicecoach.files.yamlsource import did_you_mean
from voicecoach.model import SIDE_MODES, Exercise


@dataclass(frozen=True, slots=True)
class ExerciseFilter:
    """What to keep; an empty tuple keeps everything on that count."""

    muscles: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def by_exercise(self) -> bool:
        """Whether it asks about what only exercises have (muscles, equipment, sides)."""
        return bool(self.muscles or self.equipment or self.sides)


def exercise_filter(
    muscles: Iterable[str] = (),
    equipment: Iterable[str] = (),
    sides: Iterable[str] = (),
    sources: Iterable[str] = (),
) -> ExerciseFilter:
    """A filter from the command line's words, refusing a side mode that does not exist."""
    modes = tuple(s.strip().lower() for s in sides)
    for mode in modes:
        if mode not in SIDE_MODES:
            hint = did_you_mean(mode, SIDE_MODES)
            raise InputError(
                f"--sides is `{mode}`\n  {hint}it must be one of: {', '.join(SIDE_MODES)}"
            )
    return ExerciseFilter(tuple(muscles), tuple(equipment), modes, tuple(sources))


def words(text: str) -> frozenset[str]:
    """The words of a text, lowercased and singular: ``Resistance Bands`` -> {resistance, band}."""
    return frozenset(gear.singular(w) for w in re.findall(r"[a-z0-9]+", text.lower()))


def _any_has(wanted: Iterable[str], items: Iterable[str]) -> bool:
    have = [words(item) for item in items]
    return any(words(w) <= h for w in wanted for h in have if words(w))


def _equipment_matches(wanted: Iterable[str], equipment: tuple[str, ...]) -> bool:
    names = [gear.canonical(e) for e in equipment]
    for item in wanted:
        if gear.is_nothing(item):
            if all(name == gear.NONE_WORD for name in names):
                return True
        elif _any_has([gear.canonical(item)], names):
            return True
    return False


def source_matches(sources: Iterable[str], label: str, origin: str | None = None) -> bool:
    """Whether ``--source`` takes a file from ``label`` (``user``, ``built-in``...) whose
    ``source:`` text is ``origin``: the label (``builtin`` will do) or words of the text."""
    wanted = list(sources)
    if not wanted:
        return True
    plain = re.sub(r"[^a-z0-9]", "", label.lower())
    for item in wanted:
        if re.sub(r"[^a-z0-9]", "", item.lower()) == plain:
            return True
        if origin and words(item) and words(item) <= words(origin):
            return True
    return False


def matches(selection: ExerciseFilter, label: str, exercise: Exercise) -> bool:
    """Whether an exercise from the library source ``label`` passes the filter."""
    if selection.muscles and not _any_has(selection.muscles, exercise.muscles):
        return False
    if selection.equipment and not _equipment_matches(selection.equipment, exercise.equipment):
        return False
    if selection.sides and exercise.sides not in selection.sides:
        return False
    return source_matches(selection.sources, label, exercise.source)
