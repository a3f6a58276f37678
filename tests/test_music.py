"""Music under the voice: reading, loudness, crossfades, ducking around every prompt, bad input.

All the music is made here (tones and noise written as mp3, flac, ogg, opus
and wav into the test's folder), so no recorded music is needed. The ducking
is measured on exported samples: the music is a steady 441 Hz tone (exactly
50 samples a period at 22050 Hz), so its level over any two periods is its
gain at that moment.
"""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from fakes import fake_env
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.compiler.compile import compile_workout
from voicecoach.errors import InputError
from voicecoach.files.load import load_workout
from voicecoach.model import Event, MusicChoice, Timeline
from voicecoach.player.play import PREFILL, Feed
from voicecoach.sound import music as m
from voicecoach.sound.export import export_timeline
from voicecoach.sound.render import CHUNK, RenderOptions, render_all, render_chunks
from voicecoach.voices.base import Pcm
from voicecoach.voices.cache import PhraseCache
from voicecoach.voices.level import TARGET_LUFS

RATE = 22050
WINDOW = 100
"""Two periods of the 441 Hz test tone at 22050 Hz."""
runner = CliRunner()


def write_track(
    path: Path,
    seconds: float,
    freq: float | None = 441.0,
    amplitude: float = 0.3,
    rate: int = 44100,
    noise: float = 0.0,
    channels: int = 2,
) -> Path:
    """A tone (or noise, with ``freq=None``) written in the format its suffix names."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    x = amplitude * np.sin(2 * np.pi * freq * t) if freq else np.zeros(n)
    if noise:
        x = x + noise * np.random.default_rng(int(seconds * 1000)).standard_normal(n)
    data = np.repeat(x[:, None], channels, axis=1).astype(np.float32)
    kinds = {
        ".mp3": ("MP3", "MPEG_LAYER_III"),
        ".flac": ("FLAC", "PCM_16"),
        ".ogg": ("OGG", "VORBIS"),
        ".opus": ("OGG", "OPUS"),
        ".wav": ("WAV", "PCM_16"),
    }
    container, subtype = kinds[path.suffix]
    path.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(path, "w", rate, channels, subtype, format=container) as out:
        for i in range(0, n, 32768):  # libsndfile's Vorbis encoder dislikes huge writes
            out.write(data[i : i + 32768])
    return path


def level(x: np.ndarray, at: int) -> float:
    """The tone's amplitude over the two periods from ``at``."""
    part = x[at : at + WINDOW].astype(np.float64)
    return float(np.sqrt(2 * np.mean(part**2)))


def db(ratio: float) -> float:
    return 20 * math.log10(max(ratio, 1e-12))


class Silent:
    """The same phrase lengths as ``speech``, every one of them silence: the music alone."""

    def __init__(self, speech: PhraseCache) -> None:
        self._speech = speech
        self.sample_rate = speech.sample_rate

    def length(self, text: str) -> int:
        return self._speech.length(text)

    def audio(self, text: str) -> Pcm:
        return np.zeros(self._speech.length(text), dtype=np.int16)


SESSION = """
title: Music test
exercises:
  - id: tap
    name: Tap
    reps: 3
    tempo: 2-0-2-0
defaults:
  count: reps
blocks:
  - exercise: tap
    sets: 2
    rest: 20s
"""


@pytest.fixture
def timeline(write: Callable[[str, str], Path], speech: PhraseCache) -> Timeline:
    return compile_workout(load_workout(str(write("session.yaml", SESSION))), speech)


def warnings() -> tuple[list[str], Callable[[str], None]]:
    said: list[str] = []
    return said, said.append


# Reading music


def test_a_folder_plays_its_audio_files_in_name_order(tmp_path: Path) -> None:
    for name in ("10 ten.wav", "2 two.flac", "1 one.mp3", "cover.jpg", ".hidden.wav", "B.ogg"):
        (tmp_path / name).write_bytes(b"")
    said, warn = warnings()
    found = m.music_files(tmp_path, "music/", warn)
    assert [p.name for p in found] == ["1 one.mp3", "2 two.flac", "10 ten.wav", "B.ogg"]
    assert said == []


