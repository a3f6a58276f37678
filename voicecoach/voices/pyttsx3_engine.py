"""The default engine: the system's voices through pyttsx3 (espeak-ng on Linux).

pyttsx3 has traps this module keeps away from the rest of the program:
only one ``save_to_file`` may be queued per ``runAndWait`` (queued saves
are lost), its espeak driver prints "Audio saved to ..." on stdout, an
unknown voice is ignored without a word, and ``init()`` fails with a bare
``RuntimeError`` when espeak-ng is missing.
"""

from __future__ import annotations

import contextlib
import io
import platform
import shutil
import tempfile
import time
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
        path = self._folder / "phrase.wav"
        path.unlink(missing_ok=True)
        self._tts.setProperty("voice", self.voice)
        self._tts.setProperty("rate", self.rate)
        self._settle()
        try:
            with _quiet():
                self._tts.save_to_file(text, str(path))
                self._tts.runAndWait()
        except Exception as error:
            raise EngineError(f"the system voice failed on {text!r}: {error}") from None
        return read_audio(path, self.sample_rate, f"the system voice ({self.driver})")

    def _settle(self) -> None:
        """Wait for espeak-ng to finish the last phrase before asking for the next.

        ``runAndWait`` calls the driver's ``stop()``, which cancels whatever
        espeak-ng is still doing; if its thread is still busy (winding down
        the last phrase, or applying the voice and rate just set, which
        espeak-ng queues too), the flag it leaves cancels the new phrase and
        an empty file is written. Waiting until espeak-ng is idle and
        clearing that flag avoids it.
        """
        if self.driver != "espeak":
            return
        driver = getattr(getattr(self._tts, "proxy", None), "_driver", None)
        try:
            from pyttsx3.drivers import _espeak
        except Exception:
            return
        deadline = time.monotonic() + 2.0
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.0005)
        if driver is not None and hasattr(driver, "_stopping"):
            driver._stopping = False

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
