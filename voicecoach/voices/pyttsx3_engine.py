"""The default engine: the system's voices through pyttsx3 (espeak-ng on Linux).

pyttsx3 has traps this module keeps away from the rest of the program:
only one ``save_to_file`` may be queued per ``runAndWait`` (queued saves
are lost), its espeak driver prints "Audio saved to ..." on stdout, an
unknown voice is ignored without a word, and ``init()`` fails with a bare
``RuntimeError`` when espeak-ng is missing.

With espeak-ng, a phrase is asked of it through pyttsx3's own binding of
its library, its samples taken from its callback (``_EspeakPhrase``), the
calls pyttsx3's driver makes without its loop around them: that loop
looks every 10 ms whether the phrase is done, and the driver writes a wav
file to be read back, which made a phrase three times as slow (12
phrases: 0.16 s against 0.05 s). Other platforms' drivers save to a file.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import platform
import shutil
import tempfile
import threading
import weakref
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import EngineError
from voicecoach.voices.base import Pcm, VoiceInfo, check_rate, find_voice

SAMPLE_RATE = 22050
"""What espeak-ng writes; other platforms' voices are resampled to it."""
DEFAULT_RATE = 175
ATTEMPTS = 4
US_ENGLISH = "en-us"
"""The espeak-ng voice used when none is chosen."""
PHRASE_SECONDS = 30.0
"""How long espeak-ng may take over one phrase before it is taken to have failed."""
_ESPEAK = threading.Lock()
"""espeak-ng has one voice, one rate and one callback for the whole process."""


def install_hint() -> str:
    """How to get the system voice working on this platform."""
    system = platform.system()
    if system == "Darwin":
        return "pyttsx3 needs PyObjC on macOS: pip install pyobjc"
    if system == "Windows":
        return "pyttsx3 needs pywin32 on Windows: pip install pywin32"
    return (
        "install espeak-ng: sudo apt-get install espeak-ng (Debian, Ubuntu), "
        "sudo dnf install espeak-ng (Fedora) or sudo pacman -S espeak-ng (Arch)"
    )


class Pyttsx3Engine:
    """System voices through pyttsx3; ``voice`` is an id, a name or a language from ``voices()``."""

    name = "pyttsx3"
    sample_rate = SAMPLE_RATE
    parallel = False
    """espeak-ng under pyttsx3 speaks one phrase at a time in a process."""

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        try:
            import pyttsx3
        except ImportError:
            raise EngineError(
                "the pyttsx3 voice engine is not installed: pip install pyttsx3"
            ) from None
        try:
            with _quiet():
                self._tts: Any = pyttsx3.init()
        except Exception as error:
            raise EngineError(
                f"the system voice could not start ({error}); {install_hint()}"
            ) from None
        check_rate(rate)
        self.driver = str(self._tts)
        self.rate = rate or DEFAULT_RATE
        self._voices = _list_voices(self._tts)
        self.voice = find_voice(self._voices, voice, self.name) if voice else self._current_voice()
        self._folder = Path(tempfile.mkdtemp(prefix="voicecoach-"))
        weakref.finalize(self, shutil.rmtree, self._folder, True)

    def identity(self) -> str:
        version = _version("pyttsx3")
        backend = self.driver
        if self.driver == "espeak":
            backend += f"/{_espeak_version()}"
        return f"pyttsx3 {version} {backend} voice={self.voice} rate={self.rate}"

    def voices(self) -> list[VoiceInfo]:
        return list(self._voices)

    def synthesize(self, text: str) -> Pcm:
        """Say ``text`` into a file and read it back: mono 16-bit at ``SAMPLE_RATE``.

        A phrase that comes back silent, or as a file that cannot be read, is
        tried again a few times: a driver that drops a phrase must not leave a
        silent count in the cache, nor stop a session.
        """
        audio: Pcm | None = None
        failed: EngineError | None = None
        for _ in range(ATTEMPTS):
            try:
                audio = self._say(text)
            except EngineError as error:
                failed = error
                continue
            if _audible(audio):
                break
        if audio is None:
            assert failed is not None
            raise failed
        return audio

    def _say(self, text: str) -> Pcm:
        if self.driver == "espeak":
            return self._say_espeak(text)
        path = self._folder / "phrase.wav"
        path.unlink(missing_ok=True)
        self._tts.setProperty("voice", self.voice)
        self._tts.setProperty("rate", self.rate)
        try:
            with _quiet():
                self._tts.save_to_file(text, str(path))
                self._tts.runAndWait()
        except Exception as error:
            raise EngineError(f"the system voice failed on {text!r}: {error}") from None
        return read_audio(path, self.sample_rate, f"the system voice ({self.driver})")

    def _say_espeak(self, text: str) -> Pcm:
        """``text`` from espeak-ng, as pyttsx3's driver asks for it (this voice and rate,
        a pause at the end, UTF-8), its samples as its callback hands them over."""
        from pyttsx3.drivers import _espeak

        with _ESPEAK:
            phrase = _LISTENER.start(_espeak)
            try:
                if _espeak.SetVoiceByName(self.voice.encode("utf-8")) != _espeak.EE_OK:
                    raise EngineError(f"espeak-ng could not take the voice {self.voice!r}")
                _espeak.SetParameter(_espeak.RATE, self.rate, 0)
                flags = _espeak.ENDPAUSE | _espeak.CHARS_UTF8
                if _espeak.Synth(text.encode("utf-8"), flags=flags) != _espeak.EE_OK:
                    raise EngineError(f"espeak-ng refused {text!r}")
                if not phrase.done.wait(PHRASE_SECONDS):
                    _espeak.Cancel()
                    raise EngineError(f"espeak-ng did not finish {text!r}")
            finally:
                _LISTENER.phrase = None
        return phrase.samples()

    def _current_voice(self) -> str:
        if self.driver == "espeak":
            # espeak-ng's default English is British (its "one" is /wQn/): a US
            # listener, and a US-trained recognizer, understand its US voice far better.
            us = [v.id for v in self._voices if v.id.lower().rsplit("/", 1)[-1] == US_ENGLISH]
            if us:
                return us[0]
        current = self._tts.getProperty("voice")
        if current:
            return str(current)
        if self._voices:
            return self._voices[0].id
        raise EngineError(f"the system voice ({self.driver}) has no voices; {install_hint()}")


