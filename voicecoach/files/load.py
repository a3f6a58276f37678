"""Find workouts and exercises by name, read them, and validate them into the model.

Every mistake a user can make in a file becomes an ``InputError`` that names
the file, line and column, shows the line with a caret, says what was wrong
and what would be right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach import paths
from voicecoach.errors import AlreadyReported, Collect, InputError
from voicecoach.files.fields import (
    BLOCK_SETTING_KEYS,
    CIRCUIT_KEYS,
    EXERCISE_BLOCK_KEYS,
    EXERCISE_KEYS,
    PHASE_KEYS,
    STEP_KEYS,
    WORKOUT_KEYS,
)
from voicecoach.files.nodes import (
    Fields,
    choice,
    converted,
    duration,
    fields,
    integer,
    scalar,
    text,
    text_list,
)
from voicecoach.files.settings import music_choice, voice_settings
from voicecoach.files.yamlsource import (
    ID_LINE,
    SourceFile,
    did_you_mean,
    kind_of,
    read_yaml,
)
from voicecoach.model import (
    COUNT_MODES,
    DEFAULT_TEMPO,
    PROGRESS_MODES,
    RUN_KINDS,
    SIDE_MODES,
    SIDES,
    Block,
    CircuitBlock,
    CountMode,
    Exercise,
    ExerciseBlock,
    Phases,
    RepRange,
    RestBlock,
    RunKind,
    SayBlock,
    Side,
    SideMode,
    Step,
    Tempo,
    VoiceSettings,
    Workout,
)
from voicecoach.units import format_duration, parse_rep_range, parse_tempo

T = TypeVar("T")

MAX_REST_MS = 60 * 60 * 1000
MAX_HOLD_MS = 30 * 60 * 1000
MAX_STEP_MS = 5 * 60 * 1000
MAX_SETS = 50
MAX_REPS = 200
MAX_ROUNDS = 50
MAX_BLOCKS = 1000
MAX_SESSION_MS = 4 * 60 * 60 * 1000
"""The longest a workout may last, counting only its reps, holds and rests."""
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_REPS = 8
DEFAULT_REST_MS = 45_000
DEFAULT_SIDE_REST_MS = 5_000


def parse_exercise(source: SourceFile, node: Node) -> tuple[Exercise, Node]:
    """One exercise mapping -> an ``Exercise`` (and the node of its id, for errors)."""
    f = fields(source, node, EXERCISE_KEYS, "an exercise")
    for required in ("id", "name"):
        if required not in f:
            raise source.error(
                node, f"an exercise needs `{required}:`", "for example `id: wall-sit`"
            )
    id_node = f.entries["id"][1]
    exercise_id = text(source, f.entries["id"][1], "`id`")
    if not ID_PATTERN.match(exercise_id):
        raise source.error(
            f.entries["id"][1],
            f"`id` is `{exercise_id}`",
            "ids are lowercase words joined by dashes, like `supine-march`",
        )
    what = f"`{exercise_id}`"
    reps = converted(source, n, f"{what} reps", parse_rep_range) if (n := f.get("reps")) else None
    if reps is not None and reps.high > MAX_REPS:
        raise source.error(f.get("reps"), f"{what} reps go up to {reps.high}; at most {MAX_REPS}")
    tempo = converted(source, n, f"{what} tempo", parse_tempo) if (n := f.get("tempo")) else None
    hold = duration(source, n, f"{what} hold", 1000, MAX_HOLD_MS) if (n := f.get("hold")) else None
    rep = _rep_cycle(source, n, what) if (n := f.get("rep")) is not None else None
    _exclusive(source, f, what, ("hold", "reps"), ("hold", "tempo"), ("hold", "rep"))
    _exclusive(source, f, what, ("rep", "tempo"), ("rep", "phases"))
    sides: SideMode = (
        choice(source, n, f"{what} sides", SIDE_MODES) if (n := f.get("sides")) else "none"
    )
    first: Side = (
        choice(source, n, f"{what} first_side", SIDES) if (n := f.get("first_side")) else "right"
    )
    exercise = Exercise(
        id=exercise_id,
        name=text(source, f.entries["name"][1], f"{what} name", 80),
        path=source.path,
        source=text(source, n, f"{what} source") if (n := f.get("source")) else None,
        about=text(source, n, f"{what} about", 2000) if (n := f.get("about")) else None,
        category=text(source, n, f"{what} category", 40) if (n := f.get("category")) else None,
        muscles=text_list(source, n, f"{what} muscles") if (n := f.get("muscles")) else (),
        equipment=text_list(source, n, f"{what} equipment") if (n := f.get("equipment")) else (),
        sides=sides,
        first_side=first,
        limb=text(source, n, f"{what} limb", 20).lower() if (n := f.get("limb")) else "side",
        reps=reps,
        tempo=tempo,
        phases=_phases(source, n, what) if (n := f.get("phases")) is not None else Phases(),
        rep=rep,
        hold_ms=hold,
        setup=_templates(source, f.get("setup"), f"{what} setup"),
        cues=_templates(source, f.get("cues"), f"{what} cues"),
        caution=text(source, n, f"{what} caution") if (n := f.get("caution")) else None,
        variants=text_list(source, n, f"{what} variants") if (n := f.get("variants")) else (),
        avoid_day_before=_run_kinds(source, n, what)
        if (n := f.get("avoid_day_before")) is not None
        else (),
    )
    return exercise, id_node


def _run_kinds(source: SourceFile, node: Node, what: str) -> tuple[RunKind, ...]:
    items = node.value if isinstance(node, SequenceNode) else [node]
    if isinstance(node, MappingNode):
        raise source.error(node, f"{what} avoid_day_before must be a list of run kinds")
    kinds = [choice(source, item, f"{what} avoid_day_before", RUN_KINDS) for item in items]
    return tuple(dict.fromkeys(kinds))


def _exclusive(source: SourceFile, f: Fields, what: str, *pairs: tuple[str, str]) -> None:
    for a, b in pairs:
        if a in f and b in f:
            first, second = sorted((a, b), key=lambda k: f.key_node(k).start_mark.index)
            raise source.error(
                f.key_node(second),
                f"{what} has both `{first}` and `{second}`",
                _EXCLUSIVE_HINTS.get(frozenset((a, b)), "keep one of them"),
            )


_EXCLUSIVE_HINTS = {
    frozenset(("hold", "reps")): "a set is either a timed hold or a number of reps; keep one",
    frozenset(("hold", "tempo")): "a timed hold has no tempo; remove `tempo` or `hold`",
    frozenset(("hold", "rep")): "a timed hold has no rep cycle; remove `rep` or `hold`",
    frozenset(("rep", "tempo")): "`rep:` is an explicit cycle that replaces `tempo`; keep one",
    frozenset(("rep", "phases")): "`rep:` names its own steps; remove `phases`",
}

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
TEMPLATE_NAMES = ("side", "other", "Side", "Other")


def _templates(source: SourceFile, node: Node | None, what: str) -> tuple[str, ...]:
    if node is None:
        return ()
    items = text_list(source, node, what)
    nodes = node.value if isinstance(node, SequenceNode) else [node]
    for item, item_node in zip(items, nodes, strict=True):
        _check_template(source, item_node, item, what)
    return items


def _check_template(source: SourceFile, node: Node, value: str, what: str) -> None:
    for match in _TEMPLATE.finditer(value):
        if match[1] not in TEMPLATE_NAMES:
            hint = did_you_mean(match[1], TEMPLATE_NAMES, "`{{{}}}`")
            raise source.error(
                node,
                f"{what}: unknown placeholder `{{{match[1]}}}`",
                f"{hint}placeholders are {{side}}, {{other}}, {{Side}} and {{Other}}",
            )


def _phases(source: SourceFile, node: Node, what: str) -> Phases:
    f = fields(source, node, PHASE_KEYS, f"{what} phases")
    names = {key: text(source, f.entries[key][1], f"{what} phase `{key}`", 40) for key in f.entries}
    for key in names:
        _check_template(source, f.entries[key][1], names[key], f"{what} phase `{key}`")
    return Phases(**names)


def _rep_cycle(source: SourceFile, node: Node, what: str) -> tuple[Step, ...]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise source.error(
            node,
            f"{what} rep must be a list of steps",
            "like:  rep: [{say: Heel down, hold: 5s}, {say: Leg up, hold: 3s}]",
        )
    steps = []
    for item in node.value:
        f = fields(source, item, STEP_KEYS, "a rep step")
        for key in ("say", "hold"):
            if key not in f:
                raise source.error(item, f"a rep step needs `{key}:`", "like {say: Up, hold: 2s}")
        say = text(source, f.entries["say"][1], "a rep step's `say`", 60)
        _check_template(source, f.entries["say"][1], say, "a rep step's `say`")
        steps.append(
            Step(say, duration(source, f.entries["hold"][1], "a step's hold", 500, MAX_STEP_MS))
        )
    if sum(s.ms for s in steps) < 1000:
        raise source.error(node, f"{what} rep lasts under one second in all")
    return tuple(steps)


def exercise_nodes(source: SourceFile, root: Node | None) -> Iterator[Node]:
    """The exercise mappings of one exercise file: a single mapping or a list under `exercises:`."""
    if root is None:
        return
    if isinstance(root, MappingNode):
        keys = {str(k.value) for k, _ in root.value if isinstance(k, ScalarNode)}
        if "exercises" in keys and "id" not in keys:
            f = fields(source, root, {"exercises": {}}, "an exercise file")
            items = f.get("exercises")
            if not isinstance(items, SequenceNode):
                raise source.error(items, "`exercises:` must be a list of exercises")
            yield from items.value
            return
        yield root
        return
    if isinstance(root, SequenceNode):
        yield from root.value
        return
    raise source.error(root, "an exercise file holds an exercise mapping or `exercises:` list")


def is_exercise_file(path: Path) -> bool:
    """Whether a YAML file holds exercises rather than a workout (it has no `blocks:`)."""
    _, root = read_yaml(path)
    return _holds_exercises(root)


def _holds_exercises(root: Node | None) -> bool:
    """No `blocks:`, and no `title:` either: a workout that lacks `blocks:` is still a workout."""
    return not _is_workout(root) and (root is None or _key_value(root, "title") is None)


def load_exercise_file(path: Path) -> list[Exercise]:
    """Every exercise in one file, validated."""
    source, root = read_yaml(path)
    return _exercises_of(source, root)


def _exercises_of(source: SourceFile, root: Node | None) -> list[Exercise]:
    if root is None:
        raise InputError(
            f"{source.path}: the file is empty; a workout needs `title:` and `blocks:`, "
            "an exercise `id:` and `name:`"
        )
    exercises: list[Exercise] = []
    mistakes = Collect()
    for node in exercise_nodes(source, root):
        with mistakes.each():
            exercises.append(parse_exercise(source, node)[0])
    mistakes.raise_any()
    if not exercises:
        raise source.error(
            root,
            "the file holds no exercises and no workout",
            "an exercise needs `id:` and `name:`; a workout `title:` and `blocks:`",
        )
    return exercises


def expand_names(names: list[str], cwd: Path | None = None) -> list[str]:
    """Names as given, with each folder replaced by the YAML files in it."""
    found: list[str] = []
    for name in names:
        path = (cwd or Path.cwd()) / name
        if path.is_dir():
            files = _yaml_files(path)
            found += [str(p) for p in files] if files else [name]
        else:
            found.append(name)
    return found


def load_for_check(name: str, cwd: Path | None = None) -> Workout | list[Exercise]:
    """A workout by name, or a file of either kind: the file is read and parsed once."""
    path = (cwd or Path.cwd()) / name
    if path.suffix not in (".yaml", ".yml") or ("/" not in name and not path.exists()):
        return load_workout(name, cwd)
    source, root = read_yaml(path, name)
    if _holds_exercises(root):
        return _exercises_of(source, root)
    return parse_workout(source, root, path.stem, path, standard_library())


@dataclass
class Library:
    """Exercise sources searched in order: the first that defines an id wins."""

    folders: list[tuple[str, Path]] = field(default_factory=list)
    inline: dict[str, Exercise] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    """Ids defined in the workout whose definition is wrong (already reported)."""
    _cache: dict[Path, list[tuple[Exercise, SourceFile, Node]]] = field(default_factory=dict)

    def find(self, exercise_id: str) -> Exercise | None:
        if exercise_id in self.inline:
            return self.inline[exercise_id]
        for _, folder in self.folders:
            found = self._find_in(folder, exercise_id)
            if found:
                return found
        return None

    def _find_in(self, folder: Path, exercise_id: str) -> Exercise | None:
        found: list[tuple[Exercise, SourceFile, Node]] = []
        for path in _yaml_files(folder):
            try:
                body = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            if exercise_id not in body:
                continue  # cheap filter: only files that mention the id are parsed
            found += [item for item in self._parsed(path) if item[0].id == exercise_id]
        if len(found) > 1:
            _, source, node = found[1]
            raise source.error(
                node,
                f"exercise id `{exercise_id}` is defined twice in {folder}",
                f"it is also in {found[0][1].path}; ids must be unique",
            )
        return found[0][0] if found else None

    def _parsed(self, path: Path) -> list[tuple[Exercise, SourceFile, Node]]:
        if path not in self._cache:
            source, root = read_yaml(path)
            if _is_workout(root):
                self._cache[path] = []
            else:
                entries = []
                for node in exercise_nodes(source, root):
                    exercise, id_node = parse_exercise(source, node)
                    entries.append((exercise, source, id_node))
                self._cache[path] = entries
        return self._cache[path]

    def known_ids(self) -> list[str]:
        """Ids the library can offer, cheaply (file names and `id:` lines), for suggestions."""
        ids = set(self.inline)
        for _, folder in self.folders:
            for path in _yaml_files(folder):
                ids.add(path.stem)
                try:
                    body = path.read_text(encoding="utf-8-sig", errors="replace")
                except OSError:
                    continue
                ids.update(ID_LINE.findall(body))
        return sorted(ids)

    def all(self) -> Iterator[tuple[str, Exercise]]:
        """Every exercise with the name of its source, first definition of each id only."""
        seen: set[str] = set()
        for exercise in self.inline.values():
            seen.add(exercise.id)
            yield "workout", exercise
        for label, folder in self.folders:
            for path in _yaml_files(folder):
                for exercise, _, _ in self._parsed(path):
                    if exercise.id not in seen:
                        seen.add(exercise.id)
                        yield label, exercise


def _is_workout(root: Node | None) -> bool:
    return isinstance(root, MappingNode) and any(
        isinstance(k, ScalarNode) and k.value == "blocks" for k, _ in root.value
    )


def _looks_like_exercises(root: Node) -> bool:
    """A list of mappings with `id:`, or one mapping with `id:` or `exercises:` and no
    `title:`."""
    if isinstance(root, SequenceNode):
        return bool(root.value) and all(_key_value(n, "id") is not None for n in root.value)
    if _key_value(root, "title") is not None:
        return False  # a workout that lacks something
    return _key_value(root, "id") is not None or _key_value(root, "exercises") is not None


def _key_value(node: Node, key: str) -> str | None:
    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return v.value if isinstance(v, ScalarNode) else ""
    return None


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def standard_library() -> Library:
    """The user's exercises, then the built-in ones."""
    return Library(
        folders=[
            ("user", paths.user_exercises()),
            ("built-in", paths.builtin_dir() / "exercises"),
        ]
    )


