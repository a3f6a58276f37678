"""The session log: one row per session and one per set as it completes, in SQLite.

Every change is committed as it happens (WAL mode), so a crash or a
``kill -9`` loses at most the set in progress, and ``--resume`` starts at
the first set not yet done. The log serves the workout, never the other
way round: a damaged, locked or unwritable database gives one warning and
the session plays on without it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
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
    hard INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session, idx)
);
CREATE TABLE IF NOT EXISTS asked (
    session INTEGER NOT NULL REFERENCES sessions(id),
    exercise TEXT NOT NULL,
    name TEXT NOT NULL,
    sets INTEGER NOT NULL,
    reps INTEGER,
    hold_s REAL,
    low INTEGER,
    high INTEGER,
    PRIMARY KEY (session, exercise)
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
    sets_hard: int = 0

    @property
    def when(self) -> str:
        """When it started, to the minute: ``2026-11-25 07:31``."""
        return self.started[:16].replace("T", " ")

    @property
    def how_it_ended(self) -> str:
        return "stopped unexpectedly" if self.outcome == PLAYING else self.outcome


@dataclass(frozen=True, slots=True)
class Asked:
    """What a session asks of one exercise: how many sets (each side counted), how many
    reps or how long a hold, and the range the reps progress through, if any."""

    exercise: str
    name: str
    sets: int
    reps: int | None = None
    hold_s: float | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class ExerciseRow:
    """One exercise in one logged session: what was asked (``None`` in a log written before
    sessions recorded it) and how many of its sets were done, skipped and marked hard."""

    session: int
    workout: str
    started: str
    outcome: str
    exercise: str
    name: str
    sets: int | None
    reps: int | None
    hold_s: float | None
    low: int | None
    high: int | None
    done: int
    skipped: int
    hard: int

    @property
    def date(self) -> str:
        """The day it started: ``2026-11-25``."""
        return self.started[:10]


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

    def set_hard(self, span: SetSpan) -> None:
        """The set (during it or its rest) felt hard: the next session holds its reps."""
        ...

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
        self._hard: set[int] = set()

    def close(self) -> None:
        self._db.close()

    def _upgrade(self) -> None:
        """Bring a log written by an earlier version up to this schema, keeping its rows."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sets)")}
        if "nth" not in columns:  # before circuit rounds were told apart: all were the first
            self._db.execute("ALTER TABLE sets ADD COLUMN nth INTEGER NOT NULL DEFAULT 1")
        if "hard" not in columns:  # before sets could be marked hard: none was
            self._db.execute("ALTER TABLE sets ADD COLUMN hard INTEGER NOT NULL DEFAULT 0")

    def _stamp(self) -> str:
        return self._now().astimezone().isoformat(timespec="seconds")

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._timeline = timeline
        self._keys = set_keys(timeline)
        self._hard = set()
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
            " (session, idx, exercise, name, set_no, side, nth, status, at, hard)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                int(span.index in self._hard),
            ),
        )

    def set_hard(self, span: SetSpan) -> None:
        """Mark a set hard: now if it is logged already (its rest), else when it ends."""
        self._hard.add(span.index)
        self._db.execute(
            "UPDATE sets SET hard = 1 WHERE session = ? AND idx = ?", (self.session, span.index)
        )

    def record_asked(self, asked: Iterable[Asked]) -> None:
        """What this session asks of each exercise; a resumed session keeps what it first asked."""
        self._db.executemany(
            "INSERT OR IGNORE INTO asked (session, exercise, name, sets, reps, hold_s, low, high)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (self.session, a.exercise, a.name, a.sets, a.reps, a.hold_s, a.low, a.high)
                for a in asked
            ],
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
            " (SELECT COUNT(*) FROM sets WHERE session = s.id AND status = 'skipped'),"
            " (SELECT COUNT(*) FROM sets WHERE session = s.id AND hard = 1)"
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

    def exercise_log(self, workout: str | None = None) -> list[ExerciseRow]:
        """Every exercise of every session (of ``workout``), oldest session first."""
        query = (
            "SELECT s.id, s.workout, s.started, s.outcome, e.exercise,"
            " COALESCE(a.name, (SELECT name FROM sets WHERE session = s.id"
            "   AND exercise = e.exercise LIMIT 1)),"
            " a.sets, a.reps, a.hold_s, a.low, a.high,"
            " (SELECT COUNT(*) FROM sets t WHERE t.session = s.id AND t.exercise = e.exercise"
            "   AND t.status = 'done'),"
            " (SELECT COUNT(*) FROM sets t WHERE t.session = s.id AND t.exercise = e.exercise"
            "   AND t.status = 'skipped'),"
            " (SELECT COUNT(*) FROM sets t WHERE t.session = s.id AND t.exercise = e.exercise"
            "   AND t.hard = 1)"
            " FROM (SELECT session, exercise FROM asked UNION SELECT session, exercise FROM sets) e"
            " JOIN sessions s ON s.id = e.session"
            " LEFT JOIN asked a ON a.session = e.session AND a.exercise = e.exercise"
            + (" WHERE s.workout = ?" if workout else "")
            + " ORDER BY s.id, e.exercise"
        )
        try:
            rows = self._db.execute(query, (workout,) if workout else ()).fetchall()
        except sqlite3.Error as error:
            raise trouble(self.path, error) from None
        return [ExerciseRow(*row) for row in rows]


class SafeLog:
    """The player's log: writes to ``History`` and turns any database trouble into one warning."""

    def __init__(
        self,
        history: History | None,
        warn: Callable[[str], None],
        asked: Iterable[Asked] = (),
    ) -> None:
        self._history = history
        self._warn = warn
        self._asked = tuple(asked)

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
        self._do(lambda h: h.record_asked(self._asked))

    def set_finished(self, span: SetSpan, status: str) -> None:
        self._do(lambda h: h.set_finished(span, status))

    def set_hard(self, span: SetSpan) -> None:
        self._do(lambda h: h.set_hard(span))

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


def open_history(path: Path | None = None, now: Callable[[], datetime] | None = None) -> History:
    """Open (or create) the session database; ``HistoryError`` says what is wrong with it.

    ``now`` is the clock its timestamps come from (the environment's).
    """
    where = path or database_path()
    try:
        return History(where, now)
    except (sqlite3.Error, OSError) as error:
        raise trouble(where, error) from None
