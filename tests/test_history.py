"""The session log: rows as they happen, resume points, and trouble that never stops a workout."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
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
    Recorder,
    SafeLog,
    SetKey,
    database_path,
    keep_writes,
    kept_files,
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


# Locks, read-only logs, and sessions that end badly ------------------------------


def hold_lock(path: Path, readers_too: bool = False) -> sqlite3.Connection:
    """Another program holding the log, as ``BEGIN EXCLUSIVE`` does (``readers_too``: with
    ``locking_mode=EXCLUSIVE``, so that not even opening the log works)."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    if readers_too:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_sets_written_while_the_log_is_locked_go_in_once_it_is_free(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    warnings: list[str] = []
    log = SafeLog(History(path, now=clock), warnings.append)
    t = timeline(sets=3)
    log.begin(t)
    holder = hold_lock(path)
    log.set_finished(t.sets[0], DONE)
    log.set_finished(t.sets[1], DONE)
    assert log.pending == 2
    holder.rollback()
    holder.close()
    log.set_finished(t.sets[2], DONE)
    log.end(FINISHED, t.duration)
    assert log.pending == 0
    assert warnings == []
    [row] = History(path).sessions()
    assert (row.sets_done, row.outcome) == (3, FINISHED)


def test_a_session_begun_while_the_log_is_locked_is_still_recorded(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    History(path).close()
    holder = hold_lock(path, readers_too=True)
    with pytest.raises(HistoryError) as error:
        open_history(path)
    assert error.value.locked
    warnings: list[str] = []
    log = SafeLog(None, warnings.append, reopen=lambda: History(path, now=clock))
    t = timeline(sets=2)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    assert log.pending == 3  # the session's row, what it asks of each exercise, one set
    holder.close()
    log.set_finished(t.sets[1], DONE)
    log.end(QUIT, t.sets[1].end)
    log.close()
    [row] = History(path).sessions()
    assert (row.sets_done, row.outcome) == (2, QUIT)
    assert warnings == []


def done_sets(path: Path) -> int:
    """Sets done in the log, read past any lock (a reader in WAL mode is never blocked)."""
    reader = sqlite3.connect(path)
    try:
        return int(reader.execute("SELECT COUNT(*) FROM sets WHERE status = 'done'").fetchone()[0])
    finally:
        reader.close()


def test_what_a_lock_keeps_out_past_the_end_is_kept_and_written_at_the_next_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    warnings: list[str] = []
    waited: list[float] = []
    log = SafeLog(History(path, now=clock), warnings.append, patience_s=1, sleep=waited.append)
    t = timeline(sets=3)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    holder = hold_lock(path)
    log.set_finished(t.sets[1], DONE)
    log.set_hard(t.sets[1])
    log.set_finished(t.sets[2], DONE)
    log.end(FINISHED, t.duration)
    log.close()
    assert sum(waited) == 1
    [kept] = kept_files(path)
    assert warnings == [
        "warning: the session log stayed locked by another program for 1 s; "
        f"2 sets and the end of this session are kept in {kept} "
        "and go into the log the next time it is opened"
    ]
    assert done_sets(path) == 1  # what was written before the lock; the rest is in the file
    holder.rollback()
    holder.close()
    [row] = History(path).sessions()
    assert (row.sets_done, row.sets_hard, row.outcome, row.position_s) == (3, 1, FINISHED, 30.0)
    assert kept_files(path) == []
    [row] = History(path).sessions()  # written once
    assert row.sets_done == 3


def test_a_session_the_lock_kept_out_from_start_to_end_is_recorded_next_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    History(path, now=clock).close()
    holder = hold_lock(path, readers_too=True)
    warnings: list[str] = []
    log = SafeLog(
        None,
        warnings.append,
        reopen=lambda: History(path, now=clock, timeout=0),
        patience_s=0,
        now=clock,
        path=path,
    )
    t = timeline(sets=2)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    log.end(QUIT, t.sets[0].end)
    log.close()
    assert len(warnings) == 1
    assert "the start, 1 set and the end of this session are kept in" in warnings[0]
    holder.close()
    [row] = History(path).sessions()
    assert (row.sets_done, row.outcome, row.started) == (1, QUIT, "2026-11-25T07:30:00+00:00")


def test_a_kept_file_goes_in_once_even_if_it_could_not_be_removed(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    History(path).close()
    t = timeline(sets=2)
    recorder = Recorder(t, clock)
    # The end gives the length, as a session begun while it was compiled does.
    end = recorder.end(QUIT, t.sets[0].end, duration=t.duration + 5 * RATE)
    writes = [recorder.begin(), recorder.set(t.sets[0], DONE), end]
    kept = keep_writes(path, None, "monday", writes)
    copy = kept.read_bytes()
    History(path).close()
    kept.write_bytes(copy)  # as if removing it had failed
    history = History(path)
    rows = [(r.sets_done, r.outcome, r.duration_s) for r in history.sessions()]
    assert rows == [(1, QUIT, 25.0)]
    assert not kept.exists()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json",
         "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"version": 1, "session": null, "workout": "m", "writes": [{"op": "drop"}]}',
         "an unknown change: {'op': 'drop'}"),
        ('{"version": 1, "session": 7, "workout": "m", "writes": []}',
         "session 7 of m is not in this log"),
    ],
)  # fmt: skip
def test_a_kept_file_that_cannot_be_read_back_is_set_aside_with_one_warning(
    text: str, why: str, tmp_path: Path
) -> None:
    path = tmp_path / "log.sqlite3"
    kept = tmp_path / "log.kept-20261125T073000000000-0badf00d.json"
    kept.write_text(text)
    warnings: list[str] = []
    history = History(path, warn=warnings.append)
    assert history.sessions() == []
    assert warnings == [
        f"warning: the kept session log writes in {kept} could not be read ({why}); "
        f"they are in {kept}.damaged, not in the history"
    ]
    assert not kept.exists()
    assert (tmp_path / f"{kept.name}.damaged").read_text() == text
    History(path, warn=warnings.append).close()
    assert len(warnings) == 1  # said once: the file set aside is not read again


