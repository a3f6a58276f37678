"""Music under the coach's voice: read, level, crossfade, loop, and duck before every word.

The music comes from a file, a folder (its audio files in name order) or an
``.m3u``/``.m3u8`` playlist. Each track is decoded and resampled to the
session's rate as a stream of blocks (miniaudio for mp3, libsndfile for the
rest, soxr to resample), so no track is ever held whole in memory.

Every track is measured once (EBU R128 integrated loudness, on the mono
stream that is mixed) and brought to one level a set number of LU below
the voice, whose every phrase is levelled to ``voices.level.TARGET_LUFS``
(so the music's level is known before a word is synthesized, and ``play``
can start while the rest of the session is being made). Tracks follow
one another with a short equal-power crossfade and the list loops for as
long as the session lasts.

Because the timeline says where every prompt will be, the music is ducked
*before* each one: it ramps down (a raised cosine) so that it is fully down
at the prompt's first sample, stays down until ``DUCK_HOLD_MS`` after the
prompt's last, then ramps back up. The voice is never touched: the music is
added to it, and where the two would go past full scale the music gives way
(see ``Mixer.layer``), so the mix minus the music is exactly the session
without music.

The music sits ``--music-level`` below the voice, or further down where the
session needs it for the file to measure as its voice does, -19 LUFS
(``music_level``): a loudness meter must not count the music between prompts.

A track is measured the first time it is needed and the figures are kept in
the cache folder, so a second session with the same music starts at once.
A track that cannot be used (missing, not audio, cut short, silent, an
absurd sample rate) is skipped with one warning naming it; when none can be
used, ``InputError`` says so before anything plays or is written.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from voicecoach import paths
from voicecoach.digest import sha256_hex
from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.writer import write_atomic
from voicecoach.model import Event, MusicChoice, Timeline
from voicecoach.voices.level import RELATIVE_GATE, TARGET_LUFS

AUDIO_SUFFIXES = (".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav")
PLAYLIST_SUFFIXES = (".m3u", ".m3u8")

LEVEL_LU = 12.0
"""How far below the voice the music sits, in loudness units, at least, unless the user
says (``--music-level``): see ``music_level``."""
DYNAMICS_LU = 4.0
"""How far above its integrated loudness a song's loud moments (400 ms blocks) are taken
to go: the margin that keeps them, too, under a loudness meter's gate."""
DUCK_DB = 15.0
"""How much further down the music goes under every prompt."""
DUCK_DOWN_MS = 250
"""The ramp down before a prompt: it ends at the prompt's first sample."""
DUCK_HOLD_MS = 300
"""How long the music stays down after a prompt's last sample."""
DUCK_UP_MS = 600
"""The ramp back up after that."""
FADE_IN_MS = 3000
"""The music's fade in at the start of the session."""
FADE_OUT_MS = 5000
"""...and its fade out, ending at the session's last sample."""
REENTRY_MS = 1000
"""The fade in when the music comes back after a pause or a jump in ``play``."""
CROSSFADE_MS = 3000
"""The overlap of one track's end and the next one's start."""
MAX_PEAK = 0.7
"""No track is turned up so far that its loudest sample would pass this (about -3 dBFS)."""
SILENT_LUFS = -60.0
"""A track quieter than this is taken for silence, and skipped."""
MIN_TRACK_MS = 1000
"""A track shorter than this (after decoding) is not worth mixing."""
RATE_RANGE = (4000, 384_000)
"""The sample rates a track may have; anything outside is a broken or hostile header."""
MAX_CHANNELS = 32
BLOCK = 16384
"""Frames decoded at a time."""
CUT_SHORT = 0.98
"""A track that decodes to less than this share of the length its header gives is cut short."""
PROBE_VERSION = 1
"""Part of the cache key: a change to how tracks are measured makes them measured again."""

Warn = Callable[[str], None]


def _natural(name: str) -> list[Any]:
    """A sort key that puts ``2 song`` before ``10 song``, ignoring case."""
    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name)]


