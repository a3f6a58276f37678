"""The session log's record for progression: sets marked hard, and what each session asked."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from voicecoach.model import Chapter, SetSpan, Timeline
from voicecoach.player.history import DONE, FINISHED, SCHEMA, SKIPPED, Asked, History, SafeLog

RATE = 22050


def timeline(sets: int = 4) -> Timeline:
    spans = tuple(
        SetSpan(i, "rdl", "Romanian deadlift", i // 2 + 1, 2, ("right", "left")[i % 2],
                i * 10 * RATE, (i + 1) * 10 * RATE, 0)
        for i in range(sets)
    )  # fmt: skip
    end = sets * 10 * RATE
    return Timeline("Monday", RATE, end, (Chapter("All", 0, end),), (), spans, "monday")


def clock() -> datetime:
    return datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc)


def test_a_set_marked_hard_during_it_or_in_its_rest_is_logged_hard(tmp_path: Path) -> None:
    t = timeline()
    log = History(tmp_path / "log.sqlite3", now=clock)
    log.begin(t)
    log.set_hard(t.sets[0])  # during the set: written when it ends
    log.set_finished(t.sets[0], DONE)
    log.set_finished(t.sets[1], DONE)
    log.set_hard(t.sets[1])  # in its rest: the row is there already
    log.set_finished(t.sets[2], DONE)
    log.end(FINISHED, t.duration)
    rows = log._db.execute("SELECT idx, hard FROM sets ORDER BY idx").fetchall()
    assert rows == [(0, 1), (1, 1), (2, 0)]
    assert log.sessions()[0].sets_hard == 2


def test_what_a_session_asked_comes_back_with_what_was_done(tmp_path: Path) -> None:
    t = timeline()
    log = SafeLog(
        History(tmp_path / "log.sqlite3", now=clock),
        print,
        [Asked("rdl", "Romanian deadlift", 4, reps=7, low=6, high=12)],
    )
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    log.set_hard(t.sets[0])
    log.set_finished(t.sets[1], SKIPPED)
    log.end(FINISHED, t.duration)
    history = History(tmp_path / "log.sqlite3")
    [row] = history.exercise_log("monday")
    assert (row.exercise, row.sets, row.reps, row.low, row.high) == ("rdl", 4, 7, 6, 12)
    assert (row.done, row.skipped, row.hard, row.date) == (1, 1, 1, "2026-11-25")
    assert history.exercise_log("friday") == []


def test_a_resumed_session_keeps_what_it_first_asked(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    t = timeline()
    first = History(path, now=clock)
    first.begin(t)
    first.record_asked([Asked("rdl", "Romanian deadlift", 4, reps=7)])
    first.end("quit", 0)
    again = History(path, now=clock)
    again.begin(t, resume=first.session)
    again.record_asked([Asked("rdl", "Romanian deadlift", 4, reps=8)])
    assert [r.reps for r in again.exercise_log()] == [7]


def test_a_log_from_before_hard_marks_is_upgraded_and_its_sets_read_without_asks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    schema = SCHEMA.replace("    hard INTEGER NOT NULL DEFAULT 0,\n", "")
    old.executescript(schema[: schema.index("CREATE TABLE IF NOT EXISTS asked")])
    old.execute(
        "INSERT INTO sessions (workout, title, started, outcome, duration_s, sets_total)"
        " VALUES ('monday', 'Monday', '2026-11-20T07:00:00+00:00', 'finished', 600, 2)"
    )
    old.execute(
        "INSERT INTO sets (session, idx, exercise, name, set_no, side, nth, status, at)"
        " VALUES (1, 0, 'rdl', 'Romanian deadlift', 1, 'right', 1, 'done', 'x')"
    )
    old.close()
    log = History(path, now=clock)
    [row] = log.exercise_log()
    assert (row.exercise, row.name, row.sets, row.reps, row.done, row.hard) == (
        "rdl",
        "Romanian deadlift",
        None,
        None,
        1,
        0,
    )
    t = timeline()
    log.begin(t)
    log.set_hard(t.sets[0])
    log.set_finished(t.sets[0], DONE)
    assert [r.sets_hard for r in log.sessions()] == [1, 0]