@dataclass(frozen=True, slots=True)
class WorkoutFile:
    name: str
    path: Path
    origin: str


def workout_folders(cwd: Path | None = None) -> list[tuple[str, Path]]:
    here = (cwd or Path.cwd()) / "workouts"
    return [
        ("here", here),
        ("user", paths.user_workouts()),
        ("built-in", paths.builtin_dir() / "workouts"),
    ]


def find_workout(name: str, cwd: Path | None = None) -> WorkoutFile:
    """A workout by name (looked up as the spec says) or by path."""
    looks_like_path = "/" in name or "\\" in name or name.endswith((".yaml", ".yml"))
    if looks_like_path:
        path = (cwd or Path.cwd()) / name
        if not path.is_file():
            raise InputError(f"{name}: no such file")
        return WorkoutFile(path.stem, path, "path")
    if not re.fullmatch(r"[\w.-]+", name):
        raise InputError(f"`{name}` is not a workout name; give a name like monday or a path")
    for origin, folder in workout_folders(cwd):
        for suffix in (".yaml", ".yml"):
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return WorkoutFile(name, path, origin)
    known = [w.name for w in list_workouts(cwd)]
    hint = did_you_mean(name, known)
    where = ", ".join(str(folder) for _, folder in workout_folders(cwd)[:2])
    raise InputError(
        f"no workout named `{name}`\n  {hint}workouts are looked up in {where} "
        f"and the built-ins; known: {', '.join(known)}"
    )


