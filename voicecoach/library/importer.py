"""Turn Free Exercise DB entries into voicecoach exercises.

The database (public domain, bundled in ``builtin/free-exercise-db``) gives
each exercise a list of instructions written to be read. This module turns
them into what a voice can say: the setup before the starting position, short
reminders, a caution, and what the text states about sides, holds, pauses
and rep counts (the reading itself is ``instructions.py``'s). Conversion is
pure: an entry in, exercise data and YAML text out, with a note for
everything it had to guess. ``plan_import`` looks at the target folder to say
what writing would do; ``writer.py`` writes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from voicecoach import equipment as gear
from voicecoach import paths
from voicecoach.errors import InputError
from voicecoach.files.load import MAX_HOLD_MS, MAX_REPS
from voicecoach.files.nodes import MAX_TEXT
from voicecoach.files.writer import FileOutcome, ids_in_folder, plan, with_header
from voicecoach.files.yamlsource import did_you_mean, read_text
from voicecoach.library.instructions import (
    GYM,
    Facts,
    Pause,
    ascii_text,
    direction,
    read_instructions,
    spoken_cues,
)
from voicecoach.units import format_duration

DATABASE = "free-exercise-db"
DATABASE_TITLE = "Free Exercise DB"
LICENCE = "public domain, Unlicense"
MAX_BYTES = 50_000_000
MAX_CUE_CHARS = MAX_TEXT
MAX_NAME_CHARS = 80
MAX_ABOUT_CHARS = 2000
MAX_CATEGORY_CHARS = 40
MAX_SOURCE_ID_CHARS = 200
MAX_ID_CHARS = 60
"""Ids name files: a long name would make a file name some systems refuse."""
DEFAULT_REPS = (8, 12)
DEFAULT_HOLD_S = 30
MIN_HOLD_S = 5
MAX_HOLD_S = MAX_HOLD_MS // 1000
DEFAULT_ACTIVITY_S = 60
MOVE_MS = 2000
TIMED_CATEGORIES = {"cardio"}
EXPLOSIVE_CATEGORIES = {"plyometrics", "olympic weightlifting"}

_FIELDS: dict[str, str] = {
    "id": "text",
    "name": "text",
    "category": "text",
    "equipment": "text or null",
    "primaryMuscles": "a list of text",
    "secondaryMuscles": "a list of text",
    "instructions": "a list of text",
}


def check_database(name: str) -> None:
    """Refuse a database name this importer does not read."""
    if name != DATABASE:
        raise InputError(f"unknown database `{name}`; the one voicecoach imports is {DATABASE}")


def bundled_database() -> Path:
    """The copy of the database that ships with voicecoach."""
    return paths.builtin_dir() / DATABASE / "exercises.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One database entry, checked for shape; ``index`` is its 0-based place in the file."""

    index: int
    source_id: str
    name: str
    category: str
    equipment: str | None
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    instructions: tuple[str, ...]
    file: str

    @property
    def muscles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.primary, *self.secondary)))

    @property
    def label(self) -> str:
        """How error messages name the entry: file, index and id."""
        return f"{self.file}: entry {self.index} (id `{self.source_id}`)"


@dataclass(frozen=True, slots=True)
class Converted:
    """An entry as a voicecoach exercise: its mapping, in file order, and what was guessed."""

    entry: Entry
    id: str
    data: dict[str, Any]
    notes: tuple[str, ...]


# Reading the database.


def read_database(path: Path, shown: str | None = None) -> list[Entry]:
    """Every entry of a database file (a JSON list of entries, or one entry)."""
    name = shown or str(path)
    text = read_text(
        path, name, "; give the database's exercises.json", MAX_BYTES, "the database is about 1 MB"
    )
    return parse_database(text, name)


def parse_database(text: str, name: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{name}:{error.lineno}:{error.colno}: not JSON ({error.msg}); "
            f"expected the {DATABASE_TITLE}'s exercises.json"
        ) from None
    except (RecursionError, ValueError):
        raise InputError(
            f"{name}: not JSON (nested too deeply or unreadable); "
            f"expected the {DATABASE_TITLE}'s exercises.json"
        ) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            f"{name}: not the {DATABASE_TITLE}: expected a list of exercises, "
            f"found {_json_kind(data)}"
        )
    if not data:
        raise InputError(f"{name}: the list of exercises is empty")
    return [_entry(item, index, name) for index, item in enumerate(data)]


