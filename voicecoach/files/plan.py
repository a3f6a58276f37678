"""Read ``plan.yaml``: the week, a workout, a rest or a run on each day.

Found as ``plan.yaml`` in the current folder's ``workouts/``, then in the
user's config folder, or given with ``--plan PATH``; with none of these the
built-in example plan is used. Every workout a plan names must exist, and
each mistake is an ``InputError`` at the file, line and column.
"""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach import paths
from voicecoach.errors import InputError
from voicecoach.files.fields import PLAN_KEYS, RUN_KEYS
from voicecoach.files.load import find_workout, list_workouts
from voicecoach.files.nodes import fields, text
from voicecoach.files.yamlsource import SourceFile, kind_of, read_yaml, suggest
from voicecoach.model import RUN_KINDS, WEEKDAYS, Plan, PlanDay, RunKind, Weekday

PLAN_FILE = "plan.yaml"
REST = "rest"


def plan_places(cwd: Path) -> list[Path]:
    """Where a plan is looked for, in order."""
    return [cwd / "workouts" / PLAN_FILE, paths.config_dir() / PLAN_FILE]


def builtin_plan_path() -> Path:
    return paths.builtin_dir() / PLAN_FILE


def find_plan(cwd: Path, given: str | None = None) -> Path | None:
    """The user's plan: ``given``, or the first of ``plan_places``; None when there is none."""
    if given is not None:
        path = cwd / given
        if not path.is_file():
            raise InputError(f"{given}: no such file (--plan takes the path of a plan.yaml)")
        return path
    return next((p for p in plan_places(cwd) if p.is_file()), None)


def is_plan(root: Node | None) -> bool:
    """Whether a composed file is a plan: a mapping with `week:` and no `blocks:`."""
    if not isinstance(root, MappingNode):
        return False
    keys = {str(k.value) for k, _ in root.value if isinstance(k, ScalarNode)}
    return "week" in keys and "blocks" not in keys


def is_plan_file(path: Path) -> bool:
    _, root = read_yaml(path)
    return is_plan(root)


def load_plan(path: Path, cwd: Path, shown: str | None = None) -> Plan:
    """Read and check a plan; the workouts it names are looked up as ``play`` would."""
    source, root = read_yaml(path, shown or _shown(path, cwd))
    return parse_plan(source, root, path, cwd)


def parse_plan(source: SourceFile, root: Node | None, path: Path, cwd: Path) -> Plan:
    if root is None:
        raise InputError(f"{source.path}: the file is empty; a plan needs `week:`")
    f = fields(source, root, PLAN_KEYS, "a plan")
    week = f.get("week")
    if week is None:
        raise source.error(root, "a plan needs `week:`", "like `week: {monday: monday}`")
    if not isinstance(week, MappingNode):
        raise source.error(
            week, f"`week` must be a mapping of days, not {kind_of(week)}", "like `monday: monday`"
        )
    days: dict[Weekday, PlanDay] = {}
    for key_node, value_node in week.value:
        weekday = _weekday(source, key_node)
        if weekday in days:
            first = days[weekday].where
            raise source.error(
                key_node,
                f"{weekday} is given twice in the week",
                f"it was first given on line {first.line}; a day holds one workout"
                if first
                else None,
            )
        days[weekday] = _day(source, weekday, key_node, value_node, path, cwd)
    return Plan(
        title=text(source, n, "`title`", 120) if (n := f.get("title")) else None,
        path=source.path,
        days=tuple(days.get(w, PlanDay(w)) for w in WEEKDAYS),
    )


def _weekday(source: SourceFile, node: Node) -> Weekday:
    word = str(node.value).strip().lower() if isinstance(node, ScalarNode) else ""
    for weekday in WEEKDAYS:
        if word == weekday:
            return weekday
    close = suggest(word, WEEKDAYS) or next(
        (w for w in WEEKDAYS if word and w.startswith(word)), None
    )
    hint = f"did you mean `{close}`? " if close else ""
    written = node.value if isinstance(node, ScalarNode) else kind_of(node)
    raise source.error(
        node,
        f"`{written}` is not a day of the week",
        f"{hint}the days are: {', '.join(WEEKDAYS)}",
    )


def _day(
    source: SourceFile, weekday: Weekday, key: Node, node: Node, path: Path, cwd: Path
) -> PlanDay:
    where = source.where(key)
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        return PlanDay(weekday, where=where)
    if isinstance(node, MappingNode):
        f = fields(source, node, RUN_KEYS, f"{weekday}'s run")
        run_node = f.get("run")
        if run_node is None:
            raise source.error(node, f"{weekday}'s run needs `run:`", "like `{run: long}`")
        run = _run_kind(source, run_node)
        return PlanDay(weekday, "run", run=run, where=where)
    if isinstance(node, SequenceNode):
        if len(node.value) > 1:
            names = [str(n.value) for n in node.value if isinstance(n, ScalarNode)]
            raise source.error(
                node.value[1],
                f"two workouts on {weekday}"
                + (f": `{names[0]}` and `{names[1]}`" if len(names) > 1 else ""),
                "a day holds one workout: move one to a rest day",
            )
        if not node.value:
            return PlanDay(weekday, where=where)
        node = node.value[0]
    name = text(source, node, f"{weekday}'s workout", 200)
    if name.lower() == REST:
        return PlanDay(weekday, where=where)
    return PlanDay(weekday, "workout", workout=_workout(source, node, name, path, cwd), where=where)


def _run_kind(source: SourceFile, node: Node) -> RunKind:
    word = str(node.value).strip().lower() if isinstance(node, ScalarNode) else ""
    for kind in RUN_KINDS:
        if word == kind:
            return kind
    close = suggest(word, RUN_KINDS)
    hint = f"did you mean `{close}`? " if close else ""
    written = node.value if isinstance(node, ScalarNode) else kind_of(node)
    raise source.error(
        node, f"`{written}` is not a kind of run", f"{hint}a run is one of: {', '.join(RUN_KINDS)}"
    )


def _workout(source: SourceFile, node: Node, name: str, plan: Path, cwd: Path) -> str:
    """The workout as ``play`` would find it: a name as is, a path from the plan's folder."""
    looks_like_path = "/" in name or "\\" in name or name.endswith((".yaml", ".yml"))
    if looks_like_path:
        path = (plan.parent / name).resolve()
        if not path.is_file():
            raise source.error(
                node, f"no workout file `{name}`", f"paths are looked up from {plan.parent}"
            )
        return str(path)
    try:
        find_workout(name, cwd)
    except InputError:
        known = [w.name for w in list_workouts(cwd)]
        close = suggest(name, known)
        hint = f"did you mean `{close}`? " if close else ""
        raise source.error(
            node, f"no workout named `{name}`", f"{hint}known: {', '.join(known)}"
        ) from None
    return name


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        builtin = paths.builtin_dir().resolve()
        if path.resolve().is_relative_to(builtin):
            return f"<built-in>/{path.resolve().relative_to(builtin)}"
        return str(path)
