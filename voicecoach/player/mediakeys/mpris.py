"""Media keys on Linux: voicecoach as an MPRIS player on the session D-Bus.

While a session plays, ``org.mpris.MediaPlayer2.voicecoach`` is on the
session bus. A desktop's media keys and its media widget, ``playerctl``,
and BlueZ's ``mpris-proxy`` (which turns a Bluetooth headset's buttons
into MPRIS calls) drive it: PlayPause, Play and Pause do what space does,
Next ``n``, Previous ``b``, Stop ``q``. ``PlaybackStatus`` and
``Metadata`` (the set as the title, the workout as the album) follow the
session and are signalled with ``PropertiesChanged``; jumps are signalled
with ``Seeked``. The bus runs on a thread of its own (dbus-fast on
asyncio), and nothing it does can stop the session: no bus, a bus that
goes away, a name already taken each give one line and the keys go on.
"""

# No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from
# the annotations, and a deferred ``-> None`` would read as a signature.
import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Annotated, Any

from dbus_fast import BusType, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusInt64,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal

from voicecoach.player.mediakeys._base import KEYS_STILL_WORK, NO_BUS, session_bus_known
from voicecoach.player.play import PAUSED_STATUS, PLAYING, STOPPED, NowPlaying, Player

BUS_NAME = "org.mpris.MediaPlayer2.voicecoach"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
DBusStrings = Annotated[list[str], DBusSignature("as")]
CONNECT_S = 3.0
"""How long the session may wait for the bus before it plays without media keys."""


def track_id(track: int) -> str:
    """An object path per set, as MPRIS wants for ``mpris:trackid``; between sets, none."""
    return (
        f"/org/voicecoach/set/{track}"
        if track >= 0
        else "/org/mpris/MediaPlayer2/TrackList/NoTrack"
    )


def metadata(now: NowPlaying) -> dict[str, Variant]:
    """The MPRIS ``Metadata`` for what is playing."""
    return {
        "mpris:trackid": Variant("o", track_id(now.track)),
        "mpris:length": Variant("x", microseconds(now.length, now.sample_rate)),
        "xesam:title": Variant("s", now.title),
        "xesam:album": Variant("s", now.album),
        "xesam:artist": Variant("as", ["voicecoach"]),
    }


def microseconds(samples: int, sample_rate: int) -> int:
    return samples * 1_000_000 // sample_rate


class _Root(ServiceInterface):
    """``org.mpris.MediaPlayer2``: who this player is. (Members are named as on D-Bus.)"""

    def __init__(self) -> None:
        super().__init__("org.mpris.MediaPlayer2")

    @method()
    def Raise(self) -> None:
        pass

    @method()
    def Quit(self) -> None:
        pass

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:
        return "voicecoach"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrings:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrings:
        return []


