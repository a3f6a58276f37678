"""Playback through the real audio code path, headless, with the real voice.

``audio/alsa-capture.conf`` makes ALSA's default device a file: the
program opens and feeds it exactly as it would a sound card, and the test
reads back what the device was given. Each run is a separate process, as
a user would start it, since ALSA reads its configuration once per
process.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voicecoach.player.history import SetKey, database_path
from voicecoach.player.play import resume_start
from voicecoach.session import prepare
from voicecoach.sound.render import render_all
from voicecoach.voices.base import Pcm

ROOT = Path(__file__).resolve().parent.parent
CAPTURE_CONF = ROOT / "audio" / "alsa-capture.conf"

pytestmark = pytest.mark.engine  # real espeak-ng through real ALSA


def voicecoach(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def captured(path: Path) -> Pcm:
    """Every file the device was given, in the order it was opened."""
    parts = sorted(path.parent.glob(path.name + ".*"))
    data = b"".join(p.read_bytes() for p in [path, *parts] if p.exists())
    return np.frombuffer(data, dtype="<i2")


def waited_end(sound: Pcm, expected: Pcm) -> int | None:
    """Where ``expected`` ends in ``sound``, if ``sound`` is ``expected`` with only runs of
    silence put in: what a capture, faster than real time, gets when it catches up with a
    busy machine's renderer (a sound card in real time never does); else None."""
    i = j = 0
    while j < len(expected):
        n = min(len(sound) - i, len(expected) - j)
        bad = np.flatnonzero(sound[i : i + n] != expected[j : j + n])
        if len(bad) == 0:
            return i + n if n == len(expected) - j else None
        i, j = i + int(bad[0]), j + int(bad[0])
        if sound[i] != 0:
            return None  # a sample changed, not silence put in
        sounding = np.flatnonzero(sound[i:])
        if len(sounding) == 0:
            return None
        i += int(sounding[0])
    return i


def test_waited_end_allows_silence_put_in_and_nothing_else() -> None:
    expected = np.array([3, 0, 0, 5, 6, 7, 0, 8], dtype=np.int16)
    assert waited_end(expected, expected) == 8
    put_in = np.array([3, 0, 0, 0, 0, 5, 6, 0, 0, 7, 0, 8, 0], dtype=np.int16)
    assert waited_end(put_in, expected) == 12
    assert waited_end(np.array([3, 0, 0, 5, 7, 0, 8], dtype=np.int16), expected) is None
    assert waited_end(np.array([3, 0, 0, 5, 6, 9, 0, 8], dtype=np.int16), expected) is None
    assert waited_end(expected[:5], expected) is None


def reference(name: str) -> Pcm:
    session = prepare(name)
    return render_all(session.timeline, session.speech)


NO_SOUND_SERVER = {
    # miniaudio tries a sound server before ALSA: on a desktop, make sure there is none.
    "PULSE_SERVER": "unix:/nonexistent/voicecoach-test",
    "JACK_NO_START_SERVER": "1",
    "JACK_DEFAULT_SERVER": "voicecoach-test-none",
}


def capture_env(path: Path) -> dict[str, str]:
    return {
        **NO_SOUND_SERVER,
        "ALSA_CONFIG_PATH": str(CAPTURE_CONF),
        "VOICECOACH_CAPTURE": str(path),
    }


def test_monday_reaches_the_device_byte_for_byte(tmp_path: Path) -> None:
    # A cold cache first: the voice is made as the session plays. A capture takes samples
    # faster than real time, so it catches up with the voice and is given silence while
    # it waits; every sound of the session still comes, in order, none skipped.
    out = tmp_path / "cold.raw"
    # (with a log of its own: a finished session makes the next one ask for more reps)
    first = {**capture_env(out), "VOICECOACH_DATA_DIR": str(tmp_path / "first")}
    result = voicecoach("play", "monday", env=first, timeout=400)
    assert result.returncode == 0, result.stderr
    assert "Done: Monday: Hamstrings for runners." in result.stderr
    expected = reference("monday")
    sound = captured(out)
    end = waited_end(sound, expected)
    assert end is not None and not sound[end:].any()
    # With the voice made, the device gets exactly the session, sample for sample.
    out = tmp_path / "monday.raw"
    result = voicecoach("play", "monday", env=capture_env(out), timeout=400)
    assert result.returncode == 0, result.stderr
    sound = captured(out)
    assert len(sound) >= len(expected)
    assert np.array_equal(sound[: len(expected)], expected)
    assert not sound[len(expected) :].any()  # then only the device's silence
    history = voicecoach("history", "--json")
    assert '"outcome": "finished"' in history.stdout
    assert '"sets_done": 10' in history.stdout


