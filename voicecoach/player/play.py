"""Play a timeline live: the rendered stream to a sound device, with controls and a log.

The ``Feed`` renders the session ahead of the device on a background
thread and hands samples over as the device asks for them. The number of
session samples it has handed over, mapped back from how much the
device has actually played, is the player's clock: jumps, the status
line and the log all read it, and nothing here sleeps to keep time. If
rendering ever fell behind, the device would get silence and the session
would wait, not skip; ``Feed.underrun`` counts those samples.

The timeline may still be compiling when the session starts
(``compiler.live.LiveTimeline``): the feed renders as far as it is
settled, which on a cold phrase cache is just ahead of the voice
synthesizing it, and a jump to a set not placed yet waits for it.

Music (``RenderOptions.music``) keeps its own clock: a jump moves the
session, not the song. After a pause or a jump the music comes back in,
fading up, where it was when the sound stopped; a prelude ("Resuming, three,
two, one", "Next set.") is the voice alone.

Controls act on set and exercise boundaries, which the compiler gives as
``Timeline.sets`` and ``Timeline.chapters``:

    space  pause / resume ("Resuming", three, two, one, back to the rep's start)
    n      next set            b   back to the start of this set
    s      skip this exercise  q   quit (resume later with --resume)
    h      that was hard: the set playing, or the one just done, is marked in the log
    r      say the last prompt again

Media keys (``player/mediakeys/``) and spoken commands (``player/listen.py``)
are ``Remote`` controls: they ``post`` the same keys from their own
threads, and the controls' thread acts on them exactly as on a key press.
"""

from __future__ import annotations

import bisect
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voicecoach.compiler.live import LiveTimeline
from voicecoach.compiler.present import clock
from voicecoach.errors import DeviceError, VoicecoachError
from voicecoach.model import Event, SetSpan, Timeline
from voicecoach.player.history import (
    DONE,
    FINISHED,
    INTERRUPTED,
    QUIT,
    SKIPPED,
    History,
    Log,
    SetKey,
    set_keys,
)
from voicecoach.player.keys import Keys
from voicecoach.sound.render import CHUNK, RenderOptions, Score, render_chunks
from voicecoach.sound.sinks import Sink
from voicecoach.voices.base import Pcm, Speech

AHEAD_CHUNKS = 32
"""How far rendering runs ahead of the device, in render chunks (about 12 s)."""
PATIENCE_S = 0.02
"""How long the device's thread may wait for a late chunk before it plays silence instead:
one device period, well inside what the device holds in its buffer."""
TRAIL = 4096
"""How many pulls ``Feed.position_at`` remembers: far more than a device holds unplayed."""
PREFILL = 4
"""Chunks rendered before the device starts, so the first periods are never late."""
STALL_S = 3.0
"""A device that takes nothing for this long (and is not paused) has stopped."""
TICK_S = 0.05
"""How often the controls look at the keyboard and the clock."""
BACK_GRACE_S = 3
"""``b`` within this many seconds of a set's start goes to the set before."""

WAITING = "waiting for the voice"
"""On the status line while the voice is behind (a cold phrase cache): the session waits."""

HELP = (
    "space: pause/resume · n: next set · b: back to the start of this set"
    " · s: skip exercise · h: that was hard · r: say that again · q: quit"
)

PAUSED = "Paused."
"""What a spoken pause says before the silence, so the speaker knows it was heard."""
MARKED_HARD = "Noted: hard."
"""What a spoken "that was hard" says, since marking a set makes no other sound."""
CONTROL_PHRASES = (
    "Resuming.",
    "three",
    "two",
    "one",
    "Next set.",
    "Once more.",
    PAUSED,
    MARKED_HARD,
)
COUNTING = frozenset({"phase", "count", "rep", "last_rep", "countdown", "ready"})
"""Event kinds that count the work rather than say something worth hearing twice."""


