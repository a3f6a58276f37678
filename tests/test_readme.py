"""The README's examples and figures come from the program: run them, compare them."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.session import prepare

README = Path(__file__).resolve().parent.parent / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def code_block(text: str, language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", text, re.S)
    assert found, f"no ```{language} block"
    return found.group(1)


@pytest.mark.engine
def test_the_python_api_example_runs_and_writes_the_wav(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import soundfile as sf

    example = tmp_path / "example.py"
    example.write_text(code_block(section("## Python API"), "python"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Monday: Hamstrings for runners ")
    assert len(out) == 6
    data, rate = sf.read(tmp_path / "monday.wav", dtype="int16")
    session = prepare("monday")
    assert rate == session.timeline.sample_rate
    assert len(data) == session.timeline.duration


def test_the_built_in_sessions_table_gives_each_workout_its_length() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \| .* \| (\d+) min \|$", section("## The built-in sessions"), re.M
    )
    assert [name for name, _ in rows] == ["monday", "wednesday", "friday"]
    for name, minutes in rows:
        timeline = prepare(name, estimate=True).timeline
        actual = round(timeline.duration / timeline.sample_rate / 60)
        assert int(minutes) == actual, f"README says {name} is {minutes} min; it is {actual} min"


def test_the_timeline_json_example_is_what_show_prints() -> None:
    shown = code_block(section("### The timeline (`voicecoach show NAME --json`)"), "json")
    example = json.loads(shown)
    result = CliRunner().invoke(app, ["show", "monday", "--json", "--estimate"])
    assert result.exit_code == 0, result.output
    real = json.loads(result.stdout)
    for key in ("title", "workout", "sample_rate"):
        assert example[key] == real[key], key
    assert example["duration_s"] == round(real["duration_s"], 2)
    assert example["chapters"][0] == {
        k: round(v, 2) if isinstance(v, float) else v for k, v in real["chapters"][0].items()
    }
    [event] = example["events"]
    same = [
        e
        for e in real["events"]
        if all(e.get(k) == event[k] for k in ("kind", "text", "exercise", "set", "side", "rep"))
    ]
    assert same, f"show prints no event like {event}"
    assert (event["start"], event["end"]) == (same[0]["start"], same[0]["end"])
    assert (event["start_s"], event["end_s"]) == (
        round(same[0]["start_s"], 2),
        round(same[0]["end_s"], 2),
    )
    assert set(same[0]) >= set(event)


def test_the_commands_table_lists_every_command() -> None:
    from typer.main import get_command

    listed = set(re.findall(r"^\| `voicecoach (\w+)", section("## Commands"), re.M))
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert listed == commands
