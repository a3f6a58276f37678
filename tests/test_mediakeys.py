"""Media keys through the real D-Bus: a private session bus, and calls made as a desktop does.

Each test starts its own ``dbus-daemon --session`` on a socket of its own
and points ``DBUS_SESSION_BUS_ADDRESS`` at it. The player exports itself
there exactly as on a desktop, and a separate connection, the "desktop",
calls ``org.mpris.MediaPlayer2.Player`` methods and reads and watches the
properties, as a media widget, ``playerctl`` or BlueZ's ``mpris-proxy``
would. The step sink of ``test_play`` plays the stream, so what each button
did is checked on the samples handed over: silence while paused, the jump
to the next set's first sample.
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from fakes import StepSink
from test_play import STEP, RecordingLog

from voicecoach.model import Timeline
from voicecoach.player.history import FINISHED, QUIT, SKIPPED
from voicecoach.player.mediakeys import NoMediaKeys, open_media_keys
from voicecoach.player.mediakeys.mpris import BUS_NAME, OBJECT_PATH, MprisKeys
from voicecoach.player.play import Player, next_set_start, set_start, spoken
from voicecoach.sound.render import render_all
from voicecoach.voices.cache import PhraseCache

PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
WAIT_S = 10.0
"""The longest any test waits for the bus: the whole file is bounded by this, per step."""


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    """A private session bus for this test alone, stopped at its end."""
    assert shutil.which("dbus-daemon"), "dbus-daemon is missing: bash scripts/setup --dev"
    folder = tempfile.mkdtemp(prefix="vc-bus-")
    address = f"unix:path={folder}/bus"
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            f"--address={address}",
            "--print-address=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # "Failed to set fd limit": harmless, and not ours
        text=True,
    )
    try:
        assert daemon.stdout is not None
        ready, _, _ = select.select([daemon.stdout], [], [], WAIT_S)
        assert ready and daemon.stdout.readline().startswith("unix:"), "dbus-daemon did not start"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield daemon
    finally:
        daemon.terminate()
        daemon.wait(WAIT_S)
        if daemon.stdout is not None:
            daemon.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


class Desktop:
    """A D-Bus connection of its own, on a thread of its own: what a desktop's media
    widget does, in blocking calls for the test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.bus: MessageBus = self.run(_connect())
        self.changes: list[dict[str, Any]] = []
        self.seeked: list[int] = []
        self.bus.add_message_handler(self._signal)
        self.run(
            self._call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "AddMatch",
                "s",
                [f"type='signal',path='{OBJECT_PATH}'"],
            )
        )

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(WAIT_S)

    async def _call(
        self,
        destination: str,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: list[Any] | None = None,
    ) -> Any:
        reply = await self.bus.call(
            Message(
                destination=destination,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=body or [],
            )
        )
        assert reply is not None
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{reply.error_name}: {reply.body}")
        return reply.body

    def press(self, member: str, name: str = BUS_NAME) -> None:
        """Call a ``Player`` method, as a media key does; returns once it was answered."""
        self.run(self._call(name, OBJECT_PATH, PLAYER, member))

    def get(self, prop: str, name: str = BUS_NAME) -> Any:
        body = self.run(self._call(name, OBJECT_PATH, PROPERTIES, "Get", "ss", [PLAYER, prop]))
        return unwrap(body[0])

    def owns(self, name: str) -> bool:
        body = self.run(
            self._call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                [name],
            )
        )
        return bool(body[0])

    def take(self, name: str) -> None:
        self.run(
            self._call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "RequestName",
                "su",
                [name, 4],
            )
        )

    def _signal(self, message: Message) -> bool:
        if message.message_type != MessageType.SIGNAL:
            return False
        if message.member == "PropertiesChanged" and message.body[0] == PLAYER:
            self.changes.append({k: unwrap(v) for k, v in message.body[1].items()})
        elif message.member == "Seeked":
            self.seeked.append(message.body[0])
        return False

    def statuses(self) -> list[str]:
        return [c["PlaybackStatus"] for c in self.changes if "PlaybackStatus" in c]

    def titles(self) -> list[str]:
        return [c["Metadata"]["xesam:title"] for c in self.changes if "Metadata" in c]

    def close(self) -> None:
        self.bus.disconnect()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT_S)
        self.loop.close()
        # dbus-fast closes its socket in a loop callback that a stopped loop never runs.
        sock = getattr(self.bus, "_sock", None)
        if sock is not None:
            sock.close()


async def _connect() -> MessageBus:
    return await MessageBus().connect()  # made in the loop that will run it


def unwrap(value: Any) -> Any:
    if isinstance(value, Variant):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    return value


@pytest.fixture
def desktop(session_bus: subprocess.Popen[str]) -> Iterator[Desktop]:
    client = Desktop()
    yield client
    client.close()


def eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


class ScriptedDesktop:
    """The player's keyboard, with no key pressed: at each scripted number of samples
    handed over, it runs a step (a D-Bus call) instead, and moves the sink one step."""

    def __init__(self, sink: StepSink, script: list[tuple[int, Callable[[], None]]]) -> None:
        self.sink = sink
        self.script = list(script)
        self.looks: list[int] = []
        """The session position at each look, before the sink's step."""
        self.done: list[tuple[int, int, int]] = []
        """(look, samples handed over, session position) at each step."""

    def read(self, timeout: float) -> str | None:
        feed = self.sink.source
        assert feed is not None
        self.looks.append(feed.position)
        self.sink.advance()
        if self.script and feed.handed >= self.script[0][0]:
            self.script.pop(0)[1]()
            self.done.append((len(self.looks) - 1, feed.handed, feed.position))
        return None


def play(
    timeline: Timeline,
    speech: PhraseCache,
    script: list[tuple[int, Callable[[], None]]],
    said: list[str] | None = None,
) -> tuple[StepSink, ScriptedDesktop, RecordingLog, Player, Any]:
    sink = StepSink()
    keys = ScriptedDesktop(sink, script)
    log = RecordingLog()
    media = MprisKeys((said if said is not None else []).append)
    player = Player(timeline, speech, sink, keys, log, patience=10.0, remotes=[media])
    outcome = player.run()
    return sink, keys, log, player, outcome


def wait_for(desktop: Desktop, name: str = BUS_NAME) -> Callable[[], None]:
    """A first step that waits until the player is on the bus."""
    return lambda: None if eventually(lambda: desktop.owns(name)) else pytest.fail("not on bus")


def test_play_pause_silences_the_stream_and_is_signalled(
    desktop: Desktop, timeline: Timeline, speech: PhraseCache
) -> None:
    rate = timeline.sample_rate
    paused_at = 3 * rate
    resumed_at = paused_at + 20 * STEP
    script = [
        (STEP, wait_for(desktop)),
        (paused_at, lambda: desktop.press("PlayPause")),
        (paused_at + 2 * STEP, lambda: _expect(desktop.get("PlaybackStatus") == "Paused")),
        (resumed_at, lambda: desktop.press("PlayPause")),
    ]
    sink, keys, _, _, outcome = play(timeline, speech, script)
    assert outcome.how == FINISHED
    blocks = sink.taken
    pause_block, resume_block = keys.done[1][0], keys.done[3][0]
    # From the step after the call until the step after the second: silence, every sample.
    assert all(not blocks[i].any() for i in range(pause_block + 1, resume_block + 1))
    assert blocks[resume_block + 1].any() or blocks[resume_block + 2].any()  # "Resuming."
    assert eventually(lambda: desktop.statuses()[-3:] == ["Paused", "Playing", "Stopped"])


def _expect(condition: bool) -> None:
    assert condition


def test_next_and_previous_jump_as_n_and_b_and_the_title_follows(
    desktop: Desktop, timeline: Timeline, speech: PhraseCache
) -> None:
    first = timeline.sets[0]
    inside = first.start + (first.end - first.start) // 2
    titles: list[str] = []
    script = [
        (STEP, wait_for(desktop)),
        (inside, lambda: desktop.press("Next")),
        (inside + 10 * STEP, lambda: titles.append(desktop.get("Metadata")["xesam:title"])),
        (inside + 60 * STEP, lambda: desktop.press("Previous")),
        (inside + 70 * STEP, lambda: desktop.press("Stop")),
    ]
    sink, keys, log, _, outcome = play(timeline, speech, script)
    assert outcome.how == QUIT
    (next_look, _, at_next), (back_look, _, at_back) = keys.done[1], keys.done[3]
    # The player acts at its next look: the feed stands on the jump's target then.
    target = next_set_start(timeline, at_next)
    assert target == timeline.sets[1].start
    assert keys.looks[next_look + 1] == target
    assert keys.looks[back_look + 1] == set_start(timeline, at_back) == timeline.sets[1].start
    # What was heard after Next: "Next set.", then the stream from the next set's first sample.
    after = np.concatenate(sink.taken[next_look + 1 : back_look + 1])
    prelude = spoken(speech, "Next set.")
    reference = render_all(timeline, speech)
    assert np.array_equal(after[: len(prelude)], prelude)
    heard = after[len(prelude) :]
    assert np.array_equal(heard, reference[target : target + len(heard)])
    assert (0, SKIPPED) in log.sets()
    assert titles == ["Hip hinge drill, set 2 of 2"]
    assert eventually(lambda: len(desktop.seeked) >= 2)
    rate = timeline.sample_rate
    assert desktop.seeked[0] == target * 1_000_000 // rate


