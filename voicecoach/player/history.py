"""The session log: one row per session and one per set as it completes, in SQLite.

Every change is committed as it happens (WAL mode), so a crash or a
``kill -9`` loses at most the set in progress, and ``--resume`` starts at
the first set not yet done. The log serves the workout, never the other
way round: while another program holds the database locked, what the
session writes waits in order and goes in once the lock is let go. If it is
never let go, what is left is kept in a small file beside the log and
written the next time the log is opened, once, in order. A damaged or
unwritable database gives one warning and the session plays on without it.
A read-only log can still be read.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

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
CREATE TABLE IF NOT EXISTS kept (
    name TEXT PRIMARY KEY,
    written TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_workout ON sessions (workout, id);
"""
"""``kept`` names each file of kept writes already written in, so that none goes in twice."""

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

Write = dict[str, Any]
"""One change to the log as plain data (``op`` says which), so that it can wait for a lock,
or in a file until the next run, and still mean the same: its times are when it happened."""


class Recorder:
    """Turns what happens in one session into ``Write``s, stamped as it happens."""

    def __init__(self, timeline: Timeline, now: Callable[[], datetime]) -> None:
        self.timeline = timeline
        self.keys = set_keys(timeline)
        self.hard: set[int] = set()
        self._now = now

    def stamp(self) -> str:
        return self._now().astimezone().isoformat(timespec="seconds")

    def begin(self, resume: int | None = None) -> Write:
        t = self.timeline
        size = {"duration_s": t.seconds(t.duration), "sets_total": len(t.sets)}
        if resume is not None:
            return {"op": "resume", "session": resume, **size}
        return {
            "op": "begin",
            "workout": t.workout,
            "title": t.title,
            "started": self.stamp(),
        } | size

    def asked(self, asked: Iterable[Asked]) -> Write:
        rows = [[a.exercise, a.name, a.sets, a.reps, a.hold_s, a.low, a.high] for a in asked]
        return {"op": "asked", "rows": rows}

    def set(self, span: SetSpan, status: str) -> Write:
        return {
            "op": "set",
            "idx": span.index,
            "exercise": span.exercise,
            "name": span.name,
            "set_no": span.set,
            "side": span.side,
            "nth": self.keys[span.index].nth,
            "status": status,
            "at": self.stamp(),
            "hard": int(span.index in self.hard),
            "position_s": self.timeline.seconds(span.end),
        }

    def mark_hard(self, span: SetSpan) -> Write:
        self.hard.add(span.index)
        return {"op": "hard", "idx": span.index}

    def end(self, outcome: str, position: int, duration: int | None = None) -> Write:
        """``duration``: the session's length, when it was not known at ``begin``."""
        return {
            "op": "end",
            "outcome": outcome,
            "ended": self.stamp(),
            "position_s": self.timeline.seconds(position),
            "duration_s": None if duration is None else self.timeline.seconds(duration),
        }


KEPT = ".kept-"
"""Files of writes kept for the next run: ``history.kept-<when>-<id>.json`` beside the log."""
DAMAGED = ".damaged"
"""Added to the name of a kept file that could not be read back, so it is kept aside."""


