"""What the player gives its remotes (media keys, the microphone) and takes from them:
posted keys, the ``r`` key, the spoken pause's "Paused.", when the coach is speaking, and
what a media widget is shown. The step sink of ``test_play`` plays, so nothing sleeps."""

from __future__ import annotations

import numpy as np
from fakes import StepSink
from test_play import STEP, RecordingLog

from voicecoach.model import Timeline
from voicecoach.player.play import (
    COUNTING,
    MARKED_HARD,
    PAUSED,
    PLAYING,
    STOPPED,
    Feed,
    NowPlaying,
    Player,
    last_prompt,
    now_playing,
    resume_point,
    speaks,
    spoken,
)
from voicecoach.sound.render import render_all
from voicecoach.voices.cache import PhraseCache


class Poster:
    """A remote that posts each key once the clock reaches its sample, and keeps what it
    was told; it also stands in for the keyboard, moving the sink a step per look."""

    def __init__(self, sink: StepSink, script: list[tuple[int, str, bool]]) -> None:
        self.sink = sink
        self.script = list(script)
        self.player: Player | None = None
        self.told: list[NowPlaying] = []
        self.posted: list[tuple[str, int, int]] = []
        """(key, session position, blocks taken) at each post."""
        self.closed = False

    def start(self, player: Player) -> None:
        self.player = player

    def update(self, now: NowPlaying) -> None:
        self.told.append(now)

    def close(self) -> None:
        self.closed = True

    def read(self, timeout: float) -> str | None:
        self.sink.advance()
        feed = self.sink.source
        if self.script and feed.handed >= self.script[0][0]:
            _, key, acknowledge = self.script.pop(0)
            assert self.player is not None
            self.player.post(key, acknowledge)
            self.posted.append((key, feed.position, len(self.sink.taken)))
        return None


def play(
    timeline: Timeline, speech: PhraseCache, script: list[tuple[int, str, bool]]
) -> tuple[StepSink, Poster, RecordingLog, Player]:
    sink = StepSink(STEP)
    remote = Poster(sink, script)
    log = RecordingLog()
    player = Player(timeline, speech, sink, remote, log, patience=10.0, remotes=[remote])
    player.run()
    return sink, remote, log, player


def test_a_posted_key_does_what_the_key_does(timeline: Timeline, speech: PhraseCache) -> None:
    inside = timeline.sets[0].start + STEP
    sink, remote, log, _ = play(timeline, speech, [(inside, "n", False)])
    assert log.sets()[0] == (0, "skipped")
    assert remote.closed
    assert remote.told[-1].status == STOPPED
    assert {now.status for now in remote.told[:-1]} == {PLAYING}


def test_a_spoken_pause_says_paused_then_is_silent(timeline: Timeline, speech: PhraseCache) -> None:
    at = timeline.sets[0].start + 4 * STEP
    sink, remote, _, _ = play(timeline, speech, [(at, " ", True), (at + 40 * STEP, " ", False)])
    after = np.concatenate(sink.taken[remote.posted[0][2] :])
    said = spoken(speech, PAUSED)
    assert np.array_equal(after[: len(said)], said)
    assert not after[len(said) : 30 * STEP].any()
    assert [n.status for n in remote.told].count("Paused") > 30


def test_r_says_the_last_prompt_again_and_goes_on_from_the_rep(
    timeline: Timeline, speech: PhraseCache
) -> None:
    reference = render_all(timeline, speech)
    first = timeline.sets[0]
    at = first.start + (first.end - first.start) // 2
    sink, remote, log, _ = play(timeline, speech, [(at, "r", True)])
    ((_, heard, taken),) = remote.posted
    prompt = last_prompt(timeline, heard)
    assert prompt is not None and prompt.kind not in COUNTING
    again = spoken(speech, prompt.text)
    after = np.concatenate(sink.taken[taken:])
    assert np.array_equal(after[: len(again)], again)
    back_to = resume_point(timeline, heard)
    rest = after[len(again) :]
    assert np.array_equal(rest[:STEP], reference[back_to : back_to + STEP])
    assert log.sets()[0] == (0, "done")  # repeating is not skipping
    assert remote.told[-1].jumps == 1


def test_the_last_prompt_is_never_a_count(timeline: Timeline) -> None:
    for event in timeline.events:
        prompt = last_prompt(timeline, event.start)
        assert prompt is None or prompt.kind not in COUNTING
    assert last_prompt(timeline, 0) == timeline.events[0]


def test_speaks_is_true_exactly_where_a_prompt_sounds(timeline: Timeline) -> None:
    events = timeline.events
    for a, b in zip(events, events[1:], strict=False):
        assert speaks(events, a.start, a.start + 1)
        assert speaks(events, a.end - 1, a.end)
        if b.start > a.end:
            assert not speaks(events, a.end, b.start)
            assert speaks(events, a.end, b.start + 1)


def test_the_feed_knows_when_the_coach_is_heard(timeline: Timeline, speech: PhraseCache) -> None:
    feed = Feed(timeline, speech, ahead=3, patience=10.0)
    event = next(e for e in timeline.events if e.start > 0)
    gap_end = next(e.start for e in timeline.events if e.start > event.end)
    feed.pull(event.start - 100)
    assert feed.speaking(event.start - 200, event.start - 100) is False
    assert feed.speaking(event.start - 200, event.start + 50)  # still to come: known too
    feed.pull(gap_end - feed.position - 10)
    assert feed.speaking(event.start, event.end)
    assert feed.speaking(event.end + 1, gap_end - 20) is False
    # A prelude ("Next set.") is the coach speaking, wherever the session stands.
    handed = feed.handed
    feed.seek(feed.position, spoken(speech, "Next set."))
    assert feed.speaking(handed, handed + 10)
    feed.close()


def test_now_playing_names_the_set_and_between_sets_the_chapter(timeline: Timeline) -> None:
    first = timeline.sets[0]
    now = now_playing(timeline, first.start + 1, PLAYING, 3, 5)
    assert now.title == "Hip hinge drill, set 1 of 2" and now.track == 0
    assert (now.album, now.length, now.jumps, now.landed) == (
        timeline.title,
        timeline.duration,
        3,
        5,
    )
    intro = now_playing(timeline, 0, PLAYING)
    assert intro.title == "Introduction" and intro.track == -1
    sided = next(s for s in timeline.sets if s.side)
    assert now_playing(timeline, sided.start, PLAYING).title.endswith(f", {sided.side}")


def test_a_spoken_hard_marks_the_set_and_says_so(timeline: Timeline, speech: PhraseCache) -> None:
    at = timeline.sets[0].start + 10 * STEP
    sink, remote, log, player = play(timeline, speech, [(at, "h", True)])
    assert ("hard", 0, None) in log.calls and player.hard == {0}
    after = np.concatenate(sink.taken[remote.posted[0][2] :])
    said = spoken(speech, MARKED_HARD)
    assert np.array_equal(after[: len(said)], said)