class _Transport(ServiceInterface):
    """``org.mpris.MediaPlayer2.Player``: the buttons, and what is playing."""

    def __init__(self, press: Callable[[str], None], position: Callable[[], int]) -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self._press = press
        self._position = position
        self.now: NowPlaying | None = None

    def _status(self) -> str:
        return self.now.status if self.now is not None else STOPPED

    @method()
    def PlayPause(self) -> None:
        self._press(" ")

    @method()
    def Play(self) -> None:
        if self._status() == PAUSED_STATUS:
            self._press(" ")

    @method()
    def Pause(self) -> None:
        if self._status() == PLAYING:
            self._press(" ")

    @method()
    def Next(self) -> None:
        self._press("n")

    @method()
    def Previous(self) -> None:
        self._press("b")

    @method()
    def Stop(self) -> None:
        self._press("q")

    @method()
    def Seek(self, offset: DBusInt64) -> None:  # CanSeek is false: nothing to do
        pass

    @method()
    def SetPosition(self, track: DBusObjectPath, position: DBusInt64) -> None:
        pass

    @method()
    def OpenUri(self, uri: DBusStr) -> None:
        pass

    @signal()
    def Seeked(self, position: DBusInt64) -> DBusInt64:
        return position

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:
        return self._status()

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:
        return metadata(self.now) if self.now is not None else {}

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:
        now = self.now
        if now is None:
            return 0
        at = now.position if now.status == STOPPED else self._position()
        return microseconds(at, now.sample_rate)

    @dbus_property(access=PropertyAccess.READ)
    def Rate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def Volume(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:
        return True


class MprisKeys:
    """The MPRIS player for one session, on a thread with its own event loop."""

    def __init__(self, say: Callable[[str], None], name: str = BUS_NAME) -> None:
        self._say = say
        self._wanted = name
        self.name: str | None = None
        """The bus name held, once connected (``BUS_NAME``, or an instance of it)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bus: MessageBus | None = None
        self._transport: _Transport | None = None
        self._ready = threading.Event()
        self._closing = False
        self._shown: tuple[str, str, int] | None = None
        self._jumps = 0

    def start(self, player: Player) -> None:
        """Connect and take the name; waits at most ``CONNECT_S`` for the bus."""
        self._transport = _Transport(player.post, player.heard)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(player,), name="voicecoach-mpris", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(CONNECT_S):
            self._say(f"Media keys are off: the D-Bus session did not answer; {KEYS_STILL_WORK}.")

    def _run(self, player: Player) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except Exception as error:  # the bus thread must never take the session down
            self._off(f"the D-Bus session failed ({error})")
        finally:
            self._ready.set()
            self._loop.close()

    async def _serve(self) -> None:
        if not session_bus_known():
            self._off(NO_BUS)
            return
        try:
            bus = await MessageBus(bus_type=BusType.SESSION).connect()
        except Exception as error:
            self._off(f"no D-Bus session to connect to ({error})")
            return
        self._bus = bus
        assert self._transport is not None
        bus.export(OBJECT_PATH, _Root())
        bus.export(OBJECT_PATH, self._transport)
        reply = await bus.request_name(self._wanted, NameFlag.DO_NOT_QUEUE)
        if reply in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
            self.name = self._wanted
        else:  # another voicecoach plays: MPRIS's way for a second instance of a player
            instance = f"{self._wanted}.instance{os.getpid()}"
            await bus.request_name(instance, NameFlag.DO_NOT_QUEUE)
            self.name = instance
            self._say(
                f"Another voicecoach has the media keys ({self._wanted}); "
                f"this one answers as {instance}."
            )
        self._ready.set()
        with contextlib.suppress(Exception):  # a bus that dies ends the wait with its error
            await bus.wait_for_disconnect()
        # dbus-fast closes its socket in a callback that a loop about to close may never run.
        sock = getattr(bus, "_sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        if not self._closing:
            self._off("the D-Bus session went away")

    def _off(self, reason: str) -> None:
        self._ready.set()
        self._say(f"Media keys are off: {reason}; {KEYS_STILL_WORK}.")

    def update(self, now: NowPlaying) -> None:
        """Signal what changed (status, set, a jump); the position is read when asked for."""
        transport, loop = self._transport, self._loop
        if transport is None or loop is None or loop.is_closed():
            return
        shown = (now.status, now.title, now.track)
        jumped = now.jumps != self._jumps
        transport.now = now
        if shown == self._shown and not jumped:
            return
        changed: dict[str, Any] = {}
        if self._shown is None or shown[0] != self._shown[0]:
            changed["PlaybackStatus"] = now.status
        if self._shown is None or shown[1:] != self._shown[1:]:
            changed["Metadata"] = metadata(now)
        self._shown, self._jumps = shown, now.jumps
        with _closed_loop_is_fine():
            loop.call_soon_threadsafe(self._publish, transport, changed, jumped, now)

    def _publish(
        self, transport: _Transport, changed: dict[str, Any], jumped: bool, now: NowPlaying
    ) -> None:
        if self._bus is None or not self._bus.connected:
            return
        if changed:
            transport.emit_properties_changed(changed)
        if jumped:
            transport.Seeked(microseconds(now.landed, now.sample_rate))

    def close(self) -> None:
        self._closing = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with _closed_loop_is_fine():
            loop.call_soon_threadsafe(self._disconnect)
        thread.join(timeout=2)

    def _disconnect(self) -> None:
        if self._bus is not None and self._bus.connected:
            self._bus.disconnect()
        elif self._loop is not None:
            for task in asyncio.all_tasks(self._loop):
                task.cancel()


class _closed_loop_is_fine:
    """``call_soon_threadsafe`` on a loop that has just ended (the bus went away): nothing to
    tell it any more."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        return isinstance(error, RuntimeError)
