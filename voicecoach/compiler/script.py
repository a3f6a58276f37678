"""The script stage: what is said for each block, set, side and rep, as typed prompts.

Nothing here knows how long a phrase is. The script is a sequence of
sections in session order, and ``layout.py`` decides where each prompt of a
section goes:

- ``Talk``: free speech laid end to end (the intro, the closing words).
- ``LeadIn``: the time before a set's work. It may be a rest (announced with
  its length), holds what has to be said before the work (the next
  exercise, its plan and setup, the set announcement) and ends with a
  "three, two, one" countdown on the beat.
- ``Reps`` and ``Hold``: the work of one set (or one side of it), each rep a
  list of phases with the word that names it and the seconds to count.

Which words belong to a rep is decided here; whether they fit their beat is
decided by the layout, which drops counts before cues and warns about any
cue it could not say.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from voicecoach import equipment
from voicecoach.model import (
    CircuitBlock,
    ExerciseBlock,
    RestBlock,
    SayBlock,
    Side,
    Where,
    Workout,
)
from voicecoach.units import capitalize, duration_words, number_words

GAP_MS = 400
"""Silence after each free prompt."""
CUE_GAP_MS = 1500
"""Silence after each setup cue: time to get into position."""
COUNTDOWN = ("three", "two", "one")
LONG_HOLD_MS = 30000
"""A hold this long says the exercise's cues itself, so its set announcement does not."""


@dataclass(frozen=True, slots=True)
class Context:
    """Whose prompt this is: the exercise, set, side, rep and circuit round it belongs to."""

    exercise: str | None = None
    set: int | None = None
    side: Side | None = None
    rep: int | None = None
    round: int | None = None


NOBODY = Context()


@dataclass(frozen=True, slots=True)
class Prompt:
    """Free speech: said as soon as what comes before it is said, then ``pause_ms`` of silence."""

    text: str
    kind: str
    ctx: Context = NOBODY
    pause_ms: int = GAP_MS
    chapter: str | None = None
    """A chapter with this title starts with this prompt."""
    opens_set: bool = False
    """A set (as the player navigates it) starts no later than this prompt."""


@dataclass(frozen=True, slots=True)
class Talk:
    prompts: tuple[Prompt, ...]


