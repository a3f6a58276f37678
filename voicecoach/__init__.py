"""voicecoach: a voice-guided workout player.

The library's front door is ``prepare`` (``voicecoach.session``): a workout
name or path becomes a ``Session`` holding the workout, its compiled
timeline and the voice that speaks it. The names are imported on first use,
so that ``import voicecoach`` (and the command line) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from voicecoach.model import Timeline, VoiceSettings, Workout
    from voicecoach.session import Session, prepare

__all__ = ["Session", "Timeline", "VoiceSettings", "Workout", "__version__", "prepare"]


def __getattr__(name: str) -> Any:
    if name in ("Session", "prepare"):
        from voicecoach import session

        return getattr(session, name)
    if name in ("Timeline", "VoiceSettings", "Workout"):
        from voicecoach import model

        return getattr(model, name)
    raise AttributeError(f"module 'voicecoach' has no attribute {name!r}")
