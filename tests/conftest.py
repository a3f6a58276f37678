"""Shared fixtures: the user's folders moved to a temporary place, and small file helpers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach.voices.base import EstimatedLengths


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets empty config, cache and data folders of its own."""
    root = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "CACHE", "DATA"):
        folder = root / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"VOICECOACH_{name}_DIR", str(folder))
    return root


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented file under the test's folder and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


TINY = """
title: Tiny
exercises:
  - id: tap
    name: Tap
    reps: 2
    tempo: 1-0-1-0
defaults:
  count: reps
blocks:
  - exercise: tap
    sets: 3
    rest: 2s
"""
"""A session of half a minute: three short sets, for running whole sessions in tests."""


@pytest.fixture
def tiny(write: Callable[[str, str], Path]) -> str:
    """The path of a written copy of ``TINY``."""
    return str(write("tiny.yaml", TINY))


@pytest.fixture
def lengths() -> EstimatedLengths:
    return EstimatedLengths()
