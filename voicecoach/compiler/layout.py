"""The layout stage: where each prompt of the script goes, to the sample.

The rules a listener relies on, each with its one home here:

- At least ``MIN_GAP_MS`` of silence between any two prompts.
- A number is never said straight after a number unless it is the next
  count ("two, three", "three, two, one"). The rep number goes right after a
  phase word, in the phase where it costs the fewest counts (the latest one
  on a tie); the counts of that phase make way for it. Where the word and
  the number do not fit apart, they are said as one phrase ("Up, one").
- Phase words and ``rep:`` steps are cues: counts make way for them, never
  the other way round. A cue that does not fit its phase even then, and any
  count left out because a cue runs into it, is warned about, naming the
  exercise, the tempo, the word and what would fit.
- "Last rep" is said before the final rep of each side, with its cue
  ("Last rep, hinge"), or on its own just before it; never instead of the cue,
  and not at all where a quick tempo leaves no room for it.
- A rest lasts what it says: from "Rest, thirty seconds." to the first word
  of the work. When what has to be said in it (the next exercise, its setup,
  the set announcement and countdown) does not fit, the rest is lengthened
  to what it needs and announced with that length.
- Rest and hold marks keep ``MARK_MARGIN_MS`` of silence around them and never
  come within ``AFTER_NAME_MS`` of an exercise's name. In a rest or hold of ``LONG_MS`` or more
  something is said at least every ``MAX_SILENCE_MS``; shorter ones get no
  check-ins.

``layout`` works section by section: it asks the speech object for the
length of a phrase only when it places the section the phrase is in, and
yields what it placed in time order, so a player can start before later
phrases exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from voicecoach.compiler.script import (
    COUNTDOWN,
    GAP_MS,
    LONG_HOLD_MS,
    Context,
    Hold,
    LeadIn,
    Phase,
    Prompt,
    Rep,
    Reps,
    Section,
    SetInfo,
    Talk,
    lower_first,
    rest_words,
)
from voicecoach.errors import VoicecoachError
from voicecoach.model import Event, SetSpan, Where
from voicecoach.units import duration_words, number_words
from voicecoach.voices.base import EstimatedLengths, PhraseLengths

MIN_GAP_MS = 250
"""The least silence between any two prompts."""
MARK_MARGIN_MS = 500
"""A rest or hold mark ("ten seconds") keeps this much silence on both sides."""
LONG_MS = LONG_HOLD_MS
"""Rests and holds at least this long get check-ins."""
MAX_SILENCE_MS = 15000
"""In a long rest or hold, the longest silence between two prompts."""
AFTER_NAME_MS = 3000
"""No mark or check-in starts this soon after an exercise's name."""
REST_STEP_MS = 5000
"""A lengthened rest is rounded up to a multiple of this."""
TAIL_MS = 1000
"""Silence at the very end of the session."""

_NUMBERS = frozenset(number_words(n) for n in range(0, 1000))


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
class ChapterStart:
    """A chapter begins here; it ends where the next one begins (the last at ``SessionEnd``)."""

    title: str
    start: int


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """The last item: the length of the whole session."""

    duration: int


Placed = Event | ChapterStart | SetSpan | CompileWarning | SessionEnd


def is_number(text: str) -> bool:
    """Whether a prompt is a bare number ("two", "Seven"), as opposed to a word or phrase."""
    return text.lower().rstrip(".") in _NUMBERS


def layout(sections: Iterable[Section], speech: PhraseLengths) -> Iterator[Placed]:
    """Place each section's prompts; yield them in time order, ending with ``SessionEnd``.

    ``ChapterStart`` comes before the first event of its chapter, a
    ``SetSpan`` right after the last event of its set, a ``CompileWarning``
    with the section it is about.
    """
    return _Layout(speech).run(sections)


