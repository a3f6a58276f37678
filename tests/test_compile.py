"""What the compiler says and when: the built-in sessions as golden files, and each rule."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach.compiler.compile import compile_report, compile_workout
from voicecoach.compiler.present import timeline_dict
from voicecoach.files.load import load_workout
from voicecoach.model import Event, Timeline
from voicecoach.voices.base import EstimatedLengths

GOLDEN = Path(__file__).parent / "golden"
RATE = 22050


@pytest.mark.parametrize("name", ["monday", "wednesday", "friday"])
def test_builtin_timelines_match_golden_files(name: str, lengths: EstimatedLengths) -> None:
    """Set UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff."""
    timeline = compile_workout(load_workout(name), lengths)
    got = timeline_dict(timeline)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(_golden_text(got), encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["monday", "wednesday", "friday"])
def test_builtin_sessions_last_nine_to_thirty_minutes(name: str, lengths: EstimatedLengths) -> None:
    """At the bottom of their ranges, as a first session asks; they grow from there."""
    timeline = compile_workout(load_workout(name), lengths)
    assert 9 * 60 <= timeline.duration / RATE <= 30 * 60


def _golden_text(data: dict[str, object]) -> str:
    """JSON with one event per line, so a change reads as a short diff."""
    head = {k: v for k, v in data.items() if k != "events"}
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    events = ",\n  ".join(json.dumps(e, ensure_ascii=False) for e in data["events"])  # type: ignore[attr-defined]
    return f'{lines},\n "events": [\n  {events}\n ]\n}}\n'


def texts(timeline: Timeline, **match: object) -> list[str]:
    return [e.text for e in timeline.events if all(getattr(e, k) == v for k, v in match.items())]


def compile_text(
    write: Callable[[str, str], Path], text: str, lengths: EstimatedLengths
) -> Timeline:
    path = write("w.yaml", text)
    return compile_workout(load_workout(str(path)), lengths)


def test_monday_reads_like_the_article(lengths: EstimatedLengths) -> None:
    timeline = compile_workout(load_workout("monday"), lengths)
    said = [e.text for e in timeline.events]
    assert said[0] == "Monday: Hamstrings for runners."
    assert "You will need: dumbbell and wall." in said
    assert "Set two of three, left leg." not in said  # the second side is announced as a side
    assert said.count("Switch legs.") == 3
    assert "Hold the dumbbell in your left hand." in said  # opposite the right working leg
    assert "Hold the dumbbell in your right hand." in said  # and again after the switch
    assert said.count("Left leg.") == 3
    assert [c.title for c in timeline.chapters] == [
        "Introduction",
        "Hip hinge drill",
        "Staggered stance Romanian deadlift",
        "Supine march",
    ]


def test_each_rep_starts_on_its_beat_and_reps_are_one_rep_length_apart(
    lengths: EstimatedLengths,
) -> None:
    timeline = compile_workout(load_workout("monday"), lengths)
    rep_len = 5 * RATE  # staggered-stance-rdl tempo 3-1-1-0
    for side in ("right", "left"):
        firsts: dict[int, Event] = {}
        for e in timeline.events:
            if e.exercise == "staggered-stance-rdl" and e.set == 2 and e.side == side and e.rep:
                firsts.setdefault(e.rep, e)
        starts = [firsts[r].start for r in sorted(firsts)]
        assert len(starts) == 6  # the bottom of 6-12: a first session
        assert all(b - a == rep_len for a, b in zip(starts, starts[1:], strict=False))
        assert all(firsts[r].beat for r in firsts)


def test_tempo_counting_names_phases_counts_seconds_and_says_rep_numbers(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: curl, name: Curl, tempo: 4-1-2-0}
        blocks:
          - {exercise: curl, reps: 3}
        """,
        lengths,
    )
    # The rep number takes the place of the lift's count: never "Up, two, One".
    assert texts(timeline, rep=1) == ["Down", "two", "three", "four", "Hold", "Up", "One"]
    assert texts(timeline, rep=3)[0] == "Last rep, down"
    assert texts(timeline, rep=3)[-1] == "Three"


def test_reps_mode_speaks_no_second_counts(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: curl, name: Curl, tempo: 4-1-2-0}
        blocks:
          - {exercise: curl, reps: 3, count: reps}
        """,
        lengths,
    )
    assert texts(timeline, rep=1) == ["Down", "Hold", "Up", "One"]


def test_quiet_mode_marks_only_start_and_end(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: curl, name: Curl, tempo: 2-0-2-0}
        blocks:
          - {exercise: curl, reps: 5, count: quiet}
        """,
        lengths,
    )
    work = [
        e for e in timeline.events if e.set == 1 and e.kind in ("phase", "done", "count", "rep")
    ]
    assert [e.text for e in work] == ["Go.", "Stop."]
    assert work[1].start - work[0].start == 5 * 4 * RATE


