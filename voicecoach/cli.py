"""The command line: parse arguments, call the core, turn errors into exit codes.

Every command is registered with ``@command``, which is the one place where a
``VoicecoachError`` becomes its message on stderr and its exit code, and
Ctrl-C becomes exit 130. What a command needs of the world (streams, the
working folder, the voice, the sound device, the session log, the clock)
comes from the ``Environment`` in the click context: the real one from
``main``, a fake one from a test (``CliRunner().invoke(app, args, obj=env)``).
Anything else that escapes a command is a bug in voicecoach: a short message
and exit 1, and the traceback only with ``VOICECOACH_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from voicecoach import __version__
from voicecoach.env import Environment
from voicecoach.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    InputError,
    VoicecoachError,
)
from voicecoach.model import VoiceSettings, Workout

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from voicecoach.player.history import History
    from voicecoach.session import Session

app = typer.Typer(
    name="voicecoach",
    help="A voice-guided workout player: a voice leads the session, nobody has to look.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


_current: contextvars.ContextVar[Environment] = contextvars.ContextVar("environment")


def env() -> Environment:
    """The environment of the command being run (the real world unless a test passed one)."""
    try:
        return _current.get()
    except LookupError:
        _current.set(Environment())
        return _current.get()


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print to the environment's stdout, or stderr with ``err``."""
    e = env()
    typer.echo(text, file=e.errors if err else e.output, nl=nl)


def command(name: str) -> Callable[[F], F]:
    """Register a typer command whose user-facing errors become exit codes."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except VoicecoachError as error:
                say(f"error: {error}", err=True)
                raise typer.Exit(error.exit_code) from None
            except KeyboardInterrupt:
                say("Stopped.", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            except (typer.Exit, typer.Abort, SystemExit):
                raise
            except BrokenPipeError:
                # `voicecoach show monday | head`: the reader has all it wanted.
                _quiet_stdout()
                raise typer.Exit(0) from None
            except Exception as error:
                import os

                if os.environ.get("VOICECOACH_DEBUG"):
                    raise
                say(internal_error(error), err=True)
                raise typer.Exit(EXIT_FAILURE) from None

        app.command(name)(run)
        return fn

    return decorate


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def internal_error(error: BaseException) -> str:
    """What a user reads when voicecoach itself failed: what, and how to report it."""
    what = " ".join(str(error).split())[:200] or "no details"
    return (
        f"error: voicecoach failed inside ({type(error).__name__}: {what})\n"
        "  this is a bug, not a mistake of yours; run the command again with "
        "VOICECOACH_DEBUG=1 to see the details, and report them with the file you used"
    )


def _version(value: bool) -> None:
    if value:
        say(f"voicecoach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """A voice-guided workout player: a voice leads the session, nobody has to look."""
    if not isinstance(ctx.obj, Environment):
        ctx.obj = Environment()
    _current.set(ctx.obj)


def main() -> None:
    """Console entry point."""
    app(obj=Environment())


EngineOption = typer.Option(
    None, "--engine", "-e", help="Voice engine: pyttsx3 (system voices) or piper."
)
VoiceOption = typer.Option(None, "--voice", help="A voice id from `voicecoach voices`.")
RateOption = typer.Option(None, "--rate", help="Speaking rate in words per minute.")
EstimateOption = typer.Option(
    False, "--estimate", help="Guess phrase lengths instead of asking the voice engine."
)
NamesArgument = typer.Argument(
    ..., help="Workout names or YAML files (workouts, exercises or a plan.yaml)."
)
NameArgument = typer.Argument(
    ...,
    help="A workout name (monday), today or tomorrow (from the plan), or a path to a YAML file.",
)
PlanOption = typer.Option(
    None,
    "--plan",
    help="The plan.yaml to use, instead of the one in workouts/ or your config folder.",
)


def todays_workout(
    name: str,
    plan_path: str | None,
    history: History | None,
    warn: Callable[[str], None],
    resume: bool = False,
) -> Workout | None:
    """``plan.today.session_for`` in this command's environment: the workout at today's
    reps, or None after saying why there is none today."""
    from voicecoach.plan.today import session_for

    e = env()
    found = session_for(
        name,
        cwd=e.cwd,
        today=e.today(),
        plan_path=plan_path,
        history=history,
        warn=warn,
        resume=resume,
    )
    if found.workout is None:
        say(found.message or "")
    return found.workout


def _read_log(warn: Callable[[str], None]) -> History | None:
    """The session log for reading, or None with one warning: ranges start from the bottom."""
    try:
        return env().log()
    except VoicecoachError as error:
        warn(f"warning: {error} Each range starts from its bottom.")
        return None


@contextlib.contextmanager
def _reading_log() -> Iterator[History | None]:
    history = _read_log(lambda text: say(text, err=True))
    try:
        yield history
    finally:
        if history is not None:
            history.close()


def prepare(
    name: str | Workout,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
    estimate: bool = False,
    on_synth: Callable[[str], None] | None = None,
) -> Session:
    """``session.prepare`` with the command-line voice flags and this command's environment."""
    from voicecoach.session import prepare as prepare_session

    e = env()
    return prepare_session(
        name,
        VoiceSettings(engine=engine, voice=voice, rate=rate),
        estimate=estimate,
        cwd=e.cwd,
        on_synth=on_synth,
        open_speech=e.open_speech,
        workers=None,
    )


