"""Timing invariants of the compiler over generated workouts."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.compiler.compile import (
    Compiled,
    SessionEnd,
    compile_events,
    compile_report,
    compile_workout,
)
from voicecoach.compiler.layout import MIN_GAP_MS
from voicecoach.compiler.live import shortest
from voicecoach.files.load import rep_steps
from voicecoach.model import (
    CircuitBlock,
    Event,
    Exercise,
    ExerciseBlock,
    RestBlock,
    SayBlock,
    Step,
    Tempo,
    Timeline,
    Workout,
)
from voicecoach.player.history import set_keys
from voicecoach.units import duration_words, number_words
from voicecoach.voices.base import EstimatedLengths

RATE = 22050


class HashedLengths:
    """Deterministic, uneven phrase lengths from 0.15 to 0.7 s: every word fits a 1 s rep with
    the 250 ms that keeps it apart from the next prompt."""

    sample_rate = RATE

    def length(self, text: str) -> int:
        digest = hashlib.sha256(text.encode()).digest()
        return int((0.15 + 0.5 * digest[0] / 255) * RATE) + len(text.split()) * 200


def short_lengths() -> HashedLengths:
    return HashedLengths()


tempos = st.builds(
    Tempo,
    lower=st.sampled_from([0, 1000, 2000, 3000, 4000, 1500]),
    bottom=st.sampled_from([0, 1000, 2000]),
    lift=st.sampled_from([1000, 2000, 3000]),
    top=st.sampled_from([0, 1000]),
)
steps = st.lists(
    st.builds(
        Step,
        say=st.sampled_from(["Up", "Down", "Hold it", "{Side} knee in"]),
        ms=st.sampled_from([1000, 2000, 2500, 3000]),
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def exercises(draw: st.DrawFn, index: int) -> Exercise:
    hold = draw(st.none() | st.sampled_from([5000, 20000, 45000]))
    return Exercise(
        id=f"ex-{index}",
        name=draw(st.sampled_from(["Squat", "Supine march", "Bridge", "Romanian deadlift"])),
        sides=draw(st.sampled_from(["none", "each", "alternate"])),
        first_side=draw(st.sampled_from(["right", "left"])),
        limb=draw(st.sampled_from(["leg", "side"])),
        tempo=None if hold else draw(tempos),
        rep=None if hold else draw(st.none() | steps.map(tuple)),
        hold_ms=hold,
        setup=tuple(
            draw(
                st.lists(
                    st.sampled_from(["Lie down.", "Hold it in your {other} hand."]), max_size=2
                )
            )
        ),
        cues=tuple(draw(st.lists(st.sampled_from(["Back flat.", "Breathe."]), max_size=2))),
        caution=draw(st.none() | st.just("Go easy.")),
        equipment=tuple(draw(st.lists(st.sampled_from(["band", "ball"]), max_size=2))),
    )


@st.composite
def exercise_blocks(draw: st.DrawFn, index: int) -> ExerciseBlock:
    ex = draw(exercises(index))
    tempo = None if ex.is_hold else draw(st.none() | tempos)
    return ExerciseBlock(
        exercise=ex,
        sets=draw(st.integers(1, 3)),
        reps=None if ex.is_hold else draw(st.integers(1, 6)),
        hold_ms=ex.hold_ms,
        steps=() if ex.is_hold else rep_steps(ex, tempo),
        rest_ms=draw(st.sampled_from([0, 2000, 10000, 45000, 90000])),
        side_rest_ms=draw(st.sampled_from([0, 5000, 15000])),
        count=draw(st.sampled_from(["tempo", "reps", "quiet"])),
    )


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    blocks: list[object] = []
    counter = 0
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["exercise", "exercise", "say", "rest", "circuit"]))
        if kind == "say":
            blocks.append(SayBlock("Grab a band."))
        elif kind == "rest":
            blocks.append(RestBlock(draw(st.sampled_from([1000, 5000, 30000]))))
        elif kind == "circuit":
            inner = []
            for _ in range(draw(st.integers(1, 2))):
                counter += 1
                inner.append(draw(exercise_blocks(counter)))
            blocks.append(
                CircuitBlock(
                    draw(st.integers(1, 2)), draw(st.sampled_from([0, 20000])), tuple(inner)
                )
            )
        else:
            counter += 1
            blocks.append(draw(exercise_blocks(counter)))
    counter += 1
    blocks.append(draw(exercise_blocks(counter)))
    return Workout(name="gen", title="Generated", path="gen.yaml", blocks=tuple(blocks))  # type: ignore[arg-type]


def exercise_blocks_of(workout: Workout) -> dict[str, tuple[ExerciseBlock, int]]:
    found: dict[str, tuple[ExerciseBlock, int]] = {}
    for block in workout.blocks:
        if isinstance(block, ExerciseBlock):
            found[block.exercise.id] = (block, 1)
        elif isinstance(block, CircuitBlock):
            for inner in block.blocks:
                if isinstance(inner, ExerciseBlock):
                    found[inner.exercise.id] = (inner, block.rounds)
    return found


def rep_firsts(timeline: Timeline) -> dict[int, tuple[str, list[Event]]]:
    """For each set (or side of one), its exercise and the word on each rep's beat, in order."""
    found: dict[int, tuple[str, list[Event]]] = {}
    for span in timeline.sets:
        firsts: dict[tuple[int, str | None], Event] = {}
        for e in timeline.events:
            if (
                span.start <= e.start < span.end
                and e.rep is not None
                and e.beat
                and e.kind in ("phase", "rep", "last_rep")
            ):
                firsts.setdefault((e.rep, e.side), e)
        found[span.index] = (span.exercise, sorted(firsts.values(), key=lambda e: e.start))
    return found


