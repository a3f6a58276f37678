"""Progression end to end: sessions played through the CLI raise the reps the next one asks
for, the intro says so, ``progress`` shows it, and a damaged log only warns."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fakes import fake_env
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.env import Environment
from voicecoach.player.history import History, database_path

RANGED = """
title: Taps
exercises:
  - id: tap
    name: Tap
    reps: 2-3
    tempo: 1-0-1-0
defaults:
  count: reps
blocks:
  - exercise: tap
    sets: 2
    reps: 2-3
    rest: 2s
"""

runner = CliRunner()


class Days:
    """A clock that moves a day each time a session is logged."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)

    def tick(self) -> datetime:
        return self.now

    def env(self) -> Environment:
        self.now += timedelta(days=1)
        return fake_env(now=self.tick, open_log=lambda: History(database_path(), now=self.tick))


def invoke(env: Environment, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), obj=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def taps(write: Callable[[str, str], Path]) -> str:
    return str(write("taps.yaml", RANGED))


def notes(env: Environment, name: str) -> list[str]:
    code, out, err = invoke(env, "show", name, "--estimate", "--json")
    assert code == 0, err
    return [e["text"] for e in json.loads(out)["events"] if e["kind"] == "note"]


def plan_texts(env: Environment, name: str) -> list[str]:
    code, out, _ = invoke(env, "show", name, "--estimate", "--json")
    return [e["text"] for e in json.loads(out)["events"] if e["kind"] == "plan"]


def test_each_finished_session_asks_one_more_rep_until_the_top(taps: str) -> None:
    days = Days()
    assert notes(days.env(), taps) == []
    assert plan_texts(days.env(), taps) == ["Two sets of two."]
    assert invoke(days.env(), "play", taps)[0] == 0
    assert notes(days.env(), taps) == ["Tap: three reps today, one more than last time."]
    assert plan_texts(days.env(), taps) == ["Two sets of three."]
    assert invoke(days.env(), "play", taps)[0] == 0
    assert notes(days.env(), taps) == [
        "Tap: you reached three last time, the top of the range: three again."
    ]


def test_progress_shows_each_session_and_a_chart_of_volume(taps: str) -> None:
    days = Days()
    for _ in range(2):
        assert invoke(days.env(), "play", taps)[0] == 0
    code, out, err = invoke(days.env(), "progress")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Tap (tap)"
    assert lines[2].split() == ["2026-11-24", "taps", "2/2", "2", "4"]
    assert lines[3].split() == ["2026-11-25", "taps", "2/2", "3", "6"]
    assert "reps done per session" in out
    assert "11-24" in out and "11-25" in out  # the chart's bars, by date
    code, out, _ = invoke(days.env(), "progress", "--json")
    [tap] = json.loads(out)
    assert [(s["reps"], s["sets_done"], s["volume"]) for s in tap["sessions"]] == [
        (2, 2, 4),
        (3, 2, 6),
    ]
    code, _, err = invoke(days.env(), "progress", "tpa")
    assert code == 2
    assert (
        err == "error: no sessions of the exercise `tpa` in the log\n"
        "  did you mean `tap`? logged: tap\n"
    )


def test_progress_with_an_empty_log_says_how_to_start() -> None:
    code, out, _ = invoke(fake_env(), "progress")
    assert (code, out) == (0, "No sessions yet. Start one with: voicecoach play today\n")


def test_a_damaged_log_warns_once_and_every_range_starts_from_its_bottom(taps: str) -> None:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage" * 1000)
    code, out, err = invoke(fake_env(), "show", taps, "--estimate", "--json")
    assert code == 0
    assert err.count("warning:") == 1
    assert err.startswith(f"warning: cannot use the session log {path}: file is not a database.")
    assert err.rstrip().endswith("Each range starts from its bottom.")
    assert [e["text"] for e in json.loads(out)["events"] if e["kind"] == "plan"] == [
        "Two sets of two."
    ]
    code, _, err = invoke(fake_env(), "play", taps)
    assert code == 0
    assert "Done: Taps." in err


def test_a_resumed_session_is_not_its_own_last_time(tmp_path: Path) -> None:
    from voicecoach.model import Chapter, SetSpan, Timeline
    from voicecoach.plan.today import log_rows
    from voicecoach.player.history import DONE, FINISHED, QUIT, Asked, SafeLog

    spans = (SetSpan(0, "tap", "Tap", 1, 1, None, 0, 100, 0),)
    timeline = Timeline("Taps", 22050, 200, (Chapter("All", 0, 200),), (), spans, "taps")
    history = History(tmp_path / "log.sqlite3")
    for reps, outcome in ((2, FINISHED), (3, QUIT)):  # the second: every set done, then q
        log = SafeLog(history, print, [Asked("tap", "Tap", 1, reps=reps, low=2, high=5)])
        log.begin(timeline)
        log.set_finished(spans[0], DONE)
        log.end(outcome, 150)
    assert [r.reps for r in log_rows(history, print)("taps")] == [2, 3]
    assert [r.reps for r in log_rows(history, print, resume=True)("taps")] == [2]