class _EspeakPhrase:
    """The samples of one phrase as espeak-ng hands them over, and the event that says the
    phrase is done."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.done = threading.Event()

    def samples(self) -> Pcm:
        out: Pcm = np.frombuffer(b"".join(self.chunks), dtype="<i2").astype(np.int16)
        return out


class _EspeakListener:
    """espeak-ng's callback in this process, on espeak-ng's own thread: it hands what it
    is given to the phrase being made (what comes between phrases is dropped).

    One for the process, and never replaced: a callback replaced while espeak-ng's
    thread is still returning from it would be freed under that thread.
    """

    def __init__(self) -> None:
        self.phrase: _EspeakPhrase | None = None
        self._thunk: Any = None
        self._events: tuple[int, int] = (0, 0)

    def start(self, espeak: Any) -> _EspeakPhrase:
        """A new phrase to hand samples to; espeak-ng's callback set to this one's (another
        pyttsx3 driver started in this process sets its own)."""
        if self._thunk is None:
            self._events = (espeak.EVENT_LIST_TERMINATED, espeak.EVENT_MSG_TERMINATED)
            self._thunk = espeak.t_espeak_callback(self._callback)
        espeak.cSetSynthCallback(self._thunk)
        self.phrase = _EspeakPhrase()
        return self.phrase

    def _callback(self, wav: Any, count: int, events: Any) -> int:
        phrase = self.phrase
        if phrase is None:
            return 0
        if count > 0 and wav:
            phrase.chunks.append(ctypes.string_at(wav, count * 2))
        list_end, phrase_end = self._events
        i = 0
        while events[i].type != list_end:
            if events[i].type == phrase_end:
                phrase.done.set()
            i += 1
        return 0


_LISTENER = _EspeakListener()


def read_audio(path: Path, rate: int, who: str) -> Pcm:
    """A sound file as mono 16-bit PCM at ``rate``, resampled if the engine wrote another rate."""
    import soundfile as sf

    try:
        data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError) as error:
        raise EngineError(f"{who} wrote no readable audio: {error}") from None
    mono = data.mean(axis=1)
    if file_rate != rate:
        import soxr

        mono = soxr.resample(mono, file_rate, rate)
    out: Pcm = np.clip(np.rint(mono * 32768), -32768, 32767).astype(np.int16)
    return out


def _audible(audio: Pcm) -> bool:
    """More than 10 ms long and louder than -40 dBFS somewhere."""
    return len(audio) > SAMPLE_RATE // 100 and int(np.max(np.abs(audio.astype(np.int32)))) > 327


def _list_voices(tts: Any) -> list[VoiceInfo]:
    voices = []
    for v in tts.getProperty("voices") or []:
        languages = tuple(
            lang.decode(errors="ignore") if isinstance(lang, bytes) else str(lang)
            for lang in (getattr(v, "languages", None) or ())
        )
        voices.append(VoiceInfo(id=str(v.id), name=str(v.name or v.id), languages=languages))
    return voices


@contextlib.contextmanager
def _quiet() -> Any:
    """Keep pyttsx3's prints ("Audio saved to ...") off the user's terminal and pipes."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _espeak_version() -> str:
    try:
        from pyttsx3.drivers import _espeak

        info = _espeak.Info(None)
        return f"espeak-ng-{info.decode()}" if isinstance(info, bytes) else "espeak-ng"
    except Exception:
        return "espeak-ng"