class History:
    """The session database. Raises ``sqlite3.Error`` on trouble; ``SafeLog`` absorbs it.

    A log that cannot be written (a read-only mount or folder) is opened for
    reading: ``history`` and ``--resume`` still work, and ``read_only`` is set.
    Writes kept by an earlier session that found it locked are written in when
    it is opened (``warn`` hears of a kept file that cannot be read).
    """

    def __init__(
        self,
        path: Path | None = None,
        now: Callable[[], datetime] | None = None,
        timeout: float = OPEN_TIMEOUT_S,
        warn: Callable[[str], None] | None = None,
    ):
        self.path = path or database_path()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._warn = warn or (lambda text: None)
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
        self.session: int | None = None
        self._recorder: Recorder | None = None
        if not self.read_only:
            self._write_kept()
        self._db.execute(f"PRAGMA busy_timeout = {int(WRITE_TIMEOUT_S * 1000)}")

    def close(self) -> None:
        self._db.close()

    def _upgrade(self) -> None:
        """Bring a log written by an earlier version up to this schema, keeping its rows."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sets)")}
        if "nth" not in columns:  # before circuit rounds were told apart: all were the first
            self._db.execute("ALTER TABLE sets ADD COLUMN nth INTEGER NOT NULL DEFAULT 1")
        if "hard" not in columns:  # before sets could be marked hard: none was
            self._db.execute("ALTER TABLE sets ADD COLUMN hard INTEGER NOT NULL DEFAULT 0")

    def recorder(self, timeline: Timeline) -> Recorder:
        """A ``Recorder`` on this log's clock."""
        return Recorder(timeline, self._now)

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._recorder = self.recorder(timeline)
        self.apply(self._recorder.begin(resume))

    def set_finished(self, span: SetSpan, status: str) -> None:
        assert self._recorder is not None, "set_finished before begin"
        self.apply(self._recorder.set(span, status))

    def set_hard(self, span: SetSpan) -> None:
        """Mark a set hard: now if it is logged already (its rest), else when it ends."""
        assert self._recorder is not None, "set_hard before begin"
        self.apply(self._recorder.mark_hard(span))

    def record_asked(self, asked: Iterable[Asked]) -> None:
        """What this session asks of each exercise; a resumed session keeps what it first asked."""
        assert self._recorder is not None, "record_asked before begin"
        self.apply(self._recorder.asked(asked))

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        if self._recorder is None:
            return  # stopped before the session began: nothing to end
        self.apply(self._recorder.end(outcome, position, duration))

    def apply(self, write: Write) -> None:
        """Make one change, to the session ``begin`` or ``resume`` made this log's own."""
        op, db = write["op"], self._db
        if op == "begin":
            cursor = db.execute(
                "INSERT INTO sessions (workout, title, started, outcome, duration_s, sets_total)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    write["workout"],
                    write["title"],
                    write["started"],
                    PLAYING,
                    write["duration_s"],
                    write["sets_total"],
                ),
            )
            self.session = cursor.lastrowid
        elif op == "resume":
            db.execute(
                "UPDATE sessions SET outcome = ?, ended = NULL, duration_s = ?, sets_total = ?"
                " WHERE id = ?",
                (PLAYING, write["duration_s"], write["sets_total"], write["session"]),
            )
            self.session = int(write["session"])
        elif self.session is None:
            return  # a session that never began has nothing to add to
        elif op == "asked":
            db.executemany(
                "INSERT OR IGNORE INTO asked"
                " (session, exercise, name, sets, reps, hold_s, low, high)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.session, *row) for row in write["rows"]],
            )
        elif op == "set":
            db.execute(
                "INSERT OR REPLACE INTO sets"
                " (session, idx, exercise, name, set_no, side, nth, status, at, hard)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.session,
                    write["idx"],
                    write["exercise"],
                    write["name"],
                    write["set_no"],
                    write["side"],
                    write["nth"],
                    write["status"],
                    write["at"],
                    write["hard"],
                ),
            )
            # So that a session killed outright shows where it got to.
            db.execute(
                "UPDATE sessions SET position_s = MAX(position_s, ?) WHERE id = ?",
                (write["position_s"], self.session),
            )
        elif op == "hard":
            db.execute(
                "UPDATE sets SET hard = 1 WHERE session = ? AND idx = ?",
                (self.session, write["idx"]),
            )
        elif op == "end":
            db.execute(
                "UPDATE sessions SET outcome = ?, ended = ?, position_s = ?,"
                " duration_s = COALESCE(?, duration_s) WHERE id = ?",
                (
                    write["outcome"],
                    write["ended"],
                    write["position_s"],
                    write.get("duration_s"),
                    self.session,
                ),
            )
        else:
            raise ValueError(f"unknown change `{op}`")

    def _write_kept(self) -> None:
        """Write in the files of writes earlier sessions kept, oldest first, each once.

        A file that cannot be read back is renamed aside with one warning; while
        another program holds the log, the files wait for the next time.
        """
        for kept in kept_files(self.path):
            try:
                group = _read_kept(kept)
                self._db.execute("BEGIN IMMEDIATE")
            except FileNotFoundError:
                continue  # another voicecoach opening the log wrote it in just now
            except (OSError, ValueError, KeyError, TypeError) as error:
                self._set_aside(kept, str(error) or type(error).__name__)
                continue
            except sqlite3.Error:
                return  # locked: they wait
            try:
                done = self._db.execute("SELECT 1 FROM kept WHERE name = ?", (kept.name,))
                if done.fetchone() is None:
                    self._write_group(group)
                    self._db.execute(
                        "INSERT INTO kept (name, written) VALUES (?, ?)",
                        (kept.name, self._now().astimezone().isoformat(timespec="seconds")),
                    )
                self._db.execute("COMMIT")
            except (sqlite3.Error, ValueError, KeyError, TypeError) as error:
                self._db.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error) and is_locked(error):
                    return
                self._set_aside(kept, str(error))
                continue
            finally:
                self.session = None
            try:
                kept.unlink()
            except OSError:
                pass  # written in and named in `kept`: it will not go in again

    def _write_group(self, group: dict[str, Any]) -> None:
        session = group["session"]
        if session is not None:
            found = self._db.execute(
                "SELECT 1 FROM sessions WHERE id = ? AND workout = ?", (session, group["workout"])
            ).fetchone()
            if found is None:
                raise ValueError(f"session {session} of {group['workout']} is not in this log")
            self.session = int(session)
        for write in group["writes"]:
            self.apply(write)

    def _set_aside(self, kept: Path, why: str) -> None:
        aside = kept.with_name(kept.name + DAMAGED)
        try:
            kept.rename(aside)
        except OSError:
            aside = kept
        self._warn(
            f"warning: the kept session log writes in {kept} could not be read ({why}); "
            f"they are in {aside}, not in the history"
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


LOCK_PATIENCE_S = 5.0
"""At the end of a session, how long to wait for a lock to be let go before keeping what is
left for the next run."""


class SafeLog:
    """The player's log: writes to ``History``, never stops the workout.

    What cannot be written because another program holds the database locked
    is kept, in order, and written at the next chance; at the end of the
    session it waits up to ``patience_s`` for the lock, then keeps what is
    left in a file beside the log (``keep_writes``), which the next ``History``
    opened writes in. One warning says so; a database that fails in another
    way gives one warning and what is lost. ``reopen`` opens the log again
    when it was locked before the session began.
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
        now: Callable[[], datetime] | None = None,
        path: Path | None = None,
    ) -> None:
        self._asked = tuple(asked)
        self._history = history
        self._warn = warn
        self._reopen = reopen
        self._patience = patience_s
        self._sleep = sleep
        self._now = now or (history._now if history else lambda: datetime.now(timezone.utc))
        self._path = path or (history.path if history else database_path())
        self._recorder: Recorder | None = None
        self._pending: list[Write] = []
        self._lost = False

    @property
    def pending(self) -> int:
        """How many writes wait for the lock to be let go."""
        return len(self._pending)

    def _do(self, write: Write, last: bool = False) -> None:
        if self._lost:
            return
        self._pending.append(write)
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
                        self._keep(f"stayed locked by another program for {self._patience:g} s")
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
            self._history.apply(self._pending[0])
            self._pending.pop(0)

    def _what(self) -> str:
        sets = sum(1 for w in self._pending if w["op"] == "set")
        parts = [f"{sets} set{'s' if sets != 1 else ''}"] if sets else []
        if any(w["op"] in ("begin", "resume") for w in self._pending):
            parts.insert(0, "the start")
        if any(w["op"] == "end" for w in self._pending):
            parts.append("the end")
        if not parts:
            return "what is left"
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)

    def _keep(self, why: str) -> None:
        """Keep what is left for the next run, with one warning."""
        began = any(w["op"] == "begin" for w in self._pending)
        session = None if began or self._history is None else self._history.session
        workout = self._recorder.timeline.workout if self._recorder else ""
        what = self._what()
        try:
            kept = keep_writes(self._path, session, workout, self._pending)
        except VoicecoachError as error:
            self._give_up(
                f"the session log {why}, and keeping the rest failed ({error}); "
                f"{what} of this session could not be written"
            )
            return
        self._warn(
            f"warning: the session log {why}; {what} of this session are kept in {kept} "
            "and go into the log the next time it is opened"
        )
        self._pending.clear()

    def _give_up(self, why: str) -> None:
        self._warn(f"warning: {why}")
        self._lost = True
        self._pending.clear()

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self._recorder = Recorder(timeline, self._now)
        self._do(self._recorder.begin(resume))
        self._do(self._recorder.asked(self._asked))

    def set_finished(self, span: SetSpan, status: str) -> None:
        if self._recorder is not None:
            self._do(self._recorder.set(span, status))

    def set_hard(self, span: SetSpan) -> None:
        if self._recorder is not None:
            self._do(self._recorder.mark_hard(span))

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        if self._recorder is not None:
            self._do(self._recorder.end(outcome, position, duration), last=True)

    def close(self) -> None:
        """Close the log; what still waits for a lock (no ``end`` came) is kept for later."""
        if self._pending and not self._lost:
            self._keep("was still locked by another program when the session stopped")
        if self._history is not None:
            self._history.close()


def keep_writes(path: Path, session: int | None, workout: str, writes: list[Write]) -> Path:
    """Keep ``writes`` for the log at ``path`` in a new file beside it; ``History`` writes them
    in when it is next opened. ``session`` is the session they belong to, or None when
    they begin it. The file is written under a temporary name and renamed;
    ``VoicecoachError`` says why it could not be."""
    from voicecoach.files.writer import write_atomic

    when = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    kept = path.with_name(f"{path.stem}{KEPT}{when}-{uuid.uuid4().hex[:8]}.json")
    group = {"version": 1, "session": session, "workout": workout, "writes": writes}
    write_atomic(kept, json.dumps(group, indent=1) + "\n")
    return kept


def kept_files(path: Path) -> list[Path]:
    """The files of kept writes for the log at ``path``, oldest first."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    prefix = f"{path.stem}{KEPT}"
    return [path.parent / n for n in sorted(names) if n.startswith(prefix) and n.endswith(".json")]


OPS = {
    "begin": ("workout", "title", "started", "duration_s", "sets_total"),
    "resume": ("session", "duration_s", "sets_total"),
    "asked": ("rows",),
    "set": (
        "idx",
        "exercise",
        "name",
        "set_no",
        "side",
        "nth",
        "status",
        "at",
        "hard",
        "position_s",
    ),
    "hard": ("idx",),
    "end": ("outcome", "ended", "position_s"),
}
"""Each kind of write, and the values it must carry."""


def _read_kept(kept: Path) -> dict[str, Any]:
    """A file of kept writes, checked; ``ValueError`` says what is wrong with it."""
    group = json.loads(kept.read_text(encoding="utf-8"))
    if not isinstance(group, dict) or group.get("version") != 1:
        raise ValueError("not a file of kept writes")
    writes = group.get("writes")
    session = group.get("session")
    if not isinstance(writes, list) or not (session is None or isinstance(session, int)):
        raise ValueError("not a file of kept writes")
    for write in writes:
        if not isinstance(write, dict) or write.get("op") not in OPS:
            raise ValueError(f"an unknown change: {str(write)[:60]}")
        missing = [k for k in OPS[write["op"]] if k not in write]
        if missing:
            raise ValueError(f"a `{write['op']}` without {', '.join(missing)}")
    if not isinstance(group.get("workout"), str):
        raise ValueError("no workout named")
    return group


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


def open_history(
    path: Path | None = None,
    now: Callable[[], datetime] | None = None,
    warn: Callable[[str], None] | None = None,
) -> History:
    """Open (or create) the session database; ``HistoryError`` says what is wrong with it.

    ``now`` is the clock its timestamps come from (the environment's); ``warn`` hears of
    writes kept by an earlier session that could not be read back.
    """
    where = path or database_path()
    try:
        return History(where, now, warn=warn)
    except (sqlite3.Error, OSError) as error:
        raise trouble(where, error) from None
