"""The session log: one row per session and one per set as it completes, in SQLite.

Every change is committed as it happens (WAL mode), so a crash or a
``kill -9`` loses at most the set in progress, and ``--resume`` starts at
the first set not yet done. The log serves the workout, never the other
way round: a damaged, locked or unwritable database gives one warning and
the session plays on without it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from voicecoach import paths
from voicecoach.errors import VoicecoachError
from voicecoach.model import SetSpan, Timeline

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    workout TEXT NOT NULL,
    title TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT NOT NULL,
    position_s REAL NOT NULL DEFAULT 0,
    duration_s REAL NOT NULL,
    sets_total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sets (
    session INTEGER NOT NULL REFERENCES sessions(id),
    idx INTEGER NOT NULL,
    exercise TEXT NOT NULL,
    name TEXT NOT NULL,
    set_no INTEGER NOT NULL,
    side TEXT,
    nth INTEGER NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (session, idx)
);
CREATE INDEX IF NOT EXISTS sessions_by_workout ON sessions (workout, id);
"""

PLAYING = "playing"
"""Still playing, or stopped without a word: a crash, a kill, a power cut."""
FINISHED = "finished"
QUIT = "quit"
INTERRUPTED = "interrupted"
DONE = "done"
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    workout: str
    title: str
    started: str
    ended: str | None
    outcome: str
    position_s: float
    duration_s: float
    sets_total: int
    sets_done: int
    sets_skipped: int

    @property
    def when(self) -> str:
        """When it started, to the minute: ``2026-11-25 07:31``."""
        return self.started[:16].replace("T", " ")

    @property
    def how_it_ended(self) -> str:
        return "stopped unexpectedly" if self.outcome == PLAYING else self.outcome


@dataclass(frozen=True, slots=True)
class SetKey:
    """A set as a workout names it, so a resume survives small edits to the workout.

    ``nth`` tells apart the sets that would otherwise share a name: each
    round of a circuit, or an exercise used twice in one workout.
    """

    exercise: str
    set: int
    side: str | None
    nth: int = 1


def set_keys(timeline: Timeline) -> list[SetKey]:
    """The key of each of ``timeline.sets``, in order."""
    seen: dict[tuple[str, int, str | None], int] = {}
    keys = []
    for span in timeline.sets:
        name = (span.exercise, span.set, span.side)
        seen[name] = seen.get(name, 0) + 1
        keys.append(SetKey(*name, seen[name]))
    return keys


class Log(Protocol):
    """What the player writes as a session goes."""

    def begin(self, timeline: Timeline, resume: int | None = None) -> None: ...

    def set_finished(self, span: SetSpan, status: str) -> None: ...

    def end(self, outcome: str, position: int) -> None: ...


def database_path() -> Path:
    return paths.data_dir() / "history.sqlite3"