def list_workouts(cwd: Path | None = None) -> list[WorkoutFile]:
    """Every workout that a name finds, the first of each name only (a `plan.yaml` beside
    them is the plan, not a workout)."""
    found: dict[str, WorkoutFile] = {}
    for origin, folder in workout_folders(cwd):
        for path in _yaml_files(folder):
            if path.name != "plan.yaml":
                found.setdefault(path.stem, WorkoutFile(path.stem, path, origin))
    return sorted(found.values(), key=lambda w: w.name)


def load_workout(name: str, cwd: Path | None = None, library: Library | None = None) -> Workout:
    """Find a workout by name or path and validate it, with every exercise it uses."""
    found = find_workout(name, cwd)
    shown = _shown_path(found.path, cwd)
    source, root = read_yaml(found.path, shown)
    return parse_workout(source, root, found.name, found.path, library or standard_library())


def _shown_path(path: Path, cwd: Path | None) -> str:
    base = (cwd or Path.cwd()).resolve()
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(base))
    except ValueError:
        builtin = paths.builtin_dir().resolve()
        if resolved.is_relative_to(builtin):
            return f"<built-in>/{resolved.relative_to(builtin)}"
        return str(path)


@dataclass(frozen=True)
class _Settings:
    sets: int = 1
    reps: RepRange | None = None
    hold_ms: int | None = None
    tempo: Tempo | None = None
    rest_ms: int = DEFAULT_REST_MS
    side_rest_ms: int = DEFAULT_SIDE_REST_MS
    count: CountMode = "tempo"