@dataclass(frozen=True, slots=True)
class LeadIn:
    """Everything between one set's work and the next.

    ``rest_ms`` is announced ("Rest, thirty seconds.") and lasts from that
    announcement to the first word of the work; ``min_ms`` is a silent
    minimum (the time between sides). ``preview`` is said first, ``announce``
    right before the countdown.
    """

    rest_ms: int
    min_ms: int
    preview: tuple[Prompt, ...]
    announce: tuple[Prompt, ...]
    ctx: Context
    countdown: bool = True


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed part of a rep: its word at ``start_ms`` and a count for each further second."""

    start_ms: int
    ms: int
    word: str
    counts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rep:
    """One rep (in alternating work, one side's movement) from ``start_ms`` into the set."""

    start_ms: int
    ctx: Context
    phases: tuple[Phase, ...]
    number: str | None
    """The rep number to say in this rep; in alternating work only the second side says it."""
    last: bool = False
    """"Last rep" is said before this rep."""


@dataclass(frozen=True, slots=True)
class SetInfo:
    exercise: str
    name: str
    set: int
    sets: int
    side: Side | None
    round: int | None


@dataclass(frozen=True, slots=True)
class Reps:
    info: SetInfo
    ctx: Context
    rep_ms: int
    reps: tuple[Rep, ...]
    quiet: bool
    label: str
    """How warnings name the exercise and its tempo: ``curl`` (3-1 s)."""
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    info: SetInfo
    ctx: Context
    ms: int
    quiet: bool
    checkins: tuple[str, ...] = ()
    """What a coach says during a long hold, in order: the exercise's cues, then breathing."""


Section = Talk | LeadIn | Reps | Hold

"""Equipment recorded without a name (the Free Exercise DB's "other"): never spoken as such."""


def script(workout: Workout, minutes: int) -> Iterator[Section]:
    """The sections of ``workout`` in session order; ``minutes`` is said in the intro."""
    yield Talk(tuple(_intro(workout, minutes)))
    state = _State()
    blocks = list(workout.blocks)
    for index, block in enumerate(blocks):
        last = _first_exercise(blocks[index + 1 :]) is None
        if isinstance(block, SayBlock):
            state.pending.append(Prompt(_sentence(block.text), "say"))
        elif isinstance(block, RestBlock):
            state.rest(block.ms)
        elif isinstance(block, CircuitBlock):
            yield from _circuit(state, block, last)
        else:
            yield from _exercise(state, block, last, None, None)
    if state.rest_ms:
        yield LeadIn(state.rest_ms, 0, tuple(state.pending), (), NOBODY, countdown=False)
        state.pending, state.rest_ms = [], 0
    yield Talk((*state.pending, Prompt(_summary(workout), "outro")))


@dataclass
class _State:
    """What is waiting to be said before the next set's work, and the rest it is said in."""

    pending: list[Prompt] = field(default_factory=list)
    rest_ms: int = 0

    def rest(self, ms: int) -> None:
        self.rest_ms += max(0, ms)

    def lead_in(self, announce: list[Prompt], ctx: Context, min_ms: int = 0) -> LeadIn:
        lead = LeadIn(self.rest_ms, min_ms, tuple(self.pending), tuple(announce), ctx)
        self.pending, self.rest_ms = [], 0
        return lead


def _intro(workout: Workout, minutes: int) -> list[Prompt]:
    items = [Prompt(_sentence(workout.title), "intro", chapter="Introduction")]
    if workout.about:
        items.append(Prompt(_sentence(workout.about), "intro"))
    items += [Prompt(_sentence(note), "note") for note in workout.notes]
    items.append(Prompt(f"About {_count(minutes, 'minute')}.", "intro"))
    gear = _equipment(workout)
    if gear:
        items.append(Prompt(f"You will need: {_join(gear)}.", "equipment", pause_ms=1000))
    elif any(
        item.lower() in equipment.UNNAMED
        for block in _exercise_blocks(workout.blocks)
        for item in block.exercise.equipment
    ):
        items.append(Prompt("You will need some equipment.", "equipment", pause_ms=1000))
    else:
        items[-1] = replace(items[-1], pause_ms=1000)
    return items


def _summary(workout: Workout) -> str:
    exercises = {b.exercise.id for b in _exercise_blocks(workout.blocks)}
    sets = sum(b.sets * r for b, r in _exercise_blocks_rounds(workout.blocks))
    return (
        f"That's the session: {_count(len(exercises), 'exercise')}, "
        f"{_count(sets, 'set')}. Well done."
    )


def _circuit(state: _State, circuit: CircuitBlock, last: bool) -> Iterator[Section]:
    inner = list(circuit.blocks)
    rounds = circuit.rounds
    for round_ in range(1, rounds + 1):
        state.pending.append(
            Prompt(f"Round {number_words(round_)} of {number_words(rounds)}.", "round")
        )
        final_round = round_ == rounds
        first_in_round = True
        for index, block in enumerate(inner):
            more_in_round = _first_exercise(inner[index + 1 :]) is not None
            if isinstance(block, SayBlock):
                state.pending.append(Prompt(_sentence(block.text), "say"))
            elif isinstance(block, RestBlock):
                state.rest(block.ms)
            else:
                chapter = f"Round {round_} of {rounds}: {block.exercise.name}"
                if first_in_round:
                    # The chapter opens with "Round two of three."
                    at = max(i for i, p in enumerate(state.pending) if p.kind == "round")
                    state.pending[at] = replace(state.pending[at], chapter=chapter)
                    chapter = ""
                first_in_round = False
                yield from _exercise(
                    state,
                    block,
                    last and final_round and not more_in_round,
                    round_,
                    None if more_in_round or final_round else circuit.rest_ms,
                    chapter=chapter or None,
                    rounds=rounds,
                )


def _exercise(
    state: _State,
    block: ExerciseBlock,
    last: bool,
    round_: int | None,
    end_rest_ms: int | None,
    chapter: str | None = "",
    rounds: int = 1,
) -> Iterator[Section]:
    ex = block.exercise
    sides: list[Side | None] = (
        [ex.first_side, _other(ex.first_side)] if ex.sides == "each" else [None]
    )
    title = ex.name if chapter == "" else chapter
    base = Context(ex.id, round=round_)
    state.pending.append(
        Prompt(_sentence(ex.name), "exercise", base, chapter=title, opens_set=True)
    )
    later_round = round_ is not None and round_ > 1
    if not later_round:
        state.pending += _exercise_intro(block, base)
    for set_no in range(1, block.sets + 1):
        for side_index, side in enumerate(sides):
            work_side = side if side is not None else ex.first_side
            ctx = replace(base, set=set_no, side=side)
            min_ms = 0
            if side_index == 1:
                state.pending.append(
                    Prompt(f"Switch {_plural(ex.limb)}.", "switch", ctx, opens_set=True)
                )
                state.pending += _side_cues(ex.setup, work_side, ctx)
                announce = [Prompt(f"{capitalize(work_side)} {ex.limb}.", "side", ctx)]
                min_ms = block.side_rest_ms
            else:
                announce = [
                    Prompt(_set_announcement(block, set_no, side), "set", ctx, opens_set=True)
                ]
                if later_round and set_no == 1:
                    # Both sides hear the cues that name a side, as after a switch.
                    state.pending += _side_cues(ex.setup, work_side, ctx)
                reminder = set_no - 2 if not later_round else (round_ or 1) - 2 + set_no
                long_hold = block.hold_ms is not None and block.hold_ms >= LONG_HOLD_MS
                if (set_no > 1 or later_round) and ex.cues and not long_hold:
                    cue = _fill(ex.cues[reminder % len(ex.cues)], work_side)
                    announce.append(Prompt(cue, "cue", ctx))
            yield state.lead_in(announce, ctx, min_ms)
            info = SetInfo(ex.id, ex.name, set_no, block.sets, side, round_)
            yield _work(block, info, ctx, work_side, set_no)
        final = set_no == block.sets
        if not (final and last):
            state.rest(end_rest_ms if final and end_rest_ms is not None else block.rest_ms)


def _side_cues(setup: Iterable[str], side: Side, ctx: Context) -> list[Prompt]:
    return [Prompt(_fill(cue, side), "setup", ctx, CUE_GAP_MS) for cue in setup if "{" in cue]


def _exercise_intro(block: ExerciseBlock, ctx: Context) -> list[Prompt]:
    ex = block.exercise
    items = [Prompt(_plan(block), "plan", ctx)]
    if ex.caution:
        items.append(Prompt(f"Caution: {_sentence(ex.caution)}", "caution", ctx))
    items += [Prompt(_fill(cue, ex.first_side), "setup", ctx, CUE_GAP_MS) for cue in ex.setup]
    return items


def _plan(block: ExerciseBlock) -> str:
    ex = block.exercise
    sets = number_words(block.sets)
    if block.hold_ms is not None:
        holds = "hold" if block.sets == 1 else "holds"
        what = f"{sets} {holds} of {duration_words(block.hold_ms)}"
    else:
        what = f"{sets} {'set' if block.sets == 1 else 'sets'} of {number_words(block.reps or 0)}"
    if ex.sides == "each":
        what += f", each {ex.limb}, {ex.first_side} first"
    elif ex.sides == "alternate":
        what += f" each {ex.limb}, alternating"
    return capitalize(what) + "."


def _set_announcement(block: ExerciseBlock, set_no: int, side: Side | None) -> str:
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


def _work(
    block: ExerciseBlock, info: SetInfo, ctx: Context, work_side: Side, set_no: int
) -> Reps | Hold:
    ex = block.exercise
    quiet = block.count == "quiet"
    if block.hold_ms is not None:
        checkins = tuple(_fill(c, work_side) for c in _rotated(ex.cues, set_no - 1))
        return Hold(info, ctx, block.hold_ms, quiet, (*checkins, "Keep breathing."))
    rep_ms = sum(s.ms for s in block.steps)
    alternate = ex.sides == "alternate"
    movements = (block.reps or 0) * (2 if alternate else 1)
    named = any("{" in s.say for s in block.steps)
    reps = []
    for m in range(movements):
        if alternate:
            side: Side = work_side if m % 2 == 0 else _other(work_side)
            rep_no, last, says_number = m // 2 + 1, m == movements - 2, m % 2 == 1
        else:
            side, rep_no, last, says_number = work_side, m + 1, m == movements - 1, True
        last = last and (block.reps or 0) > 1
        phases = []
        offset = 0
        for index, step in enumerate(block.steps):
            word = _fill(step.say, side)
            if index == 0 and alternate and not named:
                word = f"{capitalize(side)}, {lower_first(word)}"
            counts = (
                tuple(number_words(s + 1) for s in range(1, -(-step.ms // 1000)))
                if block.count == "tempo"
                else ()
            )
            phases.append(Phase(offset, step.ms, word, counts))
            offset += step.ms
        reps.append(
            Rep(
                m * rep_ms,
                replace(ctx, side=side if alternate else ctx.side, rep=rep_no),
                tuple(phases),
                capitalize(number_words(rep_no)) if says_number else None,
                last,
            )
        )
    label = f"`{ex.id}` ({'-'.join(f'{s.ms / 1000:g}' for s in block.steps)} s)"
    return Reps(info, ctx, rep_ms, tuple(reps), quiet, label, block.where)


def _rotated(items: tuple[str, ...], by: int) -> list[str]:
    if not items:
        return []
    by %= len(items)
    return list(items[by:] + items[:by])


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


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


def rest_words(ms: int) -> str:
    """What a rest announcement says: "Rest, thirty seconds."."""
    return f"Rest, {duration_words(ms)}."


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
    """What the workout needs fetched, once each, in the file's own words."""
    seen: dict[str, str] = {}
    for block in _exercise_blocks(workout.blocks):
        for item in block.exercise.equipment:
            if not equipment.is_nothing(item) and item.lower() not in equipment.UNNAMED:
                seen.setdefault(equipment.canonical(item), item)
    return list(seen.values())
