"""The plan: reading plan.yaml, its days against fixed dates, today and tomorrow, the
long-run rule, and the commands that use them (through CliRunner, with a fixed clock)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fakes import fake_env
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.env import Environment
from voicecoach.files.load import load_workout
from voicecoach.files.plan import builtin_plan_path, find_plan, load_plan
from voicecoach.model import Plan
from voicecoach.plan.scaffold import new_plan
from voicecoach.plan.today import for_the_day, resolve
from voicecoach.plan.week import next_workout_day, run_after, run_warnings, week_of

TUESDAY = date(2026, 12, 1)

PLAN = """
title: Spring half
week:
  Monday: monday
  wednesday: wednesday
  friday: friday
  saturday: rest
  sunday: {run: long}
"""

TAPS = """
title: Taps
exercises:
  - id: tap
    name: Tap
    tempo: 1-0-1-0
defaults:
  count: reps
blocks:
  - exercise: tap
    sets: 2
    reps: 2-4
    rest: 2s
"""

runner = CliRunner()


def at(day: date) -> Callable[[], datetime]:
    return lambda: datetime(day.year, day.month, day.day, 12, 0, tzinfo=timezone.utc)


def invoke(*args: str, env: Environment | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), obj=env or fake_env(now=at(TUESDAY)))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return load_plan(tmp_path / "plan.yaml", tmp_path)


def test_a_plan_names_a_workout_rest_or_run_for_each_day(plan: Plan) -> None:
    assert plan.title == "Spring half"
    kinds = [(d.weekday, d.kind, d.workout or d.run) for d in plan.days]
    assert kinds == [
        ("monday", "workout", "monday"),
        ("tuesday", "rest", None),
        ("wednesday", "workout", "wednesday"),
        ("thursday", "rest", None),
        ("friday", "workout", "friday"),
        ("saturday", "rest", None),
        ("sunday", "run", "long"),
    ]
    assert str(plan.days[0].where) == "plan.yaml:4:3"


def test_the_week_of_a_date_runs_monday_to_sunday(plan: Plan) -> None:
    week = week_of(plan, TUESDAY)
    assert [d.date.isoformat() for d in week] == [
        "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03",
        "2026-12-04", "2026-12-05", "2026-12-06",
    ]  # fmt: skip
    assert week_of(plan, date(2026, 12, 6))[0].date == date(2026, 11, 30)
    upcoming = next_workout_day(plan, TUESDAY)
    assert upcoming is not None and (upcoming.date, upcoming.day.workout) == (
        date(2026, 12, 2),
        "wednesday",
    )
    assert run_after(plan, date(2026, 12, 5)) == "long"
    assert run_after(plan, TUESDAY) is None


def test_today_and_tomorrow_name_the_plans_workout_or_say_why_there_is_none(plan: Plan) -> None:
    assert resolve("tomorrow", plan, TUESDAY).workout == "wednesday"
    rest = resolve("today", plan, TUESDAY)
    assert rest.workout is None
    assert rest.message == (
        "Today (Tuesday 1 December) is a rest day in the plan: nothing to play.\n"
        "Next workout: Wednesday 2 December, wednesday (voicecoach play wednesday)"
    )
    run = resolve("today", plan, date(2026, 12, 6))
    assert run.message is not None
    assert run.message.startswith("Today (Sunday 6 December) is a long run day in the plan")
    assert resolve("monday", plan, TUESDAY).workout == "monday"


def test_eccentric_work_the_day_before_the_long_run_is_warned_about(tmp_path: Path) -> None:
    text = PLAN.replace("saturday: rest", "saturday: wednesday")
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    plan = load_plan(tmp_path / "plan.yaml", tmp_path)
    workouts = {d.workout: load_workout(d.workout) for d in plan.days if d.workout}
    [warning] = run_warnings(plan, workouts)
    assert str(warning) == (
        "plan.yaml:7:3: warning: saturday: `wednesday` has Eccentric hamstring curl the day "
        "before the long run on sunday. Eccentric work brings more soreness than usual. "
        "Skip this one the day before a long run."
    )
    assert run_warnings(load_plan(builtin_plan_path(), tmp_path), workouts) == []


def test_a_session_the_day_before_the_run_says_the_caution_in_its_intro(plan: Plan) -> None:
    wednesday = load_workout("wednesday")
    saturday = for_the_day(date(2026, 12, 5), plan, lambda name: [])(wednesday)
    assert saturday.notes == (
        "Tomorrow is your long run, by the plan. Eccentric hamstring curl: eccentric work "
        "brings more soreness than usual. Skip this one the day before a long run.",
    )
    assert for_the_day(date(2026, 12, 2), plan, lambda name: [])(wednesday).notes == ()


def test_a_plan_is_found_in_workouts_then_the_config_folder(tmp_path: Path) -> None:
    assert find_plan(tmp_path) is None
    from voicecoach import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "plan.yaml").write_text(PLAN, encoding="utf-8")
    assert find_plan(tmp_path) == paths.config_dir() / "plan.yaml"
    (tmp_path / "workouts").mkdir()
    (tmp_path / "workouts" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    assert find_plan(tmp_path) == tmp_path / "workouts" / "plan.yaml"


def test_a_new_plan_spreads_the_workouts_and_keeps_sunday_for_the_long_run(
    tmp_path: Path,
) -> None:
    text = new_plan(["monday", "friday"], "Two a week", tmp_path)
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    plan = load_plan(tmp_path / "plan.yaml", tmp_path)
    assert plan.title == "Two a week"
    assert [d.workout for d in plan.days if d.kind == "workout"] == ["monday", "friday"]
    assert [d.weekday for d in plan.days if d.kind == "workout"] == ["tuesday", "thursday"]
    assert plan.days[6].run == "long"


# The commands ---------------------------------------------------------------


def test_plan_prints_the_week_with_today_marked_and_the_reps_it_will_ask_for() -> None:
    code, out, err = invoke("plan")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Hamstrings for runners, three times a week (the built-in example")
    assert lines[1] == "Week of Monday 2026-11-30"
    assert "> Tue 2026-12-01  rest   <- today" in lines
    assert "  Sun 2026-12-06  long run" in lines
    assert any("Staggered stance Romanian deadlift" in line and "3 x 6 each leg (6-12)" in line
               for line in lines)  # fmt: skip


def test_plan_date_shows_another_week_and_json_says_the_same(tmp_path: Path) -> None:
    code, out, _ = invoke("plan", "--date", "2026-12-09", "--json")
    assert code == 0
    week = json.loads(out)
    assert [d["date"] for d in week["days"]][0] == "2026-12-07"
    assert [d["today"] for d in week["days"]] == [False, False, True] + [False] * 4
    monday = week["days"][0]["workout"]
    assert monday["name"] == "monday"
    assert [b["reps"] for b in monday["blocks"]] == [8, 6, 5]
    code, _, err = invoke("plan", "--date", "9 December")
    assert code == 2
    assert err == "error: --date 9 December: write a day as YYYY-MM-DD, like 2026-12-07\n"


def test_show_today_on_a_rest_day_says_so_and_plays_nothing() -> None:
    code, out, _ = invoke("show", "today", "--estimate")
    assert code == 0
    assert out.startswith("Today (Tuesday 1 December) is a rest day in the plan")
    assert "voicecoach play wednesday" in out


def test_show_tomorrow_is_the_plans_workout_at_todays_reps() -> None:
    code, out, err = invoke("show", "tomorrow", "--estimate", "--json")
    assert code == 0, err
    timeline = json.loads(out)
    assert timeline["workout"] == "wednesday"


def test_show_on_the_day_before_the_long_run_speaks_the_caution(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        PLAN.replace("saturday: rest", "saturday: wednesday"), encoding="utf-8"
    )
    env = fake_env(now=at(date(2026, 12, 5)))
    code, out, err = invoke(
        "show", "today", "--estimate", "--json", "--plan", str(tmp_path / "plan.yaml"), env=env
    )
    assert code == 0, err
    notes = [e["text"] for e in json.loads(out)["events"] if e["kind"] == "note"]
    assert notes[0].startswith("Tomorrow is your long run, by the plan. Eccentric hamstring curl:")
    code, _, err = invoke("check", str(tmp_path / "plan.yaml"))
    assert code == 0
    assert "warning: saturday: `wednesday` has Eccentric hamstring curl" in err


def test_check_a_plan_says_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    code, out, err = invoke("check", str(tmp_path / "plan.yaml"))
    assert code == 0, err
    assert out == (
        f"ok: {tmp_path / 'plan.yaml'}: Spring half (3 workout days, 1 run, 3 rest days)\n"
    )


def test_a_broken_plan_warns_when_a_workout_is_played_by_name(tmp_path: Path) -> None:
    from voicecoach import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "plan.yaml").write_text("week: {mnoday: monday}\n", encoding="utf-8")
    code, _, err = invoke("show", "monday", "--estimate")
    assert code == 0
    assert err.startswith("warning: the plan is not used: ")
    code, _, err = invoke("show", "today", "--estimate")
    assert code == 2


def test_new_plan_writes_a_plan_that_plan_reads(tmp_path: Path) -> None:
    code, out, err = invoke("new", "plan", "--add", "monday", "--to", str(tmp_path))
    assert code == 0, err
    assert out.startswith(f"Wrote {tmp_path / 'plan.yaml'}.")
    code, out, err = invoke("plan", "--plan", str(tmp_path / "plan.yaml"))
    assert code == 0, err
    assert "  Wed 2026-12-02  monday" in out


def test_play_today_plays_the_plans_workout_and_the_next_one_asks_a_rep_more(
    tmp_path: Path,
) -> None:
    (tmp_path / "taps.yaml").write_text(TAPS, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text("week:\n  monday: taps.yaml\n", encoding="utf-8")
    plan = str(tmp_path / "plan.yaml")
    code, _, err = invoke("play", "today", "--plan", plan, env=fake_env(now=at(date(2026, 11, 30))))
    assert code == 0, err
    assert err.splitlines()[-1] == "Done: Taps."
    next_monday = fake_env(now=at(date(2026, 12, 7)))
    code, out, err = invoke(
        "show", "today", "--plan", plan, "--estimate", "--json", env=next_monday
    )
    assert code == 0, err
    events = json.loads(out)["events"]
    assert [e["text"] for e in events if e["kind"] == "note"] == [
        "Tap: three reps today, one more than last time."
    ]
    assert [e["text"] for e in events if e["kind"] == "plan"] == ["Two sets of three."]


def test_play_today_on_a_rest_day_opens_no_device() -> None:
    env = fake_env(now=at(TUESDAY))
    code, out, _ = invoke("play", "today", env=env)
    assert code == 0
    assert out.startswith("Today (Tuesday 1 December) is a rest day in the plan")
    assert env.sinks == []  # type: ignore[attr-defined]


def test_new_plan_into_workouts_needs_no_plan_option_to_be_found(
    tmp_path: Path,
) -> None:
    env = fake_env(now=at(TUESDAY), cwd=tmp_path)
    code, out, err = invoke("new", "plan", "--to", "workouts", env=env)
    assert code == 0, err
    assert out == (
        f"Wrote {tmp_path / 'workouts' / 'plan.yaml'}.\nSee the week with: voicecoach plan\n"
    )
    code, out, _ = invoke("plan", env=env)
    assert out.startswith("My week (workouts/plan.yaml)")
    code, _, err = invoke("new", "plan", "--to", "workouts", env=env)
    assert code == 2
    assert "already exists; --force replaces it" in err