def parse_workout(
    source: SourceFile, root: Node | None, name: str, path: Path, library: Library
) -> Workout:
    """A workout mapping -> a ``Workout`` with every block resolved."""
    if root is None:
        raise InputError(
            f"{source.path}: the file is empty; a workout needs `title:` and `blocks:`"
        )
    if not _is_workout(root) and _looks_like_exercises(root):
        first = next(exercise_nodes(source, root), None)
        found = _key_value(first, "id") if first is not None else None
        add = f" --add {found}" if found else " --add ID"
        raise InputError(
            f"{source.path}: this is an exercise file, not a workout; a workout lists "
            f"exercises under `blocks:`. Make one with: voicecoach new NAME{add}"
        )
    f = fields(source, root, WORKOUT_KEYS, "a workout")
    if "title" not in f:
        raise source.error(root, "a workout needs a `title:`", "like `title: Monday hamstrings`")
    # Each part of the file is read even when one before it is wrong, so that every
    # independent mistake is reported in one go.
    mistakes = Collect()
    folders: list[tuple[str, Path]] = []
    if (n := f.get("library")) is not None:
        with mistakes.each():
            folders = _library_folders(source, n, path)
    inline: dict[str, Exercise] = {}
    broken: set[str] = set()
    if (n := f.get("exercises")) is not None:
        with mistakes.each():
            if not isinstance(n, SequenceNode):
                raise source.error(n, "`exercises:` must be a list of exercises")
            for item in n.value:
                with mistakes.each():
                    try:
                        exercise, id_node = parse_exercise(source, item)
                    except InputError:
                        said = str(_key_value(item, "id"))
                        broken |= {said, re.sub(r"[^a-z0-9]+", "-", said.lower()).strip("-")}
                        raise
                    if exercise.id in inline:
                        raise source.error(
                            id_node, f"exercise id `{exercise.id}` is defined twice here"
                        )
                    inline[exercise.id] = exercise
    lib = Library(folders + library.folders, inline, broken=broken)
    defaults = _Settings()
    with mistakes.each():
        defaults = _settings(source, f.get("defaults"), defaults, "`defaults`", BLOCK_SETTING_KEYS)
    blocks_node = f.get("blocks")
    if blocks_node is None:
        mistakes.errors.append(
            source.error(
                root, "a workout needs `blocks:`", "a list like `- exercise: supine-march`"
            )
        )
    title = about = None
    voice, music = VoiceSettings(), None
    with mistakes.each():
        title = text(source, f.entries["title"][1], "`title`", 120)
    with mistakes.each():
        about = text(source, n, "`about`") if (n := f.get("about")) else None
    with mistakes.each():
        voice = voice_settings(source, n) if (n := f.get("voice")) is not None else voice
    with mistakes.each():
        music = music_choice(source, n, path) if (n := f.get("music")) is not None else None
    blocks: list[Block] = []
    if blocks_node is not None:
        with mistakes.each():
            blocks = _blocks(source, blocks_node, lib, defaults, in_circuit=False)
    mistakes.raise_any()
    _check_length(source, blocks)
    if not any(_has_exercise(b) for b in blocks):
        raise source.error(
            blocks_node,
            "the workout has no exercise in it",
            "add a block like `- exercise: supine-march`",
        )
    assert title is not None
    return Workout(
        name=name,
        title=title,
        about=about,
        path=source.path,
        blocks=tuple(blocks),
        voice=voice,
        music=music,
    )