def test_a_playlist_resolves_paths_against_its_folder_and_warns_of_each_missing_one(
    tmp_path: Path,
) -> None:
    write_track(tmp_path / "songs" / "a.wav", 1.5)
    write_track(tmp_path / "b.flac", 1.5)
    playlist = tmp_path / "lists" / "run.m3u8"
    playlist.parent.mkdir()
    playlist.write_text(
        "#EXTM3U\n#EXTINF:2,A\n../songs/a.wav\n\n../gone.mp3\nhttp://radio/stream\n"
        f"{tmp_path / 'b.flac'}\n",
        encoding="utf-8",
    )
    said, warn = warnings()
    found = m.music_files(playlist, "run.m3u8", warn)
    assert found == [tmp_path / "lists" / "../songs/a.wav", tmp_path / "b.flac"]
    assert said == [
        "music run.m3u8:5: ../gone.mp3 does not exist; skipped",
        "music run.m3u8:6: http://radio/stream is not a local file; skipped",
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "music X: no such file or folder"),
        (
            lambda p: (p / "empty").mkdir() or p / "empty",
            "music X: the folder has no audio files (it takes mp3, flac, ogg, oga, opus, wav)",
        ),
        (lambda p: text_file(p / "l.m3u", "#EXTM3U\n# nothing\n"), "music X: it lists no tracks"),
        (
            lambda p: text_file(p / "l.m3u", "a.mp3\nb.mp3\n"),
            "music X: every track it lists is missing",
        ),
    ],
)
def test_music_that_names_no_track_is_an_error(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        m.music_files(make(tmp_path), "X", lambda text: None)
    assert str(caught.value) == message


def text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def truncated_mp3(path: Path) -> Path:
    whole = write_track(path.with_name("whole.mp3"), 6.0, noise=0.05)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    whole.unlink()
    return path


def huge_rate_wav(path: Path) -> Path:
    write_track(path, 2.0, rate=8000)
    data = bytearray(path.read_bytes())
    data[24:28] = struct.pack("<I", 1_000_000)  # the fmt chunk's sample rate
    data[28:32] = struct.pack("<I", 1_000_000 * 4)  # and its byte rate
    path.write_bytes(bytes(data))
    return path


BAD_TRACKS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("text.mp3", lambda p: text_file(p, "not music\n" * 300), "not an audio file"),
    ("text.flac", lambda p: text_file(p, "not music\n" * 300), "not an audio file"),
    ("cut.mp3", truncated_mp3, "cut short: 2.9 s of the 6.0 s its header gives"),
    ("huge.wav", huge_rate_wav, "a sample rate of 1000000 Hz, out of range (4000-384000 Hz)"),
    ("quiet.wav", lambda p: write_track(p, 3.0, freq=None), "silent"),
    ("short.ogg", lambda p: write_track(p, 0.5), "less than a second long"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD_TRACKS, ids=[b[0] for b in BAD_TRACKS])
def test_a_track_that_cannot_be_used_says_why(
    tmp_path: Path, name: str, make: Callable[[Path], Path], reason: str
) -> None:
    path = make(tmp_path / name)
    with pytest.raises(m.TrackError) as caught:
        m.probe(path, RATE)
    assert str(caught.value).startswith(reason), str(caught.value)


def test_unusable_tracks_are_skipped_with_one_warning_each(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    folder = tmp_path / "music"
    for name, make, _ in BAD_TRACKS:
        make(folder / name)
    write_track(folder / "good.wav", 4.0)
    said, warn = warnings()
    mix = m.open_music(folder, timeline, warn=warn)
    render_all(timeline, speech, RenderOptions(music=mix))  # loops over the whole list
    assert sorted(said) == sorted(
        f"music: {folder / name}: " + m_reason(folder / name) for name, _, _ in BAD_TRACKS
    )
    assert {Path(s.info.path).name for s in mix.music.segments_to(0)} == {"good.wav"}


def m_reason(path: Path) -> str:
    try:
        m.probe(path, RATE)
    except m.TrackError as error:
        return f"{error}; skipped"
    raise AssertionError(f"{path} should not be usable")


def test_when_no_track_can_be_used_it_is_an_error_before_anything_plays(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    folder = tmp_path / "music"
    for name, make, _ in BAD_TRACKS:
        make(folder / name)
    said, warn = warnings()
    with pytest.raises(InputError) as caught:
        m.open_music(folder, timeline, warn=warn, shown="music/")
    assert str(caught.value) == "music music/: no track can be played (see the warnings above)"
    assert len(said) == len(BAD_TRACKS)


@pytest.mark.parametrize("suffix", [".mp3", ".flac", ".ogg", ".opus", ".wav"])
def test_every_format_is_read_at_the_session_rate(tmp_path: Path, suffix: str) -> None:
    rate = 48000 if suffix == ".opus" else 44100
    path = write_track(tmp_path / f"t{suffix}", 3.0, rate=rate)
    info = m.probe(path, RATE)
    assert abs(info.frames - 3 * RATE) < RATE // 20  # codecs pad a little
    tone = np.concatenate(list(m.resampled(path, RATE)))
    assert abs(level(tone, RATE) - 0.3) < 0.03


# Loudness


def test_the_loudness_meter_agrees_with_pyloudnorm_and_the_standard() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(RATE * 12) / RATE
    sine = 0.25 * np.sin(2 * np.pi * 997 * t)
    # BS.1770: a 997 Hz sine at full scale in one channel reads -3.01 LUFS.
    assert abs(m.loudness(sine, RATE) - (db(0.25) - 3.01)) < 0.05
    burst = np.where(t % 3 < 1, 0.3, 0.01) * rng.standard_normal(len(t))  # gating matters
    for signal in (sine, 0.1 * rng.standard_normal(len(t)), burst):
        expected = pyloudnorm.Meter(RATE).integrated_loudness(signal)
        assert abs(m.loudness(signal, RATE) - expected) < 0.2
    meter = m.LoudnessMeter(RATE)
    for i in range(0, len(burst), 1234):  # fed in pieces: the same figure
        meter.feed(burst[i : i + 1234])
    assert abs(meter.integrated() - m.loudness(burst, RATE)) < 1e-9


def test_every_track_is_brought_to_the_same_loudness_below_the_voice(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    folder = tmp_path / "music"
    write_track(folder / "1 loud.flac", 12.0, freq=None, noise=0.3)
    write_track(folder / "2 quiet.mp3", 12.0, freq=300, amplitude=0.02, noise=0.004)
    mix = m.open_music(folder, timeline, warn=lambda t: None, level_lu=14)
    assert m.music_level(14, timeline) == 14  # a level the user gives is kept
    assert mix.music.target == pytest.approx(TARGET_LUFS - 14)
    assert m.music_level(None, timeline) >= m.LEVEL_LU
    stream = m.MusicStream(mix.music).read(24 * RATE)
    first, second = mix.music.segments_to(0)[:2]
    for seg in (first, second):
        middle = stream[seg.start + 4 * RATE : seg.start + 8 * RATE]
        assert abs(m.loudness(middle, RATE) - mix.music.target) < 0.5


# Crossfades and looping


def test_tracks_crossfade_at_constant_power_and_loop(tmp_path: Path) -> None:
    a = write_track(tmp_path / "1 a.wav", 10.0, freq=441, amplitude=0.2)
    b = write_track(tmp_path / "2 b.wav", 10.0, freq=882, amplitude=0.2)
    music = m.Music([a, b], RATE, target=-20.0, warn=lambda t: None)
    out = m.MusicStream(music).read(40 * RATE)
    first, second, third = music.segments_to(30 * RATE)[:3]
    fade = m.CROSSFADE_MS * RATE // 1000
    assert second.start == first.end - fade and second.fade_in == first.fade_out == fade
    assert Path(third.info.path) == a  # and round again
    steady = level(out, 2 * RATE)
    for at in range(second.start - RATE, second.start + fade + RATE, 441):
        assert abs(db(level(out, at) / steady)) < 0.5  # no dip, no bump, no gap
    # Across the fade, the first tone goes down and the second comes up.
    spectrum = [np.abs(np.fft.rfft(out[x : x + 2205])) for x in (second.start, first.end - 2205)]
    bin_a, bin_b = 441 * 2205 // RATE, 882 * 2205 // RATE
    assert spectrum[0][bin_a] > 10 * spectrum[0][bin_b]
    assert spectrum[1][bin_b] > 10 * spectrum[1][bin_a]


def test_a_stream_reads_the_same_whatever_the_piece_size(tmp_path: Path) -> None:
    a = write_track(tmp_path / "a.ogg", 5.0, freq=None, noise=0.1)
    music = m.Music([a], RATE, target=-25.0, warn=lambda t: None)
    whole = m.MusicStream(music).read(12 * RATE)
    stream = m.MusicStream(music)
    pieces = [stream.read(n) for n in (1, 999, 8192, 70000, 12 * RATE - 1 - 999 - 8192 - 70000)]
    assert np.array_equal(np.concatenate(pieces), whole)


# Ducking, measured on the exported file


@pytest.fixture
def exported(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, m.MusicMix]:
    """(mix, voice alone, music alone) as written to wav files."""
    # Longer than the session: a tone crossfaded into itself would add up, not keep its level.
    assert timeline.duration < 80 * RATE
    write_track(tmp_path / "music" / "tone.flac", 80.0, rate=RATE, channels=1)
    mix = m.open_music(tmp_path / "music", timeline, warn=lambda t: None)
    files = []
    for name, voice, music in (
        ("mix", speech, mix),
        ("voice", speech, None),
        ("music", Silent(speech), mix),
    ):
        out = tmp_path / f"{name}.wav"
        export_timeline(timeline, voice, out, "wav", options=RenderOptions(music=music))
        files.append(sf.read(out, dtype="int16")[0])
    return files[0], files[1], files[2], mix


def test_the_voice_is_untouched_the_mix_minus_the_music_is_the_session_without_it(
    exported: tuple[np.ndarray, np.ndarray, np.ndarray, m.MusicMix],
) -> None:
    mixed, voice, music, _ = exported
    assert len(mixed) == len(voice) == len(music)
    assert np.array_equal(mixed.astype(np.int32) - music, voice)
    assert music.any() and np.abs(mixed).max() < 32767


def test_the_music_is_down_by_each_prompts_first_sample_and_back_up_after(
    exported: tuple[np.ndarray, np.ndarray, np.ndarray, m.MusicMix], timeline: Timeline
) -> None:
    _, _, music, mix = exported
    shape = mix.shape
    ms = RATE // 1000
    full = max(level(music, x) for x in range(10 * RATE, 20 * RATE, WINDOW))
    events = timeline.events
    ramps_seen = 0
    for i, e in enumerate(events):
        if e.start < shape.fade_in_ms * ms or e.end > timeline.duration - shape.fade_out_ms * ms:
            continue
        under = [level(music, x) for x in range(e.start, e.end + shape.hold_ms * ms - WINDOW, 50)]
        assert db(max(under) / full) <= -12, (e, db(max(under) / full))
        gap_before = e.start - (events[i - 1].end if i else 0)
        if gap_before > (shape.hold_ms + shape.up_ms + shape.down_ms + 200) * ms:
            # Not yet ducking 400 ms before; already on the way down 150 ms before.
            assert db(level(music, e.start - 400 * ms) / full) > -0.5
            mid = db(level(music, e.start - 150 * ms - WINDOW) / full)
            assert -12 < mid < -0.5, (e, mid)
            ramps_seen += 1
        gap_after = (events[i + 1].start if i + 1 < len(events) else timeline.duration) - e.end
        if gap_after > (shape.hold_ms + shape.up_ms + shape.down_ms + 200) * ms:
            back = e.end + (shape.hold_ms + shape.up_ms) * ms
            assert db(level(music, back) / full) > -0.5
    assert ramps_seen >= 3


def test_the_music_moves_smoothly_and_fades_at_the_ends(
    exported: tuple[np.ndarray, np.ndarray, np.ndarray, m.MusicMix], timeline: Timeline
) -> None:
    _, _, music, mix = exported
    full = max(level(music, x) for x in range(10 * RATE, 20 * RATE, WINDOW))
    levels = np.array([level(music, x) for x in range(0, len(music) - WINDOW, WINDOW)])
    assert np.max(np.abs(np.diff(levels))) < 0.07 * full  # no step anywhere: no click
    assert levels[0] < 0.01 * full and levels[-1] < 0.05 * full
    assert level(music, mix.shape.fade_in_ms * RATE // 1000 + RATE // 10) > 0.1 * full


def test_the_envelope_is_a_raised_cosine_that_never_jumps() -> None:
    events = [Event(130000, 136000, "count", "x"), Event(144000, 150000, "count", "y")]
    shape = m.Ducking()
    gain = m.envelope(events, [e.start for e in events], 0, 180000, RATE, 10**6, shape, 0)
    down = 10 ** (-shape.depth_db / 20)
    assert gain[130000] == pytest.approx(down)  # fully down at the first sample
    assert gain[150000 + 6615 - 1] == pytest.approx(down)  # and for 300 ms after the last
    assert gain[150000 + 6615 + 13230] == pytest.approx(1.0)  # up again 600 ms later
    assert gain[130000 - 5513] == pytest.approx(1.0, abs=1e-6)  # the ramp down is 250 ms
    assert np.all(gain[136000:144000] <= down * 1.06)  # a short gap stays down (0.5 dB)
    assert np.max(np.abs(np.diff(gain))) < 1e-3
    pieces = [
        m.envelope(events, [e.start for e in events], lo, min(lo + 777, 180000), RATE, 10**6, shape)
        for lo in range(0, 180000, 777)
    ]
    assert np.array_equal(np.concatenate(pieces), gain)


def test_play_and_export_render_the_same_stream_whatever_the_chunk(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    write_track(tmp_path / "m" / "1.mp3", 6.0, noise=0.05)
    write_track(tmp_path / "m" / "2.ogg", 6.0, freq=300)
    mix = m.open_music(tmp_path / "m", timeline, warn=lambda t: None)
    big = render_all(timeline, speech, RenderOptions(music=mix, chunk=65536))
    small = render_all(timeline, speech, RenderOptions(music=mix, chunk=8192))
    assert np.array_equal(big, small)


def test_a_jump_in_play_moves_the_session_but_not_the_song(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    write_track(tmp_path / "m" / "a.wav", 40.0, freq=None, noise=0.1)
    mix = m.open_music(tmp_path / "m", timeline, warn=lambda t: None)
    feed = Feed(timeline, speech, 0, RenderOptions(music=mix), patience=5)
    try:
        feed.wait_ready()
        feed.pull(5 * RATE)
        assert feed.position == 5 * RATE
        feed.seek(RATE)  # back, as `b` does
        feed.wait_ready()
        after = feed.pull(3 * RATE)
    finally:
        feed.close()
    # The music goes on from second 5 of the song, fading back in from session second 1.
    song = m.MusicStream(mix.music, 5 * RATE).read(3 * RATE)
    gain = m.envelope(
        timeline.events,
        [e.start for e in timeline.events],
        RATE,
        4 * RATE,
        RATE,
        timeline.duration,
        mix.shape,
        RATE,
    )
    voice = render_all(timeline, speech)[RATE : 4 * RATE]
    expected = voice + np.rint(song * gain * 32767).astype(np.int32)
    assert np.array_equal(after, expected)


# Play: the first words wait for no measuring; the music comes in when it is ready


def with_music(voice: Pcm, music: m.Music, at: int, gain: np.ndarray) -> np.ndarray:
    """``voice`` from session sample ``at`` on, with ``music`` from there under ``gain``."""
    song = m.MusicStream(music, at).read(len(voice) - at)
    mixed = voice[at:] + np.rint(song * gain * 32767)
    return np.clip(mixed, -32768, 32767).astype(np.int16)


def test_play_lays_a_measured_track_down_at_once_and_leaves_a_new_one_to_be_measured(
    tmp_path: Path,
) -> None:
    track = write_track(tmp_path / "m" / "a.flac", 6.0)
    fresh = m.Music([track], RATE, -30.0, warn=print)
    fresh.vet()
    assert not fresh.ready  # never measured: that is left to the background
    fresh.check()  # measured now, and the figures kept
    again = m.Music([track], RATE, -30.0, warn=print)
    again.vet()
    assert again.ready and again.segments_to(0) == fresh.segments_to(0)


def test_music_not_ready_comes_in_at_the_next_chunk_fading_in_then_is_the_exports(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    write_track(tmp_path / "m" / "tone.flac", 80.0, rate=RATE, channels=1)
    late = m.open_music(tmp_path / "m", timeline, warn=print, wait=False)
    chunks = render_chunks(timeline, speech, 0, RenderOptions(music=late, chunk=CHUNK))
    first = next(chunks)  # the first words: the track is measured only once they are made
    late.music.want()
    assert late.music.wait(30) and late.music.ready
    played = np.concatenate([first, *chunks])
    voice = render_all(timeline, speech)
    assert np.array_equal(played[:CHUNK], voice[:CHUNK])
    # From the next chunk on it fades in over a second, on the clock it would have had.
    starts = [e.start for e in timeline.events]
    gain = m.envelope(
        timeline.events, starts, CHUNK, len(voice), RATE, timeline.duration, late.shape, CHUNK
    )
    assert np.array_equal(played[CHUNK:], with_music(voice, late.music, CHUNK, gain))
    music = played.astype(np.int32) - voice
    full = max(level(music, x) for x in range(10 * RATE, 20 * RATE, WINDOW))
    levels = np.array([level(music, x) for x in range(0, 5 * RATE, WINDOW)])
    assert music[CHUNK] == 0 and np.max(np.abs(np.diff(levels))) < 0.07 * full  # no click
    # Once both fades are over, it is sample for sample what an export with the music
    # ready from the start gives.
    ready = m.open_music(tmp_path / "m", timeline, warn=print)
    exported = render_all(timeline, speech, RenderOptions(music=ready))
    settled = max(CHUNK + late.shape.reentry_ms, late.shape.fade_in_ms) * RATE // 1000
    assert np.array_equal(played[settled:], exported[settled:])
    assert not np.array_equal(played[:settled], exported[:settled])


def test_play_renders_only_a_few_chunks_ahead_until_the_music_is_ready(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    write_track(tmp_path / "m" / "tone.wav", 80.0, rate=RATE, channels=1)
    files = m.music_files(tmp_path / "m", "m", print)
    music = m.Music(files, RATE, TARGET_LUFS - m.LEVEL_LU, print)
    music.vet()  # never measured, and nothing measures it until this test does
    feed = Feed(timeline, speech, 0, RenderOptions(music=m.MusicMix(music)), patience=5)
    try:
        feed.wait_ready()
        music.check()
        played = np.concatenate([feed.pull(CHUNK) for _ in range(3 * PREFILL)])
    finally:
        feed.close()
    # Had the render gone on its dozen seconds ahead, the music would come in after those.
    entry = PREFILL * CHUNK
    voice = render_all(timeline, speech)[: len(played)]
    assert np.array_equal(played[:entry], voice[:entry])
    starts = [e.start for e in timeline.events]
    shape = m.Ducking()
    gain = m.envelope(
        timeline.events, starts, entry, len(played), RATE, timeline.duration, shape, entry
    )
    assert np.array_equal(played[entry:], with_music(voice, music, entry, gain))


def test_music_found_unplayable_while_playing_leaves_the_session_without_it(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    quiet = write_track(tmp_path / "m" / "quiet.wav", 3.0, freq=None)  # audio, but silence
    said, warn = warnings()
    mix = m.open_music(tmp_path / "m", timeline, warn=warn, wait=False)  # its header will do
    played = render_all(timeline, speech, RenderOptions(music=mix))
    mix.music.want()
    assert mix.music.wait(30) and not mix.music.ready
    assert np.array_equal(played, render_all(timeline, speech))
    assert said == [
        f"music: {quiet}: silent; skipped",
        f"music {tmp_path / 'm'}: no track can be played (see the warnings above); "
        "the session goes on without it",
    ]


# Loudness: a file with music measures what the podcast norm asks, the voice as without it


@pytest.mark.engine
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_an_export_with_music_is_at_podcast_loudness_and_its_voice_as_loud_as_without(
    tmp_path: Path, write: Callable[[str, str], Path], fmt: str
) -> None:
    from test_export import _ebur128

    from voicecoach.voices.level import heard_loudness

    workout = str(write("rests.yaml", SESSION))
    write_track(tmp_path / "music" / "1 noise.flac", 30.0, freq=None, noise=0.1)
    write_track(tmp_path / "music" / "2 tone.mp3", 30.0, noise=0.01)
    files = {}
    for name, extra in (("voice", []), ("mixed", ["--music", str(tmp_path / "music")])):
        files[name] = tmp_path / f"{name}.{fmt}"
        result = runner.invoke(app, ["export", workout, *extra, "-o", str(files[name])])
        assert result.exit_code == 0, result.output
    integrated, peak = _ebur128(files["mixed"])
    assert abs(integrated - -19.0) <= 1.0, integrated
    assert peak <= -1.0
    mixed, rate = sf.read(files["mixed"], dtype="float64")
    voice = sf.read(files["voice"], dtype="float64")[0]
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(mixed) - integrated) < 0.5
    # Every prompt as loud as in the file without music, and the music there between them.
    events = json.loads(runner.invoke(app, ["show", workout, "--json"]).stdout)["events"]
    for e in events:
        if e["end"] - e["start"] > rate // 10:
            alone = heard_loudness(voice[e["start"] : e["end"]], rate)
            assert abs(heard_loudness(mixed[e["start"] : e["end"]], rate) - alone) < 0.2
    gaps = [
        (a["end"], b["start"])
        for a, b in zip(events, events[1:], strict=False)
        if b["start"] - a["end"] > 5 * rate
    ]
    assert gaps and all(m.loudness(mixed[a:b], rate) > -45 for a, b in gaps)


# The command line


def test_export_with_music_from_the_workout_file_and_no_music_to_turn_it_off(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    write_track(tmp_path / "tunes" / "a.wav", 5.0)
    workout = write("w/tiny.yaml", "music: ../tunes\n" + SESSION)
    out = tmp_path / "out.wav"
    result = runner.invoke(app, ["export", str(workout), "-o", str(out)], obj=fake_env())
    assert result.exit_code == 0, result.output
    with_music = sf.read(out, dtype="int16")[0]
    result = runner.invoke(
        app, ["export", str(workout), "-o", str(out), "--no-music", "--force"], obj=fake_env()
    )
    assert result.exit_code == 0, result.output
    without = sf.read(out, dtype="int16")[0]
    assert len(with_music) == len(without)
    assert not np.array_equal(with_music, without)


def test_config_music_is_relative_to_the_config_file(
    tmp_path: Path, user_dirs: Path, tiny: str
) -> None:
    write_track(user_dirs / "config" / "songs" / "a.flac", 5.0)
    (user_dirs / "config" / "config.yaml").write_text("music: songs/\n", encoding="utf-8")
    out = tmp_path / "out.wav"
    result = runner.invoke(app, ["export", tiny, "-o", str(out)], obj=fake_env())
    assert result.exit_code == 0, result.output
    (user_dirs / "config" / "songs" / "a.flac").unlink()
    result = runner.invoke(app, ["export", tiny, "-o", str(out), "--force"], obj=fake_env())
    assert result.exit_code == 2
    config = user_dirs / "config" / "config.yaml"
    assert result.output == (
        f"error: music songs/ ({config}:1:8): the folder has no audio files "
        "(it takes mp3, flac, ogg, oga, opus, wav)\n"
    )


@pytest.mark.parametrize("command", ["export", "play"])
def test_no_usable_music_is_exit_2_before_anything_is_written_or_played(
    tmp_path: Path, tiny: str, command: str
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x.mp3").write_text("not music")
    out = tmp_path / "out.mp3"
    extra = ["-o", str(out)] if command == "export" else ["--backend", "null"]
    result = runner.invoke(
        app, [command, tiny, "--music", str(tmp_path / "m"), *extra], obj=fake_env()
    )
    assert result.exit_code == 2
    assert result.output == (
        f"warning: music: {tmp_path / 'm' / 'x.mp3'}: not an audio file "
        "(mp3, flac, ogg, opus or wav); skipped\n"
        f"error: music {tmp_path / 'm'}: no track can be played (see the warnings above)\n"
    )
    assert list(tmp_path.glob("out*")) == [] and list(tmp_path.glob(".out*")) == []


def test_a_bad_music_key_in_a_workout_points_at_it(write: Callable[[str, str], Path]) -> None:
    workout = write("w.yaml", "music: [a, b]\n" + SESSION)
    result = runner.invoke(app, ["show", str(workout), "--estimate"], obj=fake_env())
    assert result.exit_code == 2
    assert "w.yaml:1:8: `music` must be a single value, not a list" in result.output


def test_music_options_have_help() -> None:
    for command in ("play", "export"):
        result = runner.invoke(app, [command, "--help"], obj=fake_env())
        for option in ("--music", "--no-music", "--music-level"):
            assert option in result.output


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.integers(0, 20000), min_size=1, max_size=12),
    lengths=st.lists(st.integers(1, 15000), min_size=12, max_size=12),
    cuts=st.lists(st.integers(1, 40000), min_size=1, max_size=20),
    entry=st.integers(0, 50000),
)
def test_the_envelope_is_down_on_every_spoken_sample_whatever_the_chunks(
    gaps: list[int], lengths: list[int], cuts: list[int], entry: int
) -> None:
    events, at = [], 0
    for gap, length in zip(gaps, lengths, strict=False):
        at += gap
        events.append(Event(at, at + length, "count", "x"))
        at += length
    duration = at + 30000
    shape = m.Ducking()
    starts = [e.start for e in events]
    whole = m.envelope(events, starts, 0, duration, RATE, duration, shape, entry)
    pieces, lo = [], 0
    for cut in cuts * 50:
        if lo >= duration:
            break
        hi = min(duration, lo + cut)
        pieces.append(m.envelope(events, starts, lo, hi, RATE, duration, shape, entry))
        lo = hi
    if lo < duration:
        pieces.append(m.envelope(events, starts, lo, duration, RATE, duration, shape, entry))
    assert np.array_equal(np.concatenate(pieces), whole)
    down = 10 ** (-shape.depth_db / 20)
    assert np.all(whole >= 0) and np.all(whole <= 1)
    for e in events:
        assert np.all(whole[e.start : e.end] <= down * (1 + 1e-9))


def test_music_on_the_command_line_wins_over_the_workout_and_the_config(
    tmp_path: Path, timeline: Timeline, speech: PhraseCache
) -> None:
    flag = write_track(tmp_path / "flag.wav", 3.0)
    named = write_track(tmp_path / "named.wav", 3.0)
    choice = MusicChoice(str(named), "named.wav")

    def chosen(flag_path: str | None, off: bool) -> str | None:
        mix = m.music_for(flag_path, off, [choice], timeline, warn=print)
        return None if mix is None else Path(mix.music.segments_to(0)[0].info.path).name

    assert chosen(str(flag), False) == "flag.wav"
    assert chosen(None, False) == "named.wav"
    assert chosen(str(flag), True) is None


def test_miniaudio_comes_without_ssl_and_urllib_request_still_works() -> None:
    """``load_miniaudio`` leaves out the web-radio half of miniaudio (ssl, OpenSSL) until
    something really uses ``urllib.request``; then it is the real module, however imported."""
    program = (
        "import sys\n"
        "from voicecoach.sound import load_miniaudio\n"
        "miniaudio = load_miniaudio()\n"
        "print(hasattr(miniaudio, 'PlaybackDevice'), 'ssl' in sys.modules)\n"
        "import urllib.request\n"
        "from urllib.request import urlopen\n"
        "print(urllib.request.Request('http://localhost/').host, callable(urlopen))\n"
        "real = sys.modules['urllib.request']\n"
        "print('ssl' in sys.modules, real.__file__.endswith('request.py'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["True False", "localhost True", "True True"]