@command("show")
def show(
    name: str = NameArgument,
    as_json: bool = typer.Option(False, "--json", help="Print the timeline as JSON."),
    counts: bool = typer.Option(
        True, "--counts/--no-counts", help="List every count, or fold each set's counts."
    ),
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    estimate: bool = EstimateOption,
    plan_path: str | None = PlanOption,
) -> None:
    """Print the whole session as a timeline: when each prompt is spoken, chapters, total time."""
    from voicecoach.compiler.present import timeline_json, timeline_text

    with _reading_log() as history:
        workout = todays_workout(name, plan_path, history, lambda t: say(t, err=True))
    if workout is None:
        return
    session = prepare(workout, engine, voice, rate, estimate)
    if as_json:
        say(timeline_json(session.timeline), nl=False)
    else:
        say(timeline_text(session.timeline, counts=counts), nl=False)


@command("check")
def check(
    names: list[str] = NamesArgument,
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    estimate: bool = EstimateOption,
) -> None:
    """Validate workout and exercise files; print warnings. Exit 0 if valid, 2 with errors."""
    from voicecoach.files.load import expand_names
    from voicecoach.files.settings import load_config

    failed = 0
    try:
        load_config()
        config_ok = True
    except VoicecoachError as error:
        # Said once, not once a file: each workout is then timed at the estimated rate.
        say(f"error: {error}", err=True)
        failed, config_ok = 1, False
    for name in expand_names(names, env().cwd):
        try:
            _check_one(name, engine, voice, rate, estimate, config_ok)
        except VoicecoachError as error:
            say(f"error: {error}", err=True)
            failed += 1
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


MAX_WARNINGS = 20


def _check_one(
    name: str,
    engine: str | None,
    voice: str | None,
    rate: int | None,
    estimate: bool,
    config_ok: bool = True,
) -> None:
    """Check one file or workout, reading it once; with a broken ``config.yaml`` (already
    reported) a workout is timed at the estimated speaking rate, without a voice."""
    from voicecoach.compiler.compile import compile_report
    from voicecoach.compiler.present import clock
    from voicecoach.files.load import load_for_check
    from voicecoach.files.plan import is_plan_file
    from voicecoach.voices.base import EstimatedLengths

    path = env().cwd / name
    if path.suffix in (".yaml", ".yml") and path.is_file() and is_plan_file(path):
        _check_plan(name)
        return
    found = load_for_check(name, env().cwd)
    if isinstance(found, list):
        say(f"ok: {name}: {len(found)} exercise(s): " + ", ".join(e.id for e in found))
        return
    if config_ok:
        session = prepare(found, engine, voice, rate, estimate)
        timeline, warnings = session.timeline, session.warnings
    else:
        compiled = compile_report(found, EstimatedLengths())
        timeline, warnings = compiled.timeline, compiled.warnings
    for warning in warnings[:MAX_WARNINGS]:
        say(str(warning), err=True)
    if len(warnings) > MAX_WARNINGS:
        say(f"... and {len(warnings) - MAX_WARNINGS} more warnings", err=True)
    say(
        f"ok: {found.path}: {found.title} "
        f"({clock(timeline.duration, timeline.sample_rate)}"
        + ("" if config_ok else " at the estimated speaking rate, as config.yaml has an error")
        + f", {len(timeline.chapters)} chapters, {len(timeline.events)} prompts"
        + (f", {len(warnings)} warning(s)" if warnings else "")
        + ")"
    )


