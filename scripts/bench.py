#!/usr/bin/env python3
"""Benchmark export: speed, synth calls, peak memory, and where every prompt really lands.

    python scripts/bench.py            # monday and a generated 2-hour workout
    python scripts/bench.py --quick    # monday only

For each workout it runs, each in a fresh process: a cold-cache export to
wav, a warm one, a cold-cache export to mp3 and a warm one. It prints the
time of each (loading, compiling and exporting) as a multiple of real
time, how many phrases had to be synthesized, and the process's peak
memory.

The timing check does not trust the renderer: it decodes the exported wav
and mp3, finds each prompt's onset (the first sample at least THRESHOLD
loud after the previous prompt's end) and compares it with the event's
start in the timeline the compiler made; it also checks that nothing is
heard past an event's end before the next one starts.

Targets on a 2-core machine with the default voice (piper): warm wav >=
500x real time, warm mp3 >= 400x and at least 5x the peers' approach (the
same timeline's phrases as WAV clips joined with pydub and encoded by
ffmpeg, which the bench builds and times itself), cold >= 60x, every onset
within 1 ms, peak memory under 200 MB. Each export's loudness is measured
with ffmpeg's EBU R128 meter (pyloudnorm as a second opinion): -19 ±1 LUFS
integrated, true peak at or below -1 dBTP, and the session's phrases within
2 LU of each other. A cold export is timed on one core, and on both with
one synthesizing process and with two, for each engine, the three taken in
turn three times (target: what voicecoach does on two cores at least 1.7x
what it does on one).

For ``play``, with piper and with pyttsx3, it measures the time from
starting the command (``voicecoach play`` run as a user runs it) to the
first sample that is not silence at the sound device, with a cold and a
warm phrase cache (targets 2 s and 0.5 s, whatever the session's
length), through the real ALSA path into ``audio/alsa-capture.conf``, and
the play process's peak memory (under 200 MB); and the drift of the player's
clock on miniaudio's null device, which keeps real time: how far the
samples handed over are from the time that has passed, sampled through a
run of ``--drift-minutes`` (target: within 20 ms; the render is never
late, so the session itself never slips).

With music (``--music``, generated here: tones and noise, four-minute
tracks in mp3, ogg, flac and wav), it measures the export to wav (what the
music itself costs) with the tracks measured for the first time and again
with their figures cached, and to mp3 (target: 100x real time or better),
the loudness and true peak of that mp3 (the same targets as without music:
the music must not pull the file under -20 LUFS), play's first sound with
music (the same targets as without), and peak memory with four tracks and
with sixty, for monday and the two-hour session (target: flat, within 25 MB).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

THRESHOLD = 32
"""About -60 dBFS: the quietest sample counted as sound."""
LOSSY_THRESHOLD = 328
"""About -40 dBFS, above the codec noise around phrases in an mp3."""
LOSSY_MARGIN_MS = 50
TARGETS = {"wav warm": 500.0, "mp3 warm": 400.0, "wav cold": 60.0, "mp3 cold": 60.0}
PYDUB_RATIO = 5.0
"""The warm mp3 export against the peers' approach (clips joined with pydub, ffmpeg's mp3)."""
LOUDNESS = (-19.0, 1.0)
"""LUFS integrated and the tolerance, for a mono file (-16 LUFS stereo podcast norms)."""
TRUE_PEAK = -1.0
PHRASE_SPREAD = 2.0
"""LU between the quietest and the loudest phrase, as a meter hears each in the session."""
PLAY_PEAK_MB = 200.0

EXERCISES = [
    "hip-hinge",
    "staggered-stance-rdl",
    "long-lever-band-pull",
    "supine-march",
    "eccentric-hamstring-curl",
    "down-dog-knee-extension",
]


def long_workout(rounds: int) -> str:
    """A workout of about two hours: every built-in exercise, round after round."""
    lines = [
        'title: "Benchmark: two hours of hamstrings"',
        "about: Every built-in exercise, again and again.",
        "exercises:",
        "  - id: wall-sit",
        "    name: Wall sit",
        "    hold: 40s",
        "    cues: [Back flat on the wall., Knees over your ankles.]",
        "defaults:",
        "  rest: 45s",
        "  count: tempo",
        "blocks:",
    ]
    for r in range(rounds):
        for i, exercise in enumerate(EXERCISES):
            lines += [
                f"  - exercise: {exercise}",
                f"    sets: {2 + (r + i) % 2}",
                f"    reps: {6 + (r + i) % 5}",
                "    rest: 40s",
            ]
        lines += [
            "  - exercise: wall-sit",
            "    sets: 2",
            f"  - say: Round {r + 1} is done. Drink some water.",
            "  - rest: 30s",
        ]
    return "\n".join(lines) + "\n"


def child(
    workout: str, fmt: str, out: Path, music: str | None = None, engine: str = "", workers: str = ""
) -> None:
    """One export, the way ``voicecoach export`` does it; prints its figures as JSON."""
    start = time.perf_counter()
    from voicecoach.compiler.present import timeline_json
    from voicecoach.model import VoiceSettings
    from voicecoach.session import prepare
    from voicecoach.sound.export import export_timeline
    from voicecoach.sound.render import RenderOptions

    session = prepare(
        workout, VoiceSettings(engine=engine or None), workers=int(workers) if workers else None
    )
    compiled_at = time.perf_counter()
    timeline = session.timeline
    mix = None
    if music:
        from voicecoach.compiler.compile import compile_workout
        from voicecoach.sound.music import open_music
        from voicecoach.voices.base import EstimatedLengths

        # The estimate sets the music's level, as in ``voicecoach export`` (``cli._music``).
        estimate = compile_workout(session.workout, EstimatedLengths(timeline.sample_rate))
        mix = open_music(music, estimate, warn=print)
    options = RenderOptions(music=mix)
    export_timeline(timeline, session.speech, out, fmt, force=True, options=options)
    done = time.perf_counter()
    out.with_name(out.name + ".json").write_text(timeline_json(timeline), encoding="utf-8")
    print(
        json.dumps(
            {
                "seconds": done - start,
                "compile_seconds": compiled_at - start,
                "audio_seconds": timeline.duration / timeline.sample_rate,
                "synth_calls": getattr(session.speech, "synth_calls", None),
                "phrases": len({e.text for e in timeline.events}),
                "events": len(timeline.events),
            }
        )
    )


def run(
    workout: str,
    fmt: str,
    out: Path,
    cache: Path,
    music: Path | None = None,
    engine: str = "",
    workers: str = "",
    cpus: set[int] | None = None,
) -> dict[str, float]:
    """Run one export in a child process (on ``cpus`` only, if given: its workers inherit
    that); add its peak memory (from the kernel's accounting)."""
    env = dict(os.environ, VOICECOACH_CACHE_DIR=str(cache))
    cmd = [sys.executable, __file__, "--child", workout, fmt, str(out), str(music or "")]
    cmd += [engine, workers]
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True, preexec_fn=pin)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"export failed: {' '.join(cmd)}")
    figures: dict[str, float] = json.loads(output)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    figures["peak_mb"] = usage.ru_maxrss * scale / 1e6
    return figures


