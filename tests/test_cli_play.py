"""``play`` and ``history`` through typer's CliRunner, with a device that takes samples at once.

The fast sink stands in for the sound card so a session ends in a moment;
the real devices are exercised in ``test_capture.py``.
"""

from __future__ import annotations

import json
import threading

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.player.history import database_path
from voicecoach.sound import sinks

runner = CliRunner()


class FastSink:
    """Pulls as fast as the feed renders, on its own thread, like the capture device."""

    name = "fast"
    error: str | None = None

    def __init__(self) -> None:
        self.pulled = 0
        self._source: sinks.Source | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, source: sinks.Source) -> None:
        self._source = source
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._source is not None
        while not self._stop.is_set() and not self._source.finished:
            self.pulled += len(self._source.pull(4096))

    def heard(self) -> int:
        return self.pulled

    def interrupt(self) -> None:
        pass

    def done(self) -> bool:
        return self._source is not None and self._source.finished

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> list[FastSink]:
    opened: list[FastSink] = []

    def open_fast(name: str, sample_rate: int, workout: str = "") -> FastSink:
        if name != "miniaudio":
            return sinks.open_sink(name, sample_rate, workout)  # type: ignore[return-value]
        opened.append(FastSink())
        return opened[-1]

    monkeypatch.setattr(sinks, "open_sink", open_fast)
    return opened


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_play_leads_the_session_to_the_end_and_logs_it(fast: list[FastSink], tiny: str) -> None:
    code, out, err = invoke("play", tiny)
    assert code == 0, err
    assert err.splitlines()[0].startswith("Tiny (00:")
    assert err.splitlines()[0].endswith(") on fast")
    assert err.splitlines()[-1] == "Done: Tiny."
    assert fast[0].pulled > 0
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
    fast: list[FastSink], tiny: str
) -> None:
    code, _, err = invoke("play", tiny, "--resume")
    assert code == 0
    assert "Nothing to resume for tiny: starting from the beginning." in err


def test_an_unknown_backend_is_bad_input(tiny: str) -> None:
    code, _, err = invoke("play", tiny, "--backend", "speakers")
    assert code == 2
    assert err == (
        "error: unknown playback backend 'speakers': choose one of miniaudio, simpleaudio, null\n"
    )


def test_a_damaged_history_warns_and_the_workout_still_plays(
    fast: list[FastSink], tiny: str
) -> None:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage" * 1000)
    code, _, err = invoke("play", tiny)
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


def test_ctrl_c_exits_130_and_says_how_to_carry_on(
    monkeypatch: pytest.MonkeyPatch, tiny: str
) -> None:
    class Interrupted(FastSink):
        def start(self, source: sinks.Source) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(sinks, "open_sink", lambda *args: Interrupted())
    code, _, err = invoke("play", tiny)
    assert code == 130
    assert err.endswith(
        f"At 00:00. Carry on later with: voicecoach play {tiny} --resume\nStopped.\n"
    )
    _, out, _ = invoke("history", "--json")
    assert json.loads(out)[0]["outcome"] == "interrupted"


def test_a_log_that_cannot_be_read_for_resume_warns_and_plays_from_the_start(
    fast: list[FastSink], tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicecoach.player import history

    def broken(self: history.History, workout: str) -> None:
        raise history.HistoryError("cannot use the session log X: database disk image is malformed")

    monkeypatch.setattr(history.History, "resumable", broken)
    code, _, err = invoke("play", tiny, "--resume")
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
    code, _, err = invoke("play", tiny, "--backend", "simpleaudio")
    assert code == 2
    assert err == (
        'error: the simpleaudio backend is not installed: pip install "voicecoach[simpleaudio]" '
        "(it needs the ALSA headers on Linux: sudo apt-get install libasound2-dev), "
        "or use the default backend, miniaudio\n"
    )