def test_a_killed_session_shows_where_it_got_to(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    log = History(path, now=clock)
    t = timeline(sets=3)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    log.set_finished(t.sets[1], DONE)
    log.close()  # then kill -9: no end
    [row] = History(path).sessions()
    assert (row.outcome, row.position_s) == (PLAYING, 20.0)


def test_ending_a_session_that_never_began_is_nothing(tmp_path: Path) -> None:
    log = History(tmp_path / "log.sqlite3")
    log.end(QUIT, 0)  # a signal during start-up, before begin
    assert log.sessions() == []


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder that cannot be written: a read-only mount as root, else mode 0555."""
    import os
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], check=True)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o755)


def make_read_only(folder: Path) -> None:
    import os
    import subprocess

    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        (folder / "log.sqlite3").chmod(0o444)


def test_a_read_only_log_can_still_be_read_and_resumed(read_only_folder: Path) -> None:
    path = read_only_folder / "log.sqlite3"
    log = History(path, now=clock)
    t = timeline(sets=3)
    log.begin(t)
    log.set_finished(t.sets[0], DONE)
    log.end(QUIT, t.sets[0].end)
    log.close()
    make_read_only(read_only_folder)
    history = open_history(path)
    assert history.read_only
    [row] = history.sessions()
    assert (row.sets_done, row.outcome) == (1, QUIT)
    found = history.resumable("monday")
    assert found is not None and found[1] == {SetKey("rdl", 1, "right", 1)}
    warnings: list[str] = []
    safe = SafeLog(history, warnings.append)
    safe.begin(t)
    safe.set_finished(t.sets[1], DONE)
    safe.end(FINISHED, t.duration)
    assert len(warnings) == 1
    assert "readonly" in warnings[0] or "read-only" in warnings[0]
    history.close()


def test_any_command_that_opens_the_log_writes_the_kept_writes_in(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from voicecoach.cli import app

    path = database_path()
    History(path).close()
    t = timeline(sets=2)
    recorder = Recorder(t, clock)
    writes = [recorder.begin(), recorder.set(t.sets[0], DONE), recorder.end(QUIT, t.sets[0].end)]
    keep_writes(path, None, "monday", writes)
    broken = path.with_name("history.kept-20261125T073000000000-0badf00d.json")
    broken.write_text("{")
    result = CliRunner().invoke(app, ["history"])
    assert result.exit_code == 0
    assert "1/2 sets" in result.stdout
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"warning: the kept session log writes in {broken} could not")
    assert kept_files(path) == []
    assert broken.with_name(broken.name + ".damaged").exists()