def test_rest_counts_down_and_previews_the_next_exercise(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: a, name: Alpha, tempo: 1-0-1-0}
          - {id: b, name: Bravo, tempo: 1-0-1-0, setup: [Lie down.]}
        blocks:
          - {exercise: a, reps: 2, rest: 90s}
          - {exercise: b, reps: 2}
        """,
        lengths,
    )
    said = [e.text for e in timeline.events]
    rest = said.index("Rest, ninety seconds.")
    assert said[rest + 1 : rest + 4] == ["Bravo.", "One set of two.", "Lie down."]
    assert said.index("one minute") < said.index("thirty seconds") < said.index("fifteen seconds")
    # Work on Bravo starts at least the rest after Alpha's work ends.
    alpha_end = max(e.end for e in timeline.events if e.exercise == "a" and e.rep)
    bravo_start = min(e.start for e in timeline.events if e.exercise == "b" and e.rep)
    assert bravo_start - alpha_end >= 90 * RATE
    ready = [e for e in timeline.events if e.kind == "ready" and e.exercise == "b"]
    assert [e.text for e in ready] == ["three", "two", "one"]
    assert [bravo_start - e.start for e in ready] == [3 * RATE, 2 * RATE, RATE]


def test_speech_longer_than_the_rest_pushes_the_work_later(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: a, name: Alpha, tempo: 1-0-1-0}
          - id: b
            name: Bravo
            tempo: 1-0-1-0
            setup: [Lie on your back with your arms out wide., Lift your hips up high.]
        blocks:
          - {exercise: a, reps: 2, rest: 2s}
          - {exercise: b, reps: 2}
        """,
        lengths,
    )
    events = timeline.events
    assert all(a.end <= b.start for a, b in zip(events, events[1:], strict=False))
    setup_end = max(e.end for e in events if e.kind == "setup")
    bravo_start = min(e.start for e in events if e.exercise == "b" and e.rep)
    assert bravo_start >= setup_end + 3 * RATE


def test_a_timed_hold_counts_down_to_release(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    timeline = compile_text(
        write,
        """
        title: T
        exercises:
          - {id: wall-sit, name: Wall sit, hold: 45s, cues: [Back flat on the wall.]}
        blocks:
          - {exercise: wall-sit, sets: 2}
        """,
        lengths,
    )
    said = texts(timeline, set=1)
    hold = said.index("Hold.")
    assert said[hold:] == [
        "Hold.",
        "Back flat on the wall.",
        "thirty seconds",
        "fifteen seconds",
        "three",
        "two",
        "one",
        "Release.",
    ]
    start = next(e for e in timeline.events if e.text == "Hold.").start
    end = next(e for e in timeline.events if e.text == "Release.").start
    assert end - start == 45 * RATE


def test_a_long_phase_name_in_a_one_second_phase_is_warned_about(
    write: Callable[[str, str], Path], lengths: EstimatedLengths
) -> None:
    path = write(
        "w.yaml",
        """
        title: T
        exercises:
          - id: curl
            name: Curl
            tempo: 3-0-1-0
            phases: {lower: Straighten the knee slowly now}
        blocks:
          - {exercise: curl, reps: 2}
        """,
    )
    compiled = compile_report(load_workout(str(path)), lengths)
    messages = [str(w) for w in compiled.warnings]
    assert messages and all("`curl` (3-1 s)" in m for m in messages)
    assert "w.yaml:8:5: warning:" in messages[0]
    assert "`Straighten the knee slowly now` takes" in messages[0]


def test_a_rep_too_short_for_any_word_is_warned_about(write: Callable[[str, str], Path]) -> None:
    path = write(
        "w.yaml",
        """
        title: T
        exercises:
          - {id: hop, name: Hop, tempo: 0-0-X-0}
        blocks:
          - {exercise: hop, reps: 2}
        """,
    )
    slow = EstimatedLengths(words_per_second=0.5)
    compiled = compile_report(load_workout(str(path)), slow)
    messages = [str(w) for w in compiled.warnings]
    assert any(
        "`Up fast` is left out: it takes 2.6 s" in m and "a phase of 3 s" in m for m in messages
    )
    assert (
        sum("the rep number is left out of some reps (`One` the first)" in m for m in messages) == 1
    )


def test_alternating_sides_count_each_sides_reps(
    lengths: EstimatedLengths,
) -> None:
    timeline = compile_workout(load_workout("monday"), lengths)
    march = [e for e in timeline.events if e.exercise == "supine-march" and e.set == 1 and e.rep]
    firsts: dict[tuple[int, str | None], Event] = {}
    for e in march:
        firsts.setdefault((e.rep or 0, e.side), e)
    order = sorted(firsts.values(), key=lambda e: e.start)
    assert [(e.rep, e.side) for e in order[:4]] == [
        (1, "right"),
        (1, "left"),
        (2, "right"),
        (2, "left"),
    ]
    assert {b.start - a.start for a, b in zip(order, order[1:], strict=False)} == {4 * RATE}
    assert order[0].text == "Right knee up"


def test_circuits_get_a_chapter_per_round(lengths: EstimatedLengths) -> None:
    timeline = compile_workout(load_workout("friday"), lengths)
    titles = [c.title for c in timeline.chapters]
    assert titles[2:] == [
        f"Round {n} of 3: {name}"
        for n in (1, 2, 3)
        for name in ("Down dog knee extension", "Supine march")
    ]
    rounds = {e.round for e in timeline.events if e.exercise == "supine-march" and e.set}
    assert rounds == {1, 2, 3}
    said = [e.text for e in timeline.events]
    assert said.count("Come onto hands and knees, like a tabletop.") == 1  # setup in round 1 only


def test_chapters_cover_the_session_and_sets_point_into_them(lengths: EstimatedLengths) -> None:
    timeline = compile_workout(load_workout("wednesday"), lengths)
    chapters = timeline.chapters
    assert chapters[0].start == 0 and chapters[-1].end == timeline.duration
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:], strict=False))
    for span in timeline.sets:
        chapter = chapters[span.chapter]
        assert chapter.start <= span.start < span.end <= chapter.end
        assert chapter.title == span.name