def onsets(audio_path: Path, timeline_path: Path, lossy: bool = False) -> dict[str, float]:
    """Each event's onset and tail in the decoded file, against the timeline.

    Exact formats are searched from the previous event's end with the
    THRESHOLD; a lossy codec smears a little noise around each phrase (pre-
    and post-echo), so for it the search starts ``LOSSY_MARGIN_MS`` before
    the event, sound counts from ``LOSSY_THRESHOLD``, and a spill is sound
    more than the margin past the end.
    """
    import numpy as np
    import soundfile as sf

    timeline = json.loads(timeline_path.read_text(encoding="utf-8"))
    rate = timeline["sample_rate"]
    events = timeline["events"]
    threshold = LOSSY_THRESHOLD if lossy else THRESHOLD
    margin = rate * LOSSY_MARGIN_MS // 1000 if lossy else 0
    errors = []
    spills = 0
    missing = 0
    info = sf.info(str(audio_path))
    if info.samplerate != rate:
        raise SystemExit(f"{audio_path}: {info.samplerate} Hz, the timeline is {rate} Hz")
    duration = round(timeline["duration_s"] * rate)
    if info.frames != duration:
        raise SystemExit(f"{audio_path}: {info.frames} samples, the timeline has {duration}")
    reader = _Reader(decoded(audio_path, rate))
    previous_end = 0
    for i, event in enumerate(events):
        start, end = event["start"], event["end"]
        following = events[i + 1]["start"] if i + 1 < len(events) else info.frames
        lo = max(previous_end, start - margin) if lossy else min(previous_end, start)
        window = reader.read(lo, following).astype(np.int32)
        loud = np.flatnonzero(np.abs(window) >= threshold)
        spoken = loud[loud < end - lo]
        if spoken.size == 0:
            missing += 1
        else:
            errors.append(int(spoken[0]) + lo - start)
        if np.any(loud >= end + margin - lo):
            spills += 1
        previous_end = end
    err = np.abs(np.array(errors)) / rate * 1000 if errors else np.zeros(1)
    return {
        "events": len(events),
        "max_ms": float(err.max()),
        "mean_ms": float(err.mean()),
        "within_1ms": int(np.sum(err <= 1.0)),
        "missing": missing,
        "spills": spills,
    }


