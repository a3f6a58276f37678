"""Export: files read back to the sample, tags and chapters read back, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fakes import FakeEngine
from typer.testing import CliRunner

from voicecoach import paths
from voicecoach.cli import app
from voicecoach.errors import InputError
from voicecoach.model import Chapter, Event, Timeline
from voicecoach.sound.export import (
    Target,
    check_target,
    export_split,
    export_timeline,
    plan_target,
    safe_name,
    split_names,
)
from voicecoach.sound.render import render_all
from voicecoach.voices.cache import PhraseCache

RATE = 22050


def session(speech: PhraseCache, seconds: int = 12) -> Timeline:
    """Three chapters of counts, one a second, like a short workout."""
    words = ["one", "two", "three", "four"]
    events = []
    for s in range(seconds):
        text = words[s % 4]
        start = s * RATE + 1103
        events.append(Event(start, start + speech.length(text), "count", text))
    duration = seconds * RATE + RATE // 2
    third = seconds // 3 * RATE
    chapters = (
        Chapter("Introduction", 0, third),
        Chapter("Hip hinge / drill", third, 2 * third),
        Chapter("Supine march", 2 * third, duration),
    )
    return Timeline("Test: a short one", RATE, duration, chapters, tuple(events), workout="test")


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(
    ("output", "fmt", "split", "expected"),
    [
        (None, None, False, Target(Path("/w/monday.mp3"), "mp3")),
        (None, "OGG", False, Target(Path("/w/monday.ogg"), "ogg")),
        ("x.flac", None, False, Target(Path("/w/x.flac"), "flac")),
        ("x.flac", "flac", False, Target(Path("/w/x.flac"), "flac")),
        ("music/", "opus", False, Target(Path("/w/music/monday.opus"), "opus")),
        ("/abs/run", None, False, Target(Path("/abs/run.mp3"), "mp3")),
        ("my.session", "wav", False, Target(Path("/w/my.session.wav"), "wav")),
        (None, None, True, Target(Path("/w/monday"), "mp3", True)),
        ("parts", "ogg", True, Target(Path("/w/parts"), "ogg", True)),
    ],
)
def test_where_an_export_goes(
    output: str | None, fmt: str | None, split: bool, expected: Target
) -> None:
    assert plan_target("monday", output, fmt, split, cwd=Path("/w")) == expected


def test_an_existing_folder_as_output_gets_the_workout_name(tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    target = plan_target("monday", "music", None, False, cwd=tmp_path)
    assert target.path == tmp_path / "music" / "monday.mp3"


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [
        (None, "aac", "unknown format 'aac': choose one of mp3, ogg, opus, flac, wav"),
        ("x.ogg", "mp3", "-o x.ogg ends in .ogg but --format is mp3: make them agree"),
    ],
)
def test_bad_export_arguments(output: str | None, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace(".", r"\.")):
        plan_target("monday", output, fmt)


def test_an_existing_file_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "monday.mp3").write_bytes(b"keep me")
    target = plan_target("monday", None, None, cwd=tmp_path)
    with pytest.raises(InputError, match="monday.mp3 already exists; use --force to replace it"):
        check_target(target, force=False)
    check_target(target, force=True)


def test_a_file_where_a_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    target = plan_target("monday", "blocker/sub/", None, cwd=tmp_path)
    with pytest.raises(InputError, match="blocker is a file, not a folder"):
        check_target(target, force=False)
    with pytest.raises(InputError, match="with --split, -o names a folder"):
        plan_target("monday", "blocker", None, split=True, cwd=tmp_path)


def test_file_names_are_safe_everywhere() -> None:
    assert safe_name('Hip hinge / drill: "easy"?') == "Hip hinge drill easy"
    assert safe_name("..") == ""


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_lossless_exports_read_back_to_the_sample(
    fmt: str, speech: PhraseCache, tmp_path: Path
) -> None:
    timeline = session(speech)
    path = export_timeline(timeline, speech, tmp_path / f"s.{fmt}", fmt)
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == RATE
    assert np.array_equal(data, render_all(timeline, speech))
    assert no_temporary_files(tmp_path)


def test_wav_onsets_match_the_timeline(speech: PhraseCache, tmp_path: Path) -> None:
    timeline = session(speech)
    data, _ = sf.read(
        str(export_timeline(timeline, speech, tmp_path / "s.wav", "wav")), dtype="int16"
    )
    loud = np.abs(data.astype(np.int32)) >= 32
    previous_end = 0
    for event in timeline.events:
        assert previous_end + int(np.argmax(loud[previous_end : event.end])) == event.start
        previous_end = event.end


def test_mp3_has_id3v23_tags_and_a_chapter_per_exercise(
    speech: PhraseCache, tmp_path: Path
) -> None:
    from mutagen.id3 import ID3
    from mutagen.mp3 import MP3

    timeline = session(speech)
    path = export_timeline(timeline, speech, tmp_path / "s.mp3", "mp3")
    tags = ID3(str(path))
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Test: a short one"
    assert str(tags["TPE1"]) == "voicecoach"
    toc = tags["CTOC:toc"]
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    chapters = [tags[f"CHAP:{i}"] for i in toc.child_element_ids]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [c.title for c in timeline.chapters]
    assert [(c.start_time, c.end_time) for c in chapters] == [
        (c.start * 1000 // RATE, c.end * 1000 // RATE) for c in timeline.chapters
    ]
    info = MP3(str(path)).info
    assert info.channels == 1 and info.sample_rate == RATE
    assert abs(info.length - timeline.duration / RATE) < 0.1
    assert sf.info(str(path)).frames == timeline.duration


def test_mp3_decodes_with_every_count_on_its_beat(speech: PhraseCache, tmp_path: Path) -> None:
    import miniaudio

    timeline = session(speech)
    path = export_timeline(timeline, speech, tmp_path / "s.mp3", "mp3")
    decoded = miniaudio.decode_file(str(path), nchannels=1, sample_rate=RATE)
    lossy = np.abs(np.array(decoded.samples, dtype=np.int32)) >= 300
    exact = np.abs(render_all(timeline, speech).astype(np.int32)) >= 300
    assert len(lossy) == timeline.duration
    for event in timeline.events:
        # Above the codec's noise, each word starts where the exact render's does.
        lo = event.start - RATE // 20
        onset = int(np.argmax(lossy[lo : event.end]))
        assert abs(onset - int(np.argmax(exact[lo : event.end]))) <= RATE // 1000, event


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_mp3_info_tag_gives_players_the_exact_length_and_no_delay(
    tmp_path: Path, rate: int
) -> None:
    import miniaudio

    from voicecoach.sound.mp3 import write_mp3

    t = np.arange(rate * 2) / rate
    tone = (np.sin(2 * np.pi * 440 * t) * 8000 * (t > 0.5)).astype(np.int16)
    path = tmp_path / "tone.mp3"
    write_mp3(path, rate, [tone[:5000], tone[5000:]])
    assert sf.info(str(path)).frames == len(tone)
    decoded = np.array(
        miniaudio.decode_file(str(path), nchannels=1, sample_rate=rate).samples, dtype=np.int16
    )
    assert len(decoded) == len(tone)
    # The tone starts at 0.5 s in the file too, not an encoder delay later.
    onset = int(np.argmax(np.abs(decoded.astype(np.int32)) >= 2000))
    assert abs(onset - rate // 2) <= rate // 1000


@pytest.mark.parametrize("fmt", ["ogg", "opus", "flac"])
def test_vorbis_comment_formats_carry_tags_and_chapters(
    fmt: str, speech: PhraseCache, tmp_path: Path
) -> None:
    import mutagen

    timeline = session(speech)
    path = export_timeline(timeline, speech, tmp_path / f"s.{fmt}", fmt)
    tags = mutagen.File(str(path)).tags
    assert tags["TITLE"] == ["Test: a short one"]
    assert tags["CHAPTER002"] == ["00:00:04.000"]
    assert tags["CHAPTER002NAME"] == ["Hip hinge / drill"]


def test_opus_is_resampled_to_48_khz(speech: PhraseCache, tmp_path: Path) -> None:
    timeline = session(speech)
    path = export_timeline(timeline, speech, tmp_path / "s.opus", "opus")
    info = sf.info(str(path))
    assert info.samplerate == 48000 and info.channels == 1
    assert abs(info.frames - timeline.duration * 48000 / RATE) < 48
    data, _ = sf.read(str(path), dtype="float32")
    # Still the same voice at the same places: a count a second after 23 ms.
    first = int(np.argmax(np.abs(data) > 0.01))
    assert abs(first - 1103 * 48000 // RATE) < 48 * 3


def test_split_writes_numbered_parts_and_a_playlist(speech: PhraseCache, tmp_path: Path) -> None:
    timeline = session(speech)
    folder = tmp_path / "parts"
    result = export_split(timeline, speech, folder, "wav", stem="test")
    names = [p.name for p in result.files]
    assert names == ["01 Introduction.wav", "02 Hip hinge drill.wav", "03 Supine march.wav"]
    assert (names, "test.m3u8") == split_names(timeline, "wav", "test")
    parts = [sf.read(str(p), dtype="int16")[0] for p in result.files]
    assert np.array_equal(np.concatenate(parts), render_all(timeline, speech))
    playlist = result.playlist.read_text(encoding="utf-8").splitlines()
    assert playlist[:4] == [
        "#EXTM3U",
        "#PLAYLIST:Test: a short one",
        "#EXTINF:4,Introduction",
        "01 Introduction.wav",
    ]
    assert playlist[-1] == "03 Supine march.wav"
    assert no_temporary_files(folder)


def test_split_mp3_parts_are_numbered_tracks(speech: PhraseCache, tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    result = export_split(session(speech, 6), speech, tmp_path, "mp3", stem="test")
    tags = ID3(str(result.files[1]))
    assert str(tags["TRCK"]) == "2/3"
    assert str(tags["TIT2"]) == "Hip hinge / drill"
    assert str(tags["TALB"]) == "Test: a short one"


def test_split_refuses_to_overwrite_without_force(speech: PhraseCache, tmp_path: Path) -> None:
    timeline = session(speech, 6)
    (tmp_path / "02 Hip hinge drill.mp3").write_bytes(b"keep")
    with pytest.raises(InputError, match="02 Hip hinge drill.mp3 already exists"):
        export_split(timeline, speech, tmp_path, "mp3", stem="test")
    assert (tmp_path / "02 Hip hinge drill.mp3").read_bytes() == b"keep"
    assert not (tmp_path / "01 Introduction.mp3").exists()


def test_force_replaces_an_existing_file(speech: PhraseCache, tmp_path: Path) -> None:
    path = tmp_path / "s.wav"
    path.write_bytes(b"old")
    with pytest.raises(InputError, match="already exists"):
        export_timeline(session(speech), speech, path, "wav")
    assert path.read_bytes() == b"old"
    export_timeline(session(speech), speech, path, "wav", force=True)
    assert sf.info(str(path)).frames == session(speech).duration
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)


def test_a_file_made_meanwhile_is_not_overwritten(speech: PhraseCache, tmp_path: Path) -> None:
    path = tmp_path / "s.wav"

    def someone_else_writes(done: int, total: int) -> None:
        if done == total:
            path.write_bytes(b"theirs")

    with pytest.raises(InputError, match="already exists"):
        export_timeline(session(speech), speech, path, "wav", progress=someone_else_writes)
    assert path.read_bytes() == b"theirs"
    assert no_temporary_files(tmp_path)


def test_progress_counts_up_to_the_whole_session(speech: PhraseCache, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    timeline = session(speech)
    export_timeline(
        timeline, speech, tmp_path / "s.wav", "wav", progress=lambda d, t: seen.append((d, t))
    )
    assert seen[0] == (0, timeline.duration) and seen[-1] == (timeline.duration,) * 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("split", [False, True])
def test_ctrl_c_leaves_no_file_and_no_temporary_file(
    split: bool, speech: PhraseCache, tmp_path: Path
) -> None:
    def interrupt(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt

    timeline = session(speech, 60)
    with pytest.raises(KeyboardInterrupt):
        if split:
            export_split(timeline, speech, tmp_path, "wav", stem="t", progress=interrupt)
        else:
            export_timeline(timeline, speech, tmp_path / "s.wav", "wav", progress=interrupt)
    assert list(tmp_path.iterdir()) == []


KILLED = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from pathlib import Path
    from test_export import session
    from fakes import FakeEngine
    from voicecoach.sound.export import export_timeline
    from voicecoach.voices.cache import PhraseCache

    speech = PhraseCache(FakeEngine())
    def slowly(done, total):
        if done:
            print("writing", flush=True)
            time.sleep(0.05)
    export_timeline(session(speech, 600), speech, Path(sys.argv[1]), "wav", progress=slowly)
    """
)


