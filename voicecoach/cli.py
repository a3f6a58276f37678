"""The command line: parse arguments, call the core, turn errors into exit codes.

Every command is registered with ``@command``, which is the one place where a
``VoicecoachError`` becomes its message on stderr and its exit code, and
Ctrl-C becomes exit 130.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from voicecoach.errors import EXIT_INTERRUPTED, VoicecoachError

app = typer.Typer(
    name="voicecoach",
    help="A voice-guided workout player: a voice leads the session, nobody has to look.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str) -> Callable[[F], F]:
    """Register a typer command whose user-facing errors become exit codes."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except VoicecoachError as error:
                typer.echo(f"error: {error}", err=True)
                raise typer.Exit(error.exit_code) from None
            except KeyboardInterrupt:
                typer.echo("Stopped.", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None

        app.command(name)(run)
        return fn

    return decorate


def main() -> None:
    """Console entry point."""
    app()


EngineOption = typer.Option(
    None, "--engine", "-e", help="Voice engine: pyttsx3 (system voices) or piper."
)
VoiceOption = typer.Option(None, "--voice", help="A voice id from `voicecoach voices`.")
RateOption = typer.Option(None, "--rate", help="Speaking rate in words per minute.")
EstimateOption = typer.Option(
    False, "--estimate", help="Guess phrase lengths instead of asking the voice engine."
)
NamesArgument = typer.Argument(..., help="Workout names or YAML files (workouts or exercises).")


def prepare(
    name: str,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
    estimate: bool = False,
) -> tuple[Any, Any, Any]:
    """Load a workout, open its voice and compile it: (workout, speech, compiled).

    The one path that ``show``, ``check``, ``export`` and ``play`` share, so
    that what ``show`` prints is exactly what is played and exported. With
    ``estimate`` no engine is opened and phrase lengths are guessed.
    """
    from voicecoach.compile import compile_report
    from voicecoach.load import load_workout
    from voicecoach.voices.base import EstimatedLengths

    workout = load_workout(name)
    if estimate:
        speech: Any = EstimatedLengths()
    else:
        from voicecoach.voices import open_speech

        speech = open_speech(workout.voice, engine=engine, voice=voice, rate=rate)
    return workout, speech, compile_report(workout, speech)


@command("show")
def show(
    name: str = typer.Argument(..., help="A workout name (monday) or a path to a YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print the timeline as JSON."),
    counts: bool = typer.Option(
        True, "--counts/--no-counts", help="List every count, or fold each set's counts."
    ),
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    estimate: bool = EstimateOption,
) -> None:
    """Print the whole session as a timeline: when each prompt is spoken, chapters, total time."""
    from voicecoach.present import timeline_json, timeline_text

    _, _, compiled = prepare(name, engine, voice, rate, estimate)
    if as_json:
        typer.echo(timeline_json(compiled.timeline), nl=False)
    else:
        typer.echo(timeline_text(compiled.timeline, counts=counts), nl=False)


@command("check")
def check(
    names: list[str] = NamesArgument,
    engine: str | None = EngineOption,
    voice: str | None = VoiceOption,
    rate: int | None = RateOption,
    estimate: bool = EstimateOption,
) -> None:
    """Validate workout and exercise files; print warnings. Exit 0 if valid, 2 with errors."""
    from pathlib import Path

    from voicecoach.load import is_exercise_file, load_exercise_file
    from voicecoach.present import clock

    for name in names:
        path = Path(name)
        if path.suffix in (".yaml", ".yml") and path.is_file() and is_exercise_file(path):
            exercises = load_exercise_file(path)
            typer.echo(
                f"ok: {name}: {len(exercises)} exercise(s): " + ", ".join(e.id for e in exercises)
            )
            continue
        workout, _, compiled = prepare(name, engine, voice, rate, estimate)
        for warning in compiled.warnings:
            typer.echo(str(warning), err=True)
        timeline = compiled.timeline
        typer.echo(
            f"ok: {workout.source}: {workout.title} "
            f"({clock(timeline.duration, timeline.sample_rate)}, "
            f"{len(timeline.chapters)} chapters, {len(timeline.events)} prompts"
            + (f", {len(compiled.warnings)} warning(s)" if compiled.warnings else "")
            + ")"
        )


@command("schema")
def schema() -> None:
    """Print a JSON Schema for workout and exercise files (for editor autocompletion)."""
    import json

    from voicecoach.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the workouts and exercises a name finds, and where each comes from."""
    import json

    from voicecoach.load import list_workouts, standard_library

    workouts = list_workouts()
    exercises = list(standard_library().all())
    if as_json:
        typer.echo(
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
                            "path": e.source,
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
    typer.echo("Workouts:")
    for w in workouts:
        typer.echo(f"  {w.name:<28} {w.origin:<9} {w.path}")
    typer.echo("\nExercises:")
    for origin, e in exercises:
        amount = f"hold {e.hold_ms // 1000}s" if e.hold_ms else (f"{e.reps} reps" if e.reps else "")
        sides = "" if e.sides == "none" else e.sides
        typer.echo(f"  {e.id:<34} {origin:<9} {sides:<10} {amount:<12} {e.name}")