def _library_folders(source: SourceFile, node: Node, path: Path) -> list[tuple[str, Path]]:
    folders: list[tuple[str, Path]] = []
    items = node.value if isinstance(node, SequenceNode) else [node]
    for item, folder_name in zip(items, text_list(source, node, "`library`"), strict=True):
        folder = (path.parent / folder_name).resolve()
        if not folder.is_dir():
            raise source.error(
                item,
                f"library folder `{folder_name}` does not exist",
                f"it is looked up relative to {path.parent}",
            )
        if folder not in [p for _, p in folders]:
            folders.append(("library", folder))
    return folders


def _has_exercise(block: Block) -> bool:
    if isinstance(block, CircuitBlock):
        return any(_has_exercise(b) for b in block.blocks)
    return isinstance(block, ExerciseBlock)


def _settings(
    source: SourceFile, node: Node | None, base: _Settings, what: str, allowed: dict[str, Any]
) -> _Settings:
    if node is None:
        return base
    f = fields(source, node, allowed, what)
    return _Settings(
        sets=integer(source, n, "`sets`", 1, MAX_SETS) if (n := f.get("sets")) else base.sets,
        reps=_block_reps(source, n) if (n := f.get("reps")) else base.reps,
        hold_ms=duration(source, n, "`hold`", 1000, MAX_HOLD_MS)
        if (n := f.get("hold"))
        else base.hold_ms,
        tempo=converted(source, n, "`tempo`", parse_tempo) if (n := f.get("tempo")) else base.tempo,
        rest_ms=duration(source, n, "`rest`", 0, MAX_REST_MS)
        if (n := f.get("rest")) is not None
        else base.rest_ms,
        side_rest_ms=(
            duration(source, n, "`side_rest`", 0, MAX_REST_MS)
            if (n := f.get("side_rest")) is not None
            else base.side_rest_ms
        ),
        count=choice(source, n, "`count`", COUNT_MODES) if (n := f.get("count")) else base.count,
    )