class History:
    """The session database. Raises ``sqlite3.Error`` on trouble; ``SafeLog`` absorbs it."""

    def __init__(self, path: Path | None = None, now: Callable[[], datetime] | None = None):
        self.path = path or database_path()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=0.5, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._upgrade()
        self.session: int | None = None
        self._timeline: Timeline | None = None
        self._keys: list[SetKey] = []

    def close(self) -> None:
        self._db.close()

    def _upgrade(self) -> None:
        """Bring a log written by an earlier version up to this schema, keeping its rows."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sets)")}
        if "nth" not in columns:  # before circuit rounds were told apart: all were the first
            self._db.execute("ALTER TABLE sets ADD COLUMN nth INTEGER NOT NULL DEFAULT 1")

    def _stamp(self) -> str:
        return self._now().astimezone().isoformat(timespec="seconds")

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._timeline = timeline
        self._keys = set_keys(timeline)
        duration = timeline.seconds(timeline.duration)
        if resume is not None:
            self._db.execute(
                "UPDATE sessions SET outcome = ?, ended = NULL, duration_s = ?, sets_total = ?"
                " WHERE id = ?",
                (PLAYING, duration, len(timeline.sets), resume),
            )
            self.session = resume
            return
        cursor = self._db.execute(
            "INSERT INTO sessions (workout, title, started, outcome, duration_s, sets_total)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                timeline.workout,
                timeline.title,
                self._stamp(),
                PLAYING,
                duration,
                len(timeline.sets),
            ),
        )
        self.session = cursor.lastrowid

    def set_finished(self, span: SetSpan, status: str) -> None:
        key = self._keys[span.index]
        self._db.execute(
            "INSERT OR REPLACE INTO sets"
            " (session, idx, exercise, name, set_no, side, nth, status, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.session,
                span.index,
                span.exercise,
                span.name,
                span.set,
                span.side,
                key.nth,
                status,
                self._stamp(),
            ),
        )

    def end(self, outcome: str, position: int) -> None:
        assert self._timeline is not None
        self._db.execute(
            "UPDATE sessions SET outcome = ?, ended = ?, position_s = ? WHERE id = ?",
            (outcome, self._stamp(), self._timeline.seconds(position), self.session),
        )

    def sessions(self, workout: str | None = None, limit: int | None = None) -> list[SessionRow]:
        """Sessions, newest first."""
        query = (
            "SELECT s.id, s.workout, s.title, s.started, s.ended, s.outcome, s.position_s,"
            " s.duration_s, s.sets_total,"
            " (SELECT COUNT(*) FROM sets WHERE session = s.id AND status = 'done'),"
            " (SELECT COUNT(*) FROM sets WHERE session = s.id AND status = 'skipped')"
            " FROM sessions s"
            + (" WHERE s.workout = ?" if workout else "")
            + " ORDER BY s.id DESC"
            + (f" LIMIT {int(limit)}" if limit else "")
        )
        try:
            rows = self._db.execute(query, (workout,) if workout else ()).fetchall()
        except sqlite3.Error as error:
            raise trouble(self.path, error) from None
        return [SessionRow(*row) for row in rows]

    def resumable(self, workout: str) -> tuple[SessionRow, set[SetKey]] | None:
        """The last session of ``workout`` if it did not finish, and the sets it got through."""
        latest = self.sessions(workout, limit=1)
        if not latest or latest[0].outcome == FINISHED:
            return None
        try:
            rows = self._db.execute(
                "SELECT exercise, set_no, side, nth FROM sets WHERE session = ?", (latest[0].id,)
            ).fetchall()
        except sqlite3.Error as error:
            raise trouble(self.path, error) from None
        return latest[0], {SetKey(*row) for row in rows}


class SafeLog:
    """The player's log: writes to ``History`` and turns any database trouble into one warning."""

    def __init__(self, history: History | None, warn: Callable[[str], None]) -> None:
        self._history = history
        self._warn = warn

    def _do(self, action: Callable[[History], None]) -> None:
        if self._history is None:
            return
        try:
            action(self._history)
        except sqlite3.Error as error:
            self._warn(
                f"warning: the session log stopped working ({error}); "
                "the workout goes on but this session will not be in the history"
            )
            self._history = None

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._do(lambda h: h.begin(timeline, resume))

    def set_finished(self, span: SetSpan, status: str) -> None:
        self._do(lambda h: h.set_finished(span, status))

    def end(self, outcome: str, position: int) -> None:
        self._do(lambda h: h.end(outcome, position))


class HistoryError(VoicecoachError):
    """The session database cannot be opened or read."""


def trouble(where: Path, error: Exception) -> HistoryError:
    """The message for a database that failed: what happened, and what to do about it."""
    text = str(error)
    if "locked" in text or "busy" in text:
        advice = "Another voicecoach may be writing to it: try again in a moment."
    else:
        advice = "Move the file aside to start a new log; workouts play without it."
    return HistoryError(f"cannot use the session log {where}: {text}. {advice}")


def open_history(path: Path | None = None) -> History:
    """Open (or create) the session database; ``HistoryError`` says what is wrong with it."""
    where = path or database_path()
    try:
        return History(where)
    except (sqlite3.Error, OSError) as error:
        raise trouble(where, error) from None
