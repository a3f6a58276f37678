"""Faults from outside: a full disk, a name too long, parts left by a killed export, and
signals (SIGTERM, SIGHUP, SIGQUIT) during an export or a session on a terminal.

As root (CI) a real 1 MB tmpfs fills up; elsewhere the encoder is made to fail as a
full disk does.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import fake_env
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.files.writer import Staged, remove_stale

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a disk with 8 kB left: a real tmpfs as root, else a failing encoder."""
    folder = tmp_path / "full"
    folder.mkdir()
    if os.geteuid() != 0:

        def no_room(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr("voicecoach.sound.export._encode", no_room)
        yield folder
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], check=True)
    try:
        stat = os.statvfs(folder)
        (folder / "filler").write_bytes(b"x" * (stat.f_bavail * stat.f_frsize - 8192))
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.mark.parametrize("fmt", ["wav", "mp3", "flac", "ogg"])
def test_a_full_disk_is_a_message_and_leaves_no_part(full_disk: Path, fmt: str) -> None:
    result = runner.invoke(
        app, ["export", "friday", "-o", f"{full_disk}/", "-f", fmt], obj=fake_env()
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"error: cannot write {full_disk}/friday.{fmt}: the disk is full ("
    )
    assert result.stderr.rstrip().endswith("free some space or write elsewhere with -o")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in full_disk.iterdir()) in ([], ["filler"])


def test_a_split_export_onto_a_full_disk_leaves_no_part(full_disk: Path) -> None:
    args = ["export", "friday", "--split", "-o", str(full_disk / "parts"), "-f", "wav"]
    result = runner.invoke(app, args, obj=fake_env())
    assert result.exit_code == 1, result.output
    assert "the disk is full" in result.stderr
    parts = full_disk / "parts"
    assert not parts.exists() or list(parts.iterdir()) == []


def test_an_output_name_too_long_for_the_disk_says_so(tmp_path: Path) -> None:
    name = "x" * 300 + ".mp3"
    result = runner.invoke(app, ["export", "friday", "-o", str(tmp_path / name)], obj=fake_env())
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: cannot write {'x' * 40}…: the name is 304 characters, too long for this "
        "file system; give a shorter one with -o\n"
    )


def test_parts_a_killed_export_left_are_removed_and_one_being_written_is_kept(
    tmp_path: Path,
) -> None:
    final = tmp_path / "monday.opus"
    busy = Staged(final).make()  # another export still writing
    left = tmp_path / ".monday.opus.k1ll3d.part"
    left.write_bytes(b"\0" * 1000)
    other = tmp_path / ".other.opus.k1ll3d.part"
    other.write_bytes(b"\0")
    try:
        assert remove_stale(final) == [left]
        assert busy.tmp.exists() and other.exists()
    finally:
        busy.discard()
    assert not busy.tmp.exists()


def test_an_export_removes_its_own_stale_parts(tmp_path: Path) -> None:
    stale = tmp_path / ".friday.wav.abcdef.part"
    stale.write_bytes(b"\0" * 100)
    result = runner.invoke(
        app, ["export", "friday", "-o", f"{tmp_path}/", "-f", "wav"], obj=fake_env()
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["friday.wav"]


LONG = """\
title: Long
blocks:
  - exercise: hip-hinge
    sets: 1
  - rest: 1h
  - rest: 1h
  - rest: 1h
"""


def user_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VOICECOACH_CONFIG_DIR": os.environ["VOICECOACH_CONFIG_DIR"],
        "VOICECOACH_CACHE_DIR": os.environ["VOICECOACH_CACHE_DIR"],
        "VOICECOACH_DATA_DIR": os.environ["VOICECOACH_DATA_DIR"],
    }


