"""Audio outputs: where the session's samples go, pulled at the device's own pace.

A sink asks its ``SampleSource`` for samples whenever the device wants more and
counts nothing itself: the source counts what it hands over, and that
count is the player's clock. Three sinks, chosen by name:

- ``miniaudio`` (the default): a streaming callback on the system's sound
  server or card (PulseAudio, ALSA, JACK, CoreAudio, WASAPI). It never
  falls back to silence: with no real device it raises ``DeviceError``.
- ``simpleaudio``: plays the stream as a series of buffers, each cut where
  nobody is speaking, since it cannot stream. An optional extra.
- ``null``: miniaudio's null device, which takes samples in real time and
  plays nothing: for timing runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Generator, Iterator
from typing import Any, Protocol

from voicecoach.errors import DeviceError
from voicecoach.voices.base import Pcm

BACKENDS = ("miniaudio", "simpleaudio", "null")
PERIOD_MS = 20
"""How much the device asks for at a time: a pause is heard within a few of these."""


def no_device(workout: str) -> str:
    return (
        "no sound device to play on (no sound card, or the sound server is not running). "
        f"To take the session with you instead, write it to a file: voicecoach export {workout}"
    )


class SampleSource(Protocol):
    """What a sink plays: samples on demand, and where a buffer may be cut in silence."""

    sample_rate: int

    def pull(self, frames: int) -> Pcm:
        """Up to ``frames`` samples; fewer only at the very end, none once finished."""
        ...

    def quiet_cut(self, least: int, most: int) -> int:
        """A length in ``[least, most]`` whose end falls in silence, if there is one."""
        ...

    @property
    def finished(self) -> bool: ...

    @property
    def paused(self) -> bool: ...


class Sink(Protocol):
    name: str
    error: str | None
    """Set when the device failed while playing."""

    def start(self, source: SampleSource) -> None:
        """Begin pulling from ``source`` on the device's own thread."""
        ...

    def heard(self) -> int:
        """How far into the samples pulled so far the listener has got: all of them for a
        streaming device (less its few milliseconds of buffer), less for one that takes
        whole pieces ahead of playing them."""
        ...

    def interrupt(self) -> None:
        """Silence what the device still holds, at once; ``heard`` then says where it was."""
        ...

    def done(self) -> bool:
        """Whether everything pulled from a finished source has been played."""
        ...

    def close(self) -> None:
        """Stop at once and let the device go."""
        ...


