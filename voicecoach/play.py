"""Play a timeline live: the rendered stream to a sound device, with controls and a log.

The ``Feed`` renders the session ahead of the device on a background
thread and hands samples over as the device asks for them. The number of
session samples it has handed over is the player's clock: positions,
jumps, the status line and the log all read it, and nothing here sleeps
to keep time. If rendering ever fell behind, the device would get
silence and the session would wait, not skip; ``Feed.underrun`` counts
those samples (it is the drift).

Controls act on set and exercise boundaries, which the compiler gives as
``Timeline.sets`` and ``Timeline.chapters``:

    space  pause / resume ("Resuming", three, two, one, back to the rep's start)
    n      next set            b   back to the start of this set
    s      skip this exercise  q   quit (resume later with --resume)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from voicecoach.errors import DeviceError
from voicecoach.history import DONE, FINISHED, INTERRUPTED, QUIT, SKIPPED, Log, SetKey
from voicecoach.keys import Keys
from voicecoach.model import Event, SetSpan, Timeline
from voicecoach.render import RenderOptions, render_chunks
from voicecoach.sinks import Sink
from voicecoach.voices.base import Pcm, Speech

AHEAD_CHUNKS = 32
"""How far rendering runs ahead of the device, in render chunks (about 12 s)."""
PATIENCE_S = 0.02
"""How long the device's thread may wait for a late chunk before it plays silence instead:
one device period, well inside what the device holds in its buffer."""
PREFILL = 4
"""Chunks rendered before the device starts, so the first periods are never late."""
TICK_S = 0.05
"""How often the controls look at the keyboard and the clock."""
BACK_GRACE_S = 3
"""``b`` within this many seconds of a set's start goes to the set before."""

HELP = (
    "space: pause/resume · n: next set · b: back to the start of this set"
    " · s: skip exercise · q: quit"
)

CONTROL_PHRASES = ("Resuming.", "three", "two", "one", "Next set.", "Once more.")


class LockedSpeech:
    """A ``Speech`` shared by the render thread and the controls, one caller at a time."""

    def __init__(self, speech: Speech) -> None:
        self._speech = speech
        self._lock = threading.Lock()

    @property
    def sample_rate(self) -> int:
        return self._speech.sample_rate

    def length(self, text: str) -> int:
        with self._lock:
            return self._speech.length(text)

    def audio(self, text: str) -> Pcm:
        with self._lock:
            return self._speech.audio(text)