def warned(compiled: Compiled, exercise_id: str, what: str) -> bool:
    return any(f"`{exercise_id}`" in w.message and what in w.message for w in compiled.warnings)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(workouts())
def test_events_are_sorted_and_never_overlap(workout: Workout) -> None:
    timeline = compile_workout(workout, short_lengths())
    events = timeline.events
    assert all(e.start < e.end for e in events)
    assert all(a.end <= b.start for a, b in zip(events, events[1:], strict=False))
    assert events[-1].end <= timeline.duration


@SETTINGS
@given(workouts())
def test_reps_start_exactly_one_rep_length_apart(workout: Workout) -> None:
    compiled = compile_report(workout, short_lengths())
    blocks = exercise_blocks_of(workout)
    for exercise_id, firsts in rep_firsts(compiled.timeline).values():
        block, _ = blocks[exercise_id]
        if block.count == "quiet" or block.reps is None:
            continue
        rep_len = (sum(s.ms for s in block.steps) * RATE + 500) // 1000
        gaps = {b.start - a.start for a, b in zip(firsts, firsts[1:], strict=False)}
        # A rep whose first word could not be said (and is warned about) leaves its beat empty.
        assert all(g % rep_len == 0 for g in gaps), (exercise_id, gaps, rep_len)
        if not warned(compiled, exercise_id, "is left out: it takes"):
            assert gaps <= {rep_len}, (exercise_id, gaps, rep_len)


@SETTINGS
@given(workouts())
def test_every_rep_has_its_number_or_first_word_on_the_beat(workout: Workout) -> None:
    compiled = compile_report(workout, short_lengths())
    timeline = compiled.timeline
    blocks = exercise_blocks_of(workout)
    for exercise_id, firsts in rep_firsts(timeline).values():
        block, _ = blocks[exercise_id]
        if block.count == "quiet" or block.reps is None:
            continue
        movements = block.reps * (2 if block.exercise.sides == "alternate" else 1)
        if not warned(compiled, exercise_id, "is left out: it takes"):
            assert len(firsts) == movements
        numbers = {e.rep for e in timeline.events if e.exercise == exercise_id and e.kind == "rep"}
        if not warned(compiled, exercise_id, "the rep number"):
            assert numbers == set(range(1, (block.reps or 0) + 1))


@SETTINGS
@given(workouts())
def test_chapters_add_up_to_the_whole_session(workout: Workout) -> None:
    timeline = compile_workout(workout, short_lengths())
    chapters = timeline.chapters
    assert chapters[0].start == 0
    assert chapters[-1].end == timeline.duration
    assert sum(c.end - c.start for c in chapters) == timeline.duration
    assert all(
        a.end == b.start and a.start < a.end for a, b in zip(chapters, chapters[1:], strict=False)
    )
    # One per exercise block, and in a circuit one per exercise per round.
    expected = sum(
        b.rounds * sum(isinstance(i, ExerciseBlock) for i in b.blocks)
        if isinstance(b, CircuitBlock)
        else 1
        for b in workout.blocks
        if isinstance(b, (CircuitBlock, ExerciseBlock))
    )
    assert len(chapters) == 1 + expected