@pytest.mark.engine
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_export_says_stopped_and_leaves_nothing(
    sig: signal.Signals, tmp_path: Path
) -> None:
    (tmp_path / "long.yaml").write_text(LONG)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "export", str(tmp_path / "long.yaml"), "-o",
         f"{out}/", "-f", "opus", "--engine", "pyttsx3"],
        env=user_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list(out.glob(".*.part")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.rstrip().endswith("Stopped.")
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def play_on_a_terminal(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    """Start ``voicecoach play ARGS`` on a new pseudo-terminal: (process, master, slave)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "play", *args, "--backend", "null", "--engine",
         "pyttsx3"],
        stdin=slave, stdout=slave, stderr=slave, env=user_env(tmp_path), close_fds=True,
        preexec_fn=_own_terminal,
    )  # fmt: skip
    return proc, master, slave


def _own_terminal() -> None:
    """In the child: a session of its own with the pseudo-terminal as its controlling
    terminal, in the foreground, as a shell would start it."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def read_until(master: int, wanted: str, seconds: float = 300) -> str:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted.encode() not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen.decode(errors="replace")


def read_rest(master: int) -> str:
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if not ready:
            return seen.decode(errors="replace")
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return seen.decode(errors="replace")
        if not chunk:
            return seen.decode(errors="replace")
        seen += chunk


def last_session() -> tuple[str, float]:
    db = Path(os.environ["VOICECOACH_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT outcome, position_s FROM sessions ORDER BY id DESC").fetchone()
    return row[0], row[1]


@pytest.mark.engine
@pytest.mark.parametrize("sig", [signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM])
def test_a_signal_during_play_restores_the_terminal_and_logs_the_session(
    sig: signal.Signals, tiny: str, tmp_path: Path
) -> None:
    proc, master, slave = play_on_a_terminal([tiny], tmp_path)
    before = termios.tcgetattr(slave)
    try:
        read_until(master, "set 1/3")  # the status line: playing, keys in cbreak mode
        during = termios.tcgetattr(slave)
        assert not during[3] & termios.ICANON  # the player has the keys
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        out = read_rest(master)
        after = termios.tcgetattr(slave)
    finally:
        os.close(master)
        os.close(slave)
    assert code == 130, out
    assert "Stopped." in out and "Traceback" not in out
    assert after[3] & termios.ECHO and after[3] & termios.ICANON
    assert after == before
    assert last_session()[0] == "interrupted"


@pytest.mark.engine
def test_next_back_quit_on_the_real_player_marks_no_set_done(tmp_path: Path) -> None:
    proc, master, slave = play_on_a_terminal(["monday"], tmp_path)
    try:
        read_until(master, "rep 1")  # the hip hinge's first rep
        os.write(master, b"n")
        time.sleep(1.0)
        os.write(master, b"b")
        time.sleep(0.5)
        os.write(master, b"q")
        code = proc.wait(timeout=60)
        read_rest(master)
    finally:
        os.close(master)
        os.close(slave)
    assert code == 0
    db = Path(os.environ["VOICECOACH_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(db) as conn:
        sets = conn.execute("SELECT exercise, set_no, status FROM sets ORDER BY idx").fetchall()
    assert ("hip-hinge", 1, "done") not in sets
    assert last_session()[0] == "quit"


def test_the_lock_on_a_part_is_let_go_when_it_is_put_in_place(tmp_path: Path) -> None:
    staged = Staged(tmp_path / "a.txt").make()
    staged.tmp.write_text("x")
    staged.commit()
    fd = os.open(tmp_path / "a.txt", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_import_passes_over_a_named_pipe_where_a_file_would_go(tmp_path: Path) -> None:
    folder = tmp_path / "exercises"
    folder.mkdir()
    os.mkfifo(folder / "romanian-deadlift.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", "import", "free-exercise-db", "--id",
         "Romanian_Deadlift", "--to", str(folder)],
        env=user_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "romanian-deadlift.yaml" in result.stdout
    assert "not a file" in result.stdout


AS_A_USER = """
import sys
sys.path.insert(0, sys.argv[1])
from fakes import fake_env
from typer.testing import CliRunner
from voicecoach.cli import app
result = CliRunner().invoke(app, ["show", sys.argv[2]], obj=fake_env())
print(result.exit_code)
sys.stderr.write(result.stderr)
"""


def show_as_a_user(tiny: str) -> tuple[int, str]:
    """``show`` with the fake voice in a process that folder permissions stop, as they stop a
    user: as root, one without the capabilities that let root past them."""
    plain = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    command = [*(plain if os.geteuid() == 0 else []), sys.executable, "-c", AS_A_USER]
    done = subprocess.run(
        [*command, str(ROOT / "tests"), tiny], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip(), done.stderr
    return int(done.stdout.split()[-1]), done.stderr


@pytest.mark.parametrize("blocked", ["voice", "cache"])
def test_a_cache_folder_that_cannot_be_read_is_named_with_what_to_do(
    blocked: str, tiny: str, user_dirs: Path
) -> None:
    cache = user_dirs / "cache"
    assert runner.invoke(app, ["show", tiny], obj=fake_env()).exit_code == 0
    (voice,) = (cache / "phrases").iterdir()
    folder = voice if blocked == "voice" else cache
    folder.chmod(0)
    try:
        code, stderr = show_as_a_user(tiny)
    finally:
        folder.chmod(0o755)
    assert (code, stderr) == (
        2,
        f"error: cannot read the phrase cache in {folder}: permission denied; make it yours "
        f"again (`chmod -R u+rwX {folder}`) or delete it: the cache is safe to delete\n",
    )


def test_a_cache_that_cannot_be_written_only_costs_time(tiny: str, user_dirs: Path) -> None:
    cache = user_dirs / "cache"
    cache.chmod(0o555)
    try:
        code, stderr = show_as_a_user(tiny)
    finally:
        cache.chmod(0o755)
    assert (code, stderr) == (0, "")
    assert not (cache / "phrases").exists()