class _Reader:
    """Hands out forward-moving windows of a decoded stream, holding only what is still needed."""

    def __init__(self, blocks: Iterator[Any]) -> None:
        import numpy as np

        self._np = np
        self._blocks = blocks
        self._start = 0
        self._buf = np.zeros(0, dtype=np.int16)

    def read(self, lo: int, hi: int) -> Any:
        np = self._np
        if lo > self._start:
            self._buf = self._buf[lo - self._start :]
            self._start = lo
        parts = [self._buf]
        have = len(self._buf)
        while self._start + have < hi:
            block = next(self._blocks, None)
            if block is None:
                break
            block = np.asarray(block, dtype=np.int16)
            skip = max(0, lo - (self._start + have))
            parts.append(block[skip:])
            have += len(block) - skip
        self._buf = np.concatenate(parts)
        return self._buf[: hi - self._start]


def decoded(path: Path, rate: int) -> Iterator[Any]:
    """The file's samples in blocks, mono 16-bit.

    MP3 goes through miniaudio (dr_mp3): libsndfile's mp3 reader garbles
    frames when it is read in pieces, which would be the bench's fault.
    """
    if path.suffix == ".mp3":
        import miniaudio

        yield from miniaudio.stream_file(
            str(path), nchannels=1, sample_rate=rate, frames_to_read=1 << 16
        )
        return
    import soundfile as sf

    for block in sf.blocks(str(path), blocksize=1 << 16, dtype="int16", always_2d=True):
        yield block[:, 0]


def bench(name: str, workout: str, folder: Path) -> list[str]:
    failures = []
    print(f"\n{name}")
    results: dict[str, dict[str, float]] = {}
    caches: dict[str, Path] = {}
    for fmt in ("wav", "mp3"):
        cache = caches[fmt] = Path(tempfile.mkdtemp(prefix="cache-", dir=folder))
        for state in ("cold", "warm"):
            out = folder / f"{name}-{state}.{fmt}"
            figures = run(workout, fmt, out, cache)
            results[f"{fmt} {state}"] = figures
            speed = figures["audio_seconds"] / figures["seconds"]
            target = TARGETS[f"{fmt} {state}"]
            ok = speed >= target
            if not ok:
                failures.append(f"{name} {fmt} {state}: {speed:.0f}x < {target:.0f}x")
            print(
                f"  {fmt} {state}: {figures['seconds']:6.2f} s for "
                f"{figures['audio_seconds'] / 60:5.1f} min = {speed:6.0f}x real time "
                f"(target {target:.0f}x {'ok' if ok else 'MISSED'}); "
                f"compile {figures['compile_seconds']:.2f} s; "
                f"synth calls {figures['synth_calls']} for {figures['phrases']} phrases, "
                f"{figures['events']} prompts; peak {figures['peak_mb']:.0f} MB"
            )
    peak = max(r["peak_mb"] for r in results.values())
    if peak >= 200:
        failures.append(f"{name}: peak memory {peak:.0f} MB >= 200 MB")
    for fmt in ("wav", "mp3"):
        out = folder / f"{name}-warm.{fmt}"
        check = onsets(out, out.with_name(out.name + ".json"), lossy=fmt == "mp3")
        print(
            f"  onsets in the {fmt}: {check['within_1ms']}/{check['events']} within 1 ms, "
            f"max error {check['max_ms']:.3f} ms, mean {check['mean_ms']:.3f} ms; "
            f"{check['missing']} silent, {check['spills']} heard past their end"
        )
        if fmt == "wav" and (
            check["within_1ms"] != check["events"] or check["missing"] or check["spills"]
        ):
            failures.append(f"{name}: onsets in the wav off by up to {check['max_ms']:.3f} ms")
    for fmt in ("wav", "mp3"):
        failures += bench_loudness(name, folder / f"{name}-warm.{fmt}")
    if name == "monday":
        failures += bench_pydub(name, folder, results["mp3 warm"]["seconds"], caches["mp3"])
    return failures