class _Layout:
    def __init__(self, speech: PhraseLengths) -> None:
        self.speech = speech
        self.rate = speech.sample_rate
        self._lengths: dict[str, int] = {}
        self.cursor = 0
        """The earliest start of the next free prompt."""
        self.last: Event | None = None
        """The latest prompt placed so far."""
        self.chapters = 0
        self.sets = 0
        self.span_start: int | None = None
        self.warned: set[str] = set()
        self.by_voice = (
            "at the estimated speaking rate"
            if isinstance(speech, EstimatedLengths)
            else "with this voice"
        )
        """How a warning says where a phrase's length came from."""

    def ms(self, ms: int) -> int:
        """Milliseconds -> samples, rounded the same way everywhere."""
        return (ms * self.rate + 500) // 1000

    def length(self, text: str) -> int:
        if text not in self._lengths:
            self._lengths[text] = max(1, self.speech.length(text))
        return self._lengths[text]

    def seconds(self, samples: int) -> str:
        return f"{samples / self.rate:.1f} s"

    def run(self, sections: Iterable[Section]) -> Iterator[Placed]:
        for section in sections:
            if isinstance(section, Talk):
                yield from self.talk(section)
            elif isinstance(section, LeadIn):
                yield from self.lead_in(section)
            elif isinstance(section, Reps):
                yield from self.reps(section)
            else:
                yield from self.hold(section)
        end = max(self.cursor, self.last.end if self.last else 0)
        yield SessionEnd(end + self.ms(TAIL_MS))

    # Output: events in order, each at least MIN_GAP_MS after the one before.

    def _out(self, events: list[Event], chapters: list[ChapterStart]) -> list[Placed]:
        events.sort(key=lambda e: e.start)
        out: list[Placed] = []
        gap = self.ms(MIN_GAP_MS)
        pending = sorted(chapters, key=lambda c: c.start)
        for event in events:
            while pending and pending[0].start <= event.start:
                out.append(pending.pop(0))
            if self.last is not None and event.start < self.last.end + gap:
                # Every rule above keeps this from happening; if one is broken, say so
                # plainly instead of playing speech over speech.
                raise VoicecoachError(
                    f"internal error in voicecoach: {event.text!r} would be spoken over "
                    f"{self.last.text!r}; please report it with the workout file"
                )
            out.append(event)
            self.last = event
        out += pending
        return out

    def _event(self, at: int, text: str, kind: str, ctx: Context, beat: bool = False) -> Event:
        return Event(
            at,
            at + self.length(text),
            kind,
            text,
            exercise=ctx.exercise,
            set=ctx.set,
            side=ctx.side,
            rep=ctx.rep,
            round=ctx.round,
            beat=beat,
        )

    def _free_start(self) -> int:
        return max(self.cursor, self.last.end + self.ms(GAP_MS)) if self.last else self.cursor

    def _lay(
        self, at: int, prompts: Iterable[Prompt], events: list[Event], chapters: list[ChapterStart]
    ) -> int:
        """Lay ``prompts`` end to end from ``at``; return where the next may start."""
        for prompt in prompts:
            event = self._event(at, prompt.text, prompt.kind, prompt.ctx)
            events.append(event)
            if prompt.chapter is not None:
                chapters.append(ChapterStart(prompt.chapter, at))
                self.chapters += 1
            if prompt.opens_set and self.span_start is None:
                self.span_start = at
            at = event.end + self.ms(prompt.pause_ms)
        return at

    def _warn(self, where: Where | None, message: str, key: str | None = None) -> list[Placed]:
        """One warning per message (or per ``key``), however many reps it is about."""
        key = key or message
        if key in self.warned:
            return []
        self.warned.add(key)
        return [CompileWarning(where, message)]

    # Sections.

    def talk(self, section: Talk) -> Iterator[Placed]:
        # Prompt by prompt: each is placed (and its phrase made) before the next is looked
        # at, so the session's first words can be heard while the next are being made.
        at = self._free_start()
        for prompt in section.prompts:
            events: list[Event] = []
            chapters: list[ChapterStart] = []
            at = self._lay(at, [prompt], events, chapters)
            yield from self._out(events, chapters)
        self.cursor = at

    def _lead_in_need(self, rest_ms: int, section: LeadIn) -> tuple[int, int]:
        """(free speech, everything) in samples, for a rest of ``rest_ms``."""
        said = [Prompt(rest_words(rest_ms), "rest")] if section.rest_ms else []
        said += section.preview
        free = sum(self.length(p.text) + self.ms(p.pause_ms) for p in said)
        announce = sum(self.length(p.text) + self.ms(p.pause_ms) for p in section.announce)
        count = self.ms(1000 * len(COUNTDOWN)) if section.countdown else 0
        need = free + announce + count
        last_mark = min((s for s, _ in _marks(rest_ms)), default=None)
        if last_mark is not None:  # room for the last mark, "fifteen seconds" or "ten seconds"
            need = max(need, free + self.ms(last_mark * 1000 + MARK_MARGIN_MS))
        return free, need

    def lead_in(self, section: LeadIn) -> list[Placed]:
        events: list[Event] = []
        chapters: list[ChapterStart] = []
        start = self._free_start()
        rest_ms = section.rest_ms
        _, need = self._lead_in_need(rest_ms, section)
        if rest_ms:
            while need > self.ms(rest_ms):
                needed_ms = -(-need * 1000 // self.rate)
                rest_ms = -(-needed_ms // REST_STEP_MS) * REST_STEP_MS
                _, need = self._lead_in_need(rest_ms, section)
            work = start + self.ms(rest_ms)
            said = [Prompt(rest_words(rest_ms), "rest"), *section.preview]
        else:
            work = max(start + self.ms(section.min_ms), start + need)
            said = list(section.preview)
        self._lay(start, said, events, chapters)
        count = self.ms(1000 * len(COUNTDOWN)) if section.countdown else 0
        announce = sum(self.length(p.text) + self.ms(p.pause_ms) for p in section.announce)
        self._lay(work - count - announce, section.announce, events, chapters)
        warnings: list[Placed] = []
        if section.countdown:
            for i, word in enumerate(COUNTDOWN):
                at = work - self.ms(1000 * (len(COUNTDOWN) - i))
                event = self._event(at, word, "ready", section.ctx, beat=True)
                if self._clear(event, events, self.ms(MIN_GAP_MS), hi=work):
                    events.append(event)
                else:
                    warnings += self._warn(
                        None,
                        f"the countdown `{word}` is left out: it takes "
                        f"{self.seconds(event.end - event.start)} {self.by_voice}; "
                        "speed up the voice",
                    )
        if section.rest_ms:
            for seconds, words in _marks(rest_ms):
                if seconds * 1000 <= rest_ms - 5000:
                    at = work - self.ms(seconds * 1000)
                    self._mark(at, words, section.ctx, events, start, work)
            if rest_ms >= LONG_MS:
                self._check_in(events, start, work, section.ctx, lambda left, n: None)
        self.cursor = work
        return self._out(events, chapters) + warnings

    def _clear(self, event: Event, events: list[Event], margin: int, hi: int) -> bool:
        if event.end + margin > hi:
            return False
        return all(event.end + margin <= e.start or event.start >= e.end + margin for e in events)

    def _mark(
        self, at: int, text: str, ctx: Context, events: list[Event], lo: int, hi: int
    ) -> bool:
        """Place a rest or hold mark at ``at`` if it keeps its margin and follows no name."""
        event = self._event(at, text, "countdown", ctx, beat=True)
        if at < lo or not self._clear(event, events, self.ms(MARK_MARGIN_MS), hi):
            return False
        if self._after_name(at, events):
            return False
        events.append(event)
        return True

    def _after_name(self, at: int, events: list[Event]) -> bool:
        """Whether ``at`` comes soon after an exercise's name: "Wall sit. Ten seconds." would
        sound like the length of the wall sit."""
        return any(
            e.kind == "exercise" and e.end <= at < e.end + self.ms(AFTER_NAME_MS) for e in events
        )

    def _check_in(
        self,
        events: list[Event],
        lo: int,
        hi: int,
        ctx: Context,
        say: Callable[[int, int], str | None],
    ) -> None:
        """Fill every silence longer than MAX_SILENCE_MS between ``lo`` and ``hi``.

        ``say(samples left, index)`` gives the words of the ``index``-th
        check-in (None: the time left, rounded to five seconds).
        """
        limit = self.ms(MAX_SILENCE_MS)
        margin = self.ms(MARK_MARGIN_MS)
        done = 0
        stuck: set[int] = set()
        while True:
            ordered = sorted(events, key=lambda e: e.start)
            ends = [lo] + [e.end for e in ordered]
            starts = [e.start for e in ordered] + [hi]
            gap = next(
                (
                    (a, b)
                    for a, b in zip(ends, starts, strict=True)
                    if b - a > limit and a not in stuck and lo <= a < hi
                ),
                None,
            )
            if gap is None:
                return
            a, b = gap
            placed = False
            for text, at in self._check_in_options(a, b, hi, say(hi - a, done)):
                event = self._event(at, text, "checkin", ctx)
                if (
                    at >= a + margin
                    and at - a <= limit
                    and self._clear(event, events, margin, b)
                    and not self._after_name(at, events)
                ):
                    events.append(event)
                    placed = True
                    done += 1
                    break
            if not placed:
                stuck.add(a)

    def _check_in_options(self, a: int, b: int, hi: int, text: str | None) -> list[tuple[str, int]]:
        # Check-ins split the silence evenly: one in the middle of a 28 s silence.
        pieces = -(-(b - a) // self.ms(MAX_SILENCE_MS))
        at = a + (b - a) // pieces
        left_ms = round((hi - at) * 1000 / self.rate / REST_STEP_MS) * REST_STEP_MS
        options = []
        if text is not None:
            options.append((text, at))
        if left_ms >= REST_STEP_MS:
            options.append((duration_words(left_ms), hi - self.ms(left_ms)))
        options += [("Breathe.", at), ("Breathe.", a + self.ms(MAX_SILENCE_MS) // 2)]
        return options

    def hold(self, section: Hold) -> list[Placed]:
        events: list[Event] = []
        start = self.cursor
        end = start + self.ms(section.ms)
        ctx = section.ctx
        hold = self._event(start, "Hold.", "phase", ctx, beat=True)
        events.append(hold)
        warnings: list[Placed] = []
        if not section.quiet:
            for i, word in enumerate(COUNTDOWN):
                seconds = len(COUNTDOWN) - i
                if seconds * 1000 < section.ms - 1500:
                    event = self._event(end - self.ms(seconds * 1000), word, "countdown", ctx, True)
                    if self._clear(event, events, self.ms(MIN_GAP_MS), end):
                        events.append(event)
            if section.ms >= 20000:  # a hold this short needs no marks before its countdown
                for seconds, words in _marks(section.ms):
                    if seconds * 1000 <= section.ms - 5000:
                        self._mark(end - self.ms(seconds * 1000), words, ctx, events, start, end)
            if section.ms >= LONG_MS and section.checkins:
                cues = list(section.checkins)
                first = self._event(start + self.ms(2500), cues[0], "cue", ctx)
                if self._clear(first, events, self.ms(MARK_MARGIN_MS), end):
                    events.append(first)
                    cues = cues[1:] + cues[:1]

                def say(left: int, index: int) -> str | None:
                    return None if index % 2 else cues[(index // 2) % len(cues)]

                self._check_in(events, start, end, ctx, say)
        release_at = max(end, hold.end + self.ms(MIN_GAP_MS))
        if release_at > end:
            warnings += self._warn(
                None,
                f"`{ctx.exercise}`: a hold of {section.ms / 1000:g} s is shorter than "
                f"`Hold.` {self.by_voice}; it lasts {self.seconds(release_at - start)}",
            )
        release = self._event(release_at, "Release.", "done", ctx, beat=True)
        events.append(release)
        self.cursor = release.end + self.ms(GAP_MS)
        out = self._out(events, [])
        return out + [self._span(section.info, release_at)] + warnings

    def _span(self, info: SetInfo, end: int) -> SetSpan:
        span = SetSpan(
            index=self.sets,
            exercise=info.exercise,
            name=info.name,
            set=info.set,
            sets=info.sets,
            side=info.side,
            start=self.span_start if self.span_start is not None else end,
            end=end,
            chapter=self.chapters - 1,
            round=info.round,
        )
        self.sets += 1
        self.span_start = None
        return span

    def reps(self, section: Reps) -> list[Placed]:
        events: list[Event] = []
        warnings: list[Placed] = []
        start = self.cursor
        rep_len = self.ms(section.rep_ms)
        end = start + len(section.reps) * rep_len
        if section.quiet:
            first = section.reps[0].ctx if section.reps else section.ctx
            events.append(self._event(start, "Go.", "phase", first, beat=True))
            stop_at = max(end, events[-1].end + self.ms(MIN_GAP_MS))
            stop = self._event(stop_at, "Stop.", "done", section.ctx, beat=True)
            events.append(stop)
            self.cursor = stop.end + self.ms(GAP_MS)
        else:
            previous = self.last
            prefer = self._set_host(section, start, rep_len)
            for index, rep in enumerate(section.reps):
                at = start + index * rep_len
                placed = self._rep(section, rep, at, rep_len, previous, prefer)
                events += placed.events
                warnings += placed.warnings
                if placed.events:
                    previous = max(placed.events, key=lambda e: e.end)
            self.cursor = end
        out = self._out(events, [])
        return out + [self._span(section.info, end)] + warnings

    def _words(self, rep: Rep, starts: list[int], ends: list[int]) -> tuple[list[str | None], bool]:
        """Each phase's word (None where it does not fit), and whether "Last rep" joined it."""
        gap = self.ms(MIN_GAP_MS)
        words: list[str | None] = [p.word for p in rep.phases]
        for j, phase in enumerate(rep.phases):
            if j == 0 and rep.last:
                joined = f"Last rep, {lower_first(phase.word)}"
                if starts[0] + self.length(joined) + gap <= ends[0]:
                    words[0] = joined
                    continue
            if starts[j] + self.length(phase.word) + gap > ends[j]:
                words[j] = None
        return words, rep.last and words[0] is not None and words[0] != rep.phases[0].word

    def _bounds(self, rep: Rep, at: int, rep_len: int) -> tuple[list[int], list[int]]:
        starts = [at + self.ms(p.start_ms) for p in rep.phases]
        return starts, starts[1:] + [at + rep_len]

    def _set_host(self, section: Reps, start: int, rep_len: int) -> tuple[int, int] | None:
        """The phase and form (apart or joined) the set's rep numbers go in, so the number
        comes at the same place in every rep: the one that fits the most reps, then the one
        that costs the fewest counts, then the latest. A rep where it does not fit takes its
        own cheapest place."""
        per_rep: list[dict[tuple[int, int], int]] = []
        for index, rep in enumerate(section.reps):
            if rep.number is None:
                continue
            starts, ends = self._bounds(rep, start + index * rep_len, rep_len)
            words, _ = self._words(rep, starts, ends)
            options = self._host_options(rep, words, starts, ends, None)
            per_rep.append({key: cost for key, cost, *_ in options})
        keys = {key for options in per_rep for key in options}
        if not keys:
            return None

        def total(key: tuple[int, int]) -> tuple[int, int, int, int]:
            misses = sum(key not in o for o in per_rep)
            lost = sum(o.get(key, min(o.values(), default=99)) for o in per_rep)
            return (misses, lost, -key[0], key[1])

        return min(keys, key=total)

    def _rep(
        self,
        section: Reps,
        rep: Rep,
        at: int,
        rep_len: int,
        previous: Event | None,
        prefer: tuple[int, int] | None,
    ) -> _Placed:
        """The words of one rep from ``at``: cues first, then its number, then the counts."""
        gap = self.ms(MIN_GAP_MS)
        ctx = rep.ctx
        where = section.where
        label = section.label
        placed = _Placed([], [])
        phases = rep.phases
        starts, ends = self._bounds(rep, at, rep_len)
        prev_end = previous.end if previous else 0
        words, last_said = self._words(rep, starts, ends)
        for j, phase in enumerate(phases):
            if words[j] is None:
                word = phase.word
                need = self.length(word) + gap
                placed.warnings += self._warn(
                    where,
                    f"{label}: `{word}` is left out: it takes "
                    f"{self.seconds(self.length(word))} {self.by_voice} and its phase lasts "
                    f"{phase.ms / 1000:g} s; a phase of {_half_up(need, self.rate)} s would fit "
                    "it, or a shorter word, or a faster voice",
                )
        if rep.last and not last_said:
            text = "Last rep."
            spot = at - gap - self.length(text)
            # "Last rep" is a courtesy, not a cue: at a tempo too quick for it, it is not said.
            if spot >= prev_end + gap:
                placed.events.append(self._event(spot, text, "last_rep", ctx))
        host, number_text, number_at = self._host(rep, words, starts, ends, previous, prefer)
        if rep.number is not None and host is None:
            placed.warnings += self._warn(
                where,
                f"{label}: the rep number is left out of some reps (`{rep.number}` the first): "
                "no phase has room for it after its word; slow the tempo or speed up the voice",
                key=f"{where}{label}: rep number",
            )
        for j, phase in enumerate(phases):
            said = words[j]
            if j == host and number_text is not None and number_at == starts[j]:
                placed.events.append(self._event(starts[j], number_text, "rep", ctx, beat=j == 0))
                continue
            if said is None:
                continue
            kind = "last_rep" if said.startswith("Last rep,") else "phase"
            event = self._event(starts[j], said, kind, ctx, beat=j == 0)
            placed.events.append(event)
            hosts = j == host and number_text is not None
            if hosts:
                placed.events.append(self._event(number_at, number_text or "", "rep", ctx))
            counts, warnings = self._counts(section, phase, event, ends[j], kind, hosts)
            placed.events += counts
            placed.warnings += warnings
        return placed

    def _counts(
        self, section: Reps, phase: Phase, word: Event, limit: int, kind: str, host: bool
    ) -> tuple[list[Event], list[Placed]]:
        """The seconds of a phase after its word; the first that does not fit ends them.

        In the phase that says the rep number (``host``) none are said, but a word that
        would have run into them is still warned about.
        """
        gap = self.ms(MIN_GAP_MS)
        events: list[Event] = []
        previous = word
        for k, count in enumerate(phase.counts):
            at = word.start + self.ms((k + 1) * 1000)
            event = self._event(at, count, "count", word_ctx(word), beat=True)
            if at >= previous.end + gap and event.end + gap <= limit:
                if host:
                    return [], []
                events.append(event)
                previous = event
                continue
            if kind == "last_rep" or (host and at >= word.end + gap):
                return events, []
            if previous is word:
                return events, self._warn(
                    section.where,
                    f"{section.label}: the count `{count}` is left out: `{word.text}` takes "
                    f"{self.seconds(word.end - word.start)} {self.by_voice} and runs into it; "
                    "slow the tempo, shorten the phase names, or speed up the voice",
                )
            return events, self._warn(
                section.where,
                f"{section.label}: the count `{count}` is left out: it would run into the "
                f"next phase ({phase.ms / 1000:g} s is not a whole number of seconds)",
            )
        return events, []

    def _host_options(
        self,
        rep: Rep,
        words: list[str | None],
        starts: list[int],
        ends: list[int],
        previous: Event | None,
    ) -> list[tuple[tuple[int, int], int, str, int]]:
        """Where the rep number fits: ((phase, form), counts it costs, words, sample)."""
        gap = self.ms(MIN_GAP_MS)
        number = rep.number
        assert number is not None
        options = []
        for j, word in enumerate(words):
            counts = len(rep.phases[j].counts)
            if word is None:
                # A rep whose first word cannot be said starts with its number instead; it
                # may run on until the next word that is said.
                limit = next((starts[k] for k in range(1, len(words)) if words[k]), ends[-1])
                if j == 0 and not (previous is not None and is_number(previous.text)):
                    if starts[0] + self.length(number) + gap <= limit:
                        options.append(((0, 2), counts, number, starts[0]))
                continue
            after = starts[j] + self.length(word) + gap
            if after + self.length(number) + gap <= ends[j]:
                options.append(((j, 0), counts, number, after))
                continue
            joined = f"{word}, {lower_first(number)}"
            if starts[j] + self.length(joined) + gap <= ends[j]:
                options.append(((j, 1), counts, joined, starts[j]))
        return options

    def _host(
        self,
        rep: Rep,
        words: list[str | None],
        starts: list[int],
        ends: list[int],
        previous: Event | None,
        prefer: tuple[int, int] | None,
    ) -> tuple[int | None, str | None, int]:
        """Which phase says the rep number, the words it is said as, and where."""
        if rep.number is None:
            return None, None, 0
        options = self._host_options(rep, words, starts, ends, previous)
        if not options:
            return None, None, 0
        chosen = next((o for o in options if o[0] == prefer), None)
        if chosen is None:
            chosen = min(options, key=lambda o: (o[1], -o[0][0], o[0][1]))
        (host, _), _, text, spot = chosen
        return host, text, spot


def word_ctx(event: Event) -> Context:
    return Context(event.exercise, event.set, event.side, event.rep, event.round)


@dataclass
class _Placed:
    events: list[Event]
    warnings: list[Placed]


def _half_up(samples: int, rate: int) -> str:
    """Seconds rounded up to the next half second, as a tempo is written."""
    halves = -(-samples * 2 // rate)
    return f"{halves / 2:g}"


def _marks(ms: int) -> list[tuple[int, str]]:
    """Time-left marks (seconds left, words) for a rest or hold of ``ms``.

    A long one is marked every fifteen seconds (and every minute above one),
    so nothing is silent for longer than MAX_SILENCE_MS; a short one only at
    ten seconds.
    """
    if ms < LONG_MS:
        return [(10, "ten seconds")] if ms > 10000 else []
    marks = [(m * 60, f"{number_words(m)} minutes") for m in range(ms // 60000, 1, -1)]
    if ms > 60000:
        marks.append((60, "one minute"))
    marks += [(45, "forty-five seconds"), (30, "thirty seconds"), (15, "fifteen seconds")]
    return [(s, w) for s, w in marks if s * 1000 < ms]