def test_simpleaudio_plays_the_same_bytes_in_pieces(tmp_path: Path, tiny: str) -> None:
    import simpleaudio  # noqa: F401  (scripts/setup --dev installs it; a missing one fails)

    out = tmp_path / "tiny.raw"
    workout = tiny
    result = voicecoach("play", workout, "--backend", "simpleaudio", env=capture_env(out))
    assert result.returncode == 0, result.stderr
    expected = reference(workout)
    sound = captured(out)[1:]  # the first sample is the device check
    assert len(list(tmp_path.glob("tiny.raw.*"))) >= 2
    assert np.array_equal(sound, expected)


@pytest.mark.parametrize("backend", ["miniaudio", "simpleaudio"])
def test_no_sound_device_is_a_clear_message_not_a_hang(tmp_path: Path, backend: str) -> None:
    if backend == "simpleaudio":
        import simpleaudio  # noqa: F401  (scripts/setup --dev installs it; a missing one fails)
    conf = tmp_path / "none.conf"
    conf.write_text("pcm.null { type null }\n")
    no_card = {**NO_SOUND_SERVER, "ALSA_CONFIG_PATH": str(conf)}
    result = voicecoach("play", "monday", "--backend", backend, env=no_card, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        "error: no sound device to play on (no sound card, or the sound server is not "
        "running). To take the session with you instead, write it to a file: "
        "voicecoach export monday\n"
    )


def test_a_killed_session_resumes_at_the_first_unfinished_set(tmp_path: Path, tiny: str) -> None:
    workout = tiny
    # In real time on the null device, until the first set is logged; then kill -9.
    player = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "play", workout, "--backend", "null"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        done = 0
        while done == 0 and time.monotonic() < deadline and player.poll() is None:
            time.sleep(0.2)
            if database_path().exists():
                with sqlite3.connect(database_path()) as db:
                    try:
                        done = db.execute("SELECT COUNT(*) FROM sets").fetchone()[0]
                    except sqlite3.OperationalError:
                        done = 0
        assert done >= 1, "no set was logged"
    finally:
        player.send_signal(signal.SIGKILL)
        player.wait()
    killed = voicecoach("history", "--json").stdout
    assert '"outcome": "playing"' in killed

    out = tmp_path / "resumed.raw"
    result = voicecoach("play", workout, "--resume", env=capture_env(out))
    assert result.returncode == 0, result.stderr
    assert "Resuming tiny from " in result.stderr
    with sqlite3.connect(database_path()) as db:
        rows = db.execute("SELECT exercise, set_no, side FROM sets ORDER BY at, idx").fetchall()
        sessions = db.execute("SELECT outcome FROM sessions").fetchall()
    assert sessions == [("finished",)]
    assert len(rows) == 3

    session = prepare(workout)
    speech, timeline = session.speech, session.timeline
    start, where = resume_start(timeline, {SetKey(*r) for r in rows[:done]})
    assert f": {where}" in result.stderr
    expected = render_all(timeline, speech)[start:]
    assert np.array_equal(captured(out)[: len(expected)], expected)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")
def test_keys_in_a_real_terminal_pause_and_quit_and_the_terminal_is_restored(tiny: str) -> None:
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    player = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "play", tiny, "--backend", "null"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    seen = b""

    def wait_for(text: bytes, seconds: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while text not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                seen += os.read(master, 4096)
        assert text in seen, seen.decode(errors="replace")

    try:
        wait_for(b"q: quit")  # the keys are listed when both ends are a terminal
        wait_for(b"left")  # the status line is running
        os.write(master, b" ")
        wait_for(b"PAUSED")
        os.write(master, b"q")
        assert player.wait(timeout=30) == 0
        wait_for(b"Carry on later with: voicecoach play")
        assert termios.tcgetattr(slave) == before
    finally:
        if player.poll() is None:
            player.kill()
        os.close(master)
        os.close(slave)
    history = voicecoach("history", "--json").stdout
    assert '"outcome": "quit"' in history


def test_music_reaches_the_device_exactly_as_it_is_exported(tmp_path: Path, tiny: str) -> None:
    import soundfile as sf
    from test_music import write_track

    # Two tracks shorter than the session: it crossfades from one to the other and loops.
    write_track(tmp_path / "music" / "1 tone.mp3", 12.0, noise=0.02)
    write_track(tmp_path / "music" / "2 noise.ogg", 10.0, freq=None, noise=0.1)
    music = ["--music", str(tmp_path / "music")]
    # Exported first, which measures the tracks once: this capture device takes samples as
    # fast as they come, so a track still being measured would hold the renderer up and the
    # device would get silence. A sound card takes them in real time, with seconds rendered
    # ahead, while the tracks are measured on a thread of their own.
    wav = tmp_path / "tiny.wav"
    result = voicecoach("export", tiny, *music, "-o", str(wav))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "tiny.raw"
    result = voicecoach("play", tiny, *music, env=capture_env(out))
    assert result.returncode == 0, result.stderr
    exported = sf.read(wav, dtype="int16")[0]
    sound = captured(out)
    end = waited_end(sound, exported)
    assert end is not None
    assert not sound[end:].any()
    voice = reference(tiny)
    assert len(voice) == len(exported) and not np.array_equal(voice, exported)
