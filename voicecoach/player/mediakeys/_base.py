"""The media-key backends behind one small base, one module per platform.

Each backend is a ``Remote`` (``player/play.py``): it posts the keys the
player already knows (space, ``n``, ``b``, ``q``) and is told what is
playing. ``open_media_keys`` picks the one for this platform; where there
is none, or it cannot work here, the session plays as before and one line
says the media keys are off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from voicecoach.player.play import NowPlaying, Player, Remote

KEYS_STILL_WORK = "the keys still work"


class NoMediaKeys:
    """Media keys off: says why once, when the session starts, and does nothing else."""

    def __init__(self, reason: str, say: Callable[[str], None]) -> None:
        self.reason = reason
        self._say = say

    def start(self, player: Player) -> None:
        self._say(f"Media keys are off: {self.reason}; {KEYS_STILL_WORK}.")

    def update(self, now: NowPlaying) -> None:
        pass

    def close(self) -> None:
        pass


def open_media_keys(say: Callable[[str], None], platform: str = sys.platform) -> Remote:
    """The media keys for this platform (MPRIS on the session D-Bus on Linux and the BSDs),
    or ``NoMediaKeys`` saying why there are none."""
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return _Mpris(say)
    where = {"darwin": "macOS", "win32": "Windows"}.get(platform, platform)
    return NoMediaKeys(f"voicecoach has no media keys on {where} yet", say)


NO_BUS = "no D-Bus session here (DBUS_SESSION_BUS_ADDRESS is not set)"


def session_bus_known() -> bool:
    """Whether this process could find a session bus to connect to."""
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS")) or os.path.exists(
        f"/run/user/{os.getuid()}/bus"
    )


class _Mpris:
    """MPRIS, imported and connected when the session starts: after its first words, not
    before them (dbus-fast takes a while to import), and not at all without a session bus
    (dbus-fast and asyncio are 8 MB of memory)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._keys: Remote | None = None

    def start(self, player: Player) -> None:
        if not session_bus_known():
            self._keys = NoMediaKeys(NO_BUS, self._say)
            self._keys.start(player)
            return
        try:
            from voicecoach.player.mediakeys.mpris import MprisKeys
        except ImportError:
            reason = 'dbus-fast is not installed (pip install "dbus-fast")'
            self._keys = NoMediaKeys(reason, self._say)
        else:
            self._keys = MprisKeys(self._say)
        self._keys.start(player)

    def update(self, now: NowPlaying) -> None:
        if self._keys is not None:
            self._keys.update(now)

    def close(self) -> None:
        if self._keys is not None:
            self._keys.close()
