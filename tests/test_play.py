"""The live player: the stream it hands the device, the controls, and what it logs.

A step sink stands in for the device here: each time the controls look
for a key it takes one fixed-size block, in the test's own thread, so the
clock (samples handed over) moves in known steps and nothing sleeps. The
real devices are tested in ``test_capture.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from fakes import StepSink

from voicecoach.compiler.compile import compile_workout
from voicecoach.errors import DeviceError
from voicecoach.files.load import load_workout
from voicecoach.model import SetSpan, Timeline
from voicecoach.player.history import DONE, FINISHED, INTERRUPTED, QUIT, SKIPPED, set_keys
from voicecoach.player.play import (
    Feed,
    Player,
    countdown,
    next_exercise_start,
    next_set_start,
    quiet_cut,
    resume_point,
    resume_start,
    set_start,
    spoken,
    status_line,
)
from voicecoach.sound.render import render_all
from voicecoach.voices.base import Pcm
from voicecoach.voices.cache import PhraseCache

STEP = 2205
"""Samples the step sink takes per look at the keyboard: a tenth of a second."""


@pytest.fixture
def reference(timeline: Timeline, speech: PhraseCache) -> Pcm:
    return render_all(timeline, speech)


class ScriptedKeys:
    """Presses each key once the clock reaches its position; moves the sink one step per look."""

    def __init__(self, sink: StepSink, script: list[tuple[int, str]]) -> None:
        self.sink = sink
        self.script = list(script)
        self.pressed: list[tuple[str, int, int]] = []
        """(key, session position, samples handed over) at each press."""

    def read(self, timeout: float) -> str | None:
        self.sink.advance()
        feed = self.sink.source
        assert feed is not None
        if self.script and feed.handed >= self.script[0][0]:
            key = self.script.pop(0)[1]
            self.pressed.append((key, feed.position, feed.handed))
            if key == "^C":
                raise KeyboardInterrupt
            return key
        return None


class RecordingLog:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object, object]] = []

    def begin(self, timeline: Timeline, resume: int | None = None) -> None:
        self.calls.append(("begin", timeline.title, resume))

    def set_finished(self, span: SetSpan, status: str) -> None:
        self.calls.append(("set", span.index, status))

    def set_hard(self, span: SetSpan) -> None:
        self.calls.append(("hard", span.index, None))

    def end(self, outcome: str, position: int, duration: int | None = None) -> None:
        self.calls.append(("end", outcome, position))

    def sets(self) -> list[tuple[object, object]]:
        return [(index, status) for kind, index, status in self.calls if kind == "set"]


def run(
    timeline: Timeline,
    speech: PhraseCache,
    script: list[tuple[int, str]],
    start: int = 0,
) -> tuple[StepSink, ScriptedKeys, RecordingLog, Player]:
    sink = StepSink(STEP)
    keys = ScriptedKeys(sink, script)
    log = RecordingLog()
    player = Player(timeline, speech, sink, keys, log, start=start, patience=10.0)
    player.outcome = player.run()  # type: ignore[attr-defined]
    return sink, keys, log, player


def rep_event(timeline: Timeline, set_no: int, rep: int, exercise: str = "hip-hinge") -> int:
    return next(
        e.start
        for e in timeline.events
        if e.exercise == exercise and e.set == set_no and e.rep == rep
    )


# The feed ------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[1, 100, 4096, 8193, 20000], [STEP], [3, 7, 65536]])
def test_the_feed_hands_over_exactly_the_rendered_stream(
    timeline: Timeline, speech: PhraseCache, reference: Pcm, sizes: list[int]
) -> None:
    feed = Feed(timeline, speech, ahead=3, patience=10.0)
    taken, i = [], 0
    while not feed.finished:
        taken.append(feed.pull(sizes[i % len(sizes)]))
        i += 1
    assert np.array_equal(np.concatenate(taken), reference)
    assert feed.underrun == 0
    assert len(feed.pull(100)) == 0


def test_a_feed_started_midway_hands_over_the_rest(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    start = timeline.sets[1].start
    feed = Feed(timeline, speech, start=start, patience=10.0)
    taken = [feed.pull(5000) for _ in range(-(-(timeline.duration - start) // 5000))]
    assert np.array_equal(np.concatenate(taken), reference[start:])


def test_a_late_render_gives_silence_and_holds_the_session_back(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    feed = Feed(timeline, speech, patience=0.0, ahead=2)
    feed.wait_ready(2)
    feed.close()  # nothing more is rendered after what is already queued
    taken = [feed.pull(STEP) for _ in range(timeline.duration // STEP + 40)]
    sound = np.concatenate(taken)
    assert feed.underrun > 0
    assert 0 < feed.position < timeline.duration
    assert np.array_equal(sound, reference[: feed.position])  # late: shorter, never skipped


def test_a_paused_feed_gives_silence_and_keeps_its_place(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    feed = Feed(timeline, speech, patience=10.0)
    first = feed.pull(30000)
    feed.pause()
    assert not feed.pull(5000).any()
    assert feed.position == 30000
    feed.seek(30000)
    assert np.array_equal(np.concatenate([first, feed.pull(5000)]), reference[:35000])


def test_quiet_cuts_end_where_nobody_speaks(timeline: Timeline) -> None:
    rate = timeline.sample_rate
    for position in range(0, timeline.duration - 20 * rate, rate // 3):
        cut = quiet_cut(timeline.events, position, 4 * rate, 20 * rate)
        assert 4 * rate <= cut <= 20 * rate
        at = position + cut
        assert not any(e.start <= at < e.end for e in timeline.events)


# Where the controls land ---------------------------------------------------


def test_a_pause_in_a_rep_resumes_at_the_start_of_that_rep(timeline: Timeline) -> None:
    second = rep_event(timeline, 1, 2)
    assert resume_point(timeline, second + 7000) == second
    assert resume_point(timeline, second) == second


def test_a_pause_in_a_rest_resumes_where_it_was_or_at_the_word_being_said(
    timeline: Timeline,
) -> None:
    gap_at = timeline.sets[0].end + 10
    rest = [e for e in timeline.events if e.start <= gap_at][-1]
    assert rest.rep is None
    middle = (rest.start + rest.end) // 2
    assert resume_point(timeline, middle) == rest.start
    assert resume_point(timeline, rest.end + 5) == rest.end + 5


def test_next_back_and_skip_land_on_sets_and_exercises(timeline: Timeline) -> None:
    first, second, third = timeline.sets[0], timeline.sets[1], timeline.sets[2]
    middle = (first.start + first.end) // 2
    assert next_set_start(timeline, middle) == second.start
    march = timeline.chapters[third.chapter]
    assert next_set_start(timeline, (second.start + second.end) // 2) == march.start
    assert set_start(timeline, middle) == first.start
    assert set_start(timeline, second.start + 10) == first.start  # just begun: the one before
    assert next_exercise_start(timeline, middle) == march.start
    assert next_exercise_start(timeline, timeline.sets[-1].start) == timeline.sets[-1].end


def test_a_resume_starts_at_the_first_set_not_done(timeline: Timeline) -> None:
    keys = set_keys(timeline)
    assert resume_start(timeline, set())[0] == 0
    start, where = resume_start(timeline, set(keys[:1]))
    assert start == timeline.sets[1].start
    assert where == "Hip hinge drill, set 2 of 2"
    start, where = resume_start(timeline, set(keys[:2]))
    assert start == timeline.chapters[timeline.sets[2].chapter].start  # with its setup cues
    assert resume_start(timeline, set(keys))[0] == timeline.sets[-1].end


def test_the_status_line_says_exercise_set_side_rep_and_time_left(timeline: Timeline) -> None:
    at = rep_event(timeline, 2, 2)
    line = status_line(timeline, at)
    left = (timeline.duration - at) // timeline.sample_rate
    assert line == f"Hip hinge drill · set 2/2 · rep 2 · {left // 60:02d}:{left % 60:02d} left"
    march = next(s for s in timeline.sets if s.side)
    assert f"· {march.side} ·" in status_line(timeline, march.start + 1)
    assert status_line(timeline, at, paused=True).startswith("PAUSED · ")


# The player, key by key ----------------------------------------------------


def test_untouched_it_plays_the_whole_stream_and_logs_every_set(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    sink, _, log, player = run(timeline, speech, [])
    assert np.array_equal(sink.stream[: len(reference)], reference)
    assert player.outcome.how == FINISHED  # type: ignore[attr-defined]
    assert log.sets() == [(s.index, DONE) for s in timeline.sets]
    assert log.calls[0] == ("begin", "Short session", None)
    assert log.calls[-1] == ("end", FINISHED, timeline.duration)
    assert sink.closed


def test_pause_silences_at_once_and_resume_counts_back_into_the_rep(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    rep = rep_event(timeline, 1, 2)
    pause_at = rep + 5 * STEP + 17
    sink, keys, _, _ = run(timeline, speech, [(pause_at, " "), (pause_at + 10 * STEP, " ")])
    (_, paused, handed_p), (_, resumed, handed_r) = keys.pressed
    assert paused == resumed
    out = sink.stream
    assert np.array_equal(out[:handed_p], reference[:handed_p])
    assert not out[handed_p:handed_r].any()  # silence from the next block on
    prelude = countdown(speech, "Resuming.")
    assert np.array_equal(out[handed_r : handed_r + len(prelude)], prelude)
    rest = out[handed_r + len(prelude) :]
    assert np.array_equal(rest[: len(reference) - rep], reference[rep:])


def test_next_set_says_so_and_goes_on_from_the_next_set(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    first = timeline.sets[0]
    press = first.start + 3 * STEP
    sink, keys, log, _ = run(timeline, speech, [(press, "n")])
    handed = keys.pressed[0][2]
    words = spoken(speech, "Next set.")
    out = sink.stream
    assert np.array_equal(out[handed : handed + len(words)], words)
    target = timeline.sets[1].start
    tail = out[handed + len(words) :]
    assert np.array_equal(tail[: len(reference) - target], reference[target:])
    assert log.sets()[0] == (0, SKIPPED)
    assert (1, DONE) in log.sets()


def test_back_plays_this_set_again(timeline: Timeline, speech: PhraseCache, reference: Pcm) -> None:
    second = timeline.sets[1]
    press = second.start + 8 * timeline.sample_rate
    sink, keys, log, _ = run(timeline, speech, [(press, "b")])
    handed = keys.pressed[0][2]
    words = spoken(speech, "Once more.")
    tail = sink.stream[handed + len(words) :]
    assert np.array_equal(tail[: len(reference) - second.start], reference[second.start :])
    assert log.sets().count((1, DONE)) == 1


def test_skip_goes_to_the_next_exercise_and_logs_the_sets_it_passed(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    press = timeline.sets[0].start + STEP
    sink, keys, log, _ = run(timeline, speech, [(press, "s")])
    handed = keys.pressed[0][2]
    march = timeline.chapters[timeline.sets[2].chapter].start
    tail = sink.stream[handed:]
    assert np.array_equal(tail[: len(reference) - march], reference[march:])
    assert log.sets()[:2] == [(0, SKIPPED), (1, SKIPPED)]


def test_quit_stops_and_logs_where(timeline: Timeline, speech: PhraseCache) -> None:
    press = timeline.sets[1].start + STEP
    sink, keys, log, player = run(timeline, speech, [(press, "q")])
    assert player.outcome.how == QUIT  # type: ignore[attr-defined]
    assert log.calls[-1] == ("end", QUIT, keys.pressed[0][1])
    assert log.sets() == [(0, DONE)]
    assert sink.closed


def test_ctrl_c_closes_the_device_and_logs_the_interruption(
    timeline: Timeline, speech: PhraseCache
) -> None:
    sink = StepSink(STEP)
    keys = ScriptedKeys(sink, [(timeline.sets[0].end + STEP, "^C")])
    log = RecordingLog()
    player = Player(timeline, speech, sink, keys, log, patience=10.0)
    with pytest.raises(KeyboardInterrupt):
        player.run()
    assert sink.closed
    assert log.calls[-1][:2] == ("end", INTERRUPTED)
    assert log.sets() == [(0, DONE)]


def test_a_resumed_run_starts_at_its_start_and_does_not_log_earlier_sets(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    start = timeline.sets[2].start
    sink, _, log, _ = run(timeline, speech, [], start=start)
    assert np.array_equal(sink.stream[: len(reference) - start], reference[start:])
    assert [index for index, _ in log.sets()] == [2, 3]


def test_a_device_that_held_more_than_it_played_goes_back_to_what_was_heard(
    timeline: Timeline, speech: PhraseCache
) -> None:
    class Holding(StepSink):
        """Like simpleaudio: it takes sound three steps ahead of playing it, and an
        interruption drops what it had not played yet."""

        stopped_at: tuple[int, int] | None = None

        def heard(self) -> int:
            taken = super().heard()
            if self.stopped_at is None:
                return max(0, taken - 3 * STEP)
            heard, taken_then = self.stopped_at
            return taken if taken > taken_then else heard  # plays what it takes next

        def interrupt(self) -> None:
            self.stopped_at = (self.heard(), super().heard())

    sink = Holding()
    press = timeline.sets[1].start + 20 * STEP
    keys = ScriptedKeys(sink, [(press, " "), (press + 2 * STEP, "q")])
    player = Player(timeline, speech, sink, keys, RecordingLog(), patience=10.0)
    outcome = player.run()
    (_, paused_at, _), _ = keys.pressed
    assert outcome.position == paused_at - 3 * STEP


# Circuits, repeated exercises and the ends of a session ----------------------


@pytest.fixture
def friday(speech: PhraseCache) -> Timeline:
    """The built-in circuit: the same exercises round after round."""
    return compile_workout(load_workout("friday"), speech)


def test_each_round_of_a_circuit_is_a_set_of_its_own_for_resume(friday: Timeline) -> None:
    keys = set_keys(friday)
    assert len(set(keys)) == len(keys) == len(friday.sets)
    first_round = set(keys[: len(keys) // 3])
    start, _ = resume_start(friday, first_round)
    resumed = next(s for s, k in zip(friday.sets, keys, strict=True) if k not in first_round)
    assert start in (resumed.start, friday.chapters[resumed.chapter].start)
    assert start > friday.sets[0].end


def test_a_pause_in_a_later_round_resumes_in_that_round(friday: Timeline) -> None:
    last_round = [e for e in friday.events if e.rep == 2 and e.exercise == friday.sets[-1].exercise]
    rep = last_round[-1]
    back = resume_point(friday, rep.start + 100)
    assert friday.sets[-1].start <= back <= rep.start
    assert rep.start - back < 10 * friday.sample_rate


def test_skip_in_a_circuit_goes_to_the_next_exercise_not_the_next_round(friday: Timeline) -> None:
    round_one = [s for s in friday.sets if friday.chapters[s.chapter].title.startswith("Round 1")]
    first, following = round_one[0], round_one[1]
    assert following.exercise != first.exercise
    assert next_exercise_start(friday, first.start + 10) == following.start
    round_two = friday.chapters[following.chapter + 1]
    assert next_exercise_start(friday, following.start + 10) == round_two.start


def test_next_and_skip_during_the_closing_words_go_to_the_end(timeline: Timeline) -> None:
    closing = timeline.sets[-1].end
    assert next_set_start(timeline, closing - 1) == closing
    assert next_set_start(timeline, closing + 10) == timeline.duration
    assert next_exercise_start(timeline, closing + 10) == timeline.duration


def test_a_set_skipped_and_then_played_through_counts_as_done(
    timeline: Timeline, speech: PhraseCache
) -> None:
    first = timeline.sets[0]
    skip = first.start + 2 * STEP
    _, _, log, _ = run(timeline, speech, [(skip, "n"), (skip + 2 * STEP, "b")])
    statuses = log.sets()
    assert statuses[0] == (0, SKIPPED)
    assert (0, DONE) in statuses  # played through after going back


# A device that fails or stops --------------------------------------------------


def test_an_error_on_the_device_is_reported_not_hung_on(
    timeline: Timeline, speech: PhraseCache
) -> None:
    class Failing(StepSink):
        def advance(self) -> None:
            self.error = "the device went away"

    sink = Failing()
    player = Player(timeline, speech, sink, ScriptedKeys(sink, []), RecordingLog())
    with pytest.raises(DeviceError, match="the device went away"):
        player.run()


def test_a_device_that_stops_taking_sound_is_an_error_not_a_hang(
    timeline: Timeline, speech: PhraseCache
) -> None:
    class Stuck(StepSink):
        def advance(self) -> None:
            if self.heard() < 10 * STEP:
                super().advance()

    sink = Stuck()
    log = RecordingLog()
    player = Player(timeline, speech, sink, ScriptedKeys(sink, []), log, stall_s=0.2)
    with pytest.raises(DeviceError, match="the sound device stopped taking sound"):
        player.run()
    assert log.calls[-1][:2] == ("end", INTERRUPTED)
    assert sink.closed


def test_with_a_device_that_plays_pieces_keys_act_where_the_listener_is(
    timeline: Timeline, speech: PhraseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """simpleaudio's way, in real time: a piece is taken whole, then heard over its length."""
    import sys
    import threading
    import time
    import types

    from voicecoach.sound.sinks import SimpleaudioSink

    class Playing:
        def __init__(self, samples: int, rate: int) -> None:
            self._stopped = threading.Event()
            self._seconds = samples / rate

        def wait_done(self) -> None:
            self._stopped.wait(self._seconds)

        def stop(self) -> None:
            self._stopped.set()

    fake = types.SimpleNamespace(
        play_buffer=lambda data, channels, width, rate: Playing(len(data) // 2, rate)
    )
    monkeypatch.setitem(sys.modules, "simpleaudio", fake)

    class QuickPieces(SimpleaudioSink):
        SHORTEST_S = 0.6
        LONGEST_S = 1.2

    seen: dict[str, int] = {}

    class Keys:
        def __init__(self) -> None:
            self.began = time.monotonic()

        def read(self, timeout: float) -> str | None:
            time.sleep(timeout)
            elapsed = time.monotonic() - self.began
            if "n" not in seen and elapsed > 0.5:
                assert player.feed is not None
                seen["n"] = player.heard()
                seen["taken"] = player.feed.position
                return "n"
            if "n" in seen and "after" not in seen:
                assert player.feed is not None
                seen["after"] = player.feed.position
            return "q" if elapsed > 1.0 else None

    start = timeline.sets[0].start
    sink = QuickPieces(timeline.sample_rate)
    player = Player(timeline, speech, sink, Keys(), RecordingLog(), start=start)
    outcome = player.run()
    rate = timeline.sample_rate
    assert seen["taken"] > seen["n"]  # it had taken sound it had not played yet
    assert start < seen["n"] < start + rate  # heard: about half a second in
    assert seen["after"] == next_set_start(timeline, seen["n"]) == timeline.sets[1].start
    assert outcome.how == QUIT


def test_between_sets_the_status_line_names_the_chapter(timeline: Timeline) -> None:
    assert status_line(timeline, 0).startswith("Introduction · ")
    after_first = timeline.sets[0].end + 1
    chapter = timeline.chapters[timeline.sets[0].chapter].title
    assert status_line(timeline, after_first).startswith(f"{chapter} · rest · ")


def test_h_marks_the_set_playing_or_in_its_rest_the_one_just_done_and_changes_no_sound(
    timeline: Timeline, speech: PhraseCache, reference: Pcm
) -> None:
    during_first = timeline.sets[0].start + STEP
    in_rest = timeline.sets[0].end + STEP
    during_third = timeline.sets[2].start + STEP
    script = [(during_first, "h"), (in_rest, "h"), (during_third, "h")]
    sink, _, log, player = run(timeline, speech, script)
    assert [index for kind, index, _ in log.calls if kind == "hard"] == [0, 2]
    assert player.hard == {0, 2}
    assert np.array_equal(sink.stream[: len(reference)], reference)


def test_h_before_the_first_set_marks_nothing(timeline: Timeline, speech: PhraseCache) -> None:
    _, _, log, player = run(timeline, speech, [(STEP, "h")])
    assert not [c for c in log.calls if c[0] == "hard"]
    assert player.hard == set()


def test_next_then_back_then_quit_marks_no_set_done(
    timeline: Timeline, speech: PhraseCache
) -> None:
    first = timeline.sets[0]
    skip = first.start + 5 * STEP  # in the first rep
    _, _, log, player = run(
        timeline, speech, [(skip, "n"), (skip + 10 * STEP, "b"), (skip + 15 * STEP, "q")]
    )
    assert player.outcome.how == QUIT  # type: ignore[attr-defined]
    assert (0, DONE) not in log.sets()
    assert [status for _, status in log.sets()] == [SKIPPED]