def test_a_killed_export_leaves_nothing_under_the_final_name(tmp_path: Path) -> None:
    final = tmp_path / "killed.wav"
    tests = str(Path(__file__).parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(final), tests], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert not final.exists()
    # What it was writing is under a hidden temporary name, never the final one.
    assert [p.name.startswith(".killed.wav.") for p in tmp_path.iterdir()] == [True]


@pytest.fixture
def fake_voice(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """``open_speech`` handing out the fake engine behind a real cache, for CLI tests."""
    import voicecoach.voices

    engine = FakeEngine()
    monkeypatch.setattr(
        voicecoach.voices,
        "open_speech",
        lambda *args, **kwargs: PhraseCache(engine, on_synth=kwargs.get("on_synth")),
    )
    return engine


def test_cli_export_writes_an_mp3_with_a_chapter_per_exercise(
    fake_voice: FakeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mutagen.id3 import ID3

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", "friday"])
    assert result.exit_code == 0, result.output
    assert "Wrote " in result.output and "friday.mp3" in result.output
    tags = ID3(str(tmp_path / "friday.mp3"))
    titles = [str(tags[f"CHAP:{i}"].sub_frames["TIT2"]) for i in tags["CTOC:toc"].child_element_ids]
    assert titles[0] == "Introduction" and len(titles) >= 3
    again = CliRunner().invoke(app, ["export", "friday"])
    assert again.exit_code == 2
    assert "friday.mp3 already exists; use --force to replace it" in again.output


def test_cli_export_split_to_a_folder(
    fake_voice: FakeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", "friday", "--split", "-f", "flac", "--tone"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "friday").iterdir())
    assert files[0].startswith("01 Introduction.flac") and files[-1] == "friday.m3u8"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "friday", "--format", "aac"], "unknown format 'aac'"),
        (
            ["export", "friday", "-o", "x.ogg", "-f", "wav"],
            "-o x.ogg ends in .ogg but --format is wav",
        ),
        (["export", "nosuchday"], "no workout named `nosuchday`"),
        (["export", "friday", "--engine", "festival"], "unknown voice engine 'festival'"),
        (["voices", "--engine", "festival"], "unknown voice engine 'festival'"),
    ],
)
def test_cli_export_bad_arguments_exit_2_with_a_message(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.engine
def test_cli_export_with_the_real_voice_puts_every_count_on_its_beat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["export", "friday", "-f", "wav"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["show", "friday", "--json"])
    timeline = json.loads(shown.output)
    data, rate = sf.read("friday.wav", dtype="int16")
    assert rate == timeline["sample_rate"]
    assert len(data) == round(timeline["duration_s"] * rate)
    loud = np.abs(data.astype(np.int32)) >= 32
    previous_end = 0
    for event in timeline["events"]:
        onset = previous_end + int(np.argmax(loud[previous_end : event["end"]]))
        assert onset == event["start"], event
        assert not loud[event["end"] : event["end"] + 1].any()
        previous_end = event["end"]


@pytest.mark.engine
def test_cli_voices_lists_engines_and_marks_the_voice_in_use() -> None:
    result = CliRunner().invoke(app, ["voices", "--engine", "pyttsx3", "--voice", "en-us"])
    assert result.exit_code == 0, result.output
    assert (
        "In use: pyttsx3, voice gmw/en-us, 175 words per minute (chosen with --engine)"
        in result.output
    )
    assert any(line.startswith(" * gmw/en-us ") for line in result.output.splitlines())


def test_voices_says_when_the_configured_engine_does_not_work_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from voicecoach import voices
    from voicecoach.errors import EngineError

    real = voices.open_engine

    def without_piper(name: str, voice: str | None = None, rate: int | None = None) -> Any:
        if name == "piper":
            raise EngineError(
                'the piper voice engine is not installed: pip install "voicecoach[piper]"'
            )
        return real(name, voice, rate)

    monkeypatch.setattr(voices, "open_engine", without_piper)
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "config.yaml").write_text("voice:\n  engine: piper\n")
    result = CliRunner().invoke(app, ["voices"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"In use: piper (chosen in {paths.config_dir() / 'config.yaml'}), which does not work "
        'here: the piper voice engine is not installed: pip install "voicecoach[piper]"'
    )


def test_mp3_chapter_frames_are_stored_in_time_order(speech: PhraseCache, tmp_path: Path) -> None:
    """mutagen sorts frames by size; players that list CHAP frames as stored need time order."""
    titles = ["Introduction", "A", "Round 1 of 3: Down dog knee extension", "Bb", "Supine march"]
    second = RATE
    chapters = tuple(Chapter(title, i * second, (i + 1) * second) for i, title in enumerate(titles))
    timeline = Timeline("Order", RATE, len(titles) * second, chapters, ())
    path = export_timeline(timeline, speech, tmp_path / "o.mp3", "mp3")
    data = path.read_bytes()
    stored = []
    at = data.find(b"CHAP")
    while at != -1:
        element = data[at + 10 : data.index(b"\0", at + 10)].decode()
        stored.append(element)
        at = data.find(b"CHAP", at + 4)
    assert stored == [f"chp{i}" for i in range(len(titles))]


def _ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's EBU R128 meter gives them."""
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


@pytest.mark.engine
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_an_export_is_at_podcast_loudness_under_the_true_peak_ceiling(
    tmp_path: Path, tiny: str, fmt: str
) -> None:
    from voicecoach.session import prepare
    from voicecoach.voices.level import heard_loudness

    session = prepare(tiny)
    out = export_timeline(session.timeline, session.speech, tmp_path / f"tiny.{fmt}", fmt)
    integrated, peak = _ebur128(out)
    assert abs(integrated - -19.0) <= 1.0
    assert peak <= -1.0
    import pyloudnorm

    samples, rate = sf.read(str(tmp_path / f"tiny.{fmt}"), dtype="float64")
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) - integrated) < 0.5
    # Every phrase as a meter hears it within 2 LU of every other.
    levels = [
        heard_loudness(samples[e.start : e.end], rate)
        for e in session.timeline.events
        if e.end - e.start > rate // 10
    ]
    assert max(levels) - min(levels) <= 2.0, levels