def _entry(item: object, index: int, file: str) -> Entry:
    where = f"{file}: entry {index}"
    if not isinstance(item, dict):
        raise InputError(
            f"{where}: not the {DATABASE_TITLE}: each entry is an object with "
            f"{', '.join(_FIELDS)}, not {_json_kind(item)}"
        )
    source_id = item.get("id")
    if isinstance(source_id, str) and source_id.strip():
        where += f" (id `{source_id}`)"
    missing = [key for key in _FIELDS if key not in item]
    if missing:
        keys = ", ".join(f"`{key}`" for key in missing)
        raise InputError(
            f"{where}: missing {keys}; not the {DATABASE_TITLE}, "
            f"whose entries have {', '.join(_FIELDS)}"
        )
    for key, kind in _FIELDS.items():
        value = item[key]
        ok = (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
            if kind == "a list of text"
            else isinstance(value, str) or (value is None and kind == "text or null")
        )
        if not ok:
            raise InputError(f"{where}: `{key}` must be {kind}, not {_json_kind(value)}")
    for key in ("id", "name"):
        if not item[key].strip():
            raise InputError(f"{where}: `{key}` is empty")
    if not ascii_text(item["id"]):
        raise InputError(f"{where}: `id` is empty once made plain text (only invisible characters)")
    return Entry(
        index=index,
        source_id=item["id"],
        name=item["name"],
        category=item["category"].strip().lower(),
        equipment=item["equipment"],
        primary=tuple(item["primaryMuscles"]),
        secondary=tuple(item["secondaryMuscles"]),
        instructions=tuple(item["instructions"]),
        file=file,
    )


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else "something else"


def select(
    entries: Sequence[Entry], muscles: Iterable[str] = (), ids: Iterable[str] = ()
) -> list[Entry]:
    """Every entry, or with filters: those that work any of ``muscles`` (primary or
    secondary), and those named in ``ids``, in file order.

    Ids are the database's own (``Romanian_Deadlift``) or the voicecoach ids
    made from the names (``romanian-deadlift``); an unknown one is an error.
    """
    wanted_muscles = {m.strip().lower() for m in muscles}
    wanted_ids = list(dict.fromkeys(ids))
    if not wanted_muscles and not wanted_ids:
        return list(entries)
    chosen: list[Entry] = []
    if wanted_muscles:
        chosen = [e for e in entries if wanted_muscles & {m.lower() for m in e.muscles}]
        if not chosen:
            known = sorted({m.lower() for e in entries for m in e.muscles})
            raise InputError(
                f"no entry works {', '.join(sorted(wanted_muscles))}; muscles in this "
                f"database: {', '.join(known)}"
            )
    if wanted_ids:
        made = exercise_ids(entries)
        by_id = {e.source_id.lower(): e for e in entries}
        by_id.update({made[e.index]: e for e in entries})
        for wanted in wanted_ids:
            entry = by_id.get(wanted.strip().lower())
            if entry is None:
                hint = did_you_mean(wanted, [e.source_id for e in entries] + list(made.values()))
                hint = f"; {hint.strip()}" if hint else ""
                raise InputError(f"no entry with id `{wanted}` in {entries[0].file}{hint}")
            chosen.append(entry)
    return sorted(set(chosen), key=lambda e: e.index)


# Ids and text.


def slug(text: str) -> str:
    """A lowercase-dashed ASCII id from a name: ``3/4 Sit-Up`` -> ``3-4-sit-up``."""
    plain = ascii_text(text).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def exercise_ids(entries: Sequence[Entry]) -> dict[int, str]:
    """A unique id per entry index, made from its name over the whole file.

    Computed over every entry, in file order, so that an entry gets the same
    id whichever entries are imported with it.
    """
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for entry in entries:
        base = _short(slug(entry.name)) or _short(slug(entry.source_id))
        base = base or f"exercise-{entry.index}"
        if not isinstance(yaml.safe_load(base), str):
            base += "-exercise"  # `exercise: 100` or `exercise: false` would not read as an id
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        ids[entry.index] = candidate
    return ids