class Feed:
    """The session's samples in order, rendered ahead, handed to the device on demand.

    ``pull`` runs on the device's thread; everything else on the controls'
    thread. ``position`` is the next session sample to hand over. A
    ``prelude`` (a spoken insert such as "Resuming, three, two, one") is
    played before the session goes on, and does not move ``position``.
    ``timeline`` may still be compiling; ``speech`` must be safe to use from
    several threads (``PhraseCache`` is).
    """

    def __init__(
        self,
        timeline: Timeline | LiveTimeline,
        speech: Speech,
        start: int = 0,
        options: RenderOptions | None = None,
        ahead: int = AHEAD_CHUNKS,
        patience: float = PATIENCE_S,
    ) -> None:
        self.live = (
            timeline
            if isinstance(timeline, LiveTimeline)
            else LiveTimeline.finished(timeline, speech)
        )
        self._patience = patience
        self.sample_rate = self.live.sample_rate
        self._speech = speech
        self._options = options or RenderOptions()
        self._ahead = ahead
        self._lock = threading.Lock()
        self._generation = 0
        self._queue: queue.Queue[Pcm] = queue.Queue(ahead)
        self._chunk: Pcm = np.zeros(0, dtype=np.int16)
        self._prelude: Pcm = np.zeros(0, dtype=np.int16)
        self._position = self._clamp(start)
        self._render_start = self._position
        self._music_at = 0
        """Where the music's clock stood at ``_render_start``."""
        self._paused = False
        self._rendered = threading.Event()
        self._thread: threading.Thread | None = None
        self._trail: deque[tuple[int, int, int, int]] = deque(maxlen=TRAIL)
        self.underrun = 0
        self.handed = 0
        self.error: BaseException | None = None
        self._produce_from(self._position)

    @property
    def timeline(self) -> Timeline:
        """What is placed of the session so far (all of it, once compiled)."""
        return self.live.timeline

    @property
    def position(self) -> int:
        """The next session sample to hand over."""
        return self._position

    def _end(self) -> int:
        """The session's length, or while that is not known yet, no end."""
        duration = self.live.duration
        return sys.maxsize if duration is None else duration

    def _clamp(self, position: int) -> int:
        return min(max(0, position), self._end())

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def finished(self) -> bool:
        return self._position >= self._end() and len(self._prelude) == 0

    def pull(self, frames: int) -> Pcm:
        """Up to ``frames`` samples: silence while paused, fewer if the render is late."""
        with self._lock:
            if self._paused:  # a prelude (a spoken "Paused.") is heard, then silence
                said = self._prelude[:frames]
                self._prelude = self._prelude[len(said) :]
                silence = np.zeros(frames, dtype=np.int16)
                silence[: len(said)] = said
                self._trail.append((self.handed, len(said), 0, self._position))
                self.handed += frames
                return silence
            parts: list[Pcm] = []
            need = frames
            prelude = len(self._prelude[:need])
            if prelude:
                parts.append(self._prelude[:need])
                self._prelude = self._prelude[prelude:]
                need -= prelude
            began = self._position
            end = self._end()
            while need > 0 and self._position < end:
                if len(self._chunk) == 0:
                    try:
                        self._chunk = self._queue.get(timeout=self._patience)
                    except queue.Empty:
                        self.underrun += need  # the device plays silence; the session waits
                        break
                take = self._chunk[:need]
                self._chunk = self._chunk[len(take) :]
                self._position += len(take)
                parts.append(take)
                need -= len(take)
            out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
            self._trail.append((self.handed, prelude, self._position - began, began))
            self.handed += len(out)
            return out

    def position_at(self, handed: int) -> int:
        """The session position of the ``handed``-th sample handed over (for a device that
        plays what it took some time later): inside a prelude or a pause, where it resumes."""
        with self._lock:
            for start, prelude, stream, at in reversed(self._trail):
                if handed >= start:
                    return at + min(max(0, handed - start - prelude), stream)
            return self._trail[0][3] if self._trail else self._position

    def speaking(self, first: int, last: int) -> bool:
        """Whether the coach's voice is in the handed-over samples ``first`` to ``last``
        (``last`` may lie beyond what has been handed over: what comes next is known too)."""
        with self._lock:
            spans = [(s, p, n, at) for s, p, n, at in self._trail if s + p + n > first]
            if last > self.handed:  # not handed yet: the prelude still to come, then the stream
                spans.append((self.handed, len(self._prelude), last - self.handed, self._position))
        for start, prelude, stream, at in spans:
            if prelude and start < last and start + prelude > first:
                return True
            begin = max(first, start + prelude)
            end = min(last, start + prelude + stream)
            if stream and begin < end:
                if speaks(
                    self.timeline.events, at + begin - start - prelude, at + end - start - prelude
                ):
                    return True
        return False

    def quiet_cut(self, least: int, most: int) -> int:
        """How many samples to pull so the piece ends where nobody speaks."""
        if self._paused:
            return min(most, self.sample_rate // 10)
        if len(self._prelude):
            return len(self._prelude)
        return quiet_cut(self.timeline.events, self._position, least, most)

    def wait_ready(self, chunks: int = PREFILL) -> None:
        """Block until ``chunks`` are rendered (or the render ended): call before playing."""
        queue_, wanted = self._queue, min(chunks, self._ahead)
        while queue_.qsize() < wanted and not self._rendered.is_set() and self.error is None:
            self._rendered.wait(0.005)

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def seek(self, position: int, prelude: Pcm | None = None, paused: bool = False) -> None:
        """Go on from ``position`` (after ``prelude``), or wait there if ``paused``."""
        with self._lock:
            self._music_at += self._position - self._render_start
            self._position = self._clamp(position)
            self._render_start = self._position
            self._prelude = prelude if prelude is not None else np.zeros(0, dtype=np.int16)
            self._chunk = np.zeros(0, dtype=np.int16)
            self._queue = queue.Queue(self._ahead)
            self._paused = paused
            self._produce_from(self._position)

    def close(self) -> None:
        """Stop rendering; returns once the render thread has let go."""
        with self._lock:
            self._generation += 1
            thread = self._thread
        if thread is not None:
            thread.join()

    def _produce_from(self, start: int) -> None:
        self._generation += 1
        self._rendered = threading.Event()
        self._thread = threading.Thread(
            target=self._produce,
            args=(self._generation, self._queue, start, self._music_at, self._rendered),
            name="voicecoach-render",
            daemon=True,
        )
        self._thread.start()

    def _produce(
        self,
        generation: int,
        out: queue.Queue[Pcm],
        start: int,
        music_at: int,
        rendered: threading.Event,
    ) -> None:
        try:
            score: Timeline | Score = self.live.timeline if self.live.done else self.live
            chunks = render_chunks(score, self._speech, start, self._options, music_at)
            music = self._options.music.music if self._options.music is not None else None
            while True:
                # Until the music is ready, only the chunks the device starts with: the
                # music is measured from then on, while they play (before, it would take the
                # cores from the voice's first phrases), and it comes in at the first chunk
                # made once it is ready, not after a dozen seconds rendered without it.
                while music is not None and out.qsize() >= PREFILL and not music.wait(0.05):
                    music.want()
                    if generation != self._generation:
                        return
                chunk = next(chunks, None)
                if chunk is None:
                    break
                while True:
                    if generation != self._generation:
                        return
                    try:
                        out.put(chunk, timeout=0.05)
                        break
                    except queue.Full:
                        continue
        except BaseException as error:  # reported by the controls' thread
            if generation == self._generation:
                self.error = error
        finally:
            rendered.set()


def speaks(events: tuple[Event, ...], begin: int, end: int) -> bool:
    """Whether any prompt sounds between session samples ``begin`` and ``end``."""
    i = bisect.bisect_left(events, begin, key=lambda e: e.end)
    while i < len(events) and events[i].end <= begin:
        i += 1
    return i < len(events) and events[i].start < end


def last_prompt(timeline: Timeline, position: int) -> Event | None:
    """The last thing said by ``position`` that is more than a count: a cue, a set's
    announcement, the rest, the plan."""
    for event in reversed(timeline.events[: _last_event(timeline, position) + 1]):
        if event.kind not in COUNTING:
            return event
    return None


def quiet_cut(events: tuple[Event, ...], position: int, least: int, most: int) -> int:
    """A length in ``[least, most]`` from ``position`` that ends in the middle of the longest
    silence in that window, or ``most`` if every sample there is spoken."""
    lo, hi = position + least, position + most
    best_gap, best_at = 0, most
    previous_end = lo
    for event in events:
        if event.end <= lo:
            continue
        if event.start >= hi:
            break
        gap_start, gap_end = max(previous_end, lo), min(event.start, hi)
        if gap_end - gap_start > best_gap:
            best_gap, best_at = gap_end - gap_start, (gap_start + gap_end) // 2 - position
        previous_end = max(previous_end, event.end)
    if hi - max(previous_end, lo) > best_gap:
        best_at = (max(previous_end, lo) + hi) // 2 - position
    return max(least, min(most, best_at))


def countdown(speech: Speech, first: str) -> Pcm:
    """``first``, then "three", "two", "one" a second apart, then a second before going on."""
    rate = speech.sample_rate
    opening = speech.audio(first)
    beat = -(-len(opening) // rate) * rate + rate // 2
    length = beat + 4 * rate
    out = np.zeros(length, dtype=np.int32)
    out[: len(opening)] += opening
    for i, word in enumerate(("three", "two", "one")):
        audio = speech.audio(word)[:rate]
        at = beat + i * rate
        out[at : at + len(audio)] += audio
    return np.clip(out, -32768, 32767).astype(np.int16)


def spoken(speech: Speech, text: str, gap_s: float = 0.4) -> Pcm:
    """``text`` followed by a short pause."""
    audio = speech.audio(text)
    return np.concatenate([audio, np.zeros(int(speech.sample_rate * gap_s), dtype=np.int16)])


def resume_point(timeline: Timeline, heard: int) -> int:
    """Where to go on after a pause at ``heard``: the start of the rep in progress, or else
    of the prompt being spoken, so no count and no word is cut in half."""
    events = timeline.events
    last = _last_event(timeline, heard)
    if last < 0:
        return heard
    event = events[last]
    if event.rep is None:
        return event.start if heard < event.end else heard
    first = last  # walk back through this rep only: the same rep number in the same set
    while first > 0 and _same_rep(events[first - 1], event):
        first -= 1
    return events[first].start


def _last_event(timeline: Timeline, position: int) -> int:
    """The index of the last event begun by ``position``, or -1."""
    return bisect.bisect_right(timeline.events, position, key=lambda e: e.start) - 1


def _same_rep(a: Event, b: Event) -> bool:
    return (a.exercise, a.set, a.side, a.rep) == (b.exercise, b.set, b.side, b.rep)


def current_set(timeline: Timeline, position: int) -> SetSpan | None:
    """The set playing at ``position``, or the one just finished if between sets."""
    found: SetSpan | None = None
    for span in timeline.sets:
        if span.start <= position:
            found = span
    return found


def _entry(timeline: Timeline, span: SetSpan, position: int) -> int:
    """Where to land for ``span``: its chapter's start (the exercise's setup) when it is the
    first set of that chapter and the chapter has not begun at ``position``."""
    chapter = timeline.chapters[span.chapter]
    first_of_chapter = not any(
        s.chapter == span.chapter and s.start < span.start for s in timeline.sets
    )
    return chapter.start if first_of_chapter and chapter.start > position else span.start


def next_set_start(timeline: Timeline, position: int) -> int:
    """The start of the next set; for a new exercise, the start of its chapter (its setup).
    After the last set: the end."""
    for span in timeline.sets:
        if span.start > position:
            return _entry(timeline, span, position)
    return _end(timeline, position)


def set_start(timeline: Timeline, position: int) -> int:
    """The start of this set; near its very start, the start of the set before."""
    here = current_set(timeline, position)
    if here is None:
        return 0
    if position - here.start < BACK_GRACE_S * timeline.sample_rate and here.index > 0:
        return timeline.sets[here.index - 1].start
    return here.start


def next_exercise_start(timeline: Timeline, position: int) -> int:
    """The first set of the next exercise (in a circuit, the next one in the round)."""
    here = current_set(timeline, position)
    for span in timeline.sets:
        if span.start > position and (here is None or span.exercise != here.exercise):
            return _entry(timeline, span, position)
    return _end(timeline, position)


def _end(timeline: Timeline, position: int) -> int:
    """Past the last set: the closing words, or the very end once they have begun."""
    closing = timeline.sets[-1].end if timeline.sets else timeline.duration
    return closing if closing > position else timeline.duration


def resume_start(timeline: Timeline, done: Collection[SetKey]) -> tuple[int, str]:
    """Where a resumed session starts: the first set not done (with its exercise's setup
    if it is the exercise's first set), and a few words saying where that is."""
    if not done:
        return 0, "the beginning"
    for span, key in zip(timeline.sets, set_keys(timeline), strict=True):
        if key not in done:
            side = f", {span.side}" if span.side else ""
            where = f"{span.name}, set {span.set} of {span.sets}{side}"
            return _entry(timeline, span, span.start - 1), where
    return _end(timeline, 0), "the closing words (every set was done)"


@dataclass(frozen=True, slots=True)
class Resumption:
    """Where ``play --resume`` starts, the log row it carries on, and what to tell the user."""

    start: int
    session: int | None
    message: str


def resumption(history: History | None, timeline: Timeline | LiveTimeline) -> Resumption:
    """Where the last unfinished session of ``timeline``'s workout stopped, from its log.

    No log, nothing unfinished or a log that cannot be read: from the beginning,
    with a message that says so (and why, for an unreadable log). A timeline
    still being compiled is waited for only up to the set it resumes at.
    """
    outline = timeline.outline() if isinstance(timeline, LiveTimeline) else timeline
    name = outline.workout
    fresh = f"Nothing to resume for {name}: starting from the beginning."
    if history is None:
        return Resumption(0, None, fresh)
    try:
        found = history.resumable(name)
    except VoicecoachError as error:
        return Resumption(0, None, f"warning: {error}\n{fresh}")
    if found is None:
        return Resumption(0, None, fresh)
    row, done = found
    if isinstance(timeline, LiveTimeline):
        keys = set_keys(outline)
        first = next((i for i, key in enumerate(keys) if key not in done), None)
        if not done:
            placed = outline
        elif first is None:
            placed = timeline.whole()
        else:
            placed = timeline.wait(lambda t: len(t.sets) > first)
    else:
        placed = timeline
    start, where = resume_start(placed, done)
    return Resumption(start, row.id, f"Resuming {name} from {row.when}: {where}")


def status_line(timeline: Timeline, position: int, paused: bool = False) -> str:
    """One line for whoever glances: exercise, set, side, rep, time left."""
    left = clock(max(0, timeline.duration - position), timeline.sample_rate) + " left"
    span = current_set(timeline, position)
    parts: list[str] = []
    if span is not None and position < span.end:
        parts.append(span.name)
        parts.append(f"set {span.set}/{span.sets}")
        if span.side:
            parts.append(span.side)
        rep = _rep_at(timeline, position)
        if rep is not None:
            parts.append(f"rep {rep}")
    else:
        chapter = next((c for c in reversed(timeline.chapters) if c.start <= position), None)
        if chapter is not None:
            parts.append(chapter.title)
        if span is not None and position < timeline.sets[-1].end:
            parts.append("rest")
    parts.append(left)
    if paused:
        parts.insert(0, "PAUSED")
    return " · ".join(parts)


def _rep_at(timeline: Timeline, position: int) -> int | None:
    last = _last_event(timeline, position)
    return timeline.events[last].rep if last >= 0 else None


PLAYING, PAUSED_STATUS, STOPPED = "Playing", "Paused", "Stopped"


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """What a media widget shows: the state, the set playing, where in the session.

    ``jumps`` counts the jumps so far (next, back, skip, resume), so a remote
    can tell a jump from the clock simply running on; ``landed`` is where the
    last one went.
    """

    status: str
    title: str
    album: str
    track: int
    position: int
    length: int
    sample_rate: int
    jumps: int = 0
    landed: int = 0


def now_playing(
    timeline: Timeline, position: int, status: str, jumps: int = 0, landed: int = 0
) -> NowPlaying:
    """The ``NowPlaying`` at ``position``: the set and side, or between sets the chapter."""
    span = current_set(timeline, position)
    if span is not None and position < span.end:
        side = f", {span.side}" if span.side else ""
        title, track = f"{span.name}, set {span.set} of {span.sets}{side}", span.index
    else:
        chapter = next((c for c in reversed(timeline.chapters) if c.start <= position), None)
        title, track = (chapter.title if chapter else timeline.title), -1
    return NowPlaying(
        status,
        title,
        timeline.title,
        track,
        position,
        timeline.duration,
        timeline.sample_rate,
        jumps,
        landed,
    )


class Remote(Protocol):
    """A control besides the keyboard: media keys, a microphone. It posts keys to the
    player (``Player.post``) from its own thread and is told what is playing."""

    def start(self, player: Player) -> None:
        """Begin listening; a remote that cannot work here says so and stays quiet."""
        ...

    def update(self, now: NowPlaying) -> None:
        """What is playing now; called on every look at the controls."""
        ...

    def close(self) -> None:
        """Let go of the bus or the device; returns promptly."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended: ``finished``, ``quit`` or ``interrupted``, and where."""

    how: str
    position: int
    underrun: int


class Player:
    """Runs one session: feeds the sink, answers keys, logs sets, shows the status.

    Everything the player decides is decided at the position being heard
    (``Feed.position_at(sink.heard())``), which for a device that takes
    whole pieces ahead of playing them is well behind what it has taken.

    ``timeline`` may still be compiling (a ``LiveTimeline`` started with
    ``speech``, which must be safe to share between threads); its warnings are
    passed to ``say`` as they come.
    """

    def __init__(
        self,
        timeline: Timeline | LiveTimeline,
        speech: Speech,
        sink: Sink,
        keys: Keys,
        log: Log,
        show: Callable[[str], None] | None = None,
        start: int = 0,
        options: RenderOptions | None = None,
        patience: float = PATIENCE_S,
        stall_s: float = STALL_S,
        remotes: Collection[Remote] = (),
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.live = (
            timeline
            if isinstance(timeline, LiveTimeline)
            else LiveTimeline.finished(timeline, speech)
        )
        self.say = say or (lambda line: None)
        self._warned = 0
        self._underrun_seen = 0
        self.remotes = list(remotes)
        self._posted: queue.Queue[tuple[str, bool]] = queue.Queue()
        self._jumps = 0
        self._landed = 0
        self.patience = patience
        self.stall_s = stall_s
        self.speech = speech
        self.sink = sink
        self.keys = keys
        self.log = log
        self.show = show or (lambda line: None)
        self.start = start
        self.options = options
        self.feed: Feed | None = None
        self.stopped_at: int | None = None
        """Where the session ended, however it ended (set once ``run`` returns or raises)."""
        self._status: dict[int, str] = {}
        self.hard: set[int] = set()
        """The indexes of the sets marked hard in this run."""
        self._played_from = start
        """Where the sound last began without a jump: a set is done if heard from its start."""
        self._jumped_at = -1
        """How many samples had been handed over at the last jump: up to there, what the
        device reports is from before the jump, not where the session now is."""

    @property
    def timeline(self) -> Timeline:
        """What is placed of the session so far (all of it, once compiled)."""
        return self.live.timeline

    def run(self, resume: int | None = None) -> Outcome:
        """Play to the end, or until ``q`` or Ctrl-C (``KeyboardInterrupt`` is re-raised)."""
        if self.start:
            started = self.live.wait(lambda t: any(s.end > self.start for s in t.sets))
            for span in started.sets:
                if span.end <= self.start:
                    self._status[span.index] = "earlier"  # logged by the run that played it
        how = INTERRUPTED
        feed: Feed | None = None
        try:
            # Ready before the first key, not made mid-session; while the session is
            # still being synthesized, right after it, so the first words come first.
            if not self.live.later(CONTROL_PHRASES):
                for phrase in CONTROL_PHRASES:
                    self.speech.audio(phrase)
            # The sets are known before their places: the estimate has the same ones.
            self.log.begin(self.live.outline(), resume)
            feed = self.feed = Feed(
                self.live, self.speech, self.start, self.options, patience=self.patience
            )
            if not self.live.ready(self.start + PREFILL * CHUNK):
                self.show("Getting the voice ready…")
            feed.wait_ready()
            self.sink.start(feed)
            # After the first words: a remote's imports and connecting take a while, and the
            # device has the first chunks to play meanwhile.
            for remote in self.remotes:
                remote.start(self)
            how = self._loop(feed)
        finally:
            at = self.heard() if feed is not None else self.start
            for remote in self.remotes:
                remote.update(now_playing(self.timeline, at, STOPPED, self._jumps, self._landed))
                remote.close()
            self.sink.close()
            position = self.start
            if feed is not None:
                feed.close()
                position = self.heard()
                self._note_sets(position)
            self.stopped_at = position
            self.log.end(how, position, self.live.duration)
        return Outcome(how, position, feed.underrun if feed else 0)

    def heard(self) -> int:
        """The session position the listener is hearing now."""
        assert self.feed is not None
        taken = self.sink.heard()
        if taken <= self._jumped_at:
            return self._played_from
        return self.feed.position_at(taken)

    def post(self, key: str, acknowledge: bool = False) -> None:
        """Press ``key`` from another thread (a media key, a spoken command); the controls
        act on it at their next look, as on a key. ``acknowledge`` says so aloud."""
        self._posted.put((key, acknowledge))

    def speaking(self, before_s: float, after_s: float) -> bool:
        """Whether the coach is heard now, or was in the last ``after_s`` seconds (its echo),
        or will be in the next ``before_s``: the microphone must not take it for a person."""
        feed = self.feed
        if feed is None:
            return True
        rate, now = self.timeline.sample_rate, self.sink.heard()
        return feed.speaking(now - int(after_s * rate), now + int(before_s * rate))

    def _loop(self, feed: Feed) -> str:
        last_seen, since = (-1, 0), time.monotonic()
        while True:
            if feed.error is not None:
                raise feed.error
            if self.sink.error:
                raise DeviceError(self.sink.error)
            position = self.heard()
            self._note_sets(position)
            self._say_warnings()
            line = status_line(self.timeline, position, feed.paused)
            if feed.underrun > self._underrun_seen:
                self._underrun_seen = feed.underrun
                if not self.live.done:
                    line = f"{WAITING} · {line}"
            here = current_set(self.timeline, position)
            self.show(line + (" · marked hard" if here and here.index in self.hard else ""))
            if self.remotes:
                status = PAUSED_STATUS if feed.paused else PLAYING
                now = now_playing(self.timeline, position, status, self._jumps, self._landed)
                for remote in self.remotes:
                    remote.update(now)
            if feed.finished and self.sink.done():
                return FINISHED
            # A device that stops asking for samples (unplugged, or its thread died) must
            # not leave the session hanging; a watchdog, not the clock, so wall time is fine.
            # One that asks while the voice is behind gets silence, and is still there.
            taken = (self.sink.heard(), feed.underrun)
            if taken != last_seen or feed.paused:
                last_seen, since = taken, time.monotonic()
            elif time.monotonic() - since > self.stall_s:
                raise DeviceError(
                    f"the sound device stopped taking sound ({self.sink.name}). "
                    "Carry on with --resume once it works again"
                )
            key: str | None
            try:
                key, acknowledge = self._posted.get_nowait()
            except queue.Empty:
                key, acknowledge = self.keys.read(TICK_S), False
            if key is not None and self.press(key.lower(), acknowledge):
                return QUIT

    def _say_warnings(self) -> None:
        warnings = self.live.warnings()
        for warning in warnings[self._warned :]:
            self.say(str(warning))
        self._warned = len(warnings)

    def _placed(self, until: Callable[[Timeline], bool]) -> Timeline:
        """The timeline once ``until`` holds for it: a jump may go further than is compiled."""
        if not self.live.done and not until(self.timeline):
            self.show(WAITING)
        return self.live.wait(until)

    def press(self, key: str, acknowledge: bool = False) -> bool:
        """Act on one key; True means quit. ``acknowledge``: say "Paused." before a pause
        and "Noted: hard." for a mark (the other keys already speak)."""
        feed = self.feed
        assert feed is not None
        timeline = self.timeline
        self._note_sets(self.heard())
        if key == "q":
            return True
        if key == "h":
            marked = self.mark_hard()
            if acknowledge and marked is not None and not feed.paused:
                heard = self._silence()
                feed.seek(resume_point(timeline, heard), spoken(self.speech, MARKED_HARD))
            return False
        if key == " ":
            if feed.paused:
                again = resume_point(timeline, feed.position)
                self._moved(again)
                feed.seek(again, countdown(self.speech, "Resuming."))
            else:
                heard = self._silence()
                said = spoken(self.speech, PAUSED) if acknowledge else None
                feed.seek(heard, said, paused=True)
            return False
        if feed.paused:
            return False
        if key == "r":
            heard = self._silence()
            prompt = last_prompt(timeline, heard)
            again = resume_point(timeline, heard)
            self._moved(again)
            feed.seek(again, spoken(self.speech, prompt.text) if prompt else None)
        elif key == "n":
            heard = self._silence()
            timeline = self._placed(lambda t: any(s.start > heard for s in t.sets))
            target = next_set_start(timeline, heard)
            self._jump(target, spoken(self.speech, "Next set."))
        elif key == "b":
            self._jump(set_start(timeline, self._silence()), spoken(self.speech, "Once more."))
        elif key == "s":
            heard = self._silence()
            here = current_set(timeline, heard)
            timeline = self._placed(
                lambda t: any(
                    s.start > heard and (here is None or s.exercise != here.exercise)
                    for s in t.sets
                )
            )
            self._jump(next_exercise_start(timeline, heard))
        return False

    def mark_hard(self) -> SetSpan | None:
        """Mark the set being heard, or in its rest the set just done, as hard; before the
        first set there is none. The set marked, if any."""
        span = current_set(self.timeline, self.heard())
        if span is not None and span.index not in self.hard:
            self.hard.add(span.index)
            self.log.set_hard(span)
        return span

    def _silence(self) -> int:
        """Stop the sound now; the position that was being heard."""
        assert self.feed is not None
        self.feed.pause()
        self.sink.interrupt()
        return self.heard()

    def _jump(self, target: int, prelude: Pcm | None = None) -> None:
        assert self.feed is not None
        self._skip_until(target)
        self._played_from = target
        self._moved(target)
        self._jumped_at = self.feed.handed
        self.feed.seek(target, prelude)

    def _moved(self, target: int) -> None:
        """A jump, for the remotes that show where the session is."""
        self._jumps += 1
        self._landed = target

    def _note_sets(self, position: int) -> None:
        """Sets heard from start to end are done (even if skipped before and gone back to)."""
        for span in self.timeline.sets:
            state = self._status.get(span.index)
            if state in (DONE, "earlier") or span.end > position:
                continue
            if span.start >= self._played_from or state is None:
                self._status[span.index] = DONE
                self.log.set_finished(span, DONE)

    def _skip_until(self, target: int) -> None:
        """Sets jumped over are logged as skipped, so ``--resume`` does not bring them back."""
        for span in self.timeline.sets:
            if span.index not in self._status and span.start < target:
                self._status[span.index] = SKIPPED
                self.log.set_finished(span, SKIPPED)
