"""`check` over many files and folders, and the one place that turns a bug into a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.errors import InputError

runner = CliRunner()
GOOD = "title: Good\nblocks:\n  - exercise: hip-hinge\n"


def test_check_reports_every_file_not_only_the_first_bad_one(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text("title: B\nblocks:\n  - exercise: nope\n")
    (tmp_path / "c.yaml").write_text("title: C\nblocks:\n  - exercise: hip-hinge\n    sets: 0\n")
    (tmp_path / "d.yaml").write_text(GOOD)
    names = [str(tmp_path / n) for n in ("a.yaml", "b.yaml", "c.yaml", "d.yaml")]
    result = runner.invoke(app, ["check", "--estimate", *names])
    assert result.exit_code == 2
    assert result.stdout.count("ok: ") == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(":")[1].rsplit("/", 1)[-1] for e in errors] == ["b.yaml", "c.yaml"]


def test_check_on_a_folder_checks_the_yaml_files_in_it(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(GOOD)
    (tmp_path / "two.yml").write_text("id: wall-sit\nname: Wall sit\nhold: 30s\n")
    (tmp_path / "notes.txt").write_text("not yaml")
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ok: ") == 2
    assert "1 exercise(s): wall-sit" in result.stdout


def test_a_file_of_nothing_but_an_empty_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("[]\n")
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path / "empty.yaml")])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {tmp_path}/empty.yaml:1:1: the file holds no exercises and no workout\n"
    )


def test_a_workout_without_blocks_is_told_so_not_read_as_an_exercise(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text("title: x\nblcoks:\n  - exercise: hip-hinge\n")
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path / "w.yaml")])
    assert result.exit_code == 2
    assert "unknown key `blcoks` in a workout" in result.stderr
    assert "did you mean `blocks`?" in result.stderr


def test_a_bug_is_a_short_message_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("timeline overlap")

    monkeypatch.setattr("voicecoach.session.compile_report", broken)
    (tmp_path / "a.yaml").write_text(GOOD)
    monkeypatch.delenv("VOICECOACH_DEBUG", raising=False)
    result = runner.invoke(app, ["show", "--estimate", str(tmp_path / "a.yaml")])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: voicecoach failed inside (AssertionError: timeline overlap)\n"
        "  this is a bug, not a mistake of yours; run the command again with "
        "VOICECOACH_DEBUG=1 to see the details, and report them with the file you used\n"
    )
    assert isinstance(result.exception, SystemExit)
    monkeypatch.setenv("VOICECOACH_DEBUG", "1")
    result = runner.invoke(app, ["show", "--estimate", str(tmp_path / "a.yaml")])
    assert isinstance(result.exception, AssertionError)


def test_a_control_character_in_the_config_file_points_at_it(tmp_path: Path) -> None:
    from voicecoach.files.settings import load_config

    path = tmp_path / "config.yaml"
    path.write_text("voice:\n  rate: 1\x07\n")
    with pytest.raises(InputError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}:2:10: the file holds the character U+0007")


SIX_TYPOS = """\
title: Six typos
exercises:
  - id: wall-sit
    name: Wall sit
    hold: 30q
defaults:
  rset: 30s
blocks:
  - exercise: hip-hinge
    rpes: 8
    stes: 2
  - exercise: supine-mrch
  - exercise: wall-sit
  - say: ""
  - exercise: hip-hinge
    tempo: 3-1-1
"""


def test_check_reports_each_independent_mistake_in_a_file_at_once(tmp_path: Path) -> None:
    (tmp_path / "six.yaml").write_text(SIX_TYPOS)
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path / "six.yaml")])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    where = [e.split(": ", 2)[1].rsplit("/", 1)[-1] for e in errors]
    assert where == [
        "six.yaml:5:11",  # hold: 30q
        "six.yaml:7:3",  # rset
        "six.yaml:10:5",  # rpes
        "six.yaml:11:5",  # stes
        "six.yaml:12:15",  # supine-mrch
        "six.yaml:14:10",  # say: ""
        "six.yaml:16:12",  # tempo: 3-1-1
    ]
    assert "wall-sit" not in result.stderr.split("six.yaml:12:15")[1]  # no knock-on error


def test_at_most_twenty_mistakes_are_listed(tmp_path: Path) -> None:
    blocks = "".join(f"  - exercise: nope-{i}\n" for i in range(30))
    (tmp_path / "many.yaml").write_text("title: Many\nblocks:\n" + blocks)
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path / "many.yaml")])
    assert result.exit_code == 2
    assert result.stderr.count("error: ") == 20
    assert result.stderr.rstrip().endswith("... and 10 more errors in this file")