def check_backend(name: str) -> str:
    """``name`` as a known backend's key; ``DeviceError`` names the ones there are.

    Cheap, so a command can check it before anything slow (synthesis) happens.
    """
    key = name.strip().lower()
    if key not in BACKENDS:
        raise DeviceError(f"unknown playback backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return key


def open_sink(name: str, sample_rate: int, workout: str = "WORKOUT") -> Sink:
    """The sink called ``name``; ``DeviceError`` when it cannot play here, with what to do."""
    key = check_backend(name)
    if key in ("miniaudio", "null"):
        return MiniaudioSink(sample_rate, null=key == "null", workout=workout)
    return SimpleaudioSink(sample_rate, workout=workout)


class MiniaudioSink:
    """A miniaudio playback device fed by a generator that pulls from the source."""

    def __init__(self, sample_rate: int, null: bool = False, workout: str = "WORKOUT") -> None:
        from voicecoach.sound import load_miniaudio

        miniaudio = load_miniaudio()

        self.name = "null" if null else "miniaudio"
        backends = [miniaudio.Backend.NULL] if null else _real_backends(miniaudio)
        try:
            with _quiet_stderr():
                self._device = miniaudio.PlaybackDevice(
                    output_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=sample_rate,
                    buffersize_msec=PERIOD_MS,
                    backends=backends,
                    app_name="voicecoach",
                )
        except miniaudio.MiniaudioError:
            raise DeviceError(no_device(workout)) from None
        self.backend = self._device.backend
        if not null and self.backend.lower() == "null":
            self._device.close()
            raise DeviceError(no_device(workout))
        self.error: str | None = None
        self._heard = 0
        self._tail = 0
        self._latency = 3 * sample_rate * PERIOD_MS // 1000
        self._workout = workout

    def start(self, source: SampleSource) -> None:
        def feed() -> Generator[bytes, int, None]:
            frames = yield b""
            while True:
                try:
                    block = source.pull(frames)
                except Exception as error:  # on the device's thread: report, do not vanish
                    self.error = f"playback failed: {error}"
                    return
                self._heard += len(block)
                if source.finished:
                    self._tail += frames - len(block)
                frames = yield block.tobytes()

        generator = feed()
        next(generator)
        from voicecoach.sound import load_miniaudio

        miniaudio = load_miniaudio()

        try:
            self._device.start(generator)
        except miniaudio.MiniaudioError:
            raise DeviceError(no_device(self._workout)) from None

    def heard(self) -> int:
        return self._heard

    def interrupt(self) -> None:
        pass  # the next period, 20 ms away, already asks a paused source

    def done(self) -> bool:
        return self._tail >= self._latency

    def close(self) -> None:
        self._device.close()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide what the sound libraries print while probing for a device (ALSA's "cannot find
    card '0'", JACK's "server is not running"): the error that matters is ours."""
    try:
        fd = sys.stderr.fileno()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _real_backends(miniaudio: object) -> list[object]:
    """Every backend miniaudio has on this platform except the silent one."""
    backend = miniaudio.Backend  # type: ignore[attr-defined]
    available = miniaudio.get_enabled_backends()  # type: ignore[attr-defined]
    return [b for b in available if b != backend.NULL]


class SimpleaudioSink:
    """simpleaudio plays whole buffers, so the stream goes out in pieces cut in silence.

    Each piece is between ``SHORTEST`` and ``LONGEST`` samples, ending where no
    prompt sounds: the device's short restart between pieces then falls
    in a quiet moment. Every sample still reaches the device, in order.
    """

    SHORTEST_S = 4.0
    LONGEST_S = 20.0

    def __init__(self, sample_rate: int, workout: str = "WORKOUT") -> None:
        try:
            import simpleaudio
        except ImportError:
            raise DeviceError(
                "the simpleaudio backend is not installed: "
                'pip install "voicecoach[simpleaudio]" (it needs the ALSA headers on Linux: '
                "sudo apt-get install libasound2-dev), or use the default backend, miniaudio"
            ) from None
        self.name = "simpleaudio"
        self._simpleaudio = simpleaudio
        try:  # simpleaudio has no way to ask for a device but to play on one
            with _quiet_stderr():
                simpleaudio.play_buffer(b"\0\0", 1, 2, sample_rate).wait_done()
        except Exception:  # simpleaudio raises bare errors
            raise DeviceError(no_device(workout)) from None
        self._rate = sample_rate
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pulled = 0
        """Samples taken from the source so far: where the next piece starts."""
        self._heard = 0
        self._playing: tuple[Any, int, int, float] | None = None
        """The piece playing: its PlayObject, where it starts, its length, when it began."""
        self._pulling = False
        self._cancel = False
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self, source: SampleSource) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(source,), name="voicecoach-simpleaudio", daemon=True
        )
        self._thread.start()

    def _run(self, source: SampleSource) -> None:
        try:
            self._play(source)
        except Exception as error:  # on its own thread: report, do not vanish
            self.error = f"simpleaudio stopped playing ({error})"

    def _play(self, source: SampleSource) -> None:
        rate = self._rate
        while not self._stop.is_set():
            if source.paused:
                self._stop.wait(0.05)
                continue
            with self._lock:
                self._pulling = True
            size = source.quiet_cut(int(self.SHORTEST_S * rate), int(self.LONGEST_S * rate))
            piece = source.pull(size)
            with self._lock:
                self._pulling = False
                begins = self._pulled
                self._pulled += len(piece)
                if self._stop.is_set():
                    return
                if self._cancel:  # interrupted while it was being taken: never heard
                    self._cancel = False
                    continue
                if len(piece) == 0:
                    if source.finished:
                        return
                    continue
                playing = self._simpleaudio.play_buffer(piece.tobytes(), 1, 2, rate)
                self._playing = (playing, begins, len(piece), time.monotonic())
            playing.wait_done()
            with self._lock:
                if self._playing is not None and self._playing[0] is playing:
                    self._heard = begins + len(piece)
                    self._playing = None

    def heard(self) -> int:
        with self._lock:
            if self._playing is None:
                return self._heard
            _, begins, length, began = self._playing
            return begins + min(length, int((time.monotonic() - began) * self._rate))

    def interrupt(self) -> None:
        """Stop the piece playing, noting how much of it had been heard."""
        with self._lock:
            if self._pulling:
                self._cancel = True
            if self._playing is None:
                return
            playing, begins, length, began = self._playing
            playing.stop()
            self._heard = begins + min(length, int((time.monotonic() - began) * self._rate))
            self._playing = None

    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._playing is not None:
                self._playing[0].stop()
                self._playing = None
        if self._thread is not None:
            self._thread.join(timeout=2)
