"""Shared fixtures: the user's folders moved to a temporary place, and small file helpers."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach.compiler.compile import compile_workout
from voicecoach.files.load import load_workout
from voicecoach.model import Timeline
from voicecoach.voices.base import EstimatedLengths
from voicecoach.voices.cache import PhraseCache


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: everything a test needs is installed by setup."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        for report in skipped:
            reporter.write_line(f"skipped in CI: {report.nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets empty config, cache and data folders of its own."""
    root = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "CACHE", "DATA"):
        folder = root / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"VOICECOACH_{name}_DIR", str(folder))
    return root


@pytest.fixture(autouse=True)
def real_engines_only_when_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that opens a real speech engine must say so with ``@pytest.mark.engine``.

    Unmarked tests use the fake engine (``tests/fakes.py``) or estimated lengths,
    so the suite says honestly which tests need espeak-ng or piper.
    """
    if request.node.get_closest_marker("engine") is not None:
        return
    import pyttsx3

    from voicecoach.voices import piper_engine

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(
            f"{request.node.nodeid} starts espeak-ng: "
            "mark it @pytest.mark.engine, or give it the fake engine"
        )

    monkeypatch.setattr(pyttsx3, "init", refuse)
    monkeypatch.setattr(piper_engine, "installed", lambda: False)


@pytest.fixture(autouse=True)
def no_desktop_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the desktop's own session bus: those that need one start their own."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/voicecoach-test-bus")


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


SHORT = """
title: Short session
defaults:
  count: tempo
blocks:
  - exercise: hip-hinge
    sets: 2
    reps: 2
    rest: 8s
  - exercise: staggered-stance-rdl
    sets: 1
    reps: 2
    side_rest: 3s
"""
"""Two exercises, three sets, a rest and a side rest: the player's tests run it whole."""


@pytest.fixture
def speech() -> PhraseCache:
    """The fake voice through a phrase cache of its own."""
    from fakes import FakeEngine

    return PhraseCache(FakeEngine())


@pytest.fixture
def timeline(write: Callable[[str, str], Path], speech: PhraseCache) -> Timeline:
    """``SHORT`` compiled with ``speech`` (a test file may have a ``timeline`` of its own)."""
    return compile_workout(load_workout(str(write("short.yaml", SHORT))), speech)
