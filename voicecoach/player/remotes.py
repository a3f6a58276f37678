"""The controls a session gets besides the keyboard: media keys always, the microphone with
``--listen``. Each is a ``Remote`` (``player/play.py``) that cannot stop the session."""

from __future__ import annotations

from collections.abc import Callable

from voicecoach.player.play import Remote


def open_remotes(say: Callable[[str], None], listen: bool = False) -> list[Remote]:
    """The media keys for this platform, and with ``listen`` the spoken commands; what cannot
    work here says so in one line when the session starts."""
    from voicecoach.player.mediakeys import open_media_keys

    remotes = [open_media_keys(say)]
    if listen:
        from voicecoach.player.listen import Listener

        remotes.append(Listener(say))
    return remotes
