"""Where voicecoach keeps the user's files, per platform (platformdirs).

Each folder can be moved with an environment variable, which tests use to
keep the user's real folders untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "voicecoach"


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else Path(default)


def config_dir() -> Path:
    """User workouts (``workouts/``), exercises (``exercises/``) and ``config.yaml``."""
    return _dir("VOICECOACH_CONFIG_DIR", platformdirs.user_config_dir(APP))


def cache_dir() -> Path:
    """Synthesized phrases; safe to delete at any time."""
    return _dir("VOICECOACH_CACHE_DIR", platformdirs.user_cache_dir(APP))


def data_dir() -> Path:
    """The session log (history) and resume points."""
    return _dir("VOICECOACH_DATA_DIR", platformdirs.user_data_dir(APP))


def user_workouts() -> Path:
    return config_dir() / "workouts"


def user_exercises() -> Path:
    return config_dir() / "exercises"


def builtin_dir() -> Path:
    return Path(__file__).parent / "builtin"
