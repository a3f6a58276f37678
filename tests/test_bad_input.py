"""Every mistake a user can make in a workout file, and the exact message it gets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voicecoach.errors import InputError
from voicecoach.files.load import load_workout
from voicecoach.files.plan import load_plan

# (case, file text, message); {dir} stands for the folder the file is in.
CASES = [
    (
        "yaml_syntax",
        "title: x\nblocks:\n  - exercise: hip-hinge\n   sets: 3\n",
        "yaml_syntax.yaml:4:4: YAML syntax: expected <block end>, but found '<block mapping start>'\n  4 |    sets: 3\n    |    ^\n  check the indentation of this line against the one above",
    ),
    (
        "exercise_file",
        "id: wall-sit\nname: Wall sit\nhold: 30s\n",
        "exercise_file.yaml: this is an exercise file, not a workout; a workout lists exercises under `blocks:`. Make one with: voicecoach new NAME --add wall-sit",
    ),
    (
        "unclosed_list",
        "title: [unclosed\n",
        "unclosed_list.yaml:1:8: YAML syntax: expected ',' or ']', but got '<stream end>'\n  1 | title: [unclosed\n    |        ^\n  a `[` or `{` is not closed: close it, or quote the value",
    ),
    (
        "tab_indent",
        "title: x\nblocks:\n\t- exercise: hip-hinge\n",
        "tab_indent.yaml:3:1: YAML syntax: found character '\\t' that cannot start any token\n  3 |  - exercise: hip-hinge\n    | ^\n  indent with spaces, not tabs",
    ),
    (
        "unknown_key",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    tmepo: 3-1-1-0\n",
        "unknown_key.yaml:4:5: unknown key `tmepo` in an exercise block\n  4 |     tmepo: 3-1-1-0\n    |     ^^^^^\n  did you mean `tempo`? An exercise block takes: exercise, sets, reps, hold, tempo, rest, side_rest, count, progress.",
    ),
    (
        "unknown_top_key",
        "title: x\nblock:\n  - exercise: hip-hinge\n",
        "unknown_top_key.yaml:2:1: unknown key `block` in a workout\n  2 | block:\n    | ^^^^^\n  did you mean `blocks`? A workout takes: title, about, library, exercises, defaults, voice, music, blocks.",
    ),
    (
        "unknown_exercise",
        "title: x\nblocks:\n  - exercise: supine-mrch\n",
        "unknown_exercise.yaml:3:15: unknown exercise `supine-mrch`\n  3 |   - exercise: supine-mrch\n    |               ^^^^^^^^^^^\n  did you mean `supine-march`? `voicecoach list` shows the exercises there are",
    ),
    (
        "sets_string",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    sets: three\n",
        "sets_string.yaml:4:11: `sets` must be a whole number, not text\n  4 |     sets: three\n    |           ^^^^^\n  like 3",
    ),
    (
        "reps_zero",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    reps: 0\n",
        "reps_zero.yaml:4:11: `reps` is 0; it must be from 1 to 200\n  4 |     reps: 0\n    |           ^",
    ),
    (
        "reps_huge",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    reps: 100000\n",
        "reps_huge.yaml:4:11: `reps` is 100000; it must be from 1 to 200\n  4 |     reps: 100000\n    |           ^^^^^^",
    ),
    (
        "reps_negative",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    reps: -3\n",
        "reps_negative.yaml:4:11: `reps` is -3; it must be from 1 to 200\n  4 |     reps: -3\n    |           ^^",
    ),
    (
        "rest_40h",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: 40h\n",
        "rest_40h.yaml:4:11: `rest` is 40h; it must be from 0s to 1h\n  4 |     rest: 40h\n    |           ^^^",
    ),
    (
        "bad_duration",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: 45q\n",
        "bad_duration.yaml:4:11: `rest`: `45q` is not a duration; write it like 45s, 1m30s, 2m or 90\n  4 |     rest: 45q\n    |           ^^^",
    ),
    (
        "bad_tempo",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    tempo: 3-1-1\n",
        "bad_tempo.yaml:4:12: `tempo`: `3-1-1` is not a tempo; write four numbers of seconds, lower-bottom-lift-top, like 3-1-1-0\n  4 |     tempo: 3-1-1\n    |            ^^^^^",
    ),
    (
        "bad_tempo_word",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    tempo: 3-a-1-0\n",
        "bad_tempo_word.yaml:4:12: `tempo`: `3-a-1-0`: `a` is not a number of seconds; write a tempo like 3-1-1-0\n  4 |     tempo: 3-a-1-0\n    |            ^^^^^^^",
    ),
    (
        "tempo_x_lower",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    tempo: X-0-1-0\n",
        "tempo_x_lower.yaml:4:12: `tempo`: `X-0-1-0`: only the lift (third number) can be X (explosive), like 3-1-X-0\n  4 |     tempo: X-0-1-0\n    |            ^^^^^^^",
    ),
    (
        "tempo_zero",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    tempo: 0-0-0-0\n",
        "tempo_zero.yaml:4:12: `tempo`: `0-0-0-0`: a rep must last at least one second in all\n  4 |     tempo: 0-0-0-0\n    |            ^^^^^^^",
    ),
    (
        "reps_and_hold",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    reps: 8\n    hold: 30s\n",
        "reps_and_hold.yaml:5:5: the block has both `reps` and `hold`\n  5 |     hold: 30s\n    |     ^^^^\n  a set is either a timed hold or a number of reps; keep one",
    ),
    (
        "empty_blocks",
        "title: x\nblocks: []\n",
        "empty_blocks.yaml:2:9: `blocks:` is empty\n  2 | blocks: []\n    |         ^^\n  add a block like `- exercise: supine-march`",
    ),
    (
        "no_exercise",
        "title: x\nblocks:\n  - say: hello\n",
        "no_exercise.yaml:3:3: the workout has no exercise in it\n  3 |   - say: hello\n    |   ^\n  add a block like `- exercise: supine-march`",
    ),
    (
        "no_title",
        "blocks:\n  - exercise: hip-hinge\n",
        "no_title.yaml:1:1: a workout needs a `title:`\n  1 | blocks:\n    | ^\n  like `title: Monday hamstrings`",
    ),
    (
        "empty_file",
        "",
        "empty_file.yaml: the file is empty; a workout needs `title:` and `blocks:`",
    ),
    (
        "not_mapping",
        "- exercise: hip-hinge\n",
        "not_mapping.yaml:1:1: a workout must be a mapping of keys, not a list\n  1 | - exercise: hip-hinge\n    | ^",
    ),
    (
        "duplicate_key",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    sets: 2\n    sets: 3\n",
        "duplicate_key.yaml:5:5: `sets` is given twice in an exercise block\n  5 |     sets: 3\n    |     ^^^^\n  it was first given on line 4",
    ),
    (
        "duplicate_inline_id",
        "title: x\nexercises:\n  - {id: wall-sit, name: Wall sit, hold: 30s}\n  - {id: wall-sit, name: Wall sit, hold: 40s}\nblocks:\n  - exercise: wall-sit\n",
        "duplicate_inline_id.yaml:4:10: exercise id `wall-sit` is defined twice here\n  4 |   - {id: wall-sit, name: Wall sit, hold: 40s}\n    |          ^^^^^^^^",
    ),
    (
        "bad_id",
        "title: x\nexercises:\n  - {id: Wall Sit, name: Wall sit, hold: 30s}\nblocks:\n  - exercise: wall-sit\n",
        "bad_id.yaml:3:10: `id` is `Wall Sit`\n  3 |   - {id: Wall Sit, name: Wall sit, hold: 30s}\n    |          ^^^^^^^^\n  ids are lowercase words joined by dashes, like `supine-march`",
    ),
    (
        "alias_bomb",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\ntitle: x\nblocks:\n  - exercise: hip-hinge\n",
        "alias_bomb.yaml:2:8: aliases (*name) are not allowed\n  2 | b: &b [*a, *a]\n    |        ^\n  write the value out, or put shared settings under `defaults:`",
    ),
    (
        "bad_count",
        "title: x\ndefaults:\n  count: tempos\nblocks:\n  - exercise: hip-hinge\n",
        "bad_count.yaml:3:10: `count` is `tempos`\n  3 |   count: tempos\n    |          ^^^^^^\n  did you mean `tempo`? it must be one of: tempo, reps, quiet",
    ),
    (
        "bad_sides",
        "title: x\nexercises:\n  - {id: wall-sit, name: Wall sit, hold: 30s, sides: both}\nblocks:\n  - exercise: wall-sit\n",
        "bad_sides.yaml:3:54: `wall-sit` sides is `both`\n  3 |   - {id: wall-sit, name: Wall sit, hold: 30s, sides: both}\n    |                                                      ^^^^\n  it must be one of: none, each, alternate",
    ),
    (
        "bad_placeholder",
        "title: x\nexercises:\n  - id: lunge\n    name: Lunge\n    setup:\n      - Step forward with your {sid} leg.\nblocks:\n  - exercise: lunge\n",
        "bad_placeholder.yaml:6:9: `lunge` setup: unknown placeholder `{sid}`\n  6 |       - Step forward with your {sid} leg.\n    |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  did you mean `{side}`? placeholders are {side}, {other}, {Side} and {Other}",
    ),
    (
        "reps_on_hold",
        "title: x\nexercises:\n  - {id: wall-sit, name: Wall sit, hold: 30s}\nblocks:\n  - exercise: wall-sit\n    reps: 10\n",
        "reps_on_hold.yaml:6:5: `wall-sit` is a timed hold, so the block cannot give `reps`\n  6 |     reps: 10\n    |     ^^^^\n  give `hold: 30s` instead",
    ),
    (
        "missing_library",
        "title: x\nlibrary: [../nowhere]\nblocks:\n  - exercise: hip-hinge\n",
        "missing_library.yaml:2:11: library folder `../nowhere` does not exist\n  2 | library: [../nowhere]\n    |           ^^^^^^^^^^\n  it is looked up relative to {dir}",
    ),
    (
        "voice_text",
        "title: x\nvoice: jeo\nblocks:\n  - exercise: hip-hinge\n",
        "voice_text.yaml:2:8: `voice` must be a mapping of keys, not text\n  2 | voice: jeo\n    |        ^^^\n  like `voice: {voice: jeo}`; `voice` takes: engine, voice, rate",
    ),
    (
        "voice_engine_text",
        "title: x\nvoice: Piper\nblocks:\n  - exercise: hip-hinge\n",
        "voice_engine_text.yaml:2:8: `voice` must be a mapping of keys, not text\n  2 | voice: Piper\n    |        ^^^^^\n  like `voice: {engine: Piper}`; `voice` takes: engine, voice, rate",
    ),
    (
        "voice_engine_unknown",
        "title: x\nvoice: {engine: pipr}\nblocks:\n  - exercise: hip-hinge\n",
        "voice_engine_unknown.yaml:2:17: `voice.engine` is `pipr`\n  2 | voice: {engine: pipr}\n    |                 ^^^^\n  did you mean `piper`? the engines are: pyttsx3, piper",
    ),
    (
        "block_kind",
        "title: x\nblocks:\n  - exercize: hip-hinge\n",
        "block_kind.yaml:3:5: a block must start with `exercise:`, `say:`, `rest:` or `circuit:`\n  3 |   - exercize: hip-hinge\n    |     ^^^^^^^^\n  did you mean `exercise`? see the format in the README",
    ),
    (
        "circuit_in_circuit",
        "title: x\nblocks:\n  - circuit:\n      blocks:\n        - circuit:\n            blocks: [{exercise: hip-hinge}]\n",
        "circuit_in_circuit.yaml:5:11: a circuit cannot hold another circuit\n  5 |         - circuit:\n    |           ^",
    ),
    (
        "sets_float",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    sets: 2.5\n",
        "sets_float.yaml:4:11: `sets` must be a whole number, not a decimal number\n  4 |     sets: 2.5\n    |           ^^^\n  like 3",
    ),
    (
        "hold_too_short",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    hold: 0.2s\n",
        "hold_too_short.yaml:4:11: `hold` is 0.2s; it must be from 1s to 30m\n  4 |     hold: 0.2s\n    |           ^^^^",
    ),
    (
        "step_missing_hold",
        "title: x\nexercises:\n  - id: step-up\n    name: Step up\n    rep:\n      - {say: Up}\nblocks:\n  - exercise: step-up\n",
        "step_missing_hold.yaml:6:9: a rep step needs `hold:`\n  6 |       - {say: Up}\n    |         ^^^^^^^^^\n  like {say: Up, hold: 2s}",
    ),
    (
        "rep_and_tempo",
        "title: x\nexercises:\n  - id: step-up\n    name: Step up\n    tempo: 1-0-1-0\n    rep:\n      - {say: Up, hold: 2s}\nblocks:\n  - exercise: step-up\n",
        "rep_and_tempo.yaml:6:5: `step-up` has both `tempo` and `rep`\n  6 |     rep:\n    |     ^^^\n  `rep:` is an explicit cycle that replaces `tempo`; keep one",
    ),
    (
        "voice_rate",
        "title: x\nvoice:\n  rate: 1000\nblocks:\n  - exercise: hip-hinge\n",
        "voice_rate.yaml:3:9: `voice.rate` is 1000; it must be from 60 to 400\n  3 |   rate: 1000\n    |         ^^^^",
    ),
    (
        "range_upside_down",
        "title: x\nblocks:\n  - exercise: supine-march\n    reps: 10-5\n",
        "range_upside_down.yaml:4:11: `reps`: `10-5` goes from 10 down to 5; a range goes up: write 5-10\n  4 |     reps: 10-5\n    |           ^^^^",
    ),
    (
        "progress_on_hold",
        "title: x\nexercises:\n  - id: wall-sit\n    name: Wall sit\n    hold: 30s\nblocks:\n  - exercise: wall-sit\n    progress: reps\n",
        "progress_on_hold.yaml:8:5: `wall-sit` is a timed hold here, so the block cannot progress in reps\n  8 |     progress: reps\n    |     ^^^^^^^^\n  remove `progress:`; a hold lasts what `hold:` says",
    ),
    (
        "progress_fixed_reps",
        "title: x\nblocks:\n  - exercise: supine-march\n    reps: 8\n    progress: reps\n",
        "progress_fixed_reps.yaml:5:15: `progress: reps` needs a range of reps to go through\n  5 |     progress: reps\n    |               ^^^^\n  give the block a range, like `reps: 6-12`, or remove `progress:`",
    ),
    (
        "progress_unknown",
        "title: x\nblocks:\n  - exercise: supine-march\n    reps: 5-10\n    progress: rpes\n",
        "progress_unknown.yaml:5:15: `progress` is `rpes`\n  5 |     progress: rpes\n    |               ^^^^\n  did you mean `reps`? it must be one of: reps, none",
    ),
    (
        "avoid_unknown_run",
        "title: x\nexercises:\n  - id: jump\n    name: Jump\n    avoid_day_before: [lnog]\nblocks:\n  - exercise: jump\n",
        "avoid_unknown_run.yaml:5:24: `jump` avoid_day_before is `lnog`\n  5 |     avoid_day_before: [lnog]\n    |                        ^^^^\n  did you mean `long`? it must be one of: easy, long, tempo, intervals, race",
    ),
    (
        "range_huge",
        "title: x\nblocks:\n  - exercise: supine-march\n    reps: 5-500\n",
        "range_huge.yaml:4:11: `reps` go up to 500; at most 200\n  4 |     reps: 5-500\n    |           ^^^^^",
    ),
    (
        "voice_engine",
        "title: x\nvoice: {engine: pipr}\nblocks:\n  - exercise: hip-hinge\n",
        "voice_engine.yaml:2:17: `voice.engine` is `pipr`\n  2 | voice: {engine: pipr}\n    |                 ^^^^\n  did you mean `piper`? the engines are: pyttsx3, piper",
    ),
    # Found by fuzzing: each was a traceback or leaked Python's own words.
    (
        "control_character",
        "title: T\x07\nblocks:\n  - exercise: hip-hinge\n",
        'control_character.yaml:1:9: the file holds the character U+0007, which YAML does not allow\n  1 | title: T \n    |         ^\n  remove it; to have it said, write it as an escape in double quotes, like "\\t"',
    ),
    (
        "nul_character",
        "title: T\x00\nblocks:\n  - exercise: hip-hinge\n",
        'nul_character.yaml:1:9: the file holds the character U+0000, which YAML does not allow\n  1 | title: T \n    |         ^\n  remove it; to have it said, write it as an escape in double quotes, like "\\t"',
    ),
    (
        "noncharacter",
        "title: T\ufffe\nblocks:\n  - exercise: hip-hinge\n",
        'noncharacter.yaml:1:9: the file holds the character U+FFFE, which YAML does not allow\n  1 | title: T \n    |         ^\n  remove it; to have it said, write it as an escape in double quotes, like "\\t"',
    ),
    (
        "tag_int",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    sets: !!int abc\n",
        "tag_int.yaml:4:11: the tag `!!int` is not allowed\n  4 |     sets: !!int abc\n    |           ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_local",
        "title: !foo bar\nblocks:\n  - exercise: hip-hinge\n",
        "tag_local.yaml:1:8: the tag `!foo` is not allowed\n  1 | title: !foo bar\n    |        ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_python",
        "title: !!python/name:os.system\nblocks:\n  - exercise: hip-hinge\n",
        "tag_python.yaml:1:8: the tag `!!python/name:os.system` is not allowed\n  1 | title: !!python/name:os.system\n    |        ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_int_empty",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    sets: !!int ''\n",
        "tag_int_empty.yaml:4:11: the tag `!!int` is not allowed\n  4 |     sets: !!int ''\n    |           ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_timestamp",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: !!timestamp nope\n",
        "tag_timestamp.yaml:4:11: the tag `!!timestamp` is not allowed\n  4 |     rest: !!timestamp nope\n    |           ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_bool",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    count: !!bool maybe\n",
        "tag_bool.yaml:4:12: the tag `!!bool` is not allowed\n  4 |     count: !!bool maybe\n    |            ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_binary_rest",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: !!binary aGVsbG8=\n",
        "tag_binary_rest.yaml:4:11: the tag `!!binary` is not allowed\n  4 |     rest: !!binary aGVsbG8=\n    |           ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "tag_binary_title",
        "title: !!binary aGVsbG8=\nblocks:\n  - exercise: hip-hinge\n",
        "tag_binary_title.yaml:1:8: the tag `!!binary` is not allowed\n  1 | title: !!binary aGVsbG8=\n    |        ^\n  write the value plainly; put it in quotes to make it text",
    ),
    (
        "rest_inf",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: .inf\n",
        "rest_inf.yaml:4:11: `rest`: `inf` is not a duration; write it like 45s, 1m30s, 2m or 90\n  4 |     rest: .inf\n    |           ^^^^",
    ),
    (
        "rest_1e309",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: 1e309\n",
        "rest_1e309.yaml:4:11: `rest`: `1e309` is not a duration; write it like 45s, 1m30s, 2m or 90\n  4 |     rest: 1e309\n    |           ^^^^^",
    ),
    (
        "hold_inf",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    hold: .inf\n",
        "hold_inf.yaml:4:11: `hold`: `inf` is not a duration; write it like 45s, 1m30s, 2m or 90\n  4 |     hold: .inf\n    |           ^^^^",
    ),
    (
        "rest_nan",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rest: .nan\n",
        "rest_nan.yaml:4:11: `rest`: `nan` is not a duration; write it like 45s, 1m30s, 2m or 90\n  4 |     rest: .nan\n    |           ^^^^",
    ),
    (
        "step_hold_inf",
        "title: x\nexercises:\n  - id: step-up\n    name: Step up\n    rep:\n      - {say: Up, hold: inf}\nblocks:\n  - exercise: step-up\n",
        "step_hold_inf.yaml:6:25: a step's hold: `inf` is not a duration; write it like 45s, 1m30s, 2m or 90\n  6 |       - {say: Up, hold: inf}\n    |                         ^^^",
    ),
    (
        "library_nul",
        'title: x\nlibrary: ["a\\0b"]\nblocks:\n  - exercise: hip-hinge\n',
        'library_nul.yaml:2:11: each item of `library` holds a control character (U+0000) at character 2\n  2 | library: ["a\\0b"]\n    |           ^^^^^^\n  remove it: a voice cannot say it and a terminal would act on it',
    ),
    (
        "say_surrogate",
        'title: x\nblocks:\n  - say: "\\ud800"\n  - exercise: hip-hinge\n',
        'say_surrogate.yaml:3:10: `say` holds a lone surrogate (U+D800) at character 1\n  3 |   - say: "\\ud800"\n    |          ^^^^^^^^\n  remove it: a voice cannot say it and a terminal would act on it',
    ),
    (
        "say_escape",
        'title: x\nblocks:\n  - say: "\\x1b]0;owned\\x07"\n  - exercise: hip-hinge\n',
        'say_escape.yaml:3:10: `say` holds a control character (U+001B) at character 1\n  3 |   - say: "\\x1b]0;owned\\x07"\n    |          ^^^^^^^^^^^^^^^^^^\n  remove it: a voice cannot say it and a terminal would act on it',
    ),
    (
        "rpes",
        "title: x\nblocks:\n  - exercise: hip-hinge\n    rpes: 12\n",
        "rpes.yaml:4:5: unknown key `rpes` in an exercise block\n  4 |     rpes: 12\n    |     ^^^^\n  did you mean `reps`? An exercise block takes: exercise, sets, reps, hold, tempo, rest, side_rest, count, progress.",
    ),
    (
        "blcoks",
        "title: x\nblcoks:\n  - exercise: hip-hinge\n",
        "blcoks.yaml:2:1: unknown key `blcoks` in a workout\n  2 | blcoks:\n    | ^^^^^^\n  did you mean `blocks`? A workout takes: title, about, library, exercises, defaults, voice, music, blocks.",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_workout_gets_its_exact_message(
    case: str, text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / f"{case}.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as raised:
        load_workout(f"{case}.yaml")
    assert str(raised.value) == message.replace("{dir}", os.fspath(tmp_path))


def _message(tmp_path: Path, name: str, data: bytes) -> str:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError) as raised:
        load_workout(str(tmp_path / name))
    return str(raised.value).replace(f"{tmp_path}/", "")


def test_huge_input_is_refused_with_a_short_message(tmp_path: Path) -> None:
    head = b"title: x\nblocks:\n  - exercise: hip-hinge\n"
    cases = {
        "deep.yaml": (
            b"title: T\nblocks: " + b"[" * 400 + b"]" * 400 + b"\n",
            "deep.yaml:2:28: lists and mappings are nested more than 20 deep",
        ),
        "digits.yaml": (
            head + b"    sets: " + b"9" * 4301 + b"\n",
            "digits.yaml:4:11: `sets` is a number of 4,301 digits; that is too big",
        ),
        "quoted_digits.yaml": (
            head + b'    reps: "' + b"9" * 4301 + b'"\n',
            "quoted_digits.yaml:4:11: `reps` must be a whole number, not text",
        ),
        "key.yaml": (
            head + b"    " + b"k" * 100_000 + b": 1\n",
            "key.yaml:4:100005: YAML syntax: could not find expected ':'",
        ),
        "long_key.yaml": (
            head + b"    " + b"k" * 1000 + b": 1\n",
            "long_key.yaml:4:5: unknown key `" + "k" * 60 + "…` in an exercise block",
        ),
        "title.yaml": (
            b"title: " + b"t" * 1_900_000 + b"\nblocks:\n  - exercise: hip-hinge\n",
            "title.yaml:1:8: `title` is 1,900,000 characters; at most 120",
        ),
    }
    for name, (data, first_line) in cases.items():
        message = _message(tmp_path, name, data)
        assert message.splitlines()[0] == first_line
        assert len(message) < 600, name
        assert "sys.set_int_max_str_digits" not in message


def test_bytes_that_are_not_utf8_get_a_line_and_column(tmp_path: Path) -> None:
    message = _message(tmp_path, "latin1.yaml", b"title: x\nblocks:\n  - say: caf\xe9\n")
    assert message == "latin1.yaml:3:13: not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_a_date_like_title_is_text(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("title: 2001-13-45\nblocks:\n  - exercise: hip-hinge\n")
    assert load_workout(str(tmp_path / "d.yaml")).title == "2001-13-45"


def test_what_is_not_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    expected = {
        "folder.yaml": "folder.yaml: is a folder, not a YAML file",
        "pipe.yaml": "pipe.yaml: is a named pipe (FIFO), not a file",
        "loop.yaml": "loop.yaml: a symbolic link that loops back on itself",
        "dangling.yaml": "dangling.yaml: a symbolic link to nothing",
    }
    from voicecoach.files.yamlsource import read_yaml

    for name, message in expected.items():
        with pytest.raises(InputError) as raised:
            read_yaml(tmp_path / name, name)
        assert str(raised.value) == message


# The same for plan.yaml: (case, file text, message).
PLAN_CASES = [
    (
        "plan_unknown_workout",
        "week:\n  monday: mondya\n",
        "plan_unknown_workout.yaml:2:11: no workout named `mondya`\n  2 |   monday: mondya\n    |           ^^^^^^\n  did you mean `monday`? known: friday, monday, wednesday",
    ),
    (
        "plan_weekday_misspelt",
        "week:\n  wendesday: wednesday\n",
        "plan_weekday_misspelt.yaml:2:3: `wendesday` is not a day of the week\n  2 |   wendesday: wednesday\n    |   ^^^^^^^^^\n  did you mean `wednesday`? the days are: monday, tuesday, wednesday, thursday, friday, saturday, sunday",
    ),
    (
        "plan_unknown_run",
        "week:\n  sunday: {run: lnog}\n",
        "plan_unknown_run.yaml:2:17: `lnog` is not a kind of run\n  2 |   sunday: {run: lnog}\n    |                 ^^^^\n  did you mean `long`? a run is one of: easy, long, tempo, intervals, race",
    ),
    (
        "plan_two_workouts",
        "week:\n  monday: [monday, friday]\n",
        "plan_two_workouts.yaml:2:20: two workouts on monday: `monday` and `friday`\n  2 |   monday: [monday, friday]\n    |                    ^^^^^^\n  a day holds one workout: move one to a rest day",
    ),
    (
        "plan_day_twice",
        "week:\n  monday: monday\n  Monday: friday\n",
        "plan_day_twice.yaml:3:3: monday is given twice in the week\n  3 |   Monday: friday\n    |   ^^^^^^\n  it was first given on line 2; a day holds one workout",
    ),
    (
        "plan_unknown_key",
        "title: x\nweeks: {monday: monday}\n",
        "plan_unknown_key.yaml:2:1: unknown key `weeks` in a plan\n  2 | weeks: {monday: monday}\n    | ^^^^^\n  did you mean `week`? A plan takes: title, week.",
    ),
    (
        "plan_run_key",
        "week:\n  sunday: {ran: long}\n",
        "plan_run_key.yaml:2:12: unknown key `ran` in sunday's run\n  2 |   sunday: {ran: long}\n    |            ^^^\n  did you mean `run`? Sunday's run takes: run.",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_bad_plan_gets_its_exact_message(
    case: str, text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / f"{case}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as raised:
        load_plan(tmp_path / f"{case}.yaml", tmp_path)
    assert str(raised.value) == message


def test_check_refuses_a_bad_plan_with_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from voicecoach.cli import app

    (tmp_path / "plan.yaml").write_text("week:\n  monday: mondya\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "plan.yaml")])
    assert result.exit_code == 2
    assert "plan.yaml:2:11: no workout named `mondya`" in result.stderr