WORKERS_SPEEDUP = 1.7
"""A cold export on the machine's cores against the same on one core."""
WORKER_RUNS = ("one core", "1 worker", "2 workers")
REPEATS = 3
WORKER_ENGINES = ("pyttsx3", "piper")


def bench_workers(name: str, workout: str, folder: Path) -> list[str]:
    """A cold export (wav) on one core, and on every core with one synthesizing process and
    with two, for each engine; each taken in turn, ``REPEATS`` times, and the medians compared
    (other work on the machine moves single runs)."""
    failures = []
    one_core = {min(os.sched_getaffinity(0))}
    for engine in WORKER_ENGINES:
        seconds: dict[str, list[float]] = {label: [] for label in WORKER_RUNS}
        peaks: dict[str, float] = {}
        for _ in range(REPEATS):
            for label in WORKER_RUNS:
                cache = Path(tempfile.mkdtemp(prefix="workers-", dir=folder))
                out = folder / f"{name}-{engine}-workers.wav"
                workers = "2" if label == "2 workers" else "1"
                cpus = one_core if label == "one core" else None
                figures = run(workout, "wav", out, cache, None, engine, workers, cpus)
                seconds[label].append(figures["seconds"])
                peaks[label] = max(peaks.get(label, 0.0), figures["peak_mb"])
        median = {label: float(np.median(times)) for label, times in seconds.items()}
        from voicecoach.voices.workers import default_workers

        chosen = "2 workers" if default_workers(engine) > 1 else "1 worker"
        gain = median["one core"] / median[chosen]
        ok = gain >= WORKERS_SPEEDUP
        print(
            f"  cold export with {engine} (median of {REPEATS}): one core "
            f"{median['one core']:.2f} s; two cores, one worker {median['1 worker']:.2f} s "
            f"({median['one core'] / median['1 worker']:.2f}x, peak {peaks['1 worker']:.0f} MB), "
            f"two workers {median['2 workers']:.2f} s "
            f"({median['one core'] / median['2 workers']:.2f}x, peak {peaks['2 workers']:.0f} MB "
            f"in the command's process); voicecoach uses {chosen}: {gain:.2f}x "
            f"(target {WORKERS_SPEEDUP}x {'ok' if ok else 'MISSED'})"
        )
        if not ok:
            failures.append(f"{name} cold export, {engine}: {gain:.2f}x on two cores")
    return failures


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from ffmpeg's EBU R128 meter."""
    import re

    done = subprocess.run(
        [
            "ffmpeg",
            "-nostats",
            "-hide_banner",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def bench_loudness(name: str, path: Path) -> list[str]:
    """``loudness_child`` in a process of its own: the decoded session would raise this
    process's peak memory, which the children forked later would report as theirs."""
    cmd = [sys.executable, __file__, "--loudness-child", name, str(path)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    *lines, last = done.stdout.rstrip().splitlines()
    print("\n".join(lines))
    failures: list[str] = json.loads(last)
    return failures


def loudness_child(name: str, path: Path) -> None:
    """The file's loudness and true peak (ffmpeg), and the spread of its phrases' loudness."""
    import pyloudnorm

    from voicecoach.voices.level import heard_loudness

    integrated, peak = ebur128(path)
    timeline = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    rate = timeline["sample_rate"]
    samples = np.concatenate(list(decoded(path, rate))).astype(np.float64) / 32768
    by_text: dict[str, float] = {}
    for event in timeline["events"]:
        if event["text"] not in by_text:
            by_text[event["text"]] = heard_loudness(samples[event["start"] : event["end"]], rate)
    spread = max(by_text.values()) - min(by_text.values())
    checked = pyloudnorm.Meter(rate).integrated_loudness(samples)
    target, tolerance = LOUDNESS
    ok_level = abs(integrated - target) <= tolerance
    ok_peak = peak <= TRUE_PEAK
    ok_spread = spread <= PHRASE_SPREAD
    what = " with music" if path.stem.endswith("-music") else ""
    print(
        f"  loudness of the {path.suffix[1:]}{what}: {integrated:.1f} LUFS integrated (pyloudnorm "
        f"{checked:.1f}; target {target:.0f} ±{tolerance:.0f} {'ok' if ok_level else 'MISSED'}), "
        f"true peak {peak:.1f} dBTP (target <= {TRUE_PEAK:.0f} {'ok' if ok_peak else 'MISSED'}), "
        f"{len(by_text)} phrases within {spread:.1f} LU "
        f"(target {PHRASE_SPREAD:.0f} {'ok' if ok_spread else 'MISSED'})"
    )
    failures = []
    if not ok_level:
        failures.append(f"{name} {path.suffix}: {integrated:.1f} LUFS")
    if not ok_peak:
        failures.append(f"{name} {path.suffix}: true peak {peak:.1f} dBTP")
    if not ok_spread:
        failures.append(f"{name} {path.suffix}: phrases {spread:.1f} LU apart")
    print(json.dumps(failures))


def pydub_child(timeline_path: Path, out: Path) -> None:
    """The peers' approach on the same timeline, timed: a WAV clip per phrase (as pyttsx3
    leaves them, written before the clock starts), joined with pydub, encoded by ffmpeg."""
    import soundfile as sf
    from pydub import AudioSegment

    from voicecoach.voices import open_speech

    timeline = json.loads(timeline_path.read_text(encoding="utf-8"))
    rate = timeline["sample_rate"]
    speech = open_speech()
    clips: dict[str, Path] = {}
    for event in timeline["events"]:
        if event["text"] not in clips:
            clip = out.with_name(f"clip-{len(clips)}.wav")
            sf.write(str(clip), speech.audio(event["text"]), rate, subtype="PCM_16")
            clips[event["text"]] = clip
    started = time.perf_counter()
    track = AudioSegment.silent(duration=0, frame_rate=rate)
    at_ms = 0
    for event in timeline["events"]:
        start_ms = event["start"] * 1000 // rate
        track += AudioSegment.silent(duration=max(0, start_ms - at_ms), frame_rate=rate)
        clip = AudioSegment.from_wav(str(clips[event["text"]]))
        track += clip
        at_ms = start_ms + len(clip)
    end_ms = round(timeline["duration_s"] * 1000)
    track += AudioSegment.silent(duration=max(0, end_ms - at_ms), frame_rate=rate)
    track.export(str(out), format="mp3")
    print(json.dumps({"seconds": time.perf_counter() - started}))


def bench_pydub(name: str, folder: Path, ours: float, cache: Path) -> list[str]:
    timeline = folder / f"{name}-warm.mp3.json"
    env = dict(os.environ, VOICECOACH_CACHE_DIR=str(cache))
    cmd = [sys.executable, __file__, "--pydub-child", str(timeline), str(folder / "pydub.mp3")]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    theirs = float(json.loads(done.stdout)["seconds"])
    ratio = theirs / ours
    ok = ratio >= PYDUB_RATIO
    print(
        f"  mp3 against the peers' approach (pydub joins, ffmpeg encodes): {theirs:.2f} s "
        f"against our {ours:.2f} s = {ratio:.1f}x (target {PYDUB_RATIO:.0f}x "
        f"{'ok' if ok else 'MISSED'})"
    )
    return [] if ok else [f"{name} mp3: {ratio:.1f}x the pydub baseline < {PYDUB_RATIO:.0f}x"]


FIRST_SOUND_TARGETS = {"cold": 2.0, "warm": 0.5}
DRIFT_TARGET_MS = 20.0
ROOT = Path(__file__).resolve().parent.parent


def first_sound(
    workout: str, cache: Path, folder: Path, music: Path | None = None, engine: str = ""
) -> tuple[float, float]:
    """Seconds from launching ``voicecoach play`` to the first sound at the device (the
    first sample that is not silence in what the capture device was given), and the play
    process's peak memory (MB). The command runs as a user runs it, nothing wrapped."""
    # A log of its own each time: after a finished session the next asks for more reps,
    # whose phrases would be new to a "warm" cache.
    data = tempfile.mkdtemp(prefix="play-data-", dir=folder)
    # Into a file of its own, removed after: ALSA's file plugin never writes over a file
    # that is there, so a capture named /dev/null would go on to /dev/null.0001, ...
    capture = Path(data) / "capture.raw"
    env = dict(
        os.environ,
        VOICECOACH_CACHE_DIR=str(cache),
        VOICECOACH_DATA_DIR=data,
        ALSA_CONFIG_PATH=str(ROOT / "audio" / "alsa-capture.conf"),
        VOICECOACH_CAPTURE=str(capture),
    )
    flags = [*(["--music", str(music)] if music else []), *(["--engine", engine] if engine else [])]
    cmd = [sys.executable, "-m", "voicecoach", "play", workout, *flags]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    heard = _first_sound_in(capture, proc.pid)
    seconds = heard - started if heard is not None else math.inf
    _, status, usage = os.wait4(proc.pid, 0)
    for part in capture.parent.glob(capture.name + "*"):
        part.unlink()
    if status != 0:
        raise SystemExit(f"play failed: {' '.join(cmd)}")
    scale = 1 if sys.platform == "darwin" else 1024
    return seconds, usage.ru_maxrss * scale / 1e6


def _first_sound_in(capture: Path, pid: int) -> float | None:
    """When the first sample that is not silence reached ``capture`` (``time.monotonic``),
    read as the device is fed; None if process ``pid`` ended first."""
    done = 0
    while True:
        try:
            with capture.open("rb") as f:
                f.seek(done)
                new = f.read()
        except FileNotFoundError:
            new = b""
        now = time.monotonic()
        usable = len(new) - len(new) % 2
        if usable and np.frombuffer(new[:usable], dtype="<i2").any():
            return now
        done += usable
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return None
        time.sleep(0.002)


def bench_first_sound(
    name: str, workout: str, folder: Path, music: Path | None = None
) -> list[str]:
    """First sound and peak memory of play, with piper and with pyttsx3 (with music: the
    default voice only)."""
    failures = []
    what = " with music" if music else ""
    for engine in [""] if music else ["piper", "pyttsx3"]:
        cache = Path(tempfile.mkdtemp(prefix="play-cache-", dir=folder))
        voice = f" with {engine}" if engine else ""
        for state in ("cold", "warm"):
            seconds, peak = first_sound(workout, cache, folder, music, engine)
            target = FIRST_SOUND_TARGETS[state]
            ok = seconds <= target
            if not ok:
                failures.append(
                    f"{name} first sound{voice}{what} {state}: {seconds:.2f} s > {target:g} s"
                )
            memory_ok = peak < PLAY_PEAK_MB
            if not memory_ok:
                failures.append(f"{name} play{voice}{what} {state}: peak {peak:.0f} MB")
            print(
                f"  play{voice}{what}, first sound at the device, {state} cache: "
                f"{seconds:.2f} s (target {target:g} s {'ok' if ok else 'MISSED'}); peak memory "
                f"{peak:.0f} MB (target {PLAY_PEAK_MB:.0f} {'ok' if memory_ok else 'MISSED'})"
            )
    return failures


MUSIC_TARGET = 100.0
MEMORY_FLAT_MB = 25.0


def make_music(folder: Path, tracks: int, seconds: float) -> Path:
    """Generated music: each track a chord of tones over a little noise, 44.1 kHz stereo."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    kinds = [(".mp3", "MP3"), (".ogg", "OGG"), (".flac", "FLAC"), (".wav", "WAV")]
    rng = np.random.default_rng(tracks)
    rate = 44100
    for i in range(tracks):
        suffix, container = kinds[i % len(kinds)]
        with sf.SoundFile(
            folder / f"{i + 1:03d} track{suffix}", "w", rate, 2, format=container
        ) as out:
            for at in range(0, int(seconds * rate), 1 << 15):
                t = (at + np.arange(1 << 15)) / rate
                x = sum(0.1 * np.sin(2 * np.pi * f * (1 + i / 20) * t) for f in (110, 220, 330))
                x = x * (0.6 + 0.4 * np.sin(2 * np.pi * t / 7)) + 0.02 * rng.standard_normal(len(t))
                out.write(np.repeat(x[:, None], 2, axis=1).astype(np.float32))
    return folder


def bench_music(name: str, workout: str, folder: Path, few: Path, many: Path) -> list[str]:
    """Export with music: to wav (what the music itself costs) with its tracks measured for
    the first time and again from the cache, with 4 and with 60 tracks; then to mp3."""
    failures = []
    phrases = Path(tempfile.mkdtemp(prefix="music-cache-", dir=folder))
    run(workout, "wav", folder / f"{name}-voice.wav", phrases)  # the phrases, made once
    peaks = {}
    runs = [
        ("wav", "4 tracks", few, "measured now"),
        ("wav", "4 tracks", few, "measured before"),
        ("wav", "60 tracks", many, "measured now"),
        ("wav", "60 tracks", many, "measured before"),
        ("mp3", "4 tracks", few, "measured before"),
    ]
    caches: dict[str, Path] = {}
    for fmt, label, music, state in runs:
        if label not in caches:  # the phrases warm, the music never measured
            caches[label] = Path(tempfile.mkdtemp(prefix="music-cache-", dir=folder))
            for sub in phrases.iterdir():
                os.symlink(sub, caches[label] / sub.name)
        out = folder / f"{name}-music.{fmt}"
        figures = run(workout, fmt, out, caches[label], music)
        speed = figures["audio_seconds"] / figures["seconds"]
        ok = speed >= MUSIC_TARGET
        if not ok:
            failures.append(f"{name} {fmt} with music ({label}, {state}): {speed:.0f}x")
        peaks[label] = max(peaks.get(label, 0.0), figures["peak_mb"])
        print(
            f"  {fmt} with music, {label}, {state}: {figures['seconds']:6.2f} s = "
            f"{speed:5.0f}x real time (target {MUSIC_TARGET:.0f}x {'ok' if ok else 'MISSED'}); "
            f"peak {figures['peak_mb']:.0f} MB"
        )
    failures += bench_loudness(f"{name} with music", folder / f"{name}-music.mp3")
    spread = max(peaks.values()) - min(peaks.values())
    print(f"  peak memory, 4 tracks against 60: {spread:+.0f} MB apart")
    if spread > MEMORY_FLAT_MB:
        failures.append(f"{name}: peak memory grows {spread:.0f} MB with the number of tracks")
    MUSIC_PEAKS[name] = max(peaks.values())
    return failures


MUSIC_PEAKS: dict[str, float] = {}


def bench_drift(minutes: float, folder: Path) -> list[str]:
    """Play the long workout on the null device in real time; compare samples handed with
    the time passed."""
    from voicecoach.player.history import SafeLog
    from voicecoach.player.keys import NoKeys
    from voicecoach.player.play import Player
    from voicecoach.session import prepare
    from voicecoach.sound.sinks import open_sink

    path = folder / "drift.yaml"
    path.write_text(long_workout(max(1, int(minutes // 25) + 1)), encoding="utf-8")
    session = prepare(path)
    speech, timeline = session.speech, session.timeline
    rate = timeline.sample_rate
    sink = open_sink("null", rate)
    samples: list[float] = []
    began: list[float] = []

    class Watch(NoKeys):
        """Looks at the clock each tick; quits after the run's length."""

        def read(self, timeout: float) -> str | None:
            super().read(timeout)
            feed = player.feed
            if feed is None or feed.handed == 0:
                return None
            now = time.perf_counter()
            if not began:
                began.append(now - feed.handed / rate)
            samples.append((feed.handed / rate - (now - began[0])) * 1000)
            return "q" if now - began[0] >= minutes * 60 else None

    player = Player(timeline, speech, sink, Watch(), SafeLog(None, print))
    outcome = player.run()
    offsets = np.array(samples) if samples else np.zeros(1)
    tenth = max(1, len(offsets) // 10)
    # The count moves a device period (20 ms) at a time and is read at random moments
    # between moves: the medians at the start and the end of the run cancel that out.
    drift = float(np.median(offsets[-tenth:]) - np.median(offsets[:tenth]))
    spread = abs(drift)
    print(
        f"\nplayer clock on the null device over {minutes:g} min: the samples handed over "
        f"drifted {drift:+.1f} ms from the time that passed ({len(samples)} readings, each "
        f"within {offsets.min():+.1f}..{offsets.max():+.1f} ms, a device period's steps); "
        f"render late for {outcome.underrun} samples"
    )
    failures = []
    if spread > DRIFT_TARGET_MS:
        failures.append(f"drift {spread:.1f} ms > {DRIFT_TARGET_MS:.0f} ms")
    if outcome.underrun:
        failures.append(f"the render was late for {outcome.underrun} samples")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="monday only")
    parser.add_argument("--rounds", type=int, default=4, help="rounds in the long workout")
    parser.add_argument(
        "--drift-minutes", type=float, default=3, help="length of the null-device run"
    )
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--pydub-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--loudness-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        workout, fmt, out, music, engine, workers = args.child
        child(workout, fmt, Path(out), music or None, engine, workers)
        return
    if args.loudness_child:
        loudness_child(args.loudness_child[0], Path(args.loudness_child[1]))
        return
    if args.pydub_child:
        pydub_child(Path(args.pydub_child[0]), Path(args.pydub_child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as tmp:
        folder = Path(tmp)
        os.environ["VOICECOACH_CONFIG_DIR"] = str(folder / "config")
        few = make_music(folder / "music-4", 4, 240)
        many = make_music(folder / "music-60", 60, 30)
        failures = bench("monday", "monday", folder)
        failures += bench_first_sound("monday", "monday", folder)
        failures += bench_workers("monday", "monday", folder)
        failures += bench_music("monday", "monday", folder, few, many)
        failures += bench_first_sound("monday", "monday", folder, few)
        if not args.quick:
            long_path = folder / "two-hours.yaml"
            long_path.write_text(long_workout(args.rounds), encoding="utf-8")
            failures += bench("two-hours", str(long_path), folder)
            failures += bench_first_sound("two-hours", str(long_path), folder)
            failures += bench_music("two-hours", str(long_path), folder, few, many)
            failures += bench_first_sound("two-hours", str(long_path), folder, few)
            grown = MUSIC_PEAKS["two-hours"] - MUSIC_PEAKS["monday"]
            print(f"\npeak memory with music, two hours against monday: {grown:+.0f} MB")
            if grown > MEMORY_FLAT_MB:
                failures.append(f"peak memory with music grows {grown:.0f} MB with the session")
        os.environ["VOICECOACH_CACHE_DIR"] = str(folder / "drift-cache")
        failures += bench_drift(args.drift_minutes, folder)
    print()
    if failures:
        print("Missed targets:\n  " + "\n  ".join(failures))
        raise SystemExit(1)
    print("All targets met.")


if __name__ == "__main__":
    main()
