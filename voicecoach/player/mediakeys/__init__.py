"""Media keys: a headset's or keyboard's play/pause, next and previous during ``play``."""

from voicecoach.player.mediakeys._base import NoMediaKeys, open_media_keys

__all__ = ["NoMediaKeys", "open_media_keys"]