def rests_between_sets(workout: Workout, timeline: Timeline) -> list[tuple[int, int]]:
    """(samples asked, samples given) for every rest between two sets of one exercise block,
    and between the two sides of a set (``sides: each``): from the end of one set's work to
    the first beat of the next."""
    found = []
    blocks = exercise_blocks_of(workout)
    spans = timeline.sets
    for a, b in zip(spans, spans[1:], strict=False):
        if a.exercise != b.exercise or a.round != b.round:
            continue
        block, _ = blocks[a.exercise]
        if b.set == a.set + 1:
            asked = block.rest_ms
        elif b.set == a.set and a.side != b.side:
            asked = block.side_rest_ms
        else:
            continue
        work_b = min(
            e.start
            for e in timeline.events
            if e.exercise == b.exercise
            and e.set == b.set
            and (b.side is None or e.side == b.side)
            and e.beat
            and e.kind != "ready"
            and e.kind != "countdown"
            and e.start >= b.start
        )
        found.append(((asked * RATE + 500) // 1000, work_b - a.end))
    return found


@SETTINGS
@given(workouts())
def test_rests_last_at_least_as_long_as_asked(workout: Workout) -> None:
    timeline = compile_workout(workout, short_lengths())
    for asked, rested in rests_between_sets(workout, timeline):
        assert rested >= asked


def test_rests_are_checked_between_sides_and_between_sets_of_a_one_side_exercise() -> None:
    one_side = Exercise(
        id="rdl", name="Romanian deadlift", sides="each", tempo=Tempo(2000, 0, 1000, 0)
    )
    block = ExerciseBlock(
        exercise=one_side,
        sets=2,
        reps=2,
        hold_ms=None,
        steps=rep_steps(one_side, None),
        rest_ms=30000,
        side_rest_ms=5000,
        count="tempo",
    )
    workout = Workout(name="gen", title="Generated", path="gen.yaml", blocks=(block,))
    pairs = rests_between_sets(workout, compile_workout(workout, short_lengths()))
    # right then left in each set: two side rests and one rest between the sets
    assert sorted(asked for asked, _ in pairs) == [5 * RATE, 5 * RATE, 30 * RATE]
    assert all(rested >= asked for asked, rested in pairs)


@SETTINGS
@given(workouts())
def test_compiling_is_deterministic(workout: Workout) -> None:
    assert compile_workout(workout, short_lengths()) == compile_workout(workout, short_lengths())


# The listener's rules (see compiler/layout.py): one check each, run as a property over
# generated workouts here, and over real workouts in test_compile_rules.py.

NUMBER_VALUES = {number_words(n): n for n in range(0, 1000)}
REST_WORDS = {duration_words(s * 1000): s for s in range(1, 4000)}


def value(event: Event) -> int | None:
    return NUMBER_VALUES.get(event.text.lower().rstrip("."))


def check_gaps(workout: Workout, compiled: Compiled) -> None:
    events = compiled.timeline.events
    gap = compiled.timeline.sample_rate // 4
    assert all(b.start - a.end >= gap for a, b in zip(events, events[1:], strict=False))


def check_numbers(workout: Workout, compiled: Compiled) -> None:
    events = compiled.timeline.events
    for a, b in zip(events, events[1:], strict=False):
        first, second = value(a), value(b)
        if first is None or second is None:
            continue
        counting_up = a.kind == b.kind == "count" and second == first + 1
        counting_down = a.kind == b.kind and a.kind in ("ready", "countdown")
        assert counting_up or (counting_down and second == first - 1), (a, b)


def said_words(timeline: Timeline) -> dict[tuple[object, ...], str]:
    """Everything said in each rep (by exercise, set, side, rep, round), as one lower-case text."""
    found: dict[tuple[object, ...], str] = {}
    for e in timeline.events:
        if e.rep is not None:
            key = (e.exercise, e.set, e.side, e.rep, e.round)
            found[key] = found.get(key, "") + " | " + e.text.lower()
    return found


def fill(text: str, side: str) -> str:
    other = "left" if side == "right" else "right"
    return (
        text.replace("{side}", side)
        .replace("{other}", other)
        .replace("{Side}", side.capitalize())
        .replace("{Other}", other.capitalize())
    )


def check_cues(workout: Workout, compiled: Compiled) -> None:
    blocks = exercise_blocks_of(workout)
    for (exercise_id, _, side, _, _), said in said_words(compiled.timeline).items():
        block, _ = blocks[str(exercise_id)]
        if block.count == "quiet":
            continue
        work_side = str(side or block.exercise.first_side)
        for step in block.steps:
            word = fill(step.say, work_side).lower()
            if word in said:
                continue
            assert any(
                f"`{exercise_id}`" in w.message
                and word in w.message.lower()
                and "left out" in w.message
                for w in compiled.warnings
            ), (exercise_id, word, said)


def check_rests(workout: Workout, compiled: Compiled) -> None:
    events = compiled.timeline.events
    rate = compiled.timeline.sample_rate
    for i, e in enumerate(events):
        if e.kind != "rest":
            continue
        seconds = REST_WORDS[e.text.removeprefix("Rest, ").rstrip(".")]
        # The work starts where the "three, two, one" before it would go on to zero.
        ready = next((x for x in events[i + 1 :] if x.kind == "ready"), None)
        if ready is not None:
            work = ready.start + (value(ready) or 0) * rate
            assert abs((work - e.start) - seconds * rate) <= rate, (e.text, ready)


def check_silences(workout: Workout, compiled: Compiled) -> None:
    events = compiled.timeline.events
    rate = compiled.timeline.sample_rate
    blocks = exercise_blocks_of(workout)
    spans = []
    for i, e in enumerate(events):
        if e.exercise is not None and blocks[e.exercise][0].count == "quiet":
            continue  # quiet asks for nothing but the start and the end
        if e.kind == "rest":
            end = next((x for x in events[i + 1 :] if x.kind == "ready"), None)
            if end is not None and end.start - e.start >= 30 * rate:
                spans.append((i, end))
        elif e.text == "Hold.":
            end = next(x for x in events[i + 1 :] if x.text == "Release.")
            if end.start - e.start >= 30 * rate:
                spans.append((i, end))
    for i, end in spans:
        inside = [x for x in events[i:] if x.start <= end.start]
        silences = [b.start - a.end for a, b in zip(inside, inside[1:], strict=False)]
        assert max(silences) <= 15 * rate, (events[i].text, max(silences) / rate)


def check_rounds(workout: Workout, compiled: Compiled) -> None:
    timeline = compiled.timeline
    titles = [c.title for c in timeline.chapters]
    for block in workout.blocks:
        if not isinstance(block, CircuitBlock):
            continue
        for inner in block.blocks:
            if not isinstance(inner, ExerciseBlock):
                continue
            ex = inner.exercise
            for r in range(1, block.rounds + 1):
                assert f"Round {r} of {block.rounds}: {ex.name}" in titles
            rounds = {e.round for e in timeline.events if e.exercise == ex.id and e.set}
            assert rounds == set(range(1, block.rounds + 1))
    for span in timeline.sets:
        chapter = timeline.chapters[span.chapter]
        assert chapter.start <= span.start < span.end <= chapter.end
        assert chapter.title.endswith(span.name)


RULES = [check_gaps, check_numbers, check_cues, check_rests, check_silences, check_rounds]


@SETTINGS
@given(workouts())
def test_there_is_a_quarter_second_between_any_two_prompts(workout: Workout) -> None:
    check_gaps(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_a_number_follows_a_number_only_as_the_next_count(workout: Workout) -> None:
    check_numbers(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_no_cue_is_left_out_without_a_warning(workout: Workout) -> None:
    check_cues(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_a_rest_lasts_what_it_says(workout: Workout) -> None:
    check_rests(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_long_rests_and_holds_are_never_silent_for_more_than_fifteen_seconds(
    workout: Workout,
) -> None:
    check_silences(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_circuit_events_carry_their_round_and_each_exercise_round_is_a_chapter(
    workout: Workout,
) -> None:
    check_rounds(workout, compile_report(workout, short_lengths()))


@SETTINGS
@given(workouts())
def test_what_is_placed_is_settled_up_to_its_end_and_the_gap(workout: Workout) -> None:
    """What ``play`` relies on to start before the session is compiled: once a prompt is
    placed, nothing placed after it starts before its end plus ``MIN_GAP_MS``, and the
    estimate has the very same sets as the voice's timeline."""
    lengths = short_lengths()
    gap = (MIN_GAP_MS * RATE + 500) // 1000
    horizon = 0
    for item in compile_events(workout, lengths):
        if isinstance(item, Event):
            assert item.start >= horizon
            horizon = item.end + gap
        elif isinstance(item, SessionEnd):
            assert item.duration >= horizon
    estimate = compile_workout(workout, EstimatedLengths(RATE))
    real = compile_workout(workout, lengths)
    assert shortest(workout, RATE) <= min(real.duration, estimate.duration)
    assert set_keys(estimate) == set_keys(real)
    assert [(s.exercise, s.name, s.chapter) for s in estimate.sets] == [
        (s.exercise, s.name, s.chapter) for s in real.sets
    ]