class Feed:
    """The session's samples in order, rendered ahead, handed to the device on demand.

    ``pull`` runs on the device's thread; everything else on the controls'
    thread. ``position`` is the next session sample to hand over. A
    ``prelude`` (a spoken insert such as "Resuming, three, two, one") is
    played before the session goes on, and does not move ``position``.
    """

    def __init__(
        self,
        timeline: Timeline,
        speech: Speech,
        start: int = 0,
        options: RenderOptions | None = None,
        ahead: int = AHEAD_CHUNKS,
        patience: float = PATIENCE_S,
    ) -> None:
        self.timeline = timeline
        self._patience = patience
        self.sample_rate = timeline.sample_rate
        self._speech = speech
        self._options = options or RenderOptions()
        self._ahead = ahead
        self._lock = threading.Lock()
        self._generation = 0
        self._queue: queue.Queue[Pcm] = queue.Queue(ahead)
        self._chunk: Pcm = np.zeros(0, dtype=np.int16)
        self._prelude: Pcm = np.zeros(0, dtype=np.int16)
        self._position = min(max(0, start), timeline.duration)
        self._paused = False
        self._rendered = threading.Event()
        self.underrun = 0
        self.handed = 0
        self.error: BaseException | None = None
        self._produce_from(self._position)

    @property
    def position(self) -> int:
        return self._position

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def finished(self) -> bool:
        return self._position >= self.timeline.duration and len(self._prelude) == 0

    def pull(self, frames: int) -> Pcm:
        with self._lock:
            if self._paused:
                self.handed += frames
                return np.zeros(frames, dtype=np.int16)
            parts: list[Pcm] = []
            need = frames
            if len(self._prelude):
                take = self._prelude[:need]
                self._prelude = self._prelude[len(take) :]
                parts.append(take)
                need -= len(take)
            while need > 0 and self._position < self.timeline.duration:
                if len(self._chunk) == 0:
                    try:
                        self._chunk = self._queue.get(timeout=self._patience)
                    except queue.Empty:
                        self.underrun += need  # rendering is behind: wait in silence
                        parts.append(np.zeros(need, dtype=np.int16))
                        need = 0
                        break
                take = self._chunk[:need]
                self._chunk = self._chunk[len(take) :]
                self._position += len(take)
                parts.append(take)
                need -= len(take)
            out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
            self.handed += len(out)
            return out

    def quiet_cut(self, least: int, most: int) -> int:
        """How many samples to pull so the piece ends where nobody speaks."""
        if self._paused:
            return min(most, self.sample_rate // 10)
        if len(self._prelude):
            return len(self._prelude)
        return quiet_cut(self.timeline.events, self._position, least, most)

    def wait_ready(self, chunks: int = PREFILL) -> None:
        """Block until ``chunks`` are rendered (or the render ended): call before playing."""
        queue_ = self._queue
        while queue_.qsize() < chunks and not self._rendered.is_set() and self.error is None:
            self._rendered.wait(0.005)

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def seek(self, position: int, prelude: Pcm | None = None, paused: bool = False) -> None:
        """Go on from ``position`` (after ``prelude``), or wait there if ``paused``."""
        with self._lock:
            self._position = min(max(0, position), self.timeline.duration)
            self._prelude = prelude if prelude is not None else np.zeros(0, dtype=np.int16)
            self._chunk = np.zeros(0, dtype=np.int16)
            self._queue = queue.Queue(self._ahead)
            self._paused = paused
            self._produce_from(self._position)

    def close(self) -> None:
        with self._lock:
            self._generation += 1

    def _produce_from(self, start: int) -> None:
        self._generation += 1
        self._rendered = threading.Event()
        thread = threading.Thread(
            target=self._produce,
            args=(self._generation, self._queue, start),
            name="voicecoach-render",
            daemon=True,
        )
        thread.start()

    def _produce(self, generation: int, out: queue.Queue[Pcm], start: int) -> None:
        try:
            for chunk in render_chunks(self.timeline, self._speech, start, self._options):
                while True:
                    if generation != self._generation:
                        return
                    try:
                        out.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as error:  # reported by the controls' thread
            self.error = error
        finally:
            if generation == self._generation:
                self._rendered.set()


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
    last: Event | None = None
    for event in timeline.events:
        if event.start > heard:
            break
        last = event
    if last is None:
        return heard
    if last.rep is not None:
        for event in timeline.events:
            if (
                event.exercise == last.exercise
                and event.set == last.set
                and event.side == last.side
                and event.rep == last.rep
            ):
                return event.start
    return last.start if heard < last.end else heard


def current_set(timeline: Timeline, position: int) -> SetSpan | None:
    """The set playing at ``position``, or the one just finished if between sets."""
    found: SetSpan | None = None
    for span in timeline.sets:
        if span.start <= position:
            found = span
    return found


def next_set_start(timeline: Timeline, position: int) -> int:
    """The start of the next set; for a new exercise, the start of its chapter (its setup)."""
    for span in timeline.sets:
        if span.start > position:
            chapter = timeline.chapters[span.chapter]
            first_of_chapter = not any(
                s.chapter == span.chapter and s.start < span.start for s in timeline.sets
            )
            if first_of_chapter and chapter.start > position:
                return chapter.start
            return span.start
    return _closing(timeline)


def set_start(timeline: Timeline, position: int) -> int:
    """The start of this set; near its very start, the start of the set before."""
    here = current_set(timeline, position)
    if here is None:
        return 0
    if position - here.start < BACK_GRACE_S * timeline.sample_rate and here.index > 0:
        return timeline.sets[here.index - 1].start
    return here.start


def next_exercise_start(timeline: Timeline, position: int) -> int:
    for chapter in timeline.chapters:
        if chapter.start > position:
            return chapter.start
    return _closing(timeline)


def _closing(timeline: Timeline) -> int:
    """Where the closing words begin: after the last set."""
    return timeline.sets[-1].end if timeline.sets else timeline.duration


def resume_start(timeline: Timeline, done: Collection[SetKey]) -> tuple[int, str]:
    """Where a resumed session starts: the first set not done (with its exercise's setup
    if it is the exercise's first set), and a few words saying where that is."""
    if not done:
        return 0, "the beginning"
    for span in timeline.sets:
        if SetKey.of(span) not in done:
            start = next_set_start(timeline, span.start - 1)
            side = f", {span.side}" if span.side else ""
            return start, f"{span.name}, set {span.set} of {span.sets}{side}"
    return _closing(timeline), "the closing words (every set was done)"


def status_line(timeline: Timeline, position: int, paused: bool = False) -> str:
    """One line for whoever glances: exercise, set, side, rep, time left."""
    rate = timeline.sample_rate
    left = max(0, timeline.duration - position) // rate
    clock = f"{left // 60}:{left % 60:02d} left"
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
    elif span is not None and position < _closing(timeline):
        parts.append("rest")
    parts.append(clock)
    if paused:
        parts.insert(0, "PAUSED")
    return " · ".join(parts)


def _rep_at(timeline: Timeline, position: int) -> int | None:
    rep: int | None = None
    for event in timeline.events:
        if event.start > position:
            break
        rep = event.rep
    return rep


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended: ``finished``, ``quit`` or ``interrupted``, and where."""

    how: str
    position: int
    underrun: int


class Player:
    """Runs one session: feeds the sink, answers keys, logs sets, shows the status."""

    def __init__(
        self,
        timeline: Timeline,
        speech: Speech,
        sink: Sink,
        keys: Keys,
        log: Log,
        show: Callable[[str], None] | None = None,
        start: int = 0,
        options: RenderOptions | None = None,
        patience: float = PATIENCE_S,
    ) -> None:
        self.timeline = timeline
        self.patience = patience
        self.speech = LockedSpeech(speech)
        self.sink = sink
        self.keys = keys
        self.log = log
        self.show = show or (lambda line: None)
        self.start = start
        self.options = options
        self._logged: set[int] = set()
        self.feed: Feed | None = None

    def run(self, resume: int | None = None) -> Outcome:
        """Play to the end, or until ``q`` or Ctrl-C (``KeyboardInterrupt`` is re-raised)."""
        for phrase in CONTROL_PHRASES:
            self.speech.audio(phrase)  # ready before the first key, not synthesized mid-session
        for span in self.timeline.sets:
            if span.end <= self.start:
                self._logged.add(span.index)  # done in an earlier run
        self.log.begin(self.timeline, resume)
        feed = self.feed = Feed(
            self.timeline, self.speech, self.start, self.options, patience=self.patience
        )
        how = INTERRUPTED
        try:
            feed.wait_ready()
            self.sink.start(feed)
            how = self._loop(feed)
        finally:
            self.sink.close()
            feed.close()
            self._note_sets(feed.position)
            self.log.end(how, feed.position)
        return Outcome(how, feed.position, feed.underrun)

    def _loop(self, feed: Feed) -> str:
        while True:
            if feed.error is not None:
                raise feed.error
            if self.sink.error:
                raise DeviceError(self.sink.error)
            self._note_sets(feed.position)
            self.show(status_line(self.timeline, feed.position, feed.paused))
            if feed.finished and self.sink.done():
                return FINISHED
            key = self.keys.read(TICK_S)
            if key is not None and self.press(key.lower()):
                return QUIT

    def press(self, key: str) -> bool:
        """Act on one key; True means quit."""
        feed = self.feed
        assert feed is not None
        timeline = self.timeline
        if key == "q":
            return True
        if key == " ":
            if feed.paused:
                heard = feed.position
                feed.seek(resume_point(timeline, heard), countdown(self.speech, "Resuming."))
            else:
                feed.pause()
                unheard = self.sink.interrupt()
                if unheard:  # the device had more queued than it played
                    feed.seek(max(0, feed.position - unheard), paused=True)
            return False
        if feed.paused:
            return False
        if key == "n":
            target = next_set_start(timeline, feed.position)
            self._skip_until(target)
            feed.seek(target, spoken(self.speech, "Next set."))
        elif key == "b":
            feed.seek(set_start(timeline, feed.position), spoken(self.speech, "Once more."))
        elif key == "s":
            target = next_exercise_start(timeline, feed.position)
            self._skip_until(target)
            feed.seek(target)
        return False

    def _note_sets(self, position: int) -> None:
        for span in self.timeline.sets:
            if span.index not in self._logged and span.end <= position:
                self._logged.add(span.index)
                self.log.set_finished(span, DONE)

    def _skip_until(self, target: int) -> None:
        """Sets jumped over are logged as skipped, so ``--resume`` does not bring them back."""
        for span in self.timeline.sets:
            if span.index not in self._logged and span.start < target:
                self._logged.add(span.index)
                self.log.set_finished(span, SKIPPED)