def _check_plan(name: str) -> None:
    """A plan, each workout it names, and the long-run rule."""
    from voicecoach.files.load import load_workout
    from voicecoach.files.plan import load_plan
    from voicecoach.plan.week import run_warnings

    e = env()
    plan = load_plan(e.cwd / name, e.cwd, shown=name)
    workouts = {
        d.workout: load_workout(d.workout, e.cwd) for d in plan.days if d.workout is not None
    }
    warnings = run_warnings(plan, workouts)
    for warning in warnings:
        say(str(warning), err=True)
    kinds = [d.kind for d in plan.days]
    counts = [
        _count(kinds.count("workout"), "workout day"),
        _count(kinds.count("run"), "run"),
        _count(kinds.count("rest"), "rest day"),
    ]
    if warnings:
        counts.append(_count(len(warnings), "warning"))
    say(f"ok: {name}: {plan.title or 'a plan'} ({', '.join(counts)})")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


@command("plan")
def plan_command(
    when: str | None = typer.Option(
        None, "--date", help="Show the week that holds this day (YYYY-MM-DD), not this week."
    ),
    plan_path: str | None = PlanOption,
    as_json: bool = typer.Option(False, "--json", help="Print the week as JSON."),
) -> None:
    """Print the plan's week: each day's workout, rest or run, the reps each workout will ask
    for, today marked, and warnings (eccentric work the day before a long run)."""
    import json
    from datetime import date

    from voicecoach.files.load import load_workout
    from voicecoach.plan.present import WeekView, week_json, week_text
    from voicecoach.plan.progression import progress
    from voicecoach.plan.today import log_rows, plan_in_use
    from voicecoach.plan.week import run_warnings, week_of

    e = env()
    try:
        day = date.fromisoformat(when) if when is not None else e.today()
    except ValueError:
        raise InputError(f"--date {when}: write a day as YYYY-MM-DD, like 2026-12-07") from None
    in_use = plan_in_use(e.cwd, plan_path)
    refs = {d.workout for d in in_use.plan.days if d.workout is not None}
    workouts = {ref: load_workout(ref, e.cwd) for ref in sorted(refs)}
    with _reading_log() as history:
        rows_for = log_rows(history, lambda t: say(t, err=True))
        sessions = {ref: progress(w, rows_for(w.name)) for ref, w in workouts.items()}
    view = WeekView(
        in_use.plan,
        in_use.builtin,
        week_of(in_use.plan, day),
        day,
        sessions,
        run_warnings(in_use.plan, workouts),
    )
    if as_json:
        say(json.dumps(week_json(view), indent=2))
    else:
        say(week_text(view), nl=False)


ProgressExercisesArgument = typer.Argument(
    None, help="Only these exercises (ids, like staggered-stance-rdl)."
)