def _block_reps(source: SourceFile, node: Node) -> RepRange:
    """A block's reps: a whole number, or a range written like 6-12 to progress through."""
    value = scalar(source, node, "`reps`")
    if isinstance(value, str) and "-" in value.strip().lstrip("-"):
        reps = converted(source, node, "`reps`", parse_rep_range)
        if reps.high > MAX_REPS:
            raise source.error(node, f"`reps` go up to {reps.high}; at most {MAX_REPS}")
        return reps
    count = integer(source, node, "`reps`", 1, MAX_REPS)
    return RepRange(count, count)


def _blocks(
    source: SourceFile, node: Node, lib: Library, defaults: _Settings, in_circuit: bool
) -> list[Block]:
    if not isinstance(node, SequenceNode):
        raise source.error(node, "`blocks:` must be a list", "each item starts with `- exercise:`")
    if not node.value:
        raise source.error(
            node, "`blocks:` is empty", "add a block like `- exercise: supine-march`"
        )
    if len(node.value) > MAX_BLOCKS:
        raise source.error(
            node.value[MAX_BLOCKS],
            f"`blocks:` has {len(node.value):,} blocks; at most {MAX_BLOCKS:,}",
            "split the session into several workouts",
        )
    found = Collect()
    blocks: list[Block] = []
    for item in node.value:
        with found.each():
            blocks.append(_block(source, item, lib, defaults, in_circuit))
    found.raise_any()
    return blocks


