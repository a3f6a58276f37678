"""Every command through typer's CliRunner: output, exit codes, and help text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.main import get_command
from typer.testing import CliRunner

from voicecoach import paths
from voicecoach.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_prints_a_readable_timeline() -> None:
    code, out, _ = invoke("show", "monday", "--estimate")
    assert code == 0
    assert out.startswith("Monday: Hamstrings for runners  (")
    assert "[3] Staggered stance Romanian deadlift" in out
    assert "Set one of three, right leg." in out
    assert "Switch legs." in out
    assert out.rstrip().endswith("prompts.")


def test_show_json_follows_the_spec(lengths: object) -> None:
    code, out, _ = invoke("show", "monday", "--json", "--estimate")
    assert code == 0
    data = json.loads(out)
    assert data["sample_rate"] == 22050
    assert {"title", "duration_s", "chapters", "events"} <= data.keys()
    starts = [e["start_s"] for e in data["events"]]
    assert starts == sorted(starts)
    for a, b in zip(data["events"], data["events"][1:], strict=False):
        assert a["end"] <= b["start"]
    inside = [e for e in data["events"] if "set" in e]
    assert inside and all({"exercise", "set", "side", "rep"} <= e.keys() for e in inside)


def test_show_an_unknown_workout_suggests_the_closest() -> None:
    code, out, err = invoke("show", "mondy", "--estimate")
    assert code == 2
    assert out == ""
    assert "error: no workout named `mondy`" in err
    assert "did you mean `monday`?" in err


def test_show_a_missing_file() -> None:
    code, _, err = invoke("show", "./nothing-here.yaml", "--estimate")
    assert code == 2
    assert err == "error: ./nothing-here.yaml: no such file\n"


def test_check_passes_the_builtins_and_reports_warnings(
    write: Callable[[str, str], Path],
) -> None:
    code, out, _ = invoke("check", "monday", "wednesday", "friday", "--estimate")
    assert code == 0
    assert out.count("ok: ") == 3


def test_check_a_bad_file_exits_2_with_the_position(write: Callable[[str, str], Path]) -> None:
    path = write("bad.yaml", "title: x\nblocks:\n  - exercise: hip-hinge\n    tmepo: 3-1-1-0\n")
    code, out, err = invoke("check", str(path), "--estimate")
    assert code == 2
    assert f"error: {path}:4:5: unknown key `tmepo` in an exercise block" in err
    assert "did you mean `tempo`?" in err
    assert "Traceback" not in err + out


def test_check_an_exercise_file(write: Callable[[str, str], Path]) -> None:
    path = write("wall-sit.yaml", "id: wall-sit\nname: Wall sit\nhold: 45s\n")
    code, out, _ = invoke("check", str(path))
    assert code == 0
    assert out == f"ok: {path}: 1 exercise(s): wall-sit\n"


def test_check_an_empty_file_is_an_error_not_ok(write: Callable[[str, str], Path]) -> None:
    path = write("empty.yaml", "")
    code, out, err = invoke("check", str(path))
    assert code == 2
    assert out == ""
    assert err == (
        f"error: {path}: the file is empty; a workout needs `title:` and `blocks:`, "
        "an exercise `id:` and `name:`\n"
    )


def test_user_workouts_come_before_builtins(user_dirs: Path) -> None:
    folder = paths.user_workouts()
    folder.mkdir(parents=True)
    (folder / "monday.yaml").write_text(
        "title: My Monday\nblocks:\n  - exercise: supine-march\n    reps: 5\n"
    )
    code, out, _ = invoke("show", "monday", "--estimate")
    assert code == 0
    assert out.startswith("My Monday  (")
    code, out, _ = invoke("list")
    assert f"monday                       user      {folder / 'monday.yaml'}" in out


def test_list_names_workouts_and_exercises_with_their_source() -> None:
    code, out, _ = invoke("list", "--json")
    assert code == 0
    data = json.loads(out)
    assert {w["name"] for w in data["workouts"]} >= {"monday", "wednesday", "friday"}
    ids = {e["id"]: e for e in data["exercises"]}
    assert ids["eccentric-hamstring-curl"]["reps"] == "6-10"
    assert ids["supine-march"]["sides"] == "alternate"
    assert all(e["from"] == "built-in" for e in ids.values())


def test_schema_is_valid_and_accepts_the_builtins_and_refuses_a_typo() -> None:
    code, out, _ = invoke("schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    builtin = paths.builtin_dir()
    for path in sorted(builtin.glob("*/*.yaml")):
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path, errors[0].message)
    typo = {"title": "x", "blocks": [{"exercise": "a", "tmepo": "3-1-1-0"}]}
    assert list(validator.iter_errors(typo))


def all_commands() -> list[str]:
    group = get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help_text(name: str) -> None:
    command = get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 20, name
    code, out, _ = invoke(name, "--help")
    assert code == 0
    assert "Usage:" in out
    shown = " ".join(out.split())
    for param in command.params:
        if param.name == "help":
            continue
        text = getattr(param, "help", None)
        assert text and len(text.strip()) > 8, f"{name}: {param.name} has no help text"
        assert " ".join(text.split()[:4]) in shown, f"{name} --help does not show {param.name}"


def test_the_version_is_printed_and_the_top_level_help_lists_every_command() -> None:
    from voicecoach import __version__

    code, out, _ = invoke("--version")
    assert (code, out) == (0, f"voicecoach {__version__}\n")
    code, out, _ = invoke("--help")
    assert code == 0
    for name in all_commands():
        assert f" {name} " in out, name


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", "--help"], capture_output=True, text=True, check=True
    )
    assert "show" in done.stdout


@pytest.mark.engine
def test_output_cut_short_by_a_pipe_is_not_an_error() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m voicecoach voices --engine pyttsx3 | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("In use: ")
    assert done.stderr == ""
