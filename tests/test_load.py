"""Finding workouts and exercises by name, and what a valid file turns into."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach import paths
from voicecoach.errors import InputError
from voicecoach.files.load import find_workout, load_exercise_file, load_workout
from voicecoach.model import CircuitBlock, ExerciseBlock, RestBlock, SayBlock, Step, Tempo

Write = Callable[[str, str], Path]


def test_every_key_of_the_spec_example_loads(write: Write) -> None:
    write("my-exercises/down-dog.yaml", "id: dd\nname: Down dog\nreps: 8-12\n")
    path = write(
        "workouts/monday.yaml",
        """
        title: Monday - hamstrings for runners
        about: Three moves, about twenty minutes.
        library: [../my-exercises]
        exercises:
          - id: wall-sit
            name: Wall sit
            hold: 30s
        defaults:
          rest: 45s
          count: tempo
        blocks:
          - exercise: staggered-stance-rdl
            sets: 3
            reps: 8
            tempo: 3-1-1-0
            rest: 60s
            side_rest: 10s
          - exercise: wall-sit
            sets: 2
            hold: 40s
          - say: Grab your Swiss ball.
          - rest: 20s
          - circuit:
              rounds: 2
              rest: 30s
              blocks:
                - exercise: dd
                  reps: 10
                - exercise: supine-march
                  reps: 6
        """,
    )
    workout = load_workout(str(path))
    rdl, wall, say, rest, circuit = workout.blocks
    assert isinstance(rdl, ExerciseBlock) and rdl.sets == 3 and rdl.reps == 8
    assert rdl.steps == (Step("Hinge", 3000), Step("Pause", 1000), Step("Up", 1000))
    assert (rdl.rest_ms, rdl.side_rest_ms, rdl.count) == (60000, 10000, "tempo")
    assert isinstance(wall, ExerciseBlock) and wall.hold_ms == 40000 and wall.rest_ms == 45000
    assert say == SayBlock("Grab your Swiss ball.", say.where)
    assert isinstance(rest, RestBlock) and rest.ms == 20000
    assert isinstance(circuit, CircuitBlock) and circuit.rounds == 2 and circuit.rest_ms == 30000
    dd = circuit.blocks[0]
    assert isinstance(dd, ExerciseBlock) and dd.exercise.name == "Down dog"
    assert dd.exercise.path.endswith("my-exercises/down-dog.yaml")
    assert rdl.where is not None and (rdl.where.line, rdl.where.col) == (12, 5)


def test_the_explosive_lift_and_default_tempo(write: Write) -> None:
    path = write(
        "w.yaml",
        """
        title: T
        exercises:
          - {id: jump, name: Jump, tempo: 2-0-X-0}
          - {id: plain, name: Plain}
        blocks:
          - {exercise: jump}
          - {exercise: plain}
        """,
    )
    jump, plain = load_workout(str(path)).blocks
    assert isinstance(jump, ExerciseBlock) and isinstance(plain, ExerciseBlock)
    assert jump.exercise.tempo == Tempo(2000, 0, 1000, 0, explosive=True)
    assert jump.steps == (Step("Down", 2000), Step("Up fast", 1000))
    assert plain.steps == (Step("Down", 2000), Step("Up", 2000)) and plain.reps == 8


def test_names_are_found_here_then_user_then_builtin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Write
) -> None:
    assert find_workout("monday").origin == "built-in"
    user = paths.user_workouts()
    user.mkdir(parents=True)
    (user / "monday.yaml").write_text("title: U\nblocks: [{exercise: hip-hinge}]\n")
    assert find_workout("monday").origin == "user"
    write("workouts/monday.yaml", "title: H\nblocks: [{exercise: hip-hinge}]\n")
    monkeypatch.chdir(tmp_path)
    assert find_workout("monday").origin == "here"
    assert load_workout("monday").title == "H"


def test_a_user_exercise_replaces_the_builtin_one(write: Write) -> None:
    folder = paths.user_exercises()
    folder.mkdir(parents=True)
    (folder / "supine-march.yaml").write_text("id: supine-march\nname: My march\nreps: 4\n")
    path = write("w.yaml", "title: T\nblocks: [{exercise: supine-march}]\n")
    block = load_workout(str(path)).blocks[0]
    assert isinstance(block, ExerciseBlock)
    assert block.exercise.name == "My march" and block.reps == 4


def test_a_library_that_holds_the_workout_itself_is_fine(write: Write) -> None:
    write(
        "lib/bridge.yaml",
        "exercises:\n  - {id: bridge, name: Bridge}\n  - {id: clam, name: Clam}\n",
    )
    path = write("lib/w.yaml", "title: T\nlibrary: [.]\nblocks: [{exercise: clam}]\n")
    block = load_workout(str(path)).blocks[0]
    assert isinstance(block, ExerciseBlock) and block.exercise.name == "Clam"


def test_an_id_defined_twice_in_one_folder_is_an_error(write: Write) -> None:
    write("lib/a.yaml", "id: bridge\nname: Bridge\n")
    write("lib/b.yaml", "id: bridge\nname: Other bridge\n")
    path = write("w.yaml", "title: T\nlibrary: [lib]\nblocks: [{exercise: bridge}]\n")
    duplicate = r"(?s)b.yaml:1:5: exercise id `bridge` is defined twice in .*also in .*a.yaml"
    with pytest.raises(InputError, match=duplicate):
        load_workout(str(path))


def test_a_broken_exercise_file_is_reported_where_it_is(write: Write) -> None:
    write("lib/bridge.yaml", "id: bridge\nname: Bridge\nreps: lots\n")
    path = write("w.yaml", "title: T\nlibrary: [lib]\nblocks: [{exercise: bridge}]\n")
    with pytest.raises(InputError) as raised:
        load_workout(str(path))
    assert "lib/bridge.yaml:3:7: `bridge` reps: `lots` is not a rep range" in str(raised.value)


def test_builtin_exercise_files_load(lengths: object) -> None:
    for path in sorted((paths.builtin_dir() / "exercises").glob("*.yaml")):
        (exercise,) = load_exercise_file(path)
        assert exercise.id == path.stem
        assert exercise.setup and exercise.cues


def test_non_utf8_and_huge_files_are_refused(write: Write, tmp_path: Path) -> None:
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("title: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_workout(str(bad))
    big = tmp_path / "big.yaml"
    big.write_text("title: x\n" + "# padding\n" * 300_000)
    with pytest.raises(InputError, match="workouts are at most 2 MB"):
        load_workout(str(big))


def test_each_file_gets_its_own_yaml_constructor_so_nothing_piles_up() -> None:
    from voicecoach.files.nodes import text
    from voicecoach.files.yamlsource import parse_yaml

    kept = []
    for i in range(3):
        source, root = parse_yaml(f"title: T{i}\n", f"w{i}.yaml")
        assert root is not None
        assert text(source, root.value[0][1], "`title`") == f"T{i}"
        kept.append(source.constructor)
    assert len({id(c) for c in kept}) == 3
    assert all(len(c.constructed_objects) == 1 for c in kept)