def _check_length(source: SourceFile, blocks: list[Block]) -> None:
    """Refuse a workout whose reps, holds and rests alone last longer than ``MAX_SESSION_MS``.

    Speech only adds to this, so the bound is honest; it keeps ``show`` and
    ``export`` to seconds and a session to something a person can do.
    """
    total = 0
    for block in blocks:
        total += _least_ms(block)
        if total > MAX_SESSION_MS and block.where is not None:
            where = block.where
            raise source.error_at(
                where.line - 1,
                where.col - 1,
                f"the workout lasts at least {format_duration(-(-total // 60_000) * 60_000)} "
                "by here, "
                f"counting only reps, holds and rests; at most {format_duration(MAX_SESSION_MS)}",
                "fewer sets, reps or rounds, shorter rests, or several workouts",
            )


def _least_ms(block: Block) -> int:
    if isinstance(block, RestBlock):
        return block.ms
    if isinstance(block, CircuitBlock):
        inner = sum(_least_ms(b) for b in block.blocks)
        return block.rounds * inner + (block.rounds - 1) * block.rest_ms
    if isinstance(block, ExerciseBlock):
        sides = 1 if block.exercise.sides == "none" else 2
        if block.hold_ms is not None:
            work = block.hold_ms
        else:
            work = (block.reps or 0) * sum(step.ms for step in block.steps)
        one_set = work * sides + (block.side_rest_ms if block.exercise.sides == "each" else 0)
        return block.sets * one_set + (block.sets - 1) * block.rest_ms
    return 0


def _block(
    source: SourceFile, node: Node, lib: Library, defaults: _Settings, in_circuit: bool
) -> Block:
    if not isinstance(node, MappingNode):
        raise source.error(
            node,
            f"a block must be a mapping, not {kind_of(node)}",
            "start it with `exercise:`, `say:`, `rest:` or `circuit:`",
        )
    keys = [str(k.value) for k, _ in node.value]
    kinds = [k for k in ("exercise", "say", "circuit") if k in keys]
    if not kinds and "rest" in keys:
        f = fields(source, node, {"rest": {}}, "a rest block")
        return RestBlock(
            duration(source, f.entries["rest"][1], "`rest`", 1000, MAX_REST_MS), source.where(node)
        )
    if len(kinds) > 1:
        raise source.error(
            node,
            f"a block has both `{kinds[0]}` and `{kinds[1]}`",
            "put each in a block of its own",
        )
    if not kinds:
        hint = did_you_mean(keys[0], ("exercise", "say", "rest", "circuit")) if keys else ""
        raise source.error(
            node.value[0][0] if node.value else node,
            "a block must start with `exercise:`, `say:`, `rest:` or `circuit:`",
            hint + "see the format in the README",
        )
    kind = kinds[0]
    if kind == "say":
        f = fields(source, node, {"say": {}}, "a say block")
        return SayBlock(text(source, f.entries["say"][1], "`say`"), source.where(node))
    if kind == "circuit":
        if in_circuit:
            raise source.error(node, "a circuit cannot hold another circuit")
        f = fields(source, node, {"circuit": {}}, "a circuit block")
        c = fields(source, f.entries["circuit"][1], CIRCUIT_KEYS, "`circuit`")
        if "blocks" not in c:
            raise source.error(f.entries["circuit"][1], "a circuit needs `blocks:`")
        inner = _blocks(source, c.entries["blocks"][1], lib, defaults, in_circuit=True)
        return CircuitBlock(
            rounds=integer(source, n, "`rounds`", 1, MAX_ROUNDS) if (n := c.get("rounds")) else 1,
            rest_ms=duration(source, n, "circuit `rest`", 0, MAX_REST_MS)
            if (n := c.get("rest")) is not None
            else defaults.rest_ms,
            blocks=tuple(b for b in inner if not isinstance(b, CircuitBlock)),
            where=source.where(node),
        )
    return _exercise_block(source, node, lib, defaults)