def music_files(path: Path, shown: str, warn: Warn) -> list[Path]:
    """The tracks ``path`` names, in playing order; missing playlist entries are warned about.

    ``InputError`` when ``path`` does not exist, or is a folder or playlist with
    nothing in it.
    """
    if not path.exists():
        raise InputError(f"music {shown}: no such file or folder")
    if path.is_dir():
        found = [
            p
            for p in path.iterdir()
            if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file() and not p.name.startswith(".")
        ]
        if not found:
            raise InputError(
                f"music {shown}: the folder has no audio files "
                f"(it takes {', '.join(s[1:] for s in AUDIO_SUFFIXES)})"
            )
        return sorted(found, key=lambda p: _natural(p.name))
    if path.suffix.lower() in PLAYLIST_SUFFIXES:
        return _playlist(path, shown, warn)
    return [path]


def _playlist(path: Path, shown: str, warn: Warn) -> list[Path]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # what .m3u files were before .m3u8
    tracks: list[Path] = []
    listed = 0
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        listed += 1
        if "://" in entry:
            url = urlparse(entry)
            if url.scheme != "file":
                warn(f"music {shown}:{number}: {entry} is not a local file; skipped")
                continue
            entry = unquote(url.path)
        track = Path(entry).expanduser()
        if not track.is_absolute():
            track = path.parent / track
        if not track.is_file():
            warn(f"music {shown}:{number}: {entry} does not exist; skipped")
            continue
        tracks.append(track)
    if not tracks:
        what = "every track it lists is missing" if listed else "it lists no tracks"
        raise InputError(f"music {shown}: {what}")
    return tracks


class TrackError(Exception):
    """A track that cannot be used; the text says why."""


@dataclass(frozen=True, slots=True)
class TrackInfo:
    """One usable track, measured on the mono stream at the session's rate."""

    path: str
    frames: int
    """Samples at the session's rate."""
    native_rate: int
    loudness: float
    """Integrated loudness, LUFS."""
    peak: float
    """The loudest sample, full scale 1."""


def _decoded(path: Path, seek: int = 0) -> Iterator[np.ndarray]:
    """The track as mono float32 blocks at its own rate, from native frame ``seek``."""
    if path.suffix.lower() == ".mp3":
        from voicecoach.sound import load_miniaudio

        miniaudio = load_miniaudio()

        try:
            info = miniaudio.get_file_info(str(path))
        except miniaudio.DecodeError:
            raise TrackError("not an audio file (mp3, flac, ogg, opus or wav)") from None
        rate, channels = _checked(info.sample_rate, info.nchannels)
        stream = miniaudio.stream_file(
            str(path),
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=channels,
            sample_rate=rate,
            frames_to_read=BLOCK,
            seek_frame=seek,
        )
        for block in stream:
            samples = np.frombuffer(block, dtype=np.float32).reshape(-1, channels)
            yield samples @ np.full(channels, 1 / channels, dtype=np.float32)
        return
    import soundfile as sf

    try:
        handle = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError):
        raise TrackError("not an audio file (mp3, flac, ogg, opus or wav)") from None
    with handle:
        _checked(handle.samplerate, handle.channels)
        if seek:
            handle.seek(seek)
        while True:
            try:
                block = handle.read(BLOCK, dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as error:
                raise TrackError(f"damaged: {error}") from None
            if len(block) == 0:
                return
            yield block @ np.full(block.shape[1], 1 / block.shape[1], dtype=np.float32)


def _header(path: Path) -> tuple[int, int, int]:
    """(sample rate, channels, frames) from the file's header, without decoding it."""
    if path.suffix.lower() == ".mp3":
        from voicecoach.sound import load_miniaudio

        miniaudio = load_miniaudio()

        try:
            info = miniaudio.get_file_info(str(path))
        except miniaudio.DecodeError:
            raise TrackError("not an audio file (mp3, flac, ogg, opus or wav)") from None
        return (*_checked(info.sample_rate, info.nchannels), info.num_frames)
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError):
        raise TrackError("not an audio file (mp3, flac, ogg, opus or wav)") from None
    return (*_checked(info.samplerate, info.channels), info.frames)


def _checked(rate: int, channels: int) -> tuple[int, int]:
    low, high = RATE_RANGE
    if not low <= rate <= high:
        raise TrackError(f"a sample rate of {rate} Hz, out of range ({low}-{high} Hz)")
    if not 1 <= channels <= MAX_CHANNELS:
        raise TrackError(f"{channels} channels, out of range (1-{MAX_CHANNELS})")
    return rate, channels