def test_compiling_twice_gives_the_same_timeline(lengths: EstimatedLengths) -> None:
    workout = load_workout("wednesday")
    assert compile_workout(workout, lengths) == compile_workout(workout, lengths)


def test_the_readme_transcript_is_what_show_prints() -> None:
    """The README's transcript of a set, chunk by chunk ("..." between), is in `show`'s output."""
    from typer.testing import CliRunner

    from voicecoach.cli import app

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    marker = "<!-- transcript: show monday --estimate -->\n```\n"
    block = readme[readme.index(marker) + len(marker) :].split("```", 1)[0]
    chunks = [c.strip("\n").splitlines() for c in block.split("  ...\n")]
    result = CliRunner().invoke(app, ["show", "monday", "--estimate"])
    assert result.exit_code == 0, result.output
    shown = result.output.splitlines()
    at = 0
    for chunk in chunks:
        starts = [i for i in range(at, len(shown)) if shown[i : i + len(chunk)] == chunk]
        assert starts, "not in `voicecoach show monday --estimate`:\n" + "\n".join(chunk)
        at = starts[0] + len(chunk)


class CountingLengths(EstimatedLengths):
    """Estimated lengths that remember which phrases were asked for, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def length(self, text: str) -> int:
        self.asked.append(text)
        return super().length(text)


def test_compile_events_asks_for_lengths_only_as_it_places_them() -> None:
    from voicecoach.compiler.compile import compile_events

    workout = load_workout("monday")
    speech = CountingLengths()
    items = compile_events(workout, speech)
    first = next(i for i in items if isinstance(i, Event))
    assert first.text == "Monday: Hamstrings for runners."
    intro = {e.text for e in compile_workout(workout, EstimatedLengths()).events[:6]}
    assert set(speech.asked) <= intro  # the intro only: nothing of the exercises yet
    timeline = compile_workout(workout, EstimatedLengths())
    first_said = {}
    for e in timeline.events:
        if e.kind not in ("countdown", "ready", "checkin"):  # marks are tried wherever they fit
            first_said.setdefault(e.text, e.start)
    latest = first.start
    for item in items:
        if isinstance(item, Event):
            assert item.start >= latest  # in time order
            latest = item.start
            # Looked ahead no further than the section being placed (a rest, a set).
            ahead = [t for t in speech.asked if first_said.get(t, 0) > latest + 120 * RATE]
            assert not ahead, ahead


def test_what_once_overlapped_now_compiles_with_warnings(
    write: Callable[[str, str], Path],
) -> None:
    """A 101-rep cycle of two 0.5 s steps, and a long cue in a ten-minute hold at a slow rate."""
    cue = " ".join(["Breathe slowly and let the shoulders drop."] * 8)
    path = write(
        "w.yaml",
        f"""
        title: T
        exercises:
          - id: flick
            name: Flick
            rep: [{{say: In, hold: 0.5s}}, {{say: Out, hold: 0.5s}}]
          - {{id: long, name: Long hold, hold: 10m, cues: ["{cue}"]}}
        blocks:
          - {{exercise: flick, reps: 101}}
          - {{exercise: long}}
        """,
    )
    for speech in (EstimatedLengths(), EstimatedLengths(words_per_second=1.0)):
        compiled = compile_report(load_workout(str(path)), speech)
        events = compiled.timeline.events
        assert all(b.start - a.end >= RATE // 4 for a, b in zip(events, events[1:], strict=False))
        assert any("`In` is left out" in str(w) for w in compiled.warnings)
        hold = [e for e in events if e.exercise == "long" and e.set == 1]
        assert hold[-1].text == "Release."