def _exercise_block(
    source: SourceFile, node: Node, lib: Library, defaults: _Settings
) -> ExerciseBlock:
    f = fields(source, node, EXERCISE_BLOCK_KEYS, "an exercise block")
    id_node = f.entries["exercise"][1]
    exercise_id = text(source, id_node, "`exercise`")
    exercise = lib.find(exercise_id)
    if exercise is None and exercise_id in lib.broken:
        raise AlreadyReported()  # its definition above is wrong, and said so already
    if exercise is None:
        hint = did_you_mean(exercise_id, lib.known_ids())
        raise source.error(
            id_node,
            f"unknown exercise `{exercise_id}`",
            f"{hint}`voicecoach list` shows the exercises there are",
        )
    _exclusive(source, f, "the block", ("hold", "reps"), ("hold", "tempo"))
    own = _settings(source, node, defaults, "an exercise block", EXERCISE_BLOCK_KEYS)
    if exercise.is_hold and "reps" in f:
        raise source.error(
            f.key_node("reps"),
            f"`{exercise.id}` is a timed hold, so the block cannot give `reps`",
            "give `hold: 30s` instead",
        )
    if exercise.is_hold and "tempo" in f:
        raise source.error(f.key_node("tempo"), f"`{exercise.id}` is a timed hold; it has no tempo")
    if (exercise.is_hold or "hold" in f) and "progress" in f:
        raise source.error(
            f.key_node("progress"),
            f"`{exercise.id}` is a timed hold here, so the block cannot progress in reps",
            "remove `progress:`; a hold lasts what `hold:` says",
        )
    if exercise.is_hold or "hold" in f:
        # A default hold applies to timed holds only; a block's own hold turns any
        # exercise into a timed hold of its position.
        hold_ms = own.hold_ms if ("hold" in f or exercise.hold_ms is None) else exercise.hold_ms
        if "hold" not in f and defaults.hold_ms is not None:
            hold_ms = defaults.hold_ms
        assert hold_ms is not None
        return ExerciseBlock(
            exercise,
            own.sets,
            None,
            hold_ms,
            (),
            own.rest_ms,
            own.side_rest_ms,
            own.count,
            source.where(node),
        )
    progress = _progress_range(source, f, own.reps, exercise)
    reps = own.reps.low if own.reps else (exercise.reps.low if exercise.reps else DEFAULT_REPS)
    return ExerciseBlock(
        exercise,
        own.sets,
        reps,
        None,
        rep_steps(exercise, own.tempo),
        own.rest_ms,
        own.side_rest_ms,
        own.count,
        source.where(node),
        progress,
    )


def _progress_range(
    source: SourceFile, f: Fields, reps: RepRange | None, exercise: Exercise
) -> RepRange | None:
    """The range a block progresses through: its own range of reps unless `progress: none`;
    with `progress: reps` and no reps of its own, the exercise's suggested range."""
    node = f.get("progress")
    mode = choice(source, node, "`progress`", PROGRESS_MODES) if node is not None else None
    if mode == "none":
        return None
    if mode is None:
        return reps if reps is not None and reps.low < reps.high else None
    assert node is not None
    if reps is None and exercise.reps is not None and exercise.reps.low < exercise.reps.high:
        return exercise.reps
    if reps is None or reps.low == reps.high:
        raise source.error(
            node,
            "`progress: reps` needs a range of reps to go through",
            "give the block a range, like `reps: 6-12`, or remove `progress:`",
        )
    return reps


def rep_steps(exercise: Exercise, tempo: Tempo | None = None) -> tuple[Step, ...]:
    """The timed steps of one rep: the exercise's own cycle, or its tempo's non-zero phases.

    A tempo given by the workout wins over the exercise's `rep:` cycle.
    """
    if tempo is None and exercise.rep:
        return exercise.rep
    t = tempo or exercise.tempo or DEFAULT_TEMPO
    names = exercise.phases
    lift = names.lift if not t.explosive or names.lift != "Up" else "Up fast"
    phases = ((names.lower, t.lower), (names.bottom, t.bottom), (lift, t.lift), (names.top, t.top))
    return tuple(Step(name, ms) for name, ms in phases if ms > 0)


__all__ = [
    "Library",
    "WorkoutFile",
    "find_workout",
    "list_workouts",
    "load_exercise_file",
    "load_workout",
    "parse_exercise",
    "parse_workout",
    "rep_steps",
    "standard_library",
]