def resampled(path: Path, rate: int, start: int = 0) -> Iterator[np.ndarray]:
    """The track as mono float32 blocks at ``rate``, from sample ``start`` at that rate."""
    import soxr

    native, _, _ = _header(path)
    seek = start * native // rate
    if native == rate:
        yield from _decoded(path, seek)
        return
    stream = soxr.ResampleStream(native, rate, 1, dtype="float32", quality="HQ")
    for block in _decoded(path, seek):
        out = stream.resample_chunk(block)
        if len(out):
            yield out
    tail = stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
    if len(tail):
        yield tail


class LoudnessMeter:
    """EBU R128 / ITU-R BS.1770 integrated loudness of a mono stream, fed block by block.

    Only the K-weighted mean square of each 100 ms step is kept (ten numbers a
    second), so a track of any length is measured in constant memory. Each
    step's K-weighted energy is taken from its spectrum (Parseval, with the
    filters' response at each frequency), which needs no IIR filter loop and
    agrees with the time-domain filters to a few hundredths of a LU.
    """

    def __init__(self, rate: int) -> None:
        self._step = rate // 10
        freqs = np.fft.rfftfreq(self._step, 1 / rate)
        weight = np.ones(len(freqs))
        for b, a in (_shelf(rate), _highpass(rate)):
            z = np.exp(-2j * np.pi * freqs / rate)
            response = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
            weight *= np.abs(response) ** 2
        weight[1 : (self._step + 1) // 2] *= 2  # rfft holds each of these bins once for two
        self._weight = weight / self._step**2
        self._carry = np.zeros(0, dtype=np.float64)
        self._steps: list[float] = []
        self.peak = 0.0

    def feed(self, block: np.ndarray) -> None:
        x = np.asarray(block, dtype=np.float64)
        if x.size:
            self.peak = max(self.peak, float(np.max(np.abs(x))))
        x = np.concatenate([self._carry, x]) if self._carry.size else x
        whole = len(x) // self._step * self._step
        if whole:
            spectra = np.fft.rfft(x[:whole].reshape(-1, self._step), axis=1)
            power = spectra.real**2 + spectra.imag**2
            self._steps.extend((power @ self._weight).tolist())
        self._carry = x[whole:]

    def integrated(self) -> float:
        """LUFS; ``-inf`` for silence or less than one 400 ms block."""
        steps = np.asarray(self._steps)
        if len(steps) < 4:
            return -math.inf
        blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4
        with np.errstate(divide="ignore"):
            loud = -0.691 + 10 * np.log10(blocks)
        kept = blocks[loud > -70.0]
        if kept.size == 0:
            return -math.inf
        relative = -0.691 + 10 * np.log10(np.mean(kept)) - 10.0
        kept = blocks[(loud > -70.0) & (loud > relative)]
        return float(-0.691 + 10 * np.log10(np.mean(kept)))


def _shelf(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """BS.1770's first K-weighting stage (a +4 dB high shelf), for any sample rate."""
    gain_db, q, fc = 3.99984385397, 0.7071752369554193, 1681.9744509555319
    k = math.tan(math.pi * fc / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.499666774155
    a0 = 1 + k / q + k * k
    b = np.array(
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    )
    a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return b, a


def _highpass(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """BS.1770's second stage (the RLB high pass), for any sample rate."""
    q, fc = 0.5003270373253953, 38.13547087613982
    k = math.tan(math.pi * fc / rate)
    a0 = 1 + k / q + k * k
    b = np.array([1.0, -2.0, 1.0])
    a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return b, a


def loudness(pcm: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS) of a mono stream in memory (int16 or float, full scale 1)."""
    meter = LoudnessMeter(rate)
    x = np.asarray(pcm)
    meter.feed(x / 32768.0 if x.dtype == np.int16 else x)
    return meter.integrated()


def probe(path: Path, rate: int) -> TrackInfo:
    """Decode the whole track once: its length at ``rate``, loudness and peak.

    ``TrackError`` says why a track cannot be used.
    """
    if not path.is_file():
        raise TrackError("no such file")
    native, _, declared = _header(path)
    meter = LoudnessMeter(rate)
    frames = 0
    try:
        for block in resampled(path, rate):
            meter.feed(block)
            frames += len(block)
    except TrackError:
        raise
    except Exception as error:  # a decoder's own error on a damaged file
        raise TrackError(f"damaged: {error}") from None
    if frames < MIN_TRACK_MS * rate // 1000:
        raise TrackError("less than a second long")
    if declared > 0 and frames < declared * rate / native * CUT_SHORT:
        raise TrackError(
            f"cut short: {frames / rate:.1f} s of the {declared / native:.1f} s its header "
            "gives can be decoded (a partial download?)"
        )
    measured = meter.integrated()
    if not measured > SILENT_LUFS:
        raise TrackError("silent")
    return TrackInfo(str(path), frames, native, measured, meter.peak)


def _kept_figures(path: Path, rate: int) -> tuple[Path, TrackInfo | None]:
    """Where ``probe``'s figures for ``path`` are kept, and the figures if they are there.

    ``TrackError`` when the file is gone.
    """
    try:
        stat = path.stat()
    except OSError:
        raise TrackError("no such file") from None
    key = f"{PROBE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{rate}"
    entry = paths.cache_dir() / "music" / (sha256_hex(key)[:32] + ".json")
    try:
        kept = json.loads(entry.read_text(encoding="utf-8"))
        return entry, TrackInfo(
            str(path),
            int(kept["frames"]),
            int(kept["native_rate"]),
            float(kept["loudness"]),
            float(kept["peak"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return entry, None


def _probe_cached(path: Path, rate: int) -> TrackInfo:
    """``probe``, with its figures kept in the cache folder for the same file unchanged."""
    entry, kept = _kept_figures(path, rate)
    if kept is not None:
        return kept
    info = probe(path, rate)
    figures = {k: getattr(info, k) for k in ("frames", "native_rate", "loudness", "peak")}
    try:
        write_atomic(entry, json.dumps(figures))
    except VoicecoachError:
        pass  # a cache that cannot be written only costs the measurement next time
    return info


@dataclass(frozen=True, slots=True)
class Segment:
    """One track's turn on the music's clock: it sounds over ``[start, start + info.frames)``."""

    info: TrackInfo
    start: int
    gain: float
    fade_in: int
    fade_out: int

    @property
    def end(self) -> int:
        return self.start + self.info.frames


class Music:
    """A session's music: the tracks in order, laid end to end with crossfades, looping.

    Tracks are measured (``probe``) only as far as the session will reach, so
    a folder of a thousand songs costs no more than the few a session plays;
    ``start`` does it on a background thread, so the renderer (which in
    ``play`` runs only seconds ahead of the device) never waits for a long
    track to be measured. The layout is shared by every stream that reads it
    (``play`` starts a new one after each jump) and grows under a lock.

    The music is ``ready`` once its first track is laid down: ``check`` lays
    it at once (measuring it if it never was), which is what ``export``
    wants; ``vet`` then ``start`` lay it on the background thread, so that
    ``play``'s first words wait for no measuring, and the mixer brings the
    music in when it is ready.
    """

    def __init__(
        self,
        files: Sequence[Path],
        sample_rate: int,
        target: float,
        warn: Warn,
        shown: str = "",
        crossfade_ms: int = CROSSFADE_MS,
    ) -> None:
        self.sample_rate = sample_rate
        self.target = target
        """The loudness every track is brought to, LUFS."""
        self._files = list(files)
        self._warn = warn
        self._shown = shown
        self._crossfade = crossfade_ms * sample_rate // 1000
        self._lock = threading.Lock()
        self._measuring = threading.Lock()
        self._ahead: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._settled = threading.Event()
        """Set once the music is ready, or known never to be."""
        self._wanted = threading.Event()
        """Set once the first words are made: measuring waits for it (see ``want``)."""
        self._known: dict[int, TrackInfo | None] = {}
        self._segments: list[Segment] = []
        self._next = 0
        """Index into ``_files`` of the next track to lay down."""

    @property
    def ready(self) -> bool:
        """Whether the first track is laid down, so the music can be read."""
        return self._ready.is_set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the music to be ready or known never to be;
        whether that is settled."""
        return self._settled.wait(timeout)

    def check(self) -> None:
        """Make sure one track can be played, measuring it now if it never was; ``InputError``
        if none can."""
        with self._lock:
            if not self._segments:
                self._extend()
        self._ready.set()
        self._settled.set()

    def vet(self) -> None:
        """``check`` without measuring: lay the first track down at once if its figures are
        kept from an earlier session; otherwise find the first one whose header says it is
        audio, and leave measuring it to ``start``. ``InputError`` if no track gets that far,
        before anything starts."""
        with self._lock:
            if self._segments:
                return
            for _ in range(len(self._files)):
                index, path = self._next, self._files[self._next]
                try:
                    _, kept = _kept_figures(path, self.sample_rate)
                    if kept is None:
                        _header(path)
                except TrackError as error:
                    with self._measuring:
                        self._known[index] = None
                    self._warn(f"music: {path}: {error}; skipped")
                    self._next = (index + 1) % len(self._files)
                    continue
                if kept is not None:
                    with self._measuring:
                        self._known[index] = kept
                    self._extend()
                    self._ready.set()
                    self._settled.set()
                return
            raise self._unplayable()

    def segments_to(self, position: int) -> list[Segment]:
        """The segments laid down so far, extended until the last one is sure to sound past
        ``position`` without its fade out (which is settled when the next track is laid)."""
        with self._lock:
            while not self._segments or self._segments[-1].end - self._crossfade <= position:
                self._extend()
            return list(self._segments)

    def want(self) -> None:
        """The first words are made (``play``: the chunks the device starts with): measuring
        may begin. Until then it would take the cores from the voice's first phrases, which
        a cold start waits for."""
        self._wanted.set()

    def start(self, duration: int) -> None:
        """On a background thread: lay the first track down if ``vet`` left it to be
        measured (once ``want`` is called), then measure the tracks that ``duration``
        samples will reach. Should no track turn out to be playable, that is a warning and
        the session has no music."""
        if self._ahead is None:
            self._ahead = threading.Thread(
                target=self._run, args=(duration,), name="voicecoach-music", daemon=True
            )
            self._ahead.start()

    def close(self) -> None:
        """Stop measuring ahead; returns once the track being measured is done."""
        self._stop.set()
        self._wanted.set()
        if self._ahead is not None:
            self._ahead.join()

    def _run(self, duration: int) -> None:
        if not self.ready:
            self._wanted.wait()
            if self._stop.is_set():
                return
            try:
                self.check()
            except InputError as error:
                self._warn(f"{error}; the session goes on without it")
                self._settled.set()
                return
        self._measure(duration)

    def _measure(self, duration: int) -> None:
        covered = 0
        for index in range(len(self._files)):
            if covered >= duration or self._stop.is_set():
                return
            info = self._info(index)
            if info is not None:
                covered += info.frames - self._crossfade

    def _info(self, index: int) -> TrackInfo | None:
        with self._measuring:
            if index not in self._known:
                path = self._files[index]
                try:
                    self._known[index] = _probe_cached(path, self.sample_rate)
                except TrackError as error:
                    self._known[index] = None
                    self._warn(f"music: {path}: {error}; skipped")
            return self._known[index]

    def _following(self) -> TrackInfo:
        """The next usable track after ``_next``, looping; ``InputError`` if there is none."""
        for _ in range(len(self._files)):
            index = self._next
            self._next = (self._next + 1) % len(self._files)
            info = self._info(index)
            if info is not None:
                return info
        raise self._unplayable()

    def _unplayable(self) -> InputError:
        what = f" {self._shown}" if self._shown else ""
        return InputError(f"music{what}: no track can be played (see the warnings above)")

    def _extend(self) -> None:
        info = self._following()
        fade, start = 0, 0
        if self._segments:
            previous = self._segments[-1]
            fade = min(self._crossfade, previous.info.frames // 3, info.frames // 3)
            self._segments[-1] = replace(previous, fade_out=fade)
            start = previous.end - fade
        self._segments.append(Segment(info, start, self._gain(info), fade, 0))

    def _gain(self, info: TrackInfo) -> float:
        gain = 10 ** ((self.target - info.loudness) / 20)
        return min(gain, MAX_PEAK / info.peak) if info.peak > 0 else gain


class MusicStream:
    """The levelled, crossfaded music from a position on its clock, read in order."""

    def __init__(self, music: Music, at: int = 0) -> None:
        self._music = music
        self._position = max(0, at)
        self._open: dict[int, _Reader] = {}

    def read(self, count: int) -> np.ndarray:
        """The next ``count`` samples (float64, full scale 1)."""
        lo, hi = self._position, self._position + count
        segments = self._music.segments_to(hi)
        out = np.zeros(count, dtype=np.float64)
        first = max(0, bisect.bisect_right([s.end for s in segments], lo))
        for index in range(first, len(segments)):
            seg = segments[index]
            if seg.start >= hi:
                break
            a, b = max(lo, seg.start), min(hi, seg.end)
            reader = self._open.get(index)
            if reader is None:
                reader = self._open[index] = _Reader(seg, a - seg.start, self._music)
            samples = reader.take(b - a)
            out[a - lo : b - lo] += samples * _segment_gain(seg, a, b)
        for index in [i for i, r in self._open.items() if segments[i].end <= hi]:
            del self._open[index]
        self._position = hi
        return out


def _segment_gain(seg: Segment, a: int, b: int) -> np.ndarray | np.float64:
    """The track's gain over ``[a, b)`` on the music clock, with its crossfades (equal power)."""
    fading_in = seg.fade_in and a - seg.start < seg.fade_in
    fading_out = seg.fade_out and seg.end - b < seg.fade_out
    if not fading_in and not fading_out:
        return np.float64(seg.gain)  # float64 products, as on the fading path, whatever the pieces
    t = np.arange(a, b, dtype=np.float64) - seg.start
    gain = np.full(b - a, seg.gain)
    if fading_in:
        inside = t < seg.fade_in
        gain[inside] *= np.sin(0.5 * np.pi * (t[inside] + 0.5) / seg.fade_in)
    if fading_out:
        left = seg.info.frames - t
        inside = left <= seg.fade_out
        gain[inside] *= np.sin(0.5 * np.pi * (left[inside] - 0.5) / seg.fade_out)
    return gain


class _Reader:
    """One track's samples at the session's rate, handed out exactly, from an offset."""

    def __init__(self, seg: Segment, offset: int, music: Music) -> None:
        self._seg = seg
        self._music = music
        self._blocks = resampled(Path(seg.info.path), music.sample_rate, offset)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._failed = False

    def take(self, count: int) -> np.ndarray:
        parts = [self._buffer]
        have = len(self._buffer)
        while have < count and not self._failed:
            try:
                block = next(self._blocks, None)
            except Exception as error:  # the file changed or went away under us
                block = None
                self._music._warn(f"music: {self._seg.info.path}: {error}; the rest is silence")
            if block is None:
                self._failed = True
                break
            parts.append(block)
            have += len(block)
        joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if len(joined) < count:
            joined = np.concatenate([joined, np.zeros(count - len(joined), dtype=np.float32)])
        self._buffer = joined[count:]
        return joined[:count]


@dataclass(frozen=True, slots=True)
class Ducking:
    """The shape of the music's level around prompts and at the session's ends, in ms and dB."""

    depth_db: float = DUCK_DB
    down_ms: int = DUCK_DOWN_MS
    hold_ms: int = DUCK_HOLD_MS
    up_ms: int = DUCK_UP_MS
    fade_in_ms: int = FADE_IN_MS
    fade_out_ms: int = FADE_OUT_MS
    reentry_ms: int = REENTRY_MS


def _rise(x: np.ndarray) -> np.ndarray:
    """A raised cosine from 0 at ``x <= 0`` to 1 at ``x >= 1``: no corner, so no click."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def envelope(
    events: Sequence[Event],
    starts: Sequence[int],
    lo: int,
    hi: int,
    rate: int,
    duration: int,
    shape: Ducking,
    entry: int = 0,
    longest: int | None = None,
) -> np.ndarray:
    """The music's gain over session samples ``[lo, hi)``: ducked under every prompt, faded in
    from ``entry`` (the session's start, or where ``play`` came back in) and out at the end.

    ``starts`` are the events' start samples, for finding the ones near ``[lo, hi)``;
    ``longest`` the longest event's length (worked out from ``events`` if not given).
    """
    if longest is None:
        longest = _longest(events)
    down = max(1, shape.down_ms * rate // 1000)
    hold = shape.hold_ms * rate // 1000
    up = max(1, shape.up_ms * rate // 1000)
    depth = -shape.depth_db / 20
    gain = np.ones(hi - lo, dtype=np.float64)
    # Events never overlap and are sorted, so their ends are sorted too: the ones that can
    # reach [lo, hi) start before hi + down, and end after lo - hold - up.
    first = bisect.bisect_left(starts, lo - hold - up - longest)
    last = bisect.bisect_left(starts, hi + down)
    for event in events[first:last]:
        # Down over [start - down, start), fully down until end + hold, up over the next
        # ``up``; where two prompts' shapes meet, the lower gain wins.
        for a, b, origin, length in (
            (event.start - down, event.start, event.start - down, down),
            (event.start, event.end + hold, 0, 0),
            (event.end + hold, event.end + hold + up, event.end + hold, -up),
        ):
            a, b = max(a, lo), min(b, hi)
            if a >= b:
                continue
            part = gain[a - lo : b - lo]
            if length == 0:
                np.minimum(part, 10**depth, out=part)
                continue
            x = (np.arange(a, b, dtype=np.float64) - origin) / abs(length)
            ducked = _rise(x) if length > 0 else 1.0 - _rise(x)
            np.minimum(part, 10 ** (depth * ducked), out=part)
    fade_in = (shape.fade_in_ms if entry == 0 else shape.reentry_ms) * rate // 1000
    if fade_in and lo < entry + fade_in:
        b = min(hi, entry + fade_in)
        t = np.arange(lo, b, dtype=np.float64)
        gain[: b - lo] *= _rise((t - entry) / fade_in)
    fade_out = shape.fade_out_ms * rate // 1000
    if fade_out and hi > duration - fade_out:
        a = max(lo, duration - fade_out)
        t = np.arange(a, hi, dtype=np.float64)
        gain[a - lo :] *= _rise((duration - t) / fade_out)
    return gain


def _longest(events: Sequence[Event]) -> int:
    return max((e.end - e.start for e in events), default=0)


@dataclass(frozen=True)
class MusicMix:
    """What the renderer needs to lay the music under a timeline."""

    music: Music
    shape: Ducking = Ducking()

    def mixer(self, sample_rate: int, start: int, music_at: int) -> Mixer:
        """A mixer for a render from session sample ``start``, the music from ``music_at``."""
        return Mixer(self, sample_rate, start, music_at)

    def lookahead(self, sample_rate: int) -> tuple[int, int]:
        """How far past a chunk the prompts must be known to lay the music under it, in
        samples: the duck comes down before a prompt; and within the fade out of the
        session's end, where the end is."""
        shape = self.shape
        return shape.down_ms * sample_rate // 1000, shape.fade_out_ms * sample_rate // 1000


class Mixer:
    """The music layer of one render, chunk by chunk, in order."""

    def __init__(self, mix: MusicMix, sample_rate: int, start: int, music_at: int) -> None:
        self._shape = mix.shape
        self._rate = sample_rate
        self._events: list[Event] = []
        self._starts: list[int] = []
        self._longest = 0
        self._music = mix.music
        self._start = start
        self._music_at = music_at
        self._stream: MusicStream | None = None
        self._entry = start

    def layer(
        self, lo: int, voice: np.ndarray, events: Sequence[Event], duration: int | None
    ) -> np.ndarray:
        """The music for session samples ``[lo, lo + len(voice))``, as int32 to add to ``voice``.

        ``events`` are the prompts in time order, every one that sounds before
        ``lo + len(voice) + lookahead`` among them (a list that may grow at its
        end between calls); ``duration`` is the session's length, or None if it
        is not known yet, which then lies beyond that. Where voice plus music
        would pass full scale, the music gives way, so the sum never clips and
        the voice's samples stay exactly as they are.

        Music that is not ready yet (its first track still being measured) is
        silence; it comes in at the first chunk after it is ready, fading in
        over ``reentry_ms`` from there, where its clock stands had it played
        from the start (so ``play``'s reckoning of the music's clock holds).
        """
        hi = lo + len(voice)
        for event in events[len(self._events) :]:
            self._events.append(event)
            self._starts.append(event.start)
            self._longest = max(self._longest, event.end - event.start)
        if self._stream is None:
            if not self._music.ready:
                return np.zeros(len(voice), dtype=np.int32)
            self._stream = MusicStream(self._music, self._music_at + lo - self._start)
            self._entry = lo
        gain = envelope(
            self._events,
            self._starts,
            lo,
            hi,
            self._rate,
            sys.maxsize if duration is None else duration,
            self._shape,
            self._entry,
            self._longest,
        )
        music = np.rint(self._stream.read(hi - lo) * gain * 32767).astype(np.int32)
        v = voice.astype(np.int32)
        return np.clip(music, -32768 - v, 32767 - v)


def music_level(level_lu: float | None, timeline: Timeline) -> float:
    """How far below the voice the music sits in ``timeline``'s session, in LU: ``level_lu``
    if the user chose it (``--music-level``: theirs, even where the file then measures
    quieter); else ``LEVEL_LU``, or further down where that is needed for the file to
    measure what its voice does.

    A loudness meter (EBU R128, ITU-R BS.1770) counts a 400 ms block only if it
    is louder than the mean of all the blocks less 10 LU. Without music the
    silence between prompts is not counted, and a file measures as its voice
    (-19 LUFS); with music it holds music, and music that is counted pulls
    the figure down towards its own level (monday with music 12 LU below the
    voice measured -20.6 LUFS). So the music is kept where the gate leaves it
    out. With the voice at power ``v`` over a share ``s`` of the session and
    the music at power ``m`` between prompts, the mean is about
    ``s*v + (1-s)*m``, and the music's loud moments (``DYNAMICS_LU`` above its
    level) stay out while ``m / v < s / (10 ** ((DYNAMICS_LU + 10) / 10) - (1 - s))``.
    The voice is never changed, so it is as loud as without music; the music
    is never louder than ``LEVEL_LU`` under it unless asked. ``play`` and ``export`` both give
    the session's estimate (its phrase lengths guessed from their text), so
    that both lay the music at the same level.
    """
    if level_lu is not None:
        return level_lu
    spoken = sum(e.end - e.start for e in timeline.events)
    share = min(1.0, spoken / timeline.duration) if timeline.duration > 0 else 0.0
    if share <= 0.0:
        return LEVEL_LU  # nothing is said: there is no voice to measure the file by
    room = share / (10 ** ((DYNAMICS_LU - RELATIVE_GATE) / 10) - (1.0 - share))
    return max(LEVEL_LU, -10 * math.log10(room))


def open_music(
    path: str | Path,
    timeline: Timeline,
    *,
    level_lu: float | None = None,
    warn: Warn,
    shown: str | None = None,
    wait: bool = True,
) -> MusicMix:
    """The music at ``path`` made ready for ``timeline``: levelled ``level_lu`` below the voice,
    or further down as ``music_level`` finds.

    Reads the file, folder or playlist and measures tracks until one can be
    played; ``InputError`` (exit 2) when none can, before anything is written
    or played. ``timeline`` gives the rate and how far to measure ahead (for a
    session still being compiled, its estimate will do). Without ``wait``
    (for ``play``) a track that was never measured is measured on a
    background thread and the music comes in once it is (``Music.vet``); only
    tracks that are plainly not audio are found out before anything plays.
    """
    where = shown or str(path)
    files = music_files(Path(path).expanduser(), where, warn)
    target = TARGET_LUFS - music_level(level_lu, timeline)
    music = Music(files, timeline.sample_rate, target, warn, where)
    if wait:
        music.check()
    else:
        music.vet()
    music.start(timeline.duration)
    return MusicMix(music)


def chosen_music(
    flag: str | None, off: bool, named: Sequence[MusicChoice | None]
) -> tuple[str | Path, str | None] | None:
    """Which music a session gets, and how to name it in messages: ``--no-music`` (``off``)
    wins, then ``--music`` (``flag``), then the first of ``named`` (the workout's
    ``music:``, then config.yaml's) that is set; None for none."""
    if off:
        return None
    if flag is not None:
        return flag, None
    for choice in named:
        if choice is not None:
            shown = f"{choice.written} ({choice.where})" if choice.where else choice.written
            return choice.path, shown
    return None


def music_for(
    flag: str | None,
    off: bool,
    named: Sequence[MusicChoice | None],
    timeline: Timeline,
    *,
    level_lu: float | None = None,
    warn: Warn,
    wait: bool = True,
) -> MusicMix | None:
    """The music ``chosen_music`` picks, made ready for ``timeline`` (see ``open_music``);
    None for none."""
    chosen = chosen_music(flag, off, named)
    if chosen is None:
        return None
    path, shown = chosen
    return open_music(path, timeline, level_lu=level_lu, warn=warn, shown=shown, wait=wait)
