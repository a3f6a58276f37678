"""The one safe writer: whole files or none, the usual permissions, nothing overwritten unasked."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.errors import InputError
from voicecoach.files.writer import Staged, write_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_written_by_new_and_import_follow_the_umask(umask_022: None, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "free-exercise-db", "--id", "Goblet_Squat", "--to", str(tmp_path / "ex")]
    )
    assert result.exit_code == 0, result.output
    [imported] = (tmp_path / "ex").glob("*.yaml")
    result = runner.invoke(
        app, ["new", "legs", "--add", "hip-hinge", "--output", str(tmp_path / "legs.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert mode(imported) == 0o644
    assert mode(tmp_path / "legs.yaml") == 0o644


def test_a_stricter_umask_is_followed_too(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "a.yaml", "x: 1\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.yaml") == 0o600


def test_a_name_taken_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    final = tmp_path / "out.txt"
    with pytest.raises(InputError, match="already exists; use --force to replace it"):
        with Staged(final) as staged:
            staged.tmp.write_text("mine")
            final.write_text("theirs")
    assert final.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with Staged(tmp_path / "out.txt", replace=True) as staged:
            staged.tmp.write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_signal_the_moment_the_part_is_made_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    made = os.open

    def then_sigterm(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        fd = made(path, flags, mode, **kwargs)  # type: ignore[arg-type]
        if str(path).endswith(".part"):
            os.kill(os.getpid(), signal.SIGTERM)  # as a busy machine can deliver it: here
        return fd

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    monkeypatch.setattr(os, "open", then_sigterm)
    try:
        with pytest.raises(KeyboardInterrupt), Staged(tmp_path / "out.opus") as staged:
            staged.tmp.write_bytes(b"never reached")
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def test_a_part_being_put_in_place_is_not_taken_for_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two writers of the same phrase at once (the phrase cache, from two threads or two
    # exports): the second one's clean-up runs just as the first puts its part in place.
    from voicecoach.files import writer

    final = tmp_path / "entry.pcm"
    link = os.link

    def cleaned_up_meanwhile(source: Path, target: Path) -> None:
        writer.remove_stale(final)
        link(source, target)

    monkeypatch.setattr(os, "link", cleaned_up_meanwhile)
    staged = Staged(final).make()
    staged.tmp.write_bytes(b"first")
    assert staged.put()
    assert final.read_bytes() == b"first"
    assert not list(tmp_path.glob("*.part"))
