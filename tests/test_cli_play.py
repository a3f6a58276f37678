"""``play`` and ``history`` through typer's CliRunner, with a device that takes samples at once.

The environment's capture sink stands in for the sound card so a session ends
in a moment; the real devices are exercised in ``test_capture.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from fakes import CaptureSink, FakeEngine, fake_env, fake_speech
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.env import Environment
from voicecoach.player.history import database_path
from voicecoach.sound import sinks

runner = CliRunner()


@pytest.fixture
def fast() -> Environment:
    """An environment whose voice is the fake engine and whose device takes samples at once."""
    return fake_env()


def invoke(*args: str, env: Environment | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), obj=env or fake_env())
    return result.exit_code, result.stdout, result.stderr


def test_play_leads_the_session_to_the_end_and_logs_it(fast: Environment, tiny: str) -> None:
    code, out, err = invoke("play", tiny, env=fast)
    assert code == 0, err
    # "about" while the session is still being compiled as it starts
    assert re.fullmatch(r"Tiny \((about )?00:\d\d\) on capture", err.splitlines()[0])
    assert err.splitlines()[-1] == "Done: Tiny."
    assert fast.sinks[0].heard() > 0  # type: ignore[attr-defined]
    code, out, _ = invoke("history")
    assert code == 0
    [line] = out.splitlines()
    assert " tiny " in line
    assert "3/3 sets" in line
    assert line.endswith(" finished")
    code, out, _ = invoke("history", "--json")
    [session] = json.loads(out)
    assert (session["workout"], session["outcome"], session["sets_done"]) == ("tiny", "finished", 3)


def test_resume_with_nothing_to_resume_starts_from_the_beginning(
    fast: Environment, tiny: str
) -> None:
    code, _, err = invoke("play", tiny, "--resume", env=fast)
    assert code == 0
    assert "Nothing to resume for tiny: starting from the beginning." in err


def test_an_unknown_backend_is_bad_input_before_anything_is_synthesized(tiny: str) -> None:
    engine = FakeEngine()
    code, _, err = invoke(
        "play", tiny, "--backend", "speakers", env=fake_env(open_speech=fake_speech(engine))
    )
    assert code == 2
    assert err == (
        "error: unknown playback backend 'speakers': choose one of miniaudio, simpleaudio, null\n"
    )
    assert engine.calls == []


def test_a_damaged_history_warns_and_the_workout_still_plays(fast: Environment, tiny: str) -> None:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage" * 1000)
    code, _, err = invoke("play", tiny, env=fast)
    assert code == 0
    assert err.startswith(f"warning: cannot use the session log {path}: file is not a database.")
    assert "Done: Tiny." in err
    code, _, err = invoke("history")
    assert code == 1
    assert err == (
        f"error: cannot use the session log {path}: file is not a database. "
        "Move the file aside to start a new log; workouts play without it.\n"
    )


def test_history_with_no_sessions_says_how_to_start() -> None:
    code, out, _ = invoke("history")
    assert code == 0
    assert out == "No sessions yet. Start one with: voicecoach play monday\n"
    assert invoke("history", "--json")[1] == "[]\n"
    assert invoke("history", "friday")[1] == (
        "No sessions of friday yet. Start one with: voicecoach play friday\n"
    )


def test_ctrl_c_exits_130_and_says_how_to_carry_on(tiny: str) -> None:
    class Interrupted(CaptureSink):
        def start(self, source: sinks.SampleSource) -> None:
            raise KeyboardInterrupt

    code, _, err = invoke("play", tiny, env=fake_env(open_sink=lambda *args: Interrupted()))
    assert code == 130
    assert err.endswith(
        f"At 00:00. Carry on later with: voicecoach play {tiny} --resume\nStopped.\n"
    )
    _, out, _ = invoke("history", "--json")
    assert json.loads(out)[0]["outcome"] == "interrupted"


def test_a_log_that_cannot_be_read_for_resume_warns_and_plays_from_the_start(
    tiny: str,
) -> None:
    from voicecoach.player import history

    class Broken(history.History):
        def resumable(self, workout: str) -> None:
            raise history.HistoryError(
                "cannot use the session log X: database disk image is malformed"
            )

    code, _, err = invoke("play", tiny, "--resume", env=fake_env(open_log=Broken))
    assert code == 0
    assert err.splitlines()[:2] == [
        "warning: cannot use the session log X: database disk image is malformed",
        "Nothing to resume for tiny: starting from the beginning.",
    ]
    assert err.splitlines()[-1] == "Done: Tiny."


def test_simpleaudio_missing_says_how_to_install_it(
    tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "simpleaudio", None)
    code, _, err = invoke(
        "play", tiny, "--backend", "simpleaudio", env=fake_env(open_sink=sinks.open_sink)
    )
    assert code == 2
    assert err == (
        'error: the simpleaudio backend is not installed: pip install "voicecoach[simpleaudio]" '
        "(it needs the ALSA headers on Linux: sudo apt-get install libasound2-dev), "
        "or use the default backend, miniaudio\n"
    )


def test_the_session_log_is_stamped_with_the_environments_clock(tiny: str) -> None:
    from datetime import datetime, timezone

    fixed = datetime(2026, 3, 2, 7, 30, tzinfo=timezone.utc)
    world = fake_env(now=lambda: fixed)
    code, _, err = invoke("play", tiny, env=world)
    assert code == 0, err
    _, out, _ = invoke("history", "--json", env=world)
    [session] = json.loads(out)
    assert session["started"] == fixed.astimezone().isoformat(timespec="seconds")
