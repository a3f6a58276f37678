"""``play`` before the session is compiled: the live timeline, its render and the player."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fakes import CaptureSink, FakeEngine
from test_play import RecordingLog

from voicecoach.compiler.compile import compile_events, compile_workout
from voicecoach.compiler.live import LiveTimeline, shortest
from voicecoach.files.load import load_workout
from voicecoach.model import SetSpan, Timeline, Workout
from voicecoach.player.history import DONE, FINISHED, QUIT, History
from voicecoach.player.keys import NoKeys
from voicecoach.player.play import (
    CONTROL_PHRASES,
    WAITING,
    Player,
    next_set_start,
    resumption,
)
from voicecoach.sound.render import render_all, render_chunks
from voicecoach.voices.base import EstimatedLengths, Pcm
from voicecoach.voices.cache import PhraseCache


class HeldEngine(FakeEngine):
    """Makes the first ``free`` phrases at once and holds every later one until ``release``."""

    def __init__(self, free: int) -> None:
        super().__init__()
        self.free = free
        self.released = threading.Event()
        self.holding = threading.Event()
        """Set once a phrase is held back."""

    def synthesize(self, text: str) -> Pcm:
        if len(self.calls) >= self.free and not self.released.is_set():
            self.holding.set()
            self.released.wait(timeout=30)
        return super().synthesize(text)


def started(workout: Workout, speech: PhraseCache) -> LiveTimeline:
    estimate = compile_workout(workout, EstimatedLengths(speech.sample_rate))
    floor = shortest(workout, speech.sample_rate)
    return LiveTimeline(workout, speech, estimate, floor).start()


@pytest.mark.parametrize("name", ["monday", "friday"])
def test_the_live_timeline_ends_as_the_compiled_one(tmp_path: Path, name: str) -> None:
    workout = load_workout(name, None)
    live = started(workout, PhraseCache(FakeEngine(), root=tmp_path))
    whole = live.whole()
    assert live.done
    assert whole == compile_workout(workout, PhraseCache(FakeEngine(), root=tmp_path))
    assert [s.name for s in live.outline().sets] == [s.name for s in whole.sets]


def test_the_render_waits_for_what_is_not_placed_and_gives_the_same_samples(
    tmp_path: Path,
) -> None:
    workout = load_workout("monday", None)
    engine = HeldEngine(free=3)
    speech = PhraseCache(engine, root=tmp_path)
    live = started(workout, speech)
    chunks = render_chunks(live, speech)
    first = next(chunks)  # the first words are placed: the render begins
    assert engine.holding.wait(10) and not live.done
    assert len(first) == 8192 and np.any(first)
    engine.released.set()
    stream = np.concatenate([first, *chunks])
    whole = live.whole()
    assert np.array_equal(stream, render_all(whole, speech))


def test_a_failing_voice_stops_the_render_with_its_error(tmp_path: Path) -> None:
    class Broken(FakeEngine):
        def synthesize(self, text: str) -> Pcm:
            if len(self.calls) > 2:
                raise RuntimeError("the voice broke")
            return super().synthesize(text)

    speech = PhraseCache(Broken(), root=tmp_path)
    live = started(load_workout("monday", None), speech)
    with pytest.raises(RuntimeError, match="the voice broke"):
        for _ in render_chunks(live, speech):
            pass


def play_live(
    tmp_path: Path, free: int, press: str | None = None
) -> tuple[Player, CaptureSink, LiveTimeline, list[str], PhraseCache, HeldEngine]:
    workout = load_workout("monday", None)
    engine = HeldEngine(free)
    speech = PhraseCache(engine, root=tmp_path)
    live = started(workout, speech)
    sink, shown = CaptureSink(), []
    player = Player(live, speech, sink, NoKeys(), RecordingLog(), shown.append)
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(player.run()))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while sink.heard() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Heard while the voice is still held back: the session did not wait for it all.
        assert sink.heard() > 0
        assert engine.holding.wait(10) and not live.done
        if press is not None:
            player.post(press)
            time.sleep(0.3)
    finally:
        engine.released.set()
        thread.join(timeout=60)
    assert outcome and outcome[0].how == FINISHED  # type: ignore[attr-defined]
    return player, sink, live, shown, speech, engine


def test_play_speaks_before_the_voice_has_made_the_session_and_skips_nothing(
    tmp_path: Path,
) -> None:
    player, sink, live, shown, speech, engine = play_live(tmp_path, free=3)
    whole = live.whole()
    # Every sample of the session, in order: the wait was silence outside the session.
    assert np.array_equal(sink.stream[: whole.duration], render_all(whole, speech))
    assert player.feed is not None and player.feed.underrun > 0
    assert any(line.startswith(WAITING) for line in shown)
    # The player's own phrases are made after the session's, not before its first words.
    said = {e.text for e in whole.events}
    own = [phrase for phrase in CONTROL_PHRASES if phrase not in said]
    live.close(finish=True)  # the session can end before they are all made
    assert own and engine.calls[-len(own) :] == own


def test_next_waits_for_the_set_it_goes_to(tmp_path: Path) -> None:
    player, _, live, shown, _, _ = play_live(tmp_path, free=5, press="n")
    whole: Timeline = live.whole()
    assert WAITING in shown
    assert player._landed == next_set_start(whole, 0) == whole.chapters[1].start


def test_closing_stops_the_compile_after_the_phrase_being_made(tmp_path: Path) -> None:
    engine = HeldEngine(free=3)
    live = started(load_workout("monday", None), PhraseCache(engine, root=tmp_path))
    assert engine.holding.wait(10)
    threading.Timer(0.2, engine.released.set).start()
    live.close()
    assert not live.done
    assert len(engine.calls) == 4  # the one held, then nothing more


def test_resume_waits_only_for_the_set_it_resumes_at(tmp_path: Path) -> None:
    workout = load_workout("monday", None)
    counting = FakeEngine()
    made = 0  # phrases made by the time the second set is placed
    for item in compile_events(workout, PhraseCache(counting, root=tmp_path / "count")):
        if isinstance(item, SetSpan) and item.index == 1:
            made = len(counting.calls)
            break
    whole = compile_workout(workout, PhraseCache(FakeEngine(), root=tmp_path / "whole"))
    history = History(tmp_path / "history.sqlite3")
    history.begin(whole)
    history.set_finished(whole.sets[0], DONE)
    history.end(QUIT, whole.sets[0].end)

    engine = HeldEngine(free=made)
    live = started(workout, PhraseCache(engine, root=tmp_path / "live"))
    try:
        found = resumption(history, live)
        assert not live.done  # the rest of the session is still to be made
    finally:
        engine.released.set()
    assert found == resumption(history, live.whole()) == resumption(history, whole)
    # the deadlift's setup, then its first set
    assert found.start == whole.chapters[whole.sets[1].chapter].start
    history.close()


def test_music_under_a_session_still_being_made_is_the_same_as_under_the_whole(
    tmp_path: Path, tiny: str
) -> None:
    from test_music import write_track

    from voicecoach.sound.music import open_music
    from voicecoach.sound.render import RenderOptions

    workout = load_workout(tiny, None)
    engine = HeldEngine(free=3)
    speech = PhraseCache(engine, root=tmp_path)
    live = started(workout, speech)
    track = write_track(tmp_path / "song.wav", 12.0, rate=22050, channels=1)
    estimate = live.outline()
    options = RenderOptions(music=open_music(track, estimate, warn=print))
    chunks = render_chunks(live, speech, 0, options)
    # The first chunk does not wait for the session's end: it surely lies further on.
    first = next(chunks)
    assert engine.holding.wait(10) and not live.done
    engine.released.set()
    stream = np.concatenate([first, *chunks])
    again = RenderOptions(music=open_music(track, estimate, warn=print))
    assert np.array_equal(stream, render_all(live.whole(), speech, again))
