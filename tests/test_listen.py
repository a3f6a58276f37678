"""Spoken commands through a real microphone path: a private PulseAudio, fed in real time.

Each test starts its own PulseAudio (``pulseaudio --daemonize=no -n``) with a
null sink, ``room``, whose monitor is the default source: whatever plays
into the room is what the microphone hears, as it comes, in real time.
``paplay`` plays a file of commands spoken by piper into it at known
times. The player listens through miniaudio's PulseAudio capture exactly
as on a desktop, and plays either on the null device (headphones: the
microphone never hears the coach) or into the room itself (speakers: it
hears every prompt, as echo). The effect is checked on the stream the
player handed to its device and on the session log.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile
from test_play import RecordingLog

from voicecoach.compiler.compile import compile_workout
from voicecoach.files.load import load_workout
from voicecoach.model import Timeline
from voicecoach.player.history import DONE, QUIT, SKIPPED
from voicecoach.player.keys import NoKeys
from voicecoach.player.listen import Listener, open_microphone
from voicecoach.player.play import (
    CONTROL_PHRASES,
    MARKED_HARD,
    PAUSED,
    Player,
    last_prompt,
    spoken,
)
from voicecoach.sound.sinks import SampleSource, Sink, open_sink
from voicecoach.voices.base import Pcm
from voicecoach.voices.cache import PhraseCache
from voicecoach.voices.piper_engine import PiperEngine

# Real time through a real sound server: a busy machine can starve it of a period, so a run
# that fails is run once more (pytest-rerunfailures) before it counts as a failure.
pytestmark = [pytest.mark.engine, pytest.mark.slow, pytest.mark.flaky(reruns=1)]

START_S = 10.0
"""The longest a PulseAudio may take to start or stop."""

HOLDS = """
title: Listening
exercises:
  - id: wall-sit
    name: Wall sit
    hold: 20s
defaults:
  count: quiet
blocks:
  - exercise: wall-sit
    sets: 3
    rest: 8s
"""
"""Long quiet holds, so commands said at known times fall where the coach is silent."""

SCRIPT = [
    (14.0, "coach pause"),  # in the first hold
    (19.0, "coach pause"),  # resume: "Resuming, three, two, one", back in the hold
    (29.0, "coach next"),  # later in that hold: on to set two
    (38.0, "coach repeat"),  # set two's hold: its last prompt again
    (43.0, "coach hard"),  # set two marked hard
    (48.0, "coach back"),  # and back to the start of set two
]
"""When each command is said, in seconds from the start of the session."""
QUIT_AFTER_S = 6.0
"""After the last command was acted on, quit: the rest of the session has no command."""
BOUND_S = 80.0
"""No session here runs longer than this, whatever the recognizer does."""


@pytest.fixture(scope="module")
def piper_speech(tmp_path_factory: pytest.TempPathFactory) -> PhraseCache:
    """piper, with a phrase cache shared by this file's tests."""
    return PhraseCache(PiperEngine(), root=tmp_path_factory.mktemp("phrases"))


@pytest.fixture(scope="module")
def holds(tmp_path_factory: pytest.TempPathFactory, piper_speech: PhraseCache) -> Timeline:
    path = tmp_path_factory.mktemp("workouts") / "listening.yaml"
    path.write_text(HOLDS.lstrip(), encoding="utf-8")
    timeline = compile_workout(load_workout(str(path)), piper_speech)
    for event in timeline.events:  # every phrase ready, so nothing is made while listening
        piper_speech.audio(event.text)
    for phrase in CONTROL_PHRASES:
        piper_speech.audio(phrase)
    return timeline


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory, piper_speech: PhraseCache) -> Path:
    """The commands of ``SCRIPT`` spoken by piper at their times, in one file for paplay."""
    rate = piper_speech.sample_rate
    out = np.zeros(int((SCRIPT[-1][0] + 2) * rate), dtype=np.int16)
    for at, phrase in SCRIPT:
        audio = piper_speech.audio(phrase)
        start = int(at * rate)
        out[start : start + len(audio)] = audio
    path = tmp_path_factory.mktemp("commands") / "commands.wav"
    soundfile.write(path, out, rate, subtype="PCM_16")
    return path


