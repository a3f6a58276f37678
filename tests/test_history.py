"""The session log: rows as they happen, resume points, and trouble that never stops a workout."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from voicecoach.model import Chapter, SetSpan, Timeline
from voicecoach.player.history import (
    DONE,
    FINISHED,
    PLAYING,
    QUIT,
    SCHEMA,
    SKIPPED,
    History,
    HistoryError,
    SafeLog,
    SetKey,
    database_path,
    open_history,
)

RATE = 22050


def timeline(name: str = "monday", sets: int = 3) -> Timeline:
    spans = tuple(
        SetSpan(i, "rdl", "Romanian deadlift", i // 2 + 1, 2, ("right", "left")[i % 2],
                i * 10 * RATE, (i + 1) * 10 * RATE, 0)
        for i in range(sets)
    )  # fmt: skip
    end = sets * 10 * RATE
    return Timeline(name.title(), RATE, end, (Chapter("All", 0, end),), (), spans, name)


def clock() -> datetime:
    return datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc)


def test_sessions_and_sets_are_written_as_they_happen(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    t = timeline()
    log = History(path, now=clock)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    # Another connection sees the set at once: nothing waits for the session's end.
    other = sqlite3.connect(path)
    assert other.execute("SELECT idx, status FROM sets").fetchall() == [(0, "done")]
    assert other.execute("SELECT outcome FROM sessions").fetchall() == [(PLAYING,)]
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    log.set_finished(t.sets[1], SKIPPED)
    log.end(QUIT, 25 * RATE)
    [row] = log.sessions()
    assert (row.workout, row.outcome, row.sets_done, row.sets_skipped, row.sets_total) == (
        "monday",
        QUIT,
        1,
        1,
        3,
    )
    assert row.position_s == 25.0
    assert row.started.startswith("20")


def test_the_last_unfinished_session_is_the_one_to_resume(tmp_path: Path) -> None:
    log = History(tmp_path / "log.sqlite3", now=clock)
    t = timeline()
    assert log.resumable("monday") is None
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    log.set_finished(t.sets[1], SKIPPED)
    # No end(): the process was killed.
    found = log.resumable("monday")
    assert found is not None
    row, done = found
    assert row.how_it_ended == "stopped unexpectedly"
    assert done == {SetKey("rdl", 1, "right"), SetKey("rdl", 1, "left")}
    assert log.resumable("tuesday") is None
    # Resuming carries on in the same row, which then finishes.
    log.begin(t, resume=row.id)
    log.set_finished(t.sets[2], DONE)
    log.end(FINISHED, t.duration)
    assert log.resumable("monday") is None
    [again] = log.sessions()
    assert (again.id, again.outcome, again.sets_done) == (row.id, FINISHED, 2)


def test_history_lists_newest_first_and_by_workout(tmp_path: Path) -> None:
    log = History(tmp_path / "log.sqlite3", now=clock)
    for name in ("monday", "wednesday", "monday"):
        log.begin(timeline(name))
        log.end(FINISHED, 0)
    assert [r.workout for r in log.sessions()] == ["monday", "wednesday", "monday"]
    assert [r.id for r in log.sessions("monday")] == [3, 1]
    assert len(log.sessions(limit=1)) == 1


def test_a_damaged_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError) as error:
        open_history(path)
    assert str(error.value) == (
        f"cannot use the session log {path}: file is not a database. "
        "Move the file aside to start a new log; workouts play without it."
    )


def test_trouble_while_playing_warns_once_and_the_session_goes_on(tmp_path: Path) -> None:
    history = History(tmp_path / "log.sqlite3")
    warnings: list[str] = []
    log = SafeLog(history, warnings.append)
    t = timeline()
    log.begin(t)
    history.close()  # the database goes away under the player
    log.set_finished(t.sets[0], DONE)
    log.set_finished(t.sets[1], DONE)
    log.end(FINISHED, 0)
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: the session log stopped working (")
    assert warnings[0].endswith("the workout goes on but this session will not be in the history")


def test_the_database_lives_in_the_data_folder(user_dirs: Path) -> None:
    assert database_path() == user_dirs / "data" / "history.sqlite3"


def test_a_damaged_page_is_a_clear_error_when_reading(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    log = History(path, now=clock)
    for _ in range(200):
        log.begin(timeline())
        log.set_finished(timeline().sets[0], DONE)
    log.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 4] = b"\xff" * (page * 2)  # wreck two pages past the header
    path.write_bytes(bytes(data))
    log = open_history(path)
    for read in (log.sessions, lambda: log.resumable("monday")):
        with pytest.raises(HistoryError) as error:
            read()
        assert str(error.value).startswith(f"cannot use the session log {path}: ")
        assert str(error.value).endswith(
            ". Move the file aside to start a new log; workouts play without it."
        )


def test_a_locked_database_says_to_try_again_not_to_move_it(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    History(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError) as error:
            open_history(path)
    finally:
        holder.close()
    assert str(error.value) == (
        f"cannot use the session log {path}: database is locked. "
        "Another voicecoach may be writing to it: try again in a moment."
    )


def test_a_log_from_an_earlier_version_is_upgraded_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(SCHEMA.replace("    nth INTEGER NOT NULL,\n", ""))
    old.execute(
        "INSERT INTO sessions (workout, title, started, outcome, duration_s, sets_total)"
        " VALUES ('monday', 'Monday', '2026-11-20T07:00:00+00:00', 'quit', 600, 3)"
    )
    old.execute(
        "INSERT INTO sets (session, idx, exercise, name, set_no, side, status, at)"
        " VALUES (1, 0, 'rdl', 'Romanian deadlift', 1, 'right', 'done', 'x')"
    )
    old.close()
    log = History(path, now=clock)
    found = log.resumable("monday")
    assert found is not None
    assert found[1] == {SetKey("rdl", 1, "right", 1)}
    t = timeline()
    log.begin(t)
    log.set_finished(t.sets[1], DONE)
    assert [r.sets_done for r in log.sessions()] == [1, 1]