def _short(text: str) -> str:
    """An id slug short enough for a file name everywhere, cut at a dash if it can be."""
    if len(text) <= MAX_ID_CHARS:
        return text
    cut = text[: MAX_ID_CHARS + 1].rsplit("-", 1)[0]
    return (cut if len(cut) >= MAX_ID_CHARS // 2 else text[:MAX_ID_CHARS]).strip("-")


def check_ascii(entry: Entry, what: str, text: str) -> None:
    """Refuse text a voice could not say once normalized, pointing at the character."""
    for column, char in enumerate(text):
        if ord(char) > 127:
            name = unicodedata.name(char, "unnamed")
            raise InputError(
                f"{entry.label}: {what} has a character that is not plain English text: "
                f"`{char}` (U+{ord(char):04X} {name}) at character {column + 1}; "
                "replace it with words"
            )


def convert(entry: Entry, exercise_id: str) -> Converted:
    """One entry as exercise data, ready for ``exercise_yaml``, with notes on what was guessed."""
    name = _plain(entry, "the name", entry.name)
    notes: list[str] = []
    if not name:
        name = " ".join(source_label(entry).replace("_", " ").split())
        notes.append("the name is only invisible characters; the database id is used instead")
    steps = []
    for number, step in enumerate(entry.instructions):
        plain = _plain(entry, f"instruction {number}", step)
        if plain:
            steps.append(plain)
        else:
            notes.append(f"instruction {number} is empty; left out")
    plain_equipment = _plain(entry, "the equipment", entry.equipment or "")
    mat = gear.canonical(plain_equipment) not in gear.GYM_ONLY
    kept, facts = read_instructions([gear.unify_words(s) for s in steps], mat, name)

    def said(kind: str) -> list[str]:
        return [_cap(part) for s in kept if s.kind == kind for part in spoken_cues(s.text)]

    setup, moves, tips = said("setup"), said("move"), said("tip")
    if not entry.instructions:
        notes.append("no instructions in the database; only the name is spoken")
    elif not (setup or moves or tips):
        notes.append("nothing in the instructions could be spoken; only the name is")
    data: dict[str, Any] = {
        "id": exercise_id,
        "name": name[:MAX_NAME_CHARS].rstrip(),
        "source": f"{DATABASE_TITLE}, entry {source_label(entry)} ({LICENCE})",
        "category": _plain(entry, "the category", entry.category)[:MAX_CATEGORY_CHARS] or "other",
        "muscles": [m for m in (_plain(entry, "a muscle", m) for m in entry.muscles) if m],
        "equipment": _equipment(plain_equipment, [*setup, *moves, *tips], notes),
    }
    if facts.sides != "none":
        data["sides"] = facts.sides
        if facts.first_side != "right":
            data["first_side"] = facts.first_side
        if facts.limb != "side":
            data["limb"] = facts.limb
    data.update(_amount(entry, facts, [s.text for s in kept if s.kind == "move"], notes))
    # The movement is described before the first set, after the setup; the reminders before
    # later sets are the tips, then what to keep doing, then the movement again.
    for key, items in (("setup", setup + moves), ("cues", _reminders(tips, moves, setup))):
        if items:
            data[key] = items
    if caution := " ".join(s.text for s in kept if s.kind == "caution"):
        data["caution"] = _cap(caution)
    if variants := [_cap(s.text) for s in kept if s.kind == "variant"]:
        data["variants"] = variants
    if about := " ".join(s.text for s in kept if s.kind == "about"):
        data["about"] = about[:MAX_ABOUT_CHARS]
    return Converted(entry, exercise_id, data, tuple(notes))


def _plain(entry: Entry, what: str, text: str) -> str:
    plain = ascii_text(text)
    check_ascii(entry, what, plain)
    return plain


def source_label(entry: Entry) -> str:
    """The entry's database id as one short line, for the file's `source:` and header."""
    return " ".join(ascii_text(entry.source_id).split())[:MAX_SOURCE_ID_CHARS]


_NEEDED = {"rack": "rack", "peg": "rack", "machine": "machine", "cable": "cable"}
_NEEDED |= {"pulley": "cable", "bench": "bench", "partner": "partner", "sled": "sled"}


def _equipment(plain: str, said: Sequence[str], notes: list[str]) -> list[str]:
    """The entry's equipment by its one name, and what the spoken text cannot do without.

    "other" is kept (so `list --equipment none` leaves it out); the player never says it.
    A setup that lies on a bench or racks a bar needs them, whatever the database's one
    word says: they are added, with a note.
    """
    found = [] if not plain or gear.is_nothing(plain) else [gear.canonical(plain)]
    for text in said:
        for match in GYM.finditer(text):
            word = match.group().lower().split()[-1]
            needed = next(name for stem, name in _NEEDED.items() if word.startswith(stem))
            if needed not in found and not (needed == "machine" and "cable" in found):
                found.append(needed)
                notes.append(f"the instructions need a {needed}; added to its equipment")
    return found


_REMINDER = re.compile(
    r"^(?:keep|make sure|ensure|maintain|remember|try|focus|avoid|do not|don't|never)\b", re.I
)
_BACK_TO_START = re.compile(
    r"^(?:slowly |then |and )?(?:return|go back|come back|bring [^.]*? back|lower [^.]*? back)"
    r"[^.]*\bstart(?:ing)? position\.$",
    re.I,
)


def _reminders(tips: Sequence[str], moves: Sequence[str], setup: Sequence[str]) -> list[str]:
    """What to say before later sets (and in long holds): the tips, what to keep doing,
    then the movement; never just "Return to the starting position.". An exercise that
    states no movement (a plank) is reminded of what its setup says to keep doing."""
    form = [m for m in (moves or setup if not tips else moves) if _REMINDER.match(m)]
    rest = [m for m in moves if m not in form and not _BACK_TO_START.match(m)]
    return list(dict.fromkeys([*tips, *form, *rest]))


def _cap(text: str) -> str:
    """Text within the loader's limit, cut at a word if it has to be."""
    if len(text) <= MAX_CUE_CHARS:
        return text
    return text[: MAX_CUE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "."


def _amount(entry: Entry, facts: Facts, moves: Sequence[str], notes: list[str]) -> dict[str, Any]:
    """How much a set is: a timed hold, or reps with a tempo or a rep cycle."""
    # A stretch is a timed hold unless it states reps or a pause in each rep (dynamic stretches).
    moving = bool(facts.reps or facts.pauses)
    held = bool(facts.hold_s or facts.hold_long)
    timed = not facts.reps and (held or (entry.category == "stretching" and not moving))
    if timed:
        if facts.hold_s:
            seconds = facts.hold_s[1]
        else:
            seconds = DEFAULT_HOLD_S
            notes.append(f"no hold time stated; {seconds}s used")
        return {"hold": format_duration(max(MIN_HOLD_S, min(seconds, MAX_HOLD_S)) * 1000)}
    if entry.category in TIMED_CATEGORIES:
        notes.append(
            f"a continuous activity, not reps; played as a {DEFAULT_ACTIVITY_S}s timed set"
        )
        return {"hold": format_duration(DEFAULT_ACTIVITY_S * 1000)}
    low, high = facts.reps or DEFAULT_REPS
    low, high = max(1, min(low, MAX_REPS)), max(1, min(high, MAX_REPS))
    if not facts.reps:
        notes.append(f"no rep count stated; default {low}-{high} used")
    result: dict[str, Any] = {"reps": f"{low}-{high}" if high != low else low}
    way = direction(moves)
    if re.search(r"\bsquats?\b", entry.name, re.I) and not re.search(r"\bjump", entry.name, re.I):
        way = "down"  # a squat starts by going down, whatever the setup sentences say first
    turn, start = _pauses(facts.pauses, way)
    explosive = entry.category in EXPLOSIVE_CATEGORIES
    lower = MOVE_MS * (2 if facts.slow_lower else 1) // 1000
    lift = MOVE_MS // 1000
    if way == "down" or way is None:
        if way is None and moves:
            notes.append("the direction of the movement is not stated; phases Down and Up used")
        result["tempo"] = f"{lower}-{turn}-{'X' if explosive else lift}-{start}"
        return result
    first, back = ("Up", "Down") if way == "up" else (way, "Return")
    if explosive:
        first, lift = f"{first} fast", 1
    steps = [(first, lift), ("Hold", turn), (back, lower), ("Hold", start)]
    result["rep"] = [{"say": say, "hold": f"{s}s"} for say, s in steps if s]
    return result


def _pauses(pauses: Sequence[Pause], way: str | None) -> tuple[int, int]:
    """Seconds of pause at the turn of the movement and back at the start.

    "At the top" is the turn of a movement that goes up first and the start
    of one that goes down first; "at the bottom" the other way round.
    """
    turn = start = 0
    for pause in pauses:
        place = pause.place
        if place == "peak":
            place = "start" if way == "down" else "turn"
        elif place in ("top", "bottom"):
            place = "turn" if (place == "top") == (way != "down") else "start"
        if place == "turn":
            turn = max(turn, pause.seconds)
        else:
            start = max(start, pause.seconds)
    return turn, start


# Planning the files.


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Every converted entry with the file text for it and what writing it would do."""

    folder: Path
    converted: tuple[Converted, ...]
    files: tuple[tuple[FileOutcome, str], ...]


def plan_import(
    entries: Sequence[Entry], chosen: Sequence[Entry], folder: Path, force: bool = False
) -> ImportPlan:
    """Convert ``chosen`` (all before anything is written) and plan one file per exercise.

    Ids come from the whole of ``entries`` so that they do not depend on the
    selection. A file is skipped when it was edited since its import (unless
    ``force``) or when another file in the folder already defines its id.
    """
    ids = exercise_ids(entries)
    converted = tuple(convert(entry, ids[entry.index]) for entry in chosen)
    defined = ids_in_folder(folder)
    files = []
    for item in converted:
        path = folder / f"{item.id}.yaml"
        origin = (
            f"Imported by voicecoach from the {DATABASE_TITLE} ({LICENCE}), "
            f"entry {source_label(item.entry)}"
        )
        text = with_header(exercise_yaml(item), origin)
        elsewhere = [p for p in defined.get(item.id, []) if p.name != path.name]
        if elsewhere:
            outcome = FileOutcome(
                path, "skipped", f"id `{item.id}` is already in {elsewhere[0].name}"
            )
        else:
            outcome = plan(path, text, force)
        files.append((outcome, text))
    return ImportPlan(folder, converted, tuple(files))


def summary(
    plan_: ImportPlan,
    source: str,
    dry_run: bool = False,
    failed: Sequence[tuple[Path, str]] = (),
) -> str:
    """What an import did: entries not fully interpreted, files skipped or not written, and
    the counts."""
    lines: list[str] = []
    guessed = [(c.id, note) for c in plan_.converted for note in c.notes]
    if guessed:
        count = len({exercise_id for exercise_id, _ in guessed})
        lines.append(f"Not fully interpreted ({count} of {len(plan_.converted)}):")
        lines += _grouped_notes(guessed)
    skipped = [outcome for outcome, _ in plan_.files if outcome.status == "skipped"]
    if skipped:
        lines.append(f"Skipped ({len(skipped)}):")
        lines += [f"  {outcome.path}: {outcome.reason}" for outcome in skipped]
    if failed:
        lines.append(f"Not written ({len(failed)}):")
        lines += [f"  {path}: {reason}" for path, reason in failed]
    not_written = {path for path, _ in failed}
    counts = {status: 0 for status in ("new", "updated", "unchanged", "skipped")}
    for outcome, _ in plan_.files:
        if outcome.path not in not_written:
            counts[outcome.status] += 1
    written = counts["new"] + counts["updated"]
    verb = "would write" if dry_run else "written"
    lines.append(
        f"{len(plan_.converted)} {'entry' if len(plan_.converted) == 1 else 'entries'} "
        f"from {source} -> {plan_.folder}" + (" (dry run: nothing written)" if dry_run else "")
    )
    lines.append(
        f"  {verb} {written} ({counts['new']} new, {counts['updated']} updated), "
        f"unchanged {counts['unchanged']}, skipped {counts['skipped']}"
        + (f", failed {len(failed)}" if failed else "")
    )
    return "\n".join(lines) + "\n"


COMMON_NOTE = 10
"""A note shared by more entries than this is one line with a count, so rarer ones stand out."""


def _grouped_notes(notes: list[tuple[str, str]]) -> list[str]:
    by_note: dict[str, list[str]] = {}
    for exercise_id, note in notes:
        by_note.setdefault(note, []).append(exercise_id)
    common = [(note, ids) for note, ids in by_note.items() if len(ids) > COMMON_NOTE]
    lines = [
        f"  {len(ids)} entries: {note} (such as {', '.join(ids[:3])})"
        for note, ids in sorted(common, key=lambda item: -len(item[1]))
    ]
    rare = {note for note, ids in by_note.items() if len(ids) <= COMMON_NOTE}
    lines += [f"  {exercise_id}: {note}" for exercise_id, note in notes if note in rare]
    return lines


# Writing the YAML text.


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as the built-in files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _flow_steps(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


class _Step(dict[str, Any]):
    pass


class _Flow(list[Any]):
    pass


_Dumper.add_representer(_Step, _flow_steps)
_Dumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def exercise_yaml(converted: Converted) -> str:
    """The exercise as YAML text, keys in the order of the format, lists of words on one line."""
    data: dict[str, Any] = {}
    for key, value in converted.data.items():
        if key in ("muscles", "equipment"):
            value = _Flow(value)
        elif key == "rep":
            value = [_Step(step) for step in value]
        data[key] = value
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=False, width=100, indent=2
    )


__all__ = [
    "check_database",
    "Converted",
    "Entry",
    "ImportPlan",
    "plan_import",
    "summary",
    "bundled_database",
    "convert",
    "exercise_ids",
    "exercise_yaml",
    "parse_database",
    "read_database",
    "select",
    "slug",
]
