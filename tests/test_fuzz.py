"""Mutated workout and exercise files never give a traceback, only messages that point.

The files come from ``tests/fuzzing.py`` (the built-ins and the format's
examples, mutated with a fixed seed); ``scripts/fuzz.py`` runs the same
mutator over many more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fuzzing import corpus, verdict
from voicecoach.cli import app

runner = CliRunner()
FILES = 400


def test_fuzzed_files_get_exit_0_or_2_and_a_position(tmp_path: Path) -> None:
    problems = []
    for name, data in corpus(FILES, seed=2026):
        path = tmp_path / name
        path.write_bytes(data)
        for args in (["check", "--estimate", str(path)], ["show", "--estimate", str(path)]):
            result = runner.invoke(app, args)
            found = verdict(str(path), result.exit_code, result.stderr, result.exception)
            if found:
                problems.append(f"{name} ({args[0]}): {found}")
        path.unlink()
    assert problems == []


@pytest.mark.parametrize(
    ("code", "stderr", "problem"),
    [
        (1, "", "exit 1"),
        (2, "error: x.yaml: `sets` is 0\n", "no file:line:col"),
        (2, "error: x.yaml:4:11: `sets` is 0\n", None),
        (2, "error: x.yaml: the file is empty; a workout needs\n", None),
        (0, "", None),
    ],
)
def test_the_verdict_catches_what_it_should(code: int, stderr: str, problem: str | None) -> None:
    found = verdict("x.yaml", code, stderr, None)
    assert (found is None) if problem is None else (found or "").startswith(problem)
    assert verdict("x.yaml", 1, "", ValueError("x")) == "ValueError: x"
