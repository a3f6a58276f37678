"""The session log: one row per session and one per set as it completes, in SQLite.

Every change is committed as it happens (WAL mode), so a crash or a
``kill -9`` loses at most the set in progress, and ``--resume`` starts at
the first set not yet done. The log serves the workout, never the other
way round: while another program holds the database locked, what the
session writes waits in order and goes in once the lock is let go (a warning
only if it never is); a damaged or unwritable database gives one warning
and the session plays on without it. A read-only log can still be read.
"""

from __future__ import annotations

import errno
import sqlite3
import time
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

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        """The session ended ``outcome`` at ``position``; ``duration`` is its length, if it
        is known now and was not at ``begin`` (a session that began while compiling)."""
        ...


def database_path() -> Path:
    return paths.data_dir() / "history.sqlite3"


OPEN_TIMEOUT_S = 2.0
"""How long opening the log waits for another program's lock."""
WRITE_TIMEOUT_S = 0.2
"""How long one write during a session waits for a lock before it is queued instead."""


class History:
    """The session database. Raises ``sqlite3.Error`` on trouble; ``SafeLog`` absorbs it.

    A log that cannot be written (a read-only mount or folder) is opened for
    reading: ``history`` and ``--resume`` still work, and ``read_only`` is set.
    """

    def __init__(
        self,
        path: Path | None = None,
        now: Callable[[], datetime] | None = None,
        timeout: float = OPEN_TIMEOUT_S,
    ):
        self.path = path or database_path()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.read_only = False
        db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._upgrade()
        except (sqlite3.OperationalError, OSError) as error:
            if db is not None:
                db.close()
            if not (_cannot_write(error) and self.path.is_file()):
                raise
            self._db = _read_only(self.path)
            self.read_only = True
        self._db.execute(f"PRAGMA busy_timeout = {int(WRITE_TIMEOUT_S * 1000)}")
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
        if self._timeline is not None:  # so a session killed outright shows where it got to
            self._db.execute(
                "UPDATE sessions SET position_s = MAX(position_s, ?) WHERE id = ?",
                (self._timeline.seconds(span.end), self.session),
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

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        if self._timeline is None or self.session is None:
            return  # stopped before the session began: nothing to end
        self._db.execute(
            "UPDATE sessions SET outcome = ?, ended = ?, position_s = ? WHERE id = ?",
            (outcome, self._stamp(), self._timeline.seconds(position), self.session),
        )
        if duration is not None:
            self._db.execute(
                "UPDATE sessions SET duration_s = ? WHERE id = ?",
                (self._timeline.seconds(duration), self.session),
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


LOCK_PATIENCE_S = 15.0
"""At the end of a session, how long to wait for a lock to be let go before giving up."""


class SafeLog:
    """The player's log: writes to ``History``, never stops the workout.

    What cannot be written because another program holds the database locked
    is kept, in order, and written at the next chance; at the end of the
    session it waits up to ``patience_s`` for the lock. Only what is finally
    lost, or a database that fails in another way, gives a warning (one).
    ``reopen`` opens the log again when it was locked before the session began.
    """

    def __init__(
        self,
        history: History | None,
        warn: Callable[[str], None],
        asked: Iterable[Asked] = (),
        *,
        reopen: Callable[[], History] | None = None,
        patience_s: float = LOCK_PATIENCE_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._asked = tuple(asked)
        self._history = history
        self._warn = warn
        self._reopen = reopen
        self._patience = patience_s
        self._sleep = sleep
        self._pending: list[tuple[str, Callable[[History], None]]] = []
        self._lost = False

    @property
    def pending(self) -> int:
        """How many writes wait for the lock to be let go."""
        return len(self._pending)

    def _do(self, what: str, action: Callable[[History], None], last: bool = False) -> None:
        if self._lost:
            return
        self._pending.append((what, action))
        waited = 0.0
        while True:
            try:
                self._write()
                return
            except (sqlite3.Error, HistoryError) as error:
                if not is_locked(error):
                    self._give_up(
                        f"the session log stopped working ({_reason(error)}); "
                        "the workout goes on but this session will not be in the history"
                    )
                    return
                if not last or waited >= self._patience:
                    if last:
                        self._give_up(
                            f"the session log stayed locked by another program for "
                            f"{self._patience:g} s; {self._what_is_lost()} of this session "
                            "could not be written"
                        )
                    return
                self._sleep(0.25)
                waited += 0.25

    def _write(self) -> None:
        if self._history is None:
            if self._reopen is None:
                self._pending.clear()  # no log at all (already said so)
                return
            self._history = self._reopen()
        while self._pending:
            self._pending[0][1](self._history)
            self._pending.pop(0)

    def _what_is_lost(self) -> str:
        sets = sum(1 for what, _ in self._pending if what == "set")
        parts = [f"{sets} set{'s' if sets != 1 else ''}"] if sets else []
        if any(what == "begin" for what, _ in self._pending):
            parts.insert(0, "the start")
        if any(what == "end" for what, _ in self._pending):
            parts.append("the end")
        return " and ".join(parts) or "nothing"

    def _give_up(self, why: str) -> None:
        self._warn(f"warning: {why}")
        self._lost = True
        self._pending.clear()

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._do("begin", lambda h: h.begin(timeline, resume))
        self._do("begin", lambda h: h.record_asked(self._asked))

    def set_finished(self, span: SetSpan, status: str) -> None:
        self._do("set", lambda h: h.set_finished(span, status))

    def set_hard(self, span: SetSpan) -> None:
        self._do("hard", lambda h: h.set_hard(span))

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        self._do("end", lambda h: h.end(outcome, position, duration), last=True)

    def close(self) -> None:
        if self._history is not None:
            self._history.close()


class HistoryError(VoicecoachError):
    """The session database cannot be opened or read."""

    locked = False
    """Another program holds it locked: trying again later may work."""


def is_locked(error: BaseException) -> bool:
    """Whether ``error`` means another program holds the database (so waiting may help)."""
    if isinstance(error, HistoryError):
        return error.locked
    text = str(error)
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _reason(error: BaseException) -> str:
    text = str(error)
    prefix = "cannot use the session log "
    return text[len(prefix) :].split(": ", 1)[-1] if text.startswith(prefix) else text


def _cannot_write(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    text = str(error)
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _read_only(path: Path) -> sqlite3.Connection:
    """The log opened for reading only; ``immutable`` where its WAL files cannot be made."""
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None)
        try:
            db.execute("SELECT COUNT(*) FROM sessions").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
    raise sqlite3.OperationalError("attempt to read a database that cannot be opened")


def trouble(where: Path, error: Exception) -> HistoryError:
    """The message for a database that failed: what happened, and what to do about it."""
    text = str(error)
    locked = is_locked(error)
    if locked:
        advice = "Another voicecoach may be writing to it: try again in a moment."
    else:
        advice = "Move the file aside to start a new log; workouts play without it."
    found = HistoryError(f"cannot use the session log {where}: {text}. {advice}")
    found.locked = locked
    return found


def open_history(path: Path | None = None, now: Callable[[], datetime] | None = None) -> History:
    """Open (or create) the session database; ``HistoryError`` says what is wrong with it.

    ``now`` is the clock its timestamps come from (the environment's).
    """
    where = path or database_path()
    try:
        return History(where, now)
    except (sqlite3.Error, OSError) as error:
        raise trouble(where, error) from None