@dataclass
class Pulse:
    """A private PulseAudio: a room (a null sink) and its monitor as the microphone."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    players: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def play(self, path: Path) -> subprocess.Popen[bytes]:
        """``paplay`` into the room, starting now, in real time."""
        player = subprocess.Popen(
            ["paplay", "--device=room", str(path)], env=self.env, stderr=subprocess.DEVNULL
        )
        self.players.append(player)
        return player

    def record(self) -> Recording:
        """What the microphone hears from now on (the room's monitor), 16 kHz mono."""
        return Recording(
            subprocess.Popen(
                [
                    "parec",
                    "--device=room.monitor",
                    "--raw",
                    "--format=s16le",
                    "--rate=16000",
                    "--channels=1",
                ],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        )

    def stop(self) -> None:
        for player in self.players:
            player.kill()
            player.wait(START_S)
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(START_S)


class Recording:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.data = bytearray()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read1(65536):
            self.data += chunk

    def stop(self) -> Pcm:
        self.process.terminate()
        self.process.wait(START_S)
        self.thread.join(START_S)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return np.frombuffer(bytes(self.data), dtype="<i2")


def loudness(samples: Pcm) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


@pytest.fixture
def pulse(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pulse]:
    """Starts a PulseAudio of the test's own, and stops it at the end.

    ``-n`` loads no default configuration, so only the modules named with
    ``-L`` exist: the socket the clients use, and the room. As root it runs
    as it is (the warning that it is not meant for root is harmless);
    ``--system`` is not needed, since nothing else shares it.
    """
    for tool in ("pulseaudio", "paplay", "pactl"):
        assert shutil.which(tool), f"{tool} is missing: bash scripts/setup --dev"
    folder = Path(tempfile.mkdtemp(prefix="vc-pulse-"))
    socket = folder / "native"
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_RUNTIME_DIR": str(folder),
        "PULSE_RUNTIME_PATH": str(folder / "runtime"),
        "PULSE_STATE_PATH": str(folder / "state"),
        "PULSE_SERVER": f"unix:{socket}",
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    log = (folder / "pulseaudio.log").open("wb")
    process = subprocess.Popen(
        [
            "pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
            "--use-pid-file=no", "--realtime=no", "--high-priority=no", "--log-target=stderr",
            "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1",
            "-L", "module-null-sink sink_name=room rate=16000 channels=1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )  # fmt: skip
    server = Pulse(process, env)
    try:
        deadline = time.monotonic() + START_S
        while subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode != 0:
            assert process.poll() is None, (folder / "pulseaudio.log").read_text()
            assert time.monotonic() < deadline, "PulseAudio did not start"
            time.sleep(0.05)
        for name in ("HOME", "XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER"):
            monkeypatch.setenv(name, env[name])
        yield server
    finally:
        server.stop()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Pull:
    position: int
    """The session position before the pull."""
    block: Pcm
    paused: bool


class _Tee:
    """The player's feed, with every pull written down."""

    def __init__(self, source: SampleSource, pulls: list[Pull]) -> None:
        self._source = source
        self._pulls = pulls
        self.sample_rate = source.sample_rate

    def pull(self, frames: int) -> Pcm:
        before = self._source.position  # type: ignore[attr-defined]
        block = self._source.pull(frames)
        self._pulls.append(Pull(before, block.copy(), self._source.paused))
        return block

    def quiet_cut(self, least: int, most: int) -> int:
        return self._source.quiet_cut(least, most)

    @property
    def finished(self) -> bool:
        return self._source.finished

    @property
    def paused(self) -> bool:
        return self._source.paused


class Recorded:
    """A real sink that also keeps what it was given, pull by pull."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.name = sink.name
        self.pulls: list[Pull] = []

    @property
    def error(self) -> str | None:
        return self.sink.error

    def start(self, source: SampleSource) -> None:
        self.sink.start(_Tee(source, self.pulls))

    def heard(self) -> int:
        return self.sink.heard()

    def interrupt(self) -> None:
        self.sink.interrupt()

    def done(self) -> bool:
        return self.sink.done()

    def close(self) -> None:
        self.sink.close()


class QuitWhen:
    """No keyboard; ``q`` once ``done()`` has held for ``after_s``, or at ``BOUND_S``."""

    def __init__(self, done: Callable[[], bool], after_s: float) -> None:
        self._done = done
        self._after_s = after_s
        self._since: float | None = None
        self._began = time.monotonic()
        self._wait = NoKeys()

    def read(self, timeout: float) -> str | None:
        now = time.monotonic()
        if self._since is None and self._done():
            self._since = now
        if now - self._began > BOUND_S:
            return "q"
        if self._since is not None and now - self._since > self._after_s:
            return "q"
        return self._wait.read(timeout)


def listen(
    timeline: Timeline,
    speech: PhraseCache,
    pulse: Pulse,
    sink: Sink,
    commands: Path | None,
    wanted: int,
) -> tuple[Recorded, Listener, RecordingLog, list[str]]:
    """One session heard by the microphone in the room while ``commands`` plays there."""
    recorded = Recorded(sink)
    said: list[str] = []
    listener = Listener(said.append, open_microphone)
    keys = QuitWhen(lambda: len(listener.heard) >= wanted, QUIT_AFTER_S)
    log = RecordingLog()
    player = Player(timeline, speech, recorded, keys, log, remotes=[listener], patience=10.0)
    if commands is not None:
        pulse.play(commands)
    outcome = player.run()
    assert outcome.how == QUIT or wanted == 0
    return recorded, listener, log, said


def occurrences(stream: Pcm, audio: Pcm) -> list[int]:
    """Where ``audio`` appears whole in ``stream``, sample for sample."""
    head = audio[: min(len(audio), 32)]
    found = []
    for at in np.flatnonzero(stream[: len(stream) - len(audio) + 1] == head[0]):
        if np.array_equal(stream[at : at + len(audio)], audio):
            found.append(int(at))
    return found


def stream_after(pulls: list[Pull], index: int) -> Pcm:
    return np.concatenate([p.block for p in pulls[index:]])


def check_the_commands_acted(
    recorded: Recorded, listener: Listener, log: RecordingLog, timeline: Timeline,
    speech: PhraseCache,
) -> None:  # fmt: skip
    assert [h.phrase for h in listener.heard] == [phrase for _, phrase in SCRIPT]
    pulls = recorded.pulls
    rate = timeline.sample_rate
    # "coach pause": "Paused.", then silence, and the session stands still until the next.
    paused = [i for i, p in enumerate(pulls) if p.paused]
    assert paused, "never paused"
    first = paused[0]
    held = list(itertools.takewhile(lambda p: p.paused, pulls[first:]))
    said = spoken(speech, PAUSED)
    assert np.array_equal(stream_after(pulls, first)[: len(said)], said)
    silent = np.concatenate([p.block for p in held])[len(said) :]
    assert len(silent) > 2 * rate and not silent.any()
    assert len({p.position for p in held}) == 1
    # Then "Resuming" and on from where it stopped (a hold: no rep to go back to).
    stopped_at = held[0].position
    after = next(i for i, p in enumerate(pulls) if i > first and not p.paused)
    assert pulls[after].position == stopped_at
    # "coach next": on to set two, the set it left logged as skipped.
    second = timeline.sets[1]
    landed = [i for i, p in enumerate(pulls) if p.position == second.start]
    assert landed, "never jumped to set two"
    assert log.sets()[0] == (0, SKIPPED)
    # "coach back", later: set two again from its start.
    assert len(landed) >= 2 and landed[-1] > landed[0] + 1
    # "coach repeat" in between: the last prompt, the set's announcement, said again.
    repeat_at = listener.heard[3].at_s
    stream = np.concatenate([p.block for p in pulls[landed[0] : landed[-1]]])
    prompt = timeline.events[
        next(i for i, e in enumerate(timeline.events) if e.start >= second.start)
    ]
    assert prompt.text == "Set two of three."
    assert last_prompt(timeline, second.start + 10 * rate) == prompt
    assert len(occurrences(stream, speech.audio(prompt.text))) == 2, repeat_at
    # "coach hard": set two marked in the log, and "Noted: hard." said.
    assert ("hard", 1, None) in log.calls
    assert len(occurrences(stream, speech.audio(MARKED_HARD))) == 1
    assert all(status != DONE for _, status in log.sets()[1:])


def test_spoken_commands_pause_resume_skip_repeat_and_go_back(
    pulse: Pulse, holds: Timeline, piper_speech: PhraseCache, commands: Path
) -> None:
    """With headphones: the microphone hears only the speaker."""
    sink = open_sink("null", holds.sample_rate)
    recorded, listener, log, said = listen(holds, piper_speech, pulse, sink, commands, len(SCRIPT))
    assert said == []
    check_the_commands_acted(recorded, listener, log, holds, piper_speech)


def test_through_speakers_the_coach_is_not_obeyed_and_the_speaker_is(
    pulse: Pulse, holds: Timeline, piper_speech: PhraseCache, commands: Path
) -> None:
    """The coach plays into the room the microphone hears: its prompts, "Next set." and all,
    come back as echo mixed with the commands."""
    sink = open_sink("miniaudio", holds.sample_rate)  # PulseAudio's, or ALSA's through it
    room = pulse.record()
    recorded, listener, log, said = listen(holds, piper_speech, pulse, sink, commands, len(SCRIPT))
    assert said == []
    # The microphone did hear the coach: the room is loud in the introduction, before any
    # command, and the listener held its ears shut for every prompt.
    assert loudness(room.stop()[: 8 * 16000]) > 500
    assert listener.gated_s > 10
    check_the_commands_acted(recorded, listener, log, holds, piper_speech)


def test_a_microphone_that_stops_is_one_line_and_the_session_goes_on(
    pulse: Pulse, holds: Timeline, piper_speech: PhraseCache
) -> None:
    sink = open_sink("null", holds.sample_rate)
    said: list[str] = []
    listener = Listener(said.append, open_microphone)
    killed = threading.Timer(3.0, pulse.stop)
    keys = QuitWhen(lambda: bool(said), 1.0)
    player = Player(holds, piper_speech, sink, keys, RecordingLog(), remotes=[listener])
    killed.start()
    try:
        outcome = player.run()
    finally:
        killed.cancel()
    assert outcome.how == QUIT
    assert said == ["The microphone stopped: not listening any more; the keys still work."]
    assert player.stopped_at is not None and player.stopped_at > 5 * holds.sample_rate


def test_with_no_microphone_play_listen_says_so_and_plays_on(tiny: str, tmp_path: Path) -> None:
    """A whole ``voicecoach play --listen`` where there is no microphone at all: no sound
    server to ask, and ALSA's default device a card that is not there."""
    alsa = tmp_path / "asound.conf"
    alsa.write_text("pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n")
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{tmp_path}/no-pulse",
        "ALSA_CONFIG_PATH": str(alsa),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "play", tiny, "--backend", "null", "--listen"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Not listening" in x for x in lines):
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
        time.sleep(2.0)  # and the session is still playing
        assert process.poll() is None, lines
        process.terminate()  # as Ctrl-C
        _, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    lines += rest.splitlines()
    assert process.returncode == 130
    assert any(
        line.startswith("Not listening: no microphone to listen with")
        and line.endswith("; the keys still work.")
        for line in lines
    ), lines
    assert sum("Media keys are off: no D-Bus session" in line for line in lines) == 1, lines
