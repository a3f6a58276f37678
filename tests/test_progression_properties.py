"""Progression's invariants over any sequence of sessions (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.model import Exercise, RepRange
from voicecoach.plan.progression import step
from voicecoach.player.history import ExerciseRow

# Each session: how many of its 3 sets were done, and how many marked hard.
SESSIONS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=40)
RANGES = st.tuples(st.integers(1, 15), st.integers(0, 10)).map(
    lambda t: RepRange(t[0], t[0] + t[1])
)


def run(span: RepRange, weighted: bool, sessions: list[tuple[int, int]]) -> list[int]:
    exercise = Exercise("x", "X", equipment=("dumbbell",) if weighted else ())
    asked, last = [], None
    for number, (done, hard) in enumerate(sessions, 1):
        reps = step(exercise, span, last).reps
        asked.append(reps)
        last = ExerciseRow(
            number, "w", "2026-11-01", "finished", "x", "X", 3, reps, None,
            span.low, span.high, done, 3 - done, min(hard, done),
        )  # fmt: skip
    return asked


@settings(max_examples=100, deadline=None)
@given(RANGES, st.booleans(), SESSIONS)
def test_reps_stay_in_the_range_and_move_a_rep_at_a_time(
    span: RepRange, weighted: bool, sessions: list[tuple[int, int]]
) -> None:
    asked = run(span, weighted, sessions)
    assert all(span.low <= r <= span.high for r in asked)
    if asked:
        assert asked[0] == span.low
    for before, after, (done, hard) in zip(asked, asked[1:], sessions, strict=False):
        full = done == 3 and min(hard, done) == 0
        if not full:
            assert after == before  # a quit, skipped or hard session holds
        elif before < span.high:
            assert after == before + 1
        else:  # at the top: a heavier weight and back to the bottom, or stay
            assert after == (span.low if weighted else span.high)
