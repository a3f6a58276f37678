"""voicecoach: a voice-guided workout player."""

__version__ = "0.1.0"