@command("progress")
def progress_command(
    exercises: list[str] | None = ProgressExercisesArgument,
    workout: str | None = typer.Option(
        None, "--workout", "-w", help="Only the sessions of this workout."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Per exercise: each session's date, sets done x reps, hard marks, and a chart of the
    volume session by session."""
    import json

    from voicecoach.plan.present import progress_json, progress_text

    history = env().log()
    try:
        rows = history.exercise_log(workout)
    finally:
        history.close()
    if exercises:
        known = {r.exercise for r in rows}
        for wanted in exercises:
            if wanted not in known:
                from voicecoach.files.yamlsource import suggest

                close = suggest(wanted, known)
                hint = f"did you mean `{close}`? " if close else ""
                raise InputError(
                    f"no sessions of the exercise `{wanted}` in the log\n  {hint}logged: "
                    + (", ".join(sorted(known)) or "none yet")
                )
        rows = [r for r in rows if r.exercise in exercises]
    if as_json:
        say(json.dumps(progress_json(rows), indent=2))
        return
    if not rows:
        which = f" of {workout}" if workout else ""
        say(f"No sessions{which} yet. Start one with: voicecoach play {workout or 'today'}")
        return
    say(progress_text(rows, _terminal_width()), nl=False)


@command("schema")
def schema() -> None:
    """Print a JSON Schema for workout and exercise files (for editor autocompletion)."""
    import json

    from voicecoach.files.schema import json_schema

    say(json.dumps(json_schema(), indent=2))


ListMuscleOption = typer.Option(
    None, "--muscle", "-m", help="Only exercises that work this muscle (repeatable)."
)
ListEquipmentOption = typer.Option(
    None,
    "--equipment",
    help="Only exercises that use this equipment, or `none` (repeatable).",
)
ListSidesOption = typer.Option(
    None, "--sides", help="Only exercises with this side mode: none, each or alternate."
)
ListSourceOption = typer.Option(
    None,
    "--source",
    help="Only what comes from here: user, built-in, or words of an exercise's source "
    "(free-exercise-db).",
)


@command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    muscles: list[str] | None = ListMuscleOption,
    equipment: list[str] | None = ListEquipmentOption,
    sides: list[str] | None = ListSidesOption,
    sources: list[str] | None = ListSourceOption,
) -> None:
    """List the workouts and exercises a name finds, and where each comes from."""
    import json

    from voicecoach.files.load import list_workouts, standard_library
    from voicecoach.library.filters import exercise_filter, matches, source_matches

    wanted = exercise_filter(muscles or (), equipment or (), sides or (), sources or ())
    workouts = [
        w
        for w in list_workouts(env().cwd)
        if not wanted.by_exercise and source_matches(wanted.sources, w.origin)
    ]
    every = list(standard_library().all())
    exercises = [(o, e) for o, e in every if matches(wanted, o, e)]
    if as_json:
        say(
            json.dumps(
                {
                    "workouts": [
                        {"name": w.name, "from": w.origin, "path": str(w.path)} for w in workouts
                    ],
                    "exercises": [
                        {
                            "id": e.id,
                            "name": e.name,
                            "from": origin,
                            "path": e.path,
                            "sides": e.sides,
                            "reps": str(e.reps) if e.reps else None,
                            "hold_s": e.hold_ms / 1000 if e.hold_ms else None,
                            "muscles": list(e.muscles),
                            "equipment": list(e.equipment),
                        }
                        for origin, e in exercises
                    ],
                },
                indent=2,
            )
        )
        return
    if not wanted.by_exercise:
        say("Workouts:")
        for w in workouts:
            say(f"  {w.name:<28} {w.origin:<9} {w.path}")
        say("")
    say("Exercises:")
    if not exercises:
        say("  none match")
        for label, asked, values in (
            ("muscles", wanted.muscles, {m for _, e in every for m in e.muscles}),
            ("equipment", wanted.equipment, {q for _, e in every for q in e.equipment}),
        ):
            if asked:
                say(f"  {label} in these libraries: {', '.join(sorted(values))}")
    for origin, e in exercises:
        amount = f"hold {e.hold_ms // 1000}s" if e.hold_ms else (f"{e.reps} reps" if e.reps else "")
        mode = "" if e.sides == "none" else e.sides
        say(f"  {e.id:<34} {origin:<9} {mode:<10} {amount:<12} {e.name}")


ImportMuscleOption = typer.Option(
    None, "--muscle", "-m", help="Only entries that work this muscle (repeatable)."
)
ImportIdOption = typer.Option(
    None,
    "--id",
    help="Only this entry: its id in the database (Romanian_Deadlift) or the id made "
    "from its name (romanian-deadlift); repeatable.",
)


@command("import")
def import_command(
    database: str = typer.Argument(..., help="The database to import from: free-exercise-db."),
    file: str | None = typer.Argument(
        None, help="Its exercises.json (default: the copy that ships with voicecoach)."
    ),
    muscles: list[str] | None = ImportMuscleOption,
    ids: list[str] | None = ImportIdOption,
    to: str | None = typer.Option(
        None, "--to", help="The folder to write into (default: your exercises folder)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace files you edited since."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be written, and write nothing."
    ),
) -> None:
    """Import exercises from a database as exercise files, one per exercise, ready to play."""
    from pathlib import Path

    from voicecoach import paths
    from voicecoach.errors import InputError
    from voicecoach.files.writer import write_planned
    from voicecoach.library.importer import (
        bundled_database,
        check_database,
        plan_import,
        read_database,
        select,
        summary,
    )

    check_database(database)
    folder = Path(to) if to else paths.user_exercises()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--to {folder} is a file, not a folder")
    source = Path(file) if file else bundled_database()
    shown = file or f"<built-in>/{database}/exercises.json"
    entries = read_database(source, shown)
    chosen = select(entries, muscles or (), ids or ())
    plan = plan_import(entries, chosen, folder, force)
    failed = write_planned(plan.files, dry_run)
    say(summary(plan, shown, dry_run, failed), nl=False)
    if failed:
        count = f"{len(failed)} file{'s' if len(failed) != 1 else ''}"
        raise VoicecoachError(f"{count} could not be written; see above")


NewAddOption = typer.Option(
    None,
    "--add",
    "-a",
    help="An exercise id to add, in order (repeatable); for `new plan`, a workout.",
)
NewLibraryOption = typer.Option(
    None,
    "--library",
    help="A folder of exercises to look in first, such as one `import --to` wrote (repeatable).",
)


@command("new")
def new_command(
    name: str = typer.Argument(
        ..., help="The workout's name, which is also its file name; or `plan` for a plan.yaml."
    ),
    add: list[str] | None = NewAddOption,
    to: str | None = typer.Option(
        None, "--to", help="The folder to write NAME.yaml into (default: your workouts folder)."
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="The file to write, instead of NAME.yaml in a folder."
    ),
    title: str | None = typer.Option(None, "--title", help="The spoken title (default: NAME)."),
    libraries: list[str] | None = NewLibraryOption,
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
) -> None:
    """Write a commented workout file from chosen exercises, with sets, reps and rests."""
    from pathlib import Path

    from voicecoach.files.writer import write_new
    from voicecoach.library.scaffold import check_name, new_workout, workout_path

    if name in ("plan", "plan.yaml"):
        _new_plan(add or [], to, output, title, force)
        return
    from voicecoach.plan.today import DAY_NAMES

    if name in DAY_NAMES:
        raise InputError(f"`{name}` means the plan's workout for that day; choose another name")
    stem = check_name(name)
    path = workout_path(stem, to, output)
    made = new_workout(stem, add or [], path, title, [Path(f) for f in libraries or ()])
    write_new(path, made.text, force)
    say(made.report(path), nl=False)


def _new_plan(
    workouts: list[str], to: str | None, output: str | None, title: str | None, force: bool
) -> None:
    from voicecoach import paths
    from voicecoach.files.plan import find_plan
    from voicecoach.files.writer import write_new
    from voicecoach.plan.scaffold import new_plan

    e = env()
    if output is not None:
        path = e.cwd / output
    else:
        path = (e.cwd / to if to else paths.config_dir()) / "plan.yaml"
    write_new(path, new_plan(workouts, title, e.cwd), force)
    found = find_plan(e.cwd)
    # Found where plans are looked for: no --plan needed to use it.
    shown = "" if found is not None and found.resolve() == path.resolve() else f" --plan {path}"
    say(f"Wrote {path}.\nSee the week with: voicecoach plan{shown}")


ToneOption = typer.Option(False, "--tone", help="A short tick under each countdown beat.")
MusicOption = typer.Option(
    None,
    "--music",
    help="Music under the voice, ducked for every prompt: an audio file, a folder of them "
    "(in name order) or an .m3u/.m3u8 playlist.",
)
NoMusicOption = typer.Option(
    False, "--no-music", help="No music, even if the workout or config.yaml names some."
)
MusicLevelOption = typer.Option(
    None,
    "--music-level",
    min=0.0,
    max=40.0,
    help="How far below the voice the music sits, in LU (default: 12, or further where the "
    "session needs it for the file to measure -19 LUFS; a level you give is kept).",
)


def _music(
    workout: Any,
    timeline: Any,
    flag: str | None,
    off: bool,
    level: float | None,
    say: Any,
    wait: bool = True,
) -> Any:
    """The session's music (``sound/music.py``) for ``timeline``, or None; ``InputError`` if
    none can play. ``timeline`` is the session's estimate, for ``play`` and ``export``
    alike: it sets how far below the voice the music sits (``music.music_level``), which
    must be the same for both. Without ``wait`` its first track may still be being
    measured, and comes in when it is (``play``)."""
    from voicecoach.files.settings import load_music
    from voicecoach.sound.music import music_for

    named = [workout.music, None if off or flag else load_music()]
    return music_for(flag, off, named, timeline, level_lu=level, warn=say, wait=wait)


@command("export")
def export(
    name: str = NameArgument,
    output: str | None = typer.Option(
        None,
        "--output",
        "-o",
        help="The file to write, or a folder for NAME.FORMAT (with --split: the folder for "
        "the parts). Default: the current folder.",
    ),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="mp3 (default), ogg, opus, flac or wav."
    ),
    split: bool = typer.Option(
        False, "--split", help="One numbered file per exercise plus an .m3u8 playlist."
    ),
    force: bool = typer.Option(False, "--force", help="Replace files that already exist."),
    tone: bool = ToneOption,
    music: str | None = MusicOption,
    no_music: bool = NoMusicOption,
    music_level: float | None = MusicLevelOption,
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    plan_path: str | None = PlanOption,
) -> None:
    """Write the session to an audio file for a phone, with a chapter per exercise."""
    from voicecoach.compiler.compile import compile_workout
    from voicecoach.compiler.present import clock
    from voicecoach.sound.export import (
        check_target,
        export_split,
        export_timeline,
        plan_target,
        split_names,
    )
    from voicecoach.sound.render import RenderOptions
    from voicecoach.voices.base import EstimatedLengths

    with _reading_log() as history:
        workout = todays_workout(name, plan_path, history, lambda t: say(t, err=True))
    if workout is None:
        return
    target = plan_target(workout.name, output, fmt, split)
    check_target(target, force)
    with _terminate_as_interrupt(env().signals), _progress() as bar:
        session = prepare(workout, engine, voice, rate, on_synth=bar.synthesizing if bar else None)
        speech, timeline = session.speech, session.timeline
        estimate = compile_workout(workout, EstimatedLengths(timeline.sample_rate))
        mix = _music(workout, estimate, music, no_music, music_level, _warn)
        options = RenderOptions(tone=tone, music=mix)
        progress = bar.rendering if bar else None
        if split:
            names, _ = split_names(timeline, target.fmt, workout.name)
            check_target(target, force, names)
            result = export_split(
                timeline,
                speech,
                target.path,
                target.fmt,
                stem=workout.name,
                options=options,
                force=force,
                progress=progress,
            )
            written = [*result.files, result.playlist]
        else:
            written = [
                export_timeline(
                    timeline,
                    speech,
                    target.path,
                    target.fmt,
                    options=options,
                    force=force,
                    progress=progress,
                )
            ]
    for warning in session.warnings:
        say(str(warning), err=True)
    length = clock(timeline.duration, timeline.sample_rate)
    chapters = len(timeline.chapters)
    if split:
        say(f"Wrote {len(written) - 1} files and a playlist in {target.path} ({length})")
        say(f"  {written[-1]}")
    else:
        say(f"Wrote {written[0]} ({length}, {chapters} chapters)")


@command("play")
def play(
    name: str = NameArgument,
    resume: bool = typer.Option(
        False, "--resume", help="Carry on from the first unfinished set of the last session."
    ),
    backend: str = typer.Option(
        "miniaudio",
        "--backend",
        "-b",
        help="Sound output: miniaudio (default), simpleaudio, or null (real time, no sound).",
    ),
    tone: bool = ToneOption,
    music: str | None = MusicOption,
    no_music: bool = NoMusicOption,
    music_level: float | None = MusicLevelOption,
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    plan_path: str | None = PlanOption,
    listen: bool = typer.Option(
        False,
        "--listen",
        help='Also take spoken commands: "coach pause", "coach next", "coach back", '
        '"coach repeat", "coach hard" (headphones recommended).',
    ),
) -> None:
    """Play the session live; keys: space pause/resume, n next set, b back, s skip,
    h that was hard, r say that again, q quit. Media keys and headset buttons work too."""
    import shlex

    from voicecoach.compiler.present import clock
    from voicecoach.plan.progression import asked_of
    from voicecoach.plan.today import DAY_NAMES
    from voicecoach.player.history import FINISHED, QUIT, SafeLog
    from voicecoach.player.keys import NoKeys
    from voicecoach.player.play import HELP, Player, resumption
    from voicecoach.session import prepare_live
    from voicecoach.sound.render import RenderOptions
    from voicecoach.sound.sinks import check_backend

    e = env()
    check_backend(backend)
    console = _StatusConsole(e)
    history, locked = _open_history(console.say)
    log: SafeLog | None = None
    closing = contextlib.ExitStack()
    try:
        chosen = todays_workout(name, plan_path, history, console.say, resume)
        if chosen is None:
            return
        sinks: list[Any] = []
        named = chosen.name

        def speech_then_device(
            workout: VoiceSettings | None,
            flags: VoiceSettings,
            on_synth: Callable[[str], None] | None = None,
        ) -> Any:
            opened = e.open_speech(workout, flags, on_synth)
            # The device before any synthesis: with none, say so at once, not after it.
            sinks.append(e.open_sink(backend, opened.sample_rate, named))
            return opened

        session = prepare_live(
            chosen,
            VoiceSettings(engine=engine, voice=voice, rate=rate),
            cwd=e.cwd,
            open_speech=speech_then_device,
        )
        workout, live = session.workout, session.timeline
        closing.callback(live.close)

        mix = _music(
            workout,
            live.estimate or live.outline(),
            music,
            no_music,
            music_level,
            lambda t: console.say(f"warning: {t}"),
            wait=False,
        )
        start, resumed = 0, None
        if resume:
            found = resumption(history, live)
            start, resumed = found.start, found.session
            for line in found.message.splitlines():
                console.say(line)
        sink = sinks[0]
        log = SafeLog(
            history,
            console.say,
            asked_of(workout, live.outline()),
            reopen=e.log if locked else None,
            now=e.now,
        )
        outline = live.outline()
        about = "" if live.done else "about "
        length = clock(outline.duration, outline.sample_rate)
        console.say(f"{workout.title} ({about}{length}) on {sink.name}")
        if console.tty and e.stdin_isatty:
            console.say(HELP)
        again_name = workout.name if name in DAY_NAMES else name
        again = f"Carry on later with: voicecoach play {shlex.quote(again_name)} --resume"
        options = RenderOptions(tone=tone, music=mix)
        remotes = e.open_remotes(console.say, listen)
        player = Player(
            live,
            session.speech,
            sink,
            NoKeys(),
            log,
            console.status,
            start,
            options,
            remotes=remotes,
            say=console.say,
        )
        sample_rate = outline.sample_rate
        try:
            with _terminate_as_interrupt(e.signals), e.keys() as keys:
                player.keys = keys
                outcome = player.run(resumed)
        except KeyboardInterrupt:
            if player.stopped_at is not None:
                at = clock(player.stopped_at, sample_rate)
                console.clear()
                console.say(f"At {at}." + (f" {again}" if history is not None or locked else ""))
            raise
        console.clear()
        at = clock(outcome.position, sample_rate)
        if outcome.how == QUIT:
            console.say(
                f"Stopped at {at}." + (f" {again}" if history is not None or locked else "")
            )
        elif outcome.how == FINISHED:
            console.say(f"Done: {workout.title}.")
            live.close(finish=True)  # a device faster than real time can end it first
    finally:
        closing.close()  # the compile, if it is still running
        console.clear()
        if log is not None:
            log.close()  # the log it opened, if it was locked at the start
        if history is not None:
            history.close()


def _warn(text: str) -> None:
    say(f"warning: {text}", err=True)


class _StatusConsole:
    """Messages on stderr, and on a terminal one status line kept at the bottom."""

    def __init__(self, e: Environment) -> None:
        self._stream = e.errors
        self.tty = e.stderr_isatty
        self._shown = ""

    def status(self, line: str) -> None:
        if self.tty and line != self._shown:
            width = _terminal_width()
            self._stream.write("\r\x1b[K" + line[: width - 1])
            self._stream.flush()
            self._shown = line

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = ""

    def say(self, text: str) -> None:
        self.clear()
        typer.echo(text, file=self._stream)


@contextlib.contextmanager
def _terminate_as_interrupt(enabled: bool = True) -> Iterator[None]:
    """``kill`` (SIGTERM), a closed terminal (SIGHUP) and Ctrl-\\ (SIGQUIT) stop a session or
    an export like Ctrl-C: the session logged, the device closed, the terminal restored, the
    temporary file removed, and a word said."""
    import signal
    import threading

    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, n)]
    previous = {s: signal.signal(s, interrupt) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _open_history(warn: Callable[[str], None]) -> tuple[History | None, bool]:
    """The session database, or None with a warning: a workout plays without its log.

    A log locked by another program is no warning: the session's writes wait
    for it (True says so).
    """
    from voicecoach.player.history import is_locked

    try:
        return env().log(), False
    except VoicecoachError as error:
        if is_locked(error):
            return None, True
        warn(f"warning: {error}")
        return None, False


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


@command("history")
def history_command(
    workout: str | None = typer.Argument(None, help="Only this workout's sessions."),
    limit: int = typer.Option(20, "--limit", "-n", help="How many sessions, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List past sessions: when, which workout, sets done, how each ended."""
    import dataclasses
    import json

    from voicecoach.compiler.present import clock
    from voicecoach.player.history import FINISHED

    history = env().log()
    try:
        rows = history.sessions(workout, limit=max(1, limit))
    finally:
        history.close()
    if as_json:
        say(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return
    if not rows:
        which = f" of {workout}" if workout else ""
        say(f"No sessions{which} yet. Start one with: voicecoach play {workout or 'monday'}")
        return
    for r in rows:
        sets = f"{r.sets_done}/{r.sets_total} sets"
        counts = ((r.sets_skipped, "skipped"), (r.sets_hard, "hard"))
        if marks := [f"{n} {what}" for n, what in counts if n]:
            sets += f" ({', '.join(marks)})"
        ended = r.how_it_ended
        if r.outcome != FINISHED:
            ended += f" at {clock(int(r.position_s), 1)} of {clock(int(r.duration_s), 1)}"
        say(f"{r.when}  {r.workout:<16} {sets:<22} {ended}")


@command("voices")
def voices(
    engine: str | None = typer.Option(
        None, "--engine", "-e", help="List only this engine's voices: pyttsx3 or piper."
    ),
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the voice engines and voices available here, and which voice is in use."""
    import json

    from voicecoach.files.settings import config_path
    from voicecoach.voices import ENGINES, choose_why, engine_status, open_engine

    chosen, why = choose_why(None, engine, voice, rate)
    if chosen.engine not in ENGINES:
        open_engine(str(chosen.engine))  # says which engines there are
    shown = [chosen.engine] if engine else list(ENGINES)
    statuses = [
        engine_status(n, None, chosen.rate)
        if n != chosen.engine
        else engine_status(n, chosen.voice, chosen.rate, chosen.voice_at)
        for n in shown
        if n is not None
    ]
    if engine and not statuses[0].available:
        from voicecoach.errors import EngineError

        raise EngineError(statuses[0].detail)
    in_use = next((s for s in statuses if s.name == chosen.engine), None)
    if as_json:
        say(
            json.dumps(
                {
                    "in_use": {
                        "engine": chosen.engine,
                        "voice": in_use.engine.voice if in_use and in_use.engine else None,
                        "rate": in_use.engine.rate if in_use and in_use.engine else None,
                        "why": why,
                    },
                    "config": str(config_path()),
                    "engines": [
                        {
                            "name": s.name,
                            "available": s.available,
                            "detail": s.detail,
                            "voices": [
                                {"id": v.id, "name": v.name, "languages": list(v.languages)}
                                for v in (s.engine.voices() if s.engine else [])
                            ],
                        }
                        for s in statuses
                    ],
                },
                indent=2,
            )
        )
        return
    if in_use is not None and in_use.engine is not None:
        pace = in_use.engine.rate
        rate_text = f"{pace} words per minute" if pace else "its own pace"
        say(f"In use: {chosen.engine}, voice {in_use.engine.voice}, {rate_text} ({why})")
    elif in_use is not None:
        say(f"In use: {chosen.engine} ({why}), which does not work here: {in_use.detail}")
    config = config_path()
    say(f"Defaults from {config}" if config.is_file() else f"No config file ({config})")
    for status in statuses:
        state = f"ready ({status.detail})" if status.available else status.detail
        say(f"\n{status.name}: {state}")
        if status.engine is None:
            continue
        for v in status.engine.voices():
            mark = "*" if status.name == chosen.engine and v.id == status.engine.voice else " "
            languages = ", ".join(v.languages)
            say(f" {mark} {v.id:<28} {v.name:<36} {languages}")


class _Bar:
    """A rich progress display on stderr: phrases synthesized, then the session rendered."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._synth: TaskID | None = None
        self._render: TaskID | None = None
        self._count = 0
        self._lock = threading.Lock()

    def synthesizing(self, text: str) -> None:
        with self._lock:  # phrases may be made on several threads at once
            self._count += 1
            if self._synth is None:
                self._synth = self._progress.add_task("Synthesizing phrases", total=None)
            self._progress.update(
                self._synth, description=f"Synthesizing phrase {self._count}: {text[:40]}"
            )

    def rendering(self, done: int, total: int) -> None:
        if self._render is None:
            if self._synth is not None:
                self._progress.remove_task(self._synth)
            self._render = self._progress.add_task("Exporting", total=total)
        self._progress.update(self._render, completed=done, total=total)


@contextlib.contextmanager
def _progress() -> Iterator[_Bar | None]:
    """A progress display when stderr is a terminal; nothing on a pipe or in a file."""
    e = env()
    if not e.stderr_isatty:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=Console(file=e.errors),
        transient=True,
    ) as progress:
        yield _Bar(progress)
