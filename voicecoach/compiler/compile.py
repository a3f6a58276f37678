"""Workout -> Timeline: every spoken prompt at an exact sample. Pure and deterministic.

Two kinds of speech are laid out differently:

- *Free* speech (the intro, setup cues, announcements) is laid end to end
  from a cursor, each prompt taking as long as the voice needs: it pushes the
  following time along.
- *Beats* (counts, rep numbers, countdowns) sit at fixed positions: rep ``k``
  of a set starts exactly ``k`` rep lengths after the first. A beat word that
  would run into the next fixed beat is dropped, never overlapped, and the
  compiler says so in its warnings.

A rest is the time from the end of one set's work to the start of the next
set's work. What is said in between (the rest announcement, the next
exercise and its setup cues, the set announcement) is spoken inside the
rest, and the rest grows if it has to. Every lead-in to work ends with a
"three, two, one" countdown on the beat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from voicecoach.errors import InputError
from voicecoach.model import (
    Chapter,
    CircuitBlock,
    Event,
    ExerciseBlock,
    RestBlock,
    SayBlock,
    SetSpan,
    Side,
    Timeline,
    Where,
    Workout,
)
from voicecoach.units import capitalize, duration_words, number_words
from voicecoach.voices.base import PhraseLengths

GAP_MS = 400
"""Silence after each free prompt."""
CUE_GAP_MS = 1500
"""Silence after each setup cue: time to get into position."""
WORD_GAP_MS = 80
"""Silence between a beat word and the rep number said right after it."""
COUNTDOWN = ("three", "two", "one")
MARK_MARGIN_MS = 250
"""A countdown mark keeps this far from other speech."""
TAIL_MS = 1000
"""Silence at the very end of the session."""


@dataclass(frozen=True, slots=True)
class CompileWarning:
    """Something the compiler had to leave out, with where it comes from."""

    where: Where | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.where}: warning: {self.message}" if self.where else f"warning: {self.message}"
        )


@dataclass(frozen=True, slots=True)
class Compiled:
    timeline: Timeline
    warnings: tuple[CompileWarning, ...]


def compile_workout(workout: Workout, lengths: PhraseLengths) -> Timeline:
    """The timeline of ``workout``, with phrase lengths from the voice that will speak it."""
    return compile_report(workout, lengths).timeline


def compile_report(workout: Workout, lengths: PhraseLengths) -> Compiled:
    """Like ``compile_workout``, with the warnings about words that could not fit their beat."""
    body = _Builder(lengths)
    body.workout(workout)
    intro = _Builder(lengths)
    intro.intro(workout, body)
    shift = intro.cursor
    events = list(intro.events) + [_shifted(e, shift) for e in body.events]
    events.sort(key=lambda e: e.start)
    chapter_starts = [(title, start + shift) for title, start in body.chapters]
    duration = max(body.cursor + shift, events[-1].end if events else 0) + intro.ms(TAIL_MS)
    chapters = _chapters([("Introduction", 0), *chapter_starts], duration)
    sets = tuple(
        replace(span, start=span.start + shift, end=span.end + shift, chapter=span.chapter + 1)
        for span in body.sets
    )
    timeline = Timeline(
        title=workout.title,
        sample_rate=lengths.sample_rate,
        duration=duration,
        chapters=chapters,
        events=tuple(events),
        sets=sets,
        workout=workout.name,
    )
    _check(timeline)
    return Compiled(timeline, tuple(dict.fromkeys(body.warnings)))


def _shifted(event: Event, by: int) -> Event:
    return replace(event, start=event.start + by, end=event.end + by)


def _chapters(starts: list[tuple[str, int]], duration: int) -> tuple[Chapter, ...]:
    # A chapter with nothing in it (intro immediately followed by an exercise) is dropped.
    kept = [s for i, s in enumerate(starts) if i + 1 == len(starts) or starts[i + 1][1] > s[1]]
    ends = [start for _, start in kept[1:]] + [duration]
    return tuple(Chapter(title, start, end) for (title, start), end in zip(kept, ends, strict=True))


def _check(timeline: Timeline) -> None:
    previous = 0
    for event in timeline.events:
        if event.start < previous or event.end <= event.start:
            raise AssertionError(f"timeline overlap at sample {event.start}: {event.text!r}")
        previous = event.end


class _Who(NamedTuple):
    """Whose prompt this is: the exercise, set and side it belongs to."""

    exercise: str | None = None
    set: int | None = None
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class _Say:
    """A free prompt waiting to be placed."""

    text: str
    kind: str
    gap_ms: int = GAP_MS
    who: _Who = field(default_factory=lambda: _Who())
    opens_set: bool = False
    chapter: str | None = None


@dataclass(frozen=True, slots=True)
class _Beat:
    """A word at a fixed sample; ``must`` words are never dropped."""

    start: int
    text: str
    kind: str
    must: bool = False
    exercise: str | None = None
    set: int | None = None
    side: Side | None = None
    rep: int | None = None


@dataclass
class _Builder:
    lengths: PhraseLengths
    events: list[Event] = field(default_factory=list)
    cursor: int = 0
    pending: list[_Say] = field(default_factory=list)
    pending_rest_ms: int = 0
    chapters: list[tuple[str, int]] = field(default_factory=list)
    sets: list[SetSpan] = field(default_factory=list)
    warnings: list[CompileWarning] = field(default_factory=list)
    horizon: int = 0
    """The end of the latest word so far."""
    _lengths: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> int:
        return self.lengths.sample_rate

    def ms(self, ms: int) -> int:
        """Milliseconds -> samples, rounded the same way everywhere."""
        return (ms * self.rate + 500) // 1000

    def length(self, text: str) -> int:
        if text not in self._lengths:
            self._lengths[text] = max(1, self.lengths.length(text))
        return self._lengths[text]

    # The session as a whole.

    def intro(self, workout: Workout, body: _Builder) -> None:
        """Title, about, length and equipment, before the first exercise."""
        items = [_Say(_sentence(workout.title), "intro")]
        if workout.about:
            items.append(_Say(_sentence(workout.about), "intro"))
        items += [_Say(_sentence(note), "note") for note in workout.notes]
        gear = _equipment(workout)
        gear_text = f"You will need: {_join(gear)}." if gear else "No equipment needed."
        if not gear and any(
            item.lower() in _UNNAMED_EQUIPMENT
            for block in _exercise_blocks(workout.blocks)
            for item in block.exercise.equipment
        ):
            gear_text = "You will need some equipment."
        guess = sum(self.length(i.text) + self.ms(i.gap_ms) for i in items) + body.cursor
        minutes = max(1, round(guess / self.rate / 60))
        items.append(_Say(f"About {number_words(minutes)} minutes.", "intro"))
        items.append(_Say(gear_text, "equipment", gap_ms=1000))
        self.place_free(items)

    def workout(self, workout: Workout) -> None:
        blocks = list(workout.blocks)
        for index, block in enumerate(blocks):
            upcoming = _first_exercise(blocks[index + 1 :])
            if isinstance(block, SayBlock):
                self.pending.append(_Say(_sentence(block.text), "say"))
            elif isinstance(block, RestBlock):
                self.rest(block.ms)
            elif isinstance(block, CircuitBlock):
                self.circuit(block, last=upcoming is None)
            else:
                self.exercise_block(block, last=upcoming is None, chapter=block.exercise.name)
        if self.pending_rest_ms:
            self.lead_in(rest_ms=self.pending_rest_ms, announce=[], countdown=True)
        self.place_free(self.pending + [_Say(self.summary(workout), "outro")])
        self.pending = []

    def summary(self, workout: Workout) -> str:
        exercises = {b.exercise.id for b in _exercise_blocks(workout.blocks)}
        sets = sum(b.sets * r for b, r in _exercise_blocks_rounds(workout.blocks))
        return (
            f"That's the session: {_count(len(exercises), 'exercise')}, "
            f"{_count(sets, 'set')}. Well done."
        )

    def circuit(self, circuit: CircuitBlock, last: bool) -> None:
        inner = list(circuit.blocks)
        for round_ in range(1, circuit.rounds + 1):
            title = f"Round {number_words(round_)} of {number_words(circuit.rounds)}"
            names = ", ".join(b.exercise.name for b in inner if isinstance(b, ExerciseBlock))
            chapter = f"Round {round_} of {circuit.rounds}: {names}"
            self.pending.append(_Say(f"{title}.", "round", chapter=chapter))
            final_round = round_ == circuit.rounds
            for index, block in enumerate(inner):
                more_in_round = _first_exercise(inner[index + 1 :]) is not None
                if isinstance(block, SayBlock):
                    self.pending.append(_Say(_sentence(block.text), "say"))
                elif isinstance(block, RestBlock):
                    self.rest(block.ms)
                else:
                    self.exercise_block(
                        block,
                        last=last and final_round and not more_in_round,
                        intro=round_ == 1,
                        end_rest_ms=None if more_in_round or final_round else circuit.rest_ms,
                    )

    def rest(self, ms: int) -> None:
        if ms > 0:
            if not self.pending_rest_ms:
                self.pending.insert(0, _Say(f"Rest, {duration_words(ms)}.", "rest"))
            self.pending_rest_ms += ms

    # One exercise block: its intro, then each set and side.

    def exercise_block(
        self,
        block: ExerciseBlock,
        last: bool,
        intro: bool = True,
        end_rest_ms: int | None = None,
        chapter: str | None = None,
    ) -> None:
        ex = block.exercise
        sides: list[Side | None] = (
            [ex.first_side, _other(ex.first_side)] if ex.sides == "each" else [None]
        )
        self.pending.append(
            _Say(_sentence(ex.name), "exercise", who=_Who(ex.id), opens_set=True, chapter=chapter)
        )
        if intro:
            self.pending += self.exercise_intro(block)
        for set_no in range(1, block.sets + 1):
            for side_index, side in enumerate(sides):
                work_side = side if side is not None else ex.first_side
                who = _Who(ex.id, set_no, side)
                announce = [
                    _Say(self.set_announcement(block, set_no, side), "set", who=who, opens_set=True)
                ]
                if side_index == 1:
                    self.pending.append(
                        _Say(f"Switch {_plural(ex.limb)}.", "switch", who=who, opens_set=True)
                    )
                    self.pending += [
                        _Say(_fill(cue, work_side), "setup", CUE_GAP_MS, who=who)
                        for cue in ex.setup
                        if "{" in cue
                    ]
                    rest_ms = block.side_rest_ms
                    announce = [_Say(f"{capitalize(work_side)} {ex.limb}.", "side", who=who)]
                elif set_no > 1 and ex.cues:
                    announce.append(
                        _Say(_fill(ex.cues[(set_no - 2) % len(ex.cues)], work_side), "cue", who=who)
                    )
                    rest_ms = 0
                else:
                    rest_ms = 0
                span_start, work = self.lead_in(rest_ms, announce, countdown=True, who=who)
                end = self.work(block, work, set_no, side, work_side)
                self.sets.append(
                    SetSpan(
                        index=len(self.sets),
                        exercise=ex.id,
                        name=ex.name,
                        set=set_no,
                        sets=block.sets,
                        side=side,
                        start=span_start,
                        end=end,
                        chapter=len(self.chapters) - 1,
                    )
                )
            final = set_no == block.sets
            if final and last:
                continue
            self.rest(end_rest_ms if final and end_rest_ms is not None else block.rest_ms)

    def exercise_intro(self, block: ExerciseBlock) -> list[_Say]:
        ex = block.exercise
        first = ex.first_side
        who = _Who(ex.id)
        items = [_Say(self.plan(block), "plan", who=who)]
        gear = [g for g in ex.equipment if g.lower() not in _NO_EQUIPMENT | _UNNAMED_EQUIPMENT]
        if gear:
            items.append(_Say(f"You need: {_join(gear)}.", "equipment", who=who))
        if ex.caution:
            items.append(_Say(f"Caution: {_sentence(ex.caution)}", "caution", who=who))
        items += [_Say(_fill(cue, first), "setup", CUE_GAP_MS, who=who) for cue in ex.setup]
        return items

    def plan(self, block: ExerciseBlock) -> str:
        ex = block.exercise
        sets = number_words(block.sets)
        if block.hold_ms is not None:
            holds = "hold" if block.sets == 1 else "holds"
            what = f"{sets} {holds} of {duration_words(block.hold_ms)}"
        else:
            assert block.reps is not None
            what = f"{sets} {'set' if block.sets == 1 else 'sets'} of {number_words(block.reps)}"
        if ex.sides == "each":
            what += f", each {ex.limb}, {ex.first_side} first"
        elif ex.sides == "alternate":
            what += f" each {ex.limb}, alternating"
        return capitalize(what) + "."

    def set_announcement(self, block: ExerciseBlock, set_no: int, side: Side | None) -> str:
        ex = block.exercise
        if block.sets == 1:
            head = "Get ready" if side is None else ""
        else:
            head = f"Set {number_words(set_no)} of {number_words(block.sets)}"
        if side is not None:
            tail = f"{side} {ex.limb}"
            return f"{head}, {tail}." if head else f"{capitalize(tail)}."
        if ex.sides == "alternate":
            return f"{head}, alternating {_plural(ex.limb)}."
        return f"{head}."

    # Laying out speech.

    def place_free(self, items: Iterable[_Say]) -> None:
        at = self.cursor
        for item in items:
            at = self._emit(at, item) + self.ms(item.gap_ms)
        self.cursor = at

    def _emit(self, at: int, item: _Say) -> int:
        if item.chapter is not None:
            self.chapters.append((item.chapter, at))
        end = at + self.length(item.text)
        self.events.append(Event(at, end, item.kind, item.text, *item.who))
        self.horizon = max(self.horizon, end)
        return end

    def lead_in(
        self,
        rest_ms: int,
        announce: list[_Say],
        countdown: bool,
        who: _Who | None = None,
    ) -> tuple[int, int]:
        """Speak what is pending, then ``announce`` and a countdown; return (set start, work start).

        Work starts no earlier than the pending rest (plus ``rest_ms``) after
        the cursor, and late enough for everything to be said.
        """
        rest = self.pending_rest_ms + rest_ms
        items, self.pending, self.pending_rest_ms = self.pending, [], 0
        start = max(self.cursor, self.horizon + self.ms(GAP_MS)) if items else self.cursor
        free_end = start
        placed: list[tuple[int, int]] = []
        opens: list[int] = []
        for item in items:
            if item.opens_set:
                opens.append(free_end)
            end = self._emit(free_end, item)
            placed.append((free_end, end))
            free_end = end + self.ms(item.gap_ms)
        announce_len = sum(self.length(i.text) + self.ms(i.gap_ms) for i in announce)
        count_len = self.ms(1000 * len(COUNTDOWN)) if countdown else 0
        work = max(start + self.ms(rest), free_end + announce_len + count_len)
        at = work - count_len - announce_len
        for item in announce:
            if item.opens_set:
                opens.append(at)
            end = self._emit(at, item)
            placed.append((at, end))
            at = end + self.ms(item.gap_ms)
        beats = []
        if countdown:
            beats = [
                _Beat(
                    work - self.ms(1000 * (len(COUNTDOWN) - i)),
                    word,
                    "ready",
                    False,
                    *(who or _Who()),
                )
                for i, word in enumerate(COUNTDOWN)
            ]
        marks = [
            _Beat(work - self.ms(1000 * seconds), words, "countdown", False, *(who or _Who()))
            for seconds, words in _marks(rest)
            if seconds * 1000 <= rest - 5000
        ]
        self._marks_between(marks, placed, start, work)
        self.place_beats(beats, work, None)
        self.cursor = work
        return (min(opens) if opens else start), work

    def _marks_between(
        self, marks: list[_Beat], placed: list[tuple[int, int]], lo: int, hi: int
    ) -> None:
        """Place each countdown mark where it clears all other speech by a margin."""
        margin = self.ms(MARK_MARGIN_MS)
        taken = list(placed)
        for mark in marks:
            end = mark.start + self.length(mark.text)
            clear = all(end + margin <= a or mark.start >= b + margin for a, b in taken)
            if lo <= mark.start and end + margin <= hi and clear:
                taken.append((mark.start, end))
                self._beat_event(mark, end)

    def place_beats(
        self, beats: list[_Beat], limit: int, where: tuple[Where | None, str] | None
    ) -> None:
        """Place beat words in order; a word that would run into the next ``must`` word or
        ``limit`` is dropped (and reported when ``where`` names the block)."""
        last_end, last_text = self.horizon, ""
        for index, beat in enumerate(beats):
            end = beat.start + self.length(beat.text)
            next_must = next((b.start for b in beats[index + 1 :] if b.must), limit)
            if beat.must or (beat.start >= last_end and end <= next_must):
                self._beat_event(beat, end)
                last_end, last_text = end, beat.text
            elif where is not None:
                block_where, label = where
                seconds = self.length(last_text) / self.rate
                why = (
                    f"`{last_text}` takes {seconds:.1f} s with this voice and runs into it"
                    if beat.start < last_end
                    else "it would run into the next rep"
                )
                self.warnings.append(
                    CompileWarning(
                        block_where,
                        f"{label}: `{beat.text}` is left out: {why}; slow the tempo, "
                        "shorten the phase names, or speed up the voice",
                    )
                )

    def _beat_event(self, beat: _Beat, end: int) -> None:
        self.events.append(
            Event(
                beat.start,
                end,
                beat.kind,
                beat.text,
                beat.exercise,
                beat.set,
                beat.side,
                beat.rep,
                beat=True,
            )
        )
        self.horizon = max(self.horizon, end)

    # The work of one set (or one side of it).

    def work(
        self, block: ExerciseBlock, start: int, set_no: int, side: Side | None, work_side: Side
    ) -> int:
        """Emit the beats of one set's work from ``start``; return where the work ends."""
        if block.hold_ms is not None:
            return self.hold(block, start, set_no, side, work_side)
        ex = block.exercise
        assert block.reps is not None
        steps = block.steps
        rep_len = self.ms(sum(s.ms for s in steps))
        movements = block.reps * (2 if ex.sides == "alternate" else 1)
        label = f"`{ex.id}` ({'-'.join(f'{s.ms / 1000:g}' for s in steps)} s)"
        beats: list[_Beat] = []
        for m in range(movements):
            if ex.sides == "alternate":
                rep_side: Side = work_side if m % 2 == 0 else _other(work_side)
                rep_no, last = m // 2 + 1, m == movements - 2
            else:
                rep_side, rep_no, last = work_side, m + 1, m == movements - 1
            ctx = _Context(ex.id, set_no, rep_side if ex.sides == "alternate" else side, rep_no)
            rep_start = start + m * rep_len
            if block.count == "quiet":
                beats += [_Beat(rep_start, "Go.", "phase", True, *ctx)] if m == 0 else []
            else:
                beats += self.rep_beats(block, rep_start, rep_len, rep_side, last, ctx, label)
        end = start + movements * rep_len
        if block.count == "quiet":
            beats.append(_Beat(end, "Stop.", "done", True, ex.id, set_no, side))
            self.place_beats(beats, end + self.length("Stop."), (block.where, label))
            self.cursor = self.horizon + self.ms(GAP_MS)
        else:
            self.place_beats(beats, end, (block.where, label))
            self.cursor = end
        return end

    def hold(
        self, block: ExerciseBlock, start: int, set_no: int, side: Side | None, work_side: Side
    ) -> int:
        """A timed hold: "Hold." on the beat, marks and a last countdown, "Release." at the end."""
        assert block.hold_ms is not None
        ex = block.exercise
        ctx = (ex.id, set_no, side)
        end = start + self.ms(block.hold_ms)
        beats = [_Beat(start, "Hold.", "phase", True, *ctx)]
        if block.count != "quiet":
            marks = [m for m in _marks(block.hold_ms) if m[0] * 1000 < block.hold_ms - 3000]
            marks += [
                (len(COUNTDOWN) - i, word)
                for i, word in enumerate(COUNTDOWN)
                if (len(COUNTDOWN) - i) * 1000 < block.hold_ms - 1500
            ]
            beats += [_Beat(end - self.ms(1000 * s), w, "countdown", False, *ctx) for s, w in marks]
        self.place_beats(beats, end, None)
        if ex.cues and block.count != "quiet" and block.hold_ms >= 15000:
            self._hold_cue(_fill(ex.cues[(set_no - 1) % len(ex.cues)], work_side), start, end, ctx)
        release = _Beat(end, "Release.", "done", True, *ctx)
        self._beat_event(release, end + self.length(release.text))
        self.cursor = self.horizon + self.ms(GAP_MS)
        return end

    def _hold_cue(self, text: str, start: int, end: int, ctx: tuple[str, int, Side | None]) -> None:
        """One reminder early in a long hold, if it clears the words around it."""
        at = start + self.ms(2500)
        stop = at + self.length(text)
        margin = self.ms(MARK_MARGIN_MS)
        near = [e for e in self.events[-len(COUNTDOWN) - 8 :] if e.end > start]
        if stop + margin <= end and all(
            stop + margin <= e.start or at >= e.end + margin for e in near
        ):
            self.events.append(Event(at, stop, "cue", text, *ctx))

    def rep_beats(
        self,
        block: ExerciseBlock,
        rep_start: int,
        rep_len: int,
        rep_side: Side,
        last: bool,
        ctx: _Context,
        label: str,
    ) -> list[_Beat]:
        """The words of one rep; the first starts exactly at ``rep_start``.

        Each phase is named at its start; with ``count: tempo`` each further
        second is counted; the rep number comes right after the last word.
        A rep too short for its first word starts with its number instead.
        """
        steps = block.steps
        slots: list[tuple[int, str, str]] = []
        offset_ms = 0
        for step in steps:
            slots.append((self.ms(offset_ms), _fill(step.say, rep_side), "phase"))
            if block.count == "tempo":
                for second in range(1, -(-step.ms // 1000)):
                    at = self.ms(offset_ms + second * 1000)
                    slots.append((at, number_words(second + 1), "count"))
            offset_ms += step.ms
        number = capitalize(number_words(ctx.rep))
        name = slots[0][1]
        if block.exercise.sides == "alternate" and not any("{" in s.say for s in steps):
            name = f"{capitalize(rep_side)}, {_lower(name)}"
        # The first word may run over the counts of its own phase (they are dropped
        # and reported), but never into the next phase.
        room = self.ms(steps[0].ms) if len(steps) > 1 else rep_len
        # "Last rep" is said only where it costs no count of the rep.
        next_slot = slots[1][0] if len(slots) > 1 else rep_len
        options = [(name, room), (number, room)] if len(slots) > 1 else [(number, room)]
        if last and len(slots) > 1:
            options = [(f"Last rep, {_lower(name)}", next_slot), ("Last rep.", next_slot), *options]
        first = next((o for o, fits in options if self.length(o) <= fits), None)
        if first is None and self.length(number) <= rep_len:
            first = number
        if first is None:
            raise InputError(
                f"{block.where}: {label}: a rep lasts {rep_len / self.rate:.1f} s, but even "
                f"`{number}` takes {self.length(number) / self.rate:.1f} s with this voice; "
                "slow the tempo or speed up the voice (--rate)"
            )
        kind = "rep" if first == number else "last_rep" if first.startswith("Last") else "phase"
        beats = [_Beat(rep_start, first, kind, True, *ctx)]
        beats += [_Beat(rep_start + at, text, k, False, *ctx) for at, text, k in slots[1:]]
        if first == number:
            return beats
        # The number goes right after the last word if there is time, else in place
        # of the latest word it can replace; it is never dropped.
        rep_end = rep_start + rep_len
        first_end = rep_start + self.length(first)
        final = beats[-1]
        at = final.start + self.length(final.text) + self.ms(WORD_GAP_MS)
        if at >= first_end and at + self.length(number) <= rep_end:
            return [*beats, _Beat(at, number, "rep", True, *ctx)]
        for index in range(len(beats) - 1, 0, -1):
            at = beats[index].start
            if at >= first_end and at + self.length(number) <= rep_end:
                beats[index] = replace(beats[index], text=number, kind="rep", must=True)
                return beats
        return [replace(beats[0], text=number, kind="rep"), *beats[1:]]


class _Context(NamedTuple):
    """Whose words these are; spread into ``_Beat`` after its first four fields."""

    exercise: str
    set: int
    side: Side | None
    rep: int


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


_NO_EQUIPMENT = {"body only", "none", "bodyweight", "body weight", "mat"}
_UNNAMED_EQUIPMENT = {"other"}
"""Equipment recorded without a name (the Free Exercise DB's "other"): never spoken as such."""


def _marks(ms: int) -> list[tuple[int, str]]:
    """Countdown marks (seconds left, words) for a rest or hold of ``ms``."""
    marks = [(m * 60, f"{number_words(m)} minutes") for m in range(ms // 60000, 1, -1)]
    if ms > 60000:
        marks.append((60, "one minute"))
    marks += [(30, "thirty seconds"), (10, "ten seconds")]
    return [(s, w) for s, w in marks if s * 1000 < ms]


def _fill(text: str, side: Side) -> str:
    other = _other(side)
    return (
        text.replace("{side}", side)
        .replace("{other}", other)
        .replace("{Side}", capitalize(side))
        .replace("{Other}", capitalize(other))
    )


def _other(side: Side) -> Side:
    return "left" if side == "right" else "right"


def _plural(limb: str) -> str:
    return limb if limb.endswith("s") else f"{limb}s"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{number_words(n)} {noun if n == 1 else noun + 's'}"


def _first_exercise(blocks: Iterable[object]) -> ExerciseBlock | None:
    for block in blocks:
        if isinstance(block, ExerciseBlock):
            return block
        if isinstance(block, CircuitBlock):
            found = _first_exercise(list(block.blocks))
            if found:
                return found
    return None


def _exercise_blocks(blocks: Iterable[object]) -> list[ExerciseBlock]:
    return [b for b, _ in _exercise_blocks_rounds(blocks)]


def _exercise_blocks_rounds(blocks: Iterable[object]) -> list[tuple[ExerciseBlock, int]]:
    found: list[tuple[ExerciseBlock, int]] = []
    for block in blocks:
        if isinstance(block, ExerciseBlock):
            found.append((block, 1))
        elif isinstance(block, CircuitBlock):
            found += [(b, block.rounds) for b in block.blocks if isinstance(b, ExerciseBlock)]
    return found


def _equipment(workout: Workout) -> list[str]:
    seen: dict[str, str] = {}
    for block in _exercise_blocks(workout.blocks):
        for item in block.exercise.equipment:
            if item.lower() not in _NO_EQUIPMENT | _UNNAMED_EQUIPMENT:
                seen.setdefault(item.lower(), item)
    return list(seen.values())
