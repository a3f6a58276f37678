"""Spoken commands during ``play --listen``: a wake word and a short command, offline.

The default microphone is read at 16 kHz and spotted for a few key
phrases by pocketsphinx (its US English model ships inside the package,
so nothing is downloaded). Each phrase posts the key that does the same
thing, acknowledged aloud:

    "coach pause"   space: "Paused." (again to go on: "Resuming, three, two, one")
    "coach next"    n: "Next set."
    "coach back"    b: "Once more."
    "coach repeat"  r: the last prompt again
    "coach hard"    h: "Noted: hard.", the set marked hard in the session log

The coach must never obey its own voice. The player knows to the sample
when it speaks, so whatever the microphone took while a prompt sounded
(from a little before it to its echo after it) is replaced by silence
before the recognizer hears it. A microphone that cannot be opened, or
that stops, gives one line and the session goes on with the keys.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from voicecoach.errors import VoicecoachError
from voicecoach.player.play import TICK_S, NowPlaying, Player

COMMANDS = {
    "coach pause": " ",
    "coach next": "n",
    "coach back": "b",
    "coach repeat": "r",
    "coach hard": "h",
}
"""What each spoken phrase presses."""
THRESHOLD = 1e-10
"""pocketsphinx's keyphrase threshold. Lower (1e-15 and below) hears "coach next" as "coach
back" and the coach's own phrases as commands; higher misses commands said once."""
RATE = 16000
"""The rate of pocketsphinx's acoustic model."""
BLOCK_MS = 100
BEFORE_S = 0.15
"""Silence the microphone this long before a prompt starts (the device's own latency)."""
AFTER_S = 0.6
"""... and this long after it ends: the room's echo and the capture's own delay."""
QUIET_S = 3.0
"""A microphone that hands over nothing for this long has stopped."""
STILL_WORKS = "the keys still work"

__all__ = ["COMMANDS", "Heard", "Listener", "MicrophoneError", "Spotter", "open_microphone"]


class MicrophoneError(VoicecoachError):
    """The microphone cannot be opened; the text says why."""


class Microphone(Protocol):
    def read(self, timeout: float) -> bytes | None:
        """The next 16-bit mono block at ``RATE`` as it is recorded; None if none came
        within ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


class _MiniaudioMicrophone:
    """The default capture device through miniaudio (PulseAudio or PipeWire, ALSA, ...)."""

    def __init__(self, rate: int = RATE) -> None:
        from voicecoach.sound import load_miniaudio

        miniaudio = load_miniaudio()

        from voicecoach.sound.sinks import _quiet_stderr

        backends = sorted(
            (b for b in miniaudio.get_enabled_backends() if b != miniaudio.Backend.NULL),
            key=lambda b: b.value,  # miniaudio's own order: the sound servers before ALSA
        )
        try:
            with _quiet_stderr():
                self._device = miniaudio.CaptureDevice(
                    input_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=rate,
                    buffersize_msec=BLOCK_MS,
                    backends=backends,
                    app_name="voicecoach",
                )
        except miniaudio.MiniaudioError as error:
            raise MicrophoneError(f"no microphone to listen with ({error})") from None
        self.backend = self._device.backend
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=200)

        def capture() -> Generator[None, bytearray, None]:
            while True:
                data = yield
                try:
                    self._queue.put_nowait(bytes(data))
                except queue.Full:  # the recognizer fell far behind: drop what is new
                    continue

        generator = capture()
        next(generator)
        try:
            self._device.start(generator)
        except miniaudio.MiniaudioError as error:
            self._device.close()
            raise MicrophoneError(f"the microphone would not start ({error})") from None

    def read(self, timeout: float) -> bytes | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._device.close()


def open_microphone() -> Microphone:
    """The default microphone; ``MicrophoneError`` when there is none."""
    return _MiniaudioMicrophone()


@dataclass(frozen=True, slots=True)
class Heard:
    """A command heard: the phrase and when (seconds since listening began)."""

    phrase: str
    at_s: float


class Spotter:
    """pocketsphinx keyphrase spotting over a stream of 16-bit blocks at ``RATE``."""

    def __init__(self, phrases: list[str]) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise MicrophoneError(
                'spoken commands need pocketsphinx: pip install "voicecoach[listen]"'
            ) from None
        self.phrases = list(phrases)
        with tempfile.TemporaryDirectory(prefix="voicecoach-") as folder:
            keyphrases = Path(folder) / "keyphrases.txt"  # pocketsphinx reads several from a file
            keyphrases.write_text(
                "".join(f"{phrase} /{THRESHOLD:g}/\n" for phrase in self.phrases),
                encoding="utf-8",
            )
            self._decoder: Any = Decoder(kws=str(keyphrases), samprate=RATE, logfn=os.devnull)
        self._decoder.start_utt()

    def feed(self, block: bytes) -> str | None:
        """The phrase that ends in ``block``, if one does."""
        decoder = self._decoder
        decoder.process_raw(block, False, False)
        hypothesis = decoder.hyp()
        if hypothesis is None:
            return None
        decoder.end_utt()
        decoder.start_utt()
        words = hypothesis.hypstr.split()
        # Two phrases may end in one block: the one said last is the command.
        for end in range(len(words), 1, -1):
            phrase = " ".join(words[end - 2 : end])
            if phrase in self.phrases:
                return phrase
        return None

    def close(self) -> None:
        self._decoder.end_utt()


class Listener:
    """The ``Remote`` that turns spoken commands into keys, on a thread of its own."""

    def __init__(
        self,
        say: Callable[[str], None],
        microphone: Callable[[], Microphone] = open_microphone,
        commands: dict[str, str] | None = None,
    ) -> None:
        self._say = say
        self._open = microphone
        self.commands = dict(commands or COMMANDS)
        self.heard: list[Heard] = []
        self.gated_s = 0.0
        """How long the microphone was silenced because the coach was speaking."""
        self._microphone: Microphone | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, player: Player) -> None:
        try:
            spotter = Spotter(list(self.commands))
            self._microphone = self._open()
        except MicrophoneError as error:
            self._say(f"Not listening: {error}; {STILL_WORKS}.")
            return
        self._thread = threading.Thread(
            target=self._listen,
            args=(player, spotter, self._microphone),
            name="voicecoach-listen",
            daemon=True,
        )
        self._thread.start()

    def _listen(self, player: Player, spotter: Spotter, microphone: Microphone) -> None:
        began = last = time.monotonic()
        try:
            while not self._stop.is_set():
                block = microphone.read(TICK_S)
                if block is None:
                    if time.monotonic() - last > QUIET_S and not self._stop.is_set():
                        self._say(f"The microphone stopped: not listening any more; {STILL_WORKS}.")
                        return
                    continue
                last = time.monotonic()
                span = len(block) / 2 / RATE
                if player.speaking(BEFORE_S, AFTER_S + span):
                    self.gated_s += span
                    block = bytes(len(block))
                phrase = spotter.feed(block)
                if phrase is not None:
                    self.heard.append(Heard(phrase, round(time.monotonic() - began, 2)))
                    player.post(self.commands[phrase], acknowledge=True)
        except Exception as error:  # the listener must never take the session down
            self._say(f"Not listening any more ({error}); {STILL_WORKS}.")
        finally:
            spotter.close()

    def update(self, now: NowPlaying) -> None:
        pass

    def close(self) -> None:
        self._stop.set()
        if self._microphone is not None:
            self._microphone.close()
        if self._thread is not None:
            self._thread.join(timeout=QUIET_S + 1)
