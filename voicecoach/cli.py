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