def test_the_properties_say_what_plays_where(
    desktop: Desktop, timeline: Timeline, speech: PhraseCache
) -> None:
    seen: dict[str, Any] = {}
    position = timeline.sets[0].start + STEP

    def look() -> None:
        seen["metadata"] = desktop.get("Metadata")
        seen["position"] = desktop.get("Position")
        seen["status"] = desktop.get("PlaybackStatus")
        seen["can"] = [desktop.get(p) for p in ("CanGoNext", "CanGoPrevious", "CanPause")]

    sink, keys, _, _, _ = play(timeline, speech, [(STEP, wait_for(desktop)), (position, look)])
    rate = timeline.sample_rate
    handed = keys.done[1][1]
    assert seen["status"] == "Playing"
    assert seen["metadata"]["xesam:album"] == timeline.title
    assert seen["metadata"]["xesam:title"] == "Hip hinge drill, set 1 of 2"
    assert seen["metadata"]["mpris:length"] == timeline.duration * 1_000_000 // rate
    assert seen["metadata"]["mpris:trackid"] == "/org/voicecoach/set/0"
    assert seen["position"] == handed * 1_000_000 // rate
    assert seen["can"] == [True, True, True]


def test_a_second_voicecoach_answers_as_an_instance_and_says_so(
    desktop: Desktop, timeline: Timeline, speech: PhraseCache
) -> None:
    desktop.take(BUS_NAME)  # the first voicecoach, as far as the bus can tell
    instance = f"{BUS_NAME}.instance{os.getpid()}"
    said: list[str] = []
    inside = timeline.sets[0].start + STEP
    script = [
        (STEP, wait_for(desktop, instance)),
        (inside, lambda: desktop.press("Next", instance)),
    ]
    _, _, log, _, outcome = play(timeline, speech, script, said)
    assert outcome.how == FINISHED
    assert said == [
        f"Another voicecoach has the media keys ({BUS_NAME}); this one answers as {instance}."
    ]
    assert (0, SKIPPED) in log.sets()


def test_the_bus_going_away_is_one_line_and_the_session_goes_on(
    session_bus: subprocess.Popen[str],
    desktop: Desktop,
    timeline: Timeline,
    speech: PhraseCache,
) -> None:
    said: list[str] = []

    def bus_dies() -> None:
        session_bus.terminate()
        session_bus.wait(WAIT_S)
        assert eventually(lambda: bool(said))

    script = [(STEP, wait_for(desktop)), (2 * timeline.sample_rate, bus_dies)]
    sink, _, _, _, outcome = play(timeline, speech, script, said)
    assert outcome.how == FINISHED
    assert said == ["Media keys are off: the D-Bus session went away; the keys still work."]
    assert sum(len(b) for b in sink.taken) >= timeline.duration


def test_with_no_session_bus_it_plays_as_before_with_one_line(
    monkeypatch: pytest.MonkeyPatch, timeline: Timeline, speech: PhraseCache
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/voicecoach-bus")
    said: list[str] = []
    sink, _, log, _, outcome = play(timeline, speech, [], said)
    assert outcome.how == FINISHED
    assert len(said) == 1 and said[0].startswith("Media keys are off: no D-Bus session")
    assert said[0].endswith("; the keys still work.")
    assert np.concatenate(sink.taken)[: timeline.duration].any()


@pytest.mark.parametrize(("platform", "where"), [("darwin", "macOS"), ("win32", "Windows")])
def test_other_platforms_say_media_keys_are_off(platform: str, where: str) -> None:
    said: list[str] = []
    keys = open_media_keys(said.append, platform)
    assert isinstance(keys, NoMediaKeys)
    keys.start(None)  # type: ignore[arg-type]
    assert said == [
        f"Media keys are off: voicecoach has no media keys on {where} yet; the keys still work."
    ]


def test_without_a_session_bus_dbus_fast_is_not_even_loaded() -> None:
    """No bus address and no bus socket: the one line, and no D-Bus library in memory."""
    program = (
        "import sys\n"
        "from voicecoach.player.mediakeys import open_media_keys\n"
        "said = []\n"
        "open_media_keys(said.append, 'linux').start(None)\n"
        "print(said[0]); print('dbus_fast' in sys.modules, 'asyncio' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    out = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    if os.path.exists(f"/run/user/{os.getuid()}/bus"):
        assert out[0] != NO_BUS_LINE  # a bus socket where systemd puts it counts as a bus
    else:
        assert out == [NO_BUS_LINE, "False False"]


NO_BUS_LINE = (
    "Media keys are off: no D-Bus session here (DBUS_SESSION_BUS_ADDRESS is not set); "
    "the keys still work."
)
