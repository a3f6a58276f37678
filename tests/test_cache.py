"""The phrase cache: synthesized once, kept on disk, damage detected, shared between exports."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEngine

from voicecoach.digest import sha256_hex
from voicecoach.voices.cache import HEADER, PhraseCache, read_entry
from voicecoach.voices.level import level_phrase


def test_length_is_the_length_of_the_audio_trimmed_and_levelled() -> None:
    engine = FakeEngine()
    cache = PhraseCache(engine)
    audio = cache.audio("Hips stay high.")
    assert cache.length("Hips stay high.") == len(audio)
    assert np.array_equal(audio, level_phrase(FakeEngine().synthesize("Hips stay high."), 22050))
    assert cache.sample_rate == 22050


def test_each_distinct_phrase_is_synthesized_once() -> None:
    engine = FakeEngine()
    cache = PhraseCache(engine)
    for text in ["one", "two", "one", "three", "two", "one"]:
        cache.length(text)
        cache.audio(text)
    assert sorted(engine.calls) == ["one", "three", "two"]
    assert cache.synth_calls == 3


def test_a_second_cache_reads_from_disk_without_synthesizing(user_dirs: Path) -> None:
    first = PhraseCache(FakeEngine())
    made = first.audio("Switch legs.")
    engine = FakeEngine()
    second = PhraseCache(engine)
    assert np.array_equal(second.audio("Switch legs."), made)
    assert engine.calls == []
    assert second.disk_reads == 1
    assert first.path("Switch legs.").is_relative_to(user_dirs / "cache")


def test_another_voice_or_version_gets_its_own_entries() -> None:
    PhraseCache(FakeEngine("1")).length("Hold.")
    other = FakeEngine("2")
    PhraseCache(other).length("Hold.")
    assert other.calls == ["Hold."]
    assert PhraseCache(FakeEngine("1")).path("Hold.") != PhraseCache(other).path("Hold.")


def test_entries_are_written_whole_with_no_temporary_files_left() -> None:
    cache = PhraseCache(FakeEngine())
    for text in ["one", "two", "three"]:
        cache.length(text)
    files = sorted(p.name for p in cache.folder.iterdir())
    assert len(files) == 3 and all(name.endswith(".pcm") for name in files)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short (a crash mid-write elsewhere)
        lambda raw: raw[:-1],
        lambda raw: raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:],  # one byte flipped
        lambda raw: b"garbage",
        lambda raw: b"",
        lambda raw: b"XXXX" + raw[4:],  # not our magic
    ],
)
def test_a_damaged_entry_is_detected_and_made_again(damage: object) -> None:
    cache = PhraseCache(FakeEngine())
    good = cache.audio("Lower slowly.")
    path = cache.path("Lower slowly.")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert read_entry(path, 22050) is None
    engine = FakeEngine()
    again = PhraseCache(engine)
    assert np.array_equal(again.audio("Lower slowly."), good)
    assert engine.calls == ["Lower slowly."]
    assert read_entry(path, 22050) is not None


def test_an_entry_for_another_sample_rate_is_not_used() -> None:
    cache = PhraseCache(FakeEngine())
    cache.length("Up.")
    assert read_entry(cache.path("Up."), 22050) is not None
    assert read_entry(cache.path("Up."), 16000) is None


def test_two_exports_at_once_agree_on_every_phrase() -> None:
    # Both synthesize the same phrase at the same moment, and the engine gives
    # a different length each time (as espeak-ng does): whichever is stored
    # first must be what both use.
    engine = FakeEngine(jitter=True)
    engine.gate = threading.Barrier(2)
    caches = [PhraseCache(engine), PhraseCache(engine)]
    results: list[np.ndarray] = [np.zeros(0), np.zeros(0)]

    def export(i: int) -> None:
        results[i] = caches[i].audio("Last rep.")

    threads = [threading.Thread(target=export, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(engine.calls) == 2
    assert np.array_equal(results[0], results[1])
    assert caches[0].length("Last rep.") == caches[1].length("Last rep.")
    stored = read_entry(caches[0].path("Last rep."), 22050)
    assert stored is not None and np.array_equal(stored, results[0])


def test_the_length_handed_out_holds_even_if_the_entry_is_replaced_meanwhile() -> None:
    engine = FakeEngine(jitter=True)
    cache = PhraseCache(engine, memory_budget=1)
    length = cache.length("Breathe out.")
    cache.length("Something else.")  # pushes the first out of memory
    # The entry is damaged after its length was handed out; the engine's next
    # take is longer (jitter), yet the length this cache promised still holds.
    path = cache.path("Breathe out.")
    path.write_bytes(b"damaged")
    assert len(cache.audio("Breathe out.")) == length
    assert cache.length("Breathe out.") == length


def test_an_unwritable_cache_still_speaks(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    engine = FakeEngine()
    cache = PhraseCache(engine, root=blocker / "phrases")
    assert len(cache.audio("Rest.")) == cache.length("Rest.")
    assert engine.calls == ["Rest."]


def test_memory_stays_within_its_budget_and_evicted_phrases_come_back_from_disk() -> None:
    engine = FakeEngine()
    cache = PhraseCache(engine, memory_budget=10_000)
    texts = [f"Phrase number {i}." for i in range(20)]
    first = {t: cache.audio(t).copy() for t in texts}
    assert cache._held <= 10_000 + max(a.nbytes for a in first.values())
    for t in texts:
        assert np.array_equal(cache.audio(t), first[t])
    assert len(engine.calls) == 20


def test_on_synth_hears_of_each_phrase_made() -> None:
    heard: list[str] = []
    cache = PhraseCache(FakeEngine(), on_synth=heard.append)
    for text in ["one", "two", "one"]:
        cache.length(text)
    assert heard == ["one", "two"]


def test_an_entry_is_a_small_header_and_the_samples() -> None:
    cache = PhraseCache(FakeEngine())
    audio = cache.audio("Three.")
    raw = cache.path("Three.").read_bytes()
    assert len(raw) == HEADER.size + 2 * len(audio)
    assert raw[:4] == b"VCPH"


@pytest.mark.engine
def test_workers_fill_the_cache_so_the_compiler_synthesizes_nothing(tmp_path: Path) -> None:
    from voicecoach.voices import open_engine
    from voicecoach.voices.workers import default_workers, synthesize_ahead

    cache = PhraseCache(open_engine("pyttsx3"), root=tmp_path)
    texts = ["one", "two", "three", "Hips stay high.", "four", "five", "one"]
    assert synthesize_ahead(cache, texts, 2) == 6
    # This process made the first ones while the other started, and none twice.
    made_here = cache.synth_calls
    assert 1 <= made_here <= 6
    assert all(read_entry(cache.path(t), cache.sample_rate) is not None for t in texts)
    assert [cache.length(t) > 0 for t in texts] == [True] * 7
    assert cache.synth_calls == made_here
    assert synthesize_ahead(cache, texts, 2) == 0
    assert default_workers("piper") == default_workers("pyttsx3") >= 1
    assert default_workers("fake") == 1


def test_a_worker_that_hangs_is_stopped_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from voicecoach.voices import workers

    monkeypatch.setattr(workers, "FINISH_SECONDS", 0.2)
    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()
    workers._finish(hung)
    assert time.monotonic() - started < 10
    assert hung.returncode is not None and hung.returncode != 0


@pytest.mark.engine
def test_workers_are_stopped_at_once_when_this_process_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicecoach.voices import open_engine, workers

    started: list[subprocess.Popen[bytes]] = []
    real_start = workers._start

    def start(order: dict[str, object]) -> subprocess.Popen[bytes]:
        started.append(real_start(order))
        return started[-1]

    monkeypatch.setattr(workers, "_start", start)
    cache = PhraseCache(open_engine("pyttsx3"), root=tmp_path)

    def interrupted(text: str) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "length", interrupted)
    texts = [f"Phrase number {n}." for n in range(40)]
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        workers.synthesize_ahead(cache, texts, 2)
    # Killed, not waited for: its 20 phrases would take it most of a second.
    assert time.monotonic() - began < 1.0
    assert len(started) == 1 and started[0].returncode is not None
    assert started[0].returncode < 0


class CountingEngine(FakeEngine):
    """Notes how many calls are under way at once; ``parallel`` as asked."""

    def __init__(self, parallel: bool, fail: str = "") -> None:
        super().__init__()
        self.parallel = parallel
        self.fail = fail
        self.busy = 0
        self.most = 0
        self.threads: set[int] = set()
        self._count = threading.Lock()

    def synthesize(self, text: str) -> np.ndarray:
        with self._count:
            self.busy += 1
            self.most = max(self.most, self.busy)
            self.threads.add(threading.get_ident())
        try:
            if text == self.fail:
                from voicecoach.errors import EngineError

                raise EngineError(f"cannot say {text!r}")
            threading.Event().wait(0.02)
            return super().synthesize(text)
        finally:
            with self._count:
                self.busy -= 1


def _ask_at_once(cache: PhraseCache, texts: list[str]) -> None:
    threads = [threading.Thread(target=cache.length, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_a_parallel_engine_makes_phrases_at_once_and_each_once(tmp_path: Path) -> None:
    engine = CountingEngine(parallel=True)
    engine.gate = threading.Barrier(2)  # both calls must be under way together to go on
    cache = PhraseCache(engine, root=tmp_path)
    _ask_at_once(cache, ["Left leg.", "Right leg."])
    assert sorted(engine.calls) == ["Left leg.", "Right leg."]
    engine.gate = None
    _ask_at_once(cache, ["Switch legs."] * 4)  # the same phrase: one makes it, three wait
    assert engine.calls.count("Switch legs.") == 1
    assert cache.synth_calls == 3


def test_an_engine_that_is_not_parallel_is_never_called_twice_at_once(tmp_path: Path) -> None:
    engine = CountingEngine(parallel=False)
    cache = PhraseCache(engine, root=tmp_path)
    _ask_at_once(cache, [f"Phrase {i}." for i in range(6)])
    assert len(engine.calls) == 6
    assert engine.most == 1


def test_threads_make_the_list_from_the_back_while_the_compile_goes_from_the_front(
    tmp_path: Path,
) -> None:
    from voicecoach.voices.workers import ahead_of_compile

    engine = CountingEngine(parallel=True)
    cache = PhraseCache(engine, root=tmp_path)
    foreseen = [f"Phrase {i}." for i in range(10)]
    with ahead_of_compile(cache, foreseen, 2):
        # The compile: what it needs, in its own order, some of it not foreseen.
        needed = [*foreseen[:6], "Not foreseen.", *foreseen[6:]]
        lengths = [cache.length(t) for t in needed]
    assert all(lengths)
    assert sorted(engine.calls) == sorted(needed)  # each once, whoever made it
    assert len(engine.threads) == 2
    assert engine.calls.index(foreseen[-1]) < 2  # the other thread began at the end
    assert engine.busy == 0


def test_a_phrase_the_threads_cannot_make_is_left_to_the_compile(tmp_path: Path) -> None:
    from voicecoach.errors import EngineError
    from voicecoach.voices.workers import ahead_of_compile

    engine = CountingEngine(parallel=True, fail="Phrase 9.")
    cache = PhraseCache(engine, root=tmp_path)
    foreseen = [f"Phrase {i}." for i in range(10)]
    with ahead_of_compile(cache, foreseen, 2):
        for text in foreseen[:9]:  # the compile never needs "Phrase 9."
            assert cache.length(text) > 0
    # The other thread began with "Phrase 9.", failed, and went on with the next.
    assert "Phrase 9." not in engine.calls and len(engine.threads) == 2
    assert "Phrase 8." in engine.calls
    with pytest.raises(EngineError, match="cannot say 'Phrase 9.'"):
        with ahead_of_compile(cache, foreseen, 2):
            cache.length("Phrase 9.")


def test_the_foreseen_phrases_are_every_one_the_compile_measures_not_only_those_it_keeps() -> None:
    from voicecoach.compiler.compile import compile_report
    from voicecoach.files.load import load_workout
    from voicecoach.session import _Noting
    from voicecoach.voices.base import EstimatedLengths

    workout = load_workout("monday", None)
    noting = _Noting(EstimatedLengths())
    kept = {e.text for e in compile_report(workout, noting).timeline.events}
    assert kept < set(noting.asked)  # a count's word tried with its phase word, say
    assert (
        list(noting.asked)[0] == compile_report(workout, EstimatedLengths()).timeline.events[0].text
    )


def test_nothing_is_made_ahead_when_every_phrase_the_compile_keeps_is_cached(
    tmp_path: Path,
) -> None:
    from voicecoach.voices.workers import ahead_of_compile

    engine = CountingEngine(parallel=True)
    cache = PhraseCache(engine, root=tmp_path)
    kept = ["Set one.", "Hold.", "Rest."]
    for text in kept:
        cache.length(text)
    tried = ["Hold, one", "Hold, two"]  # measured once by a compile, perhaps never again
    with ahead_of_compile(cache, [*kept, *tried], 2, sure=kept):
        assert [cache.length(t) > 0 for t in kept] == [True] * 3
    assert engine.calls == kept  # nothing new: a warm cache never wakes the voice
    with ahead_of_compile(cache, [*tried, "New."], 2, sure=["New."]):
        threading.Event().wait(0.2)  # the compile, slow to need anything
    assert set(engine.calls) == {*kept, *tried, "New."}  # a cold one: made ahead


def test_keys_are_sha256_and_no_command_loads_openssl_for_them() -> None:
    """File keys are SHA-256 (the same digests as hashlib's), made without loading OpenSSL's
    libcrypto: every command would carry its 3.4 MB for hashing a few phrases."""
    for text in ("", "Set two of three, left leg.", "Höhe — 高さ"):
        assert sha256_hex(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    program = (
        "import sys\n"
        "import voicecoach.cli, voicecoach.session, voicecoach.sound.export\n"
        "import voicecoach.sound.music, voicecoach.player.play, voicecoach.voices.onnx_cut\n"
        "from voicecoach.files.writer import content_hash, with_header\n"
        "from voicecoach.digest import sha256_hex\n"
        "with_header('body', 'origin')\n"
        "print(content_hash('x') == sha256_hex('x')[:16], '_hashlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "False"]
